/**
 * NumPy `.npy` files (format 1.0, little-endian float32, C order), so the float maps can be read
 * with `numpy.load(path)` and no flags. Pure: arrays in, bytes out.
 */
import { invalidParameter } from './errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Encodes float32 values of the given shape as an `.npy` file. The header is padded with spaces so
 * the data starts on a 64-byte boundary, as numpy writes it.
 * @throws {CnnvizError} kind `usage` when the shape does not hold exactly `data.length` values.
 * @example encodeNpy([2, 3], Float32Array.of(1, 2, 3, 4, 5, 6)) // 128 + 24 bytes
 */
export function encodeNpy(shape: readonly number[], data: Float32Array): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw invalidParameter(`${count} values for shape (${shape.join(', ')})`, 'npy data', `${data.length} values`, true);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = MAGIC.length + 4 + dict.length + 1;
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(MAGIC.length + 4 + header.length + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1; // format 1.0
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < data.length; i++) body.setFloat32(i * 4, data[i], true);
  return out;
}

/**
 * Stacks maps of one size into an N×H×W array for {@link encodeNpy}.
 * @example stack([a, b]) // { shape: [2, a.height, a.width], data }
 */
export function stack(maps: readonly { width: number; height: number; data: Float32Array }[]): { shape: number[]; data: Float32Array } {
  const { width, height } = maps[0];
  const data = new Float32Array(maps.length * width * height);
  maps.forEach((map, i) => data.set(map.data, i * width * height));
  return { shape: [maps.length, height, width], data };
}
