import { AppError } from '../errors/app-error.js'

/** The HyperCore REST API's base path; every call we make stays under it. */
export const API_BASE = '/rest/v1'

/** HTTP methods `run_api` and the client accept. */
export const API_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

/** One of the accepted HTTP methods. */
export type ApiMethod = typeof API_METHODS[number]

/** Query-string values as tools receive them. */
export type QueryParams = Record<string, string | number | boolean>

/**
 * A call target in its one canonical form: what the catalog, the policy, the audit and the cluster all see.
 * Segments are decoded once and hold only characters HyperCore paths use, so the path needs no escaping.
 */
export interface ApiTarget {
  /** The path below `/rest/v1`, starting with `/`, e.g. `/VirDomain/abc`. */
  path: string
  /** `''` or `?a=b&c=d`, re-encoded. */
  search: string
  /** What goes on the wire: `/rest/v1` + path + search. */
  upstreamPath: string
}

/** Limits on what a caller may send as a path and query string. */
export const PATH_LIMITS = {
  /** Characters in the caller's path (with its query string). */
  query: 2048,
  /** Query parameters, counting those in the path and in `params`. */
  params: 50,
  /** Characters in one parameter's name. */
  paramName: 100,
  /** Characters in one parameter's value. */
  paramValue: 1024,
  /** Characters of the whole path and query string as sent to the cluster. */
  url: 4096
} as const

/** The refusal's reason when the prefix comes twice (`/rest/v1/REST/V1/...`): a server would route that nowhere. */
export const REPEATED_PREFIX = 'it repeats the /rest/v1 prefix; give it once, or not at all'

// What a HyperCore path segment is made of once decoded: resource names, UUIDs, task tags, versions (9.4.30.217736).
const SEGMENT_CHARS = /^[A-Za-z0-9\-._~:,=]+$/
const SCHEME = /^[a-z][a-z0-9+.-]*:/i
const ESCAPE = /%([0-9A-Fa-f]{2})/g
const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** Whether `value` is one of the accepted HTTP methods. */
export function isApiMethod (value: string): value is ApiMethod {
  return (API_METHODS as readonly string[]).includes(value)
}

/** Throws 400 METHOD_NOT_ALLOWED unless `value` is GET, POST, PUT, PATCH or DELETE (any case). */
export function checkMethod (value: string): ApiMethod {
  const upper = value.toUpperCase()
  if (!isApiMethod(upper)) {
    throw new AppError('METHOD_NOT_ALLOWED', `Method ${JSON.stringify(value)} is not allowed; use one of ${API_METHODS.join(', ')}.`, 400)
  }
  return upper
}

/**
 * Puts a caller's API path in its canonical form and proves it stays under `/rest/v1`, or throws 400 PATH_NOT_ALLOWED.
 * Accepts `/VirDomain`, `VirDomain`, `/rest/v1/VirDomain?x=1`, `/%56irDomain`; `params` are merged into the query
 * string (they win). Each segment is percent-decoded exactly once; an encoded `/` or `\`, a segment that is only dots
 * (after Unicode normalisation, `+` as space and trimming), a double escape, control characters and any character
 * outside HyperCore's path alphabet are refused rather than passed on.
 */
export function canonicalTarget (query: string, params: QueryParams = {}): ApiTarget {
  if (typeof query !== 'string') refuse(String(query), 'it is not a string')
  const raw = query.replace(/^ +| +$/g, '')
  if (raw === '') refuse(query, 'it is empty')
  if (raw.length > PATH_LIMITS.query) refuse(raw, `it is longer than ${PATH_LIMITS.query} characters`)
  if (hasControlChars(raw)) refuse(raw, 'it contains control characters (CR, LF, NUL, tab, ...)')
  if (raw.includes('\\')) refuse(raw, 'it contains a backslash')
  if (raw.includes('#')) refuse(raw, 'it contains a fragment (#)')
  if (SCHEME.test(raw) || raw.includes('://')) refuse(raw, 'it is an absolute URL; give only the path, e.g. /VirDomain')
  if (raw.startsWith('//')) refuse(raw, 'it starts with // (a network-path reference)')

  const q = raw.indexOf('?')
  const rawPath = q === -1 ? raw : raw.slice(0, q)
  const queryString = q === -1 ? '' : raw.slice(q + 1)

  if (rawPath === '' || rawPath === '/') refuse(raw, 'it names no resource; give a path such as /VirDomain')
  let parts = (rawPath.startsWith('/') ? rawPath.slice(1) : rawPath).split('/')
  // One trailing slash is a habit, not a segment.
  if (parts.length > 1 && parts.at(-1) === '') parts = parts.slice(0, -1)
  const segments = parts.map((part) => canonicalSegment(raw, part))
  // The prefix is optional and taken off once, in any case; what follows it must not be a prefix again, or the path
  // would read one way here and another way to a server that strips it again.
  if (isPrefixAt(segments, 0)) segments.splice(0, 2)
  if (segments.length === 0) refuse(raw, 'it names no resource; give a path such as /VirDomain')
  if (isPrefixAt(segments, 0)) refuse(raw, REPEATED_PREFIX)

  const path = '/' + segments.join('/')
  const search = buildSearch(raw, queryString, params)
  const upstreamPath = `${API_BASE}${path}${search}`
  if (upstreamPath.length > PATH_LIMITS.url) refuse(raw, `with its parameters it is longer than ${PATH_LIMITS.url} characters`)
  return { path, search, upstreamPath }
}

function isPrefixAt (segments: readonly string[], at: number): boolean {
  return segments[at]?.toLowerCase() === 'rest' && segments[at + 1]?.toLowerCase() === 'v1'
}

function canonicalSegment (raw: string, part: string): string {
  if (part === '') refuse(raw, 'it contains an empty segment (//)')
  const decoded = decodeOnce(raw, part)
  if (decoded.includes('%')) refuse(raw, 'it contains a double-encoded character (%25)')
  if (hasControlChars(decoded)) refuse(raw, 'it contains an encoded control character')
  // What a server that normalises Unicode, trims or reads + as a space would make of the segment.
  const lookalike = decoded.normalize('NFKC').replace(/\+/g, ' ').trim()
  if (/[/\\]/.test(lookalike)) refuse(raw, 'it contains an encoded / or \\ (or a character that normalises to one)')
  if (/^\.*$/.test(lookalike)) refuse(raw, 'it contains a dot segment (. or ..), encoded or disguised, or a blank segment')
  if (!SEGMENT_CHARS.test(decoded)) {
    refuse(raw, `segment ${JSON.stringify(decoded.length > 60 ? decoded.slice(0, 60) + '…' : decoded)} contains characters not used in HyperCore paths (allowed: letters, digits and - . _ ~ : , =)`)
  }
  return decoded
}

// Percent-decoding of one segment, bytes first, so an escaped multi-byte character decodes whole or not at all.
function decodeOnce (raw: string, part: string): string {
  if (!part.includes('%')) return part
  if (/%(?![0-9A-Fa-f]{2})/.test(part)) refuse(raw, `segment ${JSON.stringify(part)} has a malformed %-escape`)
  const bytes: number[] = []
  let last = 0
  for (const m of part.matchAll(ESCAPE)) {
    for (const b of Buffer.from(part.slice(last, m.index), 'utf8')) bytes.push(b)
    bytes.push(parseInt(m[1] as string, 16))
    last = (m.index as number) + 3
  }
  for (const b of Buffer.from(part.slice(last), 'utf8')) bytes.push(b)
  try {
    return UTF8.decode(Uint8Array.from(bytes))
  } catch {
    refuse(raw, `segment ${JSON.stringify(part)} decodes to invalid UTF-8`)
  }
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
  const entries = Object.entries(params)
  if (entries.length > PATH_LIMITS.params) refuse(raw, `params has ${entries.length} entries; at most ${PATH_LIMITS.params} are accepted`)
  for (const [key, value] of entries) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      refuse(raw, `parameter ${JSON.stringify(key)} must be a string, number or boolean`)
    }
    parsed.set(key, String(value))
  }
  let count = 0
  for (const [key, value] of parsed) {
    if (++count > PATH_LIMITS.params) refuse(raw, `it has more than ${PATH_LIMITS.params} query parameters`)
    if (key === '') refuse(raw, 'its query string has a parameter without a name')
    if (key.length > PATH_LIMITS.paramName) refuse(raw, `a parameter name is longer than ${PATH_LIMITS.paramName} characters`)
    if (value.length > PATH_LIMITS.paramValue) refuse(raw, `parameter ${JSON.stringify(key.slice(0, 40))} is longer than ${PATH_LIMITS.paramValue} characters`)
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
    'use query_api to find endpoints.', { details: { reason } })
}
