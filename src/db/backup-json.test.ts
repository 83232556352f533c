import { describe, expect, it } from 'vitest';
import { canonicalJson, decodeUtf8Paced, parseJsonPaced, serialiseJsonPaced } from './backup-json';
import { fromUtf8, utf8 } from './encoding';
import { Pacer } from './pacer';

/** A pacer whose slice is always used up: every check yields, so the slicing paths all run. */
function eager() {
  return new Pacer({ sliceMs: 0, yieldTo: () => Promise.resolve(), checkEvery: 1 });
}

const VALID = [
  '{}',
  '[]',
  ' 42 ',
  '"text"',
  'null',
  '{"a":1,"b":[1,2,{"c":"d"}],"e":{"f":[[],{}],"g":null}}',
  '{"payload":{"identities":[{"id":"x","name":"A \\"quoted\\" \\\\ name \\u00e9","n":-0.5e-3}],"templates":[]}}',
  '\n{ "a" : [ 1 , 2 , 3 ] ,\n\t"b" : { "c" : [ { "d" : true } , false ] } }\r\n',
  '{"__proto__":{"x":1},"constructor":2}',
  '{"dup":1,"other":2,"dup":3}',
  '[[["deep",["deeper",{"k":"v"}]]],"\\\\"]',
  '{"s":"ends with backslash \\\\","t":"after"}',
];

const INVALID = [
  '',
  '   ',
  '{',
  '{"a":1,}',
  '[1,2,]',
  '{"a" 1}',
  '{a:1}',
  '[1 2]',
  '{"a":1}}',
  '{"a":1} x',
  '[01]',
  '{"a":[1,2}',
  '{"a":"unterminated}',
  '["tab\tinside"]',
  '{"a":tru}',
  "{'a':1}",
];

describe('parseJsonPaced', () => {
  it('gives what JSON.parse gives, key order and all', async () => {
    for (const text of VALID) {
      const expected: unknown = JSON.parse(text);
      const got = await parseJsonPaced(text, eager());
      expect(got).toEqual(expected);
      expect(JSON.stringify(got)).toBe(JSON.stringify(expected));
    }
  });

  it('keeps "__proto__" an own property, as JSON.parse does', async () => {
    const got = (await parseJsonPaced('{"__proto__":{"polluted":1}}', eager())) as Record<string, unknown>;
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
    expect(Object.keys(got)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses what JSON.parse refuses', async () => {
    for (const text of INVALID) {
      expect(() => JSON.parse(text), text).toThrow(SyntaxError);
      await expect(parseJsonPaced(text, eager()), text).rejects.toThrow(SyntaxError);
    }
  });

  it('parses a long list in batches, yielding and reporting progress as it goes', async () => {
    const records = Array.from({ length: 5000 }, (_, i) => ({ id: `r${i}`, name: `Name ${i}`, n: i / 7 }));
    const text = JSON.stringify({ format: 'x', payload: { identities: records, templates: [] } });
    const seen: number[] = [];
    let t = 0;
    const pacer = new Pacer({ sliceMs: 10, now: () => (t += 1), yieldTo: () => Promise.resolve(), checkEvery: 1 });
    const got = await parseJsonPaced(text, pacer, (done) => seen.push(done));
    expect(got).toEqual(JSON.parse(text));
    expect(pacer.yields).toBeGreaterThan(3);
    expect(seen.length).toBeGreaterThan(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(text.length);
  });
});

describe('serialiseJsonPaced and canonicalJson', () => {
  it('writes exactly what JSON.stringify writes', async () => {
    for (const text of VALID) {
      const value: unknown = JSON.parse(text);
      expect(fromUtf8(await serialiseJsonPaced(value, { canonical: false }, eager()))).toBe(JSON.stringify(value));
    }
  });

  it('canonical form: sorted keys at every level, no whitespace, independent of layout and order', async () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'é' } })).toBe(
      '{"a":{"c":"é","d":[3,{"y":2,"z":1}]},"b":1}',
    );
    const one = JSON.parse('{"x":{"q":1,"p":[1,{"b":2,"a":1}]},"w":"v"}') as unknown;
    const two = JSON.parse('{ "w" : "v", "x" : { "p" : [ 1, { "a" : 1, "b" : 2 } ], "q" : 1 } }') as unknown;
    expect(canonicalJson(one)).toBe(canonicalJson(two));
    // Keys sort by UTF-16 code units, as in RFC 8785: upper case before lower, 'é' after 'z'.
    expect(canonicalJson({ é: 1, z: 2, Z: 3, a: 4 })).toBe('{"Z":3,"a":4,"z":2,"é":1}');
    for (const text of VALID) {
      const value: unknown = JSON.parse(text);
      expect(fromUtf8(await serialiseJsonPaced(value, { canonical: true }, eager()))).toBe(canonicalJson(value));
    }
  });

  it('decodes UTF-8 in pieces without splitting a character', async () => {
    const text = 'ü✓'.repeat(3_000_000); // past one 4 MiB piece, with multi-byte characters across the seams
    expect(await decodeUtf8Paced(utf8(text), eager())).toBe(text);
  });
});
