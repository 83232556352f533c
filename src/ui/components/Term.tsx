import type { ReactNode } from 'react';

/**
 * A label in plain words with the field's term beside it as small secondary text (visible, so
 * every reader gets it, not only those who hover), and what the term means as the tooltip.
 */
export function Plain({ children, term, explain }: { children: ReactNode; term: string; explain?: string }) {
  return (
    <span className="plain" title={explain}>
      {children} <span className="term">{term}</span>
    </span>
  );
}
