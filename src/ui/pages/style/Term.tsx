import type { ReactNode } from 'react';

/** A plain label with the field's own term beside it, quieter: "Content weight (α)". */
export function Term({ children, term, title }: { children: ReactNode; term: string; title?: string }) {
  return (
    <span title={title}>
      {children} <span className="term">({term})</span>
    </span>
  );
}
