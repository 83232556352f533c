/**
 * The private notes that a Face Unlock (or the passcode) opens: one row in the meta store, in clear
 * or sealed with the gallery key when the gallery is encrypted. The gallery reads and writes it in
 * its own transactions (gallery.ts), so a save is whole or absent, and turning encryption on or off
 * rewrites it in the same transaction as every other row.
 */
import { fromUtf8, utf8 } from './encoding';
import { seal, unseal } from './crypto';
import { GalleryError, MESSAGES } from './errors';
import { NOTES_KEY, SCHEMA_VERSION, type MetaRow, type NotesRow } from './schema';

/** The notes as the app sees them. */
export interface PrivateNotes {
  text: string;
  /** Ms since the epoch of the last save; doubles as the version a save must still find. */
  updated: number;
}

/** The longest notes kept (characters); a whole book would only slow every save. */
export const MAX_NOTES_LENGTH = 100_000;

const NOTES_AAD = `facet/meta/${NOTES_KEY}`;

export function notesTextProblem(text: unknown): string | null {
  if (typeof text !== 'string') return 'The notes must be text.';
  if (text.length > MAX_NOTES_LENGTH) {
    return `The notes are too long (${text.length.toLocaleString('en-US')} characters; at most ${MAX_NOTES_LENGTH.toLocaleString('en-US')}). Shorten them and save again.`;
  }
  return null;
}

/** The notes row out of what the meta store holds under NOTES_KEY; anything else reads as no notes. */
export function asNotesRow(row: MetaRow | undefined): NotesRow | null {
  return row?.key === NOTES_KEY ? row : null;
}

export async function encodeNotes(key: CryptoKey | null, notes: PrivateNotes): Promise<NotesRow> {
  const base = { key: NOTES_KEY, schema: SCHEMA_VERSION, updated: notes.updated } as const;
  if (key === null) return { ...base, text: notes.text };
  return { ...base, sealed: await seal(key, utf8(notes.text), NOTES_AAD) };
}

export async function decodeNotes(key: CryptoKey | null, row: NotesRow): Promise<PrivateNotes> {
  if ('text' in row) {
    if (typeof row.text !== 'string') throw new GalleryError('corrupt', 'The stored notes are damaged.');
    return { text: row.text, updated: row.updated };
  }
  if (key === null) throw new GalleryError('locked', MESSAGES.locked);
  return { text: fromUtf8(await unseal(key, row.sealed, NOTES_AAD)), updated: row.updated };
}
