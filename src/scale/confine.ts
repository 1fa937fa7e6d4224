import { AppError } from '../errors.js'

/** The HyperCore REST API's base path; every call we make stays under it. */
export const API_BASE = '/rest/v1'

/** HTTP methods `run_api` and the client accept. */
export const API_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

/** One of the accepted HTTP methods. */
export type ApiMethod = typeof API_METHODS[number]

/** Query-string values as tools receive them. */
export type QueryParams = Record<string, string | number | boolean>

/** A path proven to stay under `/rest/v1`, split into its parts. */
export interface ConfinedPath {
  /** The path below `/rest/v1`, starting with `/`, e.g. `/VirDomain/abc`; percent-encoding kept as given. */
  path: string
  /** `''` or `?a=b&c=d`, re-encoded. */
  search: string
  /** What goes on the wire: `/rest/v1` + path + search. */
  upstreamPath: string
}

// Characters a HyperCore path segment is made of (resource names, UUIDs, task tags, condition names).
// Everything else, `@ ; \ # %00` and non-ASCII included, is refused rather than escaped.
const SEGMENT_CHARS = /^[A-Za-z0-9\-._~:,=+%]+$/
const SCHEME = /^[a-z][a-z0-9+.-]*:/i
const MAX_LENGTH = 2048

/** Whether `value` is one of the accepted HTTP methods. */
export function isApiMethod (value: string): value is ApiMethod {
  return (API_METHODS as readonly string[]).includes(value)
}

/** Throws 400 METHOD_NOT_ALLOWED unless `value` is GET, POST, PUT, PATCH or DELETE. */
export function checkMethod (value: string): ApiMethod {
  const upper = value.toUpperCase()
  if (!isApiMethod(upper)) {
    throw new AppError('METHOD_NOT_ALLOWED', `Method ${JSON.stringify(value)} is not allowed; use one of ${API_METHODS.join(', ')}.`, 400)
  }
  return upper
}

/**
 * Normalises a caller's API path and proves it stays under `/rest/v1`, or throws 400 PATH_NOT_ALLOWED.
 * Accepts `/VirDomain`, `VirDomain`, `/rest/v1/VirDomain?x=1`; `params` are merged into the query string (they win).
 */
export function confinePath (query: string, params: QueryParams = {}): ConfinedPath {
  if (typeof query !== 'string') refuse(String(query), 'it is not a string')
  const raw = query.replace(/^ +| +$/g, '')
  if (raw === '') refuse(query, 'it is empty')
  if (raw.length > MAX_LENGTH) refuse(raw, `it is longer than ${MAX_LENGTH} characters`)
  if (hasControlChars(raw)) refuse(raw, 'it contains control characters (CR, LF, NUL, tab, ...)')
  if (raw.includes('\\')) refuse(raw, 'it contains a backslash')
  if (raw.includes('#')) refuse(raw, 'it contains a fragment (#)')
  if (SCHEME.test(raw) || raw.includes('://')) refuse(raw, 'it is an absolute URL; give only the path, e.g. /VirDomain')
  if (raw.startsWith('//')) refuse(raw, 'it starts with // (a network-path reference)')

  const q = raw.indexOf('?')
  let path = q === -1 ? raw : raw.slice(0, q)
  const queryString = q === -1 ? '' : raw.slice(q + 1)

  if (path.includes('@')) refuse(raw, 'it contains @')
  if (!path.startsWith('/')) path = `/${path}`
  if (path === API_BASE || path.startsWith(`${API_BASE}/`)) path = path.slice(API_BASE.length)
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
  if (path === '' || path === '/') refuse(raw, 'it names no resource; give a path such as /VirDomain')
  if (path.includes('//')) refuse(raw, 'it contains an empty segment (//)')

  for (const segment of path.slice(1).split('/')) checkSegment(raw, segment)

  const search = buildSearch(raw, queryString, params)
  return { path, search, upstreamPath: `${API_BASE}${path}${search}` }
}

function checkSegment (raw: string, segment: string): void {
  if (!SEGMENT_CHARS.test(segment)) {
    refuse(raw, `segment ${JSON.stringify(segment)} contains characters not used in HyperCore paths (allowed: letters, digits and - . _ ~ : , = + and %XX escapes)`)
  }
  if (/^\.+$/.test(segment)) refuse(raw, 'it contains a dot segment (. or ..)')
  if (!segment.includes('%')) return
  let decoded: string
  try {
    decoded = decodeURIComponent(segment)
  } catch {
    refuse(raw, `segment ${JSON.stringify(segment)} has a malformed %-escape`)
  }
  // After one decoding nothing may still look like an escape (double encoding) or change the path's shape.
  if (decoded.includes('%')) refuse(raw, 'it contains a double-encoded character')
  if (/^\.+$/.test(decoded)) refuse(raw, 'it contains an encoded dot segment (%2e%2e)')
  if (/[/\\@?#;]/.test(decoded)) refuse(raw, 'it contains an encoded /, \\, @, ?, # or ;')
  if (hasControlChars(decoded)) refuse(raw, 'it contains an encoded control character')
}

function buildSearch (raw: string, queryString: string, params: QueryParams): string {
  let parsed: URLSearchParams
  try {
    // URLSearchParams decodes leniently; decodeURIComponent is only used to reject malformed escapes.
    decodeURIComponent(queryString.replace(/\+/g, ' '))
    parsed = new URLSearchParams(queryString)
  } catch {
    refuse(raw, 'its query string has a malformed %-escape')
  }
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      refuse(raw, `parameter ${JSON.stringify(key)} must be a string, number or boolean`)
    }
    parsed.set(key, String(value))
  }
  for (const [key, value] of parsed) {
    if (key === '') refuse(raw, 'its query string has a parameter without a name')
    if (hasControlChars(key) || hasControlChars(value)) refuse(raw, 'its query string contains control characters')
  }
  const search = parsed.toString()
  return search === '' ? '' : `?${search}`
}

// C0 and C1 controls (CR, LF, NUL, tab, DEL, ...) and the Unicode line separators.
function hasControlChars (text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true
  }
  return false
}

function refuse (query: string, reason: string): never {
  const shown = query.length > 200 ? `${query.slice(0, 200)}…` : query
  throw new AppError('PATH_NOT_ALLOWED',
    `The path ${JSON.stringify(shown)} is not allowed: ${reason}. Give a path under /rest/v1 such as /VirDomain or /VirDomain/<uuid>; ` +
    'use query_api to find endpoints.', 400, { details: { reason } })
}
