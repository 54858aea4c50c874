/**
 * Grid: the composite `grid.png`, rows of labelled tiles on white, text in the bundled bitmap
 * font so the picture is pixel-identical on every machine. Large tiles are shown reduced by area
 * averaging over whole blocks; the tile files themselves stay full size.
 */
import { drawText, GLYPH_HEIGHT, measureText } from './font.js';
import type { GrayImage } from './types.js';

/** One tile of the grid with the caption drawn above it. */
export interface GridTile {
  label: string;
  image: GrayImage;
}

/** One row of the grid: a title line, then its tiles left to right (wrapping after `columns`). */
export interface GridRow {
  title: string;
  tiles: GridTile[];
}

/** Layout options of {@link composeGrid}. */
export interface GridOptions {
  /** Longest side of a tile as shown in the grid, in pixels; larger tiles are reduced. Default 512. */
  maxTileSide?: number;
  /** Tiles per line before wrapping. Default 8. */
  columns?: number;
  /** Space between tiles and around the edge, in pixels. Default 16. */
  gap?: number;
}

/** Default longest side of a tile in the grid. */
export const GRID_MAX_TILE_SIDE = 512;
const TEXT_SCALE = 2;
const TEXT_HEIGHT = GLYPH_HEIGHT * TEXT_SCALE;
const LABEL_GAP = 6;
const BACKGROUND = 255;
const INK = 0;
const FRAME = 0;

/**
 * Lays out rows of labelled tiles on a white canvas.
 * @example composeGrid([{ title: 'Input', tiles: [{ label: 'Input', image: tile }] }]).width
 */
export function composeGrid(rows: readonly GridRow[], options: GridOptions = {}): GrayImage {
  const maxSide = options.maxTileSide ?? GRID_MAX_TILE_SIDE;
  const columns = Math.max(1, options.columns ?? 8);
  const gap = options.gap ?? 16;
  const shown = rows.map((row) => ({
    title: row.title,
    tiles: row.tiles.map((tile) => ({ label: tile.label, image: fitTile(tile.image, maxSide) })),
  }));
  const cellWidth = Math.max(1, ...shown.flatMap((row) => row.tiles.map((tile) => tile.image.width)));
  const usedColumns = Math.min(columns, Math.max(1, ...shown.map((row) => row.tiles.length)));
  const titleWidth = Math.max(0, ...shown.map((row) => measureText(row.title, TEXT_SCALE).width));
  const width = Math.max(usedColumns * cellWidth + (usedColumns + 1) * gap, titleWidth + 2 * gap);

  const lines = shown.map((row) => {
    const chunks: (typeof row.tiles)[] = [];
    for (let i = 0; i < row.tiles.length; i += columns) chunks.push(row.tiles.slice(i, i + columns));
    return chunks;
  });
  let height = gap;
  for (const chunks of lines) {
    height += TEXT_HEIGHT + gap;
    for (const chunk of chunks) height += TEXT_HEIGHT + LABEL_GAP + Math.max(0, ...chunk.map((t) => t.image.height)) + gap;
  }

  const canvas: GrayImage = { width, height, data: new Uint8Array(width * height).fill(BACKGROUND) };
  let y = gap;
  shown.forEach((row, r) => {
    drawText(canvas, row.title, gap, y, INK, TEXT_SCALE);
    y += TEXT_HEIGHT + gap;
    for (const chunk of lines[r]) {
      const lineHeight = Math.max(0, ...chunk.map((t) => t.image.height));
      chunk.forEach((tile, c) => {
        const x0 = gap + c * (cellWidth + gap);
        const label = fitLabel(tile.label, cellWidth);
        drawText(canvas, label, x0 + ((cellWidth - measureText(label, TEXT_SCALE).width) >> 1), y, INK, TEXT_SCALE);
        const tx = x0 + ((cellWidth - tile.image.width) >> 1);
        const ty = y + TEXT_HEIGHT + LABEL_GAP;
        frame(canvas, tx - 1, ty - 1, tile.image.width + 2, tile.image.height + 2);
        blit(canvas, tile.image, tx, ty);
      });
      y += TEXT_HEIGHT + LABEL_GAP + lineHeight + gap;
    }
  });
  return canvas;
}

/**
 * Reduces an image by the smallest whole factor f that brings its longest side to `maxSide` or
 * less, each output pixel the rounded mean of an f×f block (fewer at the right and bottom edges).
 * @example downscaleArea(image, 512) // a 4000×3000 image becomes 500×375 (f = 8)
 */
export function downscaleArea(image: GrayImage, maxSide: number): GrayImage {
  const factor = Math.ceil(Math.max(image.width, image.height) / maxSide);
  if (factor <= 1) return image;
  const width = Math.ceil(image.width / factor);
  const height = Math.ceil(image.height / factor);
  const sums = new Uint32Array(width);
  const counts = new Uint32Array(width);
  const out = new Uint8Array(width * height);
  for (let oy = 0; oy < height; oy++) {
    sums.fill(0);
    counts.fill(0);
    const yEnd = Math.min(image.height, (oy + 1) * factor);
    for (let y = oy * factor; y < yEnd; y++) {
      const row = y * image.width;
      for (let x = 0; x < image.width; x++) {
        const ox = (x / factor) | 0;
        sums[ox] += image.data[row + x];
        counts[ox]++;
      }
    }
    for (let ox = 0; ox < width; ox++) out[oy * width + ox] = Math.floor((sums[ox] + (counts[ox] >> 1)) / counts[ox]);
  }
  return { width, height, data: out };
}

function fitTile(image: GrayImage, maxSide: number): GrayImage {
  return Math.max(image.width, image.height) > maxSide ? downscaleArea(image, maxSide) : image;
}

function fitLabel(label: string, width: number): string {
  if (measureText(label, TEXT_SCALE).width <= width) return label;
  let cut = label;
  while (cut.length > 1 && measureText(`${cut}…`, TEXT_SCALE).width > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** A one-pixel frame, like matplotlib's axes spines, so white tiles stand out from the page. */
function frame(canvas: GrayImage, x0: number, y0: number, w: number, h: number): void {
  const top = y0 * canvas.width;
  const bottom = (y0 + h - 1) * canvas.width;
  canvas.data.fill(FRAME, top + x0, top + x0 + w);
  canvas.data.fill(FRAME, bottom + x0, bottom + x0 + w);
  for (let y = y0; y < y0 + h; y++) {
    canvas.data[y * canvas.width + x0] = FRAME;
    canvas.data[y * canvas.width + x0 + w - 1] = FRAME;
  }
}

function blit(canvas: GrayImage, tile: GrayImage, x0: number, y0: number): void {
  for (let y = 0; y < tile.height; y++) {
    canvas.data.set(tile.data.subarray(y * tile.width, (y + 1) * tile.width), (y0 + y) * canvas.width + x0);
  }
}
