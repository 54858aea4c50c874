/**
 * Compare: decides whether two renderings are the same picture, as snapshot tests need it. Pixels
 * are compared, never file bytes (two encoders, or two zlib versions, write the same pixels with
 * different bytes). Pure: decoded images and manifests in, verdicts, diff images and reports out.
 */
import type { Manifest } from './manifest.js';

/** A decoded image as pngjs gives it: 8-bit RGBA, row-major. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** When two images still count as equal. 0 everywhere means exact. */
export interface Thresholds {
  /** Largest per-channel difference (0–255) of a pixel that still counts as equal. Default 0. */
  threshold: number;
  /** Differing pixels allowed. Default 0. */
  maxDiffPixels: number;
  /** Share of differing pixels allowed, 0–1. Default 0. */
  maxDiffRatio: number;
}

/** Exact comparison. */
export const EXACT: Thresholds = { threshold: 0, maxDiffPixels: 0, maxDiffRatio: 0 };

/** What comparing one pair of images found. */
export interface PixelComparison {
  sizeMismatch: boolean;
  /** Pixels whose largest channel difference is over the threshold. */
  diffPixels: number;
  diffRatio: number;
  /** Largest per-channel difference over all pixels. */
  largestDifference: number;
  /** The differing pixels in red over a faded copy of the expected image (absent when sizes differ or nothing differs). */
  diffImage?: Rgba;
  /** Whether the differing pixels are within both budgets. */
  pass: boolean;
}

/**
 * Compares two RGBA images pixel by pixel. A pixel differs when any channel differs by more than
 * `threshold`; the comparison passes when the differing pixels are at most `maxDiffPixels` and their
 * share at most `maxDiffRatio` (a value exactly at a limit passes).
 * @example comparePixels(a, b, { threshold: 0, maxDiffPixels: 10, maxDiffRatio: 0 }).pass
 */
export function comparePixels(expected: Rgba, actual: Rgba, thresholds: Thresholds = EXACT): PixelComparison {
  if (expected.width !== actual.width || expected.height !== actual.height) {
    return { sizeMismatch: true, diffPixels: 0, diffRatio: 0, largestDifference: 0, pass: false };
  }
  const count = expected.width * expected.height;
  const a = expected.data;
  const b = actual.data;
  let diffPixels = 0;
  let largest = 0;
  const differs = new Uint8Array(count);
  for (let i = 0, j = 0; i < count; i++, j += 4) {
    const d = Math.max(Math.abs(a[j] - b[j]), Math.abs(a[j + 1] - b[j + 1]), Math.abs(a[j + 2] - b[j + 2]), Math.abs(a[j + 3] - b[j + 3]));
    if (d > largest) largest = d;
    if (d > thresholds.threshold) {
      differs[i] = 1;
      diffPixels++;
    }
  }
  const diffRatio = count === 0 ? 0 : diffPixels / count;
  const pass = diffPixels <= thresholds.maxDiffPixels || diffRatio <= thresholds.maxDiffRatio;
  return { sizeMismatch: false, diffPixels, diffRatio, largestDifference: largest, pass, ...(diffPixels > 0 ? { diffImage: diffImage(expected, differs) } : {}) };
}

/** Differing pixels pure red; the rest the expected image faded towards white (30 % of the colour). */
function diffImage(expected: Rgba, differs: Uint8Array): Rgba {
  const out = new Uint8Array(expected.data.length);
  for (let i = 0, j = 0; i < differs.length; i++, j += 4) {
    if (differs[i]) {
      out[j] = 255;
      out[j + 1] = 0;
      out[j + 2] = 0;
    } else {
      // Luma of the expected pixel, faded: the picture stays recognisable, the red stands out.
      const y = (9798 * expected.data[j] + 19235 * expected.data[j + 1] + 3735 * expected.data[j + 2] + 16384) >> 15;
      const faded = Math.round(255 - (255 - y) * 0.3);
      out[j] = faded;
      out[j + 1] = faded;
      out[j + 2] = faded;
    }
    out[j + 3] = 255;
  }
  return { width: expected.width, height: expected.height, data: out };
}

/**
 * Compares two manifests: the same kernels (names and weights), layer and rendering settings, and for
 * every file present in both, each statistic (min, max, mean, fraction of zeros) within `tolerance`
 * (absolute, or relative to the larger magnitude). Tool and engine versions and hashes are not compared:
 * the pixels are. Returns one line per difference.
 * @example compareManifests(expected, actual, 1e-6) // [] when they agree
 */
export function compareManifests(expected: Manifest, actual: Manifest, tolerance = 1e-6): string[] {
  const problems: string[] = [];
  const same = (what: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`${what} differ: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  };
  same('kernels', expected.kernels.map((k) => [k.name, k.weights, k.bias]), actual.kernels.map((k) => [k.name, k.weights, k.bias]));
  same('layer settings', expected.layer, actual.layer);
  same('render settings', expected.render, actual.render);
  same('input size', [expected.input.width, expected.input.height], [actual.input.width, actual.input.height]);
  const byPath = new Map(actual.files.map((f) => [f.path, f]));
  for (const file of expected.files) {
    const other = byPath.get(file.path);
    if (!other || !file.stats || !other.stats) continue;
    for (const key of ['min', 'max', 'mean', 'zeroFraction'] as const) {
      const a = file.stats[key];
      const b = other.stats[key];
      if (Math.abs(a - b) > tolerance * Math.max(1, Math.abs(a), Math.abs(b))) {
        problems.push(`${file.path} ${key} ${a} vs ${b} (tolerance ${tolerance < 1e-3 ? tolerance.toExponential() : tolerance})`);
      }
    }
  }
  return problems;
}

/** The result of comparing one file of two renderings. */
export interface FileReport {
  name: string;
  status: 'match' | 'differ' | 'size-mismatch' | 'missing' | 'extra' | 'unreadable';
  message: string;
  expectedSize?: [number, number];
  actualSize?: [number, number];
  diffPixels?: number;
  diffRatio?: number;
  largestDifference?: number;
  /** Where the diff image was written. */
  diff?: string;
}

/** The result of comparing two renderings (two files or two folders). */
export interface CompareReport {
  expected: string;
  actual: string;
  thresholds: Thresholds;
  pass: boolean;
  /** Some input could not be read: the CLI exits 2. */
  unreadable: boolean;
  files: FileReport[];
  /** Whether manifests were compared (folders), and what differed. */
  manifestChecked: boolean;
  manifest: string[];
}

/**
 * The one-line message for a file that differs, saying which limit applied:
 * `conv-2.png: 412 px differ (1.3%, max allowed 0); largest difference 37; diff: maps/conv-2.diff.png`.
 * @example differMessage('conv-2.png', comparison, EXACT, 'maps/conv-2.diff.png')
 */
export function differMessage(name: string, c: PixelComparison, t: Thresholds, diff?: string): string {
  const allowed = t.maxDiffRatio > 0 ? `max allowed ${t.maxDiffPixels} px or ${formatPercent(t.maxDiffRatio)}` : `max allowed ${t.maxDiffPixels}`;
  const over = t.threshold > 0 ? ` by more than ${t.threshold}` : '';
  return `${name}: ${c.diffPixels} px differ${over} (${formatPercent(c.diffRatio)}, ${allowed}); largest difference ${c.largestDifference}${diff ? `; diff: ${diff}` : ''}`;
}

function formatPercent(ratio: number): string {
  const percent = ratio * 100;
  return `${percent === 0 || percent >= 0.1 ? Number(percent.toFixed(1)) : Number(percent.toPrecision(2))}%`;
}

/**
 * Reports as JUnit XML, one test suite per comparison and one test case per file (plus one for the
 * manifest), for CI systems that show it.
 * @example await writeFile('compare.xml', junitXml([report]));
 */
export function junitXml(reports: readonly CompareReport[]): string {
  const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  let tests = 0;
  let failures = 0;
  const suites = reports.map((report) => {
    const cases = report.files.map((file) => {
      const open = `    <testcase classname="cnnviz.compare" name="${escape(file.name)}">`;
      return file.status === 'match' ? `${open}</testcase>` : `${open}\n      <failure type="${file.status}" message="${escape(file.message)}"/>\n    </testcase>`;
    });
    if (report.manifest.length > 0) {
      cases.push(`    <testcase classname="cnnviz.compare" name="manifest.json">\n${report.manifest.map((p) => `      <failure type="manifest" message="${escape(p)}"/>`).join('\n')}\n    </testcase>`);
    } else if (report.manifestChecked) {
      cases.push('    <testcase classname="cnnviz.compare" name="manifest.json"></testcase>');
    }
    const failed = report.files.filter((f) => f.status !== 'match').length + (report.manifest.length > 0 ? 1 : 0);
    tests += cases.length;
    failures += failed;
    return [`  <testsuite name="${escape(`${report.expected} vs ${report.actual}`)}" tests="${cases.length}" failures="${failed}">`, ...cases, '  </testsuite>'].join('\n');
  });
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="cnnviz compare" tests="${tests}" failures="${failures}">`, ...suites, '</testsuites>', ''].join('\n');
}

/**
 * Whether an environment is a CI run: `CI` set to anything but empty, `false` or `0` (the convention
 * GitHub Actions, GitLab, CircleCI and others follow). There a missing snapshot is a failure.
 * @example isCi({ CI: 'true' }) // true
 */
export function isCi(env: Readonly<Record<string, string | undefined>>): boolean {
  const value = env.CI;
  return value !== undefined && value !== '' && value.toLowerCase() !== 'false' && value !== '0';
}
