/**
 * JSON for large backups without one long freeze: `parseJsonPaced` gives the same value as
 * `JSON.parse` and `serialiseJsonPaced` the same text as `JSON.stringify` (or the canonical form
 * below), but both work in slices and yield between them (pacer.ts).
 *
 * How: the outer levels (the document, its payload, the payload's lists) are walked here by a small
 * scanner that only finds where each value starts and ends; the records inside the lists are handed
 * to the built-in `JSON.parse`/`JSON.stringify` a batch at a time. The built-ins still decide what
 * is valid JSON for every record, and the scanner's own structure checks (keys, colons, commas,
 * brackets, nothing after the end) refuse what they would refuse.
 *
 * Canonical form (what a backup's seal covers): no whitespace, object keys sorted by UTF-16 code
 * units at every level, strings and numbers written as `JSON.stringify` writes them. Two files that
 * parse to the same value have the same canonical form, whatever their layout or key order.
 */
import type { Pacer } from './pacer';

/** Depth of the values handed whole to the built-ins: document (0) → payload (1) → lists (2) → records. */
const LEAF_DEPTH = 3;
/** Records per `JSON.parse` call: large enough to be fast, small enough to yield often. */
const PARSE_BATCH = 1000;

export type JsonProgress = (doneChars: number, totalChars: number) => void;

function syntax(message: string, at: number): SyntaxError {
  return new SyntaxError(`${message} at position ${at}`);
}

class Scanner {
  i = 0;
  constructor(
    readonly text: string,
    private readonly pacer: Pacer,
    private readonly onProgress?: JsonProgress,
  ) {}

  ws(): void {
    const t = this.text;
    let i = this.i;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.i = i;
  }

  /** End (exclusive) of the string starting at `i`; escapes are checked later by JSON.parse. */
  stringEnd(i: number): number {
    const t = this.text;
    let from = i + 1;
    for (;;) {
      const q = t.indexOf('"', from);
      if (q < 0) throw syntax('Unterminated string', i);
      let backslashes = 0;
      while (t.charCodeAt(q - 1 - backslashes) === 0x5c) backslashes++;
      if (backslashes % 2 === 0) return q + 1;
      from = q + 1;
    }
  }

  /** End (exclusive) of the value starting at `i`, found by bracket counting; not validated. */
  valueEnd(i: number): number {
    const t = this.text;
    const c = t.charCodeAt(i);
    if (c === 0x22) return this.stringEnd(i);
    if (c === 0x7b || c === 0x5b) {
      let depth = 0;
      let j = i;
      while (j < t.length) {
        const d = t.charCodeAt(j);
        if (d === 0x22) {
          j = this.stringEnd(j);
          continue;
        }
        if (d === 0x7b || d === 0x5b) depth++;
        else if (d === 0x7d || d === 0x5d) {
          depth--;
          if (depth === 0) return j + 1;
        }
        j++;
      }
      throw syntax('Unexpected end of JSON input', t.length);
    }
    let j = i;
    while (j < t.length) {
      const d = t.charCodeAt(j);
      if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
      j++;
    }
    if (j === i) throw syntax(j >= t.length ? 'Unexpected end of JSON input' : 'Unexpected token', i);
    return j;
  }

  expect(code: number, what: string): void {
    if (this.text.charCodeAt(this.i) !== code) {
      throw syntax(this.i >= this.text.length ? 'Unexpected end of JSON input' : `Expected ${what}`, this.i);
    }
    this.i++;
  }

  async pace(): Promise<void> {
    if (this.pacer.due()) {
      this.onProgress?.(this.i, this.text.length);
      await this.pacer.yield();
    }
  }

  async value(depth: number): Promise<unknown> {
    const c = this.text.charCodeAt(this.i);
    if (depth < LEAF_DEPTH - 1 && c === 0x7b) return this.object(depth);
    if (depth < LEAF_DEPTH && c === 0x5b) return this.array(depth);
    const start = this.i;
    this.i = this.valueEnd(start);
    return JSON.parse(this.text.slice(start, this.i));
  }

  async object(depth: number): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.ws();
    if (this.text.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      if (this.text.charCodeAt(this.i) !== 0x22) throw syntax('Expected a property name', this.i);
      const keyEnd = this.stringEnd(this.i);
      const key = JSON.parse(this.text.slice(this.i, keyEnd)) as string;
      this.i = keyEnd;
      this.ws();
      this.expect(0x3a, "':'");
      this.ws();
      // Like JSON.parse: an own property even for "__proto__", the last of duplicate keys wins.
      Object.defineProperty(out, key, {
        value: await this.value(depth + 1),
        writable: true,
        enumerable: true,
        configurable: true,
      });
      this.ws();
      const next = this.text.charCodeAt(this.i);
      this.i++;
      if (next === 0x7d) return out;
      if (next !== 0x2c) throw syntax("Expected ',' or '}'", this.i - 1);
      this.ws();
      await this.pace();
    }
  }

  async array(depth: number): Promise<unknown[]> {
    const out: unknown[] = [];
    this.i++;
    this.ws();
    if (this.text.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return out;
    }
    const leaves = depth + 1 >= LEAF_DEPTH;
    let batchStart = this.i;
    let batchEnd = this.i;
    let inBatch = 0;
    const flush = () => {
      if (inBatch === 0) return;
      const parsed = JSON.parse(`[${this.text.slice(batchStart, batchEnd)}]`) as unknown[];
      for (const v of parsed) out.push(v);
      inBatch = 0;
    };
    for (;;) {
      if (leaves) {
        if (inBatch === 0) batchStart = this.i;
        this.i = this.valueEnd(this.i);
        batchEnd = this.i;
        inBatch++;
      } else {
        out.push(await this.value(depth + 1));
      }
      this.ws();
      const next = this.text.charCodeAt(this.i);
      this.i++;
      if (next === 0x5d) {
        flush();
        return out;
      }
      if (next !== 0x2c) throw syntax("Expected ',' or ']'", this.i - 1);
      this.ws();
      if (inBatch >= PARSE_BATCH || this.pacer.due()) {
        flush();
        await this.pace();
      }
    }
  }
}

/** `JSON.parse(text)`, in slices. Throws SyntaxError where JSON.parse would. */
export async function parseJsonPaced(text: string, pacer: Pacer, onProgress?: JsonProgress): Promise<unknown> {
  const s = new Scanner(text, pacer, onProgress);
  s.ws();
  if (s.i >= text.length) throw syntax('Unexpected end of JSON input', s.i);
  const value = await s.value(0);
  s.ws();
  if (s.i !== text.length) throw syntax('Unexpected non-whitespace character after JSON', s.i);
  onProgress?.(text.length, text.length);
  return value;
}

/** The canonical JSON text of a value (see the top of this file). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const v = record[key];
    if (v !== undefined) parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** Text is turned into UTF-8 bytes in pieces of about this many characters. */
const ENCODE_CHUNK = 1 << 20;

/**
 * The UTF-8 bytes of `JSON.stringify(value)` (or, with `canonical`, of `canonicalJson(value)`),
 * made in slices. Values are JSON data (as parsed or as built by the exporter): no functions,
 * no cycles, no `toJSON`.
 */
export async function serialiseJsonPaced(
  value: unknown,
  opts: { canonical: boolean },
  pacer: Pacer,
): Promise<Uint8Array<ArrayBuffer>> {
  const leaf = opts.canonical ? canonicalJson : (v: unknown) => JSON.stringify(v);
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  let pending: string[] = [];
  let pendingLength = 0;
  const write = (s: string) => {
    pending.push(s);
    pendingLength += s.length;
    if (pendingLength >= ENCODE_CHUNK) flush();
  };
  const flush = () => {
    if (pendingLength === 0) return;
    chunks.push(encoder.encode(pending.join('')));
    pending = [];
    pendingLength = 0;
  };
  const walk = async (v: unknown, depth: number): Promise<void> => {
    if (depth >= LEAF_DEPTH || v === null || typeof v !== 'object') {
      write(leaf(v));
    } else if (Array.isArray(v)) {
      write('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) write(',');
        const item: unknown = v[i];
        if (item === undefined) write('null');
        else await walk(item, depth + 1);
        if (pacer.due()) await pacer.yield();
      }
      write(']');
    } else {
      const record = v as Record<string, unknown>;
      const keys = opts.canonical ? Object.keys(record).sort() : Object.keys(record);
      write('{');
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        write(`${first ? '' : ','}${JSON.stringify(key)}:`);
        first = false;
        await walk(item, depth + 1);
      }
      write('}');
    }
  };
  await walk(value, 0);
  flush();
  return concat(chunks);
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const c of chunks) length += c.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Decode UTF-8 in pieces, yielding between them (invalid bytes become U+FFFD, as before). */
export async function decodeUtf8Paced(bytes: Uint8Array, pacer: Pacer, onProgress?: JsonProgress): Promise<string> {
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  const step = 4 << 20;
  for (let at = 0; at < bytes.length; at += step) {
    const end = Math.min(bytes.length, at + step);
    parts.push(decoder.decode(bytes.subarray(at, end), { stream: end < bytes.length }));
    onProgress?.(end, bytes.length);
    if (pacer.due()) await pacer.yield();
  }
  parts.push(decoder.decode());
  return parts.join('');
}
