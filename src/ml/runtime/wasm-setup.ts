// Where tfjs's wasm backend finds its binaries, and how it runs, for the page and the Style worker.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/**
 * Points the wasm backend at `path` (a folder of the app's own origin) and keeps it single-threaded.
 * Threads would need tfjs's own worker script next to the bundle; in a cross-origin-isolated page
 * the bundled backend tried them and never became ready ("e is not defined", seen by the style
 * bench), so a site served with COOP/COEP headers would hang instead of running on one thread.
 */
export function setUpWasm(path: string): void {
  setWasmPaths(path);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
}
