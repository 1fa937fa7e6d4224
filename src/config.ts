import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ConfigError } from './errors.js'
import { LOG_LEVELS } from './logger.js'

// Every variable the server reads. Optional ones are left out when unset or empty; defaults are filled in.
const EnvSchema = Type.Object({
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 5075 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  MCP_BEARER_TOKEN: Type.Optional(Type.String()),
  MCP_BEARER_TOKEN_FILE: Type.Optional(Type.String()),
  CORS_ORIGINS: Type.Optional(Type.String()),
  SCALE_HOST: Type.Optional(Type.String()),
  SCALE_USERNAME: Type.Optional(Type.String()),
  SCALE_PASSWORD: Type.Optional(Type.String()),
  SCALE_PASSWORD_FILE: Type.Optional(Type.String()),
  SCALE_AUTH: Type.Union([Type.Literal('local'), Type.Literal('oidc')], { default: 'local' }),
  SCALE_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
  SCALE_SESSION_FILE: Type.Optional(Type.String()),
  SCALE_CA_FILE: Type.Optional(Type.String()),
  // Accepts openssl's whole line (`sha256 Fingerprint=AB:CD:…`), `sha256/…`, or the bare hex with or without colons.
  SCALE_TLS_FINGERPRINT: Type.Optional(Type.String({ pattern: '^((sha256|SHA256) Fingerprint=|sha256/|SHA256/)?([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$' })),
  SCALE_INSECURE_TLS: Type.Boolean({ default: false }),
  SCALE_SCHEMA_FILE: Type.Optional(Type.String()),
  SIMULATOR_VMS: Type.Integer({ minimum: 0, maximum: 100_000, default: 12 })
})

/** The environment variables, as read and checked (for the README table and `--help`). */
export type Env = Static<typeof EnvSchema>

/** How the server reaches a real HyperCore cluster. */
export interface ClusterConfig {
  /** Origin only, e.g. `https://10.0.0.5` or `https://10.0.0.5:8443`; the client adds `/rest/v1`. */
  url: string
  username: string
  password: string
  auth: 'local' | 'oidc'
  timeoutMs: number
  /** Where the login session is kept across restarts; absent keeps it in memory only. */
  sessionFile?: string
  caFile?: string
  /** SHA-256 certificate fingerprint, upper-case hex with colons. */
  tlsFingerprint?: string
  insecureTls: boolean
}

/** The server's whole configuration, read once at start and passed down. */
export interface Config {
  host: string
  port: number
  logLevel: string
  /** Accepted bearer tokens; never empty. */
  tokens: string[]
  /** True when no token was configured and one was generated for this process. */
  tokenGenerated: boolean
  corsOrigins: string[]
  /** The cluster to call; absent means the embedded simulator is used. */
  cluster?: ClusterConfig
  /** Settings for the embedded simulator when no cluster is configured. */
  simulator: { vms: number, timeoutMs: number }
  /** An OpenAPI document to use instead of the bundled HyperCore 9.4 catalog. */
  schemaFile?: string
}

/** Reads and validates the environment; throws a ConfigError naming the first bad variable. */
export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, string> = {}
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = env[key]
    // An empty bearer token is a mistake worth stopping for; other empty variables mean "unset".
    if (value !== undefined && (value.trim() !== '' || key === 'MCP_BEARER_TOKEN')) raw[key] = value.trim()
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

  const { tokens, generated } = readTokens(e)
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    tokens,
    tokenGenerated: generated,
    corsOrigins: (e.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    cluster: readCluster(e, env),
    simulator: { vms: e.SIMULATOR_VMS, timeoutMs: e.SCALE_TIMEOUT_MS },
    schemaFile: e.SCALE_SCHEMA_FILE
  }
}

/** A fresh random bearer token (32 bytes, base64url). */
export function generateToken (): string {
  return randomBytes(32).toString('base64url')
}

function readTokens (e: Env): { tokens: string[], generated: boolean } {
  if (e.MCP_BEARER_TOKEN !== undefined && e.MCP_BEARER_TOKEN_FILE !== undefined) {
    throw new ConfigError('MCP_BEARER_TOKEN_FILE', 'set either MCP_BEARER_TOKEN or MCP_BEARER_TOKEN_FILE, not both')
  }
  let variable = 'MCP_BEARER_TOKEN'
  let value = e.MCP_BEARER_TOKEN
  if (e.MCP_BEARER_TOKEN_FILE !== undefined) {
    variable = 'MCP_BEARER_TOKEN_FILE'
    value = readSecretFile(variable, e.MCP_BEARER_TOKEN_FILE).replace(/\n/g, ',')
  }
  if (value === undefined) return { tokens: [generateToken()], generated: true }

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

function readCluster (e: Env, env: Record<string, string | undefined>): ClusterConfig | undefined {
  if (e.SCALE_HOST === undefined) return undefined
  const url = normaliseClusterUrl(e.SCALE_HOST)
  if (e.SCALE_USERNAME === undefined) throw new ConfigError('SCALE_USERNAME', 'is required when SCALE_HOST is set')
  if (e.SCALE_PASSWORD !== undefined && e.SCALE_PASSWORD_FILE !== undefined) {
    throw new ConfigError('SCALE_PASSWORD_FILE', 'set either SCALE_PASSWORD or SCALE_PASSWORD_FILE, not both')
  }
  const password = e.SCALE_PASSWORD_FILE !== undefined
    ? readSecretFile('SCALE_PASSWORD_FILE', e.SCALE_PASSWORD_FILE).replace(/\r?\n$/, '')
    : e.SCALE_PASSWORD
  if (password === undefined || password === '') {
    throw new ConfigError('SCALE_PASSWORD', 'is required when SCALE_HOST is set (or use SCALE_PASSWORD_FILE)')
  }
  const pinModes = [e.SCALE_CA_FILE !== undefined, e.SCALE_TLS_FINGERPRINT !== undefined, e.SCALE_INSECURE_TLS].filter(Boolean).length
  if (pinModes > 1) {
    throw new ConfigError('SCALE_INSECURE_TLS', 'choose one of SCALE_CA_FILE, SCALE_TLS_FINGERPRINT or SCALE_INSECURE_TLS=true')
  }
  return {
    url,
    username: e.SCALE_USERNAME,
    password,
    auth: e.SCALE_AUTH,
    timeoutMs: e.SCALE_TIMEOUT_MS,
    sessionFile: e.SCALE_SESSION_FILE ?? join(stateDir(env), `session-${new URL(url).host.replace(/[^A-Za-z0-9.-]/g, '_')}.json`),
    caFile: e.SCALE_CA_FILE,
    tlsFingerprint: e.SCALE_TLS_FINGERPRINT === undefined ? undefined : normaliseFingerprint(e.SCALE_TLS_FINGERPRINT),
    insecureTls: e.SCALE_INSECURE_TLS
  }
}

/** Turns `10.0.0.5`, `https://hc.example/rest/v1/` or `http://127.0.0.1:8080` into a bare origin. */
export function normaliseClusterUrl (value: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new ConfigError('SCALE_HOST', `is not a host name or URL (got ${JSON.stringify(value)})`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('SCALE_HOST', `must use https:// (or http:// for a local simulator), got ${url.protocol}`)
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError('SCALE_HOST', 'must not contain credentials; use SCALE_USERNAME and SCALE_PASSWORD')
  }
  const rest = url.pathname.replace(/\/+$/, '')
  if (rest !== '' && rest !== '/rest/v1') {
    throw new ConfigError('SCALE_HOST', `must be the cluster's address without a path (got path ${JSON.stringify(url.pathname)})`)
  }
  return url.origin
}

/** Upper-case, colon-separated SHA-256 fingerprint, as `openssl x509 -fingerprint -sha256` prints it. */
export function normaliseFingerprint (value: string): string {
  const hex = value.replace(/^sha256( fingerprint=|\/)/i, '').replace(/:/g, '').toUpperCase()
  return hex.match(/.{2}/g)?.join(':') ?? hex
}

function readSecretFile (variable: string, file: string): string {
  try {
    return readFileSync(file, 'utf8').trim()
  } catch (err) {
    throw new ConfigError(variable, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`)
  }
}

function stateDir (env: Record<string, string | undefined>): string {
  const home = nonEmpty(env.HOME) ?? homedir()
  if (process.platform === 'win32') return join(nonEmpty(env.LOCALAPPDATA) ?? join(home, 'AppData', 'Local'), 'scale-api-helper')
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'scale-api-helper')
  return join(nonEmpty(env.XDG_STATE_HOME) ?? join(home, '.local', 'state'), 'scale-api-helper')
}

/** The variables the server reads, for documentation checks. */
export const ENV_VARIABLES = Object.keys(EnvSchema.properties)

function nonEmpty (value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}
