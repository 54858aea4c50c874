/**
 * Manifest: `manifest.json`, what was rendered from what, so a script (or a CI job) can read the
 * outputs without decoding them. Deterministic: no timestamps, no absolute paths.
 */
import { createHash } from 'node:crypto';
import type { SourceInfo } from './decode.js';
import type { MapStats } from './normalize.js';
import type { ValueRange } from './types.js';

/** Version of the manifest's shape; bumped on any incompatible change. */
export const MANIFEST_SCHEMA_VERSION = 1;

/** The kind of each written file. */
export type FileKind = 'input' | 'filter' | 'conv' | 'activation' | 'pool' | 'grid' | 'raw' | 'report';

/** One written file, as recorded in the manifest. */
export interface ManifestFile {
  /** Path relative to the output folder. */
  path: string;
  kind: FileKind;
  /** 1-based filter number, for filter, conv, activation and pool files. */
  filter?: number;
  /** Pixels (for images and raw arrays; absent for the report). */
  width?: number;
  height?: number;
  /** Statistics of the float values behind the tile (the weights, for a filter tile). */
  stats?: MapStats;
  /** The values mapped to the first and last colour. */
  range?: ValueRange;
  /** sha256 of the decoded 8-bit pixels, row-major: equal hashes mean identical pictures (absent for raw files). */
  pixelsSha256?: string;
  /** For raw `.npy` files: the array's shape and dtype; for those and the report, the sha256 of the file. */
  shape?: number[];
  dtype?: '<f4';
  sha256?: string;
}

/** The whole manifest. */
export interface Manifest {
  schemaVersion: number;
  tool: { name: 'cnnviz'; version: string };
  engine: { sharp: string; libvips: string };
  input: {
    name: string;
    format: string;
    width: number;
    height: number;
    storedWidth: number;
    storedHeight: number;
    sha256: string;
    bitDepth: 8 | 16;
    exifOrientation: number;
    orientationApplied: boolean;
    alpha: SourceInfo['alpha'];
    background?: string;
    pages: number;
  };
  gray: { formula: string; reference: string };
  layer: {
    operation: 'cross-correlation';
    reference: string;
    kernelCount: number;
    inputChannels: number;
    stride: [number, number];
    padding: 'valid' | 'same' | [number, number];
    dilation: [number, number];
    bias: boolean;
    activation: string;
    negativeSlope?: number;
    pool: number | null;
  };
  kernels: {
    index: number;
    name: string;
    description: string;
    width: number;
    height: number;
    channels: number;
    bias: number;
    padding: { top: number; bottom: number; left: number; right: number };
    outputWidth: number;
    outputHeight: number;
    weights: number[][] | number[][][];
  }[];
  render: {
    colormap: string;
    normalize: string;
    range: [number, number] | null;
    reference: string;
    zoom: number;
    raw: boolean;
    html: boolean;
    grid: { written: boolean; maxTileSide: number; columns: number; gap: number; labels: boolean };
  };
  files: ManifestFile[];
}

/**
 * Hex sha256 of bytes.
 * @example sha256(new Uint8Array()) // 'e3b0c442…'
 */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * `#rrggbb` for an 8-bit colour.
 * @example hexColour([255, 128, 0]) // '#ff8000'
 */
export function hexColour(rgb: readonly [number, number, number]): string {
  return `#${rgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The manifest as written: two-space JSON with a final newline.
 * @example await writeFile('manifest.json', serializeManifest(result.manifest));
 */
export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
