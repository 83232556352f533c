import { useBitmapCanvas } from '../../components/BitmapView';

/** A bitmap drawn at its own resolution; CSS decides how large it shows. */
export function PixelCanvas({
  bitmap,
  label,
  className,
  testId,
  onPointer,
}: {
  bitmap: ImageBitmap;
  label: string;
  className?: string;
  testId?: string;
  onPointer?(y: number, x: number): void;
}) {
  const canvas = useBitmapCanvas(bitmap);
  return (
    <canvas
      ref={canvas}
      role="img"
      aria-label={label}
      title={label}
      className={className}
      data-testid={testId}
      onMouseMove={
        onPointer &&
        ((e) => {
          const r = e.currentTarget.getBoundingClientRect();
          onPointer(
            ((e.clientY - r.top) * bitmap.height) / Math.max(r.height, 1),
            ((e.clientX - r.left) * bitmap.width) / Math.max(r.width, 1),
          );
        })
      }
    />
  );
}
