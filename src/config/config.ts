import { randomBytes } from 'node:crypto'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ConfigError } from '../errors/app-error.js'
import { normaliseClusterUrl, normaliseFingerprint, readExactSecretFile, readNodes } from './cluster-values.js'
import { CLUSTER_NAME, readClustersFile, type FleetClusterConfig } from './clusters-file.js'
import { clusterNameFor, type CredentialRule } from '../fleet/discovery.js'
import type { FleetManagerConfig } from '../fleet/fleet-manager.js'
import { mergeCallers, readAuthFile, ROLES, tokenCallers, type CallerEntry, type IdentityRule, type Role } from '../gate/identity.js'
import { ALLOWED_ALGORITHMS, DEFAULT_ALGORITHMS, type OAuthSettings } from '../oauth/settings.js'
import { CONFIRM_VIA, EMPTY_RULES, readPolicyFile, SCALE_MODES, type ConfirmVia, type PolicyRules, type ScaleMode } from '../gate/policy.js'
import { LLM_ENV_VARIABLES, readLlmConfig, type LlmConfig } from '../llm/config.js'
import { LOG_LEVELS } from '../observe/logger.js'
import type { ClusterConfig } from '../scale/cluster-config.js'
import type { SchemaSetting } from '../scale/live-catalog.js'
import { DEFAULT_TOOLSETS, parseToolsets, type Toolset } from '../tools/support/toolsets.js'

const FINGERPRINT = '((sha256|SHA256) Fingerprint=|sha256/|SHA256/)?([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}'

// Every variable the server reads. Optional ones are left out when unset or empty; defaults are filled in.
const EnvSchema = Type.Object({
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 5075 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  MCP_BEARER_TOKEN: Type.Optional(Type.String()),
  MCP_BEARER_TOKEN_FILE: Type.Optional(Type.String()),
  CORS_ORIGINS: Type.Optional(Type.String()),
  ALLOWED_HOSTS: Type.Optional(Type.String()),
  MCP_STDIO_ROLE: Type.Union(ROLES.map((r) => Type.Literal(r)), { default: 'operator' }),
  MCP_MAX_SESSIONS: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }),
  MCP_MAX_SESSIONS_PER_CALLER: Type.Integer({ minimum: 1, maximum: 10_000, default: 20 }),
  MCP_SESSION_IDLE_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 60 }),
  SCALE_HOST: Type.Optional(Type.String()),
  SCALE_CLUSTER_NAME: Type.Optional(Type.String({ pattern: CLUSTER_NAME.source })),
  SCALE_CLUSTERS_FILE: Type.Optional(Type.String()),
  DEFAULT_CLUSTER: Type.Optional(Type.String()),
  FLEET_MANAGER_API_KEY: Type.Optional(Type.String()),
  FLEET_MANAGER_API_KEY_FILE: Type.Optional(Type.String()),
  FLEET_MANAGER_URL: Type.String({ default: 'https://api.scalecomputing.com' }),
  FLEET_MANAGER_REFRESH_SECONDS: Type.Integer({ minimum: 30, maximum: 86_400, default: 300 }),
  FLEET_MAX_OPEN_CLUSTERS: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }),
  SIMULATOR_CLUSTERS: Type.Integer({ minimum: 1, maximum: 1000, default: 1 }),
  SCALE_USERNAME: Type.Optional(Type.String()),
  SCALE_PASSWORD: Type.Optional(Type.String()),
  SCALE_PASSWORD_FILE: Type.Optional(Type.String()),
  SCALE_AUTH: Type.Union([Type.Literal('local'), Type.Literal('oidc')], { default: 'local' }),
  SCALE_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
  SCALE_SESSION_FILE: Type.Optional(Type.String()),
  SCALE_CA_FILE: Type.Optional(Type.String()),
  // Accepts openssl's whole line (`sha256 Fingerprint=AB:CD:…`), `sha256/…`, or the bare hex with or without colons;
  // several, comma-separated, for clusters whose nodes each have their own certificate.
  SCALE_TLS_FINGERPRINT: Type.Optional(Type.String({ pattern: `^${FINGERPRINT}(\\s*,\\s*${FINGERPRINT})*$` })),
  SCALE_NODES: Type.Optional(Type.String()),
  SCALE_INSECURE_TLS: Type.Boolean({ default: false }),
  SCALE_SCHEMA: Type.Optional(Type.String()),
  SCALE_SCHEMA_FILE: Type.Optional(Type.String()),
  SIMULATOR_VMS: Type.Integer({ minimum: 0, maximum: 100_000, default: 12 }),
  AUTH_FILE: Type.Optional(Type.String()),
  RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 120 }),
  MAX_CONNECTIONS_PER_IP: Type.Integer({ minimum: 0, maximum: 100_000, default: 64 }),
  SCALE_MODE: Type.Union(SCALE_MODES.map((m) => Type.Literal(m)), { default: 'confirm' }),
  CONFIRM_VIA: Type.Union(CONFIRM_VIA.map((m) => Type.Literal(m)), { default: 'token' }),
  CONFIRM_TTL_SECONDS: Type.Integer({ minimum: 10, maximum: 86_400, default: 300 }),
  APPROVAL_ALLOW_SELF: Type.Boolean({ default: false }),
  CONFIRM_SECRET: Type.Optional(Type.String()),
  CONFIRM_SECRET_FILE: Type.Optional(Type.String()),
  SCALE_POLICY_FILE: Type.Optional(Type.String()),
  SCALE_AUDIT_FILE: Type.Optional(Type.String()),
  PUBLIC_URL: Type.Optional(Type.String()),
  ANSWER_MAX_BYTES: Type.Integer({ minimum: 2048, maximum: 4 * 1024 * 1024, default: 16_384 }),
  SCALE_MAX_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 256, default: 16 }),
  SCALE_MAX_BUFFERED_MB: Type.Integer({ minimum: 16, maximum: 8192, default: 256 }),
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
  TOOLSETS: Type.Optional(Type.String()),
  STORE_URL: Type.Optional(Type.String()),
  OAUTH_ISSUER: Type.Optional(Type.String()),
  OAUTH_AUDIENCE: Type.Optional(Type.String()),
  OAUTH_ALGORITHMS: Type.Optional(Type.String()),
  OAUTH_REQUIRED_SCOPES: Type.Optional(Type.String()),
  OAUTH_NAME_CLAIMS: Type.String({ default: 'email,preferred_username,upn,sub' }),
  OAUTH_GROUPS_CLAIM: Type.String({ default: 'groups', minLength: 1, maxLength: 128 }),
  OAUTH_CLIENT_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  OAUTH_CLIENT_SECRET: Type.Optional(Type.String()),
  OAUTH_CLIENT_SECRET_FILE: Type.Optional(Type.String()),
  OAUTH_CLOCK_TOLERANCE_SECONDS: Type.Integer({ minimum: 0, maximum: 300, default: 30 }),
  STORE_PREFIX: Type.String({ default: 'sah:', minLength: 1, maxLength: 64 }),
  STORE_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 30_000, default: 1000 })
})

// Secrets are taken exactly as given: a password may begin or end with a space.
const EXACT = new Set(['SCALE_PASSWORD', 'CONFIRM_SECRET', 'LLM_API_KEY', 'FLEET_MANAGER_API_KEY', 'STORE_URL', 'OAUTH_CLIENT_SECRET'])

/** The environment variables, as read and checked (for the table in docs/configuration.md and `--help`). */
export type Env = Static<typeof EnvSchema>

/** How the MCP faces behave (`/mcp` and `scale-api-helper mcp`). */
export interface McpConfig {
  /** ALLOWED_HOSTS as given: host names (no ports) `/mcp` accepts in Host, `['*']` for any; absent when unset. */
  allowedHosts?: string[]
  /** The role of the local user over stdio. */
  stdioRole: Role
  /** 2025-11-25 sessions open at once. */
  maxSessions: number
  /** 2025-11-25 sessions one caller may have open at once (never more than maxSessions). */
  maxSessionsPerCaller: number
  /** A 2025-11-25 session with nothing in flight and no open stream ends after this long. */
  sessionIdleMs: number
}

/** The server's whole configuration, read once at start and passed down. */
export interface Config {
  host: string
  port: number
  logLevel: string
  /** Accepted bearer tokens given in clear (MCP_BEARER_TOKEN, or the generated one); AUTH_FILE callers are in `callers`. */
  tokens: string[]
  /** True when no token was configured and one was generated for this process. */
  tokenGenerated: boolean
  /** Every caller: bare tokens as operators token-1, token-2, ..., then AUTH_FILE's; tokens kept only as SHA-256. */
  callers: CallerEntry[]
  /** Calls per caller per minute. */
  rateLimitPerMinute: number
  /** Connections one client address (an IPv6 /64) may hold open at once; 0 means no per-address cap. */
  maxConnectionsPerIp: number
  /** The safety settings the gate applies. */
  safety: {
    mode: ScaleMode
    confirmVia: ConfirmVia
    confirmTtlMs: number
    /** HMAC key of confirm tokens; random per process unless CONFIRM_SECRET is set (needed for several replicas). */
    confirmKey: Buffer
    /** Whether the caller who asked for a call may approve it too (APPROVAL_ALLOW_SELF: a single-admin deployment). */
    allowSelfApproval: boolean
    confirmKeyGenerated: boolean
    rules: PolicyRules
    /** JSON Lines audit file, or `-` for standard output. */
    auditFile: string
  }
  /** Our public origin (PUBLIC_URL): the OpenAPI `servers` entry and approval links. */
  publicUrl?: string
  /** Where state (session, audit) is kept by default. */
  stateDir: string
  /** The size a tool's answer should stay within, as compact JSON with its envelope. */
  answerMaxBytes: number
  /** A second port serving only /metrics without a token (on HOST); absent: /metrics is behind the bearer token. */
  metricsPort?: number
  corsOrigins: string[]
  mcp: McpConfig
  /** The one cluster of SCALE_HOST (a fleet of one); absent with SCALE_CLUSTERS_FILE, or for the embedded simulator. */
  cluster?: ClusterConfig
  /** The clusters of SCALE_CLUSTERS_FILE (none yet with Fleet Manager discovery and no file). */
  clusters?: FleetClusterConfig[]
  /** The file's rules giving credentials to clusters Fleet Manager finds. */
  credentials?: CredentialRule[]
  /** How the fleet is served: where a call without `cluster` goes, the connections kept open at once, Fleet Manager. */
  fleet: { defaultCluster?: string, maxOpen: number, manager?: FleetManagerConfig }
  /** The shared store of several replicas (STORE_URL); absent: state lives in this process. */
  store?: StoreConfig
  /** Sign-in with the organisation's identity provider (OAUTH_ISSUER); absent: bearer tokens only. */
  oauth?: OAuthSettings
  /** Settings for the embedded simulator when no cluster is configured (and the client settings used with it). */
  simulator: { vms: number, clusters: number, timeoutMs: number, maxConnections: number, bufferedBytes: number }
  /** Which API catalogue to use (SCALE_SCHEMA, or its older name SCALE_SCHEMA_FILE). */
  schema: SchemaSetting
  /** The chat model `ask` uses; absent when LLM_BASE_URL is unset (ask is then not published). */
  llm?: LlmConfig
  /** The toolsets published (TOOLSETS). */
  toolsets: Toolset[]
}

/** Reads and validates the environment; throws a ConfigError naming the first bad variable. */
export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, string> = {}
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = env[key]
    // An empty bearer token is a mistake worth stopping for; other empty variables mean "unset".
    if (value !== undefined && (value.trim() !== '' || key === 'MCP_BEARER_TOKEN')) raw[key] = EXACT.has(key) ? value : value.trim()
  }
  const converted = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw))
  const first = Value.Errors(EnvSchema, converted).First()
  if (first) {
    const variable = first.path.replace(/^\//, '') || 'environment'
    throw new ConfigError(variable, `${first.message} (got ${JSON.stringify(raw[variable] ?? '')})`)
  }
  const e = converted as Env
  if (!(LOG_LEVELS as readonly string[]).includes(e.LOG_LEVEL)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`)
  }

  const state = stateDir(env)
  const authFile = e.AUTH_FILE === undefined ? { callers: [], identities: [] } : readAuthFile(e.AUTH_FILE)
  const fileCallers = authFile.callers
  const { tokens, generated } = readTokens(e, fileCallers.length > 0)
  const callers = mergeCallers(tokenCallers(tokens), fileCallers)
  const confirmVia = e.CONFIRM_VIA as ConfirmVia
  const approves = (c: { role: Role }): boolean => c.role === 'admin' || c.role === 'approver'
  // People signed in with the identity provider count only when OAuth sign-in is on.
  const approvers = callers.some(approves) || (e.OAUTH_ISSUER !== undefined && authFile.identities.some(approves))
  if (confirmVia === 'approval' && !approvers) {
    throw new ConfigError('CONFIRM_VIA', `approval needs someone to approve: give a caller or an identities rule the role admin or approver in AUTH_FILE (roles: ${ROLES.join(', ')})`)
  }
  const confirmSecret = readConfirmSecret(e)
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    tokens,
    tokenGenerated: generated,
    callers,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
    safety: {
      mode: e.SCALE_MODE as ScaleMode,
      confirmVia,
      confirmTtlMs: e.CONFIRM_TTL_SECONDS * 1000,
      confirmKey: confirmSecret ?? randomBytes(32),
      confirmKeyGenerated: confirmSecret === undefined,
      rules: e.SCALE_POLICY_FILE === undefined ? EMPTY_RULES : readPolicyFile(e.SCALE_POLICY_FILE),
      allowSelfApproval: e.APPROVAL_ALLOW_SELF,
      auditFile: e.SCALE_AUDIT_FILE ?? join(state, 'audit.jsonl')
    },
    ...(e.PUBLIC_URL === undefined ? {} : { publicUrl: readPublicUrl(e.PUBLIC_URL) }),
    stateDir: state,
    answerMaxBytes: e.ANSWER_MAX_BYTES,
    ...(e.METRICS_PORT === undefined ? {} : { metricsPort: e.METRICS_PORT }),
    corsOrigins: (e.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    mcp: {
      ...(e.ALLOWED_HOSTS === undefined ? {} : { allowedHosts: readAllowedHosts(e.ALLOWED_HOSTS) }),
      stdioRole: e.MCP_STDIO_ROLE as Role,
      maxSessions: e.MCP_MAX_SESSIONS,
      maxSessionsPerCaller: Math.min(e.MCP_MAX_SESSIONS_PER_CALLER, e.MCP_MAX_SESSIONS),
      sessionIdleMs: e.MCP_SESSION_IDLE_MINUTES * 60_000
    },
    ...readClusters(e, env),
    fleet: { ...(e.DEFAULT_CLUSTER === undefined ? {} : { defaultCluster: e.DEFAULT_CLUSTER }), maxOpen: e.FLEET_MAX_OPEN_CLUSTERS, ...optional('manager', readFleetManager(e)) },
    simulator: { vms: e.SIMULATOR_VMS, clusters: e.SIMULATOR_CLUSTERS, timeoutMs: e.SCALE_TIMEOUT_MS, maxConnections: e.SCALE_MAX_CONNECTIONS, bufferedBytes: e.SCALE_MAX_BUFFERED_MB * 1024 * 1024 },
    schema: readSchema(e),
    llm: readLlmConfig(env),
    toolsets: readToolsets(e.TOOLSETS),
    ...optional('store', readStore(e)),
    ...optional('oauth', readOAuth(e, authFile.identities))
  }
}

function commaList (value: string | undefined): string[] {
  return (value ?? '').split(',').map((v) => v.trim()).filter(Boolean)
}

function readOAuth (e: Env, identities: IdentityRule[]): OAuthSettings | undefined {
  if (e.OAUTH_ISSUER === undefined || e.OAUTH_ISSUER.trim() === '') {
    if (identities.length > 0) throw new ConfigError('AUTH_FILE', 'has identities (for OAuth sign-in) but OAUTH_ISSUER is not set')
    return undefined
  }
  const issuer = e.OAUTH_ISSUER.trim()
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    throw new ConfigError('OAUTH_ISSUER', `is not a URL (got ${JSON.stringify(issuer)})`)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) throw new ConfigError('OAUTH_ISSUER', 'must use https:// (http:// only for a provider on this machine)')
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') throw new ConfigError('OAUTH_ISSUER', 'must be the issuer URL alone, without credentials, query or fragment')
  if (e.PUBLIC_URL === undefined) throw new ConfigError('PUBLIC_URL', 'OAuth sign-in needs the address clients reach this server at: set PUBLIC_URL (it is the token audience and the resource in /.well-known/oauth-protected-resource)')
  const publicUrl = readPublicUrl(e.PUBLIC_URL)
  const algorithms = e.OAUTH_ALGORITHMS === undefined ? [...DEFAULT_ALGORITHMS] : commaList(e.OAUTH_ALGORITHMS)
  const wrong = algorithms.find((a) => !(ALLOWED_ALGORITHMS as readonly string[]).includes(a))
  if (algorithms.length === 0 || wrong !== undefined) throw new ConfigError('OAUTH_ALGORITHMS', `${wrong === undefined ? 'names no algorithm' : `"${wrong}" is not accepted`}: use some of ${ALLOWED_ALGORITHMS.join(', ')} (never none or HS*)`)
  const audiences = e.OAUTH_AUDIENCE === undefined ? [publicUrl, `${publicUrl}/mcp`] : commaList(e.OAUTH_AUDIENCE)
  if (audiences.length === 0) throw new ConfigError('OAUTH_AUDIENCE', 'names no audience')
  const scopes = commaList(e.OAUTH_REQUIRED_SCOPES)
  if (scopes.some((sc) => !/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/.test(sc))) throw new ConfigError('OAUTH_REQUIRED_SCOPES', 'a scope is 1-128 printable characters without spaces, quotes or backslashes (RFC 6749)')
  const nameClaims = commaList(e.OAUTH_NAME_CLAIMS)
  if (nameClaims.length === 0) throw new ConfigError('OAUTH_NAME_CLAIMS', 'names no claim')
  if (e.OAUTH_CLIENT_SECRET !== undefined && e.OAUTH_CLIENT_SECRET_FILE !== undefined) throw new ConfigError('OAUTH_CLIENT_SECRET_FILE', 'set either OAUTH_CLIENT_SECRET or OAUTH_CLIENT_SECRET_FILE, not both')
  const secret = e.OAUTH_CLIENT_SECRET_FILE !== undefined ? readExactSecretFile('OAUTH_CLIENT_SECRET_FILE', e.OAUTH_CLIENT_SECRET_FILE) : e.OAUTH_CLIENT_SECRET
  if (secret !== undefined && e.OAUTH_CLIENT_ID === undefined) throw new ConfigError('OAUTH_CLIENT_ID', 'a client secret was given without the client it belongs to')
  const approvalClient = e.OAUTH_CLIENT_ID === undefined ? undefined : { id: e.OAUTH_CLIENT_ID, ...(secret === undefined ? {} : { secret }) }
  return { issuer, audiences, publicUrl, algorithms, requiredScopes: scopes, nameClaims, groupsClaim: e.OAUTH_GROUPS_CLAIM, identities, clockToleranceSeconds: e.OAUTH_CLOCK_TOLERANCE_SECONDS, ...(approvalClient === undefined ? {} : { approvalClient }) }
}

function isLoopbackHost (hostname: string): boolean {
  return /^127\./.test(hostname) || hostname === '[::1]' || hostname === 'localhost'
}

/** Where replicas keep what they share (STORE_URL, STORE_PREFIX, STORE_TIMEOUT_MS). */
export interface StoreConfig {
  url: string
  prefix: string
  timeoutMs: number
  /** The password inside the URL, to mask wherever it could show. */
  password?: string
}

function readStore (e: Env): StoreConfig | undefined {
  if (e.STORE_URL === undefined || e.STORE_URL.trim() === '') return undefined
  let url: URL
  try {
    url = new URL(e.STORE_URL.trim())
  } catch {
    // Never the value itself: it may hold a password.
    throw new ConfigError('STORE_URL', 'is not a URL; write redis://[user:password@]host:port[/db] (rediss:// for TLS)')
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError('STORE_URL', `must start with redis:// or rediss:// (got ${url.protocol}//)`)
  if (url.hostname === '') throw new ConfigError('STORE_URL', 'names no host')
  if (e.CONFIRM_SECRET === undefined && e.CONFIRM_SECRET_FILE === undefined) {
    throw new ConfigError('CONFIRM_SECRET', 'STORE_URL is for several replicas, which must sign confirm tokens with one key: set CONFIRM_SECRET (or CONFIRM_SECRET_FILE) to the same value on every replica')
  }
  const password = url.password === '' ? undefined : decodeURIComponent(url.password)
  return { url: url.href, prefix: e.STORE_PREFIX, timeoutMs: e.STORE_TIMEOUT_MS, ...(password === undefined ? {} : { password }) }
}

function optional<K extends string, V> (key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : { [key]: value } as Record<K, V>
}

function readToolsets (value: string | undefined): Toolset[] {
  if (value === undefined) return [...DEFAULT_TOOLSETS]
  try {
    return parseToolsets(value)
  } catch (err) {
    throw new ConfigError('TOOLSETS', (err as Error).message)
  }
}

/** A fresh random bearer token (32 bytes, base64url). */
export function generateToken (): string {
  return randomBytes(32).toString('base64url')
}

function readTokens (e: Env, haveFileCallers: boolean): { tokens: string[], generated: boolean } {
  if (e.MCP_BEARER_TOKEN !== undefined && e.MCP_BEARER_TOKEN_FILE !== undefined) {
    throw new ConfigError('MCP_BEARER_TOKEN_FILE', 'set either MCP_BEARER_TOKEN or MCP_BEARER_TOKEN_FILE, not both')
  }
  let variable = 'MCP_BEARER_TOKEN'
  let value = e.MCP_BEARER_TOKEN
  if (e.MCP_BEARER_TOKEN_FILE !== undefined) {
    variable = 'MCP_BEARER_TOKEN_FILE'
    value = readSecretFile(variable, e.MCP_BEARER_TOKEN_FILE).replace(/\n/g, ',')
  }
  if (value === undefined) return haveFileCallers ? { tokens: [], generated: false } : { tokens: [generateToken()], generated: true }

  const tokens = value.split(',').map((t) => t.trim())
  if (tokens.some((t) => t === '')) {
    throw new ConfigError(variable, 'holds an empty token; give one or more non-empty tokens separated by commas, or unset it to have one generated')
  }
  for (const token of tokens) {
    if (token.length < 16) throw new ConfigError(variable, 'each token must be at least 16 characters long')
    if (/\s/.test(token)) throw new ConfigError(variable, 'a token must not contain white space')
  }
  return { tokens: [...new Set(tokens)], generated: false }
}

// SCALE_CLUSTERS_FILE or the single-cluster variables (a fleet of one), never both; neither means the simulator (or,
// with FLEET_MANAGER_API_KEY, the clusters Fleet Manager lists, credentials by the file's rules).
function readClusters (e: Env, env: Record<string, string | undefined>): { cluster?: ClusterConfig, clusters?: FleetClusterConfig[], credentials?: CredentialRule[] } {
  const discovery = e.FLEET_MANAGER_API_KEY !== undefined || e.FLEET_MANAGER_API_KEY_FILE !== undefined
  if (e.SCALE_CLUSTERS_FILE !== undefined || discovery) {
    if (e.SCALE_HOST !== undefined) throw new ConfigError(discovery ? 'FLEET_MANAGER_API_KEY' : 'SCALE_CLUSTERS_FILE', 'cannot be used with SCALE_HOST: put that cluster in SCALE_CLUSTERS_FILE instead')
    const file = e.SCALE_CLUSTERS_FILE === undefined
      ? { clusters: [], credentials: [] }
      : readClustersFile(e.SCALE_CLUSTERS_FILE, {
        auth: e.SCALE_AUTH,
        timeoutMs: e.SCALE_TIMEOUT_MS,
        maxConnections: e.SCALE_MAX_CONNECTIONS,
        bufferedBytes: e.SCALE_MAX_BUFFERED_MB * 1024 * 1024,
        sessionDir: stateDir(env)
      }, env, { discovery })
    // With discovery the name may be one Fleet Manager has not listed yet; it is checked once it has.
    if (!discovery && e.DEFAULT_CLUSTER !== undefined && !file.clusters.some((c) => c.name.toLowerCase() === e.DEFAULT_CLUSTER?.toLowerCase())) {
      throw new ConfigError('DEFAULT_CLUSTER', `"${e.DEFAULT_CLUSTER}" is not a cluster of SCALE_CLUSTERS_FILE`)
    }
    return { clusters: file.clusters, credentials: file.credentials }
  }
  const cluster = readCluster(e, env)
  return cluster === undefined ? {} : { cluster }
}

// FLEET_MANAGER_API_KEY (or _FILE): the clusters come from SC//Fleet Manager, read again every refresh period.
function readFleetManager (e: Env): FleetManagerConfig | undefined {
  if (e.FLEET_MANAGER_API_KEY !== undefined && e.FLEET_MANAGER_API_KEY_FILE !== undefined) throw new ConfigError('FLEET_MANAGER_API_KEY_FILE', 'set either FLEET_MANAGER_API_KEY or FLEET_MANAGER_API_KEY_FILE, not both')
  const apiKey = e.FLEET_MANAGER_API_KEY_FILE === undefined ? e.FLEET_MANAGER_API_KEY : readSecretFile('FLEET_MANAGER_API_KEY_FILE', e.FLEET_MANAGER_API_KEY_FILE)
  if (apiKey === undefined) return undefined
  if (apiKey.trim() === '' || /\s/.test(apiKey)) throw new ConfigError('FLEET_MANAGER_API_KEY', 'must be the key as Fleet Manager shows it, without white space')
  let url: URL
  try {
    url = new URL(e.FLEET_MANAGER_URL)
  } catch {
    throw new ConfigError('FLEET_MANAGER_URL', `is not a URL (got ${JSON.stringify(e.FLEET_MANAGER_URL)})`)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && /^(127\.|\[::1\]$|localhost$)/.test(url.hostname))) throw new ConfigError('FLEET_MANAGER_URL', 'must use https:// (http:// only for a simulator on this machine)')
  if (url.username !== '' || url.password !== '') throw new ConfigError('FLEET_MANAGER_URL', 'must not contain credentials; the key goes in FLEET_MANAGER_API_KEY')
  return { url: url.origin, apiKey, refreshMs: e.FLEET_MANAGER_REFRESH_SECONDS * 1000, timeoutMs: e.SCALE_TIMEOUT_MS }
}

function readCluster (e: Env, env: Record<string, string | undefined>): ClusterConfig | undefined {
  if (e.SCALE_HOST === undefined) return undefined
  const url = normaliseClusterUrl(e.SCALE_HOST)
  if (e.SCALE_USERNAME === undefined) throw new ConfigError('SCALE_USERNAME', 'is required when SCALE_HOST is set')
  if (e.SCALE_PASSWORD !== undefined && e.SCALE_PASSWORD_FILE !== undefined) {
    throw new ConfigError('SCALE_PASSWORD_FILE', 'set either SCALE_PASSWORD or SCALE_PASSWORD_FILE, not both')
  }
  const password = e.SCALE_PASSWORD_FILE !== undefined
    ? readExactSecretFile('SCALE_PASSWORD_FILE', e.SCALE_PASSWORD_FILE)
    : e.SCALE_PASSWORD
  if (password === undefined || password === '') {
    throw new ConfigError('SCALE_PASSWORD', 'is required when SCALE_HOST is set (or use SCALE_PASSWORD_FILE)')
  }
  const pinModes = [e.SCALE_CA_FILE !== undefined, e.SCALE_TLS_FINGERPRINT !== undefined, e.SCALE_INSECURE_TLS].filter(Boolean).length
  if (pinModes > 1) {
    throw new ConfigError('SCALE_INSECURE_TLS', 'choose one of SCALE_CA_FILE, SCALE_TLS_FINGERPRINT or SCALE_INSECURE_TLS=true')
  }
  return {
    // Unnamed, a cluster of SCALE_HOST is called by its host, in the characters names allow.
    name: e.SCALE_CLUSTER_NAME ?? clusterNameFor(new URL(url).host),
    url,
    username: e.SCALE_USERNAME,
    password,
    auth: e.SCALE_AUTH,
    timeoutMs: e.SCALE_TIMEOUT_MS,
    sessionFile: e.SCALE_SESSION_FILE ?? join(stateDir(env), `session-${new URL(url).host.replace(/[^A-Za-z0-9.-]/g, '_')}.json`),
    caFile: e.SCALE_CA_FILE,
    tlsFingerprint: e.SCALE_TLS_FINGERPRINT === undefined ? undefined : e.SCALE_TLS_FINGERPRINT.split(',').map((f) => normaliseFingerprint(f.trim())).join(','),
    ...(e.SCALE_NODES === undefined ? {} : { nodes: readNodes(e.SCALE_NODES, url) }),
    insecureTls: e.SCALE_INSECURE_TLS,
    maxConnections: e.SCALE_MAX_CONNECTIONS,
    bufferedBytes: e.SCALE_MAX_BUFFERED_MB * 1024 * 1024
  }
}

// SCALE_SCHEMA is auto, bundled, or a file (`./auto` for a file named auto); SCALE_SCHEMA_FILE is its older name.
function readSchema (e: Env): SchemaSetting {
  if (e.SCALE_SCHEMA !== undefined && e.SCALE_SCHEMA_FILE !== undefined) {
    throw new ConfigError('SCALE_SCHEMA_FILE', 'is the older name of SCALE_SCHEMA; set only SCALE_SCHEMA')
  }
  if (e.SCALE_SCHEMA_FILE !== undefined) return { kind: 'file', file: e.SCALE_SCHEMA_FILE }
  const value = e.SCALE_SCHEMA ?? 'auto'
  if (value === 'auto') return { kind: 'auto' }
  if (value === 'bundled') return { kind: 'bundled' }
  return { kind: 'file', file: value }
}

function readSecretFile (variable: string, file: string): string {
  return readExactSecretFile(variable, file).trim()
}

function readConfirmSecret (e: Env): Buffer | undefined {
  if (e.CONFIRM_SECRET !== undefined && e.CONFIRM_SECRET_FILE !== undefined) {
    throw new ConfigError('CONFIRM_SECRET_FILE', 'set either CONFIRM_SECRET or CONFIRM_SECRET_FILE, not both')
  }
  const variable = e.CONFIRM_SECRET_FILE !== undefined ? 'CONFIRM_SECRET_FILE' : 'CONFIRM_SECRET'
  const secret = e.CONFIRM_SECRET_FILE !== undefined ? readExactSecretFile(variable, e.CONFIRM_SECRET_FILE) : e.CONFIRM_SECRET
  if (secret === undefined) return undefined
  if (Buffer.byteLength(secret) < 32) throw new ConfigError(variable, 'must be at least 32 characters (e.g. openssl rand -hex 32)')
  return Buffer.from(secret, 'utf8')
}

// Host names as the Host header carries them (IPv6 in brackets), lower case, ports dropped; `*` alone allows any.
function readAllowedHosts (value: string): string[] {
  const names = value.split(',').map((h) => h.trim()).filter(Boolean)
  if (names.length === 1 && names[0] === '*') return ['*']
  if (names.length === 0) throw new ConfigError('ALLOWED_HOSTS', 'lists no host name; give names separated by commas, or * for any')
  return names.map((name) => {
    // A bare IPv6 address (two or more colons) is written in brackets in a Host header.
    const bare = !name.startsWith('[') && (name.match(/:/g)?.length ?? 0) >= 2 ? `[${name}]` : name
    let url: URL | undefined
    try {
      url = new URL(`http://${bare}`)
    } catch {}
    if (url === undefined || url.pathname !== '/' || url.username !== '' || url.search !== '' || name === '*') {
      throw new ConfigError('ALLOWED_HOSTS', `${JSON.stringify(name)} is not a host name (give names like localhost or tools.example, separated by commas, or * alone)`)
    }
    return url.hostname
  })
}

function readPublicUrl (value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new ConfigError('PUBLIC_URL', `is not a URL (got ${JSON.stringify(value)})`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('PUBLIC_URL', 'must start with http:// or https://')
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') throw new ConfigError('PUBLIC_URL', 'must be an origin and optional path, without credentials, query or fragment')
  return url.href.replace(/\/+$/, '')
}

function stateDir (env: Record<string, string | undefined>): string {
  const home = nonEmpty(env.HOME) ?? homedir()
  if (process.platform === 'win32') return join(nonEmpty(env.LOCALAPPDATA) ?? join(home, 'AppData', 'Local'), 'scale-api-helper')
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'scale-api-helper')
  return join(nonEmpty(env.XDG_STATE_HOME) ?? join(home, '.local', 'state'), 'scale-api-helper')
}

/** The variables the server reads, for documentation checks. */
export const ENV_VARIABLES = [...Object.keys(EnvSchema.properties), ...LLM_ENV_VARIABLES]

function nonEmpty (value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}
