/**
 * Normalize: maps float values to 256 colour indices exactly as matplotlib's `imsave` does with
 * automatic vmin/vmax: every step in float32, then `floor(q * 256)` with 1.0 folded into 255.
 * Normalising in float64 instead moves up to ~100 pixels per map by one level.
 */
import type { FloatMap, ValueRange } from './types.js';

/**
 * The minimum and maximum of a map (a loop: `Math.min(...data)` throws past ~125k values).
 * @example mapRange({ width: 3, height: 1, data: Float32Array.of(2, -1, 5) }) // { min: -1, max: 5 }
 */
export function mapRange(map: FloatMap): ValueRange {
  const data = map.data;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Summary statistics of a map, for the manifest. */
export interface MapStats extends ValueRange {
  /** Mean of the float32 values, accumulated in float64. */
  mean: number;
  /** Fraction of values that are exactly zero, in [0, 1]. */
  zeroFraction: number;
}

/**
 * Minimum, maximum, mean and fraction of zeros of a map.
 * @example mapStats({ width: 2, height: 1, data: Float32Array.of(0, 1) }) // { min: 0, max: 1, mean: 0.5, zeroFraction: 0.5 }
 */
export function mapStats(map: FloatMap): MapStats {
  const data = map.data;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    if (v === 0) zeros++;
  }
  return { min, max, mean: sum / data.length, zeroFraction: zeros / data.length };
}

/**
 * Colour indices 0..255 for every value, normalised by `range` as matplotlib does. A constant map
 * (`min === max`) gets index 0 everywhere (black in the gray colormap), as `imsave` renders it.
 * Values outside the range are clamped to the end indices.
 *
 * @example quantize(map, mapRange(map)) // Uint8Array of map.width * map.height indices
 */
export function quantize(map: FloatMap, range: ValueRange): Uint8Array {
  const src = map.data;
  const out = new Uint8Array(src.length);
  const min = Math.fround(range.min);
  const span = Math.fround(Math.fround(range.max) - min);
  if (!(span > 0)) return out;
  const fround = Math.fround;
  for (let i = 0; i < src.length; i++) {
    const q = fround(fround(src[i] - min) / span);
    const index = Math.floor(q * 256);
    out[i] = index > 255 ? 255 : index < 0 ? 0 : index;
  }
  return out;
}
