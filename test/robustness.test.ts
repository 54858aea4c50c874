import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { CnnvizError } from '../src/errors.js';
import { kernelFromRows } from '../src/kernels.js';
import { render } from '../src/render.js';
import { fixture, ROOT, runCli } from './helpers.js';

const bin = join(ROOT, 'bin', 'cnnviz.js');
const temp = (): string => mkdtempSync(join(tmpdir(), 'cnnviz-rob-'));

const run = (argv: string[]) => runCli(argv);

/** A PNG that declares any size, with a few bytes of real (too short) image data. */
function pngDeclaring(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('PngSuite: every valid file renders, every corrupt one fails cleanly (fixtures/pngsuite)', () => {
  const expected = JSON.parse(readFileSync(fixture('pngsuite', 'expected.json'), 'utf8')) as Record<string, 'valid' | 'corrupt'>;
  it('has all 176 files', () => assert.equal(Object.keys(expected).length, 176));
  const one = [kernelFromRows('one', '', [[1]])];
  for (const [name, verdict] of Object.entries(expected)) {
    it(`${name}: ${verdict}`, async () => {
      const bytes = readFileSync(fixture('pngsuite', name));
      if (verdict === 'valid') {
        const result = await render(bytes, { inputName: name, kernels: one });
        assert.equal(result.files.at(-1)?.name, 'manifest.json');
      } else {
        await assert.rejects(render(bytes, { inputName: name, kernels: one }), (err: unknown) => {
          assert.ok(err instanceof CnnvizError, `expected cnnviz's error, got ${String(err)}`);
          assert.equal(err.kind, 'input');
          assert.doesNotMatch(err.message, /\n/);
          assert.match(err.message, /^(not a supported image|image header is corrupt|image is truncated or corrupt: .+)/);
          return true;
        });
      }
    });
  }
});

describe('odd inputs', () => {
  it('1×1: smaller than the default kernel (exit 2); renders with a 1×1 kernel', async () => {
    const png = join(temp(), 'dot.png');
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).png().toFile(png);
    const small = await run([png, '--out', join(temp(), 'o')]);
    assert.deepEqual([small.code, small.stderr], [2, "cnnviz: image is 1×1 pixels, smaller than the 4×4 kernel 'vertical-edge' (dot.png)\n"]);
    assert.equal((await run([png, '--out', join(temp(), 'o'), '--kernel', '1x1: 1'])).code, 0);
  });

  it('100000×1: renders with a 1×1 kernel; the grid shows it reduced', async () => {
    const png = join(temp(), 'line.png');
    await sharp(Buffer.from(Uint8Array.from({ length: 100000 }, (_, i) => i % 256)), { raw: { width: 100000, height: 1, channels: 1 } }).png().toFile(png);
    const out = join(temp(), 'o');
    const r = await run([png, '--out', out, '--kernel', '1x1: 1']);
    assert.equal(r.code, 0, r.stderr);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.deepEqual([manifest.files[2].width, manifest.files[2].height], [100000, 1]);
  });

  it('multi-page TIFF and animated GIF: the first page, and a note', async () => {
    const tiff = await run([fixture('multipage.tif'), '--out', join(temp(), 'o')]);
    assert.equal(tiff.stderr, `cnnviz: note: input has 2 pages or frames: only the first is used (${fixture('multipage.tif')})\n`);
    const gif = await run([fixture('anim.gif'), '--out', join(temp(), 'o')]);
    assert.equal(gif.code, 0);
    assert.match(gif.stderr, /input has 2 pages or frames: only the first is used/);
  });

  it('a decompression bomb (a small PNG declaring 16000×16000) is refused from its header', async () => {
    const path = join(temp(), 'bomb.png');
    writeFileSync(path, pngDeclaring(16000, 16000));
    const r = await run([path, '--out', join(temp(), 'o')]);
    assert.deepEqual([r.code, r.stderr], [2, 'cnnviz: image is 16000×16000 = 256000000 pixels, over the limit of 100000000 (--max-pixels) (bomb.png)\n']);
  });

  it('limits on the output size, kernel size and filter names each have their own message', async () => {
    const zoomed = await run([fixture('sample.png'), '--out', join(temp(), 'o'), '--zoom', '64']);
    assert.equal(zoomed.code, 2);
    assert.match(zoomed.stderr, /^cnnviz: the tiles would hold \d+ pixels in all, over the limit of 1000000000 \(--max-output-pixels\) \(sample\.png\)\n$/);
    const wide = await run([fixture('sample.png'), '--out', join(temp(), 'o'), '--kernel', `257x1: ${new Array(257).fill(1).join(',')}`]);
    assert.equal(wide.stderr, 'cnnviz: Expected at most 256×256 weights for --kernel 1.weights but received 257×1\n');
    const bank = join(temp(), 'bank.json');
    writeFileSync(bank, JSON.stringify([{ name: 'Grid', weights: [[1]] }]));
    const reserved = await run([fixture('sample.png'), '--out', join(temp(), 'o'), '--filters', bank]);
    assert.equal(reserved.stderr, `cnnviz: Expected a name other than grid, manifest or input (they name output files) for ${bank}[0].name but received "Grid"\n`);
  });
});

describe('outputs are safe', () => {
  it('a symlink at an output name is replaced, never followed', async () => {
    const dir = temp();
    const out = join(dir, 'maps');
    mkdirSync(out);
    writeFileSync(join(dir, 'victim.txt'), 'keep me');
    symlinkSync(join(dir, 'victim.txt'), join(out, 'conv-1.png'));
    assert.equal((await run([fixture('small.png'), '--out', out])).code, 0);
    assert.equal(readFileSync(join(dir, 'victim.txt'), 'utf8'), 'keep me');
    assert.ok(lstatSync(join(out, 'conv-1.png')).isFile());
  });

  it('a rerun with fewer filters removes the old set\'s extra files, and only those', async () => {
    const out = join(temp(), 'maps');
    await run([fixture('small.png'), '--out', out, '--filters', 'gaussian']);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    assert.ok(existsSync(join(out, 'conv-2.png')));
    await run([fixture('small.png'), '--out', out, '--filters', 'sharpen']);
    const files = readdirSync(out).sort();
    assert.ok(!files.includes('conv-2.png') && files.includes('notes.txt') && files.includes('conv-1.png'), files.join(' '));
  });

  it('a folder in the way of an output fails before anything changes (exit 3), leaving no temporary files', async () => {
    const out = join(temp(), 'maps');
    await run([fixture('small.png'), '--out', out]);
    const before = readFileSync(join(out, 'manifest.json'), 'utf8');
    const { rmSync } = await import('node:fs');
    rmSync(join(out, 'grid.png'));
    mkdirSync(join(out, 'grid.png'));
    const r = await run([fixture('sample.png'), '--out', out]);
    assert.deepEqual([r.code, r.stderr], [3, `cnnviz: cannot write outputs: an output name is taken by a folder (${out})\n`]);
    assert.equal(readFileSync(join(out, 'manifest.json'), 'utf8'), before);
    assert.deepEqual(readdirSync(out).filter((f) => f.startsWith('.')), []);
  });

  it('a live lock on the folder makes a second run wait, then fail with a clear message (exit 3)', async () => {
    const out = join(temp(), 'maps');
    mkdirSync(out);
    const holder = spawn('sleep', ['10']);
    try {
      writeFileSync(join(out, '.cnnviz.lock'), `${holder.pid}\n`);
      const r = await run([fixture('small.png'), '--out', out, '--lock-wait', '0.3']);
      assert.deepEqual([r.code, r.stderr], [3, `cnnviz: output folder is in use by another cnnviz run (process ${holder.pid}); try again when it has finished (${out})\n`]);
    } finally {
      holder.kill();
    }
    // A lock left by a process that is gone is taken over.
    writeFileSync(join(out, '.cnnviz.lock'), '999999999\n');
    assert.equal((await run([fixture('small.png'), '--out', out, '--lock-wait', '0'])).code, 0);
    assert.ok(!existsSync(join(out, '.cnnviz.lock')));
  });

  it('two real runs into one folder at once do not interleave: the result is one complete set', async () => {
    const out = join(temp(), 'maps');
    const start = (args: string[]) =>
      new Promise<number | null>((resolve) => spawn(process.execPath, [bin, ...args, '--out', out], { stdio: 'ignore' }).on('exit', resolve));
    const codes = await Promise.all([start([fixture('sample.png')]), start([fixture('small.png'), '--filters', 'sobel'])]);
    assert.deepEqual(codes, [0, 0]);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const listed = manifest.files.map((f: { path: string }) => f.path).concat('manifest.json').sort();
    assert.deepEqual(readdirSync(out).sort(), listed);
  });

  it('stdout on a full disk (/dev/full) is one line and exit 3', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" "${fixture('small.png')}" --out - > /dev/full`], { encoding: 'utf8' });
    assert.deepEqual([r.status, r.stderr], [3, 'cnnviz: cannot write to stdout: no space left on the device (stdout)\n']);
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} during a run removes temporaries and exits ${code}`, async () => {
      const dir = temp();
      const big = join(dir, 'big.png');
      await sharp(fixture('sample.png')).resize(2400, 1600).png({ compressionLevel: 0 }).toFile(big);
      const out = join(dir, 'maps');
      const child = spawn(process.execPath, [bin, big, '--out', out, '--compression', '9'], { stdio: 'ignore' });
      await new Promise((resolve) => setTimeout(resolve, 700));
      child.kill(signal);
      const status = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      assert.equal(status, code);
      const left = existsSync(out) ? readdirSync(out).filter((f) => f.startsWith('.')) : [];
      assert.deepEqual(left, []);
    });
  }
});
