import { afterEach, describe, expect, it, vi } from 'vitest';
import { base64ToBytes, bytesLEToFloat32, bytesToBase64, float32ToBytesLE, newId } from './encoding';

describe('base64', () => {
  it('matches Node’s encoder for every length around the padding cases, and decodes back', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n * 7) & 255);
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64ToBytes(text)).toEqual(bytes);
    }
  });

  it('handles large inputs (chunked building)', () => {
    const bytes = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 31) & 255);
    expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
  });

  it('rejects anything that is not canonical padded base64', () => {
    for (const bad of ['QQ=', 'QQ', 'Q===', 'QR==', 'QUI=QUJD', 'QU I=', 'QUJ-', 'QUJ_', 'ＱＵＪＤ']) {
      expect(base64ToBytes(bad), bad).toBeNull();
    }
    expect(base64ToBytes('QQ==')).toEqual(new Uint8Array([65]));
    expect(base64ToBytes('')).toEqual(new Uint8Array(0));
  });
});

describe('float32 little-endian bytes', () => {
  it('are written little-endian whatever the platform, and read back bit-exact', () => {
    const values = new Float32Array([1, -0, NaN, Infinity, 1.401298464324817e-45]);
    const bytes = float32ToBytesLE(values);
    expect([...bytes.subarray(0, 8)]).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0x80]);
    const back = bytesLEToFloat32(bytes);
    expect(new Uint8Array(back.buffer)).toEqual(new Uint8Array(values.buffer));
  });

  it('can be read into a slice of a bigger matrix', () => {
    const matrix = new Float32Array(6);
    bytesLEToFloat32(float32ToBytesLE(new Float32Array([7, 8])), matrix, 3);
    expect([...matrix]).toEqual([0, 0, 0, 7, 8, 0]);
  });
});

describe('newId', () => {
  afterEach(() => vi.unstubAllGlobals());
  const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('gives distinct v4 UUIDs', () => {
    const ids = new Set(Array.from({ length: 100 }, newId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });

  it('builds them from getRandomValues where randomUUID is missing (pages outside a secure context)', () => {
    const real = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: <T extends ArrayBufferView>(a: T) => real.getRandomValues(a) });
    const ids = new Set(Array.from({ length: 100 }, newId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(UUID_V4);
  });
});
