// A small flame-graph dashboard on gprofops's Node API.
//
//   npm install && node server.mjs [--port 8080]
//
// Upload a profile (or pick one of examples/data), see its flame graph and top table, and
// a differential flame graph against a baseline. Every profile operation goes through the
// async API, on the libuv thread pool, so the server keeps answering while one runs.
import { createReadStream } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { createServer } from 'node:http'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { Profile } from 'gprofops'

const HERE = dirname(fileURLToPath(import.meta.url))
const EXAMPLES = join(HERE, '..', 'data')
// The packages' exports maps hide their browser bundles; they are served from disk.
const MODULES = join(HERE, 'node_modules')
const MAX_UPLOAD = 256 << 20

/** Files the page loads, by URL: the page itself and the flame-graph library from npm. */
const STATIC = {
  '/': join(HERE, 'public', 'index.html'),
  '/app.js': join(HERE, 'public', 'app.js'),
  '/vendor/d3.min.js': join(MODULES, 'd3', 'dist', 'd3.min.js'),
  '/vendor/d3-flamegraph.js': join(MODULES, 'd3-flame-graph', 'dist', 'd3-flamegraph.umd.min.js'),
  '/vendor/d3-flamegraph.css': join(MODULES, 'd3-flame-graph', 'dist', 'd3-flamegraph.css'),
}
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' }

/** Profiles loaded so far, by id. */
const profiles = new Map()
let nextId = 1

function add(name, profile) {
  const id = String(nextId++)
  profiles.set(id, { name, profile })
  return { id, name, sampleTypes: profile.sampleTypes, numSamples: profile.numSamples }
}

/**
 * JSON for the browser. Integers past 2^53 arrive from gprofops as bigints; a flame graph
 * only needs their magnitude, so they are sent as (rounded) numbers.
 */
function send(res, status, body) {
  const text = JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? Number(v) : v))
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(text)
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let size = 0
    req.on('data', (c) => {
      size += c.length
      if (size > MAX_UPLOAD) {
        reject(Object.assign(new Error(`upload larger than ${MAX_UPLOAD} bytes`), { status: 413 }))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function lookup(id) {
  const entry = profiles.get(id)
  if (!entry) throw Object.assign(new Error(`no profile ${id}`), { status: 404 })
  return entry
}

/** Report options from the query string: `sampleIndex`, `focus`, `n`. */
function reportOptions(url) {
  const o = {}
  const si = url.searchParams.get('sampleIndex')
  if (si) o.sampleIndex = /^\d+$/.test(si) ? Number(si) : si
  const focus = url.searchParams.get('focus')
  if (focus) o.focus = focus
  return o
}

async function api(req, res, url) {
  const parts = url.pathname.split('/').filter(Boolean) // ['api', ...]
  if (req.method === 'GET' && parts[1] === 'examples' && parts.length === 2) {
    const names = (await readdir(EXAMPLES)).filter((f) => f.endsWith('.pb.gz')).sort()
    return send(res, 200, names)
  }
  if (req.method === 'POST' && parts[1] === 'examples' && parts.length === 3) {
    const name = parts[2]
    if (!/^[\w.-]+\.pb\.gz$/.test(name)) return send(res, 400, { error: 'not an example profile' })
    return send(res, 201, add(name, await Profile.loadAsync(join(EXAMPLES, name))))
  }
  if (req.method === 'POST' && parts[1] === 'profiles' && parts.length === 2) {
    const body = await readBody(req)
    const name = url.searchParams.get('name') || 'upload'
    return send(res, 201, add(name, await Profile.fromBufferAsync(body)))
  }
  if (req.method === 'GET' && parts[1] === 'profiles' && parts.length === 2) {
    return send(res, 200, [...profiles].map(([id, { name }]) => ({ id, name })))
  }
  if (req.method === 'GET' && parts[1] === 'profiles' && parts.length === 4) {
    const { profile } = lookup(parts[2])
    const options = reportOptions(url)
    if (parts[3] === 'top') {
      const n = Number(url.searchParams.get('n') || 20)
      return send(res, 200, await profile.topAsync({ ...options, n }))
    }
    if (parts[3] === 'flamegraph') {
      const baseId = url.searchParams.get('base')
      if (baseId) options.base = lookup(baseId).profile
      // The JSON text straight from Rust: no JS objects built only to be stringified.
      const text = await profile.flamegraphJsonAsync(options)
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(text)
    }
  }
  return send(res, 404, { error: 'no such endpoint' })
}

export function createDashboard() {
  return createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost')
    try {
      if (url.pathname.startsWith('/api/')) return await api(req, res, url)
      const file = STATIC[url.pathname]
      if (req.method !== 'GET' || !file) return send(res, 404, { error: 'not found' })
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
      createReadStream(file).pipe(res)
    } catch (e) {
      // gprofops errors carry a code (`ParseError`, `IncompatibleProfilesError`...).
      send(res, e.status ?? 400, { error: e.message, code: e.code })
    }
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port')
  const port = i > 0 ? Number(process.argv[i + 1]) : 8080
  createDashboard().listen(port, () => console.log(`gprofops dashboard on http://localhost:${port}/`))
}
