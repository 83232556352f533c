import { CameraPanel } from '../components/CameraPanel';
import { FaceCheckButton, FaceCheckResult } from '../components/FaceCheck';

export function UnlockPage() {
  return (
    <div className="grid two">
      <section className="card">
        <h1>Face Unlock</h1>
        <p className="lead">Look at the camera to unlock. Everything runs on this device; no image leaves it.</p>
        <CameraPanel
          actions={(video) => <FaceCheckButton source={() => video} />}
          imageActions={(bitmap) => <FaceCheckButton source={() => bitmap} />}
        />
        <FaceCheckResult />
      </section>
      <section className="card">
        <h2>How unlocking will work</h2>
        <ol className="steps">
          <li>
            <strong>Looking for a face</strong> — BlazeFace finds faces in each camera frame.
          </li>
          <li>
            <strong>Checking</strong> — liveness cues (blinks, head turns, motion over time) make sure it is a live
            person, not a photo or a replayed video.
          </li>
          <li>
            <strong>Matching</strong> — the aligned face is turned into an embedding and compared with the templates of
            enrolled people on the People page.
          </li>
          <li>
            <strong>Unlocked or denied</strong> — with the similarity score against the threshold, and a lockout after
            repeated failures.
          </li>
        </ol>
        <p className="muted">
          Enrollment and matching arrive with the Face ID release. Today this page checks that the camera and the face
          detector work on your device.
        </p>
      </section>
    </div>
  );
}
