import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { timingSafeEqual, createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import type { RunningSimulator } from './index.js'

/** One simulated cluster as the simulated Fleet Manager knows it. */
export interface FleetManagerCluster {
  name: string
  tags: readonly string[]
  sim: RunningSimulator
}

/** A running simulated SC//Fleet Manager API v2. */
export interface RunningFleetManager {
  /** Origin, e.g. `http://127.0.0.1:40123`; the API is under `/api/v2`. */
  url: string
  apiKey: string
  close: () => Promise<void>
}

const MAX_LIMIT = 200
const DEFAULT_LIMIT = 20

/**
 * Serves the read side of Fleet Manager API v2 over simulated clusters, live from their state: `GET /api/v2/clusters`,
 * `/api/v2/vms` and `/api/v2/conditions` with the `api-key` header (401 otherwise), `offset`/`limit` paging (limit
 * 1-200, 400 outside) answered as `{meta: {offset, limit, total}, items}`, and the free-text `query` filter. Plain HTTP
 * on loopback only; ids are stable for the life of the simulator.
 */
export async function startFleetManager (clusters: readonly FleetManagerCluster[], opts: { apiKey?: string, host?: string } = {}): Promise<RunningFleetManager> {
  const apiKey = opts.apiKey ?? 'simulated-fleet-manager-key'
  const wanted = digest(apiKey)
  const server = createServer((req, res) => {
    try {
      answer(req, res, clusters, wanted)
    } catch {
      send(res, 500, { statusCode: 500, message: 'Internal server error', error: 'Internal Server Error' })
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, opts.host ?? '127.0.0.1', resolve)
  })
  const { port, address } = server.address() as AddressInfo
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    apiKey,
    async close () {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

function digest (text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

function send (res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function answer (req: IncomingMessage, res: ServerResponse, clusters: readonly FleetManagerCluster[], wanted: Buffer): void {
  const url = new URL(req.url ?? '/', 'http://fleet-manager.invalid')
  if (url.pathname === '/health') return send(res, 200, { status: 'ok' })
  const key = req.headers['api-key']
  if (typeof key !== 'string' || !timingSafeEqual(digest(key), wanted)) return send(res, 401, { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' })
  if (req.method !== 'GET') return send(res, 404, { statusCode: 404, message: `Cannot ${req.method ?? ''} ${url.pathname}`, error: 'Not Found' })
  const offset = Number(url.searchParams.get('offset') ?? 0)
  const limit = Number(url.searchParams.get('limit') ?? DEFAULT_LIMIT)
  if (!Number.isInteger(offset) || offset < 0) return send(res, 400, { statusCode: 400, message: 'offset must not be less than 0', error: 'Bad Request' })
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return send(res, 400, { statusCode: 400, message: `limit must be between 1 and ${MAX_LIMIT}`, error: 'Bad Request' })
  const query = (url.searchParams.get('query') ?? '').trim().toLowerCase()
  let items: Array<Record<string, unknown>>
  if (url.pathname === '/api/v2/clusters') items = clusters.map(clusterDto)
  else if (url.pathname === '/api/v2/vms') items = clusters.flatMap(vmDtos)
  else if (url.pathname === '/api/v2/conditions') items = clusters.flatMap(conditionDtos)
  else return send(res, 404, { statusCode: 404, message: `Cannot GET ${url.pathname}`, error: 'Not Found' })
  // The free-text filter: any string field (or the cluster's name) containing the words.
  if (query !== '') items = items.filter((item) => JSON.stringify(item).toLowerCase().includes(query))
  send(res, 200, { meta: { offset, limit, total: items.length }, items: items.slice(offset, offset + limit) })
}

function idOf (c: FleetManagerCluster): string {
  return String(c.sim.state.cluster().uuid ?? c.name)
}

function clusterDto (c: FleetManagerCluster): Record<string, unknown> {
  const record = c.sim.state.cluster()
  const vms = [...c.sim.state.vms.values()]
  const update = c.sim.update.statusDocument() as { updateStatus?: { status?: { percent?: string } } } | undefined
  const updating = c.sim.update.phase !== 'idle'
  const nodes = [...c.sim.state.nodes.values()]
  // Off the network (powered off, or every node down) is what Fleet Manager sees as a missed check-in.
  const online = c.sim.poweredOn && c.sim.state.downNodes.size < nodes.length
  const conditions = conditionDtos(c)
  const worst = conditions.some((x) => x.severityLevel === 'CRITICAL') ? 'critical' : conditions.some((x) => x.severityLevel === 'WARNING') ? 'warning' : 'healthy'
  return {
    id: idOf(c),
    name: c.name,
    organizationId: 'simulated-organization',
    nodeCount: nodes.length,
    version: String(record.icosVersion ?? ''),
    cpuPercent: 12.5,
    memoryPercent: 41.2,
    storagePercent: 38.0,
    healthScore: worst === 'healthy' ? 100 : worst === 'warning' ? 70 : 30,
    healthState: worst,
    vmRunning: vms.filter((vm) => vm.state === 'RUNNING').length,
    vmTotal: vms.length,
    tags: c.tags.join(','),
    lastCheckin: new Date(c.sim.clock.now()).toISOString(),
    leaderNodeLanIp: String(nodes[0]?.lanIP ?? ''),
    onlineStatus: online ? 'online' : 'offline',
    updatesAvailable: false,
    updatesStatus: { isUpdating: updating, state: updating ? 'IN_PROGRESS' : 'COMPLETE', message: '', percent: Number(update?.updateStatus?.status?.percent ?? 0), toVersion: null, toBuild: null, failNotes: null }
  }
}

function vmDtos (c: FleetManagerCluster): Array<Record<string, unknown>> {
  const nodes = c.sim.state.nodes
  return [...c.sim.state.vms.values()].map((vm) => ({
    id: vm.uuid,
    name: vm.name,
    clusterId: idOf(c),
    cluster: { id: idOf(c), name: c.name, organizationId: 'simulated-organization' },
    nodeIp: String(nodes.get(vm.nodeUUID)?.lanIP ?? ''),
    nodeId: vm.nodeUUID,
    description: String(vm.description ?? ''),
    state: vm.state === 'RUNNING' ? 1 : 0,
    ips: '',
    tags: vm.tags,
    memory: vm.mem,
    cores: vm.numVCPU
  }))
}

const SEVERITY = { CRITICAL: 2, ERROR: 2, WARNING: 4, NOTICE: 5, INFO: 6 } as const

function conditionDtos (c: FleetManagerCluster): Array<Record<string, unknown>> {
  return [...c.sim.state.collection('Condition').values()].filter((x) => x.value === true).map((x) => {
    const level = String(x.severity ?? 'INFO').toUpperCase() as keyof typeof SEVERITY
    return {
      id: String(x.uuid ?? ''),
      identifier: `${String(x.name ?? '')}-${String(x.uuid ?? '')}`,
      cluster: { id: idOf(c), name: c.name, organizationId: 'simulated-organization', nodeCount: c.sim.state.nodes.size, onlineStatus: c.sim.poweredOn ? 'online' : 'offline' },
      name: String(x.name ?? ''),
      description: String(x.description ?? ''),
      value: true,
      severity: SEVERITY[level] ?? 6,
      severityLevel: level === 'ERROR' ? 'CRITICAL' : level,
      nodeLANIPs: String(x.nodeLANIP ?? '')
    }
  })
}
