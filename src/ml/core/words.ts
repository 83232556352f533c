// Plain words for counts, shared by the stores and the pages (the stores cannot import from ui/).

/** "1 image", "2 images", "1,000 people": a count with its noun in the right number. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
