// The dashboard page: talks to server.mjs, draws with d3-flame-graph.
'use strict'

const $ = (id) => document.getElementById(id)

function status(text, error = false) {
  $('status').textContent = text
  $('status').className = error ? 'error' : ''
}

async function call(method, url, body) {
  const res = await fetch(url, { method, body })
  const json = await res.json()
  if (!res.ok) throw new Error(json.code ? `${json.code}: ${json.error}` : json.error)
  return json
}

function option(select, value, text) {
  const o = document.createElement('option')
  o.value = value
  o.textContent = text
  select.appendChild(o)
}

function added(p) {
  option($('current'), p.id, `${p.id}: ${p.name}`)
  option($('baseline'), p.id, `${p.id}: ${p.name}`)
  $('current').value = p.id
  return render()
}

function pct(v) {
  return `${v.toFixed(2)}%`
}

async function render() {
  const id = $('current').value
  if (!id) return
  const base = $('baseline').value
  status('loading…')
  try {
    const [flame, top] = await Promise.all([
      call('GET', `/api/profiles/${id}/flamegraph${base ? `?base=${base}` : ''}`),
      call('GET', `/api/profiles/${id}/top?n=20`),
    ])
    $('flame').textContent = ''
    const width = Math.max(600, document.body.clientWidth - 40)
    const chart = flamegraph.default().width(width).cellHeight(18).minFrameSize(1).title('').transitionDuration(0)
    if (base) chart.setColorMapper(flamegraph.colorMapper.differentialColorMapper)
    d3.select('#flame').datum(flame).call(chart)
    $('flame-title').textContent = base ? `Differential flame graph (against ${base})` : 'Flame graph'
    const rows = top.rows.map((r) =>
      `<tr><td></td><td>${r.flat}</td><td>${pct(r.flat_pct)}</td><td>${pct(r.sum_pct)}</td><td>${r.cum}</td><td>${pct(r.cum_pct)}</td></tr>`,
    )
    const body = $('top').querySelector('tbody')
    body.innerHTML = rows.join('')
    // Names go in as text, never as HTML.
    top.rows.forEach((r, i) => {
      body.rows[i].cells[0].textContent = r.name
    })
    status(`${top.rows.length} rows of ${top.total} ${top.unit}`)
    document.body.dataset.rendered = `${id}:${base}`
  } catch (e) {
    status(e.message, true)
  }
}

$('upload').addEventListener('change', async () => {
  const file = $('upload').files[0]
  if (!file) return
  try {
    added(await call('POST', `/api/profiles?name=${encodeURIComponent(file.name)}`, file))
  } catch (e) {
    status(e.message, true)
  }
})

$('example').addEventListener('change', async () => {
  const name = $('example').value
  if (!name) return
  try {
    added(await call('POST', `/api/examples/${encodeURIComponent(name)}`))
  } catch (e) {
    status(e.message, true)
  }
})

$('current').addEventListener('change', render)
$('baseline').addEventListener('change', render)

call('GET', '/api/examples').then((names) => names.forEach((n) => option($('example'), n, n)))
