/**
 * Colormap: turns colour indices into pixels with matplotlib's own tables, so a tile equals what
 * `plt.imsave(map, cmap=name)` writes.
 */
import { COLORMAP_TABLES } from './colormap-tables.js';
import { invalidParameter } from './errors.js';
import type { Raster } from './types.js';

/** The colormaps cnnviz knows, by matplotlib's names. */
export type ColormapName = keyof typeof COLORMAP_TABLES;

/** All colormap names, in the order the help lists them. */
export const COLORMAP_NAMES = Object.keys(COLORMAP_TABLES) as ColormapName[];

/** Colormaps centred on a neutral middle colour, for signed data: symmetric normalisation is their default. */
export const DIVERGING_COLORMAPS: ReadonlySet<ColormapName> = new Set<ColormapName>(['RdBu', 'bwr', 'seismic', 'coolwarm']);

/**
 * matplotlib's `gray` colormap as `imsave` writes it: index i gives i, except 24 entries that come
 * out one lower because matplotlib builds the table in floating point and truncates
 * (i = 33, 37, 41, …, 244). Computed with the same double arithmetic (and checked against the
 * table generated from matplotlib).
 */
export const GRAY_LUT: Uint8Array = Uint8Array.from({ length: 256 }, (_, i) => {
  const t = i === 255 ? 1 : i * (1 / 255);
  return Math.trunc(((255 * t) / 255) * 255);
});

/**
 * The 256 × RGB table of a colormap, interleaved.
 * @example colormapTable('viridis').subarray(0, 3) // the RGB of index 0
 */
export function colormapTable(name: ColormapName): Uint8Array {
  return Uint8Array.from(Buffer.from(COLORMAP_TABLES[name], 'hex'));
}

/**
 * Resolves a case-insensitive colormap name to matplotlib's spelling.
 * @throws {CnnvizError} kind `usage` listing the known names.
 * @example parseColormap('rdbu') // 'RdBu'
 */
export function parseColormap(text: string): ColormapName {
  const found = COLORMAP_NAMES.find((name) => name.toLowerCase() === text.trim().toLowerCase());
  if (!found) throw invalidParameter(`one of ${COLORMAP_NAMES.join(', ')}`, '--colormap', text);
  return found;
}

/**
 * Maps colour indices through matplotlib's gray colormap into an 8-bit gray raster.
 * @example applyGray(Uint8Array.of(0, 33, 255), 3, 1).data // [0, 32, 255]
 */
export function applyGray(indices: Uint8Array, width: number, height: number): Raster {
  const out = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = GRAY_LUT[indices[i]];
  return { width, height, channels: 1, data: out };
}

/**
 * Maps colour indices through a colormap: a 1-channel raster for `gray`, RGB for the others.
 * @example applyColormap(indices, 317, 210, 'viridis').channels // 3
 */
export function applyColormap(indices: Uint8Array, width: number, height: number, name: ColormapName): Raster {
  if (name === 'gray') return applyGray(indices, width, height);
  const table = colormapTable(name);
  const out = new Uint8Array(indices.length * 3);
  for (let i = 0, j = 0; i < indices.length; i++, j += 3) {
    const t = indices[i] * 3;
    out[j] = table[t];
    out[j + 1] = table[t + 1];
    out[j + 2] = table[t + 2];
  }
  return { width, height, channels: 3, data: out };
}
