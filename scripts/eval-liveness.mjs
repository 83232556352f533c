#!/usr/bin/env node
// Presentation-attack figures for Face Unlock in the terms of ISO/IEC 30107-3, measured on the
// built app in headless Chromium with fake webcams (scripts/make-fixtures.mjs):
//   still photo   face-a.y4m   one frame of the enrolled person, repeated
//   moved photo   rigid-a.y4m  the same photo panned, zoomed and rotated by hand
//   replay        live-a.y4m   a recording of the enrolled person blinking, played back
//   genuine       live-a.y4m   the same clip stands in for the live user (we have no camera here)
// For each, N unlock attempts with the default liveness settings (and the replay and genuine
// clips again with the active challenge required). APCER: attacks accepted; BPCER: genuine
// attempts rejected; with the median time a genuine attempt takes to unlock.
//   node scripts/eval-liveness.mjs [--attempts 10] [--backend wasm] [--json]
import { startAppSession } from './app-session.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const attempts = Number(opt('--attempts', 10));
const backend = opt('--backend', 'wasm');
const json = args.includes('--json');
const log = (...m) => console.error(...m);

const CASES = [
  { name: 'still photo', clip: 'face-a', genuine: false, challenge: false },
  { name: 'photo moved by hand', clip: 'rigid-a', genuine: false, challenge: false },
  { name: 'replayed video', clip: 'live-a', genuine: false, challenge: false },
  { name: 'replayed video', clip: 'live-a', genuine: false, challenge: true },
  { name: 'genuine (live-like clip)', clip: 'live-a', genuine: true, challenge: false },
  { name: 'genuine (live-like clip)', clip: 'live-a', genuine: true, challenge: true },
];

async function runCase(c) {
  const session = await startAppSession({ fakeCamera: `e2e/fixtures/${c.clip}.y4m`, port: 4330, log });
  try {
    const { page } = await session.openApp(`?backend=${backend}`, '#/people');
    await page.getByTestId('enroll-name').fill('Alice');
    await page.locator('input[type=file]').first().setInputFiles('e2e/fixtures/face-a.png');
    await page.getByTestId('person-name').filter({ hasText: 'Alice' }).waitFor({ timeout: 150_000 });
    await page.goto(page.url().replace(/#.*$/, '#/unlock'));
    await page.getByText('Unlock settings').click();
    await page.getByTestId('cue-mode-challenge').selectOption(c.challenge ? 'required' : 'off');
    await page.getByLabel('Attempts before lockout').fill(String(attempts + 5));
    const phase = page.getByTestId('unlock-phase');
    const results = [];
    for (let i = 0; i < attempts; i++) {
      const t0 = Date.now();
      await page.getByTestId('unlock-start').click();
      await page.waitForFunction(
        () => ['unlocked', 'denied'].includes(document.querySelector('[data-testid=unlock-phase]')?.dataset.phase),
        null,
        { timeout: 120_000 },
      );
      const outcome = await phase.getAttribute('data-phase');
      const reasons = outcome === 'denied' ? await page.getByTestId('unlock-reasons').textContent() : '';
      results.push({ accepted: outcome === 'unlocked', ms: Date.now() - t0, reasons });
      log(`  ${c.name}${c.challenge ? ' + challenge' : ''} #${i + 1}: ${outcome} in ${Date.now() - t0} ms ${reasons}`);
      // Every attempt starts alike, from "Unlock with my face" (which starts the camera too).
      if (outcome === 'unlocked') await page.getByTestId('lock-again').click();
      else await page.getByRole('button', { name: 'Stop', exact: true }).click();
    }
    return results;
  } finally {
    await session.close();
  }
}

const rows = [];
for (const c of CASES) {
  log(`${c.name}${c.challenge ? ', challenge required' : ''} (${c.clip}.y4m)…`);
  const results = await runCase(c);
  const accepted = results.filter((r) => r.accepted);
  const times = accepted.map((r) => r.ms).sort((a, b) => a - b);
  rows.push({
    case: c.name,
    clip: `${c.clip}.y4m`,
    challenge: c.challenge,
    attempts: results.length,
    accepted: accepted.length,
    [c.genuine ? 'BPCER' : 'APCER']: c.genuine
      ? (results.length - accepted.length) / results.length
      : accepted.length / results.length,
    median_ms_to_unlock: times.length ? times[Math.floor(times.length / 2)] : null,
    reasons: [...new Set(results.filter((r) => !r.accepted).map((r) => r.reasons))],
  });
}
if (json) console.log(JSON.stringify({ backend, attempts, rows }, null, 2));
else console.table(rows.map((r) => ({ ...r, reasons: r.reasons.join(' | ') })));
