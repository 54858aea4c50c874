import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocBytes, allocFloat32, createArena, float32In, inArena, prefault, release } from '../src/arena.js';

describe('arena', () => {
  it('allocates 16-byte aligned views in one memory', () => {
    const arena = createArena(4096);
    const a = allocBytes(arena, 3);
    const b = allocFloat32(arena, 5);
    assert.equal(b.byteOffset % 16, 0);
    assert.ok(b.byteOffset >= a.byteOffset + 3);
    assert.ok(inArena(arena, a) && inArena(arena, b));
  });

  it('reuses released regions first, splitting them, before fresh memory', () => {
    const arena = createArena(1 << 20);
    const big = allocBytes(arena, 1000);
    const fresh = arena.next;
    release(arena, big);
    const first = allocBytes(arena, 400);
    const second = allocBytes(arena, 500);
    assert.equal(first.byteOffset, big.byteOffset);
    assert.equal(second.byteOffset, big.byteOffset + 400);
    assert.equal(arena.next, fresh, 'no fresh memory used');
    const third = allocBytes(arena, 200);
    assert.ok(third.byteOffset >= fresh, 'the rest no longer fits: fresh memory');
  });

  it('float32In copies only views that live elsewhere', () => {
    const arena = createArena(1 << 16);
    const inside = allocFloat32(arena, 4);
    assert.equal(float32In(arena, inside), inside);
    const outside = Float32Array.of(1, 2, 3);
    const copy = float32In(arena, outside);
    assert.notEqual(copy, outside);
    assert.deepEqual(Array.from(copy), [1, 2, 3]);
  });

  it('refuses to overflow with a clear internal error', () => {
    const arena = createArena(0);
    assert.throws(() => allocBytes(arena, arena.size * 2), /cannot hold/);
  });

  it('prefault touches the next never-used pages without changing a byte or the allocator, and stops when told', async () => {
    const arena = createArena(64 << 20);
    const before = allocBytes(arena, 100).fill(9);
    const next = arena.next;
    await prefault(arena, 32 << 20, () => false);
    assert.equal(arena.next, next);
    assert.ok(new Uint8Array(arena.memory.buffer).every((v, i) => (i >= before.byteOffset && i < before.byteOffset + 100 ? v === 9 : v === 0)));
    let steps = 0;
    await prefault(arena, 64 << 20, () => ++steps > 2);
    assert.equal(steps, 3, 'checked before each step, stopped at once');
  });
});
