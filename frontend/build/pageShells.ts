// Emits a copy of index.html per public page that a resident opens cold on a slow link, with
// that page's chunks and CSS announced in <head> (modulepreload / preload). Without it the
// browser learns of them only after the entry has downloaded and the router has run, one
// 300 ms round trip after another on a village link (frontend/e2e/light.test.mjs). api/server
// (spa, pageShells) answers the page's paths with its copy; every other path gets index.html,
// so signed-in screens download nothing more. Emitted in generateBundle after Vite's own HTML
// plugin, so the precompress plugin (vite.config.ts) writes its .br and .gz like any file.
import type { Plugin } from 'vite'
import type { OutputAsset, OutputBundle, OutputChunk } from 'rollup'

/** Each shell: the file written, and the page module whose chunks it announces. */
export const PAGE_SHELLS = [{ fileName: 'status.html', page: /\/src\/features\/rating\/views\/PublicStatusView\.vue$/ }]

type ViteChunk = OutputChunk & { viteMetadata?: { importedCss?: Set<string> } }

/** A chunk's static graph: its JS files and CSS files, in import order. */
function graph(chunks: Map<string, ViteChunk>, from: ViteChunk) {
  const js: string[] = []
  const css: string[] = []
  const seen = new Set<string>()
  const visit = (c: ViteChunk) => {
    if (seen.has(c.fileName)) return
    seen.add(c.fileName)
    for (const imp of c.imports) {
      const next = chunks.get(imp)
      if (next) visit(next)
    }
    js.push(c.fileName)
    for (const f of c.viteMetadata?.importedCss ?? []) if (!css.includes(f)) css.push(f)
  }
  visit(from)
  return { js, css }
}

/** The <link> tags for a page: what its chunk needs beyond what the entry already loads. */
export function preloadTags(bundle: OutputBundle, page: RegExp): string {
  const chunks = new Map<string, ViteChunk>()
  for (const out of Object.values(bundle)) if (out.type === 'chunk') chunks.set(out.fileName, out)
  const entry = [...chunks.values()].find((c) => c.isEntry)
  const target = [...chunks.values()].find((c) => c.facadeModuleId && page.test(c.facadeModuleId))
  if (!entry || !target) throw new Error(`page shell: no chunk for ${page} (or no entry)`)
  const loaded = graph(chunks, entry)
  const wanted = graph(chunks, target)
  // crossorigin as on Vite's own tags and its preload helper's, so the browser reuses what
  // was fetched here when the router imports the page (the helper skips hrefs already linked).
  const js = wanted.js.filter((f) => !loaded.js.includes(f)).map((f) => `<link rel="modulepreload" crossorigin href="/${f}">`)
  const css = wanted.css.filter((f) => !loaded.css.includes(f)).map((f) => `<link rel="preload" as="style" crossorigin href="/${f}">`)
  return [...js, ...css].join('\n    ')
}

export function pageShells(): Plugin {
  return {
    name: 'yichuang-page-shells',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const index = bundle['index.html'] as OutputAsset | undefined
      if (!index || index.type !== 'asset') throw new Error('page shell: index.html is not in the bundle')
      const html = String(index.source)
      if (!html.includes('</head>')) throw new Error('page shell: index.html has no </head>')
      for (const shell of PAGE_SHELLS) {
        this.emitFile({
          type: 'asset',
          fileName: shell.fileName,
          source: html.replace('</head>', `  ${preloadTags(bundle, shell.page)}\n  </head>`),
        })
      }
    },
  }
}
