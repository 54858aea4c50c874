import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Manifest } from '../src/manifest.js';
import { decodeGrayPng, fixture, runCli } from './helpers.js';

const run = (...argv: string[]) => runCli(argv);
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'cnnviz-opt-'));

/** Renders the small strip-free sample with extra flags; returns the folder, its files and manifest. */
async function renderWith(...flags: string[]) {
  const out = tempDir();
  const result = await run(fixture('sample.png'), '--out', out, ...flags);
  assert.equal(result.stderr, '', result.stderr);
  assert.equal(result.code, 0);
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
  const file = (name: string) => manifest.files.find((f) => f.path === name);
  return { out, files: readdirSync(out).sort(), manifest, file };
}

describe('filter banks from the command line', () => {
  it('--list-filters prints every preset with its weights and exits 0', async () => {
    const result = await run('--list-filters');
    assert.equal(result.code, 0);
    for (const name of ['tutorial', 'sobel', 'scharr', 'prewitt', 'laplacian', 'sharpen', 'box', 'gaussian', 'emboss', 'identity']) {
      assert.match(result.stdout, new RegExp(`^${name}: `, 'm'));
    }
  });

  it('--filters Sobel (any case) renders its two kernels', async () => {
    const { files, manifest } = await renderWith('--filters', 'Sobel');
    assert.deepEqual(manifest.kernels.map((k) => k.name), ['sobel-x', 'sobel-y']);
    assert.ok(files.includes('relu-2.png') && !files.includes('conv-3.png'));
  });

  it('--kernel twice, with ; inside: three inline kernels numbered in order', async () => {
    const { manifest } = await renderWith('--kernel', '2x1: -1,1; 1x2: -1,1', '--kernel', '3: 0,0,0 0,1,0 0,0,0');
    assert.deepEqual(manifest.kernels.map((k) => [k.name, k.width, k.height]), [['kernel-1', 2, 1], ['kernel-2', 1, 2], ['kernel-3', 3, 3]]);
  });

  it('--filters bank.json with a bias, then --kernel appended', async () => {
    const bank = join(tempDir(), 'bank.json');
    writeFileSync(bank, JSON.stringify([{ name: 'blur', weights: [[0.5, 0.5]], bias: -0.25 }]));
    const { manifest } = await renderWith('--filters', bank, '--kernel', '1x1: 2');
    assert.deepEqual(manifest.kernels.map((k) => [k.name, k.bias]), [['blur', -0.25], ['kernel-1', 0]]);
    assert.equal(manifest.layer.bias, true);
  });

  it('64 filters from a file: zero-padded numbers, every map written, the grid wraps after --cols', async () => {
    const bank = join(tempDir(), 'bank64.json');
    const kernels = Array.from({ length: 64 }, (_, i) => ({ name: `k${i}`, weights: [[i % 3, -1, 0], [0, 1, (i % 5) - 2], [1, 0, -1]], bias: i / 64 }));
    writeFileSync(bank, JSON.stringify(kernels));
    const out = tempDir();
    const result = await run(fixture('small.png'), '--out', out, '--filters', bank, '--cols', '16');
    assert.equal(result.code, 0, result.stderr);
    const files = readdirSync(out);
    assert.ok(['filter-01.png', 'conv-64.png', 'relu-64.png', 'grid.png'].every((f) => files.includes(f)));
    assert.equal(files.filter((f) => f.endsWith('.png')).length, 1 + 64 * 3 + 1);
  });

  it('--color: R, G, B input channels, gray kernels applied to each, an RGB input tile', async () => {
    const { out, manifest } = await renderWith('--color', '--kernel', '3x3: 0,-1,0 -1,5,-1 0,-1,0');
    assert.equal(manifest.layer.inputChannels, 3);
    assert.equal(manifest.kernels[0].channels, 3);
    assert.equal(decodeGrayPng(readFileSync(join(out, 'input.png'))).colorType, 2);
  });
});

describe('layer flags', () => {
  it('--stride 2 --padding 1 --dilation 2: sizes by PyTorch\'s formula', async () => {
    const { manifest, file } = await renderWith('--stride', '2', '--padding', '1', '--dilation', '2');
    // floor((213 + 2 - 2*3 - 1) / 2) + 1 = 105; floor((320 + 2 - 7) / 2) + 1 = 158
    assert.deepEqual([file('conv-1.png')?.width, file('conv-1.png')?.height], [158, 105]);
    assert.deepEqual([manifest.layer.stride, manifest.layer.padding, manifest.layer.dilation], [[2, 2], [1, 1], [2, 2]]);
  });

  it('--padding same keeps the input size', async () => {
    const { file } = await renderWith('--padding', 'same');
    assert.deepEqual([file('conv-1.png')?.width, file('conv-1.png')?.height], [320, 213]);
  });

  it('--pool 2 writes pool-N.png at half size and a grid row', async () => {
    const { files, file, manifest } = await renderWith('--pool', '2');
    assert.ok(files.includes('pool-4.png'));
    assert.deepEqual([file('pool-1.png')?.width, file('pool-1.png')?.height], [158, 105]);
    assert.equal(manifest.layer.pool, 2);
  });

  it('--activation abs and leaky-relu:0.1 name their files after the activation', async () => {
    assert.ok((await renderWith('--activation', 'abs')).files.includes('abs-1.png'));
    const leaky = await renderWith('--activation', 'leaky-relu:0.1');
    assert.ok(leaky.files.includes('leaky-relu-1.png'));
    assert.deepEqual([leaky.manifest.layer.activation, leaky.manifest.layer.negativeSlope], ['leaky-relu', 0.1]);
    assert.ok((leaky.file('leaky-relu-1.png')?.stats?.min ?? 0) < 0);
  });
});

describe('rendering flags', () => {
  it('--normalize shared gives every map of a stage one range', async () => {
    const { manifest } = await renderWith('--normalize', 'shared');
    const ranges = manifest.files.filter((f) => f.kind === 'conv').map((f) => JSON.stringify(f.range));
    assert.equal(new Set(ranges).size, 1);
  });

  it('--range=-1,1 is recorded per tile and in the render settings', async () => {
    const { manifest, file } = await renderWith('--range=-1,1');
    assert.deepEqual(file('conv-2.png')?.range, { min: -1, max: 1 });
    assert.deepEqual([manifest.render.normalize, manifest.render.range], ['range', [-1, 1]]);
  });

  it('--colormap RdBu writes RGB tiles and defaults to symmetric normalisation', async () => {
    const { out, manifest, file } = await renderWith('--colormap', 'rdbu');
    assert.deepEqual([manifest.render.colormap, manifest.render.normalize], ['RdBu', 'symmetric']);
    const range = file('conv-1.png')?.range;
    assert.equal(range?.min, -(range?.max ?? NaN));
    assert.equal(decodeGrayPng(readFileSync(join(out, 'conv-1.png'))).colorType, 2);
  });

  it('--zoom 3 enlarges map tiles; --no-grid skips grid.png; --no-labels and --cols change the grid', async () => {
    const zoomed = await renderWith('--zoom', '3', '--no-grid');
    assert.deepEqual([zoomed.file('conv-1.png')?.width, zoomed.file('conv-1.png')?.height], [317 * 3, 210 * 3]);
    assert.ok(!zoomed.files.includes('grid.png'));
    const plain = (await renderWith()).file('grid.png');
    const bare = (await renderWith('--no-labels')).file('grid.png');
    const tall = (await renderWith('--cols', '2', '--gap', '4')).file('grid.png');
    assert.ok((bare?.height ?? 0) < (plain?.height ?? 0));
    assert.ok((tall?.height ?? 0) > (plain?.height ?? 0) && (tall?.width ?? 0) < (plain?.width ?? 0));
  });
});

describe('bad option values: one line, exit 2, nothing written', () => {
  const cases: [string[], string][] = [
    [['--stride', '0'], 'cnnviz: Expected an integer n or a pair y,x, each between 1 and 1024 for --stride but received "0"'],
    [['--stride', '2,2,2'], 'cnnviz: Expected an integer n or a pair y,x, each between 1 and 1024 for --stride but received "2,2,2"'],
    [['--padding', 'full'], 'cnnviz: Expected valid, same, an integer n or a pair y,x between 0 and 1024 for --padding but received "full"'],
    [['--padding', 'same', '--stride', '2'], 'cnnviz: Expected stride 1 with padding \'same\' (as in PyTorch) for stride but received 2,2'],
    [['--pool', '1'], 'cnnviz: Expected an integer between 2 and 1024 for --pool but received "1"'],
    [['--pool', '400'], "cnnviz: feature maps are 317×210, smaller than the 400×400 pooling window (--pool) (sample.png)"],
    [['--activation', 'gelu'], 'cnnviz: Expected relu, none, abs, leaky-relu or leaky-relu:<slope> for --activation but received "gelu"'],
    [['--activation', 'leaky-relu:x'], 'cnnviz: Expected a finite slope, as in leaky-relu:0.1 for --activation but received "leaky-relu:x"'],
    [['--no-relu', '--activation', 'abs'], 'cnnviz: Expected either --no-relu or --activation, not both for --activation but received "abs"'],
    [['--colormap', 'jet'], 'cnnviz: Expected one of gray, viridis, magma, inferno, plasma, cividis, RdBu, bwr, seismic, coolwarm for --colormap but received "jet"'],
    [['--normalize', 'global'], 'cnnviz: Expected per-map, shared, symmetric, none for --normalize but received "global"'],
    [['--range', '1,0'], 'cnnviz: Expected two finite numbers lo,hi with lo < hi for --range but received "1,0"'],
    [['--range', '0,1', '--normalize', 'shared'], 'cnnviz: Expected either --normalize or --range, not both for --range but received "0,1"'],
    [['--zoom', '0'], 'cnnviz: Expected an integer between 1 and 64 for --zoom but received "0"'],
    [['--cols', 'x'], 'cnnviz: Expected an integer between 1 and 256 for --cols but received "x"'],
    [['--compression', '10'], 'cnnviz: Expected an integer between 0 and 9 for --compression but received "10"'],
    [['--filters', 'missing.json'], 'cnnviz: kernel file: no such file (missing.json)'],
    [['--kernel', '2x2: 1,2,3'], 'cnnviz: Expected 4 values for a 2x2 kernel for --kernel 1 but received 3 values'],
    [['--kernel', '1x1: 1', '--kernel', '1x1: 1', '--filters', 'sobel', '--kernel', '3x3: 1'], 'cnnviz: Expected 9 values for a 3x3 kernel for --kernel 3 but received 1 values'],
  ];
  for (const [flags, line] of cases) {
    it(flags.join(' '), async () => {
      const out = join(tempDir(), 'maps');
      const result = await run(fixture('sample.png'), '--out', out, ...flags);
      assert.equal(result.stderr, `${line}\n`);
      assert.equal(result.code, 2);
      assert.ok(!existsSync(out));
    });
  }

  it('a colour kernel without --color', async () => {
    const bank = join(tempDir(), 'rgb.json');
    writeFileSync(bank, JSON.stringify([{ name: 'rgb', weights: [[[1]], [[1]], [[1]]] }]));
    const result = await run(fixture('sample.png'), '--out', join(tempDir(), 'm'), '--filters', bank);
    assert.equal(result.stderr, "cnnviz: filter 'rgb' has 3 channels: use --color for colour kernels\n");
    assert.equal(result.code, 2);
  });

  it('a malformed kernel file names the file and the entry', async () => {
    const bank = join(tempDir(), 'bad.json');
    writeFileSync(bank, '[{"name": "ok", "weights": [[1, 2], [3]]}]');
    const result = await run(fixture('sample.png'), '--out', join(tempDir(), 'm'), '--filters', bank);
    assert.equal(result.stderr, `cnnviz: Expected a row of 2 numbers like row 0 for ${bank}[0].weights[1] but received an array of length 1\n`);
  });
});
