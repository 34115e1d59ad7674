import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib'
import { fileURLToPath, URL } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import { offlineShell } from './offline/plugin'
import { pageShells } from './build/pageShells'

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

// A village link is slow and the server compresses nothing on the fly: every text file of the
// build (including /docs/scalar.js, copied above) gets .br and .gz siblings once, at maximum
// compression, and api/server's spa handler serves the one Accept-Encoding allows. Node's own
// zlib does it, so no dependency. closeBundle runs after every plugin's writeBundle.
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|map)$/
function precompress(): Plugin {
  let outDir = ''
  return {
    name: 'yichuang-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir.startsWith('/') ? config.build.outDir : join(config.root, config.build.outDir)
    },
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]))
      for (const file of walk(outDir)) {
        if (!COMPRESSIBLE.test(file)) continue
        const raw = readFileSync(file)
        // Below a packet, compressing saves nothing a slow link would notice.
        if (raw.length < 1024) continue
        const br = brotliCompressSync(raw, {
          params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length },
        })
        const gz = gzipSync(raw, { level: 9 })
        if (br.length < raw.length) writeFileSync(`${file}.br`, br)
        if (gz.length < raw.length) writeFileSync(`${file}.gz`, gz)
      }
    },
  }
}

// Element Plus on demand, without a dependency: the templates' <el-…> tags and v-loading
// resolve to named imports from 'element-plus' plus that component's CSS, so a page loads the
// components it shows rather than the whole library (the public status page on a village
// link). What unplugin-vue-components' ElementPlusResolver does, in the few lines this app needs.
function elementPlusOnDemand(): Plugin {
  const styleDir = fileURLToPath(new URL('./node_modules/element-plus/es/components/', import.meta.url))
  const pascal = (s: string) => s.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())
  const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
  const styleOf = (dir: string) => (existsSync(`${styleDir}${dir}/style/css.mjs`) ? [`import 'element-plus/es/components/${dir}/style/css'`] : [])
  return {
    name: 'yichuang-element-plus-on-demand',
    enforce: 'post',
    transform(code, id) {
      if (!(id.split('?')[0] ?? '').endsWith('.vue') || /[?&]type=style/.test(id)) return
      const imports = new Set<string>()
      let out = code.replace(/_resolveComponent\("(el-[a-z-]+|El[A-Z][A-Za-z]*)"\)/g, (_m, tag: string) => {
        const name = tag.startsWith('El') ? tag : pascal(tag)
        imports.add(`import { ${name} as __yc_${name} } from 'element-plus'`)
        for (const line of styleOf(kebab(name).replace(/^el-/, ''))) imports.add(line)
        return `__yc_${name}`
      })
      out = out.replace(/_resolveDirective\("loading"\)/g, () => {
        imports.add(`import { vLoading as __yc_vLoading } from 'element-plus'`)
        for (const line of styleOf('loading')) imports.add(line)
        return '__yc_vLoading'
      })
      if (!imports.size) return
      return { code: [...imports].join('\n') + '\n' + out, map: null }
    },
  }
}

export default defineConfig({
  plugins: [vue(), elementPlusOnDemand(), apiReference(), offlineShell(), pageShells(), precompress()],
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
          vue: ['vue', 'vue-router'],
        },
      },
    },
  },
})
