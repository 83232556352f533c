/**
 * The unlock passcode (a PIN or a passphrase): what replaces Face Unlock after its lockout, as a
 * phone offers its passcode. Only a salted PBKDF2 hash is stored, in the gallery database's
 * `security` store (never sealed, since it must be checked while the gallery is locked; never in
 * backups). WebCrypto does the hashing; the comparison takes the same time wherever the bytes differ.
 *
 * The hash stops the passcode being read back from the profile. It does not stop someone with a copy
 * of the profile from guessing it offline, which for a short PIN is quick: the app's own waits between
 * wrong tries (attempt-guard.ts) only slow guesses typed into the app. See docs/security.md.
 */
import { subtle } from './crypto';
import { utf8 } from './encoding';
import { invalid } from './errors';
import { PASSCODE_KEY, SCHEMA_VERSION, type PasscodeRow } from './schema';
import { lazyConnection, type SecurityStateOptions } from './security';

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256, as for the gallery passphrase. */
export const PASSCODE_ITERATIONS = 600_000;
export const PASSCODE_SALT_BYTES = 16;
const HASH_BITS = 256;
export const PASSCODE_MIN_LENGTH = 4;
export const PASSCODE_MAX_LENGTH = 256;

/** A stored passcode hash. */
export interface PasscodeHash {
  kdf: 'PBKDF2-SHA-256';
  iterations: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

/** Why `passcode` cannot be used, in words; null when it can. */
export function passcodeProblem(passcode: unknown): string | null {
  if (typeof passcode !== 'string') return 'Type a passcode.';
  const length = [...passcode.normalize('NFC')].length;
  if (length < PASSCODE_MIN_LENGTH) {
    return `The passcode must be at least ${PASSCODE_MIN_LENGTH} characters long (a PIN of ${PASSCODE_MIN_LENGTH} or more digits, or a passphrase).`;
  }
  if (length > PASSCODE_MAX_LENGTH) return `The passcode must be at most ${PASSCODE_MAX_LENGTH} characters long.`;
  return null;
}

async function derive(passcode: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const material = await subtle().importKey('raw', utf8(passcode.normalize('NFC')), 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle().deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(salt), iterations },
    material,
    HASH_BITS,
  );
  return new Uint8Array(bits);
}

/** A new hash of `passcode` with a fresh random salt; refuses a passcode `passcodeProblem` refuses. */
export async function hashPasscode(passcode: string, iterations = PASSCODE_ITERATIONS): Promise<PasscodeHash> {
  const problem = passcodeProblem(passcode);
  if (problem !== null) throw invalid(problem);
  if (!Number.isInteger(iterations) || iterations < 1)
    throw invalid('The PBKDF2 iteration count must be a positive integer.');
  const salt = crypto.getRandomValues(new Uint8Array(PASSCODE_SALT_BYTES));
  return { kdf: 'PBKDF2-SHA-256', iterations, salt, hash: await derive(passcode, salt, iterations) };
}

/** Equal bytes, compared in a time that depends only on the lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** Whether `passcode` is the one `stored` was made from. */
export async function verifyPasscode(passcode: string, stored: PasscodeHash): Promise<boolean> {
  if (typeof passcode !== 'string' || passcode.length === 0) return false;
  return constantTimeEqual(await derive(passcode, stored.salt, stored.iterations), stored.hash);
}

/** A stored row made sane; anything of the wrong shape reads as no passcode. */
export function toPasscodeHash(row: unknown): PasscodeHash | null {
  if (typeof row !== 'object' || row === null) return null;
  const { kdf, iterations, salt, hash } = row as Partial<PasscodeRow>;
  if (kdf !== 'PBKDF2-SHA-256' || !Number.isInteger(iterations) || (iterations as number) < 1) return null;
  if (!(salt instanceof Uint8Array) || !(hash instanceof Uint8Array) || hash.length !== HASH_BITS / 8) return null;
  return { kdf, iterations: iterations as number, salt, hash };
}

/** Where the passcode hash is kept. */
export interface PasscodeStorage {
  read(): Promise<PasscodeHash | null>;
  /** Stores `hash` in place of any earlier one (one transaction). */
  write(hash: PasscodeHash): Promise<void>;
  remove(): Promise<void>;
  close(): void;
}

export function openPasscodeStorage(options: SecurityStateOptions = {}): PasscodeStorage {
  const now = options.now ?? Date.now;
  const { connection, close } = lazyConnection(options);
  return {
    async read() {
      return toPasscodeHash(await (await connection()).get('security', PASSCODE_KEY));
    },
    async write(hash) {
      const row: PasscodeRow = { key: PASSCODE_KEY, schema: SCHEMA_VERSION, ...hash, updated: now() };
      await (await connection()).put('security', row);
    },
    async remove() {
      await (await connection()).delete('security', PASSCODE_KEY);
    },
    close,
  };
}
