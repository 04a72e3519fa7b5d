/**
 * `pnpm corpus:fixtures`: runs tshark over every corpus capture and writes tests/corpus/tshark-fixtures.json.
 * The only way that file is made: it holds tshark's answers, never edited by hand.
 */
import { CORPUS, corpusFiles } from './corpus.js';
import { FIXTURES, takeFixtures, writeFixtures } from './tshark-fixtures.js';

const files = corpusFiles();
if (files.length === 0) {
  process.stderr.write(`corpus:fixtures: no captures in ${CORPUS}\n`);
  process.exit(2);
}
const started = Date.now();
const fixtures = await takeFixtures(files);
writeFixtures(fixtures);
console.log(
  `${FIXTURES}: ${files.length} captures, ${fixtures.tshark}, ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
