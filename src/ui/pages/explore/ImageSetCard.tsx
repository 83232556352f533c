import { useShallow } from 'zustand/react/shallow';
import { useExplore, type SetImage } from '../../../state/explore';
import { BitmapView } from '../../components/BitmapView';
import { ImagePicker } from '../../components/ImagePicker';

function ImageStrip({ images, onRemove }: { images: SetImage[]; onRemove?(id: string): void }) {
  const shown = images.slice(0, 48);
  return (
    <ul className="explore-strip">
      {shown.map((i) => (
        <li key={i.id} data-testid="set-image">
          <BitmapView bitmap={i.bitmap} label={i.name} />
          {onRemove && (
            <button
              type="button"
              className="btn small ghost"
              onClick={() => onRemove(i.id)}
              aria-label={`Remove ${i.name}`}
            >
              ×
            </button>
          )}
        </li>
      ))}
      {images.length > shown.length && <li className="muted small">+{images.length - shown.length} more</li>}
    </ul>
  );
}

export function ImageSetCard({ busy }: { busy: boolean }) {
  const {
    samples,
    galleryImages,
    dropped,
    useSamples,
    useGalleryFaces,
    samplesStatus,
    galleryStatus,
    imageError,
    imageNotice,
  } = useExplore(
    useShallow((s) => ({
      samples: s.samples,
      galleryImages: s.galleryImages,
      dropped: s.dropped,
      useSamples: s.useSamples,
      useGalleryFaces: s.useGalleryFaces,
      samplesStatus: s.samplesStatus,
      galleryStatus: s.galleryStatus,
      imageError: s.imageError,
      imageNotice: s.imageNotice,
    })),
  );
  const { setUseSamples, setUseGalleryFaces, addImages, removeImage, clearDropped } = useExplore(
    useShallow((s) => ({
      setUseSamples: s.setUseSamples,
      setUseGalleryFaces: s.setUseGalleryFaces,
      addImages: s.addImages,
      removeImage: s.removeImage,
      clearDropped: s.clearDropped,
    })),
  );
  const total = (useSamples ? samples.length : 0) + (useGalleryFaces ? galleryImages.length : 0) + dropped.length;
  return (
    <section className="card" aria-labelledby="explore-images">
      <h2 id="explore-images">Image set</h2>
      <p className="muted small">
        Units are ranked over these images. <span data-testid="set-count">{total}</span> images in the set.
      </p>
      <fieldset className="fieldset" disabled={busy}>
        <label className="check">
          <input
            type="checkbox"
            checked={useSamples}
            onChange={(e) => void setUseSamples(e.target.checked)}
            data-testid="use-samples"
          />
          Built-in samples{' '}
          <span className="muted small">
            ({samplesStatus === 'loading' ? 'loading…' : `${samples.length} paintings and photos`})
          </span>
        </label>
        {useSamples && samples.length > 0 && <ImageStrip images={samples} />}
        <label className="check">
          <input
            type="checkbox"
            checked={useGalleryFaces}
            onChange={(e) => void setUseGalleryFaces(e.target.checked)}
            data-testid="use-gallery"
          />
          Face thumbnails from your gallery{' '}
          <span className="muted small">
            ({galleryStatus === 'loading' ? 'reading…' : `${galleryImages.length} faces`})
          </span>
        </label>
        {useGalleryFaces && galleryImages.length > 0 && <ImageStrip images={galleryImages} />}
        <div data-testid="explore-drop">
          <ImagePicker
            label="Your own images"
            hint="They stay on this device."
            onFile={(f) => void addImages([f])}
            onFiles={(f) => void addImages(f)}
            compact
          />
        </div>
        {dropped.length > 0 && (
          <>
            <ImageStrip images={dropped} onRemove={removeImage} />
            <button type="button" className="btn small" onClick={clearDropped}>
              Remove your images
            </button>
          </>
        )}
      </fieldset>
      {imageNotice && (
        <p className="notice" role="status">
          {imageNotice}
        </p>
      )}
      {imageError && (
        <div className="alert" role="alert" data-testid="explore-image-error">
          {imageError}
        </div>
      )}
    </section>
  );
}
