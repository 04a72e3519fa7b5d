/**
 * Just enough of a Dockerfile reader for the checks in this folder: stages and their instructions
 * (comments dropped, `\` continuations joined), the flags and arguments of COPY, and the exec-form
 * (JSON) ENTRYPOINT and CMD a target ends up with through its chain of stages.
 */
export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  text: string;
  line: number;
}

export interface Stage {
  name: string;
  /** The FROM image, or the name of an earlier stage. */
  from: string;
  line: number;
  instructions: Instruction[];
}

export function parseDockerfile(source: string): Stage[] {
  const stages: Stage[] = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let text = lines[i].trim();
    if (text === '' || text.startsWith('#')) continue;
    while (text.endsWith('\\') && i + 1 < lines.length) {
      text = text.slice(0, -1).trimEnd();
      // Comment lines inside a continuation are dropped by Docker too.
      let next = lines[++i].trim();
      while (next.startsWith('#') && i + 1 < lines.length) next = lines[++i].trim();
      text += ` ${next}`;
    }
    const [keyword, ...rest] = text.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), text: rest.join(' '), line: start + 1 };
    if (instruction.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.text);
      if (!m) throw new Error(`Dockerfile:${start + 1}: cannot read FROM ${instruction.text}`);
      stages.push({ from: m[1], name: m[2] ?? String(stages.length), line: start + 1, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG')
        throw new Error(`Dockerfile:${start + 1}: ${instruction.keyword} before the first FROM`);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return stages;
}

export interface Copy {
  from?: string;
  sources: string[];
  dest: string;
  line: number;
}

/** COPY instructions of a stage (shell form only: `COPY [--from=x] [--chown=...] src... dest`). */
export function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map((i) => {
      if (i.keyword === 'ADD') throw new Error(`Dockerfile:${i.line}: ADD (use COPY)`);
      if (i.text.startsWith('[')) throw new Error(`Dockerfile:${i.line}: JSON-form COPY is not read here`);
      const words = i.text.split(/\s+/);
      let from: string | undefined;
      while (words[0]?.startsWith('--')) {
        const flag = words.shift()!;
        if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
      }
      if (words.length < 2) throw new Error(`Dockerfile:${i.line}: COPY needs a source and a destination`);
      return { from, sources: words.slice(0, -1), dest: words.at(-1)!, line: i.line };
    });
}

/** The last value of an exec-form (JSON array) instruction along a target's chain of stages. */
export function execFormOf(stages: Stage[], target: string, keyword: 'ENTRYPOINT' | 'CMD'): string[] | undefined {
  for (const stage of chainOf(stages, target).reverse()) {
    const found = stage.instructions.filter((i) => i.keyword === keyword).at(-1);
    if (found) {
      if (!found.text.startsWith('['))
        throw new Error(`Dockerfile:${found.line}: ${keyword} in shell form (signals would go to a shell)`);
      return JSON.parse(found.text) as string[];
    }
  }
  return undefined;
}

/** The last value of a single-value instruction (USER, WORKDIR) along a target's chain of stages. */
export function lastOf(stages: Stage[], target: string, keyword: string): string | undefined {
  for (const stage of chainOf(stages, target).reverse()) {
    const found = stage.instructions.filter((i) => i.keyword === keyword).at(-1);
    if (found) return found.text;
  }
  return undefined;
}

/** The stages a target is built from, base first: `sensor` → [runtime, sensor]. */
export function chainOf(stages: Stage[], target: string): Stage[] {
  const chain: Stage[] = [];
  let stage = stages.find((s) => s.name === target);
  if (!stage) throw new Error(`no stage named ${target}`);
  while (stage) {
    chain.unshift(stage);
    const from: string = stage.from;
    stage = stages.find((s) => s.name === from);
  }
  return chain;
}

/** The external image a target starts from (the FROM at the root of its chain). */
export function baseImageOf(stages: Stage[], target: string): string {
  return chainOf(stages, target)[0].from;
}
