import { useEffect, useRef } from 'react';
import { useGallery } from '../../state/gallery';
import { useIdentify, type IdentifiedFace } from '../../state/identify';
import { CameraPanel } from '../components/CameraPanel';
import { SoftwareGpuNotice } from '../components/SoftwareGpuNotice';
import { ImagePicker } from '../components/ImagePicker';
import { formatMs } from '../format';

/** Draws the photo with a labelled box on every face. */
function Annotated({ bitmap, faces }: { bitmap: ImageBitmap; faces: IdentifiedFace[] | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    c.width = bitmap.width;
    c.height = bitmap.height;
    ctx.drawImage(bitmap, 0, 0);
    const line = Math.max(2, bitmap.width / 400);
    ctx.font = `600 ${Math.max(14, bitmap.width / 60)}px system-ui, sans-serif`;
    for (const f of faces ?? []) {
      const color = f.name ? '#12b886' : '#f59f00';
      ctx.strokeStyle = color;
      ctx.lineWidth = line;
      ctx.strokeRect(f.box.x, f.box.y, f.box.width, f.box.height);
      const label = f.name ?? 'Not enrolled';
      const h = Math.max(18, bitmap.width / 45);
      const w = ctx.measureText(label).width + h * 0.6;
      ctx.fillStyle = color;
      ctx.fillRect(f.box.x, Math.max(0, f.box.y - h), w, h);
      ctx.fillStyle = '#15172a'; // dark on green and amber reads better than white
      ctx.fillText(label, f.box.x + h * 0.3, Math.max(0, f.box.y - h) + h * 0.78);
    }
  }, [bitmap, faces]);
  return <canvas ref={canvas} className="bitmap annotated" role="img" aria-label="Photo with identified faces" />;
}

/** "3 faces found", or, when the face cap left some out, how many were compared of how many. */
function facesFound(compared: number, found: number | null): string {
  const n = (k: number) => `${k} face${k === 1 ? '' : 's'}`;
  if (found === null || found <= compared) return `${n(compared)} found`;
  return `${n(found)} found; only the ${compared} clearest were compared (the most Facet compares in one photo)`;
}

export function IdentifyPage() {
  const {
    image,
    faces,
    found,
    threshold,
    busy,
    error,
    notice,
    ms,
    identifyFile,
    identifyFrame,
    live,
    startLive,
    stopLive,
  } = useIdentify();
  const count = useGallery((s) => s.identities.length);
  const open = useGallery((s) => s.open);
  useEffect(() => {
    void open();
  }, [open]);
  useEffect(() => () => useIdentify.getState().stopLive(), []);
  return (
    <div className="grid two">
      <section className="card">
        <h1>Identify</h1>
        <p className="lead" title="One-to-many identification (1:N): each face is searched for in the whole gallery.">
          Who is this? Every face in a photo is compared with everyone you have enrolled.
        </p>
        <SoftwareGpuNotice />
        {count === 0 && (
          <p className="notice">
            The gallery is empty, so every face will be unknown. <a href="#/people">Enroll people</a> first.
          </p>
        )}
        <ImagePicker label="A photo of one or more people" onFile={(f) => void identifyFile(f)} />
        <details>
          <summary>Or use the camera</summary>
          <CameraPanel
            actions={(video) => (
              <>
                <button className="btn" disabled={busy || live} onClick={() => video && void identifyFrame(video)}>
                  Identify this frame
                </button>
                {live ? (
                  <button className="btn" onClick={stopLive}>
                    Stop live
                  </button>
                ) : (
                  <button className="btn primary" disabled={busy} onClick={() => video && startLive(video)}>
                    Identify live
                  </button>
                )}
              </>
            )}
          />
        </details>
      </section>
      <section className="card" aria-live="polite">
        <h2>Result</h2>
        {busy && <p className="muted">Finding and comparing faces…</p>}
        {notice && <p className="notice">{notice}</p>}
        {error && (
          <div className="alert" role="alert" data-testid="identify-error">
            {error}
          </div>
        )}
        {image && <Annotated bitmap={image.bitmap} faces={faces} />}
        {faces && (
          <>
            <p className="muted small" data-testid="identify-summary" data-threshold={threshold}>
              {facesFound(faces.length, found)}, {faces.filter((f) => f.name).length} recognised ·{' '}
              <span title="Identify's similarity threshold: the score a face needs against an enrolled person to be named.">
                a name needs a match score of {threshold.toFixed(2)}
              </span>
              {ms != null && ` · ${formatMs(ms)}`}
            </p>
            <ol className="identified" data-testid="identify-results">
              {faces.map((f, i) => (
                <li
                  key={i}
                  data-testid="identified-face"
                  data-name={f.name ?? 'unknown'}
                  data-score={f.score.toFixed(4)}
                >
                  {f.name ? (
                    <>
                      <strong>{f.name}</strong>{' '}
                      <span
                        className="muted small"
                        title="Cosine similarity of the face embeddings: 1 is the same face, and a name needs at least the threshold."
                      >
                        match score {f.score.toFixed(2)}
                      </span>
                    </>
                  ) : (
                    <>
                      <strong>Not someone you&rsquo;ve enrolled</strong>
                      <details className="identify-details">
                        <summary className="small muted">Details</summary>
                        <p className="small muted">
                          Best match score {f.score.toFixed(2)}, below the {threshold.toFixed(2)} a name needs. Whom it
                          came closest to is not shown: a stranger is not told whom they resemble.
                        </p>
                      </details>
                    </>
                  )}
                </li>
              ))}
            </ol>
          </>
        )}
      </section>
    </div>
  );
}
