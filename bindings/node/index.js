// The npm package `gprofops`: the native addon (built from src/ by `npm run build`) with
// the few adaptations that make it idiomatic JavaScript. Nothing here computes anything:
// every result comes from the Rust engine.
'use strict'

const native = require('./gprofops.node')

// napi-rs reports an argument of the wrong type as a plain Error whose code is the
// N-API status; Node's own APIs throw a TypeError with code ERR_INVALID_ARG_TYPE.
const ARG_STATUSES = new Set([
  'InvalidArg', 'ObjectExpected', 'StringExpected', 'NameExpected', 'FunctionExpected',
  'NumberExpected', 'BooleanExpected', 'ArrayExpected', 'BigintExpected', 'DateExpected',
  'ArrayBufferExpected', 'DetachableArraybufferExpected',
])

function argumentError(e) {
  if (e instanceof Error && !(e instanceof TypeError) && ARG_STATUSES.has(e.code)) {
    const t = new TypeError(e.message)
    t.code = 'ERR_INVALID_ARG_TYPE'
    return t
  }
  return e
}

function guard(fn) {
  const wrapped = function (...args) {
    try {
      return fn.apply(this, args)
    } catch (e) {
      throw argumentError(e)
    }
  }
  Object.defineProperty(wrapped, 'name', { value: fn.name })
  Object.defineProperty(wrapped, 'length', { value: fn.length })
  return wrapped
}

function guardMembers(target) {
  for (const key of Object.getOwnPropertyNames(target)) {
    if (key === 'constructor' || key === 'prototype' || key === 'length' || key === 'name') continue
    const d = Object.getOwnPropertyDescriptor(target, key)
    if (typeof d.value === 'function') {
      Object.defineProperty(target, key, { ...d, value: guard(d.value) })
    }
  }
}

// Classes (capitalised exports) are patched in place, so that `instanceof` and the
// generated types hold; functions are wrapped.
const exported = {}
for (const [key, value] of Object.entries(native)) {
  if (typeof value === 'function' && /^[A-Z]/.test(key)) {
    guardMembers(value)
    guardMembers(value.prototype)
    exported[key] = value
  } else {
    exported[key] = typeof value === 'function' ? guard(value) : value
  }
}

const { Trace } = native

/**
 * The trace's ordered events, as `gprofops trace events --json-lines` prints them, read
 * on the libuv thread pool a batch at a time (never more than one generation's events
 * in JS memory at once). Rejects with the trace's error where it stops being valid.
 */
Trace.prototype.events = async function* events() {
  const batches = this.eventBatches()
  for (;;) {
    const batch = await batches.next()
    if (batch === null) return
    yield* batch
  }
}
Trace.prototype[Symbol.asyncIterator] = Trace.prototype.events

module.exports = exported
