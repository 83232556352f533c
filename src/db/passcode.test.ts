import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openGallery } from './gallery';
import {
  PASSCODE_ITERATIONS,
  constantTimeEqual,
  hashPasscode,
  openPasscodeStorage,
  passcodeProblem,
  verifyPasscode,
} from './passcode';
import { openSecurityState } from './security';
import './test-utils';

describe('the passcode hash', () => {
  it('is PBKDF2-SHA-256 with 600,000 iterations and a random 16-byte salt by default, and verifies only the right passcode', async () => {
    const stored = await hashPasscode('2468');
    expect(stored.kdf).toBe('PBKDF2-SHA-256');
    expect(stored.iterations).toBe(PASSCODE_ITERATIONS);
    expect(PASSCODE_ITERATIONS).toBe(600_000);
    expect(stored.salt).toHaveLength(16);
    expect(stored.hash).toHaveLength(32);
    expect(await verifyPasscode('2468', stored)).toBe(true);
    expect(await verifyPasscode('2469', stored)).toBe(false);
    expect(await verifyPasscode('', stored)).toBe(false);
  });

  it('is the PBKDF2 output WebCrypto gives for the same input, salted afresh each time', async () => {
    const a = await hashPasscode('correct horse', 1000);
    const b = await hashPasscode('correct horse', 1000);
    expect(constantTimeEqual(a.salt, b.salt)).toBe(false);
    expect(constantTimeEqual(a.hash, b.hash)).toBe(false);
    const material = await crypto.subtle.importKey('raw', new TextEncoder().encode('correct horse'), 'PBKDF2', false, [
      'deriveBits',
    ]);
    const bits = await crypto.subtle.deriveBits(
      { name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(a.salt), iterations: 1000 },
      material,
      256,
    );
    expect([...a.hash]).toEqual([...new Uint8Array(bits)]);
  });

  it('treats the same text in another Unicode form as the same passcode', async () => {
    const stored = await hashPasscode('caf\u00e9 au lait', 1000);
    expect(await verifyPasscode('cafe\u0301 au lait', stored)).toBe(true);
  });

  it('refuses a passcode that is too short, saying what it needs', async () => {
    expect(passcodeProblem('123')).toMatch(/at least 4 characters/);
    expect(passcodeProblem('1234')).toBeNull();
    await expect(hashPasscode('12')).rejects.toThrow(/at least 4 characters/);
  });

  it('compares bytes by value and length', () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false);
  });
});

describe('the stored passcode', () => {
  it('keeps only the hash, survives a reload, lives beside the counters and can be removed', async () => {
    const factory = new IDBFactory();
    const storage = openPasscodeStorage({ factory });
    expect(await storage.read()).toBeNull();
    await storage.write(await hashPasscode('9876', 1000));
    storage.close();

    const reloaded = openPasscodeStorage({ factory });
    const stored = await reloaded.read();
    expect(stored).not.toBeNull();
    expect(await verifyPasscode('9876', stored!)).toBe(true);
    // Nothing stored holds the passcode itself.
    const raw = JSON.stringify(stored, (_k, v) => (v instanceof Uint8Array ? [...v] : v));
    expect(raw).not.toContain('9876');
    // The attempt counters in the same store are not disturbed by it, nor it by them.
    const security = openSecurityState({ factory });
    expect(await security.read('passcode')).toEqual({ failures: 0, until: 0 });
    await security.update('passcode', () => ({ failures: 2, until: 0 }));
    expect(await reloaded.read()).not.toBeNull();
    await reloaded.remove();
    expect(await reloaded.read()).toBeNull();
    expect((await security.read('passcode')).failures).toBe(2);
    // The gallery opens over the same database as before.
    const gallery = await openGallery({ factory });
    expect(await gallery.listIdentities()).toEqual([]);
    gallery.close();
    security.close();
    reloaded.close();
  });
});
