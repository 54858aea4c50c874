/**
 * Render: the whole pipeline in memory, the library's main entry point.
 *
 *     decode → gray → kernels → convolve → activate → normalize → colormap → tiles → grid → encode
 *
 * It returns encoded PNGs and the manifest without touching the disk; `write.ts` puts them in a folder.
 */
import { createRequire } from 'node:module';
import { relu } from './activate.js';
import { checkFits, convolveBank } from './convolve.js';
import { decodeImage, loadSharp, type Rgb } from './decode.js';
import { encodePng } from './encode.js';
import { GRAY_FORMULA, toFloatMap, toGray8 } from './gray.js';
import { composeGrid, GRID_MAX_TILE_SIDE, type GridRow } from './grid.js';
import { kernelRows, tutorialKernels } from './kernels.js';
import { hexColour, MANIFEST_SCHEMA_VERSION, serializeManifest, sha256, type FileKind, type Manifest, type ManifestFile } from './manifest.js';
import { mapStats } from './normalize.js';
import { renderFilterTile, renderMapTile, type Tile } from './tiles.js';
import type { FloatMap, GrayImage, Kernel } from './types.js';
import type { OutputFile } from './write.js';

/** Options of {@link render}; every field is optional. */
export interface RenderOptions {
  /** The filter bank. Default: the tutorial's four 4×4 edge filters. */
  kernels?: readonly Kernel[];
  /** Apply ReLU and render the activated maps too. Default true. */
  relu?: boolean;
  /** Flatten transparency onto this colour instead of dropping alpha as OpenCV does. */
  background?: Rgb;
  /** Refuse larger images (width × height), checked from the header. Default 100 000 000. */
  maxPixels?: number;
  /** PNG zlib level, 0 to 9. Default 6. */
  compression?: number;
  /** The input's file name for the manifest and messages. Default `input`. */
  inputName?: string;
}

/** One output file, encoded, with its kind. */
export interface RenderedFile extends OutputFile {
  kind: FileKind | 'manifest';
}

/** Everything a render produced. */
export interface RenderResult {
  /** PNG files in writing order, then `manifest.json` last. */
  files: RenderedFile[];
  manifest: Manifest;
  /** Things the user should know (transparency dropped, extra pages ignored), one line each. */
  notes: string[];
  /** The float32 gray input, in [0, 1]. */
  gray: FloatMap;
  /** The maps before the activation, one per kernel. */
  conv: FloatMap[];
  /** The maps after ReLU, one per kernel; absent when `relu` is false. */
  activated?: FloatMap[];
}

const require = createRequire(import.meta.url);
const TOOL_VERSION: string = (require('../package.json') as { version: string }).version;

/**
 * Runs the tutorial's pipeline on an encoded image: bit-identical float maps to OpenCV + PyTorch,
 * pixel-identical tiles to matplotlib's `imsave(cmap='gray')`.
 *
 * @throws {CnnvizError} kind `input` for an unreadable image or one smaller than a kernel; `usage` for bad options.
 * @example
 * const result = await render(await readFile('photo.png'), { inputName: 'photo.png' });
 * result.files.map((f) => f.name) // ['input.png', 'filter-1.png', …, 'grid.png', 'manifest.json']
 */
export async function render(bytes: Uint8Array, options: RenderOptions = {}): Promise<RenderResult> {
  const inputName = options.inputName ?? 'input';
  const kernels = options.kernels ?? tutorialKernels();
  const withRelu = options.relu ?? true;
  const decoded = await decodeImage(bytes, { background: options.background, maxPixels: options.maxPixels, name: inputName });
  checkFits(decoded, kernels, inputName);
  const gray = toFloatMap(toGray8(decoded));
  const conv = convolveBank(gray, kernels);
  const activated = withRelu ? conv.map(relu) : undefined;

  const digits = kernels.length >= 10 ? String(kernels.length).length : 1;
  const number = (i: number): string => String(i + 1).padStart(digits, '0');
  const planned: { name: string; kind: FileKind; filter?: number; tile: Tile; values: FloatMap; label: string }[] = [];
  planned.push({ name: 'input.png', kind: 'input', tile: renderMapTile(gray), values: gray, label: 'Gray image' });
  kernels.forEach((kernel, i) => {
    const values = { width: kernel.width, height: kernel.height, data: kernel.weights };
    planned.push({ name: `filter-${number(i)}.png`, kind: 'filter', filter: i + 1, tile: renderFilterTile(kernel), values, label: `Filter ${i + 1}` });
  });
  conv.forEach((map, i) => {
    planned.push({ name: `conv-${number(i)}.png`, kind: 'conv', filter: i + 1, tile: renderMapTile(map), values: map, label: `Output ${i + 1}` });
  });
  activated?.forEach((map, i) => {
    planned.push({ name: `relu-${number(i)}.png`, kind: 'relu', filter: i + 1, tile: renderMapTile(map), values: map, label: `Output ${i + 1}` });
  });

  const rowOf = (kind: FileKind, title: string): GridRow => ({
    title,
    tiles: planned.filter((p) => p.kind === kind).map((p) => ({ label: p.label, image: p.tile.image })),
  });
  const rows = [
    rowOf('input', 'Input'),
    rowOf('filter', 'Filters'),
    rowOf('conv', withRelu ? 'Feature maps, before ReLU' : 'Feature maps'),
    ...(withRelu ? [rowOf('relu', 'Feature maps, after ReLU')] : []),
  ];
  const grid = composeGrid(rows);

  const images: { name: string; kind: FileKind; image: GrayImage }[] = [
    ...planned.map((p) => ({ name: p.name, kind: p.kind, image: p.tile.image })),
    { name: 'grid.png', kind: 'grid', image: grid },
  ];
  const encoded = await Promise.all(images.map((entry) => encodePng(entry.image, { compression: options.compression })));

  const files: ManifestFile[] = planned.map((p) => ({
    path: p.name,
    kind: p.kind,
    ...(p.filter !== undefined ? { filter: p.filter } : {}),
    width: p.tile.image.width,
    height: p.tile.image.height,
    stats: mapStats(p.values),
    range: p.tile.range,
    pixelsSha256: sha256(p.tile.image.data),
  }));
  files.push({ path: 'grid.png', kind: 'grid', width: grid.width, height: grid.height, pixelsSha256: sha256(grid.data) });

  const sharp = await loadSharp();
  const source = decoded.source;
  const manifest: Manifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    tool: { name: 'cnnviz', version: TOOL_VERSION },
    engine: { sharp: sharp.versions.sharp ?? 'unknown', libvips: sharp.versions.vips },
    input: {
      name: inputName,
      format: source.format,
      width: decoded.width,
      height: decoded.height,
      storedWidth: source.storedWidth,
      storedHeight: source.storedHeight,
      sha256: sha256(bytes),
      bitDepth: source.bitDepth,
      exifOrientation: source.orientation,
      orientationApplied: source.orientation !== 1,
      alpha: source.alpha,
      ...(source.background ? { background: hexColour(source.background) } : {}),
      pages: source.pages,
    },
    gray: { formula: GRAY_FORMULA, reference: 'cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2GRAY).astype("float32") / 255' },
    layer: {
      operation: 'cross-correlation',
      reference: `torch.nn.Conv2d(1, ${kernels.length}, kernel_size, stride=1, padding=0, bias=False)`,
      kernelCount: kernels.length,
      stride: [1, 1],
      padding: [0, 0],
      dilation: [1, 1],
      bias: false,
      activation: withRelu ? 'relu' : 'none',
    },
    kernels: kernels.map((kernel, i) => ({
      index: i + 1,
      name: kernel.name,
      description: kernel.description,
      width: kernel.width,
      height: kernel.height,
      weights: kernelRows(kernel),
    })),
    render: {
      colormap: 'gray',
      normalize: 'per-map',
      reference: "matplotlib.pyplot.imsave(path, map, cmap='gray')",
      gridMaxTileSide: GRID_MAX_TILE_SIDE,
    },
    files,
  };

  const notes: string[] = [];
  if (source.hasAlpha) {
    notes.push(
      source.alpha === 'flattened'
        ? `input has transparency: flattened onto ${hexColour(source.background ?? [0, 0, 0])}`
        : 'input has transparency: alpha dropped and colour used as stored, as OpenCV does (--background <colour> flattens it instead)',
    );
  }
  if (source.pages > 1) notes.push(`input has ${source.pages} pages or frames: only the first is used`);

  return {
    files: [
      ...images.map((entry, i) => ({ name: entry.name, kind: entry.kind, bytes: encoded[i] })),
      { name: 'manifest.json', kind: 'manifest', bytes: Buffer.from(serializeManifest(manifest)) },
    ],
    manifest,
    notes,
    gray,
    conv,
    ...(activated ? { activated } : {}),
  };
}
