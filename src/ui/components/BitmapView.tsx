import { useEffect, useRef } from 'react';

/** A canvas ref that always shows `bitmap` at its own size (CSS scales it). */
export function useBitmapCanvas(bitmap: ImageBitmap) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    c.width = bitmap.width;
    c.height = bitmap.height;
    c.getContext('2d')?.drawImage(bitmap, 0, 0);
  }, [bitmap]);
  return canvas;
}

/** Shows a decoded image, scaled to fit, without re-encoding it. */
export function BitmapView({ bitmap, label }: { bitmap: ImageBitmap; label: string }) {
  const canvas = useBitmapCanvas(bitmap);
  return <canvas ref={canvas} role="img" aria-label={label} className="bitmap" data-testid="image-preview" />;
}
