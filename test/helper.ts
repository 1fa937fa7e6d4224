import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { pino, type Logger } from 'pino'
import { buildApp, type AppDeps, type BuildOptions } from '../src/app.js'
import { Catalog } from '../src/catalog/catalog.js'
import { loadConfig, type Config } from '../src/config/config.js'
import { isAppError, type AppError } from '../src/errors/app-error.js'
import { loggerOptions, type Log } from '../src/observe/logger.js'
import type { ToolContext } from '../src/gate/tool.js'
import { HyperCoreClient, type HyperCoreClientOptions } from '../src/scale/client.js'
import type { ClusterConfig } from '../src/scale/cluster-config.js'
import { guardLoopbackDials } from './loopback-guard.js'

// Every test process that loads the helpers fails the moment anything in it dials beyond 127.0.0.0/8 or ::1.
guardLoopbackDials()

/** Two tokens every test app accepts. */
export const TOKENS = ['test-token-one-0123456789', 'test-token-two-0123456789'] as const

/** The Authorization header for the first test token. */
export const auth = { authorization: `Bearer ${TOKENS[0]}` }

// One folder per test process for audit files, so no test writes to the user's state directory.
const scratch = mkdtempSync(join(tmpdir(), 'sah-test-'))
process.once('exit', () => rmSync(scratch, { recursive: true, force: true }))

/** A fresh path in this test process's scratch folder. */
export function scratchFile (name: string): string {
  return join(scratch, `${process.hrtime.bigint()}-${name}`)
}

/** A test caller of an AUTH_FILE: its name, role and token; `clear` keeps the token in the file as is, not as SHA-256. */
export interface TestCaller { name: string, role: string, token: string, clear?: boolean, clusters?: string[], tags?: string[] }

/** An AUTH_FILE naming these callers, tokens stored as SHA-256 as an operator would (or in clear where asked). */
export function authFileFor (callers: readonly TestCaller[]): string {
  const file = scratchFile('auth.yaml')
  const sha = (t: string): string => createHash('sha256').update(t).digest('hex')
  const scope = (c: TestCaller): string => [c.clusters === undefined ? '' : `, clusters: ${JSON.stringify(c.clusters)}`, c.tags === undefined ? '' : `, tags: ${JSON.stringify(c.tags)}`].join('')
  const line = (c: TestCaller): string => `  - { name: ${c.name}, role: ${c.role}, ${c.clear === true ? `token: ${c.token}` : `sha256: ${sha(c.token)}`}${scope(c)} }`
  writeFileSync(file, ['callers:', ...callers.map(line), ''].join('\n'))
  return file
}

/** The lines of a JSON-lines audit file, parsed; none while it does not exist. */
export function auditLines (file: string): Array<Record<string, any>> {
  let raw = ''
  try { raw = readFileSync(file, 'utf8') } catch {}
  return raw.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>)
}

/** A Config as the server would read it from this environment (plus test tokens, a scratch audit file and no practical rate limit). */
export function testConfig (env: Record<string, string> = {}): Config {
  return loadConfig({ MCP_BEARER_TOKEN: TOKENS.join(','), SCALE_AUDIT_FILE: scratchFile('audit.jsonl'), RATE_LIMIT_PER_MINUTE: '100000', ...env })
}

let catalog: Promise<Catalog> | undefined

/** The bundled catalog, loaded once per test process. */
export async function testCatalog (): Promise<Catalog> {
  catalog ??= Catalog.load()
  return await catalog
}

/** Builds an app for `inject`, closed when the test ends. */
export async function buildTestApp (t: TestContext, config: Config = testConfig(), deps: Partial<AppDeps> = {}, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = await buildApp(config, {
    catalog: await testCatalog(),
    clusterInfo: { mode: 'none', cluster: null },
    strictOutput: true,
    ...deps
  }, { swaggerUi: false, ...opts })
  t.after(() => app.close())
  await app.ready()
  return app
}

/**
 * The configuration of one cluster connection to a test upstream (a fake, misbehaving or simulated cluster): its
 * URL and account (admin/admin unless it says), local login, a 5 s deadline, certificates verified; `overrides` win.
 */
export function testClusterConfig (upstream: { url: string, username?: string, password?: string }, overrides: Partial<ClusterConfig> = {}): ClusterConfig {
  return { url: upstream.url, username: upstream.username ?? 'admin', password: upstream.password ?? 'admin', auth: 'local', timeoutMs: 5000, insecureTls: false, ...overrides }
}

/** A cluster connection closed when the test ends; task polls every 10, 20, then 40 ms unless `opts` say otherwise. */
export function testClient (t: TestContext, config: ClusterConfig, opts: HyperCoreClientOptions = {}): HyperCoreClient {
  const client = new HyperCoreClient(config, { taskPollDelaysMs: [10, 20, 40], ...opts })
  t.after(() => client.close())
  return client
}

/** A pino logger with the server's options (redaction included) that keeps every line, for asserting on logs. */
export function captureLogs (level = 'trace'): { logger: Logger, lines: string[], text: () => string } {
  const lines: string[] = []
  const logger = pino(loggerOptions(level), { write (line: string) { lines.push(line) } })
  return { logger, lines, text: () => lines.join('') }
}

/** What a tool handler gets when a test calls it directly, without the gate: no cluster, an empty plan. */
export async function toolContext (log: Log = { debug () {}, info () {}, warn () {}, error () {} }): Promise<ToolContext<undefined>> {
  return { log, catalog: await testCatalog(), caller: { name: 'test', role: 'operator' }, plan: { calls: [], prepared: undefined }, answerMaxBytes: 16_384 }
}

/** The AppError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection (promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    assert.ok(isAppError(err), `expected an AppError, got ${String(err)}`)
    return err
  }
  assert.fail('expected the call to fail')
}
