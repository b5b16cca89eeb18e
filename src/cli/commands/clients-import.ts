/**
 * `clientele clients import FILE`: creates one client per CSV row or JSON line.
 *
 * - Streams the file (no size limit) and sends the rows in batches (`POST /v1/clients/batch`,
 *   up to --batch-size rows and 512 KiB each), with bounded concurrency.
 * - Each row carries its own Idempotency-Key (the batch's `idempotencyKeys`), derived from its
 *   content and from how many identical rows came before it — never from the batch it went
 *   in — so running the same import again (after a crash, a network failure, a partial
 *   failure, or with rejected rows fixed: batches then fall differently) replays the rows
 *   already created instead of duplicating them (the server keeps keys 24 hours). The keys are
 *   those the one-request-per-row import sent, so an import started by it resumes too.
 * - An invalid row never stops the others: it is reported with its line, field and reason.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { type ClientBatchResult, ClienteleError, type ClientCreate, type Problem } from '../../../sdk/src/index.js';
import type { CommandSpec } from './command.js';
import { csvLine, parseCsv, type CsvRecord } from './csv.js';
import { countLines, createProgress } from './progress.js';
import { describeError, exitCodeFor, EXIT, intOption, positionals, UsageError, type Context, type Values } from './shared.js';

const WRITABLE_FIELDS = [
  'name',
  'description',
  'siret',
  'username',
  'emailAddress',
  'firstName',
  'lastName',
  'company',
  'password',
  'passwordHash',
  'isActive',
  'features',
  'limits',
  'metadata',
] as const;
/** Columns an export writes that an import ignores (so an export can be imported elsewhere). */
const READ_ONLY_FIELDS = ['id', 'hasPassword', 'createdAt', 'updatedAt'] as const;
const JSON_COLUMNS = new Set(['features', 'limits', 'metadata']);
/** Problems without a field list that still concern one field. */
const CODE_FIELDS: Record<string, string> = { USERNAME_TAKEN: 'username', EMAIL_TAKEN: 'emailAddress' };

interface Rejection {
  line: number;
  field: string;
  code: string;
  message: string;
}

interface Row {
  line: number;
  body?: Record<string, unknown>;
  idempotencyKey?: string;
  problems?: Rejection[];
}

type Format = 'csv' | 'jsonl';

function formatOf(file: string, option: string | undefined): Format {
  if (option !== undefined) {
    if (option === 'csv' || option === 'jsonl') return option;
    throw new UsageError(`--format must be csv or jsonl, got ${JSON.stringify(option)}`);
  }
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(jsonl|ndjson|json)$/i.test(file)) return 'jsonl';
  throw new UsageError('cannot tell the format from the file name: pass --format csv or --format jsonl');
}

/** Decodes UTF-8 chunks (a character split between chunks included). */
async function* decode(stream: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

async function* jsonLines(chunks: AsyncIterable<string>): AsyncGenerator<{ text: string; line: number }> {
  let buffer = '';
  let line = 0;
  for await (const chunk of chunks) {
    buffer += chunk;
    let start = 0;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n', start)) {
      line++;
      yield { text: buffer.slice(start, nl), line };
      start = nl + 1;
    }
    buffer = buffer.slice(start);
  }
  if (buffer !== '') yield { text: buffer, line: line + 1 };
}

const reject = (line: number, field: string, code: string, message: string): Rejection => ({ line, field, code, message });

/** Deterministic JSON (sorted keys), so equal rows hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

function csvCell(column: string, raw: string, line: number): { value?: unknown; problem?: Rejection } {
  if (raw === '') return {};
  if (column === 'isActive') {
    const v = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'y'].includes(v)) return { value: true };
    if (['false', '0', 'no', 'n'].includes(v)) return { value: false };
    return { problem: reject(line, column, 'INVALID_CELL', 'must be true or false') };
  }
  if (JSON_COLUMNS.has(column)) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return { value: parsed };
    } catch {
      /* reported below */
    }
    return { problem: reject(line, column, 'INVALID_CELL', 'must be a JSON object') };
  }
  return { value: raw };
}

/** Checks the CSV header: known columns only (unknown ones are a usage error: nothing is sent). */
function checkHeader(record: CsvRecord | undefined): string[] {
  if (!record) throw new UsageError('the CSV file is empty (a header line naming the columns is required)');
  const columns = record.fields.map((c) => c.trim());
  const known = new Set<string>([...WRITABLE_FIELDS, ...READ_ONLY_FIELDS]);
  const unknown = columns.filter((c) => !known.has(c));
  if (unknown.length)
    throw new UsageError(`unknown CSV column(s) ${unknown.map((c) => JSON.stringify(c)).join(', ')}; columns are ${WRITABLE_FIELDS.join(', ')} (and ${READ_ONLY_FIELDS.join(', ')}, ignored)`);
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new UsageError(`CSV column ${JSON.stringify(c)} appears twice`);
    seen.add(c);
  }
  if (!columns.some((c) => (WRITABLE_FIELDS as readonly string[]).includes(c))) throw new UsageError('the CSV header names no client field');
  return columns;
}

function csvRow(columns: string[], record: CsvRecord): Row {
  if (record.fields.length !== columns.length)
    return { line: record.line, problems: [reject(record.line, '-', 'MALFORMED_ROW', `has ${record.fields.length} fields, the header has ${columns.length}`)] };
  const body: Record<string, unknown> = {};
  const problems: Rejection[] = [];
  columns.forEach((column, i) => {
    if ((READ_ONLY_FIELDS as readonly string[]).includes(column)) return;
    const { value, problem } = csvCell(column, record.fields[i]!, record.line);
    if (problem) problems.push(problem);
    else if (value !== undefined) body[column] = value;
  });
  return problems.length ? { line: record.line, problems } : { line: record.line, body };
}

function jsonRow(text: string, line: number): Row | undefined {
  if (text.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { line, problems: [reject(line, '-', 'MALFORMED_ROW', 'is not valid JSON')] };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { line, problems: [reject(line, '-', 'MALFORMED_ROW', 'is not a JSON object')] };
  const body = { ...(parsed as Record<string, unknown>) };
  for (const f of READ_ONLY_FIELDS) delete body[f];
  return { line, body };
}

/** The rows of the input, in order, each valid one with its Idempotency-Key. */
async function rowsOf(format: Format, chunks: AsyncIterable<string>, prefix: string): Promise<AsyncGenerator<Row>> {
  const seen = new Map<string, number>();
  const keyed = (row: Row): Row => {
    if (!row.body) return row;
    const digest = createHash('sha256')
      .update(`${prefix}\n${canonical(row.body)}`)
      .digest('base64url')
      .slice(0, 32);
    const n = (seen.get(digest) ?? 0) + 1;
    seen.set(digest, n);
    return { ...row, idempotencyKey: `clientele-import:${digest}:${n}` };
  };
  if (format === 'jsonl') {
    return (async function* () {
      for await (const { text, line } of jsonLines(chunks)) {
        const row = jsonRow(text, line);
        if (row) yield keyed(row);
      }
    })();
  }
  const records = parseCsv(chunks);
  const columns = checkHeader((await records.next()).value ?? undefined);
  return (async function* () {
    for await (const record of records) yield keyed(csvRow(columns, record));
  })();
}

/** A refused row's rejections: one per field the problem names, else one for the problem. */
function rejectionsOf(problem: Pick<Problem, 'code' | 'detail' | 'errors'>, line: number): Rejection[] {
  if (problem.errors?.length) return problem.errors.map((f) => reject(line, f.field.replace(/^body\.?/, '') || '-', problem.code, f.message));
  return [reject(line, CODE_FIELDS[problem.code] ?? '-', problem.code, problem.detail)];
}

/** Rows per batch: at most this many. */
const MAX_BATCH_ROWS = 1000;
const DEFAULT_BATCH_ROWS = 500;
/** Bytes of rows per batch (the server's default body limit is 1 MiB); a larger row goes alone. */
const MAX_BATCH_BYTES = 512 * 1024;

interface Batch {
  rows: Row[];
  bytes: number;
}

export const importCommand: CommandSpec = {
  name: 'import',
  summary: 'Create clients from a CSV or JSON-lines file (resumable, reports rejected rows)',
  usage: 'clients import FILE [--format csv|jsonl] [--batch-size N] [--concurrency N] [--report FILE] [--no-progress]',
  help: `FILE is a CSV file with a header line, or JSON lines (one client object per line); - reads stdin.
Columns / keys: ${WRITABLE_FIELDS.join(', ')}.
  CSV: empty cells are left out; isActive is true/false; features, limits and metadata are JSON objects.
  Columns an export writes (${READ_ONLY_FIELDS.join(', ')}) are ignored.

Options:
  --format csv|jsonl          Default: from the file extension (.csv, .jsonl, .ndjson, .json)
  --batch-size N              Rows per request (POST /v1/clients/batch; at most ${MAX_BATCH_ROWS}, and 512 KiB).
                              Default ${DEFAULT_BATCH_ROWS}, or a twentieth of a smaller file (progress in 5 % steps)
  --concurrency N             Requests in flight (default 2, at most 64)
  --report FILE               Write rejected rows to FILE as CSV (line,field,code,message)
                              instead of listing them on stderr
  --no-progress               No progress bar on stderr
  --idempotency-prefix TEXT   Mixed into every row's Idempotency-Key: change it to import
                              identical rows again on purpose within 24 hours

Each row is sent with its own Idempotency-Key derived from its content, so re-running an import
(after an interruption or to fix rejected rows) never creates a client twice within 24 hours.
Valid rows are created even when others are rejected; the command then exits with 5.`,
  options: {
    format: { type: 'string' },
    'batch-size': { type: 'string' },
    concurrency: { type: 'string' },
    report: { type: 'string' },
    'no-progress': { type: 'boolean' },
    'idempotency-prefix': { type: 'string' },
  },
  run: runImport,
};

async function runImport(ctx: Context, values: Values, args: string[]): Promise<number> {
  const [file] = positionals(args, ['file']);
  const format = formatOf(file!, values.format as string | undefined);
  const concurrency = intOption('concurrency', values.concurrency as string | undefined, 2, 1, 64);
  const givenBatchSize = values['batch-size'] === undefined ? undefined : intOption('batch-size', values['batch-size'] as string, DEFAULT_BATCH_ROWS, 1, MAX_BATCH_ROWS);
  const reportFile = values.report as string | undefined;
  const sdk = ctx.sdk();

  const showProgress = values['no-progress'] !== true;
  let estimatedRows: number | undefined;
  let input: AsyncIterable<Buffer | string>;
  if (file === '-') input = ctx.io.stdin as AsyncIterable<Buffer | string>;
  else {
    try {
      await stat(file!);
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    // The estimate draws the progress bar and sizes the batches of a small file.
    if (showProgress || givenBatchSize === undefined) estimatedRows = (await countLines(createReadStream(file!))) - (format === 'csv' ? 1 : 0);
    input = createReadStream(file!, { highWaterMark: 256 * 1024 });
  }
  const batchSize = givenBatchSize ?? Math.max(1, Math.min(DEFAULT_BATCH_ROWS, Math.ceil((estimatedRows ?? Number.POSITIVE_INFINITY) / 20)));
  const rows = await rowsOf(format, decode(input), (values['idempotency-prefix'] as string | undefined) ?? '');

  const progress = createProgress(ctx.io.stderr, estimatedRows, showProgress);
  const started = performance.now();
  const stats = { rows: 0, created: 0, replayed: 0, rejected: 0 };
  const rejections: Rejection[] = [];
  let fatal: unknown;

  // The next batch of valid rows (rows rejected here are counted as they are read). One reader
  // at a time: each batch is a run of consecutive rows.
  let reading: Promise<Batch | undefined> = Promise.resolve(undefined);
  let ended = false;
  let carried: Row | undefined;
  const readBatch = async (): Promise<Batch | undefined> => {
    const batch: Batch = { rows: [], bytes: 0 };
    while (!ended && batch.rows.length < batchSize) {
      let row = carried;
      carried = undefined;
      if (!row) {
        const next = await rows.next();
        if (next.done) {
          ended = true;
          break;
        }
        row = next.value;
      }
      if (row.problems) {
        rejections.push(...row.problems);
        stats.rows++;
        stats.rejected++;
        continue;
      }
      const bytes = Buffer.byteLength(JSON.stringify(row.body)) + row.idempotencyKey!.length + 4;
      if (batch.rows.length > 0 && batch.bytes + bytes > MAX_BATCH_BYTES) {
        carried = row;
        break;
      }
      batch.rows.push(row);
      batch.bytes += bytes;
    }
    return batch.rows.length ? batch : undefined;
  };
  const nextBatch = () => (reading = reading.then(readBatch, readBatch));

  const refuse = (row: Row, problem: Pick<Problem, 'code' | 'detail' | 'errors'>) => {
    stats.rows++;
    stats.rejected++;
    rejections.push(...rejectionsOf(problem, row.line));
  };
  const record = (row: Row, result: ClientBatchResult) => {
    if (result.error) return refuse(row, result.error);
    stats.rows++;
    if (result.replayed) stats.replayed++;
    else stats.created++;
  };
  /** Sends one batch; a batch too large for the server goes again in halves (a single row too large is rejected). */
  const send = async (batch: Row[]): Promise<void> => {
    try {
      const results = await sdk.clients.createBatch(
        batch.map((r) => r.body as ClientCreate),
        { idempotencyKeys: batch.map((r) => r.idempotencyKey!) },
      );
      for (const [i, row] of batch.entries()) record(row, results[i]!);
    } catch (err) {
      if (!(err instanceof ClienteleError && err.status === 413)) throw err;
      if (batch.length === 1) return refuse(batch[0]!, { code: err.code, detail: err.problem?.detail ?? err.message });
      const half = Math.ceil(batch.length / 2);
      await send(batch.slice(0, half));
      await send(batch.slice(half));
    }
  };

  const worker = async () => {
    while (fatal === undefined) {
      let batch: Batch | undefined;
      try {
        batch = await nextBatch();
      } catch (err) {
        fatal ??= err;
        return;
      }
      progress.update(stats);
      if (!batch) return;
      try {
        await send(batch.rows);
      } catch (err) {
        // Not about these rows (server down, credentials refused…): stop; a re-run resumes.
        fatal ??= err;
        return;
      }
      progress.update(stats);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  progress.done(stats);

  const seconds = (performance.now() - started) / 1000;
  rejections.sort((a, b) => a.line - b.line);
  const rejectedRows = stats.rejected;
  if (reportFile) await writeFile(reportFile, csvLine(['line', 'field', 'code', 'message']) + rejections.map((r) => csvLine([r.line, r.field, r.code, r.message])).join(''));
  else for (const r of rejections) ctx.err(`line ${r.line}: ${r.field === '-' ? '' : `${r.field}: `}${r.message} (${r.code})`);

  const summary = {
    rows: stats.rows,
    created: stats.created,
    alreadyImported: stats.replayed,
    rejected: rejectedRows,
    seconds: Math.round(seconds * 100) / 100,
    rowsPerSecond: Math.round(stats.rows / Math.max(seconds, 0.001)),
    completed: fatal === undefined,
    ...(reportFile ? { report: reportFile } : {}),
  };
  if (ctx.json) ctx.out(JSON.stringify(summary));
  else {
    const n = (x: number) => x.toLocaleString('en-US');
    ctx.out(
      `${fatal === undefined ? 'Imported' : 'Stopped after'} ${n(stats.rows)} rows in ${summary.seconds} s (${n(summary.rowsPerSecond)} rows/s): ` +
        `${n(stats.created)} created, ${n(stats.replayed)} already imported, ${n(rejectedRows)} rejected.` +
        (reportFile && rejectedRows ? ` Rejected rows: ${reportFile}` : ''),
    );
  }
  if (fatal !== undefined) {
    ctx.err(describeError(fatal));
    if (!(fatal instanceof UsageError)) ctx.err('The import stopped; run the same command again to resume (rows already created are not duplicated).');
    return exitCodeFor(fatal);
  }
  return rejectedRows ? EXIT.PARTIAL : EXIT.OK;
}
