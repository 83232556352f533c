// The end-to-end suite must not skip quietly: without Chromium it fails and says how to fix it.
import { CHROMIUM_CANDIDATES, findChromium } from './chromium-path.mjs';

const path = findChromium();
if (!path) {
  console.error(
    `\nNo Chromium found (looked at ${CHROMIUM_CANDIDATES.join(', ')}).\n` +
      "The end-to-end tests need Debian's Chromium. Install it with:\n\n" +
      '    sudo apt-get update && sudo apt-get install -y chromium\n\n' +
      'or point CHROMIUM_PATH at a Chromium binary.\n',
  );
  process.exit(1);
}
console.log(`Chromium: ${path}`);
