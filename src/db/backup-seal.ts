/**
 * The seal on a backup file: HMAC-SHA-256 under a key derived (PBKDF2-SHA-256, crypto.ts) from a
 * password the person holds — the gallery passphrase when the gallery is encrypted, or a backup
 * password chosen at download. Anyone can recompute a plain checksum; only the password holder can
 * recompute the seal, so a file that was edited (say, Bob's face copied under Alice's name) no
 * longer verifies.
 *
 * In the file, beside the payload:
 *
 *   "auth": {"method":"HMAC-SHA-256","kdf":"PBKDF2-SHA-256","iterations":600000,"salt":"<base64>",
 *            "key":"backup-password"|"gallery-passphrase","check":"<base64>","tag":"<base64>"}
 *
 * `tag` = HMAC(key, "facet-gallery-backup seal v1\n" ‖ canonical(header) ‖ "\n" ‖ canonical(payload)),
 * where header is the whole document without `payload`, `sha256` and `auth.tag` (so the format,
 * version, dates, counts and these very parameters are covered too) and canonical is the sorted-key
 * JSON of backup-json.ts. `check` = HMAC(key, "facet-gallery-backup key check v1"): it tells a wrong
 * password apart from a changed file. It gives an attacker nothing the tag does not already give
 * (either lets them test password guesses offline, at the cost of PBKDF2 per guess).
 */
import { deriveKey, subtle } from './crypto';
import { base64ToBytes, bytesToBase64, utf8 } from './encoding';
import { canonicalJson, concat } from './backup-json';

export type SealKeySource = 'backup-password' | 'gallery-passphrase';

export interface BackupSeal {
  method: 'HMAC-SHA-256';
  kdf: 'PBKDF2-SHA-256';
  iterations: number;
  salt: string;
  key: SealKeySource;
  check: string;
  tag: string;
}

/** What checking a seal with a password found. */
export type SealCheck = 'valid' | 'wrong-password' | 'changed';

/** A file's iteration count is the writer's choice; past this, checking would hang the page. */
export const MAX_SEAL_ITERATIONS = 10_000_000;
const SALT_BYTES = 16;
const TAG_BYTES = 32;
const SEAL_PREFIX = 'facet-gallery-backup seal v1\n';
const CHECK_TEXT = 'facet-gallery-backup key check v1';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The seal of a parsed document, or a sentence saying why it is not one we can check. */
export function readSeal(raw: unknown): BackupSeal | string {
  if (!isObject(raw)) return 'its seal is not valid';
  const { method, kdf, iterations, salt, key, check, tag } = raw;
  if (method !== 'HMAC-SHA-256' || kdf !== 'PBKDF2-SHA-256') return 'its seal uses a method this version does not know';
  if (typeof iterations !== 'number' || !Number.isInteger(iterations) || iterations < 1) {
    return 'its seal has no valid iteration count';
  }
  if (iterations > MAX_SEAL_ITERATIONS) {
    return `its seal asks for ${iterations.toLocaleString('en')} key iterations, more than the ${MAX_SEAL_ITERATIONS.toLocaleString('en')} Facet allows`;
  }
  if (key !== 'backup-password' && key !== 'gallery-passphrase') return 'its seal does not say which password it uses';
  const bytes = (v: unknown) => (typeof v === 'string' ? base64ToBytes(v) : null);
  if ((bytes(salt)?.length ?? 0) < SALT_BYTES) return 'its seal has no valid salt';
  if (bytes(check)?.length !== TAG_BYTES || bytes(tag)?.length !== TAG_BYTES) return 'its seal is not valid';
  return { method, kdf, iterations, salt: salt as string, key, check: check as string, tag: tag as string };
}

/** The header part the tag covers: the document without payload, checksum and the tag itself. */
export function sealedHeader(doc: Record<string, unknown>): Record<string, unknown> {
  const header: Record<string, unknown> = {};
  for (const key of Object.keys(doc)) {
    if (key === 'payload' || key === 'sha256') continue;
    let value = doc[key];
    if (key === 'auth' && isObject(value)) {
      const rest = { ...value };
      delete rest.tag;
      value = rest;
    }
    Object.defineProperty(header, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return header;
}

function message(header: Record<string, unknown>, canonicalPayload: Uint8Array): Uint8Array<ArrayBuffer> {
  return concat([utf8(SEAL_PREFIX), utf8(canonicalJson(header)), utf8('\n'), canonicalPayload]);
}

async function signingKey(password: string, salt: string, iterations: number): Promise<CryptoKey> {
  return deriveKey(password, base64ToBytes(salt) ?? new Uint8Array(0), iterations, 'sign');
}

async function hmac(key: CryptoKey, data: Uint8Array<ArrayBuffer>): Promise<string> {
  return bytesToBase64(new Uint8Array(await subtle().sign('HMAC', key, data)));
}

async function verify(key: CryptoKey, tag: string, data: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const bytes = base64ToBytes(tag);
  if (bytes === null) return false;
  return subtle().verify('HMAC', key, new Uint8Array(bytes), data);
}

/** Seal parameters for a new backup: a fresh salt, and the check value under the derived key. */
export async function newSealParams(
  password: string,
  keySource: SealKeySource,
  iterations: number,
): Promise<{ params: Omit<BackupSeal, 'tag'>; key: CryptoKey }> {
  const salt = bytesToBase64(crypto.getRandomValues(new Uint8Array(SALT_BYTES)));
  const key = await signingKey(password, salt, iterations);
  const check = await hmac(key, utf8(CHECK_TEXT));
  return { params: { method: 'HMAC-SHA-256', kdf: 'PBKDF2-SHA-256', iterations, salt, key: keySource, check }, key };
}

/** The tag over a document's header (with its `auth` minus the tag) and canonical payload. */
export function tagFor(key: CryptoKey, header: Record<string, unknown>, canonicalPayload: Uint8Array): Promise<string> {
  return hmac(key, message(header, canonicalPayload));
}

/** Check a seal with a password; verification is WebCrypto's, in constant time. */
export async function checkSeal(
  seal: BackupSeal,
  password: string,
  header: Record<string, unknown>,
  canonicalPayload: Uint8Array,
): Promise<SealCheck> {
  const key = await signingKey(password, seal.salt, seal.iterations);
  if (!(await verify(key, seal.check, utf8(CHECK_TEXT)))) return 'wrong-password';
  return (await verify(key, seal.tag, message(header, canonicalPayload))) ? 'valid' : 'changed';
}
