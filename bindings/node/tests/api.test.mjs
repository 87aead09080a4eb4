// Every export of the package, on the example data and hand-built profiles.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { gunzipSync } from 'node:zlib'
import { test } from 'node:test'

import gprofops, { EventBatches, GcTrace, Profile, Trace, diff, errorCodes, merge, mergeAsync } from 'gprofops'
import { CORPUS, EXAMPLES, REPO, cli, cliJson, deepProfile, parseExact, profileWithValues } from './helpers.mjs'

const CPU = join(EXAMPLES, 'cpu.pb.gz')
const HEAP = join(EXAMPLES, 'heap.pb.gz')
const GCLOG = join(EXAMPLES, 'gctrace.log')

test('the ES module and the CommonJS entry points export the same objects', () => {
  const cjs = createRequire(import.meta.url)('gprofops')
  for (const name of ['Profile', 'GcTrace', 'Trace', 'EventBatches', 'merge', 'mergeAsync', 'diff', 'errorCodes']) {
    assert.equal(typeof cjs[name], 'function', name)
    assert.equal(gprofops[name], cjs[name], name)
  }
  assert.equal(Profile, cjs.Profile)
  assert.equal(typeof EventBatches, 'function')
})

test('a profile reads the same from a path, a Buffer, a Uint8Array, raw or gzipped', () => {
  const gz = readFileSync(CPU)
  const raw = gunzipSync(gz)
  const byPath = Profile.load(CPU)
  for (const p of [
    Profile.fromBuffer(gz),
    Profile.fromBuffer(raw),
    Profile.fromBuffer(new Uint8Array(raw)),
    Profile.fromBuffer(raw, { copy: true }),
  ]) {
    assert.ok(p instanceof Profile)
    assert.deepEqual(p.summary(), byPath.summary())
    assert.deepEqual(p.toBuffer(), byPath.toBuffer())
  }
  assert.deepEqual(byPath.summary(), cliJson('info', '--json', CPU))
})

test('fields of a profile are those of the CLI\'s info', () => {
  const p = Profile.load(HEAP)
  const info = cliJson('info', '--json', HEAP)
  assert.deepEqual(p.sampleTypes, info.sample_types)
  assert.deepEqual(p.periodType, info.period_type)
  assert.equal(p.period, info.period)
  assert.equal(p.numSamples, info.num_samples)
  assert.deepEqual(p.totals, info.totals)
  assert.equal(p.defaultSampleType, info.default_sample_type)
  assert.equal(p.timeNanos, info.time_nanos)
  assert.equal(p.durationNanos, info.duration_nanos)
  assert.ok(Array.isArray(p.comments))
  assert.match(String(p), /^Profile\(alloc_objects\/count .*, \d+ samples\)$/)
  assert.ok(p.toText().startsWith('PeriodType: space bytes'))
  p.checkValid()
})

test('a sample has its stack, values and labels', () => {
  const p = Profile.load(HEAP)
  const s = p.sample(0)
  assert.equal(s.values.length, p.sampleTypes.length)
  assert.ok(s.stack.length > 0 && s.stack.every((f) => typeof f === 'string'))
  assert.deepEqual(p.sample(-1), p.sample(p.numSamples - 1))
  let sum = 0
  for (let i = 0; i < p.numSamples; i++) sum += p.sample(i).values[1]
  assert.equal(sum, p.totals[1])
  assert.throws(() => p.sample(p.numSamples), (e) => e instanceof RangeError && e.code === 'ERR_OUT_OF_RANGE')
})

test('int64 values are numbers up to 2^53 - 1 and bigints past it, or always bigints', () => {
  const max = 2n ** 63n - 1n
  const min = -(2n ** 63n)
  const safe = 2 ** 53 - 1
  const buf = profileWithValues([max, min, safe, 2n ** 53n, -safe, -(2n ** 53n), 0])
  const p = Profile.fromBuffer(buf)
  const got = Array.from({ length: p.numSamples }, (_, i) => p.sample(i).values[0])
  assert.deepEqual(got, [max, min, safe, 2n ** 53n, -safe, -(2n ** 53n), 0])
  assert.equal(typeof got[2], 'number')
  assert.equal(typeof got[3], 'bigint')
  // MAX + MIN = -1 and the rest cancel out: a small total is a number again.
  assert.deepEqual(p.totals, [-1])
  const big = Profile.fromBuffer(buf, { bigint: true })
  assert.deepEqual(Array.from({ length: big.numSamples }, (_, i) => big.sample(i).values[0]), [max, min, BigInt(safe), 2n ** 53n, -BigInt(safe), -(2n ** 53n), 0n])
  assert.equal(typeof big.period, 'bigint')
  // A derived profile keeps the option; its reports follow it.
  const top = big.compact().top()
  assert.equal(typeof top.total, 'bigint')
  assert.ok(top.rows.every((r) => typeof r.flat === 'bigint' && typeof r.flat_pct === 'number'))
  assert.equal(typeof Profile.load(CPU).top().total, 'number')
})

test('merge and mergeAsync sum identical samples; diff of a profile with itself is empty', async () => {
  const p = Profile.load(CPU)
  const m = merge([p, p, CPU])
  assert.deepEqual(m.totals, p.totals.map((t) => 3 * t))
  const ma = await mergeAsync([CPU, p, p])
  assert.deepEqual(ma.totals, m.totals)
  // More than one chunk (64 profiles): the thread count never changes the result.
  const many = Array(70).fill(p)
  const folded = merge(many).folded()
  assert.deepEqual(merge(many, { threads: 1 }).folded(), folded)
  assert.deepEqual((await mergeAsync(many, { threads: 2 })).folded(), folded)
  assert.deepEqual(merge(many).totals, p.totals.map((t) => 70 * t))
  const sub = diff(p, p, { mode: 'subtract' })
  assert.deepEqual(sub.totals, [0, 0])
  assert.equal(sub.top().rows.length, 0)
  const marked = diff(p, p)
  assert.deepEqual(marked.top({ n: 5 }).rows.map((r) => r.flat), [0, 0, 0, 0, 0].slice(0, marked.top({ n: 5 }).rows.length))
  const d = cliJson('diff', '--diff-base', CPU, CPU, '--json', '-n', '5')
  assert.deepEqual(marked.top({ n: 5 }).rows, d.rows)
})

test('filters equal the CLI\'s, one at a time or together', () => {
  const p = Profile.load(CPU)
  const cases = [
    ['focus', 'fib', ['--focus', 'fib']],
    ['ignore', 'fib', ['--ignore', 'fib']],
    ['hide', 'runtime', ['--hide', 'runtime']],
    ['show', 'main', ['--show', 'main']],
    ['showFrom', 'Fibonacci', ['--show-from', 'Fibonacci']],
    ['pruneFrom', 'runtime', ['--prune-from', 'runtime']],
  ]
  // A filtered profile's percentages are of its own total; as report options, the
  // filters keep pprof's percentages of the whole profile.
  const values = (rows) => rows.map((r) => [r.name, r.flat, r.cum])
  for (const [method, re, flags] of cases) {
    const want = cliJson('top', '--json', ...flags, CPU)
    assert.deepEqual(p.top({ [method]: re }).rows, want.rows, method)
    const relative = cliJson('top', '--json', '--relative-percentages', ...flags, CPU)
    assert.deepEqual(values(p[method](re).top().rows), values(relative.rows), method)
    assert.deepEqual(values(p.filter({ [method]: re }).top().rows), values(relative.rows), method)
  }
  const both = cliJson('top', '--json', '--focus', 'main', '--hide', 'fib', CPU)
  assert.deepEqual(p.top({ focus: 'main', hide: 'fib' }).rows, both.rows)
  assert.deepEqual(values(p.filter({ focus: 'main', hide: 'fib' }).top().rows), values(both.rows))
})

test('tag filters and label nodes follow the labels', () => {
  const path = join(CORPUS, 'pprof', 'parca', 'pkg', 'parca', 'testdata', 'labels.pb.gz')
  const p = Profile.load(path)
  const labelled = Array.from({ length: p.numSamples }, (_, i) => p.sample(i)).filter((s) => s.labels.length > 0)
  assert.ok(labelled.length > 0)
  const [k, v] = labelled[0].labels[0]
  const spec = `${k}=^${v}$`
  const kept = p.tagFocus(spec)
  assert.equal(kept.numSamples, labelled.filter((s) => s.labels.some(([a, b]) => a === k && b === v)).length)
  assert.deepEqual(p.top({ tagFocus: spec }).rows, cliJson('top', '--json', '--tagfocus', spec, path).rows)
  assert.deepEqual(p.top({ tagIgnore: spec }).rows, cliJson('top', '--json', '--tagignore', spec, path).rows)
  const dropped = p.tagIgnore(spec)
  assert.equal(dropped.numSamples + kept.numSamples, p.numSamples)
  const grouped = p.labelNodes({ root: [k] })
  assert.ok(grouped.flamegraph().children.some((c) => c.name.includes(v)))
})

test('transformations: scale, normalize, compact, aggregate', () => {
  const p = Profile.load(CPU)
  assert.deepEqual(p.scale(2).totals, p.totals.map((t) => 2 * t))
  assert.deepEqual(p.normalize(p).totals, p.totals)
  // Each sample is scaled and rounded on its own, so totals land within a unit per sample.
  const h = Profile.load(CPU).scale(0.5)
  h.normalize(p).totals.forEach((t, i) => assert.ok(Math.abs(t - p.totals[i]) <= h.numSamples, `${t} vs ${p.totals[i]}`))
  assert.deepEqual(p.compact().totals, p.totals)
  assert.deepEqual(p.top({ granularity: 'files' }).rows, cliJson('top', '--json', '--files', CPU).rows)
  const files = p.aggregate('files')
  assert.deepEqual(files.totals, p.totals)
  assert.deepEqual(files.top({ granularity: 'files' }).rows, p.top({ granularity: 'files' }).rows)
  assert.deepEqual(p.aggregate('lines', { inlines: false }).totals, p.totals)
  assert.deepEqual(p.top({ granularity: 'lines', noinlines: true }).rows, cliJson('top', '--json', '--lines', '--noinlines', CPU).rows)
})

test('report options: sample index by name or number, cum, unit, fractions, mean', () => {
  const p = Profile.load(HEAP)
  assert.deepEqual(p.top({ sampleIndex: 'inuse_space' }).rows, cliJson('top', '--json', '--sample-index', 'inuse_space', HEAP).rows)
  assert.deepEqual(p.top({ sampleIndex: 1 }).rows, cliJson('top', '--json', '--sample-index', '1', HEAP).rows)
  assert.deepEqual(p.top({ cum: true, n: 7 }).rows, cliJson('top', '--json', '--cum', '-n', '7', HEAP).rows)
  assert.equal(p.top({ unit: 'kB' }).text, cli('top', '--unit', 'kB', HEAP).stdout)
  assert.equal(p.top({ nodeFraction: 0.05 }).text, cli('top', '--nodefraction', '0.05', HEAP).stdout)
  assert.equal(p.top({ mean: true, sampleIndex: 'alloc_space' }).text, cli('top', '--mean', '--sample-index', 'alloc_space', HEAP).stdout)
  assert.equal(p.tree({ n: 5 }), cli('tree', '-n', '5', HEAP).stdout)
  assert.equal(Profile.load(CPU).tree({ symbol: 'Fib' }), cli('peek', 'Fib', CPU).stdout)
})

test('flame graphs: values add up; the diff graph has deltas; both equal the CLI\'s', async () => {
  const p = Profile.load(CPU)
  const f = p.flamegraph()
  const check = (n) => {
    const sum = n.children.reduce((a, c) => a + c.value, 0)
    assert.ok(sum <= n.value, n.name)
    n.children.forEach(check)
  }
  check(f)
  assert.equal(f.value, p.totals[1])
  assert.deepEqual(await p.flamegraphAsync(), f)
  const base = Profile.load(CPU).scale(0.5)
  const d = p.flamegraph({ base })
  assert.equal(d.delta, p.totals[1] - base.totals[1])
  const dir = mkdtempSync(join(tmpdir(), 'gprofops-'))
  base.save(join(dir, 'base.pb.gz'))
  assert.deepEqual(d, cliJson('flamegraph', '--compare', join(dir, 'base.pb.gz'), CPU))
  // As JSON text: exactly the CLI's output.
  assert.equal(p.flamegraphJson({ base }) + '\n', cli('flamegraph', '--compare', join(dir, 'base.pb.gz'), CPU).stdout)
  assert.equal((await p.flamegraphJsonAsync({ focus: 'main' })) + '\n', cli('flamegraph', '--focus', 'main', CPU).stdout)
})

test('folded, traces and speedscope equal the CLI\'s', () => {
  const p = Profile.load(CPU)
  assert.equal(p.folded().map(([s, v]) => `${s} ${v}\n`).join(''), cli('folded', CPU).stdout)
  assert.equal(p.traces(), cli('traces', CPU).stdout)
  const doc = p.speedscope({}, CPU)
  assert.deepEqual(doc, cliJson('speedscope', CPU))
})

test('toBuffer and save round-trip; save replaces a file atomically', () => {
  const p = Profile.load(HEAP)
  assert.deepEqual(Profile.fromBuffer(p.toBuffer()).toBuffer(), p.toBuffer())
  assert.deepEqual(gunzipSync(p.toBuffer({ gzip: true })), p.toBuffer())
  const dir = mkdtempSync(join(tmpdir(), 'gprofops-'))
  const out = join(dir, 'out.pb.gz')
  writeFileSync(out, 'old contents')
  p.save(out)
  assert.deepEqual(Profile.load(out).toBuffer(), p.toBuffer())
  p.save(join(dir, 'raw.pb'), { gzip: false })
  assert.deepEqual(readFileSync(join(dir, 'raw.pb')), p.toBuffer())
  assert.deepEqual(readdirSync(dir).sort(), ['out.pb.gz', 'raw.pb'])
  assert.throws(() => p.save(join(dir, 'no-such-dir', 'x.pb.gz')), (e) => e.code === 'ENOENT')
  assert.ok(!existsSync(join(dir, 'no-such-dir')))
})

test('GcTrace: summary, cycles as rows and columns, CSV, OpenMetrics, hints', async () => {
  const g = GcTrace.load(GCLOG)
  const { warnings, ...printed } = cliJson('gctrace', '--json', GCLOG)
  assert.deepEqual(warnings, [])
  assert.ok(g.hasGctraceLines)
  assert.deepEqual(g.summary, printed)
  assert.equal(g.length, g.cycles.length)
  const cols = g.cycleColumns()
  for (const [k, v] of Object.entries(cols)) assert.deepEqual(v, g.cycles.map((c) => c[k]), k)
  assert.deepEqual(Object.keys(cols).sort(), Object.keys(g.cycles[0]).sort())
  assert.equal(g.cyclesCsv(), cli('gctrace', '--cycles', 'csv', GCLOG).stdout)
  assert.ok(g.openMetrics().endsWith('# EOF\n'))
  assert.ok(Array.isArray(g.hints))
  const text = readFileSync(GCLOG, 'utf8')
  assert.deepEqual(GcTrace.fromBuffer(text).summary, g.summary)
  assert.deepEqual((await GcTrace.loadAsync(GCLOG)).summary, g.summary)
  assert.deepEqual((await GcTrace.fromBufferAsync(Buffer.from(text))).cycles, g.cycles)
  assert.equal(typeof GcTrace.load(GCLOG, { bigint: true }).summary.gc_lines, 'bigint')
})

test('Trace: info, events in order, batches by generation', async () => {
  const path = join(CORPUS, 'gotrace', 'tests', 'go122-annotations.trace')
  const t = Trace.load(path)
  const info = t.info()
  assert.deepEqual(info, cliJson('trace', 'info', '--json', path))
  assert.deepEqual(await t.infoAsync(), info)
  const want = cli('trace', 'events', '--json-lines', path).stdout.trim().split('\n').map((l) => parseExact(l))
  const got = []
  for await (const ev of t) got.push(ev)
  assert.deepEqual(got, want)
  assert.equal(got.length, info.events_total)
  // Batches: none empty, none spanning two generations (a Sync event opens each).
  const batches = t.eventBatches()
  let n = 0
  for (let b = batches.nextSync(); b !== null; b = batches.nextSync()) {
    assert.ok(b.length > 0)
    assert.ok(b.slice(1).every((e) => e.kind !== 'Sync'))
    n += b.length
  }
  assert.equal(n, got.length)
  assert.equal(batches.nextSync(), null)
})

test('errorCodes names every code gprofops throws', () => {
  const codes = errorCodes()
  assert.ok(codes.includes('ParseError') && codes.includes('IncompatibleProfilesError'))
  assert.equal(new Set(codes).size, codes.length)
})

test('the README\'s Node tour runs', () => {
  const r = spawnSync(process.execPath, [join(REPO, 'examples', 'node', 'tour.mjs')], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  assert.match(r.stdout, /math\/big\.addVV/)
  assert.match(r.stdout, /GC cycles, STW p50/)
})

test('flame graphs come out the same through both builders, however deep', () => {
  const p = Profile.load(CPU)
  const big = Profile.load(CPU, { bigint: true }).flamegraph()
  const toBig = (n) => ({ ...n, value: BigInt(n.value), ...(n.delta === undefined ? {} : { delta: BigInt(n.delta) }), children: n.children.map(toBig) })
  assert.deepEqual(big, toBig(p.flamegraph()))
  const dir = mkdtempSync(join(tmpdir(), 'gprofops-'))
  for (const depth of [1000, 3000, 200000]) {
    const deep = Profile.fromBuffer(deepProfile(depth))
    const file = join(dir, `deep${depth}.pb.gz`)
    deep.save(file)
    assert.equal(deep.flamegraphJson() + '\n', cli('flamegraph', file).stdout)
    let n = deep.flamegraph()
    let levels = 0
    while (n.children.length) {
      assert.equal(n.children.length, 1)
      n = n.children[0]
      levels++
    }
    assert.equal(levels, depth)
    assert.equal(n.name, 'f0')
    assert.equal(n.value, 1)
  }
})

test('top rows name a frame as go tool pprof -top prints it, with booleans for its inline marker', () => {
  const rows = Profile.load(HEAP).top().rows
  const marker = (r) => (r.inline ? ' (inline)' : r.partial_inline ? ' (partial-inline)' : '')
  for (const r of rows) {
    assert.equal(typeof r.inline, 'boolean')
    assert.equal(typeof r.partial_inline, 'boolean')
    assert.ok(!(r.inline && r.partial_inline), r.name)
    assert.equal(r.name, r.node + marker(r))
  }
  // heap.pb.gz (parca's alloc_objects) has frames inlined into every caller.
  assert.ok(rows.some((r) => r.inline && r.name.endsWith(' (inline)')))
  assert.deepEqual(rows, cliJson('top', '--json', HEAP).rows)
})
