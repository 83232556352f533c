#!/usr/bin/env node
// Neural style transfer from the command line, by the same code the Style Studio runs: the built
// app in headless Chromium (WebGPU where the browser has it), driven through window.facet.
//
//   npm run stylize -- --content photo.jpg --style painting.jpg --out result.png
//        [--size N] [--iters N] [--lossnet vgg19-random|resnet50] [--backend webgpu|webgl|wasm|cpu]
//        [--optimiser adam|lbfgs] [--lr X] [--alpha X] [--beta X] [--tv X] [--seed N]
//        [--init noise|content|mix] [--mix X] [--style-scale X] [--coarse-to-fine] [--preserve-colors]
//        [--content-layer NAME] [--style-layers a,b,c (equal λ) | a:0.5,b:0.2]
//        [--smoothing on|off] [--vgg-seed N] [--tile N] [--no-judge] [--json] [--build] [--port N]
//
// Every option left out is what the Style Studio does when the user changes nothing (the store's
// defaults, src/ml/style/transfer.ts DEFAULT_STYLE_SETTINGS and the network's Balanced preset); the
// backend is the one the app picks by its measured probe unless --backend names one.
//
// With --json, stdout is one JSON object: backend, lossnet, size, width, height, iterations,
// ms_per_iter_median, wall_s, J, J_content, J_style (one value per iteration, the weighted
// terms), settings, judge: { network, content_before, content_after, style_before, style_after }
// (relative distances through another network than the loss network, src/ml/style/judge.ts;
// before = the starting image), out.
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
    'usage: npm run stylize -- --content <image> --style <image> --out <png> [options]\n' +
      '  options: --size --iters --lossnet vgg19-random|resnet50 --backend webgpu|webgl|wasm|cpu --optimiser adam|lbfgs\n' +
      '  --lr --alpha --beta --tv --seed --init noise|content|mix --mix --style-scale --coarse-to-fine --preserve-colors\n' +
      '  --content-layer --style-layers a,b|a:w,b:w --smoothing on|off --vgg-seed --tile --no-judge --json --build --port\n' +
      '  (see the header of scripts/stylize.mjs; options left out are the Style Studio defaults)',
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
const styleLayers = opt('--style-layers')
  ?.split(',')
  .map((part, _, all) => {
    const [layer, w] = part.split(':');
    return { layer, weight: w === undefined ? 1 / all.length : Number(w) };
  });
const smoothing = opt('--smoothing');
const settings = {
  size: num('--size', undefined),
  iterations: num('--iters', undefined),
  lossNetwork: opt('--lossnet', undefined),
  optimiser: opt('--optimiser', undefined),
  learningRate: num('--lr', undefined),
  alpha: num('--alpha', undefined),
  beta: num('--beta', undefined),
  tvWeight: num('--tv', undefined),
  seed: num('--seed', undefined),
  init: opt('--init', undefined),
  preserveColors: args.includes('--preserve-colors') || undefined,
  coarseToFine: args.includes('--coarse-to-fine') || undefined,
  mixRatio: num('--mix', undefined),
  styleScale: num('--style-scale', undefined),
  tileSize: num('--tile', undefined),
  contentLayer: opt('--content-layer', undefined),
  styleLayers,
  smoothing: smoothing === undefined ? undefined : smoothing === 'on',
  vggSeed: num('--vgg-seed', undefined),
  judge: args.includes('--no-judge') ? false : undefined,
};
for (const k of Object.keys(settings)) if (settings[k] === undefined) delete settings[k];

let session;
try {
  session = await startAppSession({
    build: args.includes('--build'),
    log,
    quietBuild: json,
    port: num('--port', 4191),
  });
  const backend = opt('--backend');
  const { page, runtime } = await session.openApp(backend ? `?backend=${backend}` : '', '#/style');
  log(
    `Stylizing on ${runtime.backend} with ${settings.lossNetwork ?? 'the default network'}` +
      ` at ${settings.size ?? 'the default size'} px, ${settings.iterations ?? 'the default'} iterations…`,
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
    const j = report.judge;
    if (j) {
      log(
        `Judged through ${j.network}: content distance ${j.content_before.toFixed(3)} → ${j.content_after.toFixed(3)},` +
          ` style distance ${j.style_before.toFixed(3)} → ${j.style_after.toFixed(3)} (0 = same as the photo / the painting).`,
      );
    }
  }
} catch (e) {
  console.error(`stylize failed: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 1;
} finally {
  await session?.close();
}
