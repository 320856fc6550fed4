// Talking to the node: the bearer token (from `meshnode token --url`'s #token=…, kept in
// sessionStorage and taken out of the address bar), JSON calls to /v1, and the event stream.

const TOKEN_KEY = 'meshnode.token'

/**
 * Takes `token=…` out of a location hash: returns {token, hash} with the rest of the hash
 * (`#token=T` → '', `#/job/J&token=T` → '#/job/J'). Pure.
 */
export function splitTokenFromHash (hash) {
  const raw = String(hash ?? '').replace(/^#/, '')
  let token = null
  const rest = raw.split('&').filter(part => {
    if (part.startsWith('token=')) {
      token = decodeURIComponent(part.slice('token='.length))
      return false
    }
    return part !== ''
  })
  return { token, hash: rest.length > 0 ? `#${rest.join('&')}` : '' }
}

export function storedToken () {
  try { return sessionStorage.getItem(TOKEN_KEY) } catch { return null }
}

export function storeToken (token) {
  try {
    if (token == null || token === '') sessionStorage.removeItem(TOKEN_KEY)
    else sessionStorage.setItem(TOKEN_KEY, token)
  } catch {}
}

/** Reads a token from the address bar into storage and strips it from the URL (and history). */
export function adoptTokenFromUrl () {
  const { token, hash } = splitTokenFromHash(location.hash)
  if (token == null) return
  storeToken(token)
  history.replaceState(history.state, '', location.pathname + location.search + (hash === '' ? '#/' : hash))
}

export class ApiError extends Error {
  constructor (status, code, message) {
    super(message)
    this.status = status
    this.code = code
  }
}

/** A JSON call; sends the token when there is one; throws ApiError with the node's message. */
export async function api (path, { method = 'GET', body, token = storedToken() } = {}) {
  const headers = { accept: 'application/json' }
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' })
  let json = null
  try { json = await res.json() } catch {}
  if (!res.ok) throw new ApiError(res.status, json?.error?.code ?? `HTTP_${res.status}`, json?.error?.message ?? `${res.status} ${res.statusText}`)
  return json
}

export const EVENT_TYPES = [
  'member.alive', 'member.suspect', 'member.dead', 'member.left', 'leader.changed', 'node.dead', 'node.alive',
  'job.submitted', 'job.progress', 'job.completed', 'job.failed', 'job.cancelled', 'job.rehomed', 'task.failed', 'drain',
  'incident.opened', 'incident.updated'
]

/**
 * Follows /v1/events. `onEvent({seq, event, at, data})`; `onState('open'|'reconnecting'|
 * 'closed')`. With a token the stream acts as its key (EventSource cannot send headers, so
 * it goes as ?token=); if the node refuses the token, the stream goes on without it.
 */
export function follow ({ onEvent, onState, onTokenRefused }) {
  let es = null
  let stopped = false
  const open = (token) => {
    let opened = false
    es = new EventSource(token ? `v1/events?token=${encodeURIComponent(token)}` : 'v1/events')
    for (const t of EVENT_TYPES) {
      es.addEventListener(t, (m) => {
        let ev
        try { ev = JSON.parse(m.data) } catch { return }
        onEvent(ev)
      })
    }
    es.onopen = () => { opened = true; onState('open') }
    es.onerror = () => {
      if (stopped) return
      if (es.readyState === EventSource.CLOSED) {
        // Refused outright (a 401 for a bad token, 403, 429): the browser does not retry.
        if (token && !opened) {
          onTokenRefused?.()
          open(null)
          return
        }
        onState('closed')
        setTimeout(() => { if (!stopped) open(token ? storedToken() : null) }, 3_000)
      } else {
        onState('reconnecting')
      }
    }
  }
  open(storedToken())
  return {
    stop () { stopped = true; es?.close() },
    restart () { es?.close(); open(storedToken()) }
  }
}
