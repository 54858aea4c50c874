/**
 * Test helpers: fixture paths, a .npy reader, PNG pixels through pngjs (never file bytes), and
 * float comparisons that say where they fail.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import type { FloatMap, GrayImage } from '../src/types.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const fixture = (...parts: string[]): string => join(ROOT, 'fixtures', ...parts);
export const golden = (...parts: string[]): string => join(ROOT, 'fixtures', 'golden', ...parts);

/** A float32 array read from a NumPy .npy file (format 1.0, '<f4', C order). */
export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

/** Reads a little-endian float32 C-order .npy file as numpy.save writes it. */
export function readNpy(path: string): NpyArray {
  const bytes = readFileSync(path);
  assert.equal(bytes.subarray(0, 6).toString('latin1'), '\x93NUMPY', `${path}: not a .npy file`);
  const major = bytes[6];
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = bytes.subarray(start, start + headerLength).toString('latin1');
  assert.match(header, /'descr': '<f4'/, `${path}: expected little-endian float32`);
  assert.match(header, /'fortran_order': False/, `${path}: expected C order`);
  const shapeText = /'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '';
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const offset = start + headerLength;
  const count = shape.reduce((a, b) => a * b, 1);
  const copy = new Uint8Array(bytes.subarray(offset, offset + count * 4));
  return { shape, data: new Float32Array(copy.buffer) };
}

/** The `index`-th 2-D slice of an N×H×W array as a map, or the whole array when it is H×W. */
export function npyMap(array: NpyArray, index = 0): FloatMap {
  const [height, width] = array.shape.slice(-2);
  const size = width * height;
  return { width, height, data: array.data.slice(index * size, (index + 1) * size) };
}

/**
 * Decodes a PNG with pngjs into one gray channel. matplotlib writes RGBA with R = G = B and A = 255;
 * that is asserted, so a colour or transparent pixel cannot slip through as gray.
 */
export function readGrayPng(path: string): GrayImage {
  const png = PNG.sync.read(readFileSync(path));
  const out = new Uint8Array(png.width * png.height);
  for (let i = 0; i < out.length; i++) {
    const r = png.data[4 * i];
    if (png.data[4 * i + 1] !== r || png.data[4 * i + 2] !== r || png.data[4 * i + 3] !== 255) {
      assert.fail(`${path}: pixel ${i} is not opaque gray: ${Array.from(png.data.subarray(4 * i, 4 * i + 4))}`);
    }
    out[i] = r;
  }
  return { width: png.width, height: png.height, data: out };
}

/** Decodes an in-memory PNG's first channel, with its IHDR bit depth and colour type (0 = gray). */
export function decodeGrayPng(bytes: Uint8Array): GrayImage & { colorType: number; depth: number } {
  const png = PNG.sync.read(Buffer.from(bytes));
  const out = new Uint8Array(png.width * png.height);
  for (let i = 0; i < out.length; i++) out[i] = png.data[4 * i];
  return { width: png.width, height: png.height, data: out, colorType: bytes[25], depth: bytes[24] };
}

/** Asserts two float32 arrays are identical bit for bit, reporting the first difference. */
export function assertBitsEqual(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  let mismatches = 0;
  let first = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) {
      mismatches++;
      if (first < 0) first = i;
    }
  }
  if (mismatches > 0) {
    assert.fail(`${what}: ${mismatches} of ${a.length} values differ; first at ${first}: ${actual[first]} vs ${expected[first]}`);
  }
}

/** Asserts two gray images are pixel-identical, reporting how many pixels differ and the first. */
export function assertPixelsEqual(actual: GrayImage, expected: GrayImage, what: string): void {
  assert.deepEqual([actual.width, actual.height], [expected.width, expected.height], `${what}: size`);
  let mismatches = 0;
  let first = -1;
  for (let i = 0; i < actual.data.length; i++) {
    if (actual.data[i] !== expected.data[i]) {
      mismatches++;
      if (first < 0) first = i;
    }
  }
  if (mismatches > 0) {
    const x = first % actual.width;
    const y = Math.floor(first / actual.width);
    assert.fail(`${what}: ${mismatches} pixels differ; first at (${x}, ${y}): ${actual.data[first]} vs ${expected.data[first]}`);
  }
}

/** Asserts |actual − expected| ≤ tolerance elementwise. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} ± ${tolerance}`);
    }
  }
}

/** A map from rows of numbers, stored as float32. */
export function mapOf(rows: number[][]): FloatMap {
  return { width: rows[0].length, height: rows.length, data: Float32Array.from(rows.flat()) };
}

/** A map's values as rows, for readable deepEqual failures. */
export function rowsOf(map: FloatMap): number[][] {
  const rows: number[][] = [];
  for (let y = 0; y < map.height; y++) rows.push(Array.from(map.data.subarray(y * map.width, (y + 1) * map.width)));
  return rows;
}

/** mulberry32: a small seeded PRNG, so random test data is the same on every run. Values in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What an in-process CLI run printed, and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Binary data written to stdout (`--out -`). */
  binary: Buffer;
}

/**
 * Runs the CLI in-process with captured streams: no TTYs, no stdin unless given, an empty environment
 * unless given (so CI in the test runner's own environment does not leak in).
 */
export async function runCli(argv: string[], options: { stdin?: Uint8Array; env?: Record<string, string | undefined>; stderrIsTTY?: boolean } = {}): Promise<CliRun> {
  const { main } = await import('../src/cli.js');
  let stdout = '';
  let stderr = '';
  const binary: Uint8Array[] = [];
  const stdin = options.stdin;
  const code = await main(argv, {
    stdout: (data) => (typeof data === 'string' ? (stdout += data) : binary.push(data)),
    stderr: (text) => (stderr += text),
    ...(stdin ? { readStdin: async () => stdin } : {}),
    stdinIsTTY: stdin === undefined,
    stdoutIsTTY: false,
    stderrIsTTY: options.stderrIsTTY ?? false,
    env: options.env ?? {},
  });
  return { code, stdout, stderr, binary: Buffer.concat(binary) };
}
