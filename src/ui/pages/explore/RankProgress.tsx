/** Progress of a pass over the image set, then of cutting out the patches it found. */
export function RankProgress({ done, total, item }: { done: number; total: number; item: string }) {
  return (
    <>
      <progress max={total} value={done} />
      <p className="small muted">{done < total ? `${item} ${done + 1} of ${total}…` : 'Cutting out the patches…'}</p>
    </>
  );
}
