import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Manifest } from '../src/manifest.js';
import { assertPixelsEqual, decodeGrayPng, fixture, golden, readGrayPng, ROOT, runCli } from './helpers.js';

const EXPECTED_FILES = [
  'input.png',
  ...[1, 2, 3, 4].map((i) => `filter-${i}.png`),
  ...[1, 2, 3, 4].map((i) => `conv-${i}.png`),
  ...[1, 2, 3, 4].map((i) => `relu-${i}.png`),
  'grid.png',
  'manifest.json',
];

/** Runs the CLI in-process, capturing what it prints. */
const run = (...argv: string[]) => runCli(argv);

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'cnnviz-test-'));
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('cnnviz <image> --out <dir>', () => {
  it('writes every tile, the grid and the manifest, and lists the paths on stdout in order', async () => {
    const out = join(tempDir(), 'maps');
    const { code, stdout, stderr } = await run(fixture('sample.png'), '--out', out);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.deepEqual(stdout.trimEnd().split('\n'), EXPECTED_FILES.map((name) => join(out, name)));
    assert.deepEqual(readdirSync(out).sort(), [...EXPECTED_FILES].sort(), 'no temporary files left');
  });

  it('tiles are single-channel 8-bit PNGs whose pixels equal matplotlib imsave of PyTorch\'s maps', async () => {
    const out = tempDir();
    assert.equal((await run(fixture('sample.png'), '-o', out)).code, 0);
    for (const name of ['input', 'conv-1', 'conv-2', 'conv-3', 'conv-4', 'relu-1', 'relu-2', 'relu-3', 'relu-4']) {
      const tile = decodeGrayPng(readFileSync(join(out, `${name}.png`)));
      assert.deepEqual([tile.colorType, tile.depth], [0, 8], `${name}.png is 8-bit gray`);
      assertPixelsEqual(tile, readGrayPng(golden('sample', `${name}.png`)), name);
    }
  });

  it('the manifest records input, formula, kernels, layer and a pixel hash for every file', async () => {
    const out = tempDir();
    await run(fixture('sample.png'), '--out', out);
    const text = readFileSync(join(out, 'manifest.json'), 'utf8');
    const manifest = JSON.parse(text) as Manifest;
    assert.equal(manifest.schemaVersion, 1);
    assert.equal(manifest.tool.name, 'cnnviz');
    assert.match(manifest.engine.libvips, /^\d+\.\d+/);
    assert.deepEqual(
      [manifest.input.name, manifest.input.width, manifest.input.height, manifest.input.alpha, manifest.input.sha256],
      ['sample.png', 320, 213, 'none', sha256(readFileSync(fixture('sample.png')))],
    );
    assert.match(manifest.gray.formula, /9798\*R \+ 19235\*G \+ 3735\*B \+ 16384\) >> 15/);
    assert.deepEqual(manifest.kernels.map((k) => k.name), ['vertical-edge', 'vertical-edge-negated', 'horizontal-edge', 'horizontal-edge-negated']);
    assert.deepEqual(manifest.kernels[2].weights[0], [-1, -1, -1, -1]);
    assert.deepEqual([manifest.layer.stride, manifest.layer.padding, manifest.layer.activation], [[1, 1], 'valid', 'relu']);
    assert.deepEqual(manifest.files.map((f) => f.path), EXPECTED_FILES.slice(0, -1));
    for (const file of manifest.files) {
      const pixels = decodeGrayPng(readFileSync(join(out, file.path)));
      assert.deepEqual([pixels.width, pixels.height], [file.width, file.height], file.path);
      assert.equal(file.pixelsSha256, sha256(pixels.data), `${file.path} pixel hash`);
    }
    const relu1 = manifest.files.find((f) => f.path === 'relu-1.png');
    assert.equal(relu1?.stats?.min, 0);
    assert.ok((relu1?.stats?.zeroFraction ?? 0) > 0.3);
    assert.equal(manifest.files.find((f) => f.path === 'conv-1.png')?.filter, 1);
    assert.ok(!text.includes(out), 'no absolute paths');
    assert.doesNotMatch(text, /20\d\d-\d\d-\d\d/, 'no timestamps');
  });

  it('is deterministic: two runs give identical pixels and an identical manifest', async () => {
    const [a, b] = [tempDir(), tempDir()];
    await run(fixture('sample.png'), '--out', a);
    await run(fixture('sample.png'), '--out', b);
    assert.equal(readFileSync(join(a, 'manifest.json'), 'utf8'), readFileSync(join(b, 'manifest.json'), 'utf8'));
    for (const name of EXPECTED_FILES.filter((n) => n.endsWith('.png'))) {
      assertPixelsEqual(decodeGrayPng(readFileSync(join(a, name))), decodeGrayPng(readFileSync(join(b, name))), name);
    }
  });

  it('--no-relu writes only the maps before activation', async () => {
    const out = tempDir();
    assert.equal((await run(fixture('sample.png'), '--out', out, '--no-relu')).code, 0);
    assert.ok(!readdirSync(out).some((f) => f.startsWith('relu-')));
    assert.equal((JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest).layer.activation, 'none');
  });

  it('a transparent input gets a note on stderr; --background flattens it and says so in the manifest', async () => {
    const out = tempDir();
    const dropped = await run(fixture('rgba.png'), '--out', out);
    assert.equal(dropped.code, 0);
    assert.equal(
      dropped.stderr,
      `cnnviz: note: input has transparency: alpha dropped and colour used as stored, as OpenCV does (--background <colour> flattens it instead) (${fixture('rgba.png')})\n`,
    );
    const flat = await run(fixture('rgba.png'), '--out', out, '--background', '#fff');
    assert.equal(flat.code, 0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    assert.deepEqual([manifest.input.alpha, manifest.input.background], ['flattened', '#ffffff']);
  });

  it('zero-pads filter numbers when there are ten or more filters (library option)', async () => {
    const { render } = await import('../src/render.js');
    const { kernelFromRows } = await import('../src/kernels.js');
    const kernels = Array.from({ length: 10 }, (_, i) => kernelFromRows(`k${i}`, '', [[i, 1], [1, -i]]));
    const result = await render(readFileSync(fixture('strip-9x4.png')), { kernels });
    const names = result.files.map((f) => f.name);
    assert.ok(names.includes('filter-01.png') && names.includes('conv-10.png') && names.includes('relu-07.png'), names.join(' '));
  });
});

describe('cnnviz: errors are one line, a documented exit code, and nothing written', () => {
  const fails = async (argv: string[], code: number, line: string) => {
    const parent = tempDir();
    const out = join(parent, 'maps');
    const result = await run(...argv, '--out', out);
    assert.equal(result.stderr, `${line}\n`);
    assert.equal(result.code, code);
    assert.equal(result.stdout, '');
    assert.ok(!existsSync(out), 'no output folder created');
  };

  it('missing file → 2', () => fails(['nope.png'], 2, 'cnnviz: no such file (nope.png)'));
  it('a folder with no images → 2', () => {
    const empty = tempDir();
    return fails([empty], 2, `cnnviz: folder holds no images (.png, .jpg, .webp, .tif, .gif, .avif) (${empty})`);
  });
  it('a pattern matching nothing → 2', () => fails(['no-such-*.png'], 2, 'cnnviz: pattern matches no images (no-such-*.png)'));
  it('empty file → 2', () => fails([fixture('empty.png')], 2, `cnnviz: input is empty (0 bytes) (empty.png)`));
  it('not an image → 2', () =>
    fails([fixture('not-an-image.png')], 2, 'cnnviz: not a supported image (PNG, JPEG, WebP, TIFF, GIF, AVIF) (not-an-image.png)'));
  it('image smaller than the kernel → 2', () =>
    fails([fixture('tiny-3x3.png')], 2, "cnnviz: image is 3×3 pixels, smaller than the 4×4 kernel 'vertical-edge' (tiny-3x3.png)"));
  it('bad --background → 2', () =>
    fails(
      [fixture('sample.png'), '--background', 'nope'],
      2,
      'cnnviz: Expected a colour (#rrggbb, #rgb, r,g,b or a name such as white) for --background but received "nope"',
    ));
  it('bad --max-pixels → 2', () =>
    fails([fixture('sample.png'), '--max-pixels', '0'], 2, 'cnnviz: Expected a positive integer for --max-pixels but received "0"'));
  it('unknown flag → 2', () => fails([fixture('sample.png'), '--colour'], 2, "cnnviz: unknown option '--colour' (see cnnviz --help)"));

  it('truncated PNG → 2, one line naming the file', async () => {
    const result = await run(fixture('truncated.png'), '--out', join(tempDir(), 'maps'));
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^cnnviz: image is truncated or corrupt: .+ \(truncated\.png\)\n$/);
  });

  it('output path under a file → 3, and a failed run leaves the previous outputs and no temporary files', async () => {
    const parent = tempDir();
    writeFileSync(join(parent, 'file'), 'x');
    const blocked = await run(fixture('sample.png'), '--out', join(parent, 'file', 'maps'));
    assert.equal(blocked.code, 3);
    assert.equal(blocked.stderr, `cnnviz: cannot write outputs: a parent of the output folder is a file (${join(parent, 'file', 'maps')})\n`);

    const out = join(parent, 'maps');
    await run(fixture('sample.png'), '--out', out);
    const before = readFileSync(join(out, 'manifest.json'), 'utf8');
    const failed = await run(fixture('tiny-3x3.png'), '--out', out);
    assert.equal(failed.code, 2);
    assert.equal(readFileSync(join(out, 'manifest.json'), 'utf8'), before);
    assert.deepEqual(readdirSync(out).filter((f) => f.endsWith('.tmp')), []);
  });
});

describe('cnnviz through the real binary', () => {
  const bin = join(ROOT, 'bin', 'cnnviz.js');
  it('renders the sample and exits 0', () => {
    const out = tempDir();
    const result = spawnSync(process.execPath, [bin, fixture('sample.png'), '--out', out], { encoding: 'utf8' });
    assert.equal(result.stderr, '');
    assert.equal(result.status, 0);
    assert.equal(result.stdout.trimEnd().split('\n').length, EXPECTED_FILES.length);
  });

  it('prints one line with no stack trace and exits 2 on a bad file', () => {
    const result = spawnSync(process.execPath, [bin, fixture('not-an-image.png'), '--out', tempDir()], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.equal(result.stderr.split('\n').filter(Boolean).length, 1);
    assert.doesNotMatch(result.stderr, /\bat .+:\d+/);
  });

  it('--version prints the package version; --help lists every flag', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' }).stdout.trim(), pkg.version);
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const flag of ['--out', '--no-relu', '--background', '--max-pixels', '--version', '--help']) assert.ok(help.stdout.includes(flag), flag);
  });
});
