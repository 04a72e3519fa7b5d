import { createWriteStream } from 'node:fs';
import type { StartedTestContainer } from 'testcontainers';
import { logPathOf, readLogTail, removeServerDir, untilReady, type ServerControl } from './server-control.js';
import { errorText } from './wait.js';

export interface ContainerSpec {
  name: string;
  image: string;
  /** Container port → host port on 127.0.0.1-reachable interfaces; fixed so that a restart keeps the URL. */
  ports: { container: number; host: number }[];
  env?: Record<string, string>;
  command?: string[];
  /** Host directories (inside `dir`) mounted into the container: data survives a restart. */
  binds?: { source: string; target: string }[];
  dir: string;
  isReady: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

/** A server in a container: stop() removes the container, start() makes a new one on the same ports and data. */
export class ContainerServer implements ServerControl {
  private container: StartedTestContainer | undefined;
  private disposed = false;

  constructor(private readonly spec: ContainerSpec) {}

  get dir(): string {
    return this.spec.dir;
  }

  /** Host name under which the container's ports are reachable (known once started). */
  get host(): string {
    if (!this.container) throw new Error(`${this.spec.name} is not running`);
    return this.container.getHost();
  }

  async start(): Promise<void> {
    if (this.disposed) throw new Error(`${this.spec.name} was disposed`);
    if (this.container) throw new Error(`${this.spec.name} is already running`);
    const { name, image, ports, env = {}, command, binds = [] } = this.spec;
    // Loaded only when Docker answered: testcontainers 12 does not load on Node 20.
    const { GenericContainer } = await import('testcontainers');
    let definition = new GenericContainer(image)
      .withExposedPorts(...ports)
      .withEnvironment(env)
      .withBindMounts(binds.map((bind) => ({ ...bind, mode: 'rw' as const })))
      .withLogConsumer((stream) => stream.pipe(createWriteStream(logPathOf(this.dir), { flags: 'a' })));
    if (command) definition = definition.withCommand(command);
    this.container = await definition.start();

    await untilReady(this, {
      label: `${name} (${image})`,
      isReady: this.spec.isReady,
      timeoutMs: this.spec.readyTimeoutMs ?? 60_000,
      intervalMs: 100,
    });
  }

  async stop(): Promise<void> {
    await this.container?.stop({ timeout: 15_000 });
    this.container = undefined;
  }

  async kill(): Promise<void> {
    await this.container?.stop({ timeout: 0 });
    this.container = undefined;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.stop();
    this.disposed = true;
    try {
      removeServerDir(this.dir);
    } catch (error) {
      // Files the container wrote as another user may resist; a leftover temp dir is harmless.
      console.warn(`could not remove ${this.dir}: ${errorText(error)}`);
    }
  }

  logTail(lines?: number): string {
    return readLogTail(this.dir, lines);
  }
}
