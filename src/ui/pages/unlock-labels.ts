import type { CueName } from '../../ml/liveness/fusion';

/** How each liveness cue is named on the Unlock page. */
export const CUE_LABELS: Record<CueName, string> = {
  light: 'Screen light',
  challenge: 'Challenge',
  blink: 'Blink',
  motion: 'Live motion',
  passive: 'Passive models',
  screen: 'Screen traces',
};
