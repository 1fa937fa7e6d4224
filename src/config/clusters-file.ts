import { join } from 'node:path'
import { readConfigFile, type ConfigFile } from './file.js'
import { normaliseClusterUrl, normaliseFingerprint, readExactSecretFile, readNodes } from './cluster-values.js'
import { ConfigError } from '../errors/app-error.js'
import type { ClusterConfig } from '../scale/cluster-config.js'
import type { CredentialRule } from '../fleet/discovery.js'

/** One cluster of a fleet as configured: what users call it, how it is labelled, and how to connect to it. */
export interface FleetClusterConfig {
  name: string
  tags: string[]
  site?: string
  connection: ClusterConfig
}

/** What SCALE_CLUSTERS_FILE holds: clusters with their connections, and rules for clusters Fleet Manager finds. */
export interface ClustersFile {
  clusters: FleetClusterConfig[]
  credentials: CredentialRule[]
}

/** What every cluster of the file gets unless it says otherwise (the single-cluster variables' values). */
export interface ClusterDefaults {
  auth: 'local' | 'oidc'
  timeoutMs: number
  maxConnections: number
  bufferedBytes: number
  /** Where each cluster's session file goes (`session-<name>.json`). */
  sessionDir: string
}

/** How users name clusters: short, and safe in a file name, a log line and a metric label. */
export const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/
const TAG = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,62}$/
const FINGERPRINT = /^(sha256( fingerprint=|\/))?([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/
const MAX_CLUSTERS = 10_000
const MAX_TAGS = 32

const CLUSTER_KEYS = ['name', 'host', 'nodes', 'username', 'password', 'passwordFile', 'passwordEnv', 'tlsFingerprint', 'caFile', 'insecureTls', 'tags', 'site', 'maxConnections', 'timeoutMs', 'auth']
const EXCLUSIVE = [['password', 'passwordFile', 'passwordEnv'], ['tlsFingerprint', 'caFile', 'insecureTls']]
const DEFAULT_KEYS = CLUSTER_KEYS.filter((k) => !['name', 'host', 'nodes', 'tags', 'site'].includes(k))

/**
 * Reads SCALE_CLUSTERS_FILE (YAML or JSON): `{clusters: [...], defaults?: {...}, allowInlinePasswords?: false}`.
 * Each cluster has a unique `name` (case ignored), a `host` (and optional `nodes`), a `username`, its password from
 * `passwordFile` or the environment variable `passwordEnv` (an inline `password` only with allowInlinePasswords),
 * one TLS policy (`tlsFingerprint`, `caFile` or `insecureTls: true`), optional `tags` and `site`, and optional
 * `maxConnections` and `timeoutMs`. Any mistake stops the start with the line it is on.
 */
export function readClustersFile (file: string, defaults: ClusterDefaults, env: Record<string, string | undefined>, opts: { discovery?: boolean } = {}, variable = 'SCALE_CLUSTERS_FILE'): ClustersFile {
  const parsed: ConfigFile = readConfigFile(variable, file)
  const root = parsed.data
  if (root === null || typeof root !== 'object' || Array.isArray(root)) parsed.fail([], 'must be a map with a list of clusters under "clusters" (and optional "defaults")')
  const doc = root as Record<string, unknown>
  for (const key of Object.keys(doc)) {
    if (!['clusters', 'defaults', 'credentials', 'allowInlinePasswords'].includes(key)) parsed.fail([key], `unknown key "${key}" (use clusters, defaults, credentials, allowInlinePasswords)`)
  }
  if (doc.allowInlinePasswords !== undefined && typeof doc.allowInlinePasswords !== 'boolean') parsed.fail(['allowInlinePasswords'], 'allowInlinePasswords must be true or false')
  const inline = doc.allowInlinePasswords === true
  const shared = doc.defaults ?? {}
  if (shared === null || typeof shared !== 'object' || Array.isArray(shared)) parsed.fail(['defaults'], 'defaults must be a map')
  for (const key of Object.keys(shared)) {
    if (!DEFAULT_KEYS.includes(key)) parsed.fail(['defaults', key], `unknown key "${key}" in defaults (use ${DEFAULT_KEYS.join(', ')})`)
  }
  const ctx: ReadContext = { inline, defaults, env }
  const credentials = readCredentialRules(parsed, doc.credentials, shared as Record<string, unknown>, ctx, opts.discovery === true)
  const list = doc.clusters ?? (opts.discovery === true ? [] : undefined)
  if (!Array.isArray(list)) parsed.fail(['clusters'], 'clusters must be a list')
  if (list.length === 0 && opts.discovery !== true) parsed.fail(['clusters'], 'lists no cluster')
  if (list.length > MAX_CLUSTERS) parsed.fail(['clusters'], `lists ${list.length} clusters; at most ${MAX_CLUSTERS}`)
  const names = new Set<string>()
  const clusters = list.map((item: unknown, i) => {
    const at = ['clusters', i]
    if (item === null || typeof item !== 'object' || Array.isArray(item)) parsed.fail(at, 'each cluster must be a map with at least name, host and username')
    for (const key of Object.keys(item)) {
      if (!CLUSTER_KEYS.includes(key)) parsed.fail([...at, key], `unknown key "${key}" (use ${CLUSTER_KEYS.join(', ')})`)
    }
    const own = item as Record<string, unknown>
    const entry = withDefaults(shared as Record<string, unknown>, own)
    // A key set here wins over defaults; errors point at where the value was written.
    const where = (key: string): Array<string | number> => key in own ? [...at, key] : ['defaults', key]
    const cluster = readCluster(parsed, entry, where, at, ctx)
    const folded = cluster.name.toLowerCase()
    if (names.has(folded)) parsed.fail([...at, 'name'], `the name "${cluster.name}" is used twice (names are compared without case)`)
    names.add(folded)
    return cluster
  })
  return { clusters, credentials }
}

// A cluster that gives its own password (or TLS policy) replaces the default one, whichever key each uses.
function withDefaults (shared: Record<string, unknown>, own: Record<string, unknown>): Record<string, unknown> {
  const inherited = { ...shared }
  for (const group of EXCLUSIVE) {
    if (group.some((k) => k in own)) for (const k of group) Reflect.deleteProperty(inherited, k)
  }
  return { ...inherited, ...own }
}

const RULE_KEYS = [...CLUSTER_KEYS.filter((k) => !['name', 'host', 'nodes', 'tags', 'site'].includes(k)), 'match', 'port']

// `credentials: [{match: {name: "store-*", tag: pos}, username, passwordEnv, tlsFingerprint, port, ...}]`: checked
// now as if for a cluster, so a missing password variable stops the start, not the first call.
function readCredentialRules (parsed: ConfigFile, value: unknown, shared: Record<string, unknown>, ctx: ReadContext, discovery: boolean): CredentialRule[] {
  if (value === undefined) return []
  if (!discovery) parsed.fail(['credentials'], 'credentials are for clusters found by Fleet Manager: set FLEET_MANAGER_API_KEY, or list the clusters under clusters')
  if (!Array.isArray(value) || value.length > 1000) parsed.fail(['credentials'], 'credentials must be a list of at most 1,000 rules')
  return value.map((item: unknown, i) => {
    const at = ['credentials', i]
    if (item === null || typeof item !== 'object' || Array.isArray(item)) parsed.fail(at, 'each rule must be a map with match and the credentials')
    for (const key of Object.keys(item)) {
      if (!RULE_KEYS.includes(key)) parsed.fail([...at, key], `unknown key "${key}" (use ${RULE_KEYS.join(', ')})`)
    }
    const own = item as Record<string, unknown>
    const match = own.match
    if (match === null || typeof match !== 'object' || Array.isArray(match)) parsed.fail([...at, 'match'], 'match must be a map with name (a glob) and/or tag')
    const m = match as Record<string, unknown>
    for (const key of Object.keys(m)) if (!['name', 'tag'].includes(key)) parsed.fail([...at, 'match', key], `unknown key "${key}" (use name, tag)`)
    if (m.name === undefined && m.tag === undefined) parsed.fail([...at, 'match'], 'match needs name (a glob such as store-*) or tag')
    for (const key of ['name', 'tag'] as const) {
      if (m[key] !== undefined && (typeof m[key] !== 'string' || !/^[A-Za-z0-9.*?_:/-]{1,63}$/.test(m[key]))) parsed.fail([...at, 'match', key], `${key} must be a ${key === 'name' ? 'name or glob' : 'tag'}`)
    }
    const port = own.port
    if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)) parsed.fail([...at, 'port'], 'port must be a whole number from 1 to 65535')
    const { match: _match, port: _port, ...rest } = withDefaults(shared, own)
    const where = (key: string): Array<string | number> => key in own ? [...at, key] : ['defaults', key]
    const build = (name: string, address: string): ClusterConfig => readCluster(parsed, { ...rest, name, host: port === undefined ? address : `${address.includes(':') ? `[${address}]` : address}:${String(port)}` }, where, at, ctx).connection
    build('rule-check', '127.0.0.1')
    return {
      match: { ...(typeof m.name === 'string' ? { name: m.name } : {}), ...(typeof m.tag === 'string' ? { tag: m.tag } : {}) },
      connectionFor: build
    }
  })
}

interface ReadContext {
  inline: boolean
  defaults: ClusterDefaults
  env: Record<string, string | undefined>
}

function readCluster (parsed: ConfigFile, entry: Record<string, unknown>, where: (key: string) => Array<string | number>, at: Array<string | number>, ctx: ReadContext): FleetClusterConfig {
  const text = (key: string): string | undefined => {
    const value = entry[key]
    if (value === undefined) return undefined
    if (typeof value !== 'string' || value.trim() === '') parsed.fail(where(key), `${key} must be a non-empty string`)
    return value.trim()
  }
  const integer = (key: string, min: number, max: number): number | undefined => {
    const value = entry[key]
    if (value === undefined) return undefined
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) parsed.fail(where(key), `${key} must be a whole number from ${min} to ${max}`)
    return value
  }
  const name = text('name')
  if (name === undefined || !CLUSTER_NAME.test(name)) parsed.fail(name === undefined ? at : where('name'), 'name must be 1-63 letters, digits or . _ - (starting with a letter or digit)')
  const host = text('host')
  if (host === undefined) parsed.fail(at, `the cluster "${name}" has no host`)
  const url = rethrow(parsed, where('host'), () => normaliseClusterUrl(host))
  const nodesValue = entry.nodes
  let nodes: string[] | undefined
  if (nodesValue !== undefined) {
    if (!Array.isArray(nodesValue) || nodesValue.some((n) => typeof n !== 'string') || nodesValue.length > 64) parsed.fail(where('nodes'), 'nodes must be a list of at most 64 addresses')
    nodes = rethrow(parsed, where('nodes'), () => readNodes((nodesValue as string[]).join(','), url))
  }
  const username = text('username')
  if (username === undefined) parsed.fail(at, `the cluster "${name}" has no username`)
  const password = readPassword(parsed, entry, where, at, name, ctx)
  const fingerprint = text('tlsFingerprint')
  const caFile = text('caFile')
  if (entry.insecureTls !== undefined && typeof entry.insecureTls !== 'boolean') parsed.fail(where('insecureTls'), 'insecureTls must be true or false')
  const insecureTls = entry.insecureTls === true
  if ([fingerprint !== undefined, caFile !== undefined, insecureTls].filter(Boolean).length > 1) parsed.fail(at, `choose one of tlsFingerprint, caFile or insecureTls for the cluster "${name}"`)
  let tlsFingerprint: string | undefined
  if (fingerprint !== undefined) {
    const pins = fingerprint.split(',').map((f) => f.trim())
    if (pins.some((p) => !FINGERPRINT.test(p))) parsed.fail(where('tlsFingerprint'), 'tlsFingerprint must be one or more SHA-256 fingerprints (32 hex bytes), comma-separated')
    tlsFingerprint = pins.map(normaliseFingerprint).join(',')
  }
  const auth = text('auth') ?? ctx.defaults.auth
  if (auth !== 'local' && auth !== 'oidc') parsed.fail(where('auth'), 'auth must be local or oidc')
  const tags = readTags(parsed, entry.tags, where('tags'))
  const site = text('site')
  if (site !== undefined && site.length > 100) parsed.fail(where('site'), 'site must be at most 100 characters')
  return {
    name,
    tags,
    ...(site === undefined ? {} : { site }),
    connection: {
      name,
      url,
      username,
      password,
      auth,
      timeoutMs: integer('timeoutMs', 100, 600_000) ?? ctx.defaults.timeoutMs,
      sessionFile: join(ctx.defaults.sessionDir, `session-${name}.json`),
      ...(caFile === undefined ? {} : { caFile }),
      ...(tlsFingerprint === undefined ? {} : { tlsFingerprint }),
      ...(nodes === undefined ? {} : { nodes }),
      insecureTls,
      maxConnections: integer('maxConnections', 1, 256) ?? ctx.defaults.maxConnections,
      bufferedBytes: ctx.defaults.bufferedBytes
    }
  }
}

function readPassword (parsed: ConfigFile, entry: Record<string, unknown>, where: (key: string) => Array<string | number>, at: Array<string | number>, name: string, ctx: ReadContext): string {
  const given = ['password', 'passwordFile', 'passwordEnv'].filter((k) => entry[k] !== undefined)
  if (given.length !== 1) parsed.fail(at, `give the cluster "${name}" exactly one of passwordFile, passwordEnv${ctx.inline ? ' or password' : ''} (found ${given.length === 0 ? 'none' : given.join(' and ')})`)
  const key = given[0] ?? ''
  const value = entry[key]
  if (typeof value !== 'string' || value === '') parsed.fail(where(key), `${key} must be a non-empty string`)
  if (key === 'password') {
    // In clear in a file that is easy to commit or paste: only when the file says it means it.
    if (!ctx.inline) parsed.fail(where(key), 'a password written in the file is refused; use passwordFile or passwordEnv (or set allowInlinePasswords: true)')
    return value
  }
  if (key === 'passwordEnv') {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) parsed.fail(where(key), 'passwordEnv must name an environment variable')
    const secret = ctx.env[value]
    if (secret === undefined || secret === '') parsed.fail(where(key), `the environment variable ${value} (the password of "${name}") is not set`)
    return secret
  }
  return rethrow(parsed, where(key), () => readExactSecretFile('passwordFile', value))
}

function readTags (parsed: ConfigFile, value: unknown, at: Array<string | number>): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value) || value.length > MAX_TAGS || value.some((t) => typeof t !== 'string' || !TAG.test(t))) {
    parsed.fail(at, `tags must be a list of at most ${MAX_TAGS} words (letters, digits and . _ : / -)`)
  }
  return [...new Set(value as string[])]
}

// The single-cluster checks throw ConfigErrors naming their variable; here the same words point at a line instead.
function rethrow<T> (parsed: ConfigFile, at: Array<string | number>, read: () => T): T {
  try {
    return read()
  } catch (err) {
    if (err instanceof ConfigError) parsed.fail(at, err.message.replace(/^[A-Z_]+: /, ''))
    throw err
  }
}
