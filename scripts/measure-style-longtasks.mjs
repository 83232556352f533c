// Main-thread long tasks during one Style Studio run, as a person would start it: the samples,
// a small size and a few iterations, Start. A PerformanceObserver('longtask') counts every task
// over 50 ms from the click to the end of the run; prints the longest, how many passed 100 ms,
// the iterations run and how long the first preview took to appear.
//
//   node scripts/measure-style-longtasks.mjs [--backend webgl] [--size 64] [--iters 5] [--out-dir dist] [--profile]
//
// --profile adds a CPU profile of the main thread (Chrome DevTools Protocol) and prints the
// functions with the most self time: what the long tasks were made of.
import { startAppSession } from './app-session.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const backend = arg('backend', 'webgl');
const size = arg('size', '64');
const iterations = arg('iters', '5');
const outDir = arg('out-dir', 'dist');

const session = await startAppSession({ outDir, port: Number(arg('port', '4183')), webgpu: true });
try {
  const { page, runtime } = await session.openApp(`?backend=${backend}`, '#/style');
  console.error(`backend: ${runtime.backend}`);
  await page.evaluate(() => {
    const w = window;
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, ms: e.duration });
    }).observe({ type: 'longtask' });
  });
  await page.getByTestId('style-samples').click();
  await page.getByTestId('style-item').first().waitFor();
  // The size and iteration fields may sit in a closed <details>: open every one first.
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
  await page.getByTestId('size').fill(size);
  await page.getByTestId('iterations').fill(iterations);
  const t0 = await page.evaluate(() => {
    window.__longTasks = [];
    // What the page said, and when: to tell which phase of the run each long task fell in.
    window.__timeline = [];
    const note = () => {
      const text = document.querySelector('[data-testid=style-status]')?.textContent ?? '';
      const last = window.__timeline[window.__timeline.length - 1];
      if (text && text !== last?.text) window.__timeline.push({ at: performance.now(), text });
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
    return performance.now();
  });
  const cdp = process.argv.includes('--profile') ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
    await cdp.send('Profiler.start');
  }
  await page.getByTestId('style-start').click();
  await page.getByTestId('style-preview').waitFor({ timeout: 600_000 });
  const firstPreviewMs = (await page.evaluate(() => performance.now())) - t0;
  const status = page.getByTestId('style-status');
  await page.waitForFunction(
    () =>
      ['done', 'stopped', 'error'].includes(document.querySelector('[data-testid=style-status]')?.dataset.status ?? ''),
    null,
    { timeout: 1_200_000, polling: 500 },
  );
  const end = await page.evaluate(() => performance.now());
  let selfTime = undefined;
  if (cdp) {
    const { profile } = await cdp.send('Profiler.stop');
    const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
    const ms = new Map();
    const dt = profile.timeDeltas;
    profile.samples.forEach((id, i) => {
      const f = byNode.get(id).callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
      ms.set(key, (ms.get(key) ?? 0) + (dt[i + 1] ?? 0) / 1000);
    });
    selfTime = [...ms]
      .filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(program)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([k, v]) => `${Math.round(v)} ms ${k}`);
  }
  const tasks = await page.evaluate(() => window.__longTasks);
  const timeline = await page.evaluate(() => [
    ...window.__timeline,
    ...performance
      .getEntriesByType('mark')
      .filter((m) => m.name.startsWith('facet:'))
      .map((m) => ({ at: m.startTime, text: m.name })),
  ]);
  timeline.sort((a, b) => a.at - b.at);
  const points = await page.getByTestId('plot-costs').getAttribute('data-points');
  const ms = tasks.map((t) => t.ms).sort((a, b) => b - a);
  console.log(
    JSON.stringify(
      {
        backend: runtime.backend,
        size: Number(size),
        status: await status.getAttribute('data-status'),
        iterationsRun: Number(points),
        runSeconds: Math.round((end - t0) / 100) / 10,
        firstPreviewSeconds: Math.round(firstPreviewMs / 100) / 10,
        longestTaskMs: Math.round(ms[0] ?? 0),
        tasksOver100ms: ms.filter((m) => m > 100).length,
        tasksOver50ms: ms.length,
        top5Ms: ms.slice(0, 5).map(Math.round),
        tasksOver100: tasks
          .filter((t) => t.ms > 100)
          .map((t) => `${Math.round(t.ms)} ms at ${((t.start - t0) / 1000).toFixed(1)} s`),
        timeline: timeline.map((e) => `${((e.at - t0) / 1000).toFixed(1)} s: ${e.text}`),
        statusText: await status.textContent(),
        // Where the run happened: the Style worker's backend, or the page with its reason.
        runPlace: await page
          .getByTestId('style-run-place')
          .evaluate((e) => ({ backend: e.dataset.backend, worker: e.dataset.worker, text: e.textContent }))
          .catch(() => null),
        ...(selfTime ? { selfTime } : {}),
      },
      null,
      2,
    ),
  );
} finally {
  await session.close();
}
