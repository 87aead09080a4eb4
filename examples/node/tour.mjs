// A tour of the Node API on the example data (run `npm ci && npm run build` in
// bindings/node first):
//
//   node examples/node/tour.mjs
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { GcTrace, Profile, diff, mergeAsync } from '../../bindings/node/index.mjs'

const DATA = join(dirname(fileURLToPath(import.meta.url)), '..', 'data')

// A CPU profile: what it holds, and its heaviest functions as `go tool pprof -top` shows them.
const cpu = Profile.load(join(DATA, 'cpu.pb.gz'))
console.log(String(cpu), 'totals', cpu.totals)
console.log(cpu.top({ n: 5 }).text)

// Focus on one part of the program; its flame graph in d3-flame-graph's shape.
const fib = cpu.focus('Fibonacci')
const root = fib.flamegraph()
console.log(`flame graph: ${root.value} ns under ${root.children.length} root frame(s)`)

// The same profile twice merged on the libuv thread pool, then compared with the original:
// every frame doubled, so the diff shows the whole profile again.
const twice = await mergeAsync([cpu, join(DATA, 'cpu.pb.gz')])
const change = diff(cpu, twice, { mode: 'subtract' })
console.log('merged totals', twice.totals, '- diff against one copy:', change.totals)

// A heap profile: the in-use space by function, in MB.
const heap = Profile.load(join(DATA, 'heap.pb.gz'))
for (const r of heap.top({ n: 3, sampleIndex: 'inuse_space', unit: 'MB' }).rows) {
  console.log(`${r.flat_pct.toFixed(1).padStart(5)}%  ${r.name}`)
}

// A GC log: pauses and heap goals.
const gc = GcTrace.load(join(DATA, 'gctrace.log'))
const s = gc.summary
console.log(`${gc.length} GC cycles, STW p50 ${s.stw_ms_p50} ms, p95 ${s.stw_ms_p95} ms, max heap goal ${s.heap_goal_max} MB`)
