import type { TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { Fleet } from '../../src/fleet/fleet.js'
import { HyperCoreClient } from '../../src/scale/client.js'
import { clusterConfigFor, ManualClock, type RunningSimulator, type SimulatorOptions, type VmRecord } from '../../src/simulator/index.js'
import { auditLines, authFileFor, buildTestApp, captureLogs, scratchFile, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'
import { simulatedName } from '../../src/simulator/fleet.js'

/** Tokens of the callers every typed-tool test app knows, by role. */
export const TOKEN = {
  reader: 'tools-reader-token-0123456789abcdef',
  operator: 'tools-operator-token-0123456789abcdef',
  admin: 'tools-admin-token-0123456789abcdef',
  approver: 'tools-approver-token-0123456789abcdef'
} as const

/** A caller of the test app, by role. */
export type Who = keyof typeof TOKEN

/** An answer of the test app. */
export interface Reply { statusCode: number, body: string, json: () => any }

/** An app with typed tools in front of a simulator whose clock only moves while a tool waits. */
export interface ToolSetup {
  sim: RunningSimulator
  clock: ManualClock
  app: FastifyInstance
  call: (tool: string, body: unknown, who?: Who) => Promise<Reply>
  /** Calls a tool that must answer 200 and returns its JSON. */
  ok: (tool: string, body: unknown, who?: Who) => Promise<any>
  /** The simulated VM of that name. */
  vm: (name: string) => VmRecord
  /** The audit file's lines, parsed. */
  audit: () => Array<Record<string, any>>
  logs: () => string
}

/** Options of toolSetup. */
export interface ToolSetupOptions {
  /** SCALE_MODE (default full). */
  mode?: 'read-only' | 'confirm' | 'full'
  env?: Record<string, string>
  sim?: SimulatorOptions
  /** A fleet of this many clusters: store-01 is the simulator above, the others simulators of their own. */
  fleet?: number
}

// store-01 (the given client), store-02, ...: tagged east and west in turn.
async function testFleet (t: TestContext, first: HyperCoreClient, size: number): Promise<Fleet> {
  const others = await Promise.all(Array.from({ length: size - 1 }, async (_, i) => await startTestSimulator(t, { tls: false, seed: 0x500 + i })))
  const name = (i: number): string => simulatedName(i, size)
  const fleet = new Fleet([
    { name: name(0), tags: ['east'], client: first },
    ...others.map((sim, i) => ({ name: name(i + 1), tags: [i % 2 === 0 ? 'west' : 'east'], connection: { ...clusterConfigFor(sim, { timeoutMs: 10_000 }), name: name(i + 1) } }))
  ])
  t.after(() => fleet.close())
  return fleet
}

function authFile (): string {
  return authFileFor(Object.entries(TOKEN).map(([role, token]) => ({ name: `${role}-caller`, role, token })))
}

/**
 * Builds the app against a simulator on a ManualClock (tasks take 3 s of it by default). The client's task waits
 * sleep by moving that clock, so a wait of 20 s takes no real time and a task ends exactly when its time has come.
 */
export async function toolSetup (t: TestContext, opts: ToolSetupOptions = {}): Promise<ToolSetup> {
  const clock = new ManualClock(Date.parse('2026-11-25T12:00:00Z'))
  const sim = await startTestSimulator(t, { tls: false, clock, taskDurationMs: 3000, ...opts.sim })
  const client = new HyperCoreClient(clusterConfigFor(sim, { timeoutMs: 10_000 }), {
    clock: { now: () => clock.now(), sleep: async (ms) => { clock.advance(ms) } }
  })
  t.after(() => client.close())
  const auditFile = scratchFile('tools-audit.jsonl')
  const { logger, text } = captureLogs('trace')
  const config = testConfig({ AUTH_FILE: authFile(), SCALE_AUDIT_FILE: auditFile, SCALE_MODE: opts.mode ?? 'full', ...opts.env })
  const fleet = opts.fleet === undefined ? undefined : await testFleet(t, client, opts.fleet)
  const app = await buildTestApp(t, config, { ...(fleet === undefined ? { cluster: client } : { fleet }), clusterInfo: { mode: 'simulator', cluster: client.host } }, { logger })
  const call = async (tool: string, body: unknown, who: Who = 'operator'): Promise<Reply> =>
    await app.inject({ method: 'POST', url: `/${tool}`, headers: { authorization: `Bearer ${TOKEN[who]}` }, payload: body as Record<string, unknown> }) as unknown as Reply
  return {
    sim,
    clock,
    app,
    call,
    async ok (tool, body, who) {
      const res = await call(tool, body, who)
      if (res.statusCode !== 200) throw new Error(`${tool} answered ${res.statusCode}: ${res.body}`)
      return res.json()
    },
    vm (name) {
      const found = [...sim.state.vms.values()].find((v) => v.name === name)
      if (found === undefined) throw new Error(`the simulator has no VM named ${name}`)
      return found
    },
    audit: () => auditLines(auditFile),
    logs: text
  }
}
