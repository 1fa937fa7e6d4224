import { createHash, timingSafeEqual } from 'node:crypto'
import { readConfigFile, type ConfigFile } from '../config/file.js'
import { ConfigError } from '../errors/app-error.js'
import type { ClusterScope } from '../fleet/scope.js'

/** What a caller may do: read; read and change (as the mode allows); also read the audit; approve others' calls. */
export const ROLES = ['reader', 'operator', 'admin', 'approver'] as const

/** One of the caller roles. */
export type Role = typeof ROLES[number]

/** Which face a call came through. */
export type Transport = 'http' | 'mcp' | 'stdio'

/** Who is calling: a name for logs and the audit (never the token) and a role. */
export interface Caller {
  name: string
  role: Role
  /** The clusters it may see and use; absent means every cluster. */
  scope?: ClusterScope
}

/** One configured caller as read from MCP_BEARER_TOKEN or AUTH_FILE: the token is only kept as its SHA-256. */
export interface CallerEntry extends Caller {
  sha256: Buffer
}

/** Roles allowed to change the cluster. */
export function canChange (role: Role): boolean {
  return role === 'operator' || role === 'admin'
}

/** Roles allowed to approve someone else's destructive call. */
export function canApprove (role: Role): boolean {
  return role === 'admin' || role === 'approver'
}

/** SHA-256 of a token, as AUTH_FILE's `sha256` holds it (`printf %s "$TOKEN" | sha256sum`). */
export function tokenDigest (token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

/**
 * The configured callers. `identify` hashes the presented token and compares it with every entry in constant time
 * (no early exit), so neither a token nor which entry it matched can be learned from timing.
 */
export class CallerDirectory {
  readonly entries: readonly CallerEntry[]

  constructor (entries: CallerEntry[]) {
    if (entries.length === 0) throw new Error('at least one caller is required')
    this.entries = entries
  }

  /** The caller a bearer token belongs to, or undefined. */
  identify (token: string): Caller | undefined {
    const digest = tokenDigest(token)
    let found: CallerEntry | undefined
    for (const entry of this.entries) {
      if (timingSafeEqual(digest, entry.sha256) && found === undefined) found = entry
    }
    return found === undefined ? undefined : { name: found.name, role: found.role, ...(found.scope === undefined ? {} : { scope: found.scope }) }
  }
}

/** Bare tokens (MCP_BEARER_TOKEN) as operators named token-1, token-2, ... */
export function tokenCallers (tokens: string[]): CallerEntry[] {
  return tokens.map((token, i) => ({ name: `token-${i + 1}`, role: 'operator', sha256: tokenDigest(token) }))
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/
const HEX64 = /^[0-9a-fA-F]{64}$/

/**
 * How a person signed in with the identity provider becomes a caller (AUTH_FILE `identities`): the first rule that
 * matches gives the role and scope. `group` matches a value of the groups claim; `user` the person's name or `sub`.
 */
export interface IdentityRule {
  group?: string
  user?: string
  role: Role
  scope?: ClusterScope
}

/** What AUTH_FILE holds: callers by token, and the rules for signed-in people. */
export interface AuthFile {
  callers: CallerEntry[]
  identities: IdentityRule[]
}

/**
 * Reads AUTH_FILE: a YAML or JSON list of `{name, role, token | sha256, clusters?, tags?}`, or a map with `callers`
 * (that list) and `identities` (`{group | user, role, clusters?, tags?}`, for OAuth sign-in). A token must be at least
 * 16 characters; `sha256` is the hex digest of the token so tokens need not be stored in clear. Any mistake stops the
 * start with the line it is on.
 */
export function readAuthFile (file: string, variable = 'AUTH_FILE'): AuthFile {
  const parsed: ConfigFile = readConfigFile(variable, file)
  const root = parsed.data
  const isMap = root !== null && typeof root === 'object' && !Array.isArray(root)
  if (isMap) {
    for (const key of Object.keys(root)) if (key !== 'callers' && key !== 'identities') parsed.fail([key], `unknown key "${key}" (use callers and identities)`)
  }
  const identities = isMap ? readIdentities(parsed, (root as { identities?: unknown }).identities) : []
  const listed = Array.isArray(root) ? root : isMap ? (root as { callers?: unknown }).callers : undefined
  if (isMap && listed === undefined && identities.length > 0) return { callers: [], identities }
  if (!Array.isArray(listed)) return parsed.fail(isMap && listed !== undefined ? ['callers'] : [], 'must be a list of callers ({name, role, token | sha256}), or {callers: [...], identities: [...]}')
  const list: unknown[] = listed
  const at = Array.isArray(root) ? [] : ['callers']
  if (list.length === 0) parsed.fail(at, 'lists no caller')
  const names = new Set<string>()
  const digests = new Set<string>()
  const callers = list.map((item, i) => {
    const here = [...at, i]
    if (item === null || typeof item !== 'object' || Array.isArray(item)) parsed.fail(here, 'each caller must be a map with name, role and token or sha256')
    const entry = item as Record<string, unknown>
    for (const key of Object.keys(entry)) {
      if (!['name', 'role', 'token', 'sha256', 'clusters', 'tags'].includes(key)) parsed.fail([...here, key], `unknown key "${key}" (use name, role, token or sha256, and clusters or tags)`)
    }
    if (typeof entry.name !== 'string' || !NAME.test(entry.name)) parsed.fail([...here, 'name'], 'name must be 1-64 letters, digits or . _ @ -')
    if (names.has(entry.name)) parsed.fail([...here, 'name'], `the name "${entry.name}" is used twice`)
    names.add(entry.name)
    const role = readRole(parsed, entry, here)
    const hasToken = entry.token !== undefined
    const hasDigest = entry.sha256 !== undefined
    if (hasToken === hasDigest) parsed.fail(here, 'give exactly one of token or sha256')
    let sha256: Buffer
    if (hasToken) {
      if (typeof entry.token !== 'string' || entry.token.length < 16 || /\s/.test(entry.token)) parsed.fail([...here, 'token'], 'token must be at least 16 characters without white space')
      sha256 = tokenDigest(entry.token)
    } else {
      if (typeof entry.sha256 !== 'string' || !HEX64.test(entry.sha256)) parsed.fail([...here, 'sha256'], 'sha256 must be 64 hex digits (printf %s "$TOKEN" | sha256sum)')
      sha256 = Buffer.from(entry.sha256, 'hex')
    }
    const hex = sha256.toString('hex')
    if (digests.has(hex)) parsed.fail(here, 'this token is given to two callers')
    digests.add(hex)
    const scope = readScope(parsed, entry, here)
    return { name: entry.name, role, sha256, ...(scope === undefined ? {} : { scope }) }
  })
  return { callers, identities }
}

function readRole (parsed: ConfigFile, entry: Record<string, unknown>, here: Array<string | number>): Role {
  if (typeof entry.role !== 'string' || !(ROLES as readonly string[]).includes(entry.role)) parsed.fail([...here, 'role'], `role must be one of ${ROLES.join(', ')}`)
  return entry.role as Role
}

// A group or user value: what identity providers put there (names, e-mail addresses, ids, paths like /team/ops).
const CLAIM_VALUE = /^[^\s\p{Cc}][^\p{Cc}]{0,255}$/u

function readIdentities (parsed: ConfigFile, value: unknown): IdentityRule[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.length === 0 || value.length > 1000) parsed.fail(['identities'], 'identities must be a list of 1-1000 rules ({group | user, role, clusters?, tags?})')
  return value.map((item, i) => {
    const here = ['identities', i]
    if (item === null || typeof item !== 'object' || Array.isArray(item)) parsed.fail(here, 'each rule must be a map with group or user, and role')
    const entry = item as Record<string, unknown>
    for (const key of Object.keys(entry)) {
      if (!['group', 'user', 'role', 'clusters', 'tags'].includes(key)) parsed.fail([...here, key], `unknown key "${key}" (use group or user, role, and clusters or tags)`)
    }
    if ((entry.group === undefined) === (entry.user === undefined)) parsed.fail(here, 'give exactly one of group or user')
    const selector = entry.group === undefined ? 'user' : 'group'
    const match = entry[selector]
    if (typeof match !== 'string' || !CLAIM_VALUE.test(match)) parsed.fail([...here, selector], `${selector} must be 1-256 characters`)
    const role = readRole(parsed, entry, here)
    const scope = readScope(parsed, entry, here)
    return { [selector]: match, role, ...(scope === undefined ? {} : { scope }) }
  })
}

const GLOB = /^[A-Za-z0-9.*?_-]{1,63}$/
const TAG = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,62}$/

// `clusters` (name globs) and `tags`: either or both; a caller with neither sees every cluster.
function readScope (parsed: ConfigFile, entry: Record<string, unknown>, here: Array<string | number>): ClusterScope | undefined {
  const list = (key: 'clusters' | 'tags', pattern: RegExp, what: string): string[] | undefined => {
    const value = entry[key]
    if (value === undefined) return undefined
    if (!Array.isArray(value) || value.length === 0 || value.length > 256 || value.some((v) => typeof v !== 'string' || !pattern.test(v))) {
      parsed.fail([...here, key], `${key} must be a list of 1-256 ${what}`)
    }
    return value as string[]
  }
  const clusters = list('clusters', GLOB, 'cluster names or globs (letters, digits, . _ - and the wildcards * ?)')
  const tags = list('tags', TAG, 'tags')
  if (clusters === undefined && tags === undefined) return undefined
  return { ...(clusters === undefined ? {} : { clusters }), ...(tags === undefined ? {} : { tags }) }
}

/** Checks that names are unique across MCP_BEARER_TOKEN and AUTH_FILE callers. */
export function mergeCallers (fromTokens: CallerEntry[], fromFile: CallerEntry[]): CallerEntry[] {
  const all = [...fromTokens, ...fromFile]
  const names = new Set<string>()
  for (const entry of all) {
    if (names.has(entry.name)) throw new ConfigError('AUTH_FILE', `the caller name "${entry.name}" is also the name given to a MCP_BEARER_TOKEN token; choose another`)
    names.add(entry.name)
  }
  return all
}
