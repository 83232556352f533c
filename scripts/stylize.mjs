#!/usr/bin/env node
// Neural style transfer from the command line, by the same code the Style Studio runs: the built
// app in headless Chromium (WebGPU where the browser has it), driven through window.facet.
//
//   npm run stylize -- --content photo.jpg --style painting.jpg --out result.png
//        [--size 256] [--iters 200] [--lossnet vgg19-random|resnet50] [--backend webgpu|webgl|cpu]
//        [--optimiser adam|lbfgs] [--lr 0.02] [--alpha 1] [--beta 1000] [--tv 0] [--seed 1]
//        [--init noise|content|mix] [--preserve-colors] [--json] [--build]
//
// With --json, stdout is one JSON object: backend, lossnet, size, iterations, ms_per_iter_median,
// J, J_content, J_style (one value per iteration, the weighted terms), out.
import { readFileSync, writeFileSync } from 'node:fs';
import { startAppSession } from './app-session.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const json = args.includes('--json');
const log = (...m) => (json ? console.error(...m) : console.log(...m));

const content = opt('--content');
const style = opt('--style');
const out = opt('--out');
if (!content || !style || !out) {
  console.error(
    'usage: npm run stylize -- --content <image> --style <image> --out <png> [options]; see the header of scripts/stylize.mjs',
  );
  process.exit(2);
}
const num = (name, fallback) => {
  const v = opt(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) {
    console.error(`${name} needs a number, got "${v}"`);
    process.exit(2);
  }
  return n;
};
const settings = {
  size: num('--size', 256),
  iterations: num('--iters', 200),
  lossNetwork: opt('--lossnet', 'vgg19-random'),
  optimiser: opt('--optimiser', undefined),
  learningRate: num('--lr', undefined),
  alpha: num('--alpha', undefined),
  beta: num('--beta', undefined),
  tvWeight: num('--tv', undefined),
  seed: num('--seed', undefined),
  init: opt('--init', undefined),
  preserveColors: args.includes('--preserve-colors') || undefined,
};
for (const k of Object.keys(settings)) if (settings[k] === undefined) delete settings[k];

let session;
try {
  session = await startAppSession({ build: args.includes('--build'), log, quietBuild: json, port: 4191 });
  const backend = opt('--backend');
  const { page, runtime } = await session.openApp(backend ? `?backend=${backend}` : '', '#/style');
  log(
    `Stylizing on ${runtime.backend} with ${settings.lossNetwork} at ${settings.size} px, ${settings.iterations} iterations…`,
  );
  page.on('console', (m) => m.type() === 'error' && log('page:', m.text()));
  const result = await page.evaluate(
    async ({ c, s, o }) => {
      const r = await window.facet.stylize({ content: new Uint8Array(c), style: new Uint8Array(s), ...o });
      return { ...r, png: [...r.png] };
    },
    { c: [...readFileSync(content)], s: [...readFileSync(style)], o: settings },
  );
  writeFileSync(out, Buffer.from(result.png));
  const report = { ...result, png: undefined, out };
  if (json) console.log(JSON.stringify(report, null, 2));
  else {
    const last = report.J.length - 1;
    log(
      `Done: ${report.iterations} iterations on ${report.backend}, median ${report.ms_per_iter_median.toFixed(0)} ms per iteration;` +
        ` J ${report.J[0]?.toExponential(3)} → ${report.J[last]?.toExponential(3)}. Wrote ${out}.`,
    );
  }
} catch (e) {
  console.error(`stylize failed: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
} finally {
  await session?.close();
}
