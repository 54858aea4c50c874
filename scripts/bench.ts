/**
 * npm run bench: cnnviz's speed on this machine, side by side with the reference pipeline.
 *
 * Inputs of 0.07, 2, 12 and 33 MP are made at run time from the bundled photo (fixtures/sample.png,
 * upscaled with Lanczos and saved as JPEG quality 90) into a temporary folder. Timed:
 *   (a) the convolution alone (one core), default bank and a seeded bank of four random 4×4 kernels,
 *       in Mpx/s of input, checked against the scalar loops (bit-identical / within 1e-5);
 *   (b) the whole CLI as a process, JPEG in to the last file written, wall time, peak RSS and CPU time
 *       (GNU time), beside `node -e "require('sharp')"`, beside sharp alone doing the run's decoding and
 *       PNG encoding (scripts/bench-sharp-floor.cjs) and, where /usr/bin/python3 has OpenCV and
 *       PyTorch, scripts/bench-reference.py on the same inputs;
 *   (c) PNG encoding of one 12 MP tile at each zlib level, alone and eight at once.
 * Medians of RUNS runs (default 5) with min–max; a checksum of the maps so no work is skipped.
 * Usage: npm run bench [-- --runs 7] [-- --sizes 0.07,2,12] [-- --no-png]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { allocFloat32, convolveBank, createArena, decodeImage, encodePng, kernelFromRows, toFloatMap, toGray8, tutorialKernels, type FloatMap, type Kernel } from '../dist/index.js';
import { prng } from '../test/helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const RUNS = Number(arg('runs', '5'));
const SIZES = [
  { label: '0.07 MP', width: 320, height: 213 },
  { label: '2 MP', width: 1920, height: 1080 },
  { label: '12 MP', width: 4000, height: 3000 },
  { label: '33 MP', width: 7680, height: 4320 },
].filter((s) => arg('sizes', '0.07,2,12,33').split(',').includes(s.label.split(' ')[0]));

const work = mkdtempSync(join(tmpdir(), 'cnnviz-bench-'));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs: number[]): string => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

const next = prng(20261129);
const randomBank = [1, 2, 3, 4].map((i) =>
  kernelFromRows(`random-${i}`, '', Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => Math.fround(next() * 2 - 1)))),
);

let checksum = 0;
const fold = (maps: FloatMap[]): void => {
  for (const map of maps) {
    const bits = new Uint32Array(map.data.buffer, map.data.byteOffset, map.data.length);
    for (let i = 0; i < bits.length; i += 4099) checksum = (Math.imul(checksum, 31) + bits[i]) >>> 0;
  }
};

/**
 * The kernel alone, as a caller that reuses its buffers sees it: the input and the output maps live in
 * one arena, rewritten in place run after run (the first run also pays for first-touching the output
 * memory, about 0.8 ms per MB here; it is reported apart).
 */
function timeKernel(gray: FloatMap, bank: Kernel[]): { cold: number; warm: number[] } {
  const arena = createArena((bank.length + 1) * (gray.data.length * 4 + 64));
  const input = { width: gray.width, height: gray.height, data: allocFloat32(arena, gray.data.length) };
  input.data.set(gray.data);
  const mark = arena.next;
  const times: number[] = [];
  for (let r = 0; r <= RUNS; r++) {
    arena.next = mark;
    const t = performance.now();
    const maps = convolveBank(input, bank, { arena });
    times.push(performance.now() - t);
    fold(maps);
  }
  return { cold: times[0], warm: times.slice(1) };
}

function compare(gray: FloatMap, bank: Kernel[], tolerance: number): string {
  const fast = convolveBank(gray, bank);
  const plain = convolveBank(gray, bank, { simd: false });
  let worst = 0;
  let differ = 0;
  fast.forEach((map, k) => {
    for (let i = 0; i < map.data.length; i++) {
      const d = Math.abs(map.data[i] - plain[k].data[i]);
      if (d > 0 || Object.is(map.data[i], -0) !== Object.is(plain[k].data[i], -0)) differ++;
      if (d > worst) worst = d;
    }
  });
  return tolerance === 0 ? (differ === 0 ? 'bit-identical' : `${differ} values differ`) : worst <= tolerance ? `max diff ${worst.toExponential(1)}` : `OVER: ${worst}`;
}

/** Wall time, peak RSS and CPU time (user + system, all threads) of RUNS runs of a process (GNU time). */
function timeProcess(command: string, args: string[]): { times: number[]; rss: number[]; cpu: number[] } {
  const times: number[] = [];
  const rss: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const result = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', command, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
    const [seconds, kb, user, system] = (result.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
    times.push(seconds * 1000);
    rss.push(kb / 1024);
    cpu.push((user + system) * 1000);
  }
  return { times, rss, cpu };
}

/** The run's PNGs as raw pixels with their sizes, for the sharp floor (scripts/bench-sharp-floor.cjs). */
async function dumpRaw(outDir: string, rawDir: string): Promise<void> {
  mkdirSync(rawDir, { recursive: true });
  for (const name of readdirSync(outDir).filter((file) => file.endsWith('.png'))) {
    // The file's own channels: sharp's raw output is RGB unless told the image is gray.
    const path = join(outDir, name);
    const gray = (await sharp(path).metadata()).channels === 1;
    const { data, info } = await (gray ? sharp(path).toColourspace('b-w') : sharp(path)).raw().toBuffer({ resolveWithObject: true });
    writeFileSync(join(rawDir, name.replace(/\.png$/, '.raw')), data);
    writeFileSync(join(rawDir, name.replace(/\.png$/, '.json')), JSON.stringify({ width: info.width, height: info.height, channels: info.channels }));
  }
}

const hasReference = spawnSync('/usr/bin/python3', ['-c', 'import cv2, torch'], { encoding: 'utf8' }).status === 0;
const rows: Record<string, string>[] = [];
console.log(`cnnviz bench: ${RUNS} runs per figure, node ${process.version}, libvips ${sharp.versions.vips}; reference pipeline ${hasReference ? 'found' : 'not found (apt-get install python3-opencv python3-torch)'}`);
const floor = timeProcess(process.execPath, ['-e', "require('sharp')"]);
for (const size of SIZES) {
  const jpeg = join(work, `photo-${size.width}x${size.height}.jpg`);
  await sharp(join(root, 'fixtures', 'sample.png')).resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3' }).jpeg({ quality: 90 }).toFile(jpeg);
  const gray = toFloatMap(toGray8(await decodeImage(readFileSync(jpeg))));
  const mpx = (size.width * size.height) / 1e6;
  const tutorial = timeKernel(gray, tutorialKernels());
  const random = timeKernel(gray, randomBank);
  const check = size.width * size.height <= 13e6;
  const out = join(work, 'out');
  const cli = timeProcess(process.execPath, [join(root, 'bin', 'cnnviz.js'), jpeg, '--out', out]);
  const rawDir = join(work, 'raw');
  await dumpRaw(out, rawDir);
  const sharpFloor = timeProcess(process.execPath, [join(root, 'scripts', 'bench-sharp-floor.cjs'), jpeg, rawDir, join(work, 'floor')]);
  rmSync(rawDir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
  const ref = hasReference ? timeProcess('/usr/bin/python3', [join(root, 'scripts', 'bench-reference.py'), jpeg, join(work, 'ref')]) : undefined;
  rows.push({
    size: `${size.label} (${size.width}×${size.height})`,
    tutorial: `${(mpx / (median(tutorial.warm) / 1000)).toFixed(0)} Mpx/s (${median(tutorial.warm).toFixed(0)} ms, ${spread(tutorial.warm)}; first run ${tutorial.cold.toFixed(0)} ms)`,
    tutorialCheck: check ? compare(gray, tutorialKernels(), 0) : 'not checked',
    random: `${(mpx / (median(random.warm) / 1000)).toFixed(0)} Mpx/s (${median(random.warm).toFixed(0)} ms, ${spread(random.warm)}; first run ${random.cold.toFixed(0)} ms)`,
    randomCheck: check ? compare(gray, randomBank, 1e-5) : 'not checked',
    cli: `${median(cli.times).toFixed(0)} ms (${spread(cli.times)}), ${median(cli.rss).toFixed(0)} MiB, CPU ${median(cli.cpu).toFixed(0)} ms`,
    ratio: (median(cli.times) / median(floor.times)).toFixed(2),
    sharpFloor: `${median(sharpFloor.times).toFixed(0)} ms (${spread(sharpFloor.times)}), CPU ${median(sharpFloor.cpu).toFixed(0)} ms`,
    reference: ref ? `${median(ref.times).toFixed(0)} ms (${spread(ref.times)}), ${median(ref.rss).toFixed(0)} MiB` : 'n/a',
    speedup: ref ? `${(median(ref.times) / median(cli.times)).toFixed(1)}×` : 'n/a',
  });
  console.log(`measured ${size.label}`);
}

console.log(`\nnode -e "require('sharp')": ${median(floor.times).toFixed(0)} ms (${spread(floor.times)})\n`);
console.log('| input | default bank, kernel | check | random 4×4 bank, kernel | check | cnnviz CLI, JPEG → all files | ÷ require(sharp) | sharp alone: decode + the same PNGs | reference (OpenCV + PyTorch) | speed-up |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(`| ${r.size} | ${r.tutorial} | ${r.tutorialCheck} | ${r.random} | ${r.randomCheck} | ${r.cli} | ${r.ratio} | ${r.sharpFloor} | ${r.reference} | ${r.speedup} |`);
}

if (!argv.includes('--no-png')) {
  const tile = { width: 4000, height: 3000, channels: 1 as const, data: new Uint8Array(12e6) };
  const photo = await sharp(join(root, 'fixtures', 'sample.png')).resize(4000, 3000, { fit: 'fill' }).greyscale().raw().toBuffer();
  tile.data.set(photo);
  console.log('\nPNG encoding of one 12 MP gray tile (sharp, no adaptive filtering):\n');
  console.log('| zlib level | one tile | eight at once | size |');
  console.log('| --- | --- | --- | --- |');
  for (const level of [0, 1, 2, 3, 6, 9]) {
    const one: number[] = [];
    let bytes = 0;
    for (let r = 0; r < Math.min(RUNS, 3); r++) {
      const t = performance.now();
      bytes = (await encodePng(tile, { compression: level })).length;
      one.push(performance.now() - t);
    }
    const t = performance.now();
    await Promise.all(Array.from({ length: 8 }, () => encodePng(tile, { compression: level })));
    const eight = performance.now() - t;
    console.log(`| ${level} | ${median(one).toFixed(0)} ms | ${eight.toFixed(0)} ms | ${(bytes / 1e6).toFixed(1)} MB |`);
  }
}
console.log(`\nchecksum ${checksum.toString(16)}`);
rmSync(work, { recursive: true, force: true });
