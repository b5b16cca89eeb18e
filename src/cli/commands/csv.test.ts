import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvLine, parseCsv } from './csv.js';

async function parse(...chunks: string[]) {
  const out: Array<[number, string[]]> = [];
  for await (const r of parseCsv(
    (async function* () {
      yield* chunks;
    })(),
  ))
    out.push([r.line, r.fields]);
  return out;
}

describe('CSV', () => {
  it('parses quotes, escaped quotes, commas and line breaks in fields, CRLF, BOM, blank lines', async () => {
    const text = '\uFEFFa,b,c\r\n"x, y","say ""hi""",\r\n\r\n"multi\r\nline",2,3\r\nlast,,"q"';
    const expected: Array<[number, string[]]> = [
      [1, ['a', 'b', 'c']],
      [2, ['x, y', 'say "hi"', '']],
      [4, ['multi\nline', '2', '3']],
      [6, ['last', '', 'q']],
    ];
    assert.deepEqual(await parse(text), expected);
    // Any chunking gives the same records.
    for (let size = 1; size <= 7; size++) {
      const chunks = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      assert.deepEqual(await parse(...chunks), expected, `chunks of ${size}`);
    }
  });

  it('keeps a row of empty fields, ends without a final newline, refuses an unclosed quote', async () => {
    assert.deepEqual(await parse(',,\n""\n'), [
      [1, ['', '', '']],
      [2, ['']],
    ]);
    assert.deepEqual(await parse('a'), [[1, ['a']]]);
    await assert.rejects(parse('a\n"open,b\n'), /line 2: a quoted field is not closed/);
  });

  it('writes what it reads', async () => {
    const values = ['plain', 'with, comma', 'with "quote"', 'two\nlines', ' edge ', '', null, 42, true];
    const line = csvLine(values);
    assert.equal(line, 'plain,"with, comma","with ""quote""","two\nlines"," edge ",,,42,true\n');
    assert.deepEqual(await parse(line), [[1, ['plain', 'with, comma', 'with "quote"', 'two\nlines', ' edge ', '', '', '42', 'true']]]);
  });
});
