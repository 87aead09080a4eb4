// Compiled (not run) by `npm run typecheck`: the generated index.d.ts describes the API
// as a TypeScript user writes against it.
import { GcTrace, Profile, Trace, diff, errorCodes, merge, mergeAsync } from 'gprofops'
import type { FlameNode, Int, TopReport, TopRow, TraceEvent, TraceInfo } from 'gprofops'

export async function usage(buf: Buffer): Promise<void> {
  const p: Profile = Profile.fromBuffer(buf, { bigint: false })
  const q: Profile = await Profile.loadAsync('cpu.pb.gz')
  const types: Array<[string, string]> = p.sampleTypes
  const totals: Int[] = p.totals
  const top: TopReport = p.top({ n: 10, sampleIndex: 'cpu', cum: true, focus: 'main' })
  const row: TopRow | undefined = top.rows[0]
  const pct: number | undefined = row?.flat_pct
  const flame: FlameNode = p.flamegraph({ base: q })
  const delta: Int | undefined = flame.delta
  const folded: Array<[string, Int]> = p.folded()
  const merged: Profile = merge([p, 'x.pb.gz'], { commonSampleTypes: true })
  const merged2: Profile = await mergeAsync(['a.pb.gz', 'b.pb.gz'])
  const d: Profile = diff(p, q, { mode: 'subtract', normalize: true })
  const out: Buffer = d.toBuffer({ gzip: true })
  const g = GcTrace.load('gc.log')
  const p95: number | null = g.summary.stw_ms_p95
  const t = Trace.load('x.trace')
  const info: TraceInfo = await t.infoAsync()
  for await (const ev of t.events()) {
    const e: TraceEvent = ev
    const kind: string = e.kind
    void kind
  }
  const codes: string[] = errorCodes()
  void [types, totals, pct, delta, folded, merged, merged2, out, p95, info, codes]
}
