import { useState } from 'react';
import { useStyle } from '../../../state/style';
import { BitmapView } from '../../components/BitmapView';
import { CameraPanel } from '../../components/CameraPanel';
import { ImagePicker } from '../../components/ImagePicker';

function ContentCamera() {
  const setContentFromCamera = useStyle((s) => s.setContentFromCamera);
  const [camera, setCamera] = useState(false);
  return (
    <>
      <button type="button" className="btn small" onClick={() => setCamera(!camera)} aria-expanded={camera}>
        {camera ? 'Hide camera' : 'Use a camera snapshot…'}
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
                Take snapshot as content
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
        label="Content image C"
        hint="The picture to repaint: a photo of a person, a place or a thing."
        onFile={(f) => void setContent(f)}
        compact
      />
      <ContentCamera />
      {content && (
        <figure className="preview small-preview">
          <BitmapView bitmap={content.bitmap} label={`Content: ${content.name}`} />
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
        label="Style images S"
        hint="One or more paintings; blend them with the weights."
        onFile={(f) => void addStyles([f])}
        onFiles={(f) => void addStyles(f)}
        compact
      />
      <ul className="style-list">
        {styles.map((s) => (
          <li key={s.id} data-testid="style-item">
            <BitmapView bitmap={s.bitmap} label={`Style: ${s.name}`} />
            <div>
              <span className="small">{s.name}</span>
              <label className="field inline">
                <span>Weight</span>
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

/** The content image C (a file or a camera snapshot) and the style images S with their blend weights. */
export function InputsCard() {
  const loadSamples = useStyle((s) => s.loadSamples);
  return (
    <section className="card" aria-labelledby="style-inputs">
      <div className="row spread">
        <h2 id="style-inputs">Images</h2>
        <button type="button" className="btn small" onClick={() => void loadSamples()} data-testid="style-samples">
          Try the samples
        </button>
      </div>
      <div className="style-inputs">
        <ContentZone />
        <StyleZone />
      </div>
      <InputMessages />
    </section>
  );
}
