/**
 * Arena: one WebAssembly memory holding a render's large buffers (the gray input, the feature maps,
 * the tiles), sized once up front, so the SIMD kernels work on them in place: no copies, and no
 * growth (growing a memory would detach every view on it). On this machine first-touching fresh
 * memory costs about 0.8 ms per MB, so each buffer not made is time saved.
 */

/** A bump allocator over one WebAssembly memory, with regions handed back for reuse. */
export interface Arena {
  memory: WebAssembly.Memory;
  /** Bytes available. */
  size: number;
  /** Next never-used byte; only grows. */
  next: number;
  /** Regions given back with {@link release}: reusing them avoids first-touching fresh pages. */
  free: { offset: number; size: number }[];
}

const PAGE = 65536;
/** Bytes reserved at the start of every arena for kernel results and tables. */
export const ARENA_SCRATCH = 1024;

/**
 * Creates an arena of at least `bytes` bytes beyond the scratch area.
 * @example const arena = createArena(4 * width * height * 3);
 */
export function createArena(bytes: number): Arena {
  const pages = Math.max(1, Math.ceil((ARENA_SCRATCH + bytes + 64) / PAGE));
  const memory = new WebAssembly.Memory({ initial: pages });
  return { memory, size: pages * PAGE, next: ARENA_SCRATCH, free: [] };
}

/**
 * Bytes to reserve for `count` elements of `bytesPer` bytes, with alignment slack.
 * @example arenaBytes(width * height, 4) // bytes for one float map
 */
export function arenaBytes(count: number, bytesPer: number): number {
  return count * bytesPer + 16;
}

function reserve(arena: Arena, bytes: number): number {
  const region = arena.free.find((r) => r.size >= bytes);
  if (region) {
    const offset = region.offset;
    const used = (bytes + 15) & ~15;
    region.offset += used;
    region.size -= used;
    if (region.size <= 0) arena.free.splice(arena.free.indexOf(region), 1);
    return offset;
  }
  const offset = (arena.next + 15) & ~15;
  if (offset + bytes > arena.size) throw new Error(`arena of ${arena.size} bytes cannot hold ${bytes} more at ${offset}`);
  arena.next = offset + bytes;
  return offset;
}

/**
 * Hands a view's bytes back to the arena for later allocations (the view must not be used again).
 * @example release(arena, rgbCopy); // its pages are reused by the next tiles
 */
export function release(arena: Arena, view: ArrayBufferView): void {
  if (view.buffer !== arena.memory.buffer || view.byteLength < 64) return;
  const start = (view.byteOffset + 15) & ~15;
  arena.free.push({ offset: start, size: view.byteOffset + view.byteLength - start });
}

/**
 * A Float32Array of `count` values in the arena: zeroed when fresh, but a reused region holds old
 * bytes, so every caller writes all of it.
 * @example const map = allocFloat32(arena, width * height);
 */
export function allocFloat32(arena: Arena, count: number): Float32Array {
  return new Float32Array(arena.memory.buffer, reserve(arena, count * 4), count);
}

/**
 * A Uint8Array of `count` bytes in the arena (like {@link allocFloat32}: write all of it).
 * @example const tile = allocBytes(arena, width * height);
 */
export function allocBytes(arena: Arena, count: number): Uint8Array {
  return new Uint8Array(arena.memory.buffer, reserve(arena, count), count);
}

/**
 * Whether a view lives in this arena.
 * @example inArena(arena, map) // true for views made by allocFloat32(arena, …)
 */
export function inArena(arena: Arena, view: ArrayBufferView): boolean {
  return view.buffer === arena.memory.buffer;
}

/**
 * The view itself when it lives in the arena, else a copy placed in it.
 * @example const data = float32In(arena, gray.data); // no copy when already there
 */
export function float32In(arena: Arena, data: Float32Array): Float32Array {
  if (inArena(arena, data)) return data;
  const copy = allocFloat32(arena, data.length);
  copy.set(data);
  return copy;
}

/** Bytes first-touched per step of {@link prefault}: about 2 ms here, so it stops soon after it is told to. */
const PREFAULT_STEP = 2 * 1024 * 1024;

/**
 * First-touches the arena's next `bytes` never-used bytes, a step at a time between turns of the
 * event loop, until `stop()` says so. First-touching costs about 0.8 ms per MB on the machines we
 * measured; done while the main thread would only wait (for sharp's decoder, in its own thread),
 * it is taken off the time of the stages that use the memory.
 * @example const warming = prefault(arena, 180e6, () => decoded);
 */
export async function prefault(arena: Arena, bytes: number, stop: () => boolean): Promise<void> {
  const view = new Uint8Array(arena.memory.buffer);
  const end = Math.min(arena.size, arena.next + bytes);
  const PAGE_BYTES = 4096;
  for (let at = arena.next; at < end && !stop(); ) {
    // Writing (not reading) gives the page its own memory; the value written is the zero already there.
    for (const stepEnd = Math.min(end, at + PREFAULT_STEP); at < stepEnd; at += PAGE_BYTES) view[at] = 0;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
