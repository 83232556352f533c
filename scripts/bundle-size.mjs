#!/usr/bin/env node
// What a first visit to a page downloads before it can paint: the entry chunk and the page's
// chunk with every chunk they import statically, gzipped — and, apart, what can load later
// (dynamic imports: tfjs and the models' code, the other pages). Run after `npm run build`:
//   node scripts/bundle-size.mjs [PageName]      (default UnlockPage)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = 'dist/assets';
const page = process.argv[2] ?? 'UnlockPage';
const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
const html = readFileSync('dist/index.html', 'utf8');
const entry = html.match(/src="\/assets\/(index-[^"]+\.js)"/)?.[1];
const pageFile = files.find((f) => f.startsWith(`${page}-`));
if (!entry || !pageFile) {
  console.error(`No entry or ${page} chunk in dist/: run npm run build first.`);
  process.exit(1);
}
const code = (f) => readFileSync(join(dir, f), 'utf8');
const gz = (f) => gzipSync(code(f)).length;
// Static imports: `import … from "./x.js"` and `import "./x.js"` (minified, without spaces).
const staticImports = (f) =>
  [...code(f).matchAll(/import(?:[^"'()]*?from)?\s*["']\.\/([^"']+\.js)["']/g)].map((m) => m[1]);
const dynamicImports = (f) => [...code(f).matchAll(/import\(\s*["'`]\.\/([^"'`]+\.js)["'`]\s*\)/g)].map((m) => m[1]);

function closure(roots) {
  const seen = new Set();
  const todo = [...roots];
  while (todo.length) {
    const f = todo.pop();
    if (seen.has(f) || !files.includes(f)) continue;
    seen.add(f);
    todo.push(...staticImports(f));
  }
  return seen;
}
const initial = closure([entry, pageFile]);
const later = closure([...initial].flatMap(dynamicImports).filter((f) => !initial.has(f)));
for (const f of initial) later.delete(f);
const kb = (set) => ([...set].reduce((s, f) => s + gz(f), 0) / 1024).toFixed(1);
console.log(`${page}: initial JS ${kb(initial)} KB gzipped in ${initial.size} files: ${[...initial].join(', ')}`);
console.log(
  `reachable later by dynamic import (tfjs and the models' code, other pages): ${kb(later)} KB gzipped in ${later.size} files`,
);
