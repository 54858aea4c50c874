/**
 * Kernel parsing: inline kernels in ImageMagick's syntax (`--kernel '3x3: 1,2,1 ...'`), JSON banks
 * and libvips' `.mat` matrices. Pure: text in, validated kernels out.
 */
import { CnnvizError, invalidParameter } from './errors.js';
import { makeKernel, validateName } from './kernels.js';
import type { Kernel } from './types.js';

/**
 * A decimal number as people write it (`-1`, `.5`, `2.5e-3`), or NaN for anything else, including
 * `NaN`, `Infinity`, hex and an exponent that overflows to infinity (`1e999`). Surrounding spaces are allowed.
 * @example parseDecimal(' 2.5e-3 ') // 0.0025
 */
export function parseDecimal(text: string): number {
  const value = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(text) ? Number(text) : NaN;
  return Number.isFinite(value) ? value : NaN;
}

/**
 * Parses one `--kernel` value: one or more kernels separated by `;`, each `WxH: v,v,v ...` with the
 * values row by row (commas and/or spaces), or a bare list of N² values for an N×N kernel, as
 * ImageMagick's `-morphology Convolve` accepts them. `first` numbers the kernels across flags.
 *
 * @throws {CnnvizError} kind `usage`, naming the kernel and the position of the bad value.
 * @example parseInlineKernels('2x1: -1, 1', 1)[0].width // 2
 */
export function parseInlineKernels(text: string, first = 1): Kernel[] {
  const parts = text.split(';').map((part) => part.trim());
  return parts.flatMap((part, i) => {
    const number = first + i;
    const where = `--kernel ${number}`;
    if (part === '') {
      if (parts.length > 1 && i === parts.length - 1) return [];
      throw invalidParameter("a kernel such as '3x3: 0,-1,0 -1,5,-1 0,-1,0'", where, part);
    }
    const match = /^(?:(\d+)(?:x(\d+))?(?:[+-]\d+[+-]\d+)?\s*:)?\s*(.*)$/s.exec(part);
    const tokens = (match?.[3] ?? '').split(/[\s,]+/).filter(Boolean);
    const values = tokens.map((token, k) => {
      const value = parseDecimal(token);
      if (Number.isNaN(value)) {
        throw invalidParameter('a finite number', `${where}, value ${k + 1}`, token);
      }
      return value;
    });
    let width: number;
    let height: number;
    if (match?.[1] !== undefined) {
      width = Number(match[1]);
      height = match[2] !== undefined ? Number(match[2]) : width;
    } else {
      width = Math.round(Math.sqrt(values.length));
      height = width;
      if (width * width !== values.length || width === 0) {
        throw invalidParameter("a square number of values, or a size such as '3x2:'", where, `${values.length} values`, true);
      }
    }
    if (width < 1 || height < 1) throw invalidParameter('a size of at least 1x1', where, `${width}x${height}`, true);
    if (values.length !== width * height) {
      throw invalidParameter(`${width * height} values for a ${width}x${height} kernel`, where, `${values.length} values`, true);
    }
    const rows = Array.from({ length: height }, (_, y) => values.slice(y * width, (y + 1) * width));
    return [makeKernel({ name: `kernel-${number}`, weights: rows }, where)];
  });
}

const ENTRY_KEYS = new Set(['name', 'description', 'weights', 'bias']);

/**
 * Parses a kernel file: JSON (an array of `{ "name", "weights", "bias"?, "description"? }` or of bare
 * matrices, `[kh][kw]` or `[3][kh][kw]`) or libvips' `.mat` text (`width height [scale [offset]]`
 * then the rows; weights are divided by scale and the offset becomes the bias, as `vips conv` does).
 *
 * @throws {CnnvizError} kind `usage` naming the file and the entry.
 * @example parseKernelFile('[[[-1, 1]]]', 'bank.json')[0].name // 'filter-1'
 */
export function parseKernelFile(text: string, fileName: string): Kernel[] {
  const body = text.replace(/^\uFEFF/, '');
  if (/\.mat$/i.test(fileName) || /^\s*\d+\s+\d+(\s+[-+.\deE]+){0,2}\s*(\r?\n|$)/.test(body)) return parseMat(body, fileName);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (err) {
    throw new CnnvizError('usage', `kernel file is not valid JSON or .mat: ${(err as Error).message.split('\n')[0]}`, fileName);
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw invalidParameter('a non-empty JSON array of kernels', fileName, parsed);
  return parsed.map((entry: unknown, i) => {
    const path = `${fileName}[${i}]`;
    if (Array.isArray(entry)) return makeKernel({ name: `filter-${i + 1}`, weights: entry }, path);
    if (entry === null || typeof entry !== 'object') throw invalidParameter('an object with "weights", or a matrix', path, entry);
    const unknown = Object.keys(entry).find((key) => !ENTRY_KEYS.has(key));
    if (unknown !== undefined) throw invalidParameter('only the keys name, description, weights, bias', path, `key ${JSON.stringify(unknown)}`, true);
    const record = entry as Record<string, unknown>;
    const description = record.description ?? '';
    if (typeof description !== 'string') throw invalidParameter('a string', `${path}.description`, description);
    return makeKernel(
      { name: Object.hasOwn(record, 'name') ? record.name as string : `filter-${i + 1}`, description, weights: record.weights, bias: record.bias },
      path,
    );
  });
}

function parseMat(text: string, fileName: string): Kernel[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const numbers = (line: string, where: string): number[] =>
    line.split(/[\s,]+/).filter(Boolean).map((token, k) => {
      const value = parseDecimal(token);
      if (Number.isNaN(value)) {
        throw invalidParameter('a finite number', `${where}, value ${k + 1}`, token);
      }
      return value;
    });
  const header = numbers(lines[0] ?? '', `${fileName} line 1`);
  const [width, height, scale = 1, offset = 0] = header;
  if (header.length < 2 || header.length > 4 || !Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw invalidParameter("a header 'width height [scale [offset]]'", `${fileName} line 1`, lines[0] ?? '');
  }
  if (scale === 0) throw invalidParameter('a non-zero scale', `${fileName} line 1`, scale);
  const rows = lines.slice(1).map((line, y) => numbers(line, `${fileName} row ${y + 1}`));
  if (rows.length !== height) throw invalidParameter(`${height} rows`, fileName, `${rows.length} rows`, true);
  rows.forEach((row, y) => {
    if (row.length !== width) throw invalidParameter(`${width} values`, `${fileName} row ${y + 1}`, `${row.length} values`, true);
  });
  const stem = fileName.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  const name = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(stem) && !stem.includes('..') ? stem : 'matrix';
  validateName(name, `${fileName} name`);
  return [makeKernel({ name, weights: rows.map((row) => row.map((v) => v / scale)), bias: offset }, fileName)];
}
