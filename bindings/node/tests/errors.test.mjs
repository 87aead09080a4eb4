// Bad input of every kind gives a thrown Error with a stable `code`, never a crash.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { test } from 'node:test'

import { GcTrace, Profile, Trace, diff, errorCodes, merge, mergeAsync } from 'gprofops'
import { CORPUS, EXAMPLES } from './helpers.mjs'

const CPU = join(EXAMPLES, 'cpu.pb.gz')
const CODES = new Set(errorCodes())

/** Asserts that `fn` throws an Error (of `type`) whose code is `code`. */
function throwsCode(fn, code, type = Error) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof type, `${e} is not a ${type.name}`)
    assert.equal(e.code, code, e.message)
    assert.ok(e.message.length > 0)
    return true
  })
}

test('truncated and damaged profiles throw parse errors that say where', () => {
  const raw = gunzipSync(readFileSync(CPU))
  throwsCode(() => Profile.fromBuffer(raw.subarray(0, raw.length - 10), { legacy: false }), 'TruncatedError')
  const gz = readFileSync(CPU)
  throwsCode(() => Profile.fromBuffer(gz.subarray(0, gz.length / 2)), 'GzipError')
  throwsCode(() => Profile.fromBuffer(Buffer.alloc(0)), 'EmptyInputError')
  throwsCode(() => Profile.fromBuffer(Buffer.from([0x0f, 0x01, 0x02])), 'MalformedError')
  throwsCode(() => Profile.fromBuffer(gz, { maxInflatedSize: 1000 }), 'TooLargeError')
  // A string-table bomb: 8 MiB of 1 KiB strings gzipped, under a 1 MiB budget.
  const str = Buffer.concat([Buffer.from([0x32, 0x80, 0x08]), Buffer.alloc(1024, 'x')])
  const bomb = gzipSync(Buffer.concat([Buffer.from([0x32, 0x00]), ...Array(8192).fill(str)]), { level: 9 })
  assert.throws(() => Profile.fromBuffer(bomb, { memoryBudget: 1 << 20 }),
    (e) => e.code === 'TooLargeError' && /over the memory budget of 1048576 bytes/.test(e.message))
  assert.equal(Profile.fromBuffer(bomb).numSamples, 0)
  assert.throws(() => Profile.fromBuffer(raw.subarray(0, raw.length - 10), { legacy: false }), /at byte \d+/)
})

test('every prefix of a profile is read or refused with a code, never a crash', () => {
  const raw = gunzipSync(readFileSync(CPU))
  const gz = readFileSync(CPU)
  for (const data of [raw, gz]) {
    for (let n = 0; n < data.length; n += Math.max(1, Math.floor(data.length / 400))) {
      try {
        Profile.fromBuffer(data.subarray(0, n)).top()
      } catch (e) {
        assert.ok(CODES.has(e.code), `${n}: ${e.code} ${e.message}`)
      }
    }
  }
  // Flipped bytes, too.
  for (let i = 0; i < raw.length; i += 97) {
    const bad = Buffer.from(raw)
    bad[i] ^= 0xff
    try {
      Profile.fromBuffer(bad).flamegraph()
    } catch (e) {
      assert.ok(CODES.has(e.code), `${i}: ${e.code} ${e.message}`)
    }
  }
})

test('files that cannot be read get Node\'s codes, from sync and async calls', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gprofops-'))
  throwsCode(() => Profile.load(join(dir, 'missing.pb.gz')), 'ENOENT')
  throwsCode(() => GcTrace.load(join(dir, 'missing.log')), 'ENOENT')
  throwsCode(() => Trace.load(join(dir, 'missing.trace')), 'ENOENT')
  throwsCode(() => merge([CPU, join(dir, 'missing.pb.gz')]), 'ENOENT')
  await assert.rejects(Profile.loadAsync(join(dir, 'missing.pb.gz')), (e) => e instanceof Error && e.code === 'ENOENT')
  await assert.rejects(mergeAsync([join(dir, 'missing.pb.gz')]), (e) => e.code === 'ENOENT')
  await assert.rejects(GcTrace.loadAsync(dir), (e) => e.code === 'EISDIR')
  assert.throws(() => Profile.load(dir), (e) => typeof e.code === 'string' && e.code.startsWith('E'))
})

test('arguments of the wrong type are TypeErrors with ERR_INVALID_ARG_TYPE', () => {
  const p = Profile.load(CPU)
  throwsCode(() => Profile.load(42), 'ERR_INVALID_ARG_TYPE', TypeError)
  throwsCode(() => Profile.fromBuffer('not a buffer'), 'ERR_INVALID_ARG_TYPE', TypeError)
  throwsCode(() => p.top({ n: 'ten' }), 'ERR_INVALID_ARG_TYPE', TypeError)
  throwsCode(() => p.focus(), 'ERR_INVALID_ARG_TYPE', TypeError)
  throwsCode(() => merge('a.pb.gz'), 'ERR_INVALID_ARG_TYPE', TypeError)
  throwsCode(() => merge([p, 3]), 'ERR_INVALID_ARG_TYPE', TypeError)
  throwsCode(() => diff(p, {}), 'ERR_INVALID_ARG_TYPE', TypeError)
  throwsCode(() => p.sample('x'), 'ERR_INVALID_ARG_TYPE', TypeError)
  throwsCode(() => diff(p, p, { mode: 'sideways' }), 'ERR_INVALID_ARG_VALUE', TypeError)
  throwsCode(() => Profile.fromBuffer(readFileSync(CPU), { maxInflatedSize: -1 }), 'ERR_INVALID_ARG_VALUE', TypeError)
  throwsCode(() => Profile.fromBuffer(readFileSync(CPU), { memoryBudget: 1.5 }), 'ERR_INVALID_ARG_VALUE', TypeError)
})

test('operations that cannot be done name why', () => {
  const p = Profile.load(CPU)
  const heap = Profile.load(join(EXAMPLES, 'heap.pb.gz'))
  throwsCode(() => merge([p, heap]), 'IncompatibleProfilesError')
  throwsCode(() => diff(heap, p), 'IncompatibleProfilesError')
  throwsCode(() => merge([]), 'NoProfilesError')
  throwsCode(() => p.focus('('), 'BadRegexError')
  throwsCode(() => p.top({ sampleIndex: 'bogus' }), 'BadOptionError')
  throwsCode(() => p.top({ sampleIndex: 9 }), 'BadOptionError')
  throwsCode(() => p.aggregate('words'), 'BadOptionError')
  throwsCode(() => p.tree({ symbol: 'no_such_function_anywhere' }), 'BadOptionError')
})

test('traces: not a trace, an unknown version, a truncated one', async () => {
  throwsCode(() => Trace.fromBuffer(readFileSync(CPU)), 'TraceHeaderError')
  throwsCode(() => Trace.fromBuffer(Buffer.from('go 1.99 trace\0\0\0')), 'UnsupportedVersionError')
  const data = readFileSync(join(CORPUS, 'gotrace', 'tests', 'go122-annotations.trace'))
  const cut = Trace.fromBuffer(data.subarray(0, Math.floor(data.length * 0.6)))
  assert.equal(cut.info().valid, false)
  let n = 0
  await assert.rejects(
    (async () => {
      for await (const _ of cut.events()) n++
    })(),
    (e) => CODES.has(e.code),
  )
  assert.equal(n, cut.info().events_total)
})

test('a gctrace log never fails on its content', () => {
  const g = GcTrace.fromBuffer(Buffer.from('hello\n\0\xff gc 1 @ not a cycle\n'))
  assert.equal(g.length, 0)
  assert.equal(g.summary.gc_lines, 0)
})

test('a borrowed buffer stays valid after the caller drops it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gprofops-'))
  writeFileSync(join(dir, 'x.pb'), gunzipSync(readFileSync(CPU)))
  const p = (() => Profile.fromBuffer(readFileSync(join(dir, 'x.pb'))))()
  globalThis.gc?.()
  assert.equal(p.top({ n: 1 }).rows[0].name, Profile.load(CPU).top({ n: 1 }).rows[0].name)
})
