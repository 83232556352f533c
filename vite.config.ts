import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icons/*.svg', 'icons/*.png'],
      manifest: {
        name: 'Facet — on-device face ID and style transfer',
        short_name: 'Facet',
        description: 'Face unlock, face recognition and neural style transfer that run entirely on your device.',
        theme_color: '#3b2fd6',
        background_color: '#0f1020',
        display: 'standalone',
        start_url: '.',
        scope: '.',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The app shell, the wasm binaries and the face models are precached, so after one
        // visit the app starts and runs its models with no network.
        globPatterns: [
          '**/*.{js,css,html,svg,png,webmanifest,wasm}',
          'models/manifest.json',
          'models/**/*.{json,bin}',
          'samples/*.{json,jpg}',
        ],
        // ResNet-50 (100 MB, Style Studio's optional loss network) is not precached: it is cached
        // the first time someone picks it, and from then on works offline too.
        globIgnores: ['models/resnet50/**'],
        runtimeCaching: [
          {
            urlPattern: ({ url }) => url.pathname.includes('/models/resnet50/'),
            handler: 'CacheFirst',
            options: { cacheName: 'facet-resnet50', expiration: { maxEntries: 40 } },
          },
        ],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
  },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true },
  server: { host: '127.0.0.1', port: 5173 },
});
