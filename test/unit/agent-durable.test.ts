import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAllDurably } from '../../src/agent/durable.js';

describe('writeAllDurably (a batch of zone files)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'durable-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('puts every file in place, replacing old content, and leaves no temporary file', async () => {
    writeFileSync(join(dir, 'a.zone'), 'old a');
    const files = new Map(Array.from({ length: 40 }, (_, i) => [`z${i}.zone`, `zone ${i}`] as const));
    await writeAllDurably(dir, new Map([...files, ['a.zone', 'new a']]));
    expect(readdirSync(dir).sort()).toEqual([...files.keys(), 'a.zone'].sort());
    expect(readFileSync(join(dir, 'a.zone'), 'utf8')).toBe('new a');
    for (const [name, text] of files) expect(readFileSync(join(dir, name), 'utf8')).toBe(text);
  });

  it('fails when a file cannot be written, removing its temporary file', async () => {
    await expect(writeAllDurably(dir, new Map([['ok.zone', 'x'], ['missing/sub.zone', 'y']]))).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });

  it('writes nothing for an empty batch', async () => {
    await writeAllDurably(dir, new Map());
    expect(readdirSync(dir)).toEqual([]);
  });
});
