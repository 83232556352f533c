// Finding people by name in a gallery of up to 200,000: a folded copy of every name is made once
// per list, when first searched (not per keystroke), and a search stops as soon as it has the rows it will show.
import type { IdentitySummary } from '../db/gallery';

/** Lower case without accents, so "zoe" finds "Zoé" and "ZOE". */
export function foldName(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('en');
}

export interface PeopleIndex {
  readonly people: readonly IdentitySummary[];
  readonly folded: readonly string[];
}

const indexes = new WeakMap<readonly IdentitySummary[], PeopleIndex>();

/** The index of a list; the same list gives back the same index. */
export function peopleIndex(people: readonly IdentitySummary[]): PeopleIndex {
  let index = indexes.get(people);
  if (!index) {
    index = { people, folded: people.map((p) => foldName(p.name)) };
    indexes.set(people, index);
  }
  return index;
}

export interface PeopleMatch {
  /** The first `limit` people whose name contains the query, in list order. */
  shown: IdentitySummary[];
  /** How many match in all. */
  total: number;
}

/** The list is folded only once someone searches it, and then once per list. */
export function searchPeople(people: readonly IdentitySummary[], query: string, limit: number): PeopleMatch {
  const q = foldName(query.trim());
  if (!q) return { shown: people.slice(0, limit), total: people.length };
  const index = peopleIndex(people);
  const shown: IdentitySummary[] = [];
  let total = 0;
  for (let i = 0; i < index.folded.length; i++) {
    if (!index.folded[i]!.includes(q)) continue;
    total++;
    if (shown.length < limit) shown.push(index.people[i]!);
  }
  return { shown, total };
}
