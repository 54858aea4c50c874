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
import { checkFits, convolveBank, type Planes } from './convolve.js';
import { decodeImage, loadSharp, type DecodedImage, type Rgb } from './decode.js';
import { encodePng } from './encode.js';
import { CnnvizError, invalidParameter } from './errors.js';
import { GRAY_FORMULA, toFloatMap, toGray8 } from './gray.js';
import { composeGrid, formatValue, GRID_MAX_TILE_SIDE, type GridRow } from './grid.js';
import { checkBank, kernelRows, toColourKernel, tutorialKernels } from './kernels.js';
import { DEFAULT_LAYER, layerOutputSize, resolvePadding, type LayerOptions } from './layer.js';
import { hexColour, MANIFEST_SCHEMA_VERSION, serializeManifest, sha256, type FileKind, type Manifest, type ManifestFile } from './manifest.js';
import { mapStats, stageRanges, type NormalizeMode } from './normalize.js';
import { renderFilterTile, renderMapTile, zoomRaster, type Tile } from './tiles.js';
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
  maps: FloatMap[];
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

  const decoded = await decodeImage(bytes, { background: options.background, maxPixels: options.maxPixels, name: inputName });
  checkFits(decoded, kernels, layer, inputName);
  const gray = toFloatMap(toGray8(decoded));
  const input = color ? toRgbPlanes(decoded) : [gray];
  const planes: Planes = color ? input : gray;
  const conv = convolveBank(planes, kernels, { layer, exact: options.exact ?? false, subject: inputName });
  const activated = activation.kind === 'none' ? undefined : conv.map((map) => activate(map, activation));
  const pooled = options.pool === undefined ? undefined : poolAll(activated ?? conv, options.pool, inputName);

  const actName = activationName(activation);
  const actLabel = activation.kind === 'relu' ? 'ReLU' : activation.kind === 'abs' ? '|x|' : `leaky ReLU (${activation.kind === 'leaky-relu' ? activation.slope : ''})`;
  const stages: Stage[] = [
    { kind: 'conv', prefix: 'conv', title: activated ? `Feature maps, before ${actLabel}` : 'Feature maps', maps: conv },
    ...(activated ? [{ kind: 'activation' as const, prefix: actName, title: `Feature maps, after ${actLabel}`, maps: activated }] : []),
    ...(pooled ? [{ kind: 'pool' as const, prefix: 'pool', title: `Max-pooled ${options.pool}×${options.pool}`, maps: pooled }] : []),
  ];

  const digits = kernels.length >= 10 ? String(kernels.length).length : 1;
  const number = (i: number): string => String(i + 1).padStart(digits, '0');
  type Planned = { name: string; kind: FileKind; filter?: number; tile: Tile; values: FloatMap; label: string };
  const planned: Planned[] = [];
  const inputTile: Tile = color ? { image: rgbRaster(decoded), range: { min: 0, max: 1 } } : renderMapTile(gray);
  planned.push({ name: 'input.png', kind: 'input', tile: zoomTile(inputTile, zoom), values: gray, label: color ? 'Colour image' : 'Gray image' });
  kernels.forEach((kernel, i) => {
    const values = { width: kernel.weights.length, height: 1, data: kernel.weights };
    planned.push({ name: `filter-${number(i)}.png`, kind: 'filter', filter: i + 1, tile: renderFilterTile(kernel), values, label: `Filter ${i + 1}` });
  });
  for (const stage of stages) {
    const ranges = stageRanges(stage.maps, normalize, options.range);
    stage.maps.forEach((map, i) => {
      const tile = zoomTile(renderMapTile(map, ranges[i], colormap), zoom);
      planned.push({ name: `${stage.prefix}-${number(i)}.png`, kind: stage.kind, filter: i + 1, tile, values: map, label: `Output ${i + 1}` });
    });
  }

  const gridOptions = options.grid === false ? undefined : { columns: 8, gap: 16, labels: true, maxTileSide: GRID_MAX_TILE_SIDE, ...options.grid };
  const images: { name: string; kind: FileKind; image: Raster }[] = planned.map((p) => ({ name: p.name, kind: p.kind, image: p.tile.image }));
  let grid: Raster | undefined;
  if (gridOptions) {
    const sharedRange = normalize === 'shared' || normalize === 'none' || options.range !== undefined;
    const rowOf = (kind: FileKind, title: string, legend: boolean): GridRow => {
      const entries = planned.filter((p) => p.kind === kind);
      return {
        title,
        tiles: entries.map((p) => ({
          label: p.label,
          image: p.tile.image,
          ...(legend && !sharedRange ? { note: `${formatValue(p.tile.range.min)} … ${formatValue(p.tile.range.max)}` } : {}),
        })),
        ...(legend
          ? { legend: { colormap, symmetric: normalize === 'symmetric', ...(sharedRange && entries.length > 0 ? { range: entries[0].tile.range } : {}) } }
          : {}),
      };
    };
    const rows = [rowOf('input', 'Input', false), rowOf('filter', 'Filters', false), ...stages.map((s) => rowOf(s.kind, s.title, true))];
    grid = composeGrid(rows, gridOptions);
    images.push({ name: 'grid.png', kind: 'grid', image: grid });
  }
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
  if (grid) files.push({ path: 'grid.png', kind: 'grid', width: grid.width, height: grid.height, pixelsSha256: sha256(grid.data) });

  const manifest = buildManifest({
    bytes, decoded, inputName, kernels, layer, activation, pool: options.pool, color, colormap, normalize,
    range: options.range, zoom, gridOptions, files,
  });
  return {
    files: [
      ...images.map((entry, i) => ({ name: entry.name, kind: entry.kind, bytes: encoded[i] })),
      { name: 'manifest.json', kind: 'manifest', bytes: Buffer.from(serializeManifest(await manifest)) },
    ],
    manifest: await manifest,
    notes: notesFor(decoded),
    input,
    gray,
    conv,
    ...(activated ? { activated } : {}),
    ...(pooled ? { pooled } : {}),
  };
}

function checkGrayKernel(kernel: Kernel): Kernel {
  if (kernel.channels !== 1) {
    throw new CnnvizError('usage', `filter '${kernel.name}' has ${kernel.channels} channels: use --color for colour kernels`);
  }
  return kernel;
}

function poolAll(maps: FloatMap[], size: number, subject: string): FloatMap[] {
  const first = maps[0];
  if (first.width < size || first.height < size) {
    throw new CnnvizError('input', `feature maps are ${first.width}×${first.height}, smaller than the ${size}×${size} pooling window (--pool)`, subject);
  }
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
      grid: parts.gridOptions ? { written: true, ...parts.gridOptions } : { written: false, maxTileSide: GRID_MAX_TILE_SIDE, columns: 8, gap: 16, labels: true },
    },
    files: parts.files,
  };
}
