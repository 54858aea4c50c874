import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { check, corpus, mutate } from './fuzz-lib.js';
import { ROOT } from './helpers.js';

const SEED = 20261129;
const IN_PROCESS = Number(process.env.FUZZ_CASES ?? 2500);
const THROUGH_BINARY = Number(process.env.FUZZ_BINARY_CASES ?? 100);
/** The documented exit codes a mutated input may end with. */
const DOCUMENTED = new Set([0, 2, 3]);

describe(`fuzzing (seed ${SEED})`, () => {
  const seeds = corpus();

  it(`${IN_PROCESS} mutated files through the library: each renders or throws cnnviz's one-line error, within 10 s`, async () => {
    assert.ok(seeds.length > 150, `corpus of ${seeds.length}`);
    const problems: string[] = [];
    let rendered = 0;
    for (let id = 0; id < IN_PROCESS; id++) {
      const item = mutate(seeds, SEED, id);
      const verdict = await check(item, 10_000);
      if (!verdict.ok) problems.push(`case ${id} (${item.base}: ${item.mutation}): ${verdict.problem}`);
      else rendered++;
    }
    assert.deepEqual(problems, []);
    assert.ok(rendered > 0);
  });

  it(`${THROUGH_BINARY} mutated files through the real binary: a documented exit code, one line on stderr, no temporary files`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnnviz-fuzz-'));
    const problems: string[] = [];
    for (let k = 0; k < THROUGH_BINARY; k++) {
      const item = mutate(seeds, SEED + 1, k);
      const input = join(dir, `case-${k}${item.base.slice(item.base.lastIndexOf('.'))}`);
      writeFileSync(input, item.bytes);
      const out = join(dir, `out-${k}`);
      const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'cnnviz.js'), input, '--out', out], { encoding: 'utf8', timeout: 30_000 });
      const lines = r.stderr.split('\n').filter(Boolean);
      const errors = lines.filter((line) => !line.startsWith('cnnviz: note: '));
      const leftovers = readdirSync(dir).includes(`out-${k}`) ? readdirSync(out).filter((f) => f.startsWith('.')) : [];
      if (r.status === null || !DOCUMENTED.has(r.status)) problems.push(`case ${k} (${item.mutation}): exit ${r.status} ${r.signal ?? ''}`);
      if (r.status !== 0 && (errors.length !== 1 || !errors[0].startsWith('cnnviz: '))) problems.push(`case ${k}: stderr ${JSON.stringify(r.stderr)}`);
      if (/\n\s+at /.test(r.stderr)) problems.push(`case ${k}: a stack trace`);
      if (leftovers.length > 0) problems.push(`case ${k}: left ${leftovers.join(', ')}`);
    }
    assert.deepEqual(problems, []);
  });
});
