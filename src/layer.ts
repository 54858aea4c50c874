/**
 * Layer: stride, padding and dilation with PyTorch's semantics and output-size formula,
 * `out = floor((in + padBefore + padAfter − dilation·(k − 1) − 1) / stride) + 1`.
 */
import { CnnvizError } from './errors.js';
import type { Kernel } from './types.js';

/** `valid` (no padding), `same` (output as large as the input; stride 1 only) or zero padding per side, [y, x]. */
export type PaddingSpec = 'valid' | 'same' | readonly [number, number];

/** The shape of the layer, shared by every filter. */
export interface LayerOptions {
  /** Step between windows, [y, x]. Default [1, 1]. */
  stride: readonly [number, number];
  padding: PaddingSpec;
  /** Spacing between kernel taps, [y, x]. Default [1, 1]. */
  dilation: readonly [number, number];
}

/** The tutorial's layer: valid, stride 1, dilation 1. */
export const DEFAULT_LAYER: LayerOptions = { stride: [1, 1], padding: 'valid', dilation: [1, 1] };

/** Zero padding in pixels on each side. */
export interface Padding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * The padding of one kernel. `same` pads `dilation·(k − 1)` in all, the smaller half before and
 * the larger after, as PyTorch does for even kernels.
 * @example resolvePadding('same', { width: 4, height: 4 }, [1, 1]) // { top: 1, bottom: 2, left: 1, right: 2 }
 */
export function resolvePadding(spec: PaddingSpec, kernel: Pick<Kernel, 'width' | 'height'>, dilation: readonly [number, number]): Padding {
  if (spec === 'valid') return { top: 0, bottom: 0, left: 0, right: 0 };
  if (spec === 'same') {
    const totalY = dilation[0] * (kernel.height - 1);
    const totalX = dilation[1] * (kernel.width - 1);
    return { top: totalY >> 1, bottom: totalY - (totalY >> 1), left: totalX >> 1, right: totalX - (totalX >> 1) };
  }
  return { top: spec[0], bottom: spec[0], left: spec[1], right: spec[1] };
}

/**
 * Whether a layer is the plain valid, stride-1, undilated one (the fast, bit-exact path).
 * @example isPlainLayer(DEFAULT_LAYER) // true
 */
export function isPlainLayer(layer: LayerOptions): boolean {
  return (
    layer.stride[0] === 1 && layer.stride[1] === 1 && layer.dilation[0] === 1 && layer.dilation[1] === 1 &&
    (layer.padding === 'valid' || (layer.padding !== 'same' && layer.padding[0] === 0 && layer.padding[1] === 0))
  );
}

/**
 * The output size of one kernel on an input, by PyTorch's formula.
 * @throws {CnnvizError} kind `input` when the (dilated) kernel does not fit the padded input, naming `subject`.
 * @example layerOutputSize({ width: 320, height: 213 }, kernel4x4, DEFAULT_LAYER) // { width: 317, height: 210 }
 */
export function layerOutputSize(
  input: { width: number; height: number },
  kernel: Pick<Kernel, 'width' | 'height' | 'name'>,
  layer: LayerOptions = DEFAULT_LAYER,
  subject?: string,
): { width: number; height: number } {
  const pad = resolvePadding(layer.padding, kernel, layer.dilation);
  const spanY = layer.dilation[0] * (kernel.height - 1) + 1;
  const spanX = layer.dilation[1] * (kernel.width - 1) + 1;
  const paddedH = input.height + pad.top + pad.bottom;
  const paddedW = input.width + pad.left + pad.right;
  if (paddedW < spanX || paddedH < spanY) {
    const dilated = spanX !== kernel.width || spanY !== kernel.height ? ` (${spanX}×${spanY} dilated)` : '';
    const padded = paddedW !== input.width || paddedH !== input.height ? ` (${paddedW}×${paddedH} padded)` : '';
    throw new CnnvizError(
      'input',
      `image is ${input.width}×${input.height} pixels${padded}, smaller than the ${kernel.width}×${kernel.height} kernel '${kernel.name}'${dilated}`,
      subject,
    );
  }
  return {
    width: Math.floor((paddedW - spanX) / layer.stride[1]) + 1,
    height: Math.floor((paddedH - spanY) / layer.stride[0]) + 1,
  };
}
