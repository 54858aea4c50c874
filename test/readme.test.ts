import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers.js';

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const flagsOf = (...args: string[]): string[] => {
    const help = spawnSync(process.execPath, [join(ROOT, 'bin', 'cnnviz.js'), ...args, '--help'], { encoding: 'utf8' }).stdout;
    return [...help.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]);
  };

  it('documents every flag of cnnviz and cnnviz compare, each with an example', () => {
    const flags = [...new Set([...flagsOf(), ...flagsOf('compare')])];
    assert.ok(flags.length > 30, `found ${flags.length} flags`);
    for (const flag of flags) {
      const row = readme.split('\n').find((line) => new RegExp(`^\\| \`(-\\w, )?${flag}\\b`).test(line));
      assert.ok(row, `${flag} has a row in the options table`);
      const cells = row.split(/(?<!\\)\|/).map((cell) => cell.trim()).filter(Boolean);
      assert.match(cells.at(-1) ?? '', /`[^`]*cnnviz[^`]*`/, `${flag} has an example`);
    }
  });

  it('opens with the install-and-render command and the test command', () => {
    const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    assert.match(block, /^npm install && node bin\/cnnviz\.js fixtures\/sample\.png --out maps\//m);
    assert.match(block, /^npm test\b/m);
  });
});
