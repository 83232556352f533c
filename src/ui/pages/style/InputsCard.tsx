import { useState } from 'react';
import { useStyle } from '../../../state/style';
import { BitmapView } from '../../components/BitmapView';
import { CameraPanel } from '../../components/CameraPanel';
import { ImagePicker } from '../../components/ImagePicker';
import { LookFields } from './LookFields';

function ContentCamera() {
  const setContentFromCamera = useStyle((s) => s.setContentFromCamera);
  const [camera, setCamera] = useState(false);
  return (
    <>
      <button type="button" className="btn small" onClick={() => setCamera(!camera)} aria-expanded={camera}>
        {camera ? 'Hide camera' : 'Take a photo with the camera…'}
      </button>
      {camera && (
        <CameraPanel
          actions={(video) =>
            video && (
              <button
                type="button"
                className="btn primary"
                onClick={() => void setContentFromCamera(video)}
                data-testid="snapshot"
              >
                Use this frame as my photo
              </button>
            )
          }
        />
      )}
    </>
  );
}

function ContentZone() {
  const content = useStyle((s) => s.content);
  const setContent = useStyle((s) => s.setContent);
  return (
    <div data-testid="content-zone">
      <ImagePicker
        label="Your photo"
        hint="The picture to repaint: a photo of a person, a place or a thing."
        onFile={(f) => void setContent(f)}
        compact
      />
      <ContentCamera />
      {content && (
        <figure className="preview small-preview">
          <BitmapView bitmap={content.bitmap} label={`Your photo: ${content.name}`} />
          <figcaption className="muted small" data-testid="content-name">
            {content.name} · {content.width}×{content.height}
            {content.width !== content.originalWidth && ` (from ${content.originalWidth}×${content.originalHeight})`}
          </figcaption>
        </figure>
      )}
    </div>
  );
}

function StyleZone() {
  const styles = useStyle((s) => s.styles);
  const addStyles = useStyle((s) => s.addStyles);
  const removeStyle = useStyle((s) => s.removeStyle);
  const setStyleWeight = useStyle((s) => s.setStyleWeight);
  return (
    <div data-testid="style-zone">
      <ImagePicker
        label="Painting(s)"
        hint="One painting, or several to blend."
        onFile={(f) => void addStyles([f])}
        onFiles={(f) => void addStyles(f)}
        compact
      />
      <ul className="style-list">
        {styles.map((s) => (
          <li key={s.id} data-testid="style-item">
            <BitmapView bitmap={s.bitmap} label={`Painting: ${s.name}`} />
            <div>
              <span className="small style-name">{s.name}</span>
              <label className="field inline style-weight" title="How much of this painting goes into the blend">
                <span>Share</span>
                <input
                  type="range"
                  min={0}
                  max={1}
                  step={0.05}
                  value={s.weight}
                  onChange={(e) => setStyleWeight(s.id, Number(e.target.value))}
                />
                <output>{s.weight.toFixed(2)}</output>
              </label>
              <button type="button" className="btn small" onClick={() => removeStyle(s.id)}>
                Remove
              </button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function InputMessages() {
  const inputNotice = useStyle((s) => s.inputNotice);
  const inputError = useStyle((s) => s.inputError);
  return (
    <>
      {inputNotice && (
        <p className="notice" role="status" data-testid="style-notice">
          {inputNotice}
        </p>
      )}
      {inputError && (
        <div className="alert" role="alert" data-testid="style-input-error">
          {inputError}
        </div>
      )}
    </>
  );
}

/** Your photo (a file or a camera snapshot), the paintings with their shares, and how strong the style is. */
export function InputsCard() {
  const loadSamples = useStyle((s) => s.loadSamples);
  return (
    <section className="card style-area-inputs" aria-labelledby="style-inputs">
      <div className="row spread">
        <h2 id="style-inputs">Pictures</h2>
        <button type="button" className="btn small" onClick={() => void loadSamples()} data-testid="style-samples">
          Try the samples
        </button>
      </div>
      <div className="style-inputs">
        <ContentZone />
        <StyleZone />
      </div>
      <InputMessages />
      <LookFields />
    </section>
  );
}
