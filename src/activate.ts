/**
 * Activate: the nonlinearity after the convolution, as PyTorch computes it in float32.
 */
import type { FloatMap } from './types.js';

/** The activation: ReLU (default), none, leaky ReLU with a negative slope, or absolute value. */
export type Activation = { kind: 'relu' } | { kind: 'none' } | { kind: 'leaky-relu'; slope: number } | { kind: 'abs' };

/** ReLU, the tutorial's activation. */
export const RELU: Activation = { kind: 'relu' };

/** PyTorch's default negative slope for `F.leaky_relu`. */
export const DEFAULT_LEAKY_SLOPE = 0.01;

/**
 * The activation's name as flags, files and labels use it: `relu`, `none`, `leaky-relu`, `abs`.
 * @example activationName({ kind: 'leaky-relu', slope: 0.1 }) // 'leaky-relu'
 */
export function activationName(activation: Activation): string {
  return activation.kind;
}

/**
 * ReLU, `max(v, 0)`, identical to `torch.nn.functional.relu` on float32 (no −0 can appear:
 * the convolution never produces one).
 * @example relu({ width: 2, height: 1, data: Float32Array.of(-0.5, 0.25) }).data // [0, 0.25]
 */
export function relu(map: FloatMap): FloatMap {
  const src = map.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    out[i] = v > 0 ? v : 0;
  }
  return { width: map.width, height: map.height, data: out };
}

/**
 * Applies an activation, bit-identical to `F.relu`, `F.leaky_relu` (negative values times the
 * slope rounded to float32, as PyTorch casts it), `torch.abs`; `none` returns the map itself.
 * @example activate(map, { kind: 'leaky-relu', slope: 0.1 })
 */
export function activate(map: FloatMap, activation: Activation): FloatMap {
  if (activation.kind === 'none') return map;
  if (activation.kind === 'relu') return relu(map);
  const src = map.data;
  const out = new Float32Array(src.length);
  if (activation.kind === 'abs') {
    for (let i = 0; i < src.length; i++) out[i] = Math.abs(src[i]);
  } else {
    const slope = Math.fround(activation.slope);
    for (let i = 0; i < src.length; i++) {
      const v = src[i];
      out[i] = v > 0 ? v : Math.fround(v * slope);
    }
  }
  return { width: map.width, height: map.height, data: out };
}

/**
 * Max-pooling with a size×size window and stride `size`, dropping a partial last row or column,
 * as `F.max_pool2d(x, size)` does. The caller checks the map is at least size×size.
 * @example maxPool({ width: 3, height: 2, data: Float32Array.of(1, 5, 9, 3, 2, 0) }, 2).data // [5]
 */
export function maxPool(map: FloatMap, size: number): FloatMap {
  const width = Math.floor(map.width / size);
  const height = Math.floor(map.height / size);
  const out = new Float32Array(width * height);
  const src = map.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let best = -Infinity;
      for (let py = 0; py < size; py++) {
        const row = (y * size + py) * map.width + x * size;
        for (let px = 0; px < size; px++) {
          const v = src[row + px];
          if (v > best) best = v;
        }
      }
      out[y * width + x] = best;
    }
  }
  return { width, height, data: out };
}
