/**
 * Grid: the composite `grid.png`, rows of labelled tiles on white, each row with a legend (the
 * colour bar and its value range). Text comes from the bundled bitmap font, so the picture is
 * pixel-identical on every machine. Large tiles are shown reduced by area averaging over whole
 * blocks; the tile files themselves stay full size.
 */
import { applyColormap, type ColormapName } from './colormap.js';
import { BASELINE, drawText, GLYPH_HEIGHT, measureText } from './font.js';
import type { Arena } from './arena.js';
import { simdDownscale } from './simd.js';
import type { GrayImage, Raster, ValueRange } from './types.js';

/** One tile of the grid: the caption above it, an optional note below it (its value range). */
export interface GridTile {
  label: string;
  note?: string;
  image: Raster;
}

/**
 * The colour bar of a row: its colormap and the values at its ends. Without a `range` each map has
 * its own, written under it: the ends then read min and max, or −max|v| and +max|v| when `symmetric`.
 */
export interface Legend {
  colormap: ColormapName;
  range?: ValueRange;
  symmetric?: boolean;
}

/** One row of the grid: a title line (with the legend), then its tiles left to right, wrapping after `columns`. */
export interface GridRow {
  title: string;
  tiles: GridTile[];
  legend?: Legend;
}

/** Layout options of {@link composeGrid}. */
export interface GridOptions {
  /** Longest side of a tile as shown in the grid, in pixels; larger tiles are reduced. Default 512. */
  maxTileSide?: number;
  /** Tiles per line before wrapping. Default 8. */
  columns?: number;
  /** Space between tiles and around the edge, in pixels. Default 16. */
  gap?: number;
  /** Draw titles, labels, notes and legends. Default true. */
  labels?: boolean;
}

/** Default longest side of a tile in the grid. */
export const GRID_MAX_TILE_SIDE = 512;
const TEXT_SCALE = 2;
const TEXT_HEIGHT = GLYPH_HEIGHT * TEXT_SCALE;
const NOTE_SCALE = 1;
const NOTE_HEIGHT = GLYPH_HEIGHT * NOTE_SCALE;
const LABEL_GAP = 6;
const BAR_WIDTH = 128;
const BACKGROUND = 255;
const INK = 0;

/**
 * Lays out rows of labelled tiles on a white canvas: 1-channel when every tile is gray, RGB otherwise.
 * @example composeGrid([{ title: 'Input', tiles: [{ label: 'Gray image', image: tile }] }]).width
 */
export function composeGrid(rows: readonly GridRow[], options: GridOptions = {}): Raster {
  const maxSide = options.maxTileSide ?? GRID_MAX_TILE_SIDE;
  const columns = Math.max(1, options.columns ?? 8);
  const gap = options.gap ?? 16;
  const labels = options.labels ?? true;
  const textHeight = labels ? TEXT_HEIGHT : 0;
  const labelGap = labels ? LABEL_GAP : 0;
  const shown = rows.map((row) => ({ ...row, tiles: row.tiles.map((tile) => ({ ...tile, image: fitTile(tile.image, maxSide) })) }));
  const cellWidth = Math.max(1, ...shown.flatMap((row) => row.tiles.map((tile) => tile.image.width)));
  const usedColumns = Math.min(columns, Math.max(1, ...shown.map((row) => row.tiles.length)));
  const headerWidth = labels ? Math.max(0, ...shown.map((row) => headerSize(row))) : 0;
  const width = Math.max(usedColumns * cellWidth + (usedColumns + 1) * gap, headerWidth + 2 * gap);

  const lines = shown.map((row) => {
    const chunks: (typeof row.tiles)[] = [];
    for (let i = 0; i < row.tiles.length; i += columns) chunks.push(row.tiles.slice(i, i + columns));
    return chunks;
  });
  const notesHeight = (chunk: { note?: string }[]): number => (labels && chunk.some((t) => t.note) ? NOTE_HEIGHT + 4 : 0);
  let height = gap;
  lines.forEach((chunks) => {
    if (labels) height += textHeight + gap;
    for (const chunk of chunks) {
      height += textHeight + labelGap + Math.max(0, ...chunk.map((t) => t.image.height)) + notesHeight(chunk) + gap;
    }
  });

  // Text and frames go on a gray canvas; tiles and colour bars are copied in afterwards, in colour if any is.
  const ink: GrayImage = { width, height, data: new Uint8Array(width * height).fill(BACKGROUND) };
  const pastes: { image: Raster; x: number; y: number }[] = [];
  let y = gap;
  shown.forEach((row, r) => {
    if (labels) {
      drawText(ink, row.title, gap, y, INK, TEXT_SCALE);
      if (row.legend) drawLegend(ink, pastes, row.legend, gap + measureText(row.title, TEXT_SCALE).width + 2 * gap, y);
      y += textHeight + gap;
    }
    for (const chunk of lines[r]) {
      const lineHeight = Math.max(0, ...chunk.map((t) => t.image.height));
      chunk.forEach((tile, c) => {
        const x0 = gap + c * (cellWidth + gap);
        if (labels) drawCentred(ink, tile.label, x0, cellWidth, y, TEXT_SCALE);
        const tx = x0 + ((cellWidth - tile.image.width) >> 1);
        const ty = y + textHeight + labelGap;
        frame(ink, tx - 1, ty - 1, tile.image.width + 2, tile.image.height + 2);
        pastes.push({ image: tile.image, x: tx, y: ty });
        if (labels && tile.note) drawCentred(ink, tile.note, x0, cellWidth, ty + tile.image.height + 4, NOTE_SCALE);
      });
      y += textHeight + labelGap + lineHeight + notesHeight(chunk) + gap;
    }
  });

  const channels = pastes.some((p) => p.image.channels === 3) ? 3 : 1;
  const canvas: Raster = channels === 1 ? { width, height, channels, data: ink.data } : expandToRgb(ink);
  for (const paste of pastes) blit(canvas, paste.image, paste.x, paste.y);
  return canvas;
}

function headerSize(row: GridRow): number {
  const title = measureText(row.title, TEXT_SCALE).width;
  if (!row.legend) return title;
  const [lo, hi] = legendText(row.legend);
  return title + 32 + measureText(lo, TEXT_SCALE).width + BAR_WIDTH + measureText(hi, TEXT_SCALE).width + 16;
}

function legendText(legend: Legend): [string, string] {
  if (legend.range) return [formatValue(legend.range.min), formatValue(legend.range.max)];
  return legend.symmetric ? ['-max|v|', '+max|v|'] : ['min', 'max'];
}

/**
 * A value as legends and notes print it: up to 4 significant digits, no exponent between 1e-3 and 1e5.
 * @example formatValue(-4.26725) // '-4.267'
 */
export function formatValue(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e5) return String(Number(value.toPrecision(4)));
  return Number(value.toPrecision(3)).toExponential().replace('e+', 'e');
}

function drawLegend(ink: GrayImage, pastes: { image: Raster; x: number; y: number }[], legend: Legend, x: number, y: number): void {
  const [lo, hi] = legendText(legend);
  drawText(ink, lo, x, y, INK, TEXT_SCALE);
  const barX = x + measureText(lo, TEXT_SCALE).width + 8;
  const barHeight = BASELINE * TEXT_SCALE;
  const indices = new Uint8Array(BAR_WIDTH * barHeight);
  for (let by = 0; by < barHeight; by++) {
    for (let bx = 0; bx < BAR_WIDTH; bx++) indices[by * BAR_WIDTH + bx] = Math.floor((bx * 256) / BAR_WIDTH);
  }
  frame(ink, barX - 1, y - 1, BAR_WIDTH + 2, barHeight + 2);
  pastes.push({ image: applyColormap(indices, BAR_WIDTH, barHeight, legend.colormap), x: barX, y });
  drawText(ink, hi, barX + BAR_WIDTH + 8, y, INK, TEXT_SCALE);
}

function drawCentred(ink: GrayImage, text: string, x0: number, width: number, y: number, scale: number): void {
  const fitted = fitLabel(text, width, scale);
  drawText(ink, fitted, x0 + ((width - measureText(fitted, scale).width) >> 1), y, INK, scale);
}

/**
 * Reduces an image by the smallest whole factor f that brings its longest side to `maxSide` or
 * less, each output pixel the rounded mean of an f×f block (fewer at the right and bottom edges).
 * @example downscaleArea(image, 512) // a 4000×3000 image becomes 500×375 (f = 8)
 */
export function downscaleArea<T extends GrayImage & { channels?: 1 | 3 }>(image: T, maxSide: number, arena?: Arena): T {
  const factor = Math.ceil(Math.max(image.width, image.height) / maxSide);
  if (factor <= 1) return image;
  const channels = image.channels ?? 1;
  const data = simdDownscale(image.data, image.width, image.height, channels, factor, arena);
  return { ...image, width: Math.ceil(image.width / factor), height: Math.ceil(image.height / factor), data };
}

function fitTile(image: Raster, maxSide: number): Raster {
  return Math.max(image.width, image.height) > maxSide ? downscaleArea(image, maxSide) : image;
}

function fitLabel(label: string, width: number, scale: number): string {
  if (measureText(label, scale).width <= width) return label;
  let cut = label;
  while (cut.length > 1 && measureText(`${cut}…`, scale).width > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** A one-pixel frame, like matplotlib's axes spines, so white tiles stand out from the page. */
function frame(canvas: GrayImage, x0: number, y0: number, w: number, h: number): void {
  const top = y0 * canvas.width;
  const bottom = (y0 + h - 1) * canvas.width;
  canvas.data.fill(INK, top + x0, top + x0 + w);
  canvas.data.fill(INK, bottom + x0, bottom + x0 + w);
  for (let y = y0; y < y0 + h; y++) {
    canvas.data[y * canvas.width + x0] = INK;
    canvas.data[y * canvas.width + x0 + w - 1] = INK;
  }
}

function expandToRgb(gray: GrayImage): Raster {
  const data = new Uint8Array(gray.data.length * 3);
  for (let i = 0, j = 0; i < gray.data.length; i++, j += 3) {
    const v = gray.data[i];
    data[j] = v;
    data[j + 1] = v;
    data[j + 2] = v;
  }
  return { width: gray.width, height: gray.height, channels: 3, data };
}

function blit(canvas: Raster, tile: Raster, x0: number, y0: number): void {
  if (tile.channels === canvas.channels) {
    const rowBytes = tile.width * tile.channels;
    for (let y = 0; y < tile.height; y++) {
      canvas.data.set(tile.data.subarray(y * rowBytes, (y + 1) * rowBytes), ((y0 + y) * canvas.width + x0) * canvas.channels);
    }
    return;
  }
  // A gray tile on an RGB canvas.
  for (let y = 0; y < tile.height; y++) {
    for (let x = 0; x < tile.width; x++) {
      const v = tile.data[y * tile.width + x];
      const o = ((y0 + y) * canvas.width + x0 + x) * 3;
      canvas.data[o] = v;
      canvas.data[o + 1] = v;
      canvas.data[o + 2] = v;
    }
  }
}
