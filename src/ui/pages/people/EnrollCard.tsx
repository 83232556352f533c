import { useShallow } from 'zustand/react/shallow';
import { useState } from 'react';
import { useCamera } from '../../../state/camera';
import { galleryLockedMessage, useGallery } from '../../../state/gallery';
import { CameraPanel } from '../../components/CameraPanel';
import { ImagePicker } from '../../components/ImagePicker';

import { EnrolPrompt } from './EnrolPrompt';
import { useActiveModel } from './shared';

export function EnrollCard() {
  const { enrollFromFile, enrollFromCamera, busy } = useGallery(
    useShallow((s) => ({ enrollFromFile: s.enrollFromFile, enrollFromCamera: s.enrollFromCamera, busy: s.busy })),
  );
  const locked = useGallery((s) => s.encryption === 'locked');
  const asking = useGallery((s) => s.enrolPrompt !== null);
  const cameraOn = useCamera((s) => s.status === 'on');
  const embedder = useActiveModel().name;
  const [name, setName] = useState('');
  const [mode, setMode] = useState<'photo' | 'camera'>('photo');
  const trimmed = name.trim();
  const done = (ok: boolean) => ok && setName('');
  const enrolled = () => setName('');
  return (
    <section className="card">
      <h2>Enroll a person</h2>
      <p className="muted small">
        One clear photo is enough (one-shot learning). With the camera, Facet keeps a few good frames with slightly
        different poses. Embeddings are made with {embedder}.
      </p>
      {locked && <p className="notice small">{galleryLockedMessage('enroll people')}</p>}
      <label className="field">
        <span>Name</span>
        <input
          type="text"
          value={name}
          maxLength={80}
          onChange={(e) => setName(e.target.value)}
          placeholder="e.g. Ada Lovelace"
          data-testid="enroll-name"
        />
      </label>
      <fieldset className="segmented" style={{ marginTop: '0.6rem' }}>
        <legend className="visually-hidden">Enroll from</legend>
        {(['photo', 'camera'] as const).map((m) => (
          <label key={m}>
            <input type="radio" name="enroll-mode" checked={mode === m} onChange={() => setMode(m)} />
            <span>{m === 'photo' ? 'From a photo' : 'From the camera'}</span>
          </label>
        ))}
      </fieldset>
      <EnrolPrompt onEnrolled={enrolled} />
      {mode === 'photo' ? (
        <ImagePicker
          label={trimmed ? `Photo of ${trimmed}` : 'Type a name, then add a photo'}
          onFile={(f) => trimmed && !busy && !locked && void enrollFromFile(trimmed, f).then(done)}
          compact
        />
      ) : (
        <CameraPanel
          actions={(video) => (
            <button
              className="btn primary"
              disabled={!trimmed || !!busy || !cameraOn || locked || asking}
              onClick={() => video && void enrollFromCamera(trimmed, video).then(done)}
            >
              Capture and enroll
            </button>
          )}
        />
      )}
    </section>
  );
}
