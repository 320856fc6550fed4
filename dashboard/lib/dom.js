// A small element builder: h('li', {class: 'x', dataset: {id}}, 'text', child). Text is
// always set as text, never parsed as HTML.
export function h (tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v == null || v === false) continue
    if (k === 'class') el.className = v
    else if (k === 'dataset') Object.assign(el.dataset, v)
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  append(el, children)
  return el
}

function append (el, children) {
  for (const c of children) {
    if (c == null || c === false) continue
    if (Array.isArray(c)) append(el, c)
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)))
  }
}

export const SVG_NS = 'http://www.w3.org/2000/svg'
export function s (tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag)
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, String(v))
  for (const c of children) if (c != null) el.append(c instanceof Node ? c : document.createTextNode(String(c)))
  return el
}

export function clear (el) {
  while (el.firstChild) el.removeChild(el.firstChild)
  return el
}

/** "…yjP5Gx": the end of a peer id, which is what tells them apart. */
export function shortId (id) {
  return id ? `…${String(id).slice(-6)}` : '?'
}

export function fmtMs (ms) {
  if (ms == null || !Number.isFinite(ms)) return '–'
  if (ms < 1_000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} m ${Math.floor((ms % 60_000) / 1_000)} s`
  return `${Math.floor(ms / 3_600_000)} h ${Math.floor((ms % 3_600_000) / 60_000)} m`
}

export function fmtTime (ms) {
  if (ms == null || !Number.isFinite(ms)) return '–'
  return new Date(ms).toLocaleTimeString([], { hour12: false })
}

/** A progress bar: done (green) and failed (red) segments, or an indeterminate stripe. */
export function progressBar (fraction, failedFraction = 0, label = '') {
  const bar = h('div', { class: fraction == null ? 'bar unknown' : 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-label': label })
  const ok = h('div', { class: 'fill' })
  const bad = h('div', { class: 'fill failed' })
  bar.append(ok, bad)
  setBar(bar, fraction, failedFraction)
  return bar
}

export function setBar (bar, fraction, failedFraction = 0) {
  const [ok, bad] = bar.children
  if (fraction == null) {
    bar.classList.add('unknown')
    bar.removeAttribute('aria-valuenow')
    ok.style.width = '0%'
    bad.style.width = '0%'
    return
  }
  bar.classList.remove('unknown')
  const f = Math.max(0, Math.min(1, fraction))
  const bf = Math.max(0, Math.min(f, failedFraction))
  ok.style.width = `${((f - bf) * 100).toFixed(1)}%`
  bad.style.width = `${(bf * 100).toFixed(1)}%`
  bar.setAttribute('aria-valuenow', String(Math.round(f * 100)))
}
