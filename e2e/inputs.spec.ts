import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { openApp } from './helpers';

test.describe('camera permission denied', () => {
  test.use({ permissions: [] });

  test('says so, and offers an image file instead', async ({ page }) => {
    await openApp(page, '#/diagnostics');
    await page.getByRole('button', { name: 'Start camera' }).click();
    const error = page.getByTestId('camera-error');
    await expect(error).toHaveAttribute('data-kind', 'denied');
    await expect(error).toContainText('Camera access was denied');
    await expect(error).toContainText('choose an image file');
    // The fall-back works: a photo runs through the same face check.
    await page.getByTestId('camera-panel').locator('input[type=file]').setInputFiles('e2e/fixtures/face-a.png');
    await expect(page.getByTestId('image-preview')).toBeVisible();
    await page.getByRole('button', { name: 'Check this frame for a face' }).click();
    await expect(page.getByTestId('face-check')).toContainText('Face found');
  });
});

async function dropFile(page: Page, name: string, type: string, bytes: Buffer) {
  const transfer = await page.evaluateHandle(
    ({ name, type, data }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], name, { type }));
      return dt;
    },
    { name, type, data: bytes.toString('base64') },
  );
  // The Style Studio's content drop zone.
  await page.getByTestId('content-zone').getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: transfer });
}

test('bad image files are refused with a reason and do not replace the current image', async ({ page }) => {
  await openApp(page, '#/style');
  await dropFile(page, 'face.png', 'image/png', readFileSync('e2e/fixtures/face-a.png'));
  await expect(page.getByTestId('content-name')).toContainText('face.png · 640×480');

  await dropFile(page, 'notes.txt', 'text/plain', Buffer.from('hello, not an image'));
  await expect(page.getByTestId('style-input-error')).toContainText('"notes.txt" is a text file');

  const jpeg = readFileSync('node_modules/@vladmandic/face-api/demo/sample1.jpg');
  await dropFile(page, 'broken.jpg', 'image/jpeg', jpeg.subarray(0, 4000));
  await expect(page.getByTestId('style-input-error')).toContainText('"broken.jpg"');
  await expect(page.getByTestId('style-input-error')).toContainText(/damaged|truncated/);

  await dropFile(page, 'paper.pdf', 'application/pdf', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n'));
  await expect(page.getByTestId('style-input-error')).toContainText('a PDF document');
  // The good image is still there.
  await expect(page.getByTestId('content-name')).toContainText('face.png');
});

test('an 8000-px photo is downscaled with a message', async ({ page }) => {
  await openApp(page, '#/style');
  const big = await page.evaluate(async () => {
    const canvas = new OffscreenCanvas(8000, 6000);
    const ctx = canvas.getContext('2d')!;
    const g = ctx.createLinearGradient(0, 0, 8000, 6000);
    g.addColorStop(0, '#345');
    g.addColorStop(1, '#fc8');
    ctx.fillStyle = g;
    ctx.fillRect(0, 0, 8000, 6000);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  await dropFile(page, 'huge.jpg', 'image/jpeg', Buffer.from(big, 'base64'));
  await expect(page.getByTestId('style-notice')).toContainText(
    '"huge.jpg" is 8000×6000; it was downscaled to 2048×1536',
  );
  await expect(page.getByTestId('content-name')).toContainText('2048×1536 (from 8000×6000)');
});
