// One way to turn anything thrown into the sentence a person sees. Errors raised by Facet's own
// code already carry such a sentence (what happened, what to do); anything else is shown as
// its message, never as "[object Object]".

/** The user-facing message of a thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  return String(e);
}
