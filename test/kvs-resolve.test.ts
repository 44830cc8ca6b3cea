/** Which file holds which key: the pure rules the key index applies to a folder listing. */
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../src/fs/key-value-store/naming.js';
import { resolveEntries, type SidecarState } from '../src/fs/key-value-store/resolve-entries.js';
import { parseSidecar } from '../src/fs/key-value-store/sidecar.js';

function states(sidecars: Record<string, object | string>): Map<string, SidecarState> {
  const map = new Map<string, SidecarState>();
  for (const [name, content] of Object.entries(sidecars)) {
    const text = typeof content === 'string' ? content : JSON.stringify(content);
    map.set(name, { sidecar: parseSidecar(text), fresh: true });
  }
  return map;
}

describe('resolveEntries', () => {
  it('a sidecar claims <key>.<ext>; other files of the key become stale files of the entry', () => {
    const sc = states({
      'k.__metadata__.json': { key: 'k', contentType: 'image/png', extension: 'png', size: 3 },
    });
    const { entries, leftovers } = resolveEntries(['k.png', 'k.json'], sc.keys(), sc);
    expect(entries.get('k')).toEqual({
      key: 'k',
      file: 'k.png',
      contentType: 'image/png',
      hasSidecar: true,
      size: 3,
      files: ['k.png', 'k.__metadata__.json', 'k.json'],
    });
    expect(leftovers.size).toBe(0);
  });

  it('a bare file goes to the sidecar of that exact key only when no <key>.<ext> claims it', () => {
    const sc = states({
      'a.__metadata__.json': { key: 'a', contentType: 'text/plain', extension: 'txt' },
      'a.txt.__metadata__.json': { key: 'a.txt', contentType: 'text/plain', extension: 'txt' },
    });
    const { entries } = resolveEntries(['a.txt', 'a.txt.txt'], sc.keys(), sc);
    expect(entries.get('a')?.file).toBe('a.txt');
    expect(entries.get('a.txt')?.file).toBe('a.txt.txt');
    const bare = states({
      'p.png.__metadata__.json': { key: 'p.png', contentType: 'image/png', extension: 'png' },
    });
    expect(resolveEntries(['p.png'], bare.keys(), bare).entries.get('p.png')?.file).toBe('p.png');
  });

  it('a sidecar without its file is a leftover; a file without sidecar stands for its name', () => {
    const sc = states({ 'gone.__metadata__.json': { key: 'gone', contentType: 'text/plain' } });
    const { entries, leftovers } = resolveEntries(
      ['INPUT', 'INPUT.txt', 'INPUT.json', 'x.weird'],
      sc.keys(),
      sc,
    );
    expect(entries.has('gone')).toBe(false);
    expect(leftovers.get('gone')).toEqual(['gone.__metadata__.json']);
    expect(entries.get('INPUT')).toMatchObject({
      file: 'INPUT.json',
      files: ['INPUT.json', 'INPUT', 'INPUT.txt'],
    });
    expect(entries.get('x')?.contentType).toBe('application/octet-stream');
  });

  it('reads memory-storage sidecars, which are JSON strings of JSON', () => {
    const doubly = JSON.stringify(
      JSON.stringify({ extension: 'png', key: 'shot', contentType: 'image/png' }),
    );
    const sc = states({ 'shot.__metadata__.json': doubly });
    expect(resolveEntries(['shot.png'], sc.keys(), sc).entries.get('shot')).toMatchObject({
      file: 'shot.png',
      contentType: 'image/png',
      hasSidecar: true,
      size: undefined,
    });
  });

  it('skips files whose name is not a valid key', () => {
    const { entries } = resolveEntries(['has space.json', 'ünï.txt', 'ok.txt'], [], new Map());
    expect([...entries.keys()]).toEqual(['ok']);
  });
});

describe('compareKeys', () => {
  it('orders by UTF-8 bytes, not by locale', () => {
    const keys = ['b', 'B', 'a', '_', '(', '9', 'Z', '~', 'é', '𝄞', '\uffff'];
    expect([...keys].sort(compareKeys)).toEqual(['(', '9', 'B', 'Z', '_', 'a', 'b', '~', 'é', '\uffff', '𝄞']);
  });
});
