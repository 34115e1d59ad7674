// Runs e2e/login.test.mjs against e2e/support/mock-server.mjs (needs `npm run build` first).
//   npm run test:e2e:mock
import { spawn } from 'node:child_process'
import { mkdtemp, writeFile, access } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createMockServer } from './mock-server.mjs'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const distDir = join(root, 'dist/app')
await access(join(distDir, 'index.html')).catch(() => {
  console.error('run-mock: dist/app/index.html is missing; run `npm run build` first')
  process.exit(1)
})
const { server, accounts } = createMockServer({ distDir })
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const base = `http://127.0.0.1:${server.address().port}`
const dir = await mkdtemp(join(tmpdir(), 'yc-e2e-'))
const accountsPath = join(dir, 'accounts.json')
await writeFile(accountsPath, JSON.stringify(accounts, null, 2))
console.log(`run-mock: mock server at ${base}, accounts in ${accountsPath}`)
const child = spawn(process.execPath, ['--test', join(root, 'e2e/login.test.mjs')], {
  stdio: 'inherit',
  env: {
    ...process.env,
    YC_E2E_BASE_URL: base,
    YC_E2E_ACCOUNTS: accountsPath,
    YC_E2E_SCREENSHOT_DIR: process.env.YC_E2E_SCREENSHOT_DIR || join(root, 'test-results/screenshots'),
  },
})
child.on('exit', (code) => {
  server.close()
  process.exit(code ?? 1)
})
