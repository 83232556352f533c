import type { ReactNode } from 'react';
import { ImagePicker } from '../components/ImagePicker';
import { BitmapView } from '../components/BitmapView';
import { useImageSource } from '../../state/source';

function Planned({
  title,
  lead,
  items,
  children,
}: {
  title: string;
  lead: string;
  items: string[];
  children?: ReactNode;
}) {
  return (
    <div className="grid two">
      <section className="card">
        <h1>{title}</h1>
        <p className="lead">{lead}</p>
        <h2 className="h3">Coming in the next releases</h2>
        <ul className="checklist">
          {items.map((i) => (
            <li key={i}>{i}</li>
          ))}
        </ul>
      </section>
      {children && <section className="card">{children}</section>}
    </div>
  );
}

function ImageTry({ heading }: { heading: string }) {
  const { image, notice, error, busy, openImage } = useImageSource();
  return (
    <>
      <h2>{heading}</h2>
      <ImagePicker label="Drop an image" onFile={(f) => void openImage(f)} />
      {busy && <p className="muted">Opening…</p>}
      {notice && (
        <p className="notice" role="status" data-testid="image-notice">
          {notice}
        </p>
      )}
      {error && (
        <div className="alert" role="alert" data-testid="image-error">
          {error}
        </div>
      )}
      {image && (
        <figure className="preview">
          <BitmapView bitmap={image.bitmap} label={image.name} />
          <figcaption className="muted small" data-testid="image-size">
            {image.name} · {image.width}×{image.height}
            {image.width !== image.originalWidth && ` (from ${image.originalWidth}×${image.originalHeight})`}
          </figcaption>
        </figure>
      )}
    </>
  );
}

export const StylePage = () => (
  <Planned
    title="Style Studio"
    lead="Neural style transfer you can watch: G is optimised by gradient descent on J = α·J_content + β·J_style."
    items={[
      'Content and style drop zones, several styles with blend weights',
      'Live plots of J, α·J_content, β·J_style and every layer’s style term',
      'Adam and L-BFGS, coarse-to-fine, colour preservation',
      'Pause, resume, download PNG, save to a gallery',
    ]}
  >
    <ImageTry heading="Try a content image" />
  </Planned>
);

export const ExplorePage = () => (
  <Planned
    title="Explorer"
    lead="What the convnets inside Facet have learned."
    items={[
      'Top-activating image patches per unit, with true receptive fields',
      'Feature visualisation by gradient ascent',
      'Live activation maps for the camera frame',
    ]}
  />
);

export const LabPage = () => (
  <Planned
    title="Siamese Lab"
    lead="Train a small embedding head on your own gallery, in the browser, on the GPU."
    items={[
      'Triplet loss with random, semi-hard and hardest-in-batch mining',
      'A learned pair classifier (|f(x)−f(y)| and χ² features)',
      'Before/after ROC and distance histograms on held-out identities',
    ]}
  />
);
