/**
 * Tiles: one image per map (as matplotlib's `imsave(map, cmap=...)` writes it) and one per filter
 * (drawn as the tutorial draws it: gray cells with each weight written in its cell).
 */
import { allocBytes, arenaBytes, createArena, release, type Arena } from './arena.js';
import { colormapTable, GRAY_LUT, type ColormapName } from './colormap.js';
import { drawText, measureText } from './font.js';
import { mapRange, mapStats } from './normalize.js';
import { simdLookup, simdQuantizeViews, type Transform } from './simd.js';
import type { FloatMap, Kernel, Raster, ValueRange } from './types.js';

/** A rendered tile and the value range that was mapped to the first and last colour. */
export interface Tile {
  image: Raster;
  range: ValueRange;
}

/** Where {@link renderMapTile} works: an arena to write into, and how to read the map. */
export interface TileOptions {
  /** Read the map through a transform (`relu`, `negate`, `negate-relu`) instead of materialising it. */
  transform?: Transform;
  /** Arena for the indices and the tile; a temporary one when absent. */
  arena?: Arena;
}

/** One tile to draw from a map by {@link renderMapTiles}: how to read the map, and the range to normalise by. */
export interface TileLook {
  transform: Transform;
  range: ValueRange;
}

/**
 * Renders a map, pixel-identical to `plt.imsave(map, cmap=colormap, vmin=range.min, vmax=range.max)`;
 * by default per-map min–max in matplotlib's gray. Quantisation and colour lookup run in SIMD.
 * @example renderMapTile(conv[0]).image // width × height gray pixels
 */
export function renderMapTile(map: FloatMap, range?: ValueRange, colormap: ColormapName = 'gray', options: TileOptions = {}): Tile {
  const transform = options.transform ?? 'none';
  return renderMapTiles(map, [{ transform, range: range ?? mapStats(map, transform) }], colormap, options.arena)[0];
}

/**
 * {@link renderMapTile} for several views of one map (the map, its ReLU, its negated twin…), all
 * from a single read of it: the tiles are those `renderMapTile` draws one by one.
 * @example renderMapTiles(conv, [{ transform: 'none', range: a }, { transform: 'relu', range: b }], 'gray', arena)
 */
export function renderMapTiles(map: FloatMap, looks: readonly TileLook[], colormap: ColormapName = 'gray', arena?: Arena): Tile[] {
  const count = map.width * map.height;
  const channels = colormap === 'gray' ? 1 : 3;
  const space = arena ?? createArena(looks.length * (arenaBytes(count, 1 + channels) + 16) + arenaBytes(count, 4));
  // Gray: quantisation and matplotlib's table in one pass, straight into the tile. Other colormaps:
  // colour indices first (scratch, handed back after the lookup).
  const targets = looks.map((look) => ({
    look,
    min: Math.fround(look.range.min),
    // matplotlib subtracts vmin from vmax in double and rounds once (see normalize.quantize).
    span: Math.fround(look.range.max - look.range.min),
    into: allocBytes(space, count),
  }));
  const varying = targets.filter((target) => target.span > 0);
  if (varying.length > 0) simdQuantizeViews(map.data, varying.map((t) => ({ transform: t.look.transform, min: t.min, span: t.span, into: t.into })), space, channels === 1);
  for (const target of targets) if (!(target.span > 0)) target.into.fill(channels === 1 ? GRAY_LUT[0] : 0);
  return targets.map((target) => {
    let data = target.into;
    if (channels === 3) {
      data = simdLookup(target.into, colormapTable(colormap), 3, space);
      release(space, target.into);
    }
    return { image: { width: map.width, height: map.height, channels, data }, range: { min: target.look.range.min, max: target.look.range.max } };
  });
}

/** Scale of the weight labels in filter tiles: the bundled font doubled. */
const WEIGHT_TEXT_SCALE = 2;
/** Smallest cell side of a filter tile, in pixels, so a 3×3 kernel is still easy to read. */
const MIN_CELL = 40;
const CELL_PADDING = 6;
/** Gap between the R, G and B panels of a colour kernel's tile. */
const PANEL_GAP = 8;

/**
 * Draws a kernel as the tutorial's `imshow(filter, cmap='gray')` with `annotate`: each weight a
 * square cell shaded by min–max normalisation, its value written in it, white text on negative
 * weights and black on the rest. Where that colour would barely show against the cell (a constant
 * kernel renders black, as matplotlib does), the text gets a one-pixel outline in the other colour.
 * A colour kernel is drawn as three panels, R, G and B, shaded with one shared range.
 *
 * @example renderFilterTile(tutorialKernels()[0]).image // 160×160 gray pixels for a 4×4 kernel
 */
export function renderFilterTile(kernel: Kernel): Tile {
  const all: FloatMap = { width: kernel.weights.length, height: 1, data: kernel.weights };
  const range = mapRange(all);
  const shades = renderMapTile(all, range).image.data;
  const labels = Array.from(kernel.weights, formatWeight);
  const widest = labels.reduce((most, label) => Math.max(most, measureText(label, WEIGHT_TEXT_SCALE).width), 0);
  const cell = Math.max(MIN_CELL, widest + 2 * CELL_PADDING);
  const panelWidth = kernel.width * cell;
  const width = kernel.channels * panelWidth + (kernel.channels - 1) * PANEL_GAP;
  const height = kernel.height * cell;
  const image: Raster = { width, height, channels: 1, data: new Uint8Array(width * height).fill(255) };
  const size = kernel.width * kernel.height;
  for (let c = 0; c < kernel.channels; c++) {
    const left = c * (panelWidth + PANEL_GAP);
    for (let ky = 0; ky < kernel.height; ky++) {
      for (let kx = 0; kx < kernel.width; kx++) {
        const i = c * size + ky * kernel.width + kx;
        fillRect(image, left + kx * cell, ky * cell, cell, cell, shades[i]);
        const text = labels[i];
        const box = measureText(text, WEIGHT_TEXT_SCALE);
        const tx = left + kx * cell + ((cell - box.width) >> 1);
        const ty = ky * cell + ((cell - box.height) >> 1);
        const ink = kernel.weights[i] < 0 ? 255 : 0;
        if (Math.abs(ink - shades[i]) < 96) outlineText(image, text, tx, ty, 255 - ink);
        drawText(image, text, tx, ty, ink, WEIGHT_TEXT_SCALE);
      }
    }
  }
  return { image, range };
}

/**
 * Formats a weight the way a person writes it: integers as they are (`-1`), others with three
 * significant digits (`0.125`, `0.333`), and two digits with an exponent outside [0.001, 10000)
 * (`-2.5e-4`, `1.2e5`).
 * @example formatWeight(Math.fround(0.1)) // '0.1'
 */
export function formatWeight(value: number): string {
  const magnitude = Math.abs(value);
  if (Number.isInteger(value) && magnitude < 1e5) return String(value === 0 ? 0 : value);
  if (magnitude >= 1e-3 && magnitude < 1e4) return String(Number(value.toPrecision(3)));
  return Number(value.toPrecision(2)).toExponential().replace('e+', 'e');
}

/**
 * Enlarges a raster by a whole factor, each pixel an n×n block (nearest neighbour, never smoothed).
 * @example zoomRaster(tile, 4).width // tile.width * 4
 */
export function zoomRaster(image: Raster, factor: number): Raster {
  if (factor === 1) return image;
  const { width, height, channels } = image;
  const outWidth = width * factor;
  const out = new Uint8Array(outWidth * height * factor * channels);
  const rowBytes = outWidth * channels;
  for (let y = 0; y < height; y++) {
    const first = y * factor * rowBytes;
    for (let x = 0; x < width; x++) {
      const src = (y * width + x) * channels;
      for (let r = 0; r < factor; r++) {
        const dst = first + (x * factor + r) * channels;
        for (let c = 0; c < channels; c++) out[dst + c] = image.data[src + c];
      }
    }
    for (let r = 1; r < factor; r++) out.copyWithin(first + r * rowBytes, first, first + rowBytes);
  }
  return { width: outWidth, height: height * factor, channels, data: out };
}

function fillRect(image: Raster, x0: number, y0: number, w: number, h: number, value: number): void {
  for (let y = y0; y < y0 + h; y++) image.data.fill(value, y * image.width + x0, y * image.width + x0 + w);
}

function outlineText(image: Raster, text: string, x: number, y: number, value: number): void {
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) if (dx !== 0 || dy !== 0) drawText(image, text, x + dx, y + dy, value, WEIGHT_TEXT_SCALE);
  }
}

