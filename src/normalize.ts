/**
 * Normalize: maps float values to 256 colour indices exactly as matplotlib's `imsave` does with
 * automatic vmin/vmax: every step in float32, then `floor(q * 256)` with 1.0 folded into 255.
 * Normalising in float64 instead moves up to ~100 pixels per map by one level.
 */
import type { Arena } from './arena.js';
import { deriveStats, simdStats, type RawStats, type Transform } from './simd.js';
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

/**
 * How maps are mapped to colours: `per-map` min–max (matplotlib's default), one range `shared` by all
 * maps of a stage, `symmetric` around zero per map (zero is the middle colour), or `none` (the values
 * as they are, clamped to [0, 1]).
 */
export type NormalizeMode = 'per-map' | 'shared' | 'symmetric' | 'none';

/** The normalisation modes, for flag validation and help. */
export const NORMALIZE_MODES: readonly NormalizeMode[] = ['per-map', 'shared', 'symmetric', 'none'];

/**
 * The range each map of one stage is rendered with. An explicit `range` wins over the mode.
 * @example stageRanges([a, b], 'shared') // both get { min: min(a, b), max: max(a, b) }
 */
export function stageRanges(maps: readonly FloatMap[], mode: NormalizeMode, range?: ValueRange): ValueRange[] {
  return rangesFromOwn(maps.map(mapRange), mode, range);
}

/**
 * The ranges of a stage from each map's own min and max (see {@link stageRanges}).
 * @example rangesFromOwn([{ min: -1, max: 2 }], 'symmetric') // [{ min: -2, max: 2 }]
 */
export function rangesFromOwn(own: readonly ValueRange[], mode: NormalizeMode, range?: ValueRange): ValueRange[] {
  if (range) return own.map(() => ({ ...range }));
  if (mode === 'none') return own.map(() => ({ min: 0, max: 1 }));
  if (mode === 'per-map') return own.map(({ min, max }) => ({ min, max }));
  if (mode === 'symmetric') {
    return own.map(({ min, max }) => {
      const m = Math.max(Math.abs(min), Math.abs(max));
      return { min: -m, max: m };
    });
  }
  const shared = own.reduce((a, b) => ({ min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) }), { min: Infinity, max: -Infinity });
  return own.map(() => ({ ...shared }));
}

/** Summary statistics of a map, for the manifest. */
export interface MapStats extends ValueRange {
  /** Mean of the float32 values, accumulated in float64. */
  mean: number;
  /** Fraction of values that are exactly zero, in [0, 1]. */
  zeroFraction: number;
}

/**
 * Minimum, maximum, mean and fraction of zeros of a map (of its transformed values: `relu`, `negate`,
 * so a ReLU or negated map need not exist). The mean is the sum of the positive values plus the sum
 * of the negative ones, each accumulated in float64 over eight SIMD lanes and combined in a fixed
 * order, over the count: deterministic to the last bit, though not the left-to-right sum.
 * @example mapStats({ width: 2, height: 1, data: Float32Array.of(0, 1) }) // { min: 0, max: 1, mean: 0.5, zeroFraction: 0.5 }
 */
export function mapStats(map: FloatMap, transform: Transform = 'none', arena?: Arena): MapStats {
  return statsOf(simdStats(map.data, arena), transform);
}

/**
 * The manifest's statistics of a transform of a map, from one {@link simdStats} pass.
 * @example statsOf(raw, 'relu').zeroFraction
 */
export function statsOf(raw: RawStats, transform: Transform = 'none'): MapStats {
  const { min, max, sum, zeros } = deriveStats(raw, transform);
  return { min, max, mean: sum / raw.count, zeroFraction: zeros / raw.count };
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
  // matplotlib subtracts its vmin/vmax (doubles) in double and rounds the span once; for a map's
  // own float32 min and max that is the same as subtracting in float32.
  const min = Math.fround(range.min);
  const span = Math.fround(range.max - range.min);
  if (!(span > 0)) return out;
  const fround = Math.fround;
  for (let i = 0; i < src.length; i++) {
    const q = fround(fround(src[i] - min) / span);
    const index = Math.floor(q * 256);
    out[i] = index > 255 ? 255 : index < 0 ? 0 : index;
  }
  return out;
}
