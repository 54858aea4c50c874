/**
 * Tiles: one 8-bit image per map (as matplotlib's `imsave(map, cmap='gray')` writes it) and one per
 * filter (drawn as the tutorial draws it: gray cells with each weight written in its cell).
 */
import { applyGray } from './colormap.js';
import { drawText, measureText } from './font.js';
import { mapRange, quantize } from './normalize.js';
import type { FloatMap, GrayImage, Kernel, ValueRange } from './types.js';

/** A rendered tile and the value range that was mapped to black and white. */
export interface Tile {
  image: GrayImage;
  range: ValueRange;
}

/**
 * Renders a map with per-map min–max normalisation, pixel-identical to `plt.imsave(map, cmap='gray')`.
 * @example renderMapTile(conv[0]).image // width × height gray pixels
 */
export function renderMapTile(map: FloatMap, range: ValueRange = mapRange(map)): Tile {
  return { image: applyGray(quantize(map, range), map.width, map.height), range };
}

/** Scale of the weight labels in filter tiles: the 5×7 font doubled, 10×14 px glyphs. */
const WEIGHT_TEXT_SCALE = 2;
/** Smallest cell side of a filter tile, in pixels, so a 3×3 kernel is still easy to read. */
const MIN_CELL = 40;
const CELL_PADDING = 6;

/**
 * Draws a kernel as the tutorial's `imshow(filter, cmap='gray')` with `annotate`: each weight a
 * square cell shaded by min–max normalisation, its value written in it, white text on negative
 * weights and black on the rest. Where that colour would barely show against the cell (a constant
 * kernel renders black, as matplotlib does), the text gets a one-pixel outline in the other colour.
 *
 * @example renderFilterTile(tutorialKernels()[0]).image // 160×160 gray pixels for a 4×4 kernel
 */
export function renderFilterTile(kernel: Kernel): Tile {
  const weightsMap: FloatMap = { width: kernel.width, height: kernel.height, data: kernel.weights };
  const range = mapRange(weightsMap);
  const shades = renderMapTile(weightsMap, range).image.data;
  const labels = Array.from(kernel.weights, formatWeight);
  const widest = labels.reduce((most, label) => Math.max(most, measureText(label, WEIGHT_TEXT_SCALE).width), 0);
  const cell = Math.max(MIN_CELL, widest + 2 * CELL_PADDING);
  const width = kernel.width * cell;
  const image: GrayImage = { width, height: kernel.height * cell, data: new Uint8Array(width * kernel.height * cell) };
  for (let ky = 0; ky < kernel.height; ky++) {
    for (let kx = 0; kx < kernel.width; kx++) {
      const i = ky * kernel.width + kx;
      fillRect(image, kx * cell, ky * cell, cell, cell, shades[i]);
      const text = labels[i];
      const size = measureText(text, WEIGHT_TEXT_SCALE);
      const tx = kx * cell + ((cell - size.width) >> 1);
      const ty = ky * cell + ((cell - size.height) >> 1);
      const ink = kernel.weights[i] < 0 ? 255 : 0;
      if (Math.abs(ink - shades[i]) < 96) outlineText(image, text, tx, ty, 255 - ink);
      drawText(image, text, tx, ty, ink, WEIGHT_TEXT_SCALE);
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

function fillRect(image: GrayImage, x0: number, y0: number, w: number, h: number, value: number): void {
  for (let y = y0; y < y0 + h; y++) image.data.fill(value, y * image.width + x0, y * image.width + x0 + w);
}

function outlineText(image: GrayImage, text: string, x: number, y: number, value: number): void {
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) if (dx !== 0 || dy !== 0) drawText(image, text, x + dx, y + dy, value, WEIGHT_TEXT_SCALE);
  }
}
