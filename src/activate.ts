/**
 * Activate: the nonlinearity applied after the convolution.
 */
import type { FloatMap } from './types.js';

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
