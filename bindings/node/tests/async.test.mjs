// The async API runs on the libuv thread pool: the event loop keeps turning meanwhile.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

import { GcTrace, Profile, Trace, merge, mergeAsync } from 'gprofops'
import { CORPUS, EXAMPLES, PPROF } from './helpers.mjs'

const BIG = join(PPROF, 'google-pprof', 'profile', 'testdata', 'gobench.cpu')

test('the event loop keeps ticking during a long merge', async () => {
  const p = Profile.load(join(EXAMPLES, 'heap.pb.gz'))
  // Distinct copies (scaled) so that the merge has real work; ~200 profiles.
  const inputs = Array.from({ length: 200 }, (_, i) => p.scale(1 + (i % 7)))
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  const started = performance.now()
  const merged = await mergeAsync(inputs)
  const elapsed = performance.now() - started
  clearInterval(timer)
  assert.deepEqual(merged.totals, merge(inputs).totals)
  // The timer fired all along: at least one tick per 20 ms of merging. A blocked loop
  // fires it at most once.
  assert.ok(ticks >= Math.max(2, elapsed / 20), `${ticks} ticks in ${elapsed.toFixed(1)} ms`)
})

test('async loaders and reports give what the sync ones give', async () => {
  const path = join(EXAMPLES, 'cpu.pb.gz')
  const [a, b] = await Promise.all([Profile.loadAsync(path), Profile.fromBufferAsync(readFileSync(path))])
  const p = Profile.load(path)
  assert.deepEqual(a.summary(), p.summary())
  assert.deepEqual(b.summary(), p.summary())
  assert.deepEqual(await a.topAsync({ n: 5 }), p.top({ n: 5 }))
  assert.deepEqual(await a.flamegraphAsync({ focus: 'main' }), p.flamegraph({ focus: 'main' }))
  assert.deepEqual((await GcTrace.loadAsync(join(EXAMPLES, 'gctrace.log'))).summary, GcTrace.load(join(EXAMPLES, 'gctrace.log')).summary)
  const t = Trace.load(join(CORPUS, 'gotrace', 'tests', 'go122-gc-stress.trace'))
  assert.deepEqual(await t.infoAsync(), t.info())
})

test('many concurrent async calls all settle', async () => {
  const results = await Promise.allSettled(
    Array.from({ length: 64 }, (_, i) => (i % 4 === 3 ? Profile.loadAsync('/nonexistent/x') : Profile.loadAsync(BIG).then((p) => p.topAsync({ n: 3 })))),
  )
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 48)
  assert.ok(results.filter((r) => r.status === 'rejected').every((r) => r.reason.code === 'ENOENT'))
})
