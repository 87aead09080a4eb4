// Trace analyses from Node equal the CLI's (which the Rust tests hold to Go's own
// Summarizer, go tool trace -pprof and the /mmu computation).
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

import { Profile, Trace } from 'gprofops'
import { CORPUS, cli, cliJson } from './helpers.mjs'

const TESTS = join(CORPUS, 'gotrace', 'tests')
const ANALYSED = readdirSync(TESTS)
  .filter((f) => f.endsWith('.trace.analysis.json'))
  .map((f) => ({ path: join(TESTS, f.slice(0, -'.analysis.json'.length)), want: JSON.parse(readFileSync(join(TESTS, f), 'utf8')) }))
  .filter((t) => t.want.valid)

test('goroutines, tasks and regions equal Go\'s Summarizer on every analysed corpus trace', async () => {
  assert.ok(ANALYSED.length > 5)
  for (const { path, want } of ANALYSED) {
    const t = Trace.load(path)
    const a = t.analysis()
    assert.deepEqual(a, cliJson('trace', 'analysis', path), path)
    for (const [name, g] of Object.entries(want.goroutines)) {
      assert.equal(a.goroutines[name].count, g.count, `${path} ${name}`)
      assert.equal(a.goroutines[name].total_ns, g.total_ns, `${path} ${name}`)
      assert.deepEqual(a.goroutines[name].non_overlapping_ns, g.non_overlapping_ns, `${path} ${name}`)
    }
    assert.deepEqual(Object.keys(a.goroutines).sort(), Object.keys(want.goroutines).sort(), path)
    for (const [type, r] of Object.entries(want.tasks)) {
      assert.equal(a.tasks[type].count, r.count, `${path} task ${type}`)
      assert.deepEqual(a.tasks[type].durations_ns, r.durations_ns, `${path} task ${type}`)
    }
    assert.deepEqual(t.goroutines(), a.goroutines, path)
    assert.deepEqual(await t.goroutinesAsync(), a.goroutines, path)
    assert.deepEqual(t.tasks(), { tasks: a.tasks, regions: a.regions }, path)
    assert.deepEqual(await t.tasksAsync(), cliJson('trace', 'tasks', '--json', path), path)
  }
})

test('pauses, metrics, MMU and slow equal the CLI\'s', async () => {
  const path = join(TESTS, 'go122-gc-stress.trace')
  const t = Trace.load(path)
  assert.deepEqual(t.pauses(), cliJson('trace', 'pauses', '--json', path))
  assert.deepEqual(await t.pausesAsync(), t.pauses())
  assert.deepEqual({ metrics: t.metrics() }, cliJson('trace', 'metrics', '--json', path))
  const windows = [100000, 1000000, 10000000]
  assert.deepEqual({ mmu: t.mmu({ windowsNs: windows }) }, cliJson('trace', 'mmu', '--json', ...windows.flatMap((w) => ['--window', String(w)]), path))
  assert.deepEqual({ mmu: await t.mmuAsync() }, cliJson('trace', 'mmu', '--json', path))
  assert.deepEqual(
    { mmu: t.mmu({ windowsNs: windows, flags: ['stw', 'perproc'] }) },
    cliJson('trace', 'mmu', '--json', '--flags', 'stw,perproc', ...windows.flatMap((w) => ['--window', String(w)]), path),
  )
  const annotated = join(TESTS, 'go122-annotations.trace')
  const ta = Trace.load(annotated)
  assert.deepEqual(ta.slow(), cliJson('trace', 'slow', '--json', annotated))
  assert.deepEqual(await ta.slowAsync({ percentile: 50 }), cliJson('trace', 'slow', '--json', '--percentile', '50', annotated))
  assert.deepEqual(ta.slow({ overNs: 1000 }), cliJson('trace', 'slow', '--json', '--over', '1000', annotated))
})

test('trace -> pprof profiles equal the CLI\'s and take every profile operation', async () => {
  const path = join(TESTS, 'go122-annotations.trace')
  const t = Trace.load(path)
  const dir = mkdtempSync(join(tmpdir(), 'gprofops-'))
  for (const kind of ['net', 'sync', 'syscall', 'sched', 'cpu']) {
    const out = join(dir, `${kind}.pb.gz`)
    assert.equal(cli('trace', 'pprof', '--kind', kind, '-o', out, path).status, 0)
    const p = t.toPprof(kind)
    assert.ok(p instanceof Profile)
    assert.deepEqual(p.toBuffer(), Profile.load(out).toBuffer(), kind)
    assert.deepEqual((await t.toPprofAsync(kind)).totals, p.totals, kind)
  }
  assert.deepEqual(t.toPprof('sched').top({ n: 3 }), Profile.load(join(dir, 'sched.pb.gz')).top({ n: 3 }))
})

test('the Perfetto export equals the CLI\'s', async () => {
  const path = join(TESTS, 'go122-annotations.trace')
  const dir = mkdtempSync(join(tmpdir(), 'gprofops-'))
  await Trace.fromBuffer(readFileSync(path)).toPerfettoAsync(join(dir, 'ours.json'))
  assert.equal(cli('trace', 'perfetto', '-o', join(dir, 'cli.json'), path).status, 0)
  assert.deepEqual(readFileSync(join(dir, 'ours.json')), readFileSync(join(dir, 'cli.json')))
  const doc = JSON.parse(readFileSync(join(dir, 'ours.json'), 'utf8'))
  assert.ok((doc.traceEvents ?? doc).length > 0)
})

test('bad options and stopped traces are refused with codes', async () => {
  const t = Trace.load(join(TESTS, 'go122-annotations.trace'))
  assert.throws(() => t.toPprof('heap'), (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARG_VALUE')
  assert.throws(() => t.mmu({ flags: ['gc'] }), (e) => e.code === 'BadOptionError')
  assert.throws(() => t.slow({ percentile: 101 }), (e) => e.code === 'BadOptionError')
  const data = readFileSync(join(TESTS, 'go122-annotations.trace'))
  const cut = Trace.fromBuffer(data.subarray(0, Math.floor(data.length * 0.6)))
  assert.equal(cut.analysis().valid, false)
  assert.throws(() => cut.goroutines(), (e) => e.code === 'InvalidTraceError')
  await assert.rejects(cut.pausesAsync(), (e) => e.code === 'InvalidTraceError')
})
