import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressLine, runOrdered } from '../src/batch.js';
import { batchNames, globSegment } from '../src/inputs.js';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runOrdered', () => {
  it('reports outcomes in input order although later jobs finish first', async () => {
    const seen: number[] = [];
    const outcomes = await runOrdered([30, 5, 15, 1], async (ms, i) => {
      await delay(ms);
      return i;
    }, { jobs: 4, onOutcome: (i) => seen.push(i) });
    assert.deepEqual(seen, [0, 1, 2, 3]);
    assert.deepEqual(outcomes.map((o) => (o.ok ? o.value : -1)), [0, 1, 2, 3]);
  });

  it('never runs more than `jobs` at once', async () => {
    let running = 0;
    let most = 0;
    await runOrdered([1, 2, 3, 4, 5, 6], async () => {
      most = Math.max(most, ++running);
      await delay(5);
      running--;
    }, { jobs: 2 });
    assert.equal(most, 2);
  });

  it('keeps going after a failure, or with failFast skips what has not started', async () => {
    const job = async (x: number) => {
      if (x === 2) throw new Error('bad');
      return x;
    };
    const all = await runOrdered([1, 2, 3, 4], job, { jobs: 1 });
    assert.deepEqual(all.map((o) => o.ok), [true, false, true, true]);
    const fast = await runOrdered([1, 2, 3, 4], job, { jobs: 1, failFast: true });
    assert.deepEqual(fast.map((o) => (o.ok ? 'ok' : 'skipped' in o ? 'skipped' : 'failed')), ['ok', 'failed', 'skipped', 'skipped']);
  });
});

describe('batch helpers', () => {
  it('progressLine: bar, counts, rate and time left', () => {
    assert.equal(progressLine(10, 40, 5000), '[=====               ] 10/40  2.0 img/s  ETA 15s');
    assert.equal(progressLine(0, 3, 0), '[                    ] 0/3  0.0 img/s  ETA 0s');
  });

  it('batchNames: stems, -2 suffixes in input order, case-insensitive, stdin', () => {
    assert.deepEqual(batchNames(['a/photo.png', 'b/photo.jpg', 'c/Photo.tif', 'photo-2.png', '-']), ['photo', 'photo-2', 'Photo-3', 'photo-2-2', 'stdin']);
  });

  it('globSegment: *, ?, classes, literal dots', () => {
    const re = globSegment('img-?[0-9]*.png');
    assert.ok(re.test('img-a7x.png'));
    assert.ok(!re.test('img-ab.png'));
    assert.ok(!globSegment('*.png').test('a.pngx'));
    assert.ok(globSegment('[!a]*').test('b') && !globSegment('[!a]*').test('a'));
  });
});
