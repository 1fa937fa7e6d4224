import type { TestContext } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { Fleet } from '../../src/fleet/fleet.js'
import { clusterConfigFor } from '../../src/simulator/index.js'
import type { Config } from '../../src/config/config.js'
import { authFileFor, buildTestApp, testConfig } from '../helper.js'
import { startTestSimulator } from '../simulator-helper.js'

/** Tokens of the fleet tests' callers: an admin who sees everything, and an operator and a reader who see `east` only. */
export const FLEET_TOKENS = {
  admin: 'fleet-admin-token-0123456789',
  eastOperator: 'fleet-east-operator-token-0123',
  eastReader: 'fleet-east-reader-token-012345'
}

/** The simulated fleet of the tests: store-01 and store-03 tagged east, store-02 tagged west. */
export const FLEET = [
  { name: 'store-01', tags: ['east', 'pos'], site: 'Boston' },
  { name: 'store-02', tags: ['west'], site: 'Denver' },
  { name: 'store-03', tags: ['east'], site: 'Albany' }
]

/** Three simulators as one fleet behind an app, with scoped callers from an auth file; closed when the test ends. */
export async function fleetApp (t: TestContext, env: Record<string, string> = {}, maxOpen?: number): Promise<{ app: FastifyInstance, fleet: Fleet, config: Config }> {
  const sims = await Promise.all(FLEET.map(async (_, i) => await startTestSimulator(t, { seed: 0x100 + i })))
  const fleet = new Fleet(FLEET.map((c, i) => ({ ...c, connection: { ...clusterConfigFor(sims[i] as NonNullable<typeof sims[number]>), name: c.name, timeoutMs: 5000 } })), { ...(maxOpen === undefined ? {} : { maxOpen }) })
  t.after(() => fleet.close())
  const authFile = authFileFor([
    { name: 'admin', role: 'admin', token: FLEET_TOKENS.admin },
    { name: 'east-ops', role: 'operator', token: FLEET_TOKENS.eastOperator, tags: ['east'] },
    { name: 'east-reader', role: 'reader', token: FLEET_TOKENS.eastReader, clusters: ['Store-01', 's*-03'] }
  ])
  const config = testConfig({ AUTH_FILE: authFile, ...env })
  const app = await buildTestApp(t, config, { fleet })
  return { app, fleet, config }
}

/** POSTs a tool call as one of the fleet tests' callers. */
export async function callAs (app: FastifyInstance, token: string, tool: string, body: Record<string, unknown>): Promise<{ status: number, json: any, text: string }> {
  const res = await app.inject({ method: 'POST', url: `/${tool}`, headers: { authorization: `Bearer ${token}` }, payload: body })
  return { status: res.statusCode, json: res.json(), text: res.body }
}
