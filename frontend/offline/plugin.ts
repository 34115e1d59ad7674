// Emits /sw.js (offline/sw.js) with the build's list of files to keep and a version: the
// entry, the signed-in layout and the pages a community worker uses offline (工作台, 收件,
// 办件列表, 待发送, 登录), each with the chunks and CSS it imports, plus the icons and the
// manifest. Other pages are kept as they are opened online. Emitted in generateBundle, so the
// precompress plugin (vite.config.ts) writes its .br and .gz like any other file.
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { fileURLToPath, URL } from 'node:url'
import type { Plugin } from 'vite'
import type { OutputBundle, OutputChunk } from 'rollup'

/** The modules whose chunks work offline. */
export const OFFLINE_PAGES =
  /\/src\/(main\.ts|layouts\/AppLayout\.vue|features\/home\/views\/(HomeView|LoginView|ErrorView)\.vue|features\/applications\/views\/(IntakeView|ApplicationsView)\.vue|features\/offline\/views\/[A-Za-z]+\.vue)$/

/** Files of public/ the installed app needs. */
export const PUBLIC_FILES = ['/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png', '/icons/icon-maskable-512.png', '/icons/apple-touch-icon.png']

/** The files to keep for the bundle: offline pages with their static imports and CSS. */
export function precacheList(bundle: OutputBundle): string[] {
  const chunks = new Map<string, OutputChunk>()
  for (const out of Object.values(bundle)) if (out.type === 'chunk') chunks.set(out.fileName, out)
  const keep = new Set<string>()
  const visit = (c: OutputChunk) => {
    if (keep.has(c.fileName)) return
    keep.add(c.fileName)
    const meta = (c as OutputChunk & { viteMetadata?: { importedCss?: Set<string>; importedAssets?: Set<string> } }).viteMetadata
    for (const css of meta?.importedCss ?? []) keep.add(css)
    for (const a of meta?.importedAssets ?? []) keep.add(a)
    for (const imp of c.imports) {
      const next = chunks.get(imp)
      if (next) visit(next)
    }
  }
  for (const c of chunks.values()) if (c.isEntry || (c.facadeModuleId && OFFLINE_PAGES.test(c.facadeModuleId))) visit(c)
  return [...[...keep].map((f) => '/' + f).sort(), ...PUBLIC_FILES]
}

export function offlineShell(): Plugin {
  const source = fileURLToPath(new URL('./sw.js', import.meta.url))
  return {
    name: 'yichuang-offline-shell',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const list = precacheList(bundle)
      const version = createHash('sha256').update(list.join('\n')).digest('hex').slice(0, 12)
      const code = readFileSync(source, 'utf8')
      const placeholder = '/* __YC_PRECACHE__ */ []'
      if (!code.includes(placeholder) || !code.includes('__YC_VERSION__')) throw new Error('offline/sw.js lost its placeholders')
      this.emitFile({
        type: 'asset',
        fileName: 'sw.js',
        source: code.replace(placeholder, JSON.stringify(list)).replace('__YC_VERSION__', version),
      })
    },
  }
}
