/**
 * A tiny WebAssembly binary writer: just enough of the format (one imported memory, functions over
 * i32 and v128 locals, SIMD arithmetic, loads and stores) for `convolve-simd.ts` to generate a
 * straight-line kernel for the exact weights and image width of a run. Generating at run time keeps
 * the weights and offsets as constants in the code, needs no build step and no shipped binary.
 */

/** The i32 value type of the generated code. */
export const I32 = 0x7f;
/** The f32 value type. */
export const F32 = 0x7d;
/** The v128 (SIMD) value type. */
export const V128 = 0x7b;

type I32Op = 'add' | 'sub' | 'mul' | 'div_u' | 'lt_s' | 'gt_s' | 'ge_s' | 'le_s' | 'lt_u' | 'shr_u' | 'shl' | 'and' | 'eqz';
const I32_OPS: Record<I32Op, number> = {
  add: 0x6a, sub: 0x6b, mul: 0x6c, div_u: 0x6e, lt_s: 0x48, lt_u: 0x49, gt_s: 0x4a, le_s: 0x4c, ge_s: 0x4e, shl: 0x74, shr_u: 0x76, and: 0x71, eqz: 0x45,
};
type FloatOp = 'f32.div' | 'f32.convert_i32_u' | 'f64.add';
const FLOAT_OPS: Record<FloatOp, number> = { 'f32.div': 0x95, 'f32.convert_i32_u': 0xb3, 'f64.add': 0xa0 };
type V128Op =
  | 'i32x4.trunc_sat_f32x4_s'
  | 'i16x8.narrow_i32x4_s'
  | 'i8x16.narrow_i16x8_u'
  | 'i32x4.sub'
  | 'i32x4.add'
  | 'f64x2.promote_low_f32x4'
  | 'f64x2.add'
  | 'f32x4.neg'
  | 'i8x16.swizzle'
  | 'i8x16.shr_u'
  | 'i8x16.sub'
  | 'i8x16.add'
  | 'i8x16.ne'
  | 'v128.and'
  | 'v128.or'
  | 'i16x8.extend_low_i8x16_u'
  | 'i16x8.extend_high_i8x16_u'
  | 'i32x4.extend_low_i16x8_u'
  | 'i32x4.extend_high_i16x8_u'
  | 'i32x4.mul'
  | 'i32x4.shr_u'
  | 'f32x4.convert_i32x4_s';
const V128_OPS: Record<V128Op, number> = {
  'i32x4.trunc_sat_f32x4_s': 0xf8,
  'i16x8.narrow_i32x4_s': 0x85,
  'i8x16.narrow_i16x8_u': 0x66,
  'i32x4.sub': 0xb1,
  'i32x4.add': 0xae,
  'f64x2.promote_low_f32x4': 0x5f,
  'f64x2.add': 0xf0,
  'f32x4.neg': 0xe1,
  'i8x16.swizzle': 0x0e,
  'i8x16.shr_u': 0x6d,
  'i8x16.sub': 0x71,
  'i8x16.add': 0x6e,
  'i8x16.ne': 0x24,
  'v128.and': 0x4e,
  'v128.or': 0x50,
  'i16x8.extend_low_i8x16_u': 0x89,
  'i16x8.extend_high_i8x16_u': 0x8a,
  'i32x4.extend_low_i16x8_u': 0xa9,
  'i32x4.extend_high_i16x8_u': 0xaa,
  'i32x4.mul': 0xb5,
  'i32x4.shr_u': 0xad,
  'f32x4.convert_i32x4_s': 0xfa,
};

/** Unsigned LEB128. */
function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 for i32 values. */
function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const encoder = new TextEncoder();
const name = (text: string): number[] => {
  const bytes = Array.from(encoder.encode(text));
  return [...uleb(bytes.length), ...bytes];
};
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

/**
 * Builds one function body. Methods append instructions; the emitted code is checked by
 * `WebAssembly.Module` when compiled, so a mistake fails loudly, never silently.
 */
export class FunctionBody {
  private readonly code: number[] = [];
  private readonly locals: number[] = [];
  private readonly paramCount: number;

  constructor(paramCount: number) {
    this.paramCount = paramCount;
  }

  /** Declares a local of `type` and returns its index. */
  local(type: number): number {
    this.locals.push(type);
    return this.paramCount + this.locals.length - 1;
  }

  get(index: number): this {
    this.code.push(0x20, ...uleb(index));
    return this;
  }
  set(index: number): this {
    this.code.push(0x21, ...uleb(index));
    return this;
  }
  tee(index: number): this {
    this.code.push(0x22, ...uleb(index));
    return this;
  }
  i32(value: number): this {
    this.code.push(0x41, ...sleb(value));
    return this;
  }
  f32(value: number): this {
    this.code.push(0x43, ...new Uint8Array(new Float32Array([value]).buffer));
    return this;
  }
  /** i32 arithmetic and comparisons by name. */
  op(name: I32Op): this {
    this.code.push(I32_OPS[name]);
    return this;
  }
  /** Scalar f32 and f64 operations by name. */
  float(name: FloatOp): this {
    this.code.push(FLOAT_OPS[name]);
    return this;
  }
  select(): this {
    this.code.push(0x1b);
    return this;
  }
  loop(): this {
    this.code.push(0x03, 0x40);
    return this;
  }
  block(): this {
    this.code.push(0x02, 0x40);
    return this;
  }
  brIf(depth: number): this {
    this.code.push(0x0d, ...uleb(depth));
    return this;
  }
  end(): this {
    this.code.push(0x0b);
    return this;
  }
  load8(offset: number): this {
    this.code.push(0x2d, 0, ...uleb(offset));
    return this;
  }
  store8(offset: number): this {
    this.code.push(0x3a, 0, ...uleb(offset));
    return this;
  }
  f64Store(offset: number): this {
    this.code.push(0x39, 3, ...uleb(offset));
    return this;
  }
  i32Store(offset: number): this {
    this.code.push(0x36, 2, ...uleb(offset));
    return this;
  }
  i32Load(offset: number): this {
    this.code.push(0x28, 2, ...uleb(offset));
    return this;
  }
  f32Load(offset: number): this {
    this.code.push(0x2a, 2, ...uleb(offset));
    return this;
  }
  f32Store(offset: number): this {
    this.code.push(0x38, 2, ...uleb(offset));
    return this;
  }
  private simd(opcode: number): this {
    this.code.push(0xfd, ...uleb(opcode));
    return this;
  }
  v128Load(offset: number): this {
    this.simd(0x00);
    this.code.push(0, ...uleb(offset)); // alignment hint 1: loads at any float offset
    return this;
  }
  v128Store(offset: number): this {
    this.simd(0x0b);
    this.code.push(0, ...uleb(offset));
    return this;
  }
  /** A v128 constant of 16 bytes. */
  v128Const(bytes: readonly number[]): this {
    this.simd(0x0c);
    this.code.push(...bytes.map((b) => b & 0xff));
    return this;
  }
  /** A v128 constant of four equal i32 lanes. */
  i32x4Const(value: number): this {
    return this.v128Const(Array.from(new Uint8Array(new Int32Array([value, value, value, value]).buffer)));
  }
  /** A v128 constant of four equal float32 lanes. */
  f32x4Const(value: number): this {
    const bytes = new Uint8Array(new Float32Array([value, value, value, value]).buffer);
    this.simd(0x0c);
    this.code.push(...bytes);
    return this;
  }
  /** f32x4 arithmetic by name. */
  f32x4(name: 'add' | 'sub' | 'mul' | 'div' | 'min' | 'max' | 'pmin' | 'pmax' | 'floor' | 'eq' | 'lt'): this {
    const codes = { eq: 0x41, lt: 0x43, floor: 0x68, add: 0xe4, sub: 0xe5, mul: 0xe6, div: 0xe7, min: 0xe8, max: 0xe9, pmin: 0xea, pmax: 0xeb };
    return this.simd(codes[name]);
  }
  /** f32x4.splat of the f32 on the stack. */
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  /** Other SIMD operations by name. */
  v128(name: V128Op): this {
    return this.simd(V128_OPS[name]);
  }
  /** Extracts lane `lane` of an f32x4 or f64x2 vector. */
  extractLane(shape: 'f32x4' | 'f64x2' | 'i32x4', lane: number): this {
    this.simd({ i32x4: 0x1b, f32x4: 0x1f, f64x2: 0x21 }[shape]);
    this.code.push(lane);
    return this;
  }
  /** i8x16.shuffle with 16 lane indices (0–31). */
  shuffle(lanes: readonly number[]): this {
    this.simd(0x0d);
    this.code.push(...lanes);
    return this;
  }

  /** The encoded body: locals, then the code, then `end`. */
  bytes(): number[] {
    const groups: number[][] = this.locals.map((type) => [1, type]);
    const body = [...vector(groups), ...this.code, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

/**
 * Assembles a module with one imported memory (`env.memory`) and exported functions.
 * @example new WebAssembly.Module(moduleBytes([{ name: 'run', params: [I32], body }]))
 */
export function moduleBytes(functions: { name: string; params: number[]; body: FunctionBody }[]): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...uleb(f.params.length), ...f.params, 0]);
  const imports = [[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]];
  const exports = functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(2, vector(imports)),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(exports)),
    ...section(10, vector(functions.map((f) => f.body.bytes()))),
  ]);
}

/** Whether this runtime runs WebAssembly SIMD (Node 16.4+ does). */
export const SIMD_AVAILABLE: boolean = (() => {
  try {
    const probe = new FunctionBody(0);
    probe.i32(0).f32x4Const(1).f32x4Const(2).f32x4('add').v128Store(0);
    return WebAssembly.validate(moduleBytes([{ name: 'probe', params: [], body: probe }]));
  } catch {
    return false;
  }
})();
