// The app's attempt counters, wired to the real services: the gallery database's security
// store, one BroadcastChannel for all tabs, and a re-read whenever the tab regains focus or comes
// back into view. Face Unlock (unlock.ts), its passcode (passcode.ts) and the
// gallery passphrase (gallery-encryption.ts) use them.
import { openSecurityState } from '../db';
import { broadcastGuardChannel, createAttemptGuard, type GuardServices } from './attempt-guard';

function onWake(refresh: () => void): () => void {
  if (typeof window === 'undefined' || typeof document === 'undefined') return () => undefined;
  const visible = () => document.visibilityState === 'visible' && refresh();
  window.addEventListener('focus', refresh);
  document.addEventListener('visibilitychange', visible);
  return () => {
    window.removeEventListener('focus', refresh);
    document.removeEventListener('visibilitychange', visible);
  };
}

const channel = broadcastGuardChannel();
// In Node (tests that import the app's stores) an open channel must not keep the process alive.
(channel as { unref?: () => void } | undefined)?.unref?.();

const services: GuardServices = { security: openSecurityState(), now: () => Date.now(), channel, onWake };

/** Face Unlock's failed attempts and lockout. */
export const faceUnlockGuard = createAttemptGuard('face-unlock', services);

/** Wrong passphrases for the encrypted gallery, and the wait before the next try. */
export const passphraseGuard = createAttemptGuard('passphrase', services);

/** Wrong unlock passcodes, and the wait before the next try. */
export const passcodeGuard = createAttemptGuard('passcode', services);
