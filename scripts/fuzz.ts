/**
 * npm run fuzz [-- --cases 50000 --seed 7]: the test suite's mutation fuzzer for longer runs, through the
 * library. Prints every problem with the case's seed and number, so it can be replayed.
 */
import { check, corpus, mutate } from '../test/fuzz-lib.js';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const cases = arg('cases', 20_000);
const seed = arg('seed', Date.now() % 1_000_000);
const seeds = corpus();
let problems = 0;
let slowest = 0;
const started = Date.now();
for (let id = 0; id < cases; id++) {
  const item = mutate(seeds, seed, id);
  const verdict = await check(item, 10_000);
  slowest = Math.max(slowest, verdict.ms);
  if (!verdict.ok) {
    problems++;
    console.log(`seed ${seed} case ${id} (${item.base}: ${item.mutation}): ${verdict.problem}`);
  }
  if ((id + 1) % 1000 === 0) console.log(`${id + 1} cases, ${problems} problems, ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
console.log(`done: ${cases} cases with seed ${seed}, ${problems} problems, slowest ${slowest.toFixed(0)} ms`);
process.exitCode = problems > 0 ? 1 : 0;
