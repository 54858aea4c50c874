/**
 * Snapshots: reads two renderings (PNG files, or folders of them with their manifests), compares
 * them with `compare.ts`, writes the diff images, and replaces a snapshot folder atomically.
 */
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { createRequire } from 'node:module';
import { compareManifests, comparePixels, differMessage, type CompareReport, type FileReport, type Rgba, type Thresholds } from './compare.js';
import { CnnvizError } from './errors.js';
import type { Manifest } from './manifest.js';

/** Options of {@link compareRenderings}. */
export interface CompareOptions {
  thresholds: Thresholds;
  /** Where diff images go. Default: beside the actual files. */
  diffDir?: string;
  /** Tolerance for the manifests' statistics. Default 1e-6. */
  tolerance?: number;
}

/** Diff images are written as `<name>.diff.png`; comparisons skip them. */
const DIFF_SUFFIX = '.diff.png';

/**
 * Compares two renderings: two PNG files, or two folders (every PNG and `manifest.json` in them;
 * missing and extra files are failures). Writes a diff image for every file that differs.
 * @throws {CnnvizError} kind `input` when `expected` or `actual` does not exist, or one is a folder and the other a file.
 * @example const report = await compareRenderings('snapshots/sample', 'maps', { thresholds: EXACT });
 */
export async function compareRenderings(expected: string, actual: string, options: CompareOptions): Promise<CompareReport> {
  const [a, b] = await Promise.all([kindOf(expected), kindOf(actual)]);
  if (a !== b) throw new CnnvizError('input', `cannot compare a ${a} with a ${b}`, `${expected} ${actual}`);
  const report: CompareReport = { expected, actual, thresholds: options.thresholds, pass: true, unreadable: false, files: [], manifestChecked: a === 'folder', manifest: [] };
  if (a === 'file') {
    const diffDir = options.diffDir ?? dirname(actual);
    report.files.push(await compareFile(basename(actual), expected, actual, join(diffDir, basename(actual, extname(actual)) + DIFF_SUFFIX), options.thresholds));
  } else {
    const [want, have] = await Promise.all([pngNames(expected), pngNames(actual)]);
    const diffDir = options.diffDir ?? actual;
    for (const name of [...new Set([...want, ...have])].sort()) {
      if (!have.includes(name)) report.files.push({ name, status: 'missing', message: `${name}: missing from ${actual}` });
      else if (!want.includes(name)) report.files.push({ name, status: 'extra', message: `${name}: not in ${expected}` });
      else report.files.push(await compareFile(name, join(expected, name), join(actual, name), join(diffDir, basename(name, '.png') + DIFF_SUFFIX), options.thresholds));
    }
    report.manifest = await compareManifestFiles(join(expected, 'manifest.json'), join(actual, 'manifest.json'), options.tolerance ?? 1e-6);
  }
  report.unreadable = report.files.some((f) => f.status === 'unreadable');
  report.pass = report.files.every((f) => f.status === 'match') && report.manifest.length === 0;
  return report;
}

async function kindOf(path: string): Promise<'file' | 'folder'> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new CnnvizError('input', 'no such file or folder', path);
  return info.isDirectory() ? 'folder' : 'file';
}

async function pngNames(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.toLowerCase().endsWith('.png') && !name.endsWith(DIFF_SUFFIX)).sort();
}

/** pngjs, loaded only when something is compared (rendering never needs it). */
const pngjs = (): typeof import('pngjs') => createRequire(import.meta.url)('pngjs') as typeof import('pngjs');

/**
 * Decodes a PNG with pngjs into RGBA.
 * @example const { width, height, data } = await readRgba('maps/grid.png');
 */
export async function readRgba(path: string): Promise<Rgba> {
  const png = pngjs().PNG.sync.read(await readFile(path));
  return { width: png.width, height: png.height, data: png.data };
}

async function compareFile(name: string, expectedPath: string, actualPath: string, diffPath: string, thresholds: Thresholds): Promise<FileReport> {
  let expected: Rgba;
  let actual: Rgba;
  try {
    [expected, actual] = await Promise.all([readRgba(expectedPath), readRgba(actualPath)]);
  } catch (err) {
    return { name, status: 'unreadable', message: `${name}: cannot decode: ${(err as Error).message.split('\n')[0]}` };
  }
  const c = comparePixels(expected, actual, thresholds);
  const sizes = { expectedSize: [expected.width, expected.height] as [number, number], actualSize: [actual.width, actual.height] as [number, number] };
  if (c.sizeMismatch) {
    return { name, status: 'size-mismatch', message: `${name}: size ${actual.width}×${actual.height}, expected ${expected.width}×${expected.height}`, ...sizes };
  }
  const counts = { diffPixels: c.diffPixels, diffRatio: c.diffRatio, largestDifference: c.largestDifference };
  if (c.diffPixels === 0) return { name, status: 'match', message: `${name}: identical`, ...sizes, ...counts };
  if (c.diffImage) await writePng(diffPath, c.diffImage);
  return { name, status: c.pass ? 'match' : 'differ', message: differMessage(name, c, thresholds, diffPath), ...sizes, ...counts, diff: diffPath };
}

async function compareManifestFiles(expectedPath: string, actualPath: string, tolerance: number): Promise<string[]> {
  const read = async (path: string): Promise<Manifest | undefined> => {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as Manifest);
  };
  const [a, b] = await Promise.all([read(expectedPath), read(actualPath)]);
  if (!a && !b) return [];
  if (!a || !b) return [`manifest.json: missing from ${!a ? dirname(expectedPath) : dirname(actualPath)}`];
  return compareManifests(a, b, tolerance).map((problem) => `manifest.json: ${problem}`);
}

async function writePng(path: string, image: Rgba): Promise<void> {
  const { PNG } = pngjs();
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, PNG.sync.write(png));
}

/**
 * Makes `snapshot` a copy of the files in `source` (PNGs, .npy and the manifest; no diff images):
 * written into a new folder beside it, then swapped in by renames, so the snapshot is always either
 * the complete old set or the complete new set, and obsolete files are gone.
 * @throws {CnnvizError} kind `write` when the folder cannot be written.
 * @example await updateSnapshot('maps', 'snapshots/sample');
 */
export async function updateSnapshot(source: string, snapshot: string): Promise<string[]> {
  const names = (await readdir(source)).filter((name) => !name.endsWith(DIFF_SUFFIX) && !name.startsWith('.')).sort();
  const fresh = `${snapshot}.new-${process.pid}`;
  const old = `${snapshot}.old-${process.pid}`;
  try {
    await rm(fresh, { recursive: true, force: true });
    await mkdir(fresh, { recursive: true });
    for (const name of names) await writeFile(join(fresh, name), await readFile(join(source, name)));
    const existed = await stat(snapshot).then(() => true, () => false);
    if (existed) await rename(snapshot, old);
    await rename(fresh, snapshot);
    if (existed) await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(fresh, { recursive: true, force: true });
    throw new CnnvizError('write', `cannot update the snapshot: ${(err as Error).message.split('\n')[0]}`, snapshot);
  }
  return names.map((name) => join(snapshot, name));
}
