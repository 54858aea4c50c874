/**
 * Render: the whole pipeline in memory, the library's main entry point.
 *
 *     decode → gray → kernels → convolve → activate → pool → normalize → colormap → tiles → grid → encode
 *
 * It returns encoded PNGs and the manifest without touching the disk; `write.ts` puts them in a folder.
 */
import { createRequire } from 'node:module';
import { activate, activationName, maxPool, RELU, type Activation } from './activate.js';
import { DIVERGING_COLORMAPS, type ColormapName } from './colormap.js';
import { arenaBytes, createArena, float32In, prefault, release, type Arena } from './arena.js';
import { checkFits, convolveBank, negatedTwins, usesOneDnnOrder, type Planes } from './convolve.js';
import { decodeImage, loadSharp, type DecodedImage, type DecodeOptions, type Rgb } from './decode.js';
import { encodePng } from './encode.js';
import { CnnvizError, invalidParameter } from './errors.js';
import { GRAY_FORMULA } from './gray.js';
import { composeGrid, downscaleArea, formatValue, GRID_MAX_TILE_SIDE, type GridRow } from './grid.js';
import { checkBank, kernelRows, toColourKernel, tutorialKernels } from './kernels.js';
import { DEFAULT_LAYER, layerOutputSize, resolvePadding, type LayerOptions } from './layer.js';
import { hexColour, MANIFEST_SCHEMA_VERSION, serializeManifest, sha256, type FileKind, type Manifest, type ManifestFile } from './manifest.js';
import { mapStats, rangesFromOwn, statsOf, type MapStats, type NormalizeMode } from './normalize.js';
import { encodeNpy, stack } from './npy.js';
import { reportHtml } from './report.js';
import { simdGray, simdMap, simdStats, type RawStats, type Transform } from './simd.js';
import { renderFilterTile, renderMapTile, renderMapTiles, zoomRaster, type Tile } from './tiles.js';
import type { FloatMap, Kernel, Raster, ValueRange } from './types.js';
import type { OutputFile } from './write.js';

/** Options of {@link render}; every field is optional and defaults to the tutorial's layer. */
export interface RenderOptions {
  /** The filter bank. Default: the tutorial's four 4×4 edge filters. */
  kernels?: readonly Kernel[];
  /** Keep R, G and B as three input channels (`Conv2d(3, n)`) instead of OpenCV's gray. Default false. */
  color?: boolean;
  /** Round once per tap as PyTorch does, bit-identical for any weights (slower for weights other than 0, ±2^k). Default false. */
  exact?: boolean;
  /** Stride, padding and dilation. Default valid, 1, 1. */
  layer?: LayerOptions;
  /** The activation. Default ReLU. */
  activation?: Activation;
  /** @deprecated use `activation`; `relu: false` means `{ kind: 'none' }`. */
  relu?: boolean;
  /** Max-pool size (window and stride) after the activation, 2 or more; absent for none. */
  pool?: number;
  /** How maps become colours. Default per-map, or symmetric with a diverging colormap. */
  normalize?: NormalizeMode;
  /** One explicit range for every map, overriding `normalize`. */
  range?: ValueRange;
  /** matplotlib colormap for the maps. Default gray. */
  colormap?: ColormapName;
  /** Whole-number enlargement of map tiles (nearest neighbour), 1 to 64. Default 1. */
  zoom?: number;
  /** Grid layout, or `false` for no grid.png. */
  grid?: false | { columns?: number; gap?: number; labels?: boolean; maxTileSide?: number };
  /** Flatten transparency onto this colour instead of dropping alpha as OpenCV does. */
  background?: Rgb;
  /** Refuse larger images (width × height), checked from the header. Default 100 000 000. */
  maxPixels?: number;
  /** Refuse runs whose tiles would hold more pixels than this in all (zoom included). Default 1 000 000 000. */
  maxOutputPixels?: number;
  /** Also write the float maps as NumPy .npy files (input, conv, activation, pool, filters). Default false. */
  raw?: boolean;
  /** Also write `index.html`, the interactive report. Default false. */
  html?: boolean;
  /** PNG zlib level, 0 to 9. Default 1 (see the README for the measured trade-off). */
  compression?: number;
  /** The input's file name for the manifest and messages. Default `input`. */
  inputName?: string;
  /**
   * Called with each PNG's name and its encoding under way, as soon as the tile exists, so a caller
   * can write files while the rest is computed (the CLI does, with {@link stageOutputs}). The
   * result's `files` hold the same bytes.
   */
  onFile?: (name: string, png: Promise<Uint8Array>) => void;
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
  /** The float32 input planes in [0, 1]: gray, or R, G, B with `color`. */
  input: FloatMap[];
  /** The float32 gray input (the first plane; with `color`, OpenCV's gray of the image all the same). */
  gray: FloatMap;
  /** The maps before the activation, one per kernel. */
  conv: FloatMap[];
  /** The maps after the activation; absent when the activation is none. */
  activated?: FloatMap[];
  /** The pooled maps; absent without pooling. */
  pooled?: FloatMap[];
}

interface Stage {
  kind: FileKind;
  prefix: string;
  title: string;
}

interface Planned {
  name: string;
  kind: FileKind;
  filter?: number;
  tile: Tile;
  stats: MapStats;
  label: string;
  png: Promise<Buffer>;
  /** sha256 of the tile's pixels, for the manifest. */
  pixelsSha256: string;
  /** The tile as the grid shows it: reduced to the grid's largest side. */
  thumbnail: Raster;
}

const require = createRequire(import.meta.url);
const TOOL_VERSION: string = (require('../package.json') as { version: string }).version;

/**
 * Runs the pipeline on an encoded image: by default the tutorial's, with float maps bit-identical to
 * OpenCV + PyTorch and tiles pixel-identical to matplotlib's `imsave(cmap='gray')`.
 *
 * @throws {CnnvizError} kind `input` for an unreadable image or one smaller than a kernel; `usage` for bad options.
 * @example
 * const result = await render(await readFile('photo.png'), { inputName: 'photo.png' });
 * result.files.map((f) => f.name) // ['input.png', 'filter-1.png', …, 'grid.png', 'manifest.json']
 */
export async function render(bytes: Uint8Array, options: RenderOptions = {}): Promise<RenderResult> {
  const inputName = options.inputName ?? 'input';
  const color = options.color ?? false;
  const baseKernels = options.kernels ?? tutorialKernels();
  checkBank(baseKernels);
  const kernels = color ? baseKernels.map(toColourKernel) : baseKernels.map((k) => checkGrayKernel(k));
  const layer = options.layer ?? DEFAULT_LAYER;
  const activation = options.activation ?? (options.relu === false ? { kind: 'none' as const } : RELU);
  const colormap = options.colormap ?? 'gray';
  const normalize = options.normalize ?? (DIVERGING_COLORMAPS.has(colormap) ? 'symmetric' : 'per-map');
  const zoom = options.zoom ?? 1;
  if (!Number.isInteger(zoom) || zoom < 1 || zoom > 64) throw invalidParameter('integer between 1 and 64', 'zoom', zoom);
  if (options.pool !== undefined && (!Number.isInteger(options.pool) || options.pool < 2)) {
    throw invalidParameter('integer of at least 2', 'pool', options.pool);
  }
  if (layer.padding === 'same' && (layer.stride[0] !== 1 || layer.stride[1] !== 1)) {
    throw invalidParameter("stride 1 with padding 'same' (as in PyTorch)", 'stride', layer.stride.join(','), true);
  }

  // The size checks and the arena need only the header: both happen before the pixels are decoded,
  // and while sharp decodes, the arena's first pages are touched (see prefault).
  const exact = options.exact ?? false;
  let made: Arena | undefined;
  let decodedYet = false;
  const onHeader = (size: { width: number; height: number }): void => {
    checkFits(size, kernels, layer, inputName);
    checkOutputSize(size, kernels, layer, { zoom, stages: 1 + (activation.kind === 'none' ? 0 : 1), pool: options.pool, max: options.maxOutputPixels ?? DEFAULT_MAX_OUTPUT_PIXELS, subject: inputName });
    if (options.pool !== undefined) checkPool(layerOutputSize(size, kernels[0], layer), options.pool, inputName);
    const header = { ...size, channels: 3 as const };
    made = createArena(arenaPlan(header, kernels, layer, { color, exact, colormap, activation, pool: options.pool }));
    void prefault(made, surelyUsed(header, kernels, layer), () => decodedYet);
  };
  const decoded = await decodeImage(bytes, { background: options.background, maxPixels: options.maxPixels, name: inputName, onHeader }).finally(() => {
    decodedYet = true;
  });
  if (!made) throw new Error('render: the decoder did not report the image size');
  const arena = made;
  const gray: FloatMap = { width: decoded.width, height: decoded.height, data: simdGray(decoded.data, decoded.channels, decoded.width * decoded.height, arena) };
  const input = color ? toRgbPlanes(decoded) : [gray];
  const planes: Planes = color ? input : gray;

  // Every tile is encoded as soon as it exists (sharp works in its own threads meanwhile), and
  // hashed and reduced for the grid while the encoders work. (WebCrypto would hash off the main
  // thread, but copies each tile first: +300 MB at 33 MP.) The input tile goes first, to be encoded
  // during the convolution; the small filter tiles are drawn after the maps' tiles.
  const encodeOptions = { compression: options.compression };
  const gridOptions = options.grid === false ? undefined : { columns: 8, gap: 16, labels: true, maxTileSide: GRID_MAX_TILE_SIDE, ...options.grid };
  const maxSide = gridOptions?.maxTileSide ?? GRID_MAX_TILE_SIDE;
  const digits = kernels.length >= 10 ? String(kernels.length).length : 1;
  const number = (i: number): string => String(i + 1).padStart(digits, '0');
  const encode = (name: string, image: Raster): Promise<Buffer> => {
    const png = encodePng(image, encodeOptions);
    options.onFile?.(name, png);
    return png;
  };
  const dispatch = (entry: Omit<Planned, 'png' | 'pixelsSha256' | 'thumbnail'>): Planned => ({ ...entry, png: encode(entry.name, entry.tile.image), pixelsSha256: '', thumbnail: entry.tile.image });
  const finish = (entry: Planned): Planned => {
    entry.pixelsSha256 = sha256(entry.tile.image.data);
    if (gridOptions) entry.thumbnail = downscaleArea(entry.tile.image, maxSide, arena);
    return entry;
  };
  const grayStats = mapStats(gray, 'none', arena);
  const inputTile: Tile = color ? { image: rgbRaster(decoded), range: { min: 0, max: 1 } } : renderMapTile(gray, grayStats, 'gray', { arena });
  const inputEntry = dispatch({ name: 'input.png', kind: 'input', tile: zoomTile(inputTile, zoom), stats: grayStats, label: color ? 'Colour image' : 'Gray image' });

  const run: LayerRun = { kernels, layer, exact, activation, pool: options.pool, subject: inputName };
  // The gray map is done with after the convolution unless the .npy files or the report read it, and
  // each stored map once its tiles exist unless the .npy files read it: their pages go to the next
  // tiles (the result's maps are then computed again, on first access).
  const grayKept = color || options.raw === true || options.html === true;
  const mapsKept = options.raw === true;
  const actName = activationName(activation);
  const actLabel = activation.kind === 'relu' ? 'ReLU' : activation.kind === 'abs' ? '|x|' : `leaky ReLU (${activation.kind === 'leaky-relu' ? activation.slope : ''})`;
  const stages: Stage[] = [
    { kind: 'conv', prefix: 'conv', title: activation.kind !== 'none' ? `Feature maps, before ${actLabel}` : 'Feature maps' },
    ...(activation.kind !== 'none' ? [{ kind: 'activation' as const, prefix: actName, title: `Feature maps, after ${actLabel}` }] : []),
    ...(options.pool !== undefined ? [{ kind: 'pool' as const, prefix: 'pool', title: `Max-pooled ${options.pool}×${options.pool}` }] : []),
  ];

  // A filter's map is computed when its group comes (see mapGroups) unless every map is needed at once.
  const streamed = normalize !== 'shared' && (activation.kind === 'relu' || activation.kind === 'none') && options.pool === undefined && !mapsKept;
  const afterConvolution = (): void => {
    if (!grayKept) release(arena, gray.data);
  };
  const { groups, stageViews } = mapGroups(planes, run, stages.length, arena, { streamed, afterConvolution });
  // One statistics pass per stored map; --normalize shared needs every view's before the first tile.
  const rawStats = new Map<Float32Array, RawStats>();
  const statsPass = (data: Float32Array): RawStats => {
    let raw = rawStats.get(data);
    if (!raw) rawStats.set(data, (raw = simdStats(data, arena)));
    return raw;
  };
  const shared = normalize === 'shared' ? rangesFromOwn(stageViews.flat().map((view) => statsOf(statsPass(view.map.data), view.transform)), 'shared', options.range)[0] : undefined;

  const slots: Planned[] = [];
  for (const group of groups) {
    const map = group.map();
    const raw = statsPass(map.data);
    const stats = group.users.map((user) => statsOf(raw, user.transform));
    const ranges = stats.map((own) => shared ?? rangesFromOwn([own], normalize, options.range)[0]);
    const tiles = renderMapTiles(map, group.users.map((user, k) => ({ transform: user.transform, range: ranges[k] })), colormap, arena);
    group.users.forEach(({ stage, index }, k) => {
      const { kind, prefix } = stages[stage];
      slots[stage * kernels.length + index] = dispatch({
        name: `${prefix}-${number(index)}.png`, kind, filter: index + 1, tile: zoomTile(tiles[k], zoom), stats: stats[k], label: `Output ${index + 1}`,
      });
    });
    if (!mapsKept) release(arena, map.data);
  }
  const filterTiles = kernels.map((kernel, i) => {
    const weights = { width: kernel.weights.length, height: 1, data: kernel.weights };
    return dispatch({ name: `filter-${number(i)}.png`, kind: 'filter', filter: i + 1, tile: renderFilterTile(kernel), stats: mapStats(weights), label: `Filter ${i + 1}` });
  });
  // Hashes and the grid's copies last: every tile is with the encoders by now.
  const planned = [inputEntry, ...filterTiles, ...slots].map(finish);

  const grid = gridOptions ? composeGrid(gridRows(planned, stages, { normalize, colormap, range: options.range }), gridOptions) : undefined;
  const encoded = await Promise.all([...planned.map((p) => p.png), ...(grid ? [encode('grid.png', grid)] : [])]);
  const images: { name: string; kind: FileKind }[] = [...planned.map((p) => ({ name: p.name, kind: p.kind })), ...(grid ? [{ name: 'grid.png', kind: 'grid' as const }] : [])];

  const files: ManifestFile[] = planned.map((p) => ({
    path: p.name,
    kind: p.kind,
    ...(p.filter !== undefined ? { filter: p.filter } : {}),
    width: p.tile.image.width,
    height: p.tile.image.height,
    stats: p.stats,
    range: p.tile.range,
    pixelsSha256: p.pixelsSha256,
  }));
  if (grid) files.push({ path: 'grid.png', kind: 'grid', width: grid.width, height: grid.height, pixelsSha256: sha256(grid.data) });
  const rawFiles = options.raw ? rawArrays(input, kernels, stages, stageViews) : [];
  const report = options.html
    ? reportFor({ inputName, decoded, gray, color, kernels, layer, exact, activation, pool: options.pool, stages, planned, normalize: options.range ? 'per-map' : normalize, colormap })
    : undefined;
  if (report) files.push({ path: 'index.html', kind: 'report', sha256: sha256(report) });
  for (const raw of rawFiles) {
    files.push({ path: raw.name, kind: 'raw', width: raw.shape[raw.shape.length - 1], height: raw.shape[raw.shape.length - 2] ?? 1, shape: raw.shape, dtype: '<f4', sha256: sha256(raw.bytes) });
  }

  const manifest = buildManifest({
    bytes, decoded, inputName, kernels, layer, activation, pool: options.pool, color, colormap, normalize,
    range: options.range, zoom, raw: options.raw ?? false, html: options.html ?? false, gridOptions, files,
  });
  const manifestValue = await manifest;
  const lazy = <T>(make: () => T): (() => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  const grayMap = grayKept ? () => gray : lazy(() => ({ width: gray.width, height: gray.height, data: simdGray(decoded.data, decoded.channels, decoded.width * decoded.height) }));
  // Kept maps are the stage views; released ones are computed again, in an arena of their own.
  const layerMaps = lazy((): MapView[][] =>
    mapsKept ? stageViews : stageList(layerViews(color ? input : grayMap(), run, createArena(arenaPlan(decoded, kernels, layer, { color, exact, colormap, activation, pool: options.pool })))),
  );
  const stageMaps = (kind: FileKind): (() => FloatMap[]) => lazy(() => (layerMaps()[stages.findIndex((stage) => stage.kind === kind)] ?? []).map(materialize));
  const convMaps = stageMaps('conv');
  const actMaps = activation.kind !== 'none' ? stageMaps('activation') : undefined;
  const poolMaps = options.pool !== undefined ? stageMaps('pool') : undefined;
  const result: Omit<RenderResult, 'conv' | 'activated' | 'pooled' | 'input' | 'gray'> = {
    files: [
      ...images.map((entry, i) => ({ name: entry.name, kind: entry.kind, bytes: encoded[i] })),
      ...rawFiles.map((raw) => ({ name: raw.name, kind: 'raw' as const, bytes: raw.bytes })),
      ...(report ? [{ name: 'index.html', kind: 'report' as const, bytes: report }] : []),
      { name: 'manifest.json', kind: 'manifest' as const, bytes: Buffer.from(serializeManifest(manifestValue)) },
    ],
    manifest: manifestValue,
    notes: notesFor(decoded),
  };
  // Made on first access (a spread would call the getters): the CLI never needs them.
  Object.defineProperty(result, 'gray', { enumerable: true, get: grayMap });
  Object.defineProperty(result, 'input', { enumerable: true, get: color ? () => input : () => [grayMap()] });
  Object.defineProperty(result, 'conv', { enumerable: true, get: convMaps });
  if (actMaps) Object.defineProperty(result, 'activated', { enumerable: true, get: actMaps });
  if (poolMaps) Object.defineProperty(result, 'pooled', { enumerable: true, get: poolMaps });
  return result as RenderResult;
}

/**
 * The grid's rows: the input, the filters, then one row per stage with its legend, and under each tile
 * its own value range when the row does not share one.
 */
function gridRows(
  planned: readonly Planned[],
  stages: readonly Stage[],
  look: { normalize: NormalizeMode; colormap: ColormapName; range: ValueRange | undefined },
): GridRow[] {
  const sharedRange = look.normalize === 'shared' || look.normalize === 'none' || look.range !== undefined;
  const rowOf = (kind: FileKind, title: string, legend: boolean): GridRow => {
    const entries = planned.filter((p) => p.kind === kind);
    return {
      title,
      tiles: entries.map((p) => ({
        label: p.label,
        image: p.thumbnail,
        ...(legend && !sharedRange ? { note: `${formatValue(p.tile.range.min)} … ${formatValue(p.tile.range.max)}` } : {}),
      })),
      ...(legend
        ? { legend: { colormap: look.colormap, symmetric: look.normalize === 'symmetric', ...(sharedRange && entries.length > 0 ? { range: entries[0].tile.range } : {}) } }
        : {}),
    };
  };
  return [rowOf('input', 'Input', false), rowOf('filter', 'Filters', false), ...stages.map((s) => rowOf(s.kind, s.title, true))];
}

/** `index.html` for a run: the page recomputes every value from the 8-bit input with the run's settings. */
function reportFor(run: {
  inputName: string;
  decoded: DecodedImage;
  gray: FloatMap;
  color: boolean;
  kernels: readonly Kernel[];
  layer: LayerOptions;
  exact: boolean;
  activation: Activation;
  pool: number | undefined;
  stages: readonly Stage[];
  planned: readonly Planned[];
  normalize: NormalizeMode;
  colormap: ColormapName;
}): Buffer {
  const { decoded, layer, activation } = run;
  return Buffer.from(
    reportHtml({
      name: run.inputName,
      input: reportInput(decoded, run.gray, run.color),
      kernels: run.kernels.map((kernel) => {
        const pad = resolvePadding(layer.padding, kernel, layer.dilation);
        const out = layerOutputSize(decoded, kernel, layer);
        return {
          name: kernel.name,
          width: kernel.width,
          height: kernel.height,
          channels: kernel.channels,
          weights: Array.from(kernel.weights),
          bias: kernel.bias,
          oneDnn: usesOneDnnOrder(decoded, kernel.channels, kernel, layer),
          padTop: pad.top,
          padLeft: pad.left,
          outWidth: out.width,
          outHeight: out.height,
        };
      }),
      stride: [layer.stride[0], layer.stride[1]],
      dilation: [layer.dilation[0], layer.dilation[1]],
      exact: run.exact,
      activation: activation.kind === 'leaky-relu' ? { kind: activation.kind, slope: activation.slope } : { kind: activation.kind },
      pool: run.pool ?? null,
      stages: run.stages.map((stage) => ({
        kind: stage.kind === 'conv' ? 'conv' : stage.kind === 'pool' ? 'pool' : 'activation',
        title: stage.title,
        ranges: run.planned.filter((p) => p.kind === stage.kind).map((p) => [p.stats.min, p.stats.max] as [number, number]),
      })),
      normalize: run.normalize,
      colormap: run.colormap,
    }),
  );
}

/**
 * The float maps as `.npy` files: `input.npy` (H×W, or 3×H×W with colour), one stacked N×H′×W′ file
 * per stage (`conv.npy`, `relu.npy`, `pool.npy`) and `filters.npy` (N×kh×kw, or N×3×kh×kw), or one
 * file per filter (`conv-N.npy`, `filter-N.npy`) when the filters differ in size.
 */
function rawArrays(input: readonly FloatMap[], kernels: readonly Kernel[], stages: readonly Stage[], views: readonly MapView[][]): { name: string; shape: number[]; bytes: Uint8Array }[] {
  const out: { name: string; shape: number[]; bytes: Uint8Array }[] = [];
  const emit = (name: string, shape: number[], data: Float32Array): void => {
    out.push({ name, shape, bytes: encodeNpy(shape, data) });
  };
  if (input.length === 1) emit('input.npy', [input[0].height, input[0].width], input[0].data);
  else emit('input.npy', ...stackArgs(stack(input)));
  const digits = kernels.length >= 10 ? String(kernels.length).length : 1;
  const number = (i: number): string => String(i + 1).padStart(digits, '0');
  for (const [s, stage] of stages.entries()) {
    const maps = views[s].map(materialize);
    if (maps.every((m) => m.width === maps[0].width && m.height === maps[0].height)) emit(`${stage.prefix}.npy`, ...stackArgs(stack(maps)));
    else maps.forEach((map, i) => emit(`${stage.prefix}-${number(i)}.npy`, [map.height, map.width], map.data));
  }
  const k0 = kernels[0];
  if (kernels.every((k) => k.width === k0.width && k.height === k0.height && k.channels === k0.channels)) {
    const data = new Float32Array(kernels.length * k0.weights.length);
    kernels.forEach((k, i) => data.set(k.weights, i * k0.weights.length));
    emit('filters.npy', k0.channels === 1 ? [kernels.length, k0.height, k0.width] : [kernels.length, k0.channels, k0.height, k0.width], data);
  } else {
    kernels.forEach((k, i) => emit(`filter-${number(i)}.npy`, k.channels === 1 ? [k.height, k.width] : [k.channels, k.height, k.width], k.weights));
  }
  return out;
}

const stackArgs = (stacked: { shape: number[]; data: Float32Array }): [number[], Float32Array] => [stacked.shape, stacked.data];

/** The 8-bit input the report recomputes from: OpenCV's gray as bytes (exactly Y, as float32(Y / 255) maps back), or RGB. */
function reportInput(decoded: DecodedImage, gray: FloatMap, color: boolean): { width: number; height: number; channels: 1 | 3; pixels: string } {
  const count = decoded.width * decoded.height;
  let bytes: Uint8Array;
  if (color) {
    bytes = decoded.channels === 3 ? decoded.data.subarray(0, count * 3) : Uint8Array.from({ length: count * 3 }, (_, i) => decoded.data[Math.floor(i / 3)]);
  } else {
    bytes = new Uint8Array(count);
    for (let i = 0; i < count; i++) bytes[i] = Math.round(gray.data[i] * 255);
  }
  return { width: decoded.width, height: decoded.height, channels: color ? 3 : 1, pixels: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') };
}

/**
 * Decodes an image and converts it to OpenCV's float gray in [0, 1], the tutorial's first two steps.
 * @throws {CnnvizError} kind `input` for an unreadable image.
 * @example const gray = await decodeGray(await readFile('photo.png')); // FloatMap
 */
export async function decodeGray(bytes: Uint8Array, options: DecodeOptions = {}): Promise<FloatMap> {
  const decoded = await decodeImage(bytes, options);
  return { width: decoded.width, height: decoded.height, data: simdGray(decoded.data, decoded.channels, decoded.width * decoded.height) };
}

/** What the layer computes: the filters, their layout, the activation and pooling. */
interface LayerRun {
  kernels: readonly Kernel[];
  layer: LayerOptions;
  exact: boolean;
  activation: Activation;
  pool: number | undefined;
  subject: string;
}

/**
 * The layer's maps, as views: each distinct filter's map is computed and stored once, and a negated
 * twin and a ReLU are transforms of it, never materialised, so a 33 MP run keeps two float maps
 * instead of eight. Other activations and pooling are stored maps of their own.
 */
function layerViews(planes: Planes, run: LayerRun, arena: Arena): { conv: MapView[]; activated?: MapView[]; pooled?: MapView[] } {
  const { kernels, activation } = run;
  const inArenaMap = (map: FloatMap): FloatMap => ({ width: map.width, height: map.height, data: float32In(arena, map.data) });
  const { sources, unique } = mapSources(kernels);
  const uniqueMaps = convolveBank(planes, unique.map((i) => kernels[i]), { layer: run.layer, exact: run.exact, subject: run.subject, arena });
  const stored = new Map(unique.map((i, j) => [i, inArenaMap(uniqueMaps[j])]));
  const conv: MapView[] = sources.map(({ source, transform }) => ({ map: stored.get(source) as FloatMap, transform }));
  const activated: MapView[] | undefined =
    activation.kind === 'none'
      ? undefined
      : activation.kind === 'relu'
        ? conv.map((view) => ({ map: view.map, transform: reluOf(view.transform) }))
        : conv.map((view) => ({ map: inArenaMap(activate(materialize(view), activation)), transform: 'none' }));
  const pooled: MapView[] | undefined =
    run.pool === undefined ? undefined : poolAll((activated ?? conv).map(materialize), run.pool, run.subject).map((map) => ({ map: inArenaMap(map), transform: 'none' }));
  return { conv, ...(activated ? { activated } : {}), ...(pooled ? { pooled } : {}) };
}

/**
 * Where each filter's map comes from: its own stored map (`none`), or the stored map of an earlier
 * filter it is the exact negation of (`negate`), which is then never computed; `unique` lists the
 * filters whose maps are stored.
 */
function mapSources(kernels: readonly Kernel[]): { sources: { source: number; transform: Transform }[]; unique: number[] } {
  const twinOf = negatedTwins(kernels);
  return {
    sources: twinOf.map((twin, i) => (twin >= 0 ? { source: twin, transform: 'negate' as const } : { source: i, transform: 'none' as const })),
    unique: kernels.flatMap((_, i) => (twinOf[i] < 0 ? [i] : [])),
  };
}

/** The ReLU of a view: of the map itself, or of its negation. */
const reluOf = (transform: Transform): Transform => (transform === 'negate' ? 'negate-relu' : 'relu');

/** A stored map and the views that read it: stage (conv, activation, pool), filter and transform. */
interface MapGroup {
  map: () => FloatMap;
  users: { stage: number; index: number; transform: Transform }[];
}

/**
 * The run's stored maps as groups, in the order their tiles are drawn: each group's statistics take
 * one pass and all its tiles (map, ReLU, negated twin) one more. `streamed` (the ReLU or the plain
 * layer, no pooling, ranges of their own): a filter's map is computed only when its group comes, so
 * its tiles are being encoded while the next one is computed, and no `stageViews` are kept.
 * Otherwise every map is computed first. `afterConvolution` runs once the input is no longer read.
 */
function mapGroups(
  planes: Planes,
  run: LayerRun,
  stageCount: number,
  arena: Arena,
  how: { streamed: boolean; afterConvolution: () => void },
): { groups: MapGroup[]; stageViews: MapView[][] } {
  const { kernels } = run;
  if (how.streamed) {
    const { sources, unique } = mapSources(kernels);
    const groups = unique.map((u, n): MapGroup => {
      const users = Array.from({ length: stageCount }, (_, stage) =>
        sources.flatMap(({ source, transform }, index) => (source === u ? [{ stage, index, transform: stage === 0 ? transform : reluOf(transform) }] : [])),
      ).flat();
      const map = (): FloatMap => {
        const [made] = convolveBank(planes, [kernels[u]], { layer: run.layer, exact: run.exact, subject: run.subject, arena });
        if (n === unique.length - 1) how.afterConvolution();
        return { width: made.width, height: made.height, data: float32In(arena, made.data) };
      };
      return { map, users };
    });
    return { groups, stageViews: [] };
  }
  const stageViews = stageList(layerViews(planes, run, arena));
  how.afterConvolution();
  const byMap = new Map<Float32Array, MapGroup>();
  stageViews.forEach((list, stage) =>
    list.forEach((view, index) => {
      const group = byMap.get(view.map.data) ?? { map: () => view.map, users: [] };
      group.users.push({ stage, index, transform: view.transform });
      byMap.set(view.map.data, group);
    }),
  );
  return { groups: [...byMap.values()], stageViews };
}

/** The views of each stage, in the order of the stages: conv, then the activation and pooling if any. */
function stageList(views: { conv: MapView[]; activated?: MapView[]; pooled?: MapView[] }): MapView[][] {
  return [views.conv, ...(views.activated ? [views.activated] : []), ...(views.pooled ? [views.pooled] : [])];
}

/** A map as stored, and the transform to read it through. */
interface MapView {
  map: FloatMap;
  transform: Transform;
}

/** The map a view shows, made real. */
function materialize(view: MapView): FloatMap {
  if (view.transform === 'none') return view.map;
  return { width: view.map.width, height: view.map.height, data: simdMap(view.map.data, view.transform) };
}

/**
 * Bytes of the arena every run of this size touches: the gray map and each stored feature map (a
 * negated twin is not stored).
 */
function surelyUsed(decoded: { width: number; height: number; channels: 1 | 3 }, kernels: readonly Kernel[], layer: LayerOptions): number {
  const count = decoded.width * decoded.height;
  const twinOf = negatedTwins(kernels);
  return kernels.reduce((bytes, kernel, i) => {
    const out = layerOutputSize(decoded, kernel, layer);
    return twinOf[i] < 0 ? bytes + arenaBytes(out.width * out.height, 4) : bytes;
  }, arenaBytes(count, 4));
}

/**
 * Bytes the arena needs for a run: room for the decoded pixels (the gray conversion's scratch, then
 * tiles), the gray map and its tile, each stored feature map of the SIMD path, every map tile, and
 * with an RGB colormap the colour indices of up to four views of a map at once.
 */
function arenaPlan(
  decoded: { width: number; height: number; channels: 1 | 3 },
  kernels: readonly Kernel[],
  layer: LayerOptions,
  run: { color: boolean; exact: boolean; colormap: ColormapName; activation: Activation; pool: number | undefined },
): number {
  const count = decoded.width * decoded.height;
  const channels = run.colormap === 'gray' ? 1 : 3;
  let bytes = arenaBytes(count, decoded.channels) + arenaBytes(count, 4) + arenaBytes(count, 1 + channels) + 4096;
  let largest = count;
  const stagesPerFilter = 1 + (run.activation.kind === 'none' ? 0 : 1) + (run.pool ? 1 : 0);
  kernels.forEach((kernel) => {
    const out = layerOutputSize(decoded, kernel, layer);
    const px = out.width * out.height;
    largest = Math.max(largest, px);
    // Room for the stored map, a materialised activation and pooled map, and each stage's tile.
    bytes += 3 * arenaBytes(px, 4) + stagesPerFilter * arenaBytes(px, channels) + 2 * 1024 * 1024;
  });
  return bytes + (channels === 3 ? 4 : 1) * arenaBytes(largest, 1);
}

/** Default limit on the pixels of all tiles of one run. */
export const DEFAULT_MAX_OUTPUT_PIXELS = 1_000_000_000;

/** Refuses a run whose tiles would be too large in all, before any work (a 33 MP image zoomed 64× would need terabytes). */
function checkOutputSize(
  decoded: { width: number; height: number },
  kernels: readonly Kernel[],
  layer: LayerOptions,
  run: { zoom: number; stages: number; pool: number | undefined; max: number; subject: string },
): void {
  const zoom2 = run.zoom * run.zoom;
  let total = decoded.width * decoded.height * zoom2;
  for (const kernel of kernels) {
    const out = layerOutputSize(decoded, kernel, layer);
    const px = out.width * out.height;
    total += px * zoom2 * run.stages + (run.pool ? Math.floor(out.width / run.pool) * Math.floor(out.height / run.pool) * zoom2 : 0);
  }
  if (total > run.max) {
    throw new CnnvizError('input', `the tiles would hold ${total} pixels in all, over the limit of ${run.max} (--max-output-pixels)`, run.subject);
  }
}

function checkGrayKernel(kernel: Kernel): Kernel {
  if (kernel.channels !== 1) {
    throw new CnnvizError('usage', `filter '${kernel.name}' has ${kernel.channels} channels: use --color for colour kernels`);
  }
  return kernel;
}

function checkPool(map: { width: number; height: number }, size: number, subject: string): void {
  if (map.width < size || map.height < size) {
    throw new CnnvizError('input', `feature maps are ${map.width}×${map.height}, smaller than the ${size}×${size} pooling window (--pool)`, subject);
  }
}

function poolAll(maps: FloatMap[], size: number, subject: string): FloatMap[] {
  checkPool(maps[0], size, subject);
  return maps.map((map) => maxPool(map, size));
}

/** R, G and B as float32 planes in [0, 1], each `fround(v / 255)` like the gray input. */
function toRgbPlanes(image: DecodedImage): FloatMap[] {
  const { width, height } = image;
  return [0, 1, 2].map((c) => {
    const data = new Float32Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = Math.fround(image.data[image.channels === 3 ? 3 * i + c : i] / 255);
    return { width, height, data };
  });
}

function rgbRaster(image: DecodedImage): Raster {
  if (image.channels === 3) return { width: image.width, height: image.height, channels: 3, data: image.data };
  return { width: image.width, height: image.height, channels: 1, data: image.data };
}

function zoomTile(tile: Tile, zoom: number): Tile {
  return zoom === 1 ? tile : { image: zoomRaster(tile.image, zoom), range: tile.range };
}

function notesFor(decoded: DecodedImage): string[] {
  const source = decoded.source;
  const notes: string[] = [];
  if (source.hasAlpha) {
    notes.push(
      source.alpha === 'flattened'
        ? `input has transparency: flattened onto ${hexColour(source.background ?? [0, 0, 0])}`
        : 'input has transparency: alpha dropped and colour used as stored, as OpenCV does (--background <colour> flattens it instead)',
    );
  }
  if (source.pages > 1) notes.push(`input has ${source.pages} pages or frames: only the first is used`);
  return notes;
}

async function buildManifest(parts: {
  bytes: Uint8Array;
  decoded: DecodedImage;
  inputName: string;
  kernels: readonly Kernel[];
  layer: LayerOptions;
  activation: Activation;
  pool: number | undefined;
  color: boolean;
  colormap: ColormapName;
  normalize: NormalizeMode;
  range: ValueRange | undefined;
  zoom: number;
  raw: boolean;
  html: boolean;
  gridOptions: { columns: number; gap: number; labels: boolean; maxTileSide: number } | undefined;
  files: ManifestFile[];
}): Promise<Manifest> {
  const { decoded, kernels, layer, activation } = parts;
  const source = decoded.source;
  const sharp = await loadSharp();
  const hasBias = kernels.some((k) => k.bias !== 0);
  const padding = layer.padding === 'valid' || layer.padding === 'same' ? layer.padding : [layer.padding[0], layer.padding[1]] as [number, number];
  const k0 = kernels[0];
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    tool: { name: 'cnnviz', version: TOOL_VERSION },
    engine: { sharp: sharp.versions.sharp ?? 'unknown', libvips: sharp.versions.vips },
    input: {
      name: parts.inputName,
      format: source.format,
      width: decoded.width,
      height: decoded.height,
      storedWidth: source.storedWidth,
      storedHeight: source.storedHeight,
      sha256: sha256(parts.bytes),
      bitDepth: source.bitDepth,
      exifOrientation: source.orientation,
      orientationApplied: source.orientation !== 1,
      alpha: source.alpha,
      ...(source.background ? { background: hexColour(source.background) } : {}),
      pages: source.pages,
    },
    gray: {
      formula: parts.color ? 'none: R, G, B kept as three channels, each float32(v / 255)' : GRAY_FORMULA,
      reference: parts.color
        ? 'cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB).astype("float32") / 255'
        : 'cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2GRAY).astype("float32") / 255',
    },
    layer: {
      operation: 'cross-correlation',
      reference: `torch.nn.Conv2d(${parts.color ? 3 : 1}, ${kernels.length}, (${k0.height}, ${k0.width}), stride=(${layer.stride.join(', ')}), padding=${
        typeof padding === 'string' ? `'${padding}'` : `(${padding.join(', ')})`
      }, dilation=(${layer.dilation.join(', ')}), bias=${hasBias ? 'True' : 'False'})`,
      kernelCount: kernels.length,
      inputChannels: parts.color ? 3 : 1,
      stride: [layer.stride[0], layer.stride[1]],
      padding,
      dilation: [layer.dilation[0], layer.dilation[1]],
      bias: hasBias,
      activation: activationName(activation),
      ...(activation.kind === 'leaky-relu' ? { negativeSlope: activation.slope } : {}),
      pool: parts.pool ?? null,
    },
    kernels: kernels.map((kernel, i) => {
      const out = layerOutputSize(decoded, kernel, layer);
      return {
        index: i + 1,
        name: kernel.name,
        description: kernel.description,
        width: kernel.width,
        height: kernel.height,
        channels: kernel.channels,
        bias: kernel.bias,
        padding: resolvePadding(layer.padding, kernel, layer.dilation),
        outputWidth: out.width,
        outputHeight: out.height,
        weights: kernelRows(kernel),
      };
    }),
    render: {
      colormap: parts.colormap,
      normalize: parts.range ? 'range' : parts.normalize,
      range: parts.range ? [parts.range.min, parts.range.max] : null,
      reference: `matplotlib.pyplot.imsave(path, map, cmap='${parts.colormap}'${parts.normalize === 'per-map' && !parts.range ? '' : ', vmin=range[0], vmax=range[1]'})`,
      zoom: parts.zoom,
      raw: parts.raw,
      html: parts.html,
      grid: parts.gridOptions ? { written: true, ...parts.gridOptions } : { written: false, maxTileSide: GRID_MAX_TILE_SIDE, columns: 8, gap: 16, labels: true },
    },
    files: parts.files,
  };
}
