/**
 * RFC 4180 CSV, streaming: quoted fields may hold commas, quotes ("") and line breaks.
 * CR is ignored outside quotes and a CRLF inside quotes is read as LF (CRLF files work the
 * same as LF files); a UTF-8 BOM is dropped; blank lines are skipped.
 * @see https://www.rfc-editor.org/rfc/rfc4180
 */

export interface CsvRecord {
  fields: string[];
  /** 1-based line on which the record starts. */
  line: number;
}

export async function* parseCsv(chunks: AsyncIterable<string>): AsyncGenerator<CsvRecord, void, undefined> {
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  /** The previous character closed a quoted section (a `"` now means an escaped quote). */
  let afterQuote = false;
  let fieldStarted = false;
  let line = 1;
  let recordLine = 1;
  let first = true;

  const endRecord = (): CsvRecord | undefined => {
    fields.push(field);
    const record = fields.length === 1 && fields[0] === '' && !fieldStarted ? undefined : { fields, line: recordLine };
    fields = [];
    field = '';
    fieldStarted = false;
    return record;
  };

  for await (let chunk of chunks) {
    if (first) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    const out: CsvRecord[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i]!;
      if (quoted) {
        if (ch === '\r' && (chunk[i + 1] === '\n' || i + 1 === chunk.length)) {
          // CRLF inside quotes → LF (a CR ending the chunk is assumed to start a CRLF).
          field += chunk.slice(start, i);
          start = i + 1;
        } else if (ch === '"') {
          field += chunk.slice(start, i);
          quoted = false;
          afterQuote = true;
          start = i + 1;
        } else if (ch === '\n') line++;
        continue;
      }
      if (ch === '"') {
        // Opening quote, or the second quote of an escaped `""` inside a quoted field.
        field += chunk.slice(start, i) + (afterQuote ? '"' : '');
        quoted = true;
        afterQuote = false;
        fieldStarted = true;
        start = i + 1;
        continue;
      }
      afterQuote = false;
      if (ch === ',' || ch === '\n' || ch === '\r') {
        field += chunk.slice(start, i);
        start = i + 1;
        if (ch === '\r') continue;
        if (ch === ',') {
          fields.push(field);
          field = '';
          fieldStarted = true;
          continue;
        }
        const record = endRecord();
        if (record) out.push(record);
        line++;
        recordLine = line;
      }
    }
    field += chunk.slice(start);
    if (start < chunk.length) fieldStarted = true;
    yield* out;
  }
  if (quoted) throw new CsvError(recordLine, 'a quoted field is not closed before the end of the file');
  const last = endRecord();
  if (last) yield last;
}

class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'CsvError';
  }
}

/** One CSV line (with its newline); fields holding `,`, `"`, CR/LF or edge spaces are quoted. */
export function csvLine(values: Array<string | number | boolean | null | undefined>): string {
  return (
    values
      .map((v) => {
        const s = v === null || v === undefined ? '' : String(v);
        return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(',') + '\n'
  );
}
