// Drives the dashboard in headless Chromium (Debian's `chromium`, through playwright-core):
// uploads a profile, checks the flame graph and the top table, then a diff against a
// baseline, and saves screenshots in test-results/.
import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { Profile } from 'gprofops'
import { chromium } from 'playwright-core'

import { createDashboard } from '../server.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const DATA = join(HERE, '..', '..', 'data')
const RESULTS = join(HERE, '..', 'test-results')
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'

let server
let browser
let base

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/test.sh installs Debian's chromium`)
  mkdirSync(RESULTS, { recursive: true })
  server = createDashboard()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${server.address().port}`
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  })
})

after(async () => {
  await browser?.close()
  server?.close()
})

test('an uploaded profile shows its flame graph and top table; a baseline gives a diff', async () => {
  const cpu = join(DATA, 'cpu.pb.gz')
  const want = Profile.load(cpu).top({ n: 20 })
  const topName = want.rows[0].name

  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  const errors = []
  page.on('pageerror', (e) => errors.push(e.message))
  await page.goto(base)
  await page.setInputFiles('#upload', cpu)
  await page.waitForSelector('body[data-rendered="1:"]')

  // The flame graph has a frame for the heaviest function, the root spanning the width.
  const frames = await page.$$eval('#flame svg g title', (ts) => ts.map((t) => t.textContent))
  assert.ok(frames.length > 10, `${frames.length} frames`)
  assert.ok(frames.some((t) => t.startsWith(topName)), `no frame for ${topName}`)
  // Drawn, not just present: the root frame spans the chart, the top function most of it.
  await page.waitForFunction(() => {
    const svg = document.querySelector('#flame svg')
    const rect = svg?.querySelector('g rect')
    return rect && Number(rect.getAttribute('width')) >= 0.95 * Number(svg.getAttribute('width'))
  })
  const widths = await page.$$eval('#flame svg g', (gs) =>
    gs.map((g) => [g.querySelector('title')?.textContent ?? '', Number(g.querySelector('rect')?.getAttribute('width') ?? 0)]),
  )
  const root = widths.find(([t]) => t.startsWith('root'))
  const heaviest = Math.max(...widths.filter(([t]) => t.startsWith(topName)).map(([, w]) => w))
  assert.ok(root && root[1] > 500, `root frame ${root}`)
  assert.ok(heaviest > 0.9 * root[1], `${topName}: ${heaviest} of ${root[1]}`)
  // The table's rows are the top report's, in order.
  const cells = await page.$$eval('#top tbody tr', (rows) => rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent]))
  assert.deepEqual(cells, want.rows.map((r) => [r.inline ? `${r.name} ${r.inline}` : r.name, String(r.flat)]))
  await page.screenshot({ path: join(RESULTS, 'dashboard.png'), fullPage: true })

  // The same profile picked from the examples, diffed against the upload: no change, so
  // every frame is drawn in the differential mapper's neutral grey.
  await page.selectOption('#example', 'cpu.pb.gz')
  await page.waitForSelector('body[data-rendered="2:"]')
  await page.selectOption('#baseline', '1')
  await page.waitForSelector('body[data-rendered="2:1"]')
  assert.match(await page.textContent('#flame-title'), /Differential flame graph/)
  const fills = await page.$$eval('#flame svg rect', (rs) => [...new Set(rs.map((r) => r.getAttribute('fill')))])
  assert.ok(fills.length >= 1 && fills.every((f) => /220/.test(f)), `diff colours ${fills}`)

  // A heap profile against the CPU baseline cannot be compared: the page says why.
  await page.selectOption('#example', 'heap.pb.gz')
  await page.waitForFunction(() => document.getElementById('status').className === 'error')
  assert.match(await page.textContent('#status'), /IncompatibleProfilesError/)
  await page.screenshot({ path: join(RESULTS, 'dashboard-error.png') })
  assert.deepEqual(errors, [])
  await page.close()
})
