import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CnnvizError } from '../src/errors.js';
import { parseInlineKernels, parseKernelFile } from '../src/kernel-parse.js';
import { checkBank, kernelRows, makeKernel, toColourKernel, tutorialKernels } from '../src/kernels.js';
import { isPresetName, listPresets, presetKernels, PRESETS } from '../src/presets.js';
import { golden } from './helpers.js';

/** Asserts `fn` throws a usage CnnvizError with exactly this message. */
function throwsUsage(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CnnvizError, `expected CnnvizError, got ${String(err)}`);
    assert.equal(err.kind, 'usage');
    assert.equal(err.message, message);
    return true;
  });
}

const rowsOf = (name: string) => presetKernels(name).map((k) => [k.name, kernelRows(k)]);

describe('presets match their published definitions', () => {
  it('tutorial: [[-1,-1,1,1]]×4, its negation, its transpose, the transpose negated', () => {
    const f1 = [[-1, -1, 1, 1], [-1, -1, 1, 1], [-1, -1, 1, 1], [-1, -1, 1, 1]];
    const t = [[-1, -1, -1, -1], [-1, -1, -1, -1], [1, 1, 1, 1], [1, 1, 1, 1]];
    const neg = (m: number[][]) => m.map((r) => r.map((v) => -v));
    assert.deepEqual(presetKernels('tutorial').map(kernelRows), [f1, neg(f1), t, neg(t)]);
    assert.deepEqual(tutorialKernels().map((k) => k.name), presetKernels('TUTORIAL').map((k) => k.name));
  });

  it('sobel: OpenCV Sobel ksize 3, x and y', () => {
    assert.deepEqual(rowsOf('sobel'), [
      ['sobel-x', [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]],
      ['sobel-y', [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]],
    ]);
  });

  it('scharr: OpenCV Scharr, x and y', () => {
    assert.deepEqual(rowsOf('scharr'), [
      ['scharr-x', [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]]],
      ['scharr-y', [[-3, -10, -3], [0, 0, 0], [3, 10, 3]]],
    ]);
  });

  it('prewitt: x and y', () => {
    assert.deepEqual(rowsOf('prewitt'), [
      ['prewitt-x', [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]],
      ['prewitt-y', [[-1, -1, -1], [0, 0, 0], [1, 1, 1]]],
    ]);
  });

  it('laplacian: 4- and 8-neighbour', () => {
    assert.deepEqual(rowsOf('laplacian'), [
      ['laplacian-4', [[0, 1, 0], [1, -4, 1], [0, 1, 0]]],
      ['laplacian-8', [[1, 1, 1], [1, -8, 1], [1, 1, 1]]],
    ]);
  });

  it('sharpen, emboss, identity', () => {
    assert.deepEqual(rowsOf('sharpen'), [['sharpen', [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]]]);
    assert.deepEqual(rowsOf('emboss'), [['emboss', [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]]]);
    assert.deepEqual(rowsOf('identity'), [['identity', [[0, 0, 0], [0, 1, 0], [0, 0, 0]]]]);
  });

  it('box: 3×3 of float32(1/9); gaussian: binomial 3×3 / 16 and 5×5 / 256, summing to 1', () => {
    assert.deepEqual(rowsOf('box'), [['box-3', [0, 1, 2].map(() => [1, 1, 1].map(() => Math.fround(1 / 9)))]]);
    const [g3, g5] = presetKernels('gaussian');
    assert.deepEqual(kernelRows(g3), [[1, 2, 1], [2, 4, 2], [1, 2, 1]].map((r) => r.map((v) => v / 16)));
    assert.deepEqual((kernelRows(g5) as number[][])[2], [6, 24, 36, 24, 6].map((v) => v / 256));
    assert.equal(g5.weights.reduce((a, b) => a + b, 0), 1);
  });

  it('every preset kernel OpenCV defines equals OpenCV\'s own (fixtures/golden/presets.json, from cv2)', () => {
    const opencv = (JSON.parse(readFileSync(golden('presets.json'), 'utf8')) as { kernels: Record<string, number[][]> }).kernels;
    const ours = new Map(Object.keys(PRESETS).flatMap((name) => presetKernels(name)).map((k) => [k.name, k]));
    assert.ok(Object.keys(opencv).length >= 8);
    for (const [name, rows] of Object.entries(opencv)) {
      const kernel = ours.get(name);
      assert.ok(kernel, `preset kernel ${name}`);
      assert.deepEqual(kernelRows(kernel), rows.map((row) => row.map(Math.fround)), name);
    }
  });

  it('has at least the ten presets the README documents, case-insensitively', () => {
    for (const name of ['tutorial', 'sobel', 'scharr', 'prewitt', 'laplacian', 'sharpen', 'box', 'gaussian', 'emboss', 'identity']) {
      assert.ok(isPresetName(name.toUpperCase()), name);
      assert.ok(Object.hasOwn(PRESETS, name));
    }
    assert.match(listPresets(), /^sobel: .*\n {2}sobel-x \(3×3\): .*\n\s+-1\s+0\s+1\n/m);
  });

  it('an unknown preset lists the known ones', () => {
    throwsUsage(() => presetKernels('sobol'), `Expected a preset (${Object.keys(PRESETS).join(', ')}) or a kernel file for --filters but received "sobol"`);
  });
});

describe("--kernel: ImageMagick's kernel syntax", () => {
  it("'3x2: 1,2,3 4,5,6' is 3 wide, 2 high, row by row", () => {
    const [k] = parseInlineKernels('3x2: 1,2,3 4,5,6');
    assert.deepEqual([k.name, k.width, k.height, kernelRows(k)], ['kernel-1', 3, 2, [[1, 2, 3], [4, 5, 6]]]);
  });

  it("'3: ...' is square, spaces or commas separate, ';' separates kernels, numbering continues", () => {
    const ks = parseInlineKernels('3: 0 -1 0, -1 5 -1, 0 -1 0; 2x1: -.5,+1e-1;', 4);
    assert.deepEqual(ks.map((k) => [k.name, k.width, k.height]), [['kernel-4', 3, 3], ['kernel-5', 2, 1]]);
    assert.deepEqual(kernelRows(ks[1]), [[-0.5, Math.fround(0.1)]]);
  });

  it('a bare list of N² values is N×N', () => {
    assert.equal(parseInlineKernels('1,2,1,2,4,2,1,2,1')[0].width, 3);
  });

  it('bad values name the kernel and the position', () => {
    throwsUsage(() => parseInlineKernels('2x2: 1,2; 2x2: 1,x,3,4'), 'Expected 4 values for a 2x2 kernel for --kernel 1 but received 2 values');
    throwsUsage(() => parseInlineKernels('2x2: 1,2,3,4; 2x2: 1,x,3,4'), 'Expected a finite number for --kernel 2, value 2 but received "x"');
    throwsUsage(() => parseInlineKernels('1x1: 1e999'), 'Expected a finite number for --kernel 1, value 1 but received "1e999"');
    throwsUsage(() => parseInlineKernels('1x1: NaN'), 'Expected a finite number for --kernel 1, value 1 but received "NaN"');
    throwsUsage(() => parseInlineKernels('1,2,3'), 'Expected a square number of values, or a size such as \'3x2:\' for --kernel 1 but received 3 values');
    throwsUsage(() => parseInlineKernels(''), 'Expected a kernel such as \'3x3: 0,-1,0 -1,5,-1 0,-1,0\' for --kernel 1 but received ""');
    throwsUsage(() => parseInlineKernels('0x2:'), 'Expected a size of at least 1x1 for --kernel 1 but received 0x2');
  });
});

describe('kernel files', () => {
  it('JSON objects with name, weights, bias and description', () => {
    const ks = parseKernelFile('[{"name":"diff","weights":[[-1,1]],"bias":0.5,"description":"d/dx"}]', 'bank.json');
    assert.deepEqual([ks[0].name, ks[0].bias, ks[0].description, kernelRows(ks[0])], ['diff', 0.5, 'd/dx', [[-1, 1]]]);
  });

  it('bare matrices are named filter-N; [3][kh][kw] is a colour kernel', () => {
    const ks = parseKernelFile('[[[1]], [[[1]],[[2]],[[3]]]]', 'bank.json');
    assert.deepEqual(ks.map((k) => [k.name, k.channels]), [['filter-1', 1], ['filter-2', 3]]);
  });

  it('a leading BOM is ignored', () => {
    assert.equal(parseKernelFile('\uFEFF[[[1, 2]]]', 'bom.json')[0].width, 2);
  });

  it("libvips .mat: 'width height scale offset', weights divided by scale, offset as bias", () => {
    const [k] = parseKernelFile('3 1 2 10\n-1 0 1\n', 'sobel.mat');
    assert.deepEqual([k.name, k.bias, kernelRows(k)], ['sobel', 10, [[-0.5, 0, 0.5]]]);
    throwsUsage(() => parseKernelFile('3 2\n1 2 3\n', 'short.mat'), 'Expected 2 rows for short.mat but received 1 rows');
    throwsUsage(() => parseKernelFile('3 1\n1 2\n', 'narrow.mat'), 'Expected 3 values for narrow.mat row 1 but received 2 values');
  });

  it('every malformed entry is an error naming the file and entry', () => {
    const cases: [string, string][] = [
      ['{', 'kernel file is not valid JSON or .mat: '],
      ['[]', 'Expected a non-empty JSON array of kernels for k.json but received an array of length 0'],
      ['[[[1,2],[3]]]', 'Expected a row of 2 numbers like row 0 for k.json[0].weights[1] but received an array of length 1'],
      ['[[]]', 'Expected a non-empty array of rows for k.json[0].weights but received an array of length 0'],
      ['[[[]]]', 'Expected a non-empty array of numbers for k.json[0].weights[0] but received an array of length 0'],
      ['[[[1,"2"]]]', 'Expected a finite number for k.json[0].weights[0][1] but received "2"'],
      ['[[[1e999]]]', 'Expected a finite number for k.json[0].weights[0][0] but received Infinity'],
      ['[[[null]]]', 'Expected a finite number for k.json[0].weights[0][0] but received null'],
      ['[{"name":"a","weights":[[1]],"bias":"x"}]', 'Expected a finite number for k.json[0].bias but received "x"'],
      ['[{"name":"../up","weights":[[1]]}]', 'Expected a name of 1 to 64 letters, digits, ".", "_", "+" or "-" (no path separators, no "..") for k.json[0].name but received "../up"'],
      ['[{"name":"a/b","weights":[[1]]}]', 'Expected a name of 1 to 64 letters, digits, ".", "_", "+" or "-" (no path separators, no "..") for k.json[0].name but received "a/b"'],
      ['[{"weights":[[1]],"__proto__":{"x":1}}]', 'Expected only the keys name, description, weights, bias for k.json[0] but received key "__proto__"'],
      ['[{"name":"a","wieghts":[[1]]}]', 'Expected only the keys name, description, weights, bias for k.json[0] but received key "wieghts"'],
      ['[[[[1]],[[2]]]]', 'Expected 1 matrix (gray) or 3 matrices (R, G, B) for k.json[0].weights but received an array of length 2'],
      ['[[[[1]],[[2]],[[3,4]]]]', 'Expected a 1×1 matrix like channel 0 for k.json[0].weights[2] but received 2×1'],
      ['[7]', 'Expected an object with "weights", or a matrix for k.json[0] but received 7'],
    ];
    for (const [text, message] of cases) {
      assert.throws(() => parseKernelFile(text, 'k.json'), (err: unknown) => {
        assert.ok(err instanceof CnnvizError && err.kind === 'usage', text);
        if (message.endsWith(': ')) assert.ok(err.message.startsWith(message), `${text}: ${err.message}`);
        else assert.equal(err.message, message, text);
        return true;
      });
    }
  });

  it('duplicate names in a bank are refused', () => {
    const ks = parseKernelFile('[{"name":"a","weights":[[1]]},{"name":"a","weights":[[2]]}]', 'k.json');
    throwsUsage(() => checkBank(ks), 'Expected a name not used by filter 1 for filters[1].name but received "a"');
  });

  it('banks of 1 to 256 filters', () => {
    const k = (i: number) => makeKernel({ name: `k${i}`, weights: [[i]] }, `k${i}`);
    checkBank(Array.from({ length: 256 }, (_, i) => k(i)));
    throwsUsage(() => checkBank(Array.from({ length: 257 }, (_, i) => k(i))), 'Expected between 1 and 256 filters for filters but received 257');
    throwsUsage(() => checkBank([]), 'Expected between 1 and 256 filters for filters but received 0');
  });

  it('a gray kernel under --color is applied to each of R, G and B', () => {
    const colour = toColourKernel(makeKernel({ name: 'd', weights: [[-1, 1]] }, 'd'));
    assert.deepEqual(kernelRows(colour), [[[-1, 1]], [[-1, 1]], [[-1, 1]]]);
  });
});
