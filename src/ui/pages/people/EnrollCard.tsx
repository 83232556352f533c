import { useShallow } from 'zustand/react/shallow';
import { useEffect, useRef, useState } from 'react';
import { useCamera } from '../../../state/camera';
import { galleryLockedMessage, useGallery } from '../../../state/gallery';
import { CameraPanel } from '../../components/CameraPanel';
import { ImagePicker } from '../../components/ImagePicker';

import { EnrolPrompt } from './EnrolPrompt';
import { useActiveModel } from './shared';

export function EnrollCard() {
  const { enrollFromFile, enrollFromCamera, enrollAwaitingPhoto, forgetAwaitingPhoto, busy, awaiting } = useGallery(
    useShallow((s) => ({
      enrollFromFile: s.enrollFromFile,
      enrollFromCamera: s.enrollFromCamera,
      enrollAwaitingPhoto: s.enrollAwaitingPhoto,
      forgetAwaitingPhoto: s.forgetAwaitingPhoto,
      busy: s.busy,
      awaiting: s.photoAwaitingName,
    })),
  );
  const locked = useGallery((s) => s.encryption === 'locked');
  const asking = useGallery((s) => s.enrolPrompt !== null);
  const cameraOn = useCamera((s) => s.status === 'on');
  const embedder = useActiveModel().name;
  const [name, setName] = useState('');
  const [mode, setMode] = useState<'photo' | 'camera'>('photo');
  const nameInput = useRef<HTMLInputElement>(null);
  const trimmed = name.trim();
  const done = (ok: boolean) => ok && setName('');
  const enrolled = () => setName('');
  // A photo chosen before the name: the name field is what enrolment waits for, so it gets the focus.
  useEffect(() => {
    if (awaiting) nameInput.current?.focus();
  }, [awaiting]);
  const needName = !!awaiting && !trimmed;
  return (
    <section className="card">
      <h2>Enroll a person</h2>
      <p className="muted small">
        One clear photo is enough. With the camera, Facet keeps a few good frames with slightly different poses.{' '}
        <span title="The face model that turns each face into the numbers Facet compares (its embedding).">
          Faces are read by the {embedder} model.
        </span>
      </p>
      {locked && <p className="notice small">{galleryLockedMessage('enroll people')}</p>}
      <form
        className="enrol-name"
        onSubmit={(e) => {
          e.preventDefault();
          if (!awaiting) return;
          if (!trimmed) return void nameInput.current?.focus();
          void enrollAwaitingPhoto(trimmed).then(done);
        }}
      >
        <label className="field">
          <span>Name</span>
          <input
            ref={nameInput}
            type="text"
            value={name}
            maxLength={80}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. Ada Lovelace"
            aria-describedby={awaiting ? 'enrol-name-hint' : undefined}
            aria-invalid={needName || undefined}
            data-testid="enroll-name"
          />
        </label>
        {awaiting && (
          <div className="enrol-name-hint" data-testid="enrol-name-hint">
            <p id="enrol-name-hint" role="status" className={needName ? 'hint-needed' : undefined}>
              {needName ? (
                <>
                  <strong>Type a name first.</strong> The photo “{awaiting}” is kept: it is enrolled as soon as you
                  confirm the name.
                </>
              ) : (
                <>
                  The photo “{awaiting}” will be enrolled as <strong>{trimmed}</strong>.
                </>
              )}
            </p>
            <div className="row wrap">
              <button
                type="submit"
                className="btn primary"
                disabled={!!busy || locked || !trimmed}
                data-testid="enrol-awaiting"
              >
                {trimmed ? `Enroll ${trimmed}` : 'Enroll'}
              </button>
              <button type="button" className="btn" onClick={forgetAwaitingPhoto}>
                Forget the photo
              </button>
            </div>
          </div>
        )}
      </form>
      <fieldset className="segmented" style={{ marginTop: '0.6rem' }}>
        <legend className="visually-hidden">Enroll from</legend>
        {(['photo', 'camera'] as const).map((m) => (
          <label key={m}>
            <input type="radio" name="enroll-mode" checked={mode === m} onChange={() => setMode(m)} />
            <span>{m === 'photo' ? 'From a photo' : 'From the camera'}</span>
          </label>
        ))}
      </fieldset>
      {mode === 'photo' ? (
        <ImagePicker
          label={trimmed ? `Photo of ${trimmed}` : 'Photo of the person'}
          onFile={(f) => !busy && !locked && void enrollFromFile(trimmed, f).then(done)}
          compact
        />
      ) : (
        <CameraPanel
          actions={(video) => (
            <>
              <button
                className="btn primary"
                disabled={!trimmed || !!busy || !cameraOn || locked || asking}
                title={trimmed ? undefined : 'Type a name first'}
                onClick={() => video && void enrollFromCamera(trimmed, video).then(done)}
              >
                Capture and enroll
              </button>
              {!trimmed && <span className="muted small">Type a name first.</span>}
            </>
          )}
        />
      )}
      {/* Below the photo or camera it answers, where the eyes already are. */}
      <EnrolPrompt onEnrolled={enrolled} />
    </section>
  );
}
