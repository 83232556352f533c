// A synthetic webcam for the liveness tests: getUserMedia answers with a canvas.captureStream()
// that draws the enrolled person's photo at 30 frames a second, with camera noise and small
// exposure changes, and
//   live    tints and brightens the face by the colour the page shows (LightOverlay's data-rgb),
//           1–2 frames late, as the screen's light falls on a real face;
//   replay  tints the face by a different, recorded sequence of the same colours (a video of an
//           earlier attempt, played back: it follows its own past screen, not this one);
//   still   the photo, lit by nothing;
//   moved   the photo panned, zoomed and rotated by hand, lit by nothing.
// It stands in for a person in front of a screen: the strength of the light on the face (20 % of
// its brightness at most) is our assumption, not a measurement of a room.
// Used by the e2e specs and by scripts/eval-liveness.mjs (plain JavaScript, so both can load it).
import { readFileSync } from 'node:fs';

export const PRESENTATIONS = ['live', 'replay', 'still', 'moved'];

/** The face box of face-a.png, from the fixtures' manifest. */
function faceBox() {
  const manifest = JSON.parse(readFileSync('e2e/fixtures/fixtures.json', 'utf8'));
  return manifest.files.find((f) => f.file === 'face-a.y4m').approxFaceBox;
}

/**
 * Installs the synthetic camera in `page` (a Playwright Page) for every document it opens from now on.
 * @param {import('@playwright/test').Page} page
 * @param {'live' | 'replay' | 'still' | 'moved'} mode
 */
export async function useSyntheticCamera(page, mode, seed = 1) {
  if (!PRESENTATIONS.includes(mode))
    throw new Error(`No synthetic camera for "${mode}": use ${PRESENTATIONS.join(', ')}.`);
  const photo = `data:image/png;base64,${readFileSync('e2e/fixtures/face-a.png').toString('base64')}`;
  await page.addInitScript(installCamera, { mode, photo, face: faceBox(), seed });
}

/** Runs in the page, before the app: everything it needs is inside it. */
function installCamera(setup) {
  const W = 640;
  const H = 480;
  let a = setup.seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  // The app's palette (light-challenge.ts), for the replay's recorded sequence.
  const palette = [
    [255, 204, 158],
    [158, 214, 255],
    [179, 224, 153],
    [255, 194, 242],
    [230, 214, 128],
    [128, 219, 230],
  ];
  const recorded = [];
  for (let t = 0, last = -1; t < 10_000;) {
    let k = Math.floor(rand() * palette.length);
    if (k === last) k = (k + 1) % palette.length;
    last = k;
    t += 150 + rand() * 100;
    recorded.push({ rgb: palette[k], until: t });
  }

  const canvas = document.createElement('canvas');
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d');
  const img = new Image();
  img.src = setup.photo;
  const noise = document.createElement('canvas');
  noise.width = W;
  noise.height = H;
  const nctx = noise.getContext('2d');
  const grain = nctx.createImageData(W, H);
  for (let i = 0; i < grain.data.length; i += 4) {
    const v = rand() * 255;
    grain.data.set([v, v, v, 255], i);
  }
  nctx.putImageData(grain, 0, 0);

  const seen = [];
  const start = performance.now();
  const cx = setup.face.x + setup.face.w / 2;
  const cy = setup.face.y + setup.face.h / 2;

  function shown() {
    const el = document.querySelector('[data-testid=light-overlay]');
    return el?.dataset.rgb ? el.dataset.rgb.split(',').map(Number) : null;
  }

  function draw() {
    const t = performance.now() - start;
    seen.push(shown());
    if (seen.length > 3) seen.shift();
    ctx.save();
    ctx.fillStyle = '#777';
    ctx.fillRect(0, 0, W, H);
    if (setup.mode === 'moved') {
      const s = t / 1000;
      ctx.translate(W / 2 + 30 * Math.sin(s * 1.3), H / 2 + 20 * Math.sin(s * 0.9));
      ctx.rotate((7 * Math.PI * Math.sin(s * 0.7)) / 180);
      ctx.scale(1 + 0.12 * Math.sin(s * 1.1), 1 + 0.12 * Math.sin(s * 1.1));
      ctx.translate(-W / 2, -H / 2);
    }
    // Auto-exposure wanders a little over the whole frame.
    ctx.filter = `brightness(${(1 + 0.01 * gauss()).toFixed(4)})`;
    if (img.complete) ctx.drawImage(img, 0, 0, W, H);
    ctx.filter = 'none';
    let light = null;
    // The camera's delay: the frame shows the screen as it was one or two frames ago.
    if (setup.mode === 'live') light = seen[seen.length - (rand() < 0.5 ? 2 : 3)] ?? null;
    if (setup.mode === 'replay') light = (recorded.find((r) => r.until > t % 10_000) ?? recorded[0]).rgb;
    if (light) {
      // face × (1 − s + s × colour): the screen's share s of the light on the face, strongest at its middle.
      const r = Math.max(setup.face.w, setup.face.h) * 0.75;
      const g = ctx.createRadialGradient(cx, cy, r * 0.2, cx, cy, r);
      g.addColorStop(0, `rgba(${light.join(',')},1)`);
      g.addColorStop(1, `rgba(${light.join(',')},0)`);
      ctx.globalCompositeOperation = 'multiply';
      ctx.globalAlpha = 0.2;
      ctx.fillStyle = g;
      ctx.fillRect(cx - r, cy - r, 2 * r, 2 * r);
      // …and the light adds brightness too: a soft screen-coloured glow on top.
      ctx.globalCompositeOperation = 'lighter';
      ctx.globalAlpha = 0.06;
      ctx.fillRect(cx - r, cy - r, 2 * r, 2 * r);
    }
    ctx.restore();
    // Sensor noise: the grain at a random offset, faint.
    ctx.save();
    ctx.globalAlpha = 0.04;
    ctx.globalCompositeOperation = 'overlay';
    ctx.drawImage(noise, -Math.floor(rand() * 64), -Math.floor(rand() * 64), W + 64, H + 64);
    ctx.restore();
  }

  let stream = null;
  const camera = () => {
    if (!stream) {
      draw();
      setInterval(draw, 1000 / 30);
      stream = canvas.captureStream(30);
    }
    // Each caller stops its own tracks: hand out clones.
    return stream.clone();
  };
  const devices = navigator.mediaDevices;
  devices.getUserMedia = async (constraints) => {
    if (!constraints?.video) throw new DOMException('Only video is simulated.', 'NotFoundError');
    return camera();
  };
  devices.enumerateDevices = async () => [
    {
      deviceId: 'synthetic',
      groupId: 'synthetic',
      kind: 'videoinput',
      label: 'Synthetic camera',
      toJSON() {
        return this;
      },
    },
  ];
}
