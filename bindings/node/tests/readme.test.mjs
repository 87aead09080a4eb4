// The README's Node snippet runs as written (from a directory holding `examples/`).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'

import { REPO } from './helpers.mjs'

test('the README\'s Node snippet runs as written', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Node.js'), readme.indexOf('## Layout'))
  const snippet = section.match(/```js\n([\s\S]*?)```/)[1]
  // Inside the package, so that `import ... from 'gprofops'` resolves to it.
  const file = join(dirname(fileURLToPath(import.meta.url)), '.readme-snippet.mjs')
  writeFileSync(file, snippet)
  const cwd = mkdtempSync(join(tmpdir(), 'gprofops-readme-'))
  symlinkSync(join(REPO, 'examples'), join(cwd, 'examples'))
  try {
    const r = spawnSync(process.execPath, [file], { cwd, encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
    assert.ok(existsSync(join(cwd, 'cpu-copy.pb.gz')))
    assert.ok(existsSync(join(cwd, 'annotations.json')))
  } finally {
    rmSync(file)
  }
})
