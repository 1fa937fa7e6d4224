/**
 * What a team's server pays per call (issue 22), in one run: checking an OAuth access token (JWT) next to a static
 * bearer token, and the shared store (STORE_URL) for a confirmation and an approval next to the in-memory store.
 * The identity provider is a small local one (jose signs, a loopback server publishes its metadata and JWKS), so the
 * figures are ours, not a provider's. For the store, A real redis-server on loopback and an in-process simulator; two apps alike but for their store, taking
 * turns round by round (A B B A ...), so the machine's load hits both. Figures are medians through `app.inject`:
 * - a confirmation: the destructive call that answers with a token, then the call with it (2 calls);
 * - an approval: the ask, the approver's decision, then the call with the token (3 calls);
 * - one single-use record (`useOnce`), the store alone.
 * - a tool call with a static token, with a JWT the server has verified before (its verified-token cache), and the
 *   first use of a new JWT (a signature check with the keys already cached).
 * Run: `npm run bench -- team` (`--quick` for fewer rounds). The store part is skipped, saying so, without redis-server.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { once } from 'node:events'
import { createServer } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { buildApp } from '../src/app.js'
import { Catalog } from '../src/catalog/catalog.js'
import { loadConfig } from '../src/config/config.js'
import { RedisGateStore } from '../src/gate/redis-store.js'
import { MemoryGateStore, type GateStore } from '../src/gate/store.js'
import { HyperCoreClient } from '../src/scale/client.js'
import { clusterConfigFor, startSimulator } from '../src/simulator/index.js'
import { freePort, median, startProcess, stopProcess } from './lib.js'

const OPERATOR = 'bench-store-operator-0123456789'
const APPROVER = 'bench-store-approver-0123456789'

interface Way {
  name: string
  store: GateStore
  token: FastifyInstance
  approval: FastifyInstance
}

/** Runs the team benchmark (access tokens, then the shared store) and prints its figures. */
export async function main (argv: string[] = []): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { quick: { type: 'boolean', default: false } }, strict: false })
  const rounds = values.quick === true ? 4 : 10
  const perRound = values.quick === true ? 25 : 50
  await tokenBench(rounds, perRound)
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) {
    process.stdout.write('redis-server is not installed (apt-get install redis-server): the shared store part is skipped\n')
    return
  }
  await storeBench(rounds, perRound)
}

// A static token against a JWT, through the same app and tool (query_api: no cluster, no audit).
async function tokenBench (rounds: number, perRound: number): Promise<void> {
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  const jwk = { ...await exportJWK(publicKey), kid: 'bench-key', alg: 'RS256', use: 'sig' }
  const idp = createServer((req, res) => {
    const body = req.url === '/.well-known/openid-configuration' ? { issuer, jwks_uri: `${issuer}/jwks` } : req.url === '/jwks' ? { keys: [jwk] } : undefined
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}))
  })
  idp.listen(0, '127.0.0.1')
  await once(idp, 'listening')
  const issuer = `http://127.0.0.1:${(idp.address() as { port: number }).port}`
  const publicUrl = 'http://127.0.0.1:5075'
  const dir = mkdtempSync(join(tmpdir(), 'sah-token-bench-'))
  const authFile = join(dir, 'auth.yaml')
  writeFileSync(authFile, `callers:\n  - { name: olga, role: operator, token: ${OPERATOR} }\nidentities:\n  - { group: ops, role: operator }\n`)
  const config = loadConfig({ AUTH_FILE: authFile, OAUTH_ISSUER: issuer, PUBLIC_URL: publicUrl, SCALE_AUDIT_FILE: join(dir, 'audit.jsonl'), RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'silent' })
  const app = await buildApp(config, { catalog: await Catalog.load(), clusterInfo: { mode: 'none', cluster: null } }, { logger: pino({ level: 'silent' }), swaggerUi: false })
  await app.ready()
  const mint = async (n: number): Promise<string> => await new SignJWT({ email: `person-${n}@corp.example`, groups: ['ops'], scope: 'scale' })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench-key' }).setIssuer(issuer).setAudience(publicUrl).setSubject(`person-${n}`).setIssuedAt().setExpirationTime('10m').sign(privateKey)
  const total = rounds * perRound
  const fresh = await Promise.all(Array.from({ length: total + 10 }, async (_, i) => await mint(i)))
  const again = fresh[total] as string
  let used = 0
  const call = async (token: string): Promise<void> => {
    const res = await app.inject({ method: 'POST', url: '/query_api', headers: { authorization: `Bearer ${token}` }, payload: { query: 'stop a VM', limit: 1 } })
    if (res.statusCode !== 200) throw new Error(`query_api answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
  }
  const ways: Array<[string, () => Promise<void>]> = [
    ['static token', async () => { await call(OPERATOR) }],
    ['JWT, verified before', async () => { await call(again) }],
    ['JWT, first use', async () => { await call(fresh[used++ % total] as string) }]
  ]
  try {
    for (const [, run] of ways) for (let i = 0; i < 5; i++) await run()
    used = 0
    const times = new Map<string, number[]>()
    for (let round = 0; round < rounds; round++) {
      for (const [name, run] of round % 2 === 0 ? ways : [...ways].reverse()) {
        for (let i = 0; i < perRound; i++) {
          const started = performance.now()
          await run()
          times.set(name, [...(times.get(name) ?? []), performance.now() - started])
        }
      }
    }
    const base = median(times.get('static token') ?? [])
    process.stdout.write(`Access tokens: query_api through app.inject, ${rounds} rounds x ${perRound}, medians (RS256, keys cached)\n`)
    for (const [name] of ways) {
      const m = median(times.get(name) ?? [])
      process.stdout.write(`  ${name.padEnd(24)} ${fmt(m)}  ratio ${(m / base).toFixed(2)}x  (+${fmt(Math.max(0, m - base))})\n`)
    }
  } finally {
    await app.close()
    idp.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

// The in-memory store against a real redis-server, for a confirmation, an approval and one single-use record.
async function storeBench (rounds: number, perRound: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sah-store-bench-'))
  const port = await freePort()
  const redis = await startProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { ready: /Ready to accept connections/ })
  const sim = await startSimulator({ vms: 12, taskDurationMs: 0 })
  const client = new HyperCoreClient(clusterConfigFor(sim, { timeoutMs: 10_000 }))
  const catalog = await Catalog.load()
  const silent = pino({ level: 'silent' })
  const sha = (t: string): string => createHash('sha256').update(t).digest('hex')
  const authFile = join(dir, 'auth.yaml')
  writeFileSync(authFile, `callers:\n  - { name: olga, role: operator, sha256: ${sha(OPERATOR)} }\n  - { name: abe, role: approver, sha256: ${sha(APPROVER)} }\n`)
  const apps: FastifyInstance[] = []
  const app = async (store: GateStore, via: 'token' | 'approval'): Promise<FastifyInstance> => {
    const config = loadConfig({ AUTH_FILE: authFile, CONFIRM_VIA: via, CONFIRM_SECRET: 'bench-store-secret-0123456789abcdef', SCALE_AUDIT_FILE: join(dir, `audit-${apps.length}.jsonl`), RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'silent' })
    const built = await buildApp(config, { catalog, cluster: client, store, clusterInfo: { mode: 'simulator', cluster: client.host } }, { logger: silent, swaggerUi: false })
    await built.ready()
    apps.push(built)
    return built
  }
  const shared = new RedisGateStore({ url: `redis://127.0.0.1:${port}`, prefix: 'bench:', commandTimeoutMs: 1000, log: silent })
  await shared.ready(5000)
  const memory = new MemoryGateStore()
  const ways: Way[] = [
    { name: 'memory', store: memory, token: await app(memory, 'token'), approval: await app(memory, 'approval') },
    { name: 'redis', store: shared, token: await app(shared, 'token'), approval: await app(shared, 'approval') }
  ]
  try {
    const vm = [...sim.state.vms.values()][0]?.uuid ?? ''
    const body = { query: '/VirDomain/action', method: 'POST', payload: [{ virDomainUUID: vm, actionType: 'STOP' }] }
    const post = async (target: FastifyInstance, url: string, token: string, payload: Record<string, unknown>): Promise<any> => {
      const res = await target.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload })
      return res.json()
    }
    const confirmation = async (way: Way): Promise<void> => {
      const asked = await post(way.token, '/run_api', OPERATOR, body)
      const ran = await post(way.token, '/run_api', OPERATOR, { ...body, confirm: asked.details.confirmToken })
      if (ran.ok !== true) throw new Error(`confirmation failed: ${JSON.stringify(ran).slice(0, 300)}`)
    }
    const approval = async (way: Way): Promise<void> => {
      const asked = await post(way.approval, '/run_api', OPERATOR, body)
      const id = new URL(asked.details.approveUrl as string, 'http://x').pathname.split('/').at(-1) ?? ''
      await post(way.approval, `/approvals/${id}/approve`, APPROVER, {})
      const ran = await post(way.approval, '/run_api', OPERATOR, { ...body, confirm: asked.details.confirmToken })
      if (ran.ok !== true) throw new Error(`approval failed: ${JSON.stringify(ran).slice(0, 300)}`)
    }
    let n = 0
    const useOnce = async (way: Way): Promise<void> => { await way.store.useOnce(`bench-once-${way.name}-${n++}`, 60_000) }
    const measures = [['confirmation (2 calls)', confirmation], ['approval (3 calls)', approval], ['useOnce (store alone)', useOnce]] as const
    const times = new Map<string, number[]>()
    for (const [what, run] of measures) {
      for (const way of ways) for (let i = 0; i < 5; i++) await run(way)
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? ways : [...ways].reverse()
        for (const way of order) {
          for (let i = 0; i < perRound; i++) {
            const started = performance.now()
            await run(way)
            const key = `${what}|${way.name}`
            const list = times.get(key) ?? []
            list.push(performance.now() - started)
            times.set(key, list)
          }
        }
      }
    }
    process.stdout.write(`Shared store: redis-server ${String(spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).stdout).split(' ')[2]?.replace('v=', '') ?? ''} on loopback, ${rounds} rounds x ${perRound}, medians\n`)
    for (const [what] of measures) {
      const mem = median(times.get(`${what}|memory`) ?? [])
      const red = median(times.get(`${what}|redis`) ?? [])
      process.stdout.write(`  ${what.padEnd(24)} memory ${fmt(mem)}  redis ${fmt(red)}  ratio ${(red / mem).toFixed(2)}x  (+${fmt(red - mem)})\n`)
    }
  } finally {
    await Promise.all(apps.map(async (a) => { await a.close() }))
    await shared.close()
    await client.close()
    await sim.close()
    await stopProcess(redis.child)
    rmSync(dir, { recursive: true, force: true })
  }
}

function fmt (ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`
}
