#!/usr/bin/env node
// Runs Facet's benchmarks in headless Chromium on the built app and prints the figures,
// each beside a baseline measured in the same run: the tfjs cpu backend for kernels and Face ID
// stages, a plain-JS scan for 1:N search, and the straightforward per-layer costs (every cost
// read back each iteration) for style transfer.
//   npm run bench                 human-readable table
//   npm run bench -- --json       one JSON object on stdout
//   options: --runs N (timed runs per case, default 10), --no-webgpu, --build (rebuild first),
//            --only backends|faces|style, --backend NAME (Face ID and style benchmarks' backend,
//            default: the app's choice), --dist DIR (serve another build, default dist),
//            --port N (preview server, default 4190)
//   Face ID: --sizes 1000,10000,100000,1000000 (1:N gallery sizes), --dim 192,
//            --frames N (frames of the unlock loop for the tensor-leak check, default 100),
//            --models facedescriptor,faceres (embedders timed stage by stage side by side)
//   Face Unlock video path beside @vladmandic/human (also alone: --only video):
//            --video-backends wasm,webgl (add webgpu to time it; on SwiftShader it is labelled software),
//            --video-frames N[,BACKEND=N] (frames fed to both, default 300; e.g. 300,webgl=60), --leak-frames N (frames of the
//            video path for the tensor-count check on the first backend, default 1000; 0: none),
//            --still-runs N (runs per still photo, default 3)
//   style:   --style-sizes 64,128 (long side of G), --style-large (adds 256,512: for a GPU),
//            --style-iters N (timed iterations per case after 1 warm-up, default 5),
//            --leak-iters N (Adam iterations at 32 px for the tensor-leak check, default 200; 0: none),
//            --lossnets vgg19-random,resnet50,
//            --style-backends wasm,wasm-threads,cpu,webgl,webgpu (each in its own page, one after
//            another; wasm-threads is wasm in a cross-origin-isolated page, which the preview server
//            does not give by itself; default all of them, or --backend's alone)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { startAppSession } from './app-session.mjs';
import { benchVideoSideBySide, HUMAN_STATICS, printVideo, VIDEO_CLIP } from './bench-video.mjs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const runs = Number(args[args.indexOf('--runs') + 1]) || 10;
const webgpu = !args.includes('--no-webgpu');
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const only = opt('--only');
const backend = opt('--backend');
const want = (section) => !only || only === section || (section === 'video' && only === 'faces');
const videoBackends = (opt('--video-backends') ?? 'wasm,webgl').split(',');
// "300" or "300,webgl=60": frames per backend (human takes seconds a frame on software WebGL).
const videoFrames = Object.fromEntries(
  (opt('--video-frames') ?? '300').split(',').map((f) => (f.includes('=') ? f.split('=') : ['*', f])),
);
const leakFrames = Number(opt('--leak-frames') ?? 1000);
const stillRuns = Number(opt('--still-runs') ?? 3);
const sizes = (opt('--sizes') ?? '1000,10000,100000,1000000').split(',').map(Number);
const dim = Number(opt('--dim') ?? 192);
const frames = Number(opt('--frames') ?? 100);
const styleSizes = (opt('--style-sizes') ?? '64,128').split(',').map(Number);
if (args.includes('--style-large')) styleSizes.push(...[256, 512].filter((n) => !styleSizes.includes(n)));
const styleIters = Number(opt('--style-iters') ?? 5);
const leakIters = Number(opt('--leak-iters') ?? 200);
const lossnets = (opt('--lossnets') ?? 'vgg19-random,resnet50').split(',');
const styleBackends = (opt('--style-backends') ?? backend ?? 'wasm,wasm-threads,cpu,webgl,webgpu').split(',');
const log = (...m) => (json ? console.error(...m) : console.log(...m));

if ((want('faces') || want('video')) && !existsSync(VIDEO_CLIP)) {
  const r = spawnSync('node', ['scripts/make-fixtures.mjs'], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

let session;
try {
  session = await startAppSession({
    build: args.includes('--build'),
    webgpu,
    log,
    quietBuild: json,
    ...(opt('--dist') ? { outDir: opt('--dist') } : {}),
    ...(opt('--port') ? { port: Number(opt('--port')) } : {}),
    ...(want('video') ? { fakeCamera: VIDEO_CLIP, statics: HUMAN_STATICS } : {}),
  });
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
const { browser, openApp } = session;
try {
  const report = { app: 'facet', date: new Date().toISOString(), chromium: browser.version(), runs };
  if (want('backends')) {
    const { page, runtime } = await openApp();
    log(`Backend in use: ${runtime.backend}; timing ${runs} runs per case on every backend…`);
    const t0 = Date.now();
    const result = await page.evaluate((n) => window.facet.bench(n), runs);
    if (!result) throw new Error('the benchmark did not run');
    const adapter = await page.evaluate(() => {
      const el = document.querySelector('[data-testid=adapter-vendor]');
      return el
        ? `${el.textContent} / ${document.querySelector('[data-testid=adapter-architecture]')?.textContent}`
        : null;
    });
    Object.assign(report, {
      backend: runtime.backend,
      adapter,
      baseline: 'cpu',
      wall_s: Math.round((Date.now() - t0) / 100) / 10,
      benchmarks: result.entries,
      skipped: result.skipped,
    });
    await page.close();
  }
  if (want('faces')) {
    const image = [...readFileSync('e2e/fixtures/face-a.png')];
    const run = async (query, options) => {
      const { page, runtime } = await openApp(query);
      log(`Face ID benchmarks on ${runtime.backend}…`);
      const r = await page.evaluate((o) => window.facet.benchFaces({ ...o, image: new Uint8Array(o.image) }), {
        ...options,
        image,
      });
      await page.close();
      return r;
    };
    const compare = (opt('--models') ?? 'facedescriptor,faceres').split(',');
    const faces = await run(backend ? `?backend=${backend}` : '', { runs, sizes, dim, frames, compare });
    // The per-stage baseline: the same stages on the tfjs cpu backend, in its own page so no
    // weights move between backends.
    const cpu = await run('?backend=cpu', { runs: Math.max(3, Math.round(runs / 3)) });
    report.face_stages = { ...faces.stages, model: faces.model, frame: faces.frame, baseline: cpu.stages };
    report.face_stages_by_model = { [faces.model]: faces.stages.median_ms };
    for (const [id, st] of Object.entries(faces.others)) report.face_stages_by_model[id] = st.median_ms;
    report.search = faces.search;
    report.leaks = faces.leaks;
  }
  if (want('video')) {
    const stills = ['e2e/fixtures/face-a.png', 'e2e/fixtures/face-b.png', 'e2e/fixtures/celeb-probe.png']
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f));
    report.video = await benchVideoSideBySide({
      openApp,
      backends: videoBackends,
      frames: videoFrames,
      leakFrames,
      stills,
      stillRuns,
      log,
    });
  }
  if (want('style')) {
    // One page per backend, one after another, each with its own baseline in the same page.
    report.style_backends = [];
    for (const name of styleBackends) {
      const threads = name === 'wasm-threads';
      const b = threads ? 'wasm' : name;
      let page;
      try {
        const opened = await openApp(`?backend=${b}`, '#/diagnostics', { isolated: threads });
        page = opened.page;
        page.on('console', (m) => {
          if (m.text().startsWith('[bench-style]')) log(`${name}: ${m.text()}`);
        });
        if (opened.runtime.backend !== b) throw new Error(`the app started ${opened.runtime.backend}, not ${b}`);
        log(`Style-transfer benchmarks on ${name}…`);
        const t0 = Date.now();
        const st = await page.evaluate((o) => window.facet.benchStyle(o), {
          lossnets,
          sizes: styleSizes,
          iterations: styleIters,
          leakIterations: report.style ? 0 : leakIters,
          leakSize: 32,
        });
        st.wall_s = Math.round((Date.now() - t0) / 100) / 10;
        st.name = name;
        report.style_backends.push(st);
        report.style ??= st; // the first backend's full report, as before
      } catch (e) {
        report.style_backends.push({ name, error: e instanceof Error ? e.message : String(e) });
        log(`skipped ${name}: ${e instanceof Error ? e.message : e}`);
      } finally {
        await page?.close();
      }
    }
  }
  if (json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    if (report.benchmarks) {
      console.log(
        `\nChromium ${report.chromium}, adapter ${report.adapter ?? 'none'}, baseline: cpu backend, same run\n`,
      );
      console.table(
        report.benchmarks.map((e) => ({
          benchmark: e.name,
          backend: e.backend,
          'median ms': e.median_ms,
          'p90 ms': e.p90_ms,
          'GFLOP/s': e.gflops,
          'cpu median ms': e.baseline?.median_ms,
          'speed-up': e.speedup_vs_baseline,
        })),
      );
      for (const s of report.skipped) console.log(`skipped ${s.backend}: ${s.reason}`);
    }
    if (report.face_stages) {
      const f = report.face_stages;
      console.log(`\nFace ID stages, ms per ${f.frame} frame (${f.model}), median of ${f.runs}:`);
      console.table({ [f.backend]: f.median_ms, [`${f.baseline.backend} (baseline)`]: f.baseline.median_ms });
      console.log(`\nEmbedders side by side on ${f.backend}, same page and frame, ms per frame (median of ${f.runs}):`);
      console.table(report.face_stages_by_model);
      console.log('\n1:N search, one probe, top 10 (ms); baseline: plain JS Euclidean scan over number arrays');
      console.table(report.search);
      if (report.leaks) console.log('\nTensor leak check:', report.leaks);
    }
    if (report.video) printVideo(report.video);
    if (report.style) {
      const st = report.style;
      const mb = (b) => (b == null ? '–' : (b / 2 ** 20).toFixed(1));
      const gpu = st.gpu_memory_fields;
      console.log(
        `\nStyle transfer on ${st.backend}, ms per iteration, median of ${st.iterations} after ${st.warmup} warm-up ` +
          '(Adam, one read-back per iteration); baseline: per-layer costs, each read back every iteration, same page.' +
          `\nMB: tf.memory().numBytes before each path (weights, images) and its peak${gpu.inUse ? `; peak ${gpu.inUse}` : ''}` +
          `${gpu.allocated ? `, ${gpu.allocated} after the path (the pool is shared by all cases)` : ''}.`,
      );
      console.table(
        st.cases.map((c) => ({
          'loss network': c.lossnet,
          G: `${c.width}×${c.height}`,
          'ms/iter': c.optimised?.median_ms ?? '–',
          'baseline ms/iter': c.baseline?.median_ms ?? '–',
          'speed-up': c.speedup ?? '–',
          'start MB': mb(c.optimised?.start_bytes ?? c.baseline?.start_bytes),
          'peak MB': mb(c.optimised?.peak_bytes),
          'baseline peak MB': mb(c.baseline?.peak_bytes),
          ...(gpu.inUse ? { 'GPU MB': mb(c.optimised?.peak_gpu_bytes_in_use) } : {}),
          ...(gpu.inUse ? { 'baseline GPU MB': mb(c.baseline?.peak_gpu_bytes_in_use) } : {}),
          ...(gpu.allocated
            ? { 'GPU pool MB': mb(c.baseline?.gpu_bytes_allocated ?? c.optimised?.gpu_bytes_allocated) }
            : {}),
          ...(c.error ? { error: c.error } : {}),
        })),
      );
      for (const l of st.leaks) {
        console.log(
          `Tensor leak check, ${l.lossnet} at ${l.size} px: numTensors ${l.num_tensors_after_first} after iteration 1, ` +
            `${l.num_tensors_after_last} after iteration ${l.iterations} (range ${l.num_tensors_min}–${l.num_tensors_max}), ` +
            `${l.num_tensors_after_dispose} after disposal (${l.num_tensors_before} before): ${l.flat ? 'flat' : 'NOT FLAT'}` +
            (l.error ? ` — ${l.error}` : ''),
        );
      }
      for (const s of st.skipped) console.log(`skipped ${s.lossnet}: ${s.reason}`);
      console.log(`numTensors before ${st.num_tensors_start}, after ${st.num_tensors_end}; ${st.wall_s} s in all`);
    }
    if (report.style_backends?.length) {
      console.log(
        '\nStyle transfer, ms per iteration by backend (median; baseline in the same page). wasm flags:',
        report.style_backends
          .filter((b) => b.features)
          .map(
            (b) =>
              `${b.name}: isolated ${b.features.cross_origin_isolated}, SIMD ${b.features.wasm_simd ?? '–'}, threads ${b.features.wasm_threads ?? '–'}`,
          )
          .join('; '),
      );
      const rows = {};
      for (const b of report.style_backends) {
        if (b.error) continue;
        for (const c of b.cases) {
          const key = `${c.lossnet} ${c.width}×${c.height}`;
          rows[key] ??= {};
          rows[key][b.name] = c.optimised?.median_ms ?? (c.error ? 'error' : '–');
          rows[key][`${b.name} baseline`] = c.baseline?.median_ms ?? '–';
        }
      }
      console.table(rows);
      for (const b of report.style_backends) if (b.error) console.log(`skipped ${b.name}: ${b.error}`);
    }
  }
} finally {
  await session.close();
}
