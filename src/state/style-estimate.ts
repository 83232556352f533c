// How long a Style Studio run has left, from the time its iterations have taken so far.
import type { CostRow, StyleStage } from '../ml/style/session';

const MS = 5; // the column of a cost row that holds the iteration's milliseconds

function median(values: number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/**
 * Milliseconds left, or null before the first iteration. The pace is the median of the current
 * stage's last five iterations, leaving out the run's first while there are others (it carries
 * the one-off start-up of the optimiser and the GPU). With coarse to fine, the first stage runs
 * at half size: each full-size iteration is reckoned four times (twice the side, four times the
 * pixels) one of the first stage's.
 */
export function estimateRemainingMs(
  rows: readonly CostRow[],
  iterations: number,
  stage: StyleStage | null,
): number | null {
  const last = rows[rows.length - 1];
  if (!last) return null;
  const done = last[0]!;
  if (stage?.tiles) {
    // Tiles run at one size each: the pace of the last few tile iterations, to the planned end.
    const tileRows = rows.slice(-5);
    return Math.max(0, (stage.planned ?? iterations) - done) * median(tileRows.map((r) => r[MS]!));
  }
  const twoStages = (stage?.count ?? 1) === 2;
  const coarseIterations = twoStages ? Math.floor(iterations / 2) : 0;
  const inFineStage = !twoStages || (stage?.index ?? 0) === 1;
  const stageRows = rows.filter((r) => (inFineStage ? r[0]! > coarseIterations : r[0]! <= coarseIterations));
  const usable = rows.length > 1 ? stageRows.filter((r) => r !== rows[0]) : stageRows;
  const paceRows = (usable.length ? usable : rows).slice(-5);
  let pace = median(paceRows.map((r) => r[MS]!));
  if (twoStages && inFineStage && usable.length === 0) pace *= 4; // only coarse iterations seen yet
  if (inFineStage) return Math.max(0, iterations - done) * pace;
  return Math.max(0, coarseIterations - done) * pace + (iterations - coarseIterations) * pace * 4;
}

/** "about 2 min left", in the words a person uses; null for no estimate. */
export function formatRemaining(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  const s = ms / 1000;
  if (s < 15) return 'a few seconds left';
  if (s < 55) return `about ${Math.round(s / 5) * 5} s left`;
  const min = Math.round(s / 60);
  if (min < 60) return `about ${min} min left`;
  const h = Math.floor(min / 60);
  const rest = min % 60;
  return `about ${h} h${rest ? ` ${rest} min` : ''} left`;
}
