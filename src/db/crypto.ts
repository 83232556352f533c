/**
 * Encryption at rest for the gallery, with WebCrypto only (no crypto code of our own).
 *
 * - Key: PBKDF2-SHA-256 over the NFC-normalised passphrase with a random 16-byte salt and, by
 *   default, 600,000 iterations (OWASP's 2023 figure for PBKDF2-HMAC-SHA256) → AES-GCM 256. The key
 *   is non-extractable and lives only in memory; locking forgets it.
 * - Records: AES-GCM with a fresh random 12-byte IV for every sealing (never reused: a new IV even
 *   when the same record is re-sealed). Additional authenticated data binds each ciphertext to the
 *   record's clear fields (store, id, identity, model…), so moving ciphertext to another record or
 *   editing the clear fields around it makes decryption fail instead of silently re-attributing a face.
 * - Check value: a known string sealed with the key and stored with the salt, so a wrong passphrase
 *   is told apart before any data is touched.
 *
 * The gallery (gallery.ts) decides which fields are sealed and rewrites all rows in one transaction
 * when encryption is turned on or off; this module only derives keys and seals bytes.
 */
import { GalleryError, MESSAGES, errorName, invalid } from './errors';
import { bytesEqual, newId, utf8 } from './encoding';
import type { EncryptionParams, Sealed } from './schema';

export const DEFAULT_PBKDF2_ITERATIONS = 600_000;
export const SALT_BYTES = 16;
export const IV_BYTES = 12;
const MIN_PASSPHRASE_LENGTH = 8;
const CHECK_TEXT = 'facet-gallery key check v1';

export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) {
    throw new GalleryError(
      'unavailable',
      'Encryption needs a secure page (https or localhost); open Facet from its normal address.',
    );
  }
  return s;
}

export function validatePassphrase(passphrase: string): void {
  if (typeof passphrase !== 'string' || [...passphrase.normalize('NFC')].length < MIN_PASSPHRASE_LENGTH) {
    throw invalid(`The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`);
  }
}

/** What a derived key is for: sealing gallery records (AES-GCM) or sealing a backup file (HMAC, backup-seal.ts). */
export type KeyUse = 'encrypt' | 'sign';

export async function deriveKey(
  passphrase: string,
  salt: Uint8Array,
  iterations: number,
  use: KeyUse = 'encrypt',
): Promise<CryptoKey> {
  if (!Number.isInteger(iterations) || iterations < 1)
    throw invalid('The PBKDF2 iteration count must be a positive integer.');
  const material = await subtle().importKey('raw', utf8(passphrase.normalize('NFC')), 'PBKDF2', false, ['deriveKey']);
  return subtle().deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(salt), iterations },
    material,
    use === 'encrypt' ? { name: 'AES-GCM', length: 256 } : { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    use === 'encrypt' ? ['encrypt', 'decrypt'] : ['sign', 'verify'],
  );
}

export async function seal(key: CryptoKey, plaintext: Uint8Array, aad: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const data = await subtle().encrypt(
    { name: 'AES-GCM', iv, additionalData: utf8(aad) },
    key,
    new Uint8Array(plaintext),
  );
  return { iv, data };
}

/** Decrypt; throws GalleryError 'corrupt' when the tag does not verify (wrong key, edited bytes or AAD). */
export async function unseal(key: CryptoKey, sealed: Sealed, aad: string): Promise<Uint8Array> {
  try {
    const plain = await subtle().decrypt(
      { name: 'AES-GCM', iv: new Uint8Array(sealed.iv), additionalData: utf8(aad) },
      key,
      sealed.data,
    );
    return new Uint8Array(plain);
  } catch (err) {
    if (errorName(err) === 'OperationError') {
      throw new GalleryError(
        'corrupt',
        `A stored record (${aad}) could not be decrypted: it was changed outside Facet or written with another key.`,
        { cause: err },
      );
    }
    throw err;
  }
}

function checkAad(id: string): string {
  return `facet/meta/key-check/${id}`;
}

/** New encryption parameters and the key they describe. */
export async function createEncryption(
  passphrase: string,
  iterations: number = DEFAULT_PBKDF2_ITERATIONS,
): Promise<{ params: EncryptionParams; key: CryptoKey }> {
  validatePassphrase(passphrase);
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const key = await deriveKey(passphrase, salt, iterations);
  const id = newId();
  const check = await seal(key, utf8(CHECK_TEXT), checkAad(id));
  return { params: { id, kdf: 'PBKDF2-SHA-256', iterations, salt, cipher: 'AES-GCM-256', check }, key };
}

/** Derive the key for stored parameters; a wrong passphrase is a 'wrong-passphrase' GalleryError. */
export async function keyFromPassphrase(passphrase: string, params: EncryptionParams): Promise<CryptoKey> {
  const key = await deriveKey(passphrase, params.salt, params.iterations);
  let plain: Uint8Array;
  try {
    plain = await unseal(key, params.check, checkAad(params.id));
  } catch (err) {
    if (err instanceof GalleryError && err.kind === 'corrupt') {
      throw new GalleryError('wrong-passphrase', MESSAGES.wrongPassphrase, { cause: err });
    }
    throw err;
  }
  if (!bytesEqual(plain, utf8(CHECK_TEXT))) throw new GalleryError('wrong-passphrase', MESSAGES.wrongPassphrase);
  return key;
}
