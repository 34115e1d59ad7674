import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { fileURLToPath, URL } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'

// The Go server (default :8080) serves the API, the Kratos public proxy and health checks.
const backend = process.env.YC_BACKEND_URL || 'http://127.0.0.1:8080'
const proxied = ['/api', '/.ory', '/healthz', '/readyz']

// /docs renders the API reference with Scalar's standalone bundle, served from the binary so
// the page works without the internet. infra/scripts/frontend-deps.sh fetches the pinned,
// hash-checked file; the build copies it next to the app.
function apiReference(): Plugin {
  const versions = readFileSync(fileURLToPath(new URL('../infra/scripts/versions.env', import.meta.url)), 'utf8')
  const version = /^SCALAR_VERSION=(\S+)$/m.exec(versions)?.[1]
  const from = fileURLToPath(new URL(`./node_modules/.yichuang-docs/scalar-${version}.js`, import.meta.url))
  return {
    name: 'yichuang-api-reference',
    apply: 'build',
    writeBundle(options) {
      if (!version || !existsSync(from)) {
        throw new Error(`${from} is missing: run infra/scripts/frontend-deps.sh`)
      }
      const dir = `${options.dir}/docs`
      mkdirSync(dir, { recursive: true })
      copyFileSync(from, `${dir}/scalar.js`)
    },
  }
}

export default defineConfig({
  plugins: [vue(), apiReference()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  server: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: backend, changeOrigin: false }])),
  },
  preview: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: backend, changeOrigin: false }])),
  },
  build: {
    outDir: 'dist/app',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks: {
          'element-plus': ['element-plus', '@element-plus/icons-vue'],
          vue: ['vue', 'vue-router'],
        },
      },
    },
  },
})
