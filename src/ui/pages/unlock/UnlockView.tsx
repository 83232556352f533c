// The Unlock page's main card, as on a phone: one button starts the camera and the attempt, the
// result stays above the video, a framing guide sits on it, and after a failure the next attempt
// waits for "Try again" (or the face leaving and coming back). After an unlock, the private notes.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useCamera } from '../../../state/camera';
import { galleryLockedMessage, useGallery } from '../../../state/gallery';
import { usePasscode } from '../../../state/passcode';
import { useUnlock } from '../../../state/unlock';
import { plainCameraLabel } from '../../camera-label';
import { LiveVideo } from '../../components/CameraPanel';
import { SoftwareGpuNotice } from '../../components/SoftwareGpuNotice';
import { FaceGuide } from './FaceGuide';
import { Headline, useNow } from './Headline';
import { LightOverlay } from './LightOverlay';
import { LockAgainButton, NotesPanel } from './NotesPanel';
import { PasscodeEntry } from './PasscodeEntry';

function Notices() {
  const { count, status, encryption } = useGallery(
    useShallow((s) => ({ count: s.identities.length, status: s.status, encryption: s.encryption })),
  );
  const blocked = useUnlock((s) => s.blocked);
  if (encryption === 'locked') {
    return (
      <p className="notice">
        {galleryLockedMessage('use Face Unlock')} <a href="#/people">Go to People</a>
      </p>
    );
  }
  if (blocked === 'nobody-enrolled' || (status === 'ready' && count === 0)) {
    // After a press of the button it is the answer to it, so it is announced.
    return (
      <p
        className={`notice ${blocked ? 'notice-strong' : ''}`}
        role={blocked ? 'alert' : 'status'}
        data-testid="unlock-nobody"
        data-blocked={blocked ?? ''}
      >
        Nobody is enrolled yet — <a href="#/people">add yourself on People</a> with one photo, then come back.
      </p>
    );
  }
  if (blocked === 'no-templates') {
    return (
      <p className="notice" role="status" data-testid="unlock-nobody">
        No one enrolled can be compared with the current face model yet. <a href="#/people">Open People</a> to add a
        photo.
      </p>
    );
  }
  return null;
}

export function UnlockView() {
  const camera = useCamera(
    useShallow((s) => ({ status: s.status, stream: s.stream, error: s.error, actual: s.actual, start: s.start })),
  );
  const { running, phase, session, start, stop, retry, canStart } = useUnlock(
    useShallow((s) => ({
      running: s.running,
      phase: s.machine.current.phase,
      session: s.session,
      start: s.start,
      stop: s.stop,
      retry: s.retry,
      canStart: s.canStart,
    })),
  );
  const lockoutUntil = useUnlock((s) => (s.machine.current.phase === 'locked-out' ? s.machine.current.until : 0));
  const now = useNow(lockoutUntil > 0);
  const passcodeSet = usePasscode((s) => s.status === 'set');
  // Matching needs the templates, which stay sealed while an encrypted gallery is locked.
  const galleryLocked = useGallery((s) => s.encryption === 'locked');
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const [passcodeOpen, setPasscodeOpen] = useState(false);
  /** The attempt to start as soon as the camera gives its first frame. */
  const wantStart = useRef(false);
  const onVideo = useCallback((v: HTMLVideoElement | null) => {
    setVideo(v);
    if (v && wantStart.current) {
      wantStart.current = false;
      useUnlock.getState().start(v);
    }
  }, []);
  // The camera is released once unlocked (by face or passcode), and while locked out.
  const release = session !== null || phase === 'locked-out';
  useEffect(() => {
    if (release) useCamera.getState().stop();
  }, [release]);

  const live = camera.status === 'on';
  const lockedOut = lockoutUntil > now;
  const begin = () => {
    setPasscodeOpen(false);
    if (!canStart()) return;
    if (live && video) return start(video);
    wantStart.current = true;
    void camera.start();
  };
  const end = () => {
    wantStart.current = false;
    stop();
    useCamera.getState().stop();
  };

  let actions;
  if (session) {
    actions = (
      <>
        <LockAgainButton />
        <a className="btn ghost" href="#/private">
          Open as a page
        </a>
      </>
    );
  } else if (running && phase === 'denied') {
    actions = (
      <>
        <button className="btn primary" onClick={retry} data-testid="unlock-retry">
          Try again
        </button>
        <button className="btn" onClick={end}>
          Stop
        </button>
      </>
    );
  } else if (running && !lockedOut) {
    actions = (
      <button className="btn" onClick={end} data-testid="unlock-stop">
        Stop
      </button>
    );
  } else {
    actions = (
      <button
        className="btn primary"
        onClick={begin}
        disabled={galleryLocked || lockedOut || camera.status === 'starting'}
        title={galleryLocked ? galleryLockedMessage('use Face Unlock') : undefined}
        data-testid="unlock-start"
      >
        {camera.status === 'starting' ? 'Starting the camera…' : 'Unlock with my face'}
      </button>
    );
  }

  return (
    <section className="card unlock-main">
      <h1>Face Unlock</h1>
      <p className="lead">Look at the camera to unlock. No image leaves this device.</p>
      <SoftwareGpuNotice />
      <Notices />
      <Headline starting={camera.status === 'starting'} />
      {session ? (
        <NotesPanel />
      ) : lockedOut || (passcodeOpen && !live) ? null : (
        <div className={`viewport unlock-viewport ${live ? 'live' : 'empty'}`}>
          <LiveVideo stream={camera.stream} onElement={onVideo} hidden={!live} />
          {live && <FaceGuide />}
          {live && <LightOverlay />}
          {!live && (
            <p className="muted center">
              {camera.status === 'starting' ? 'Waiting for the camera…' : 'The camera starts when you unlock.'}
            </p>
          )}
        </div>
      )}
      <div className="row wrap unlock-actions">
        {actions}
        {!session && passcodeSet && !passcodeOpen && (
          <button
            className={lockedOut ? 'btn primary' : 'btn ghost'}
            onClick={() => setPasscodeOpen(true)}
            data-testid="use-passcode"
          >
            Use passcode
          </button>
        )}
      </div>
      {lockedOut && !passcodeSet && !session && (
        <p className="small muted" data-testid="no-passcode-hint">
          With a passcode you could unlock now: set one in Unlock settings after your next unlock.
        </p>
      )}
      {passcodeOpen && !session && <PasscodeEntry onClose={() => setPasscodeOpen(false)} />}
      {camera.error && (
        <div className="alert" role="alert" data-testid="camera-error" data-kind={camera.error.kind}>
          {camera.error.message}
        </div>
      )}
      {live && camera.actual && !session && (
        <p className="muted small" data-testid="camera-actual">
          {plainCameraLabel(camera.actual.label, camera.actual.facing)} · {camera.actual.width}×{camera.actual.height}
        </p>
      )}
    </section>
  );
}
