/**
 * A seeded mutation fuzzer over the fixtures and PngSuite: bit flips, byte overwrites, truncations,
 * chunk splices, duplicated and zeroed runs. Used by test/fuzz.test.ts (a few thousand cases in CI)
 * and scripts/fuzz.ts (`npm run fuzz`, as many as you like).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CnnvizError } from '../src/errors.js';
import { render } from '../src/render.js';
import { prng, ROOT } from './helpers.js';

export { prng };

/** The seed files: every fixture image under 40 KB and all of PngSuite. */
export function corpus(): { name: string; bytes: Buffer }[] {
  const dirs = [join(ROOT, 'fixtures'), join(ROOT, 'fixtures', 'pngsuite')];
  return dirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => /\.(png|jpe?g|gif|tiff?|webp)$/i.test(name) && statSync(join(dir, name)).size < 40_000)
      .sort()
      .map((name) => ({ name, bytes: readFileSync(join(dir, name)) })),
  );
}

/** PNG chunks (after the 8-byte signature), for splicing. */
function chunks(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const end = at + 12 + length;
    if (end > bytes.length) break;
    out.push(bytes.subarray(at, end));
    at = end;
  }
  return out;
}

/** One mutated file, and what was done to it. */
export interface Case {
  id: number;
  base: string;
  mutation: string;
  bytes: Buffer;
}

/**
 * The `id`-th case of a seeded run: a corpus file with one to three mutations.
 * @example mutate(seeds, 7, 42).mutation // e.g. 'flip 3 bits; truncate at 811'
 */
export function mutate(seeds: readonly { name: string; bytes: Buffer }[], seed: number, id: number): Case {
  const random = prng(seed * 1_000_003 + id);
  const pick = (n: number): number => Math.floor(random() * n);
  const base = seeds[pick(seeds.length)];
  let bytes = Buffer.from(base.bytes);
  const done: string[] = [];
  for (let m = 1 + pick(3); m > 0; m--) {
    switch (pick(6)) {
      case 0: {
        const flips = 1 + pick(8);
        for (let k = 0; k < flips; k++) bytes[pick(bytes.length)] ^= 1 << pick(8);
        done.push(`flip ${flips} bits`);
        break;
      }
      case 1: {
        const at = pick(bytes.length);
        bytes[at] = [0, 0xff, 0x7f, 0x80][pick(4)];
        done.push(`set byte ${at}`);
        break;
      }
      case 2: {
        const at = pick(bytes.length);
        bytes = bytes.subarray(0, at);
        done.push(`truncate at ${at}`);
        break;
      }
      case 3: {
        const other = seeds[pick(seeds.length)];
        const mine = chunks(bytes);
        const theirs = chunks(other.bytes);
        if (mine.length > 1 && theirs.length > 0) {
          const at = 1 + pick(mine.length - 1);
          const splice = theirs[pick(theirs.length)];
          bytes = Buffer.concat([bytes.subarray(0, 8), ...mine.slice(0, at), splice, ...mine.slice(at + (random() < 0.5 ? 1 : 0))]);
          done.push(`splice a chunk of ${other.name} at chunk ${at}`);
        } else {
          bytes = Buffer.concat([bytes.subarray(0, pick(bytes.length)), other.bytes.subarray(pick(other.bytes.length))]);
          done.push(`join with ${other.name}`);
        }
        break;
      }
      case 4: {
        const start = pick(bytes.length);
        const length = 1 + pick(64);
        bytes = Buffer.concat([bytes.subarray(0, start + length), bytes.subarray(start, start + length), bytes.subarray(start + length)]);
        done.push(`duplicate ${length} bytes at ${start}`);
        break;
      }
      default: {
        const start = pick(bytes.length);
        bytes.fill(0, start, Math.min(bytes.length, start + 1 + pick(256)));
        done.push(`zero a run at ${start}`);
      }
    }
    if (bytes.length === 0) break;
  }
  return { id, base: base.name, mutation: done.join('; '), bytes };
}

/** How one case ended when rendered in-process. */
export interface Verdict {
  ok: boolean;
  /** Why the case counts as a bug: an error that is not cnnviz's, a multi-line message, too slow. */
  problem?: string;
  ms: number;
}

/**
 * Renders a case through the library: it must either render or throw cnnviz's own error with a
 * one-line message, within `timeLimitMs`.
 */
export async function check(item: Case, timeLimitMs: number): Promise<Verdict> {
  const started = performance.now();
  let problem: string | undefined;
  try {
    await render(item.bytes, { inputName: `case-${item.id}`, maxPixels: 4_000_000, grid: { maxTileSide: 64 } });
  } catch (err) {
    if (!(err instanceof CnnvizError)) problem = `not a CnnvizError: ${err instanceof Error ? err.stack : String(err)}`;
    else if (err.message.includes('\n')) problem = `message has several lines: ${JSON.stringify(err.message)}`;
  }
  const ms = performance.now() - started;
  if (!problem && ms > timeLimitMs) problem = `took ${ms.toFixed(0)} ms`;
  return { ok: problem === undefined, ...(problem ? { problem } : {}), ms };
}
