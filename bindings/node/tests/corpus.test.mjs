// The same numbers from Node as from the reference (the corpus oracles) and the Rust CLI.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

import { GcTrace, Profile, Trace, diff, merge } from 'gprofops'
import { CORPUS, PPROF, cli, cliJson, pprofOracles, walk } from './helpers.mjs'

const ORACLES = pprofOracles()

/** `[name, flat]` per row as the oracles hold them: pprof's text, the name cut at a newline. */
function flat(top) {
  return top.rows.map((r) => [r.name.split('\n')[0], r.flat])
}

test('the corpus is there', () => {
  assert.ok(ORACLES.length > 30, `${ORACLES.length} oracles`)
})

test('every corpus profile has the oracle\'s types, totals and top 10', () => {
  for (const { input, want } of ORACLES) {
    const p = Profile.load(input)
    assert.deepEqual(p.sampleTypes, want.sample_types, input)
    assert.equal(p.defaultSampleType, want.default_sample_type, input)
    assert.deepEqual(p.periodType, want.period_type, input)
    assert.equal(p.period, want.period, input)
    assert.equal(p.numSamples, want.num_samples, input)
    assert.deepEqual(p.totals, want.totals, input)
    if ('top_flat' in want) {
      assert.deepEqual(flat(p.top({ n: 10, sampleIndex: want.sample_index })), want.top_flat, input)
    }
  }
})

test('every corpus profile decoded from a Buffer equals the CLI\'s info and top', () => {
  for (const { input } of ORACLES) {
    const p = Profile.fromBuffer(readFileSync(input))
    assert.deepEqual(p.summary(), cliJson('info', '--json', input), input)
    if (p.sampleTypes.length > 0) {
      assert.equal(p.top().text, cli('top', input).stdout, input)
      assert.deepEqual(p.top({ n: 10 }), { ...cliJson('top', '--json', '-n', '10', input), labels: p.top({ n: 10 }).labels, text: p.top({ n: 10 }).text }, input)
    }
  }
})

test('reports equal the CLI\'s on a sample of the corpus', () => {
  for (const { input } of ORACLES.filter((_, i) => i % 5 === 0)) {
    const p = Profile.load(input)
    if (p.sampleTypes.length === 0 || p.numSamples === 0) continue
    assert.equal(p.traces(), cli('traces', input).stdout, input)
    assert.equal(p.tree(), cli('tree', input).stdout, input)
    const folded = p.folded().map(([s, v]) => `${s} ${v}\n`).join('')
    assert.equal(folded, cli('folded', input).stdout, input)
    assert.deepEqual(p.flamegraph(), cliJson('flamegraph', input), input)
    assert.deepEqual(p.speedscope({}, input), cliJson('speedscope', input), input)
  }
})

test('merging the oracle\'s three profiles gives its totals and top', () => {
  const want = JSON.parse(readFileSync(join(PPROF, 'merge3.oracle.json'), 'utf8'))
  const merged = merge(want.inputs.map((i) => Profile.load(join(PPROF, i))), { commonSampleTypes: true })
  assert.deepEqual(merged.sampleTypes, want.sample_types)
  assert.equal(merged.numSamples, want.num_samples)
  assert.deepEqual(merged.totals, want.totals)
  const top = merged.top({ n: 10, sampleIndex: want.sample_index })
  assert.deepEqual(flat(top), want.top_flat)
  assert.deepEqual(top.labels.slice(-3), want.top_header)
})

test('merging paths equals merging loaded profiles and the CLI\'s merge', () => {
  const paths = JSON.parse(readFileSync(join(PPROF, 'merge3.oracle.json'), 'utf8')).inputs.map((i) => join(PPROF, i))
  const byPath = merge(paths, { commonSampleTypes: true })
  const byProfile = merge(paths.map((p) => Profile.load(p)), { commonSampleTypes: true })
  assert.deepEqual(byPath.toBuffer(), byProfile.toBuffer())
  const out = join(mkdtempSync(join(tmpdir(), 'gprofops-')), 'merged.pb.gz')
  assert.equal(cli('merge', '-o', out, ...paths).status, 0)
  assert.deepEqual(byPath.summary(), cliJson('info', '--json', out))
  assert.deepEqual(byPath.top(), Profile.load(out).top())
})

test('diff equals go tool pprof -diff_base', () => {
  const lines = readFileSync(join(PPROF, 'diff_top.txt'), 'utf8').split('\n')
  if (lines.at(-1) === '') lines.pop()
  const args = lines[0].split(/\s+/)
  const base = args[args.indexOf('-top') + 2].split('=')[1]
  const current = args.at(-1)
  const d = diff(Profile.load(join(PPROF, base)), Profile.load(join(PPROF, current)))
  const text = d.top({ n: 10 }).text.trimEnd().split('\n')
  const want = lines.slice(lines.findIndex((l) => l.trimStart().startsWith('flat')))
  assert.deepEqual(text.slice(-want.length), want)
})

const GCTRACE = walk(join(CORPUS, 'gctrace')).filter((p) => p.endsWith('.oracle.json'))

test('every corpus gctrace log gives the oracle\'s and the CLI\'s numbers', () => {
  assert.ok(GCTRACE.length > 10)
  for (const oracle of GCTRACE) {
    const log = oracle.slice(0, -'.oracle.json'.length)
    const want = JSON.parse(readFileSync(oracle, 'utf8'))
    const g = GcTrace.load(log)
    for (const [k, v] of Object.entries(want)) if (k in g.summary) assert.deepEqual(g.summary[k], v, `${log} ${k}`)
    // The CLI adds its warnings to the summary's fields: one, exactly when the log has
    // no GC trace line.
    const { warnings, ...printed } = cliJson('gctrace', '--json', log)
    assert.equal(warnings.length, g.hasGctraceLines ? 0 : 1, log)
    assert.deepEqual(g.summary, printed, log)
    assert.deepEqual(g.cycles, cliJson('gctrace', '--cycles', 'json', log), log)
    assert.equal(g.cyclesCsv(), cli('gctrace', '--cycles', 'csv', log).stdout, log)
    assert.equal(g.openMetrics(), cli('gctrace', '--openmetrics', log).stdout, log)
    assert.deepEqual(GcTrace.fromBuffer(readFileSync(log)).summary, g.summary, log)
    assert.deepEqual(GcTrace.fromBuffer(readFileSync(log, 'latin1')).cycles.length, g.length, log)
  }
})

const TRACES = [join(CORPUS, 'gotrace', 'tests'), join(CORPUS, 'gotrace', 'v1')].flatMap((d) =>
  readdirSync(d).filter((f) => f.endsWith('.trace')).sort().map((f) => join(d, f)),
)

test('every corpus trace\'s summary equals the CLI\'s, and the event stream has its events', async () => {
  assert.ok(TRACES.length > 20)
  for (const path of TRACES) {
    const want = JSON.parse(cli('trace', 'info', '--json', path).stdout)
    let t
    try {
      t = Trace.load(path)
    } catch (e) {
      // A trace whose header is refused is refused by the CLI too.
      assert.equal(want.valid, false, path)
      assert.ok(typeof e.code === 'string', path)
      continue
    }
    assert.deepEqual(t.info(), want, path)
    assert.deepEqual(await Trace.fromBuffer(readFileSync(path)).infoAsync(), { ...want, file: '' }, path)
    let n = 0
    let failed = null
    try {
      for await (const ev of t.events()) {
        assert.equal(typeof ev.kind, 'string')
        n++
      }
    } catch (e) {
      failed = e
    }
    assert.equal(n, want.events_total, path)
    assert.equal(failed === null, want.valid, `${path}: ${failed}`)
    if (failed) assert.ok(['InvalidTraceError', 'TruncatedError', 'MalformedError', 'ParseError'].includes(failed.code), `${path}: ${failed.code}`)
  }
})
