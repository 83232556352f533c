#!/usr/bin/env node
// Presentation-attack figures for Face Unlock in the terms of ISO/IEC 30107-3, measured on the
// built app in headless Chromium with the default liveness settings, each presentation shown by
// the synthetic camera (scripts/synthetic-camera.mjs) as the enrolled person's photo:
//   live     lit by the page's own colours, 1–2 frames late (stands in for a person)
//   replay   lit by a different, recorded sequence (a video of an earlier attempt played back)
//   still    the photo, lit by nothing
//   moved    the photo panned, zoomed and rotated by hand, lit by nothing
// N unlock attempts each. APCER: attacks accepted; BPCER: live attempts refused; each with the
// one-sided 95 % upper confidence bound (Clopper–Pearson) and the median time from "Unlock with my
// face" to the decision.
//   node scripts/eval-liveness.mjs [--attempts 20] [--backend wasm] [--port 4330] [--only live,replay] [--json]
import { startAppSession } from './app-session.mjs';
import { PRESENTATIONS, useSyntheticCamera } from './synthetic-camera.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const attempts = Number(opt('--attempts', 20));
const backend = opt('--backend', 'wasm');
const port = Number(opt('--port', process.env.FACET_E2E_PORT ?? 4330));
const only = opt('--only', PRESENTATIONS.join(',')).split(',');
const json = args.includes('--json');
const log = (...m) => console.error(...m);
if (!(attempts >= 1) || !Number.isInteger(attempts))
  throw new Error(`--attempts wants a whole number ≥ 1, not ${attempts}.`);
for (const p of only)
  if (!PRESENTATIONS.includes(p)) throw new Error(`Unknown presentation "${p}": use ${PRESENTATIONS.join(', ')}.`);

/** P(X ≤ k) for X ~ Binomial(n, p). */
function binomCdf(k, n, p) {
  let term = (1 - p) ** n;
  let sum = term;
  for (let i = 1; i <= k; i++) {
    term *= ((n - i + 1) / i) * (p / (1 - p));
    sum += term;
  }
  return sum;
}

/** One-sided 95 % upper bound on a rate seen k times in n (Clopper–Pearson): 0 of 20 gives 13.9 %. */
export function upperBound95(k, n) {
  if (k >= n) return 1;
  let lo = k / n;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (binomCdf(k, n, mid) > 0.05) lo = mid;
    else hi = mid;
  }
  return hi;
}

const median = (xs) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : Math.round((s[m - 1] + s[m]) / 2);
};

async function runPresentation(presentation) {
  const session = await startAppSession({ port, log });
  try {
    const { page } = await session.openApp(`?backend=${backend}`, '#/people', {
      prepare: (p) => useSyntheticCamera(p, presentation),
    });
    await page.getByTestId('enroll-name').fill('Alice');
    await page.locator('input[type=file]').first().setInputFiles('e2e/fixtures/face-a.png');
    await page.getByTestId('person-name').filter({ hasText: 'Alice' }).waitFor({ timeout: 150_000 });
    await page.goto(page.url().replace(/#.*$/, '#/unlock'));
    await page.getByText('Unlock settings').click();
    // Only the lockout is changed, so that N attempts fit: the liveness settings are the defaults.
    await page.getByTestId('unlock-max-failures').fill('20');
    await page.getByTestId('unlock-lockout-seconds').fill('5');
    const phase = page.getByTestId('unlock-phase');
    const results = [];
    for (let i = 0; i < attempts; i++) {
      const t0 = Date.now();
      await page.getByTestId('unlock-start').click();
      await page.waitForFunction(
        () =>
          ['unlocked', 'denied', 'locked-out'].includes(
            document.querySelector('[data-testid=unlock-phase]')?.dataset.phase,
          ),
        null,
        { timeout: 120_000 },
      );
      const ms = Date.now() - t0;
      const outcome = await phase.getAttribute('data-phase');
      const reasons = outcome !== 'unlocked' ? await page.getByTestId('unlock-reasons').textContent() : '';
      const light = await page
        .getByTestId('cue-light')
        .textContent({ timeout: 1000 })
        .catch(() => '');
      results.push({ accepted: outcome === 'unlocked', ms, reasons, light });
      log(`  ${presentation} #${i + 1}: ${outcome} in ${ms} ms · ${light} ${reasons}`);
      // Every attempt starts alike, from "Unlock with my face" (which starts the camera too).
      if (outcome === 'unlocked') await page.getByTestId('lock-again').click();
      else if (outcome === 'denied') await page.getByRole('button', { name: 'Stop', exact: true }).click();
      // The 20th failure in a row locks Face Unlock for 5 s: wait it out, as a user would.
      else await page.getByTestId('unlock-start').and(page.locator(':enabled')).waitFor({ timeout: 60_000 });
    }
    return results;
  } finally {
    await session.close();
  }
}

const rows = [];
for (const presentation of only) {
  log(`${presentation} (synthetic camera, default settings)…`);
  const results = await runPresentation(presentation);
  const accepted = results.filter((r) => r.accepted).length;
  const genuine = presentation === 'live';
  const errors = genuine ? results.length - accepted : accepted;
  rows.push({
    presentation,
    attempts: results.length,
    accepted,
    [genuine ? 'bpcer' : 'apcer']: errors / results.length,
    upper95: Number(upperBound95(errors, results.length).toFixed(4)),
    median_ms_to_unlock: median(results.filter((r) => r.accepted).map((r) => r.ms)),
    median_ms_to_decision: median(results.map((r) => r.ms)),
    reasons: [...new Set(results.filter((r) => !r.accepted).map((r) => r.reasons))],
  });
}
const report = { backend, attempts, settings: 'defaults', camera: 'synthetic (scripts/synthetic-camera.mjs)', rows };
if (json) console.log(JSON.stringify(report, null, 2));
else console.table(rows.map((r) => ({ ...r, reasons: r.reasons.join(' | ') })));
