import type { FastifyInstance } from 'fastify'
import { AppError } from '../errors/app-error.js'
import { isSimulatorAccount, type Credentials } from './auth.js'
import { badRequest, type SimContext } from './context.js'
import type { FaultSettings, Faults } from './faults.js'
import { HttpError } from './http-error.js'
import type { NodeEndpoint } from './front-doors.js'
import type { LoginSessions } from './sessions.js'
import type { UpdatePhaseDurations } from './update.js'

/** A served node as the control API reports it. */
export interface ServedNode extends NodeEndpoint {
  lanIP: string
  peerID: number
}

/** The cluster-level switches the control API exposes (implemented by the running simulator). */
export interface ClusterControl {
  /** Every node the simulator serves on its own address (one entry when nodes share one address). */
  nodes: () => ServedNode[]
  /** The served node a reference (UUID, lanIP or peerID) names; 404 when none. */
  findNode: (ref: string) => ServedNode
  /** Takes a node off the network (by UUID, lanIP or peerID). */
  nodeDown: (ref: string) => Promise<ServedNode>
  /** Brings a node back. */
  nodeUp: (ref: string) => Promise<ServedNode>
  /** Starts an update, as `POST /Update/{version}/apply` does (default: the first available update). */
  startUpdate: (toVersion?: string, phasesMs?: Partial<UpdatePhaseDurations>) => void
}

/** What the control routes need. */
export interface ControlRouteOptions {
  sim: SimContext
  sessions: LoginSessions
  faults: Faults
  credentials: Credentials
  cluster: ClusterControl
}

function json (body: unknown): string {
  return JSON.stringify(body)
}

function objectBody (body: unknown, what: string): Record<string, unknown> {
  if (body === undefined || body === null) return {}
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the body must be a JSON object of ${what}`)
  return body as Record<string, unknown>
}

/** The simulator's own control API under `/__simulator` (HTTP Basic with the simulator's account): faults, sessions, nodes, updates. */
export async function controlRoutes (control: FastifyInstance, opts: ControlRouteOptions): Promise<void> {
  const { sim, sessions, faults, credentials, cluster } = opts
  control.addHook('onRequest', async function basicAuth (request) {
    if (!isSimulatorAccount(request.headers, credentials)) {
      throw new AppError('UNAUTHORIZED', 'The simulator control API needs HTTP Basic authentication with the simulator\'s credentials', {})
    }
  })
  control.addHook('onSend', async function headers (_request, reply, payload) {
    if (reply.statusCode === 401) reply.header('www-authenticate', 'Basic realm="hypercore-simulator"')
    reply.header('content-type', 'application/json; charset=utf-8')
    return payload
  })
  const updateView = (): unknown => ({ phase: sim.update.phase, toVersion: sim.update.toVersion ?? null, status: sim.update.statusDocument() ?? null })
  const describe = (): string => json({
    faults: faults.get(),
    sessions: sessions.size,
    vms: sim.state.vms.size,
    tasks: sim.tasks.pendingCount,
    update: updateView(),
    nodes: cluster.nodes()
  })

  control.get('/__simulator', async () => describe())
  control.get('/__simulator/faults', async () => json(faults.get()))
  control.post('/__simulator/faults', async (request) => {
    faults.set(objectBody(request.body, 'fault settings') as FaultSettings)
    return json(faults.get())
  })
  control.delete('/__simulator/faults', async () => {
    faults.reset()
    return json(faults.get())
  })
  control.post('/__simulator/expire-sessions', async () => {
    const expired = sessions.size
    faults.expireSessions()
    return json({ expired })
  })

  control.get('/__simulator/update', async () => json(updateView()))
  control.post('/__simulator/update', async (request) => {
    const body = objectBody(request.body, 'update settings')
    const toVersion = body.toVersion
    if (toVersion !== undefined && (typeof toVersion !== 'string' || !/^\d+\.\d+\.\d+\.\d+$/.test(toVersion))) throw badRequest('toVersion must look like 9.4.32.218410')
    cluster.startUpdate(toVersion, body.phasesMs as Partial<UpdatePhaseDurations> | undefined)
    return json(updateView())
  })
  control.post('/__simulator/update/step', async (_request, reply) => {
    if (!sim.update.running) throw new HttpError(409, 'No update is in progress')
    // The next phase may drop this very connection: answer first, then step.
    reply.raw.once('finish', () => { sim.update.step() })
    return json({ phase: sim.update.phase, next: sim.update.nextPhase })
  })

  control.get('/__simulator/nodes', async () => json(cluster.nodes()))
  control.post('/__simulator/nodes/:node/down', async (request, reply) => {
    const node = cluster.findNode((request.params as { node: string }).node)
    // The caller may be talking to this very node: answer first, then take it down.
    reply.raw.once('finish', () => { cluster.nodeDown(node.nodeUUID).catch((err: unknown) => { sim.log.error({ err }, 'simulator node down failed') }) })
    return json({ ...node, up: false })
  })
  control.post('/__simulator/nodes/:node/up', async (request) => json(await cluster.nodeUp((request.params as { node: string }).node)))
}
