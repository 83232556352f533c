#!/usr/bin/env node
/**
 * make-celeb-fixtures.mjs — a fake webcam showing a real person from faces-celeb, for the e2e
 * test that enrols someone from one photo and unlocks with a *different* photo of them.
 *
 * The photos are read from the shared dataset beside the checkout (../shared/datasets/
 * faces-celeb, or $FACET_FACES_CELEB); nothing from it is copied into the repository. Writes
 * (git-ignored) e2e/fixtures/celeb-probe.y4m (the probe photo letterboxed into 640×480, 30 still
 * frames), celeb-probe.png (its first frame) and celeb.json (which photos play which part).
 *
 *   node scripts/make-celeb-fixtures.mjs        # exits 1 with a message when the set is missing
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FRAME_COUNT, HEIGHT, OUT_DIR, WIDTH, loadJpeg, renderFrame, writePng, writeY4m } from './make-fixtures.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CELEB_DIR = path.resolve(
  process.env.FACET_FACES_CELEB ?? path.join(ROOT, '..', 'shared/datasets/faces-celeb'),
);

/** Who plays which part: the same person's two photos taken on different days, and a stranger. */
export const CELEB_ROLES = {
  enrol: 'p01/img11.jpg',
  probe: 'p01/img2.jpg',
  stranger: 'p02/img44.jpg',
};

/** The smallest 4:3 window that holds the whole photo, centred (the rest is black). */
export function letterbox(width, height) {
  const w = Math.max(width, (height * WIDTH) / HEIGHT);
  const h = (w * HEIGHT) / WIDTH;
  return { x: (width - w) / 2, y: (height - h) / 2, w, h };
}

export function main() {
  const missing = Object.values(CELEB_ROLES).filter((f) => !fs.existsSync(path.join(CELEB_DIR, f)));
  if (missing.length > 0) {
    console.error(
      `make-celeb-fixtures: ${missing.join(', ')} not found under ${CELEB_DIR}. The real-photo e2e test needs ` +
        'the faces-celeb set beside the checkout (../shared/datasets/faces-celeb) or FACET_FACES_CELEB pointing at it.',
    );
    process.exit(1);
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const src = loadJpeg(path.join(CELEB_DIR, CELEB_ROLES.probe));
  const frame = renderFrame(src, letterbox(src.width, src.height), {}, { fill: [0, 0, 0] });
  writeY4m(path.join(OUT_DIR, 'celeb-probe.y4m'), Array(FRAME_COUNT).fill(frame));
  writePng(path.join(OUT_DIR, 'celeb-probe.png'), frame);
  const roles = Object.fromEntries(Object.entries(CELEB_ROLES).map(([k, f]) => [k, path.join(CELEB_DIR, f)]));
  fs.writeFileSync(path.join(OUT_DIR, 'celeb.json'), JSON.stringify(roles, null, 2) + '\n');
  console.log(`make-celeb-fixtures: celeb-probe.y4m from ${CELEB_ROLES.probe} (${src.width}×${src.height})`);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) main();
