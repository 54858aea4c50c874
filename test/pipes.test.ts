import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli.js';
import type { Manifest } from '../src/manifest.js';
import { decodeGrayPng, fixture, readNpy, ROOT, runCli } from './helpers.js';

const bin = join(ROOT, 'bin', 'cnnviz.js');
const tempDir = (): string => mkdtempSync(join(tmpdir(), 'cnnviz-pipe-'));

/** Runs the real binary through a shell, so pipes and redirections are real. */
function shell(script: string, cwd = tempDir()) {
  const result = spawnSync('bash', ['-o', 'pipefail', '-c', script], { cwd, encoding: 'buffer', env: { ...process.env, CNNVIZ: `${process.execPath} ${bin}` } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString('utf8'), cwd };
}

const run = (argv: string[], stdin?: Uint8Array) => runCli(argv, stdin ? { stdin } : {});

describe('pipes: stdin, stdout, JSON', () => {
  it('cat img | cnnviz - --out - > grid.png writes the grid PNG to stdout and nothing else', () => {
    const r = shell(`cat ${fixture('sample.png')} | $CNNVIZ - --out - > grid.png && ls`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.toString().trim(), 'grid.png', 'no other file written');
    const grid = decodeGrayPng(readFileSync(join(r.cwd, 'grid.png')));
    const snapshot = decodeGrayPng(readFileSync(fixture('snapshots', 'sample-grid.png')));
    assert.deepEqual([grid.width, grid.height], [snapshot.width, snapshot.height]);
    assert.deepEqual(grid.data, snapshot.data);
  });

  it('with no input and a piped stdin, stdin is read', () => {
    const r = shell(`$CNNVIZ --out maps < ${fixture("sample.png")} > /dev/null && ls maps | wc -l`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.toString().trim(), '15');
  });

  it('--json | node -e: stdout is only the manifest, with paths relative to the output folder', () => {
    const r = shell(`$CNNVIZ ${fixture('sample.png')} --out maps --json | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const m=JSON.parse(s);console.log(m.schemaVersion, m.files[0].path, m.files.length)})"`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.toString().trim(), '1 input.png 14');
  });

  it('a closed stdout (--json | head -c 10) ends quietly with the pipe status, no stack trace', () => {
    const r = shell(`$CNNVIZ ${fixture('sample.png')} --out maps --json --raw | head -c 10; echo " status \${PIPESTATUS[0]}"`);
    assert.match(r.stdout.toString(), /^\{\n {2}"schem status (0|141)\n$/);
    assert.equal(r.stderr, '');
  });

  it('refuses to write a PNG to a terminal, and other impossible destinations', async () => {
    const tty = await main([fixture('sample.png'), '--out', '-'], {
      stdout: () => undefined,
      stderr: (t) => assert.equal(t, 'cnnviz: refusing to write a PNG to a terminal: redirect or pipe stdout (--out -)\n'),
      stdoutIsTTY: true,
    });
    assert.equal(tty, 2);
    assert.equal((await run([fixture('sample.png'), fixture('gray8.png'), '--out', '-'])).stderr, 'cnnviz: one image only when writing to stdout (--out -)\n');
    assert.equal((await run([fixture('sample.png'), '--out', '-', '--json'])).stderr, 'cnnviz: stdout carries either the grid or the JSON, not both (--out - --json)\n');
    assert.equal((await run([fixture('sample.png'), '--out', '-', '--no-grid'])).stderr, 'cnnviz: stdout carries grid.png, which --no-grid turns off (--out -)\n');
  });

  it('empty or garbage stdin is one clear error', async () => {
    const empty = await run(['-', '--out', join(tempDir(), 'm')], new Uint8Array());
    assert.deepEqual([empty.code, empty.stderr], [2, 'cnnviz: standard input is empty (stdin)\n']);
    const garbage = await run(['-', '--out', join(tempDir(), 'm')], Buffer.from('hello, not a picture'));
    assert.deepEqual([garbage.code, garbage.stderr], [2, 'cnnviz: not a supported image (PNG, JPEG, WebP, TIFF, GIF, AVIF) (stdin)\n']);
  });
});

describe('--raw: NumPy arrays', () => {
  it('writes input, conv, relu and filters .npy files that hold the maps', async () => {
    const out = tempDir();
    const r = await run([fixture('sample.png'), '--out', out, '--raw', '--pool', '2']);
    assert.equal(r.code, 0, r.stderr);
    const input = readNpy(join(out, 'input.npy'));
    const conv = readNpy(join(out, 'conv.npy'));
    const relu = readNpy(join(out, 'relu.npy'));
    assert.deepEqual([input.shape, conv.shape, relu.shape, readNpy(join(out, 'pool.npy')).shape, readNpy(join(out, 'filters.npy')).shape], [[213, 320], [4, 210, 317], [4, 210, 317], [4, 105, 158], [4, 4, 4]]);
    const golden = readNpy(fixture('golden', 'sample', 'conv.npy'));
    assert.deepEqual(conv.data, golden.data, 'conv.npy equals PyTorch');
    assert.deepEqual(relu.data, readNpy(fixture('golden', 'sample', 'relu.npy')).data, 'relu.npy equals PyTorch');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    assert.deepEqual(manifest.files.find((f) => f.path === 'conv.npy')?.shape, [4, 210, 317]);
  });

  it('the .npy header is format 1.0, little-endian float32, C order, 64-byte aligned', () => {
    const out = tempDir();
    spawnSync(process.execPath, [bin, fixture('strip-9x4.png'), '--out', out, '--raw']);
    const bytes = readFileSync(join(out, 'conv.npy'));
    assert.deepEqual([...bytes.subarray(0, 8)], [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const headerLength = bytes.readUInt16LE(8);
    assert.equal((10 + headerLength) % 64, 0);
    assert.equal(bytes.subarray(10, 10 + headerLength).toString('latin1'), "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 1, 6), }" + ' '.repeat(headerLength - 63) + '\n');
    assert.equal(bytes.length, 10 + headerLength + 4 * 6 * 4);
  });
});

describe('batches', () => {
  const setup = () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'shots'));
    mkdirSync(join(dir, 'more'));
    copyFileSync(fixture('sample.png'), join(dir, 'shots', 'a.png'));
    copyFileSync(fixture('truncated.png'), join(dir, 'shots', 'b-broken.png'));
    copyFileSync(fixture('gray8.png'), join(dir, 'shots', 'c.png'));
    copyFileSync(fixture('small.png'), join(dir, 'more', 'a.png'));
    writeFileSync(join(dir, 'shots', 'notes.txt'), 'not an image');
    return dir;
  };

  it('a folder with a corrupt file in the middle: the rest are done, one line for the failure, a summary, exit 1', () => {
    const r = shell(`$CNNVIZ shots --out maps --jobs 2`, setup());
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    assert.match(lines[0], /^cnnviz: image is truncated or corrupt: .* \(b-broken\.png\)$/);
    assert.equal(lines[1], 'cnnviz: rendered 2, failed 1');
    assert.deepEqual(readdirSync(join(r.cwd, 'maps')).sort(), ['a', 'c']);
    assert.ok(r.stdout.toString().startsWith(`${join('maps', 'a', 'input.png')}\n`));
  });

  it('--fail-fast stops at the first failure', () => {
    const r = shell(`$CNNVIZ shots --out maps --jobs 1 --fail-fast`, setup());
    assert.equal(r.status, 1);
    assert.match(r.stderr, /cnnviz: rendered 1, failed 1, skipped 1\n$/);
  });

  it("a quoted glob is expanded by cnnviz; clashing names get -2 in input order", () => {
    const r = shell(`$CNNVIZ '*/a.png' --out maps --json`, setup());
    assert.equal(r.status, 0, r.stderr);
    const list = JSON.parse(r.stdout.toString()) as { input: string; out: string; manifest: Manifest }[];
    assert.deepEqual(list.map((entry) => [entry.input, entry.out]), [[join('more', 'a.png'), join('maps', 'a')], [join('shots', 'a.png'), join('maps', 'a-2')]]);
    assert.equal(list[1].manifest.input.width, 320);
  });

  it('a progress bar on a terminal stderr, none otherwise or with --quiet', async () => {
    const dir = setup();
    const inputs = [join(dir, 'shots', 'a.png'), join(dir, 'shots', 'c.png')];
    const withBar = async (argv: string[], tty: boolean) => {
      let stderr = '';
      const code = await main(argv, { stdout: () => undefined, stderr: (t) => (stderr += t), stderrIsTTY: tty, stdoutIsTTY: false });
      return { code, stderr };
    };
    const tty = await withBar([...inputs, '--out', join(dir, 'p1')], true);
    assert.match(tty.stderr, /\r\x1b\[K\[=+ *\] 2\/2 {2}[\d.]+ img\/s {2}ETA 0s/);
    assert.equal((await withBar([...inputs, '--out', join(dir, 'p2')], false)).stderr, 'cnnviz: rendered 2, failed 0\n');
    assert.doesNotMatch((await withBar([...inputs, '--out', join(dir, 'p3'), '--quiet'], true)).stderr, /img\/s/);
  });

  it('--jobs 1 and --jobs 2 give identical outputs', () => {
    const dir = setup();
    const one = shell(`$CNNVIZ shots more --out one --jobs 1 -q`, dir);
    const two = shell(`$CNNVIZ shots more --out two --jobs 2 -q`, dir);
    assert.equal(one.status, 1);
    assert.equal(two.status, 1);
    assert.equal(one.stdout.toString().replaceAll('one/', ''), two.stdout.toString().replaceAll('two/', ''));
    for (const name of ['a', 'c', 'a-2']) {
      assert.equal(readFileSync(join(dir, 'one', name, 'manifest.json'), 'utf8'), readFileSync(join(dir, 'two', name, 'manifest.json'), 'utf8'), name);
    }
  });
});
