import { describe, expect, it } from 'vitest';
import type { IdentitySummary } from '../db/gallery';
import { foldName, peopleIndex, searchPeople } from './people-search';

const person = (id: string, name: string): IdentitySummary => ({
  id,
  name,
  notes: '',
  created: 0,
  updated: 0,
  templateCount: 1,
  templatesByModel: { facedescriptor: 1 },
  thumbnailCount: 1,
});

describe('people search', () => {
  const people = [person('1', 'Zoé Martin'), person('2', 'Bob'), person('3', 'ZOE Li'), person('4', 'Chloé')];

  it('folds case and accents', () => {
    expect(foldName('Zoé')).toBe('zoe');
    expect(foldName('ÇA')).toBe('ca');
  });

  it('finds names containing the query, whatever their case or accents, in list order', () => {
    expect(searchPeople(people, 'zoe', 10).shown.map((p) => p.id)).toEqual(['1', '3']);
    expect(searchPeople(people, ' LOÉ ', 10).shown.map((p) => p.id)).toEqual(['4']);
    expect(searchPeople(people, 'nobody', 10)).toEqual({ shown: [], total: 0 });
  });

  it('shows at most a page but counts every match', () => {
    const many = Array.from({ length: 1000 }, (_, i) => person(String(i), `Person ${i}`));
    const found = searchPeople(many, 'person 1', 50);
    expect(found.total).toBe(1 + 10 + 100); // 1, 10–19, 100–199
    expect(found.shown).toHaveLength(50);
    expect(searchPeople(many, '', 50)).toMatchObject({ total: 1000, shown: many.slice(0, 50) });
  });

  it('folds each list once', () => {
    expect(peopleIndex(people)).toBe(peopleIndex(people));
    expect(peopleIndex([...people])).not.toBe(peopleIndex(people));
  });
});
