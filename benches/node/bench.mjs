// Side by side in one Node process, alternately: decoding the corpus's largest profiles
// with the npm `pprof-format` package (gunzip + decode, what dashboards use today) and with
// gprofops; then `top()` and `flamegraph()` of the largest profile, and the binding as a
// whole process (`node` running load + report) against the Rust CLI doing the same.
//
//   node benches/node/bench.mjs CLI CORPUS_PPROF [RUNS]      (see scripts/bench-node.sh)
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'

const require = createRequire(join(fileURLToPath(import.meta.url), '..', '..', '..', 'bindings', 'node', 'package.json'))
const gprofops = require('./index.js')
const pprofFormat = require('pprof-format')

const [cli, corpus, runsArg] = process.argv.slice(2)
const runs = Number(runsArg ?? 20)

function walk(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n)
    return statSync(p).isDirectory() ? walk(p) : [p]
  })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const ms = (t) => `${t.toFixed(2).padStart(8)} ms`

function time(fn) {
  const t = performance.now()
  fn()
  return performance.now() - t
}

/** Runs `a` and `b` alternately `runs` times (after one warm-up each); medians in ms. */
function alternate(a, b) {
  a()
  b()
  const ta = []
  const tb = []
  for (let i = 0; i < runs; i++) {
    ta.push(time(a))
    tb.push(time(b))
  }
  return [median(ta), median(tb)]
}

const isGzip = (b) => b[0] === 0x1f && b[1] === 0x8b
const profiles = walk(corpus)
  .filter((p) => !/\.(json|string|txt)$/.test(p))
  .filter((p) => {
    try {
      const b = readFileSync(p)
      pprofFormat.Profile.decode(isGzip(b) ? gunzipSync(b) : b)
      gprofops.Profile.fromBuffer(b, { legacy: false })
      return true
    } catch {
      return false // legacy text formats and damaged files: pprof-format does not read them
    }
  })
  .sort((a, b) => statSync(b).size - statSync(a).size)
  .slice(0, 4)

console.log(`Decode, one Node process, median of ${runs} alternating runs (${process.version}):`)
console.log('profile                                                   size    pprof-format    gprofops   ratio')
for (const p of profiles) {
  const buf = readFileSync(p)
  const [theirs, ours] = alternate(
    () => pprofFormat.Profile.decode(isGzip(buf) ? gunzipSync(buf) : buf),
    () => gprofops.Profile.fromBuffer(buf),
  )
  const raw = isGzip(buf) ? gunzipSync(buf).length : buf.length
  console.log(`${relative(corpus, p).slice(-52).padEnd(52)} ${(raw / 1e6).toFixed(2).padStart(6)} MB ${ms(theirs)} ${ms(ours)} ${(theirs / ours).toFixed(1).padStart(6)}x`)
}

const largest = profiles[0]
const p = gprofops.Profile.load(largest)
console.log(`\nReports on ${relative(corpus, largest)} (${p.numSamples} samples), in process:`)
for (const [name, fn] of [
  ['load', () => gprofops.Profile.load(largest)],
  ['top()', () => p.top()],
  ['flamegraph()', () => p.flamegraph()],
  ['flamegraphJson()', () => p.flamegraphJson()],
  ['folded()', () => p.folded()],
]) {
  const ts = Array.from({ length: runs }, () => time(fn))
  console.log(`  ${name.padEnd(14)} ${ms(median(ts))}`)
}

// Whole processes, alternately: what a user runs. The Node side prints the same JSON the
// CLI prints (bigints written as numbers, as JSON has them).
const script = (report) => `
  const g = require(${JSON.stringify(join(require.resolve('./index.js')))})
  const p = g.Profile.load(process.argv[1])
  const r = p.${report}()
  process.stdout.write((typeof r === 'string' ? r : JSON.stringify(r, (_, v) => typeof v === 'bigint' ? Number(v) : v)) + '\\n')`
function proc(cmd, args) {
  const t = performance.now()
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 })
  if (r.status !== 0) throw new Error(`${cmd} failed`)
  return performance.now() - t
}
console.log(`\nWhole processes, median of ${runs} alternating runs: node (load + report, print JSON) vs the CLI`)
for (const [report, args] of [
  ['top', ['top', '--json']],
  ['flamegraph', ['flamegraph']],
  ['flamegraphJson', ['flamegraph']],
]) {
  const tn = []
  const tc = []
  for (let i = 0; i < runs; i++) {
    tn.push(proc(process.execPath, ['-e', script(report), largest]))
    tc.push(proc(cli, [...args, largest]))
  }
  const baseline = median(tn.map(() => proc(process.execPath, ['-e', '0'])))
  console.log(`  ${report.padEnd(11)} node ${ms(median(tn))} (of which ${ms(baseline).trim()} is starting node)   cli ${ms(median(tc))}   binding overhead past node's start: ${(((median(tn) - baseline) / median(tc) - 1) * 100).toFixed(0)} %`)
}
