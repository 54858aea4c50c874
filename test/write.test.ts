import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CnnvizError } from '../src/errors.js';
import { LOCK_NAME, removeTempsSync, stageOutputs, writeOutputs } from '../src/write.js';

const temp = (): string => mkdtempSync(join(tmpdir(), 'cnnviz-write-'));
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/** A promise resolved from outside, like a PNG still being encoded. */
function later<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('stageOutputs: files written as they arrive, swapped in together', () => {
  it('writes a file under its temporary name as soon as its bytes exist, before the others and the commit', async () => {
    const dir = join(temp(), 'maps');
    const temps = new Set<string>();
    const staging = stageOutputs(dir, { temps });
    const slow = later<Uint8Array>();
    staging.add('a.png', slow.promise);
    staging.add('b.png', bytes('b'));
    await tick();
    assert.deepEqual(readdirSync(dir).sort(), [`.b.png.${process.pid}.tmp`, LOCK_NAME]);
    assert.ok(temps.has(join(dir, `.b.png.${process.pid}.tmp`)) && temps.has(join(dir, LOCK_NAME)));
    slow.resolve(bytes('a'));
    staging.add('manifest.json', bytes('{"files":[{"path":"a.png"},{"path":"b.png"}]}'));
    assert.ok(staging.has('a.png') && !staging.has('c.png'));
    const written = await staging.commit(['a.png', 'b.png', 'manifest.json']);
    assert.deepEqual(written, [join(dir, 'a.png'), join(dir, 'b.png'), join(dir, 'manifest.json')]);
    assert.deepEqual(readdirSync(dir).sort(), ['a.png', 'b.png', 'manifest.json']);
    assert.equal(readFileSync(join(dir, 'a.png'), 'utf8'), 'a');
    assert.equal(temps.size, 0);
  });

  it('abort removes the temporary files, the lock and the folders it created', async () => {
    const parent = temp();
    const dir = join(parent, 'x', 'maps');
    const staging = stageOutputs(dir);
    staging.add('a.png', bytes('a'));
    await tick();
    assert.equal(readdirSync(dir).length, 2);
    await staging.abort();
    assert.deepEqual(readdirSync(parent), []);
  });

  it('abort keeps a folder that was there, and the outputs in it', async () => {
    const dir = temp();
    await writeOutputs(dir, [{ name: 'old.png', bytes: bytes('old') }, { name: 'manifest.json', bytes: bytes('{"files":[{"path":"old.png"}]}') }]);
    const staging = stageOutputs(dir);
    staging.add('a.png', bytes('a'));
    await tick();
    await staging.abort();
    assert.deepEqual(readdirSync(dir).sort(), ['manifest.json', 'old.png']);
  });

  it('a file whose bytes fail makes the commit fail, leaving the old outputs and no temporary file', async () => {
    const dir = temp();
    await writeOutputs(dir, [{ name: 'a.png', bytes: bytes('old') }, { name: 'manifest.json', bytes: bytes('{"files":[{"path":"a.png"}]}') }]);
    const staging = stageOutputs(dir);
    const broken = later<Uint8Array>();
    staging.add('a.png', bytes('new'));
    staging.add('b.png', broken.promise);
    broken.reject(Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
    await assert.rejects(staging.commit(['a.png', 'b.png']), (err: unknown) => err instanceof CnnvizError && err.message === 'cannot write outputs: no space left on the device');
    assert.deepEqual(readdirSync(dir).sort(), ['a.png', 'manifest.json']);
    assert.equal(readFileSync(join(dir, 'a.png'), 'utf8'), 'old');
  });

  it('a failed commit also removes the folders it created', async () => {
    const parent = temp();
    const staging = stageOutputs(join(parent, 'new', 'maps'));
    const broken = later<Uint8Array>();
    staging.add('a.png', bytes('a'));
    staging.add('b.png', broken.promise);
    broken.reject(new Error('encoder failed'));
    await assert.rejects(staging.commit(['a.png', 'b.png']), /encoder failed/);
    assert.deepEqual(readdirSync(parent), []);
  });

  it("taking over a dead run's lock removes the temporary files it left, and only those", async () => {
    const dir = temp();
    writeFileSync(join(dir, LOCK_NAME), '999999999\n');
    writeFileSync(join(dir, '.conv-1.png.999999999.tmp'), 'half');
    writeFileSync(join(dir, '.conv-1.png.12345.tmp'), 'another run');
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    await writeOutputs(dir, [{ name: 'a.png', bytes: bytes('a') }]);
    assert.deepEqual(readdirSync(dir).sort(), ['.conv-1.png.12345.tmp', 'a.png', 'keep.txt']);
  });

  it('commit refuses a list that is not the set added', async () => {
    const staging = stageOutputs(join(temp(), 'maps'));
    staging.add('a.png', bytes('a'));
    await assert.rejects(staging.commit(['a.png', 'b.png']), /commit lists a\.png, b\.png but a\.png were added/);
    assert.throws(() => staging.add('a.png', bytes('again')), /added twice/);
  });

  it("removeTempsSync removes this run's temporaries and lock, never another run's lock", () => {
    const dir = temp();
    const mine = join(dir, '.a.png.1.tmp');
    writeFileSync(mine, 'x');
    const ours = join(dir, 'ours');
    mkdirSync(ours);
    writeFileSync(join(ours, LOCK_NAME), `${process.pid}\n`);
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs);
    writeFileSync(join(theirs, LOCK_NAME), '12345\n');
    removeTempsSync(new Set([mine, join(ours, LOCK_NAME), join(theirs, LOCK_NAME), join(dir, 'never-made')]));
    assert.ok(!existsSync(mine) && !existsSync(join(ours, LOCK_NAME)));
    assert.ok(existsSync(join(theirs, LOCK_NAME)));
  });
});
