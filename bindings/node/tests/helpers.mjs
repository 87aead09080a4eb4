// Shared test helpers: where the data is, and the Rust CLI to compare numbers with.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const EXAMPLES = join(REPO, 'examples', 'data')
export const CORPUS = resolve(REPO, '..', 'shared', 'corpus')
export const PPROF = join(CORPUS, 'pprof')

/** Every file under `dir`, recursively, sorted. */
export function walk(dir) {
  const out = []
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...walk(p))
    else out.push(p)
  }
  return out
}

/** Every single-input profile oracle of the corpus whose input parsed, with its input. */
export function pprofOracles() {
  return walk(PPROF)
    .filter((p) => p.endsWith('.oracle.json') && existsSync(p.slice(0, -'.oracle.json'.length)))
    .map((p) => ({ oracle: p, input: p.slice(0, -'.oracle.json'.length), want: JSON.parse(readFileSync(p, 'utf8')) }))
    .filter((o) => !('error' in o.want))
}

let built = false

/** Runs the `gprofops` CLI of this checkout (built on first use) and returns stdout. */
export function cli(...args) {
  const target = process.env.CARGO_TARGET_DIR ?? join(REPO, 'target')
  if (!built) {
    execFileSync('cargo', ['build', '-q', '--locked', '-p', 'gprofops-cli'], { cwd: REPO, stdio: 'inherit' })
    built = true
  }
  const r = spawnSync(join(target, 'debug', 'gprofops'), args, { encoding: 'utf8', maxBuffer: 1 << 30 })
  return { stdout: r.stdout, stderr: r.stderr, status: r.status }
}

/**
 * JSON text parsed with gprofops's integer rule: integers past 2^53 become `bigint`s
 * instead of being rounded as `JSON.parse` rounds them.
 */
export function parseExact(text) {
  const marked = text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"@@big@@$2"')
  return JSON.parse(marked, (_, v) => {
    if (typeof v === 'string' && v.startsWith('@@big@@')) {
      const b = BigInt(v.slice(7))
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b
    }
    return v
  })
}

/** The CLI's JSON output, integers exact (see `parseExact`). */
export function cliJson(...args) {
  const r = cli(...args)
  if (r.status !== 0) throw new Error(`gprofops ${args.join(' ')}: ${r.stderr}`)
  return parseExact(r.stdout)
}

/** A protobuf varint. */
export function varint(n) {
  let v = BigInt.asUintN(64, BigInt(n))
  const out = []
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v) b |= 0x80
    out.push(b)
  } while (v)
  return out
}

/** A length-delimited protobuf field. */
export function field(no, bytes) {
  return [...varint((no << 3) | 2), ...varint(bytes.length), ...bytes]
}

/**
 * A profile.proto with one sample type (`count`) and one location-less sample per value,
 * built by hand for values a real profile never has.
 */
export function profileWithValues(values) {
  const str = (s) => field(6, [...Buffer.from(s)])
  const bytes = [
    ...field(1, [...[0x08, ...varint(1)], ...[0x10, ...varint(2)]]), // sample_type {type: 1, unit: 2}
  ]
  for (const v of values) bytes.push(...field(2, field(2, varint(v)))) // sample {value: [v]}
  bytes.push(...str(''), ...str('samples'), ...str('count'))
  return Buffer.from(bytes)
}

/** A varint field. */
function vfield(no, v) {
  return [...varint(no << 3), ...varint(v)]
}

/**
 * A profile.proto with one sample whose stack is `depth` distinct functions `f0` (leaf)
 * ... `f{depth-1}` (root), value 1.
 */
export function deepProfile(depth) {
  const parts = [field(1, [...vfield(1, 1), ...vfield(2, 2)])]
  const ids = Array.from({ length: depth }, (_, i) => i + 1)
  const locationIds = []
  for (const id of ids) for (const b of varint(id)) locationIds.push(b)
  parts.push(Buffer.from(varint((2 << 3) | 2)), Buffer.from(varint(0)))
  const sample = Buffer.concat([Buffer.from(field(1, [])).subarray(0, 1), Buffer.from(varint(locationIds.length)), Buffer.from(locationIds), Buffer.from(field(2, varint(1)))])
  parts.pop()
  parts.pop()
  parts.push(Buffer.from([...varint((2 << 3) | 2), ...varint(sample.length)]), sample)
  for (const id of ids) {
    parts.push(field(4, [...vfield(1, id), ...field(4, [...vfield(1, id), ...vfield(2, 1)])]))
    parts.push(field(5, [...vfield(1, id), ...vfield(2, id + 2)]))
  }
  const strings = ['', 'samples', 'count', ...ids.map((id) => `f${id - 1}`)]
  for (const s of strings) parts.push(field(6, [...Buffer.from(s)]))
  return Buffer.concat(parts.map((p) => Buffer.from(p)))
}
