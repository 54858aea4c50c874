import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { comparePixels, isCi, type Rgba } from '../src/compare.js';
import { fixture, runCli } from './helpers.js';

const run = (argv: string[], env: Record<string, string | undefined> = {}) => runCli(argv, { env });

const temp = (): string => mkdtempSync(join(tmpdir(), 'cnnviz-cmp-'));
let rendered = '';

/** A fresh copy of a rendering of the small fixture. */
function copy(): string {
  const dir = join(temp(), 'maps');
  cpSync(rendered, dir, { recursive: true });
  return dir;
}

/** Changes pixels of a PNG by `delta` (on every channel), at (x, y) positions. */
function touch(path: string, points: [number, number][], delta: number): void {
  const png = PNG.sync.read(readFileSync(path));
  for (const [x, y] of points) {
    const i = 4 * (y * png.width + x);
    for (let c = 0; c < 3; c++) png.data[i + c] = png.data[i + c] >= delta ? png.data[i + c] - delta : png.data[i + c] + delta;
  }
  writeFileSync(path, PNG.sync.write(png));
}

describe('cnnviz compare', () => {
  before(async () => {
    rendered = join(temp(), 'maps');
    const r = await run([fixture('small.png'), '--out', rendered]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('identical folders pass with exit 0; PNG bytes may differ, pixels may not', async () => {
    const actual = copy();
    // Re-encode a tile at another level: other bytes, same pixels.
    const png = PNG.sync.read(readFileSync(join(actual, 'conv-1.png')));
    writeFileSync(join(actual, 'conv-1.png'), PNG.sync.write(png, { deflateLevel: 9, colorType: 0 }));
    assert.notDeepEqual(readFileSync(join(actual, 'conv-1.png')), readFileSync(join(rendered, 'conv-1.png')));
    const r = await run(['compare', rendered, actual]);
    assert.deepEqual([r.code, r.stdout], [0, 'match: 14 files identical within the thresholds\n']);
  });

  it('one pixel changed: exit 1, the line says which limit applied, and the diff image is red exactly there', async () => {
    const actual = copy();
    touch(join(actual, 'conv-2.png'), [[20, 10]], 37);
    const r = await run(['compare', rendered, actual]);
    assert.equal(r.code, 1);
    const diff = join(actual, 'conv-2.diff.png');
    assert.equal(r.stdout, `conv-2.png: 1 px differ (0.036%, max allowed 0); largest difference 37; diff: ${diff}\ndiffer: 1 of 15 checks failed\n`);
    const image = PNG.sync.read(readFileSync(diff));
    const at = (x: number, y: number) => Array.from(image.data.subarray(4 * (y * image.width + x), 4 * (y * image.width + x) + 4));
    assert.deepEqual(at(20, 10), [255, 0, 0, 255]);
    const [r0, g0, b0] = at(21, 10);
    assert.ok(r0 === g0 && g0 === b0 && r0 >= 178, 'other pixels: the expected image, faded');
  });

  it('--threshold: a difference exactly at it passes, one over fails', async () => {
    const actual = copy();
    touch(join(actual, 'relu-1.png'), [[3, 3]], 37);
    assert.equal((await run(['compare', rendered, actual, '--threshold', '37'])).code, 0);
    const over = await run(['compare', rendered, actual, '--threshold', '36']);
    assert.equal(over.code, 1);
    assert.match(over.stdout, /^relu-1\.png: 1 px differ by more than 36 \(/);
  });

  it('--max-diff-pixels and --max-diff-ratio: exactly at the budget passes, one over fails', async () => {
    const actual = copy();
    touch(join(actual, 'input.png'), [[0, 0], [1, 0], [2, 0]], 5);
    assert.equal((await run(['compare', rendered, actual, '--max-diff-pixels', '3'])).code, 0);
    assert.equal((await run(['compare', rendered, actual, '--max-diff-pixels', '2'])).code, 1);
    const ratio = 3 / (64 * 48);
    assert.equal((await run(['compare', rendered, actual, '--max-diff-ratio', String(ratio)])).code, 0);
    assert.equal((await run(['compare', rendered, actual, '--max-diff-ratio', String(2 / (64 * 48))])).code, 1);
  });

  it('a size mismatch is reported separately', async () => {
    const actual = copy();
    cpSync(fixture('golden', 'strip-9x4', 'conv-1.png'), join(actual, 'conv-3.png'));
    const r = await run(['compare', rendered, actual]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^conv-3\.png: size 6×1, expected 61×45$/m);
  });

  it('missing and extra files fail', async () => {
    const actual = copy();
    cpSync(join(actual, 'relu-4.png'), join(actual, 'relu-5.png'));
    const { rmSync } = await import('node:fs');
    rmSync(join(actual, 'filter-2.png'));
    const r = await run(['compare', rendered, actual]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`^filter-2\\.png: missing from ${actual}$`, 'm'));
    assert.match(r.stdout, new RegExp(`^relu-5\\.png: not in ${rendered}$`, 'm'));
  });

  it('the manifest is compared: a statistic out of tolerance fails', async () => {
    const actual = copy();
    const path = join(actual, 'manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    manifest.files[6].stats.mean += 0.001;
    writeFileSync(path, JSON.stringify(manifest));
    const r = await run(['compare', rendered, actual]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^manifest\.json: conv-2\.png mean .* \(tolerance 1e-6\)$/m);
    assert.equal((await run(['compare', rendered, actual, '--tolerance', '0.1'])).code, 0);
  });

  it('--json prints a machine-readable report; --junit writes JUnit XML', async () => {
    const actual = copy();
    touch(join(actual, 'conv-4.png'), [[5, 5]], 9);
    const junit = join(temp(), 'report.xml');
    const r = await run(['compare', rendered, actual, '--json', '--junit', junit]);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout);
    const conv4 = report.files.find((f: { name: string }) => f.name === 'conv-4.png');
    assert.deepEqual([report.pass, conv4.status, conv4.diffPixels, conv4.largestDifference], [false, 'differ', 1, 9]);
    const xml = readFileSync(junit, 'utf8');
    assert.match(xml, /<testsuites name="cnnviz compare" tests="15" failures="1">/);
    assert.match(xml, /<testcase classname="cnnviz.compare" name="conv-4.png">\n {6}<failure type="differ" message="conv-4.png: 1 px differ/);
  });

  it('an unreadable PNG or a missing folder is exit 2', async () => {
    const actual = copy();
    writeFileSync(join(actual, 'grid.png'), 'not a png');
    assert.equal((await run(['compare', rendered, actual])).code, 2);
    const missing = await run(['compare', rendered, join(actual, 'nope')]);
    assert.deepEqual([missing.code, missing.stderr], [2, `cnnviz: no such file or folder (${join(actual, 'nope')})\n`]);
  });

  it('two single PNG files', async () => {
    const actual = copy();
    assert.equal((await run(['compare', join(rendered, 'grid.png'), join(actual, 'grid.png')])).code, 0);
  });
});

describe('cnnviz <image> --compare <snapshot>', () => {
  it('a missing snapshot under CI=true fails and is not written', async () => {
    const dir = temp();
    const r = await run([fixture('small.png'), '--out', join(dir, 'out'), '--compare', join(dir, 'snap')], { CI: 'true' });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `cnnviz: snapshot missing, and CI is set: not writing it (run with --update to create it) (${join(dir, 'snap')})\n`);
    assert.ok(!existsSync(join(dir, 'snap')));
  });

  it('outside CI a missing snapshot is written and said so; then compare passes', async () => {
    const dir = temp();
    const first = await run([fixture('small.png'), '--out', join(dir, 'out'), '--compare', join(dir, 'snap')], {});
    assert.deepEqual([first.code, first.stderr], [0, `cnnviz: note: snapshot written (${join(dir, 'snap')})\n`]);
    const again = await run([fixture('small.png'), '--out', join(dir, 'out'), '--compare', join(dir, 'snap')], { CI: '1' });
    assert.deepEqual([again.code, again.stderr], [0, '']);
  });

  it('a changed rendering fails; --update replaces the snapshot, dropping obsolete files; then it passes', async () => {
    const dir = temp();
    await run([fixture('small.png'), '--out', join(dir, 'out'), '--compare', join(dir, 'snap')]);
    writeFileSync(join(dir, 'snap', 'old-file.png'), 'obsolete');
    const changed = await run([fixture('small.png'), '--out', join(dir, 'out'), '--compare', join(dir, 'snap'), '--colormap', 'viridis']);
    assert.equal(changed.code, 1);
    assert.match(changed.stderr, /^cnnviz: conv-1\.png: \d+ px differ/m);
    const updated = await run([fixture('small.png'), '--out', join(dir, 'out'), '--compare', join(dir, 'snap'), '--colormap', 'viridis', '--update']);
    assert.equal(updated.code, 0);
    assert.ok(!readdirSync(join(dir, 'snap')).includes('old-file.png'));
    assert.ok(!readdirSync(dir).some((name) => name.includes('.new-') || name.includes('.old-')), 'no temporary folders left');
    const after = await run([fixture('small.png'), '--out', join(dir, 'out'), '--compare', join(dir, 'snap'), '--colormap', 'viridis'], { CI: 'true' });
    assert.equal(after.code, 0, after.stderr);
  });

  it('--update without --compare is a usage error', async () => {
    const r = await run([fixture('small.png'), '--out', join(temp(), 'o'), '--update']);
    assert.deepEqual([r.code, r.stderr], [2, 'cnnviz: --update goes with --compare <snapshot-dir> (--update)\n']);
  });
});

describe('comparePixels and isCi', () => {
  const image = (values: number[]): Rgba => ({ width: values.length, height: 1, data: Uint8Array.from(values.flatMap((v) => [v, v, v, 255])) });
  it('counts pixels over the threshold and keeps the largest difference', () => {
    const c = comparePixels(image([0, 10, 20, 30]), image([0, 12, 25, 30]), { threshold: 2, maxDiffPixels: 0, maxDiffRatio: 0 });
    assert.deepEqual([c.diffPixels, c.largestDifference, c.pass], [1, 5, false]);
  });
  it('CI is set unless empty, false or 0', () => {
    assert.deepEqual([isCi({ CI: 'true' }), isCi({ CI: '1' }), isCi({}), isCi({ CI: '' }), isCi({ CI: 'false' }), isCi({ CI: '0' })], [true, true, false, false, false, false]);
  });
});
