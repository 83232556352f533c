// The unlock passcode: setting, changing and removing it, and unlocking with it when the face will
// not do (after Face Unlock's lockout, as a phone offers its passcode). Only a salted PBKDF2 hash is
// kept (db/passcode.ts). Wrong passcodes are counted like Face Unlock's failures, in IndexedDB for
// every tab (attempt-guard.ts): four cost nothing, then each one waits longer (1 min … 1 h).
import { create } from 'zustand';
import {
  hashPasscode,
  openPasscodeStorage,
  passcodeProblem,
  verifyPasscode,
  type PasscodeHash,
  type PasscodeStorage,
} from '../db';
import { errorMessage } from '../ml/core/errors';
import { PASSCODE_FREE_TRIES, PASSCODE_MAX_WAIT_MS, wrongPasscode, type AttemptGuard } from './attempt-guard';
import { passcodeGuard } from './security';
import { useUnlock } from './unlock';

export interface PasscodeServices {
  /** Where the hash is kept; null where IndexedDB cannot be used (no passcode can be set). */
  storage: PasscodeStorage | null;
  /** Wrong passcodes in a row and the wait before the next try, shared by every tab. */
  guard: AttemptGuard;
  hash(passcode: string): Promise<PasscodeHash>;
  verify(passcode: string, stored: PasscodeHash): Promise<boolean>;
  /** The right passcode was given to unlock. */
  onUnlock(): Promise<void> | void;
  /** Whether the app is unlocked now: setting a passcode needs it, so a locked-out stranger cannot set one. */
  unlocked(): boolean;
}

export interface PasscodeState {
  /** 'unknown' until read; 'unavailable' where it cannot be stored. */
  status: 'unknown' | 'none' | 'set' | 'unavailable';
  busy: boolean;
  error: string | null;
  notice: string | null;
  refresh(): Promise<void>;
  /** Sets a new passcode (typed twice); changing one needs the current passcode. */
  setPasscode(next: string, again: string, current?: string): Promise<boolean>;
  removePasscode(current: string): Promise<boolean>;
  /** Unlocks with `passcode`; false when it is wrong or must wait. */
  unlock(passcode: string): Promise<boolean>;
  clearMessages(): void;
}

const seconds = (ms: number) => Math.ceil(ms / 1000);

/** "1 min", "5 min", "45 s": a wait in the unit a person reads it in. */
export function waitWords(ms: number): string {
  return ms >= 60_000 ? `${Math.ceil(ms / 60_000)} min` : `${seconds(ms)} s`;
}

export function createPasscodeStore(services: PasscodeServices) {
  const { storage, guard } = services;

  return create<PasscodeState>()((set, get) => {
    /** Refused while a wait from earlier wrong passcodes runs (in any tab): the sentence, or null. */
    const tooSoon = async (): Promise<string | null> => {
      await guard.getState().refresh();
      const wait = guard.getState().waitMs(PASSCODE_MAX_WAIT_MS);
      return wait > 0 ? `Too many wrong passcodes. Try again in ${waitWords(wait)}.` : null;
    };

    /** Checks `passcode` against the stored hash, counting a wrong one; the error sentence, or null if right. */
    const check = async (passcode: string): Promise<string | null> => {
      const waiting = await tooSoon();
      if (waiting) return waiting;
      const stored = await storage?.read();
      if (!stored) {
        set({ status: 'none' });
        return 'No passcode is set. Set one in Unlock settings.';
      }
      if (await services.verify(passcode, stored)) {
        await guard.getState().succeed();
        return null;
      }
      const { failures } = await guard.getState().fail(wrongPasscode);
      const wait = guard.getState().waitMs(PASSCODE_MAX_WAIT_MS);
      if (wait > 0) return `Wrong passcode. Try again in ${waitWords(wait)}.`;
      const left = PASSCODE_FREE_TRIES - failures;
      return `Wrong passcode. ${left} more ${left === 1 ? 'try' : 'tries'} before a wait of ${waitWords(60_000)}.`;
    };

    /** Runs `task` with busy set, turning any failure into a message. */
    const task = async (body: () => Promise<boolean>): Promise<boolean> => {
      set({ busy: true, error: null, notice: null });
      try {
        return await body();
      } catch (e) {
        set({ error: errorMessage(e) });
        return false;
      } finally {
        set({ busy: false });
      }
    };

    return {
      status: storage ? 'unknown' : 'unavailable',
      busy: false,
      error: null,
      notice: null,

      async refresh() {
        if (!storage) return;
        try {
          set({ status: (await storage.read()) ? 'set' : 'none' });
        } catch (e) {
          set({ status: 'unavailable', error: errorMessage(e) });
        }
      },

      setPasscode: (next, again, current) =>
        task(async () => {
          if (!storage) throw new Error('The passcode cannot be stored in this browser (no IndexedDB).');
          if (!services.unlocked()) {
            return (
              set({ error: 'Unlock first, with your face or the passcode, to set or change the passcode.' }),
              false
            );
          }
          const problem = passcodeProblem(next);
          if (problem) return (set({ error: problem }), false);
          if (next !== again) return (set({ error: 'The two passcodes differ. Type the same passcode twice.' }), false);
          if (get().status === 'set' || (await storage.read())) {
            const wrong = await check(current ?? '');
            if (wrong) return (set({ error: `The passcode was not changed. ${wrong}` }), false);
          }
          await storage.write(await services.hash(next));
          set({
            status: 'set',
            notice: 'The passcode is set. When Face Unlock locks you out, use it to unlock.',
          });
          return true;
        }),

      removePasscode: (current) =>
        task(async () => {
          if (!storage) return false;
          const wrong = await check(current);
          if (wrong) return (set({ error: `The passcode was not removed. ${wrong}` }), false);
          await storage.remove();
          set({ status: 'none', notice: 'The passcode is removed.' });
          return true;
        }),

      unlock: (passcode) =>
        task(async () => {
          if (!passcode) return (set({ error: 'Type your passcode.' }), false);
          const wrong = await check(passcode);
          if (wrong) return (set({ error: wrong }), false);
          await services.onUnlock();
          return true;
        }),

      clearMessages() {
        set({ error: null, notice: null });
      },
    };
  });
}

export type PasscodeStore = ReturnType<typeof createPasscodeStore>;

/** The real storage; null where there is no IndexedDB (Node, some private modes). */
function defaultStorage(): PasscodeStorage | null {
  try {
    return typeof indexedDB === 'undefined' ? null : openPasscodeStorage();
  } catch {
    return null;
  }
}

export const usePasscode = createPasscodeStore({
  storage: defaultStorage(),
  guard: passcodeGuard,
  hash: (passcode) => hashPasscode(passcode),
  verify: verifyPasscode,
  onUnlock: () => useUnlock.getState().unlockWithPasscode(),
  unlocked: () => useUnlock.getState().session !== null,
});
