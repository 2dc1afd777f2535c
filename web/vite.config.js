// Vite configuration for the Zhiyuan web console.
// Element Plus components (and their CSS) are pulled in on demand by
// unplugin-vue-components, so each lazy route chunk only carries what it uses.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

const backend = process.env.ZHIYUAN_BACKEND || 'http://127.0.0.1:8080'

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    Components({
      dts: false,
      dirs: [],
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
    }),
  ],
  define: {
    // vue-i18n: composition API only, and our own tiny message compiler
    // (src/i18n.js) instead of the full intlify one.
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __INTLIFY_DROP_MESSAGE_COMPILER__: true,
    __VUE_OPTIONS_API__: false,
    __VUE_PROD_DEVTOOLS__: false,
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: false,
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/healthz': { target: backend, changeOrigin: false },
    },
  },
  preview: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/healthz': { target: backend, changeOrigin: false },
    },
  },
  build: {
    target: 'es2020',
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: !!process.env.ZY_SOURCEMAP,
    cssCodeSplit: true,
    chunkSizeWarningLimit: 300,
    rolldownOptions: {
      output: {
        // Vue, the router and vue-i18n are needed by every page: one cacheable chunk.
        codeSplitting: {
          groups: [{ name: 'vendor', test: /node_modules[\\/](@vue|vue|vue-router|vue-i18n|@intlify)[\\/]/ }],
        },
        // Shared chunks get named after their first module, which for Element
        // Plus is usually ".../style/css"; call those "ep" to keep names readable.
        chunkFileNames: (chunk) => (chunk.name === 'css' || chunk.name === 'index' ? 'assets/ep-[hash].js' : 'assets/[name]-[hash].js'),
        assetFileNames: (asset) =>
          (asset.names || []).some((name) => name.startsWith('css')) ? 'assets/ep-[hash][extname]' : 'assets/[name]-[hash][extname]',
      },
    },
  },
})
