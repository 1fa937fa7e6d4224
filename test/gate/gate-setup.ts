import type { TestContext } from 'node:test'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { HyperCoreClient } from '../../src/scale/client.js'
import { clusterConfigFor, type RunningSimulator } from '../../src/simulator/index.js'
import { auditLines, authFileFor, buildTestApp, captureLogs, scratchFile, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'

/** Tokens of the callers every gate test app knows, by role. */
export const TOKEN = {
  reader: 'reader-token-0123456789abcdef',
  operator: 'operator-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
  approver: 'approver-token-0123456789abcdef'
} as const

/** A caller of the gate test app, by role. */
export type Who = keyof typeof TOKEN

/** An answer of the gate test app. */
export interface Reply { statusCode: number, body: string, headers: Record<string, unknown>, json: () => any }

/** An app in front of a simulator, with callers of every role, an audit file and a clock the test moves. */
export interface GateSetup {
  sim: RunningSimulator
  app: FastifyInstance
  call: (tool: string, body: unknown, who?: Who) => Promise<Reply>
  /** Looks at (`request`), approves or rejects a pending approval as `who`. */
  approval: (id: string, verdict: 'approve' | 'reject' | 'request', who: Who) => Promise<Reply>
  /** The audit file's lines, parsed. */
  audit: () => Array<Record<string, any>>
  logs: () => string
  /** Moves the gate's clock (confirm tokens, approvals, rate limits) forward. */
  advance: (ms: number) => void
}

/** Builds the gate test app; `env` adds or overrides variables (SCALE_MODE, CONFIRM_VIA, a policy file...). */
export async function gateSetup (t: TestContext, env: Record<string, string> = {}): Promise<GateSetup> {
  const sim = await startTestSimulator(t)
  const client = new HyperCoreClient(clusterConfigFor(sim, { timeoutMs: 10_000 }), { taskPollDelaysMs: [10, 20, 50] })
  t.after(() => client.close())
  const auditFile = env.SCALE_AUDIT_FILE ?? scratchFile('audit.jsonl')
  // One caller with its token in clear, the others by SHA-256: both forms of the file are read.
  const auth = authFileFor([
    { name: 'rita', role: 'reader', token: TOKEN.reader },
    { name: 'otto', role: 'operator', token: TOKEN.operator, clear: true },
    { name: 'ada', role: 'admin', token: TOKEN.admin },
    { name: 'abe', role: 'approver', token: TOKEN.approver }
  ])
  const config = testConfig({ AUTH_FILE: auth, SCALE_AUDIT_FILE: auditFile, ...env })
  let clock = Date.parse('2026-11-25T12:00:00Z')
  const { logger, text } = captureLogs('debug')
  const app = await buildTestApp(t, config, { cluster: client, clusterInfo: { mode: 'simulator', cluster: client.host }, now: () => clock }, { logger })
  const headers = (who: Who): Record<string, string> => ({ authorization: `Bearer ${TOKEN[who]}` })
  const inject = async (opts: InjectOptions): Promise<Reply> => await app.inject(opts) as unknown as Reply
  return {
    sim,
    app,
    call: async (tool, body, who = 'operator') => await inject({ method: 'POST', url: `/${tool}`, headers: headers(who), payload: body as Record<string, unknown> }),
    approval: async (id, verdict, who) => verdict === 'request'
      ? await inject({ method: 'GET', url: `/approvals/${id}/request`, headers: headers(who) })
      : await inject({ method: 'POST', url: `/approvals/${id}/${verdict}`, headers: headers(who) }),
    audit: () => auditLines(auditFile),
    logs: text,
    advance (ms) { clock += ms }
  }
}
