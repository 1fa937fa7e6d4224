import { request } from 'undici'
import { AppError } from '../errors/app-error.js'

/** How to reach SC//Fleet Manager API v2. */
export interface FleetManagerConfig {
  /** Origin, e.g. `https://api.scalecomputing.com`. */
  url: string
  apiKey: string
  /** How often the cluster list is read again. */
  refreshMs: number
  /** The deadline of one page. */
  timeoutMs: number
}

/** One cluster as Fleet Manager describes it (its ClusterDto, the fields we use). */
export interface FleetManagerCluster {
  id: string
  name: string
  version: string
  nodeCount: number
  healthState: string
  healthScore?: number
  onlineStatus: string
  vmRunning: number
  vmTotal: number
  tags: string[]
  leaderNodeLanIp: string
  updating: boolean
  lastCheckin: string
}

/** One VM as Fleet Manager describes it (its VmDto, the fields we use). */
export interface FleetManagerVm {
  id: string
  name: string
  cluster: string
  clusterId: string
  running: boolean
  nodeIp: string
  tags: string[]
  cores: number
  memoryBytes: number
}

const PAGE = 200
/** Most items read in one listing: 50 pages. */
const MAX_ITEMS = 10_000
const MAX_PAGE_BYTES = 32 * 1024 * 1024

/**
 * The read side of SC//Fleet Manager API v2: clusters and VMs across the organisation, paged 200 at a time with the
 * `api-key` header. Fleet Manager holds no HyperCore credentials and has no VM actions: it is an inventory, and its
 * data is as fresh as each cluster's last check-in.
 */
export class FleetManagerClient {
  readonly #config: FleetManagerConfig

  constructor (config: FleetManagerConfig) {
    this.#config = config
  }

  /** Every cluster of the organisation. */
  async clusters (signal?: AbortSignal): Promise<FleetManagerCluster[]> {
    return (await this.#all('/api/v2/clusters', '', signal)).items.map(readCluster)
  }

  /** VMs matching Fleet Manager's free-text query, at most `limit`, with how many matched in all. */
  async vms (query: string, limit: number, signal?: AbortSignal): Promise<{ total: number, items: FleetManagerVm[] }> {
    const { total, items } = await this.#all('/api/v2/vms', query, signal, limit)
    return { total, items: items.map(readVm) }
  }

  async #all (path: string, query: string, signal: AbortSignal | undefined, most = MAX_ITEMS): Promise<{ total: number, items: Array<Record<string, unknown>> }> {
    const items: Array<Record<string, unknown>> = []
    let total = 0
    for (let offset = 0; offset < most; offset += PAGE) {
      const page = await this.#page(path, query, offset, Math.min(PAGE, most - offset), signal)
      total = page.total
      items.push(...page.items)
      if (page.items.length === 0 || offset + page.items.length >= total) break
    }
    return { total, items: items.slice(0, most) }
  }

  async #page (path: string, query: string, offset: number, limit: number, signal: AbortSignal | undefined): Promise<{ total: number, items: Array<Record<string, unknown>> }> {
    const url = new URL(path, this.#config.url)
    url.searchParams.set('offset', String(offset))
    url.searchParams.set('limit', String(limit))
    if (query !== '') url.searchParams.set('query', query)
    let status: number
    let text: string
    try {
      const res = await request(url, {
        method: 'GET',
        headers: { 'api-key': this.#config.apiKey, accept: 'application/json' },
        headersTimeout: this.#config.timeoutMs,
        bodyTimeout: this.#config.timeoutMs,
        ...(signal === undefined ? {} : { signal })
      })
      status = res.statusCode
      const chunks: Buffer[] = []
      let bytes = 0
      for await (const chunk of res.body) {
        bytes += (chunk as Buffer).length
        if (bytes > MAX_PAGE_BYTES) {
          res.body.destroy()
          throw new AppError('FLEET_MANAGER_ERROR', `Fleet Manager sent a page of more than ${MAX_PAGE_BYTES} bytes; no more is read.`)
        }
        chunks.push(chunk as Buffer)
      }
      text = Buffer.concat(chunks).toString('utf8')
    } catch (err) {
      if (err instanceof AppError) throw err
      throw new AppError('FLEET_MANAGER_ERROR', `Fleet Manager at ${url.host} could not be reached: ${(err as { code?: string }).code ?? (err as Error).name}.`)
    }
    if (status === 401 || status === 403) throw new AppError('FLEET_MANAGER_ERROR', `Fleet Manager refused the API key (HTTP ${status}): check FLEET_MANAGER_API_KEY and its role (clusterView or vmView at least).`)
    if (status !== 200) throw new AppError('FLEET_MANAGER_ERROR', `Fleet Manager answered HTTP ${status} to ${path}.`)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new AppError('FLEET_MANAGER_ERROR', `Fleet Manager's answer to ${path} is not JSON.`)
    }
    const page = body as { meta?: { total?: unknown }, items?: unknown }
    if (!Array.isArray(page.items) || typeof page.meta?.total !== 'number') throw new AppError('FLEET_MANAGER_ERROR', `Fleet Manager's answer to ${path} is not a page ({meta, items}).`)
    return { total: page.meta.total, items: page.items.filter((i): i is Record<string, unknown> => i !== null && typeof i === 'object') }
  }
}

function str (value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''
}

function record (value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {}
}

function int (value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : 0
}

// Tags come as one comma-separated string.
function tagList (value: unknown): string[] {
  return str(value).split(',').map((t) => t.trim()).filter((t) => t !== '').slice(0, 32)
}

function readCluster (dto: Record<string, unknown>): FleetManagerCluster {
  const update = record(dto.updatesStatus)
  return {
    id: str(dto.id),
    name: str(dto.name),
    version: str(dto.version),
    nodeCount: int(dto.nodeCount),
    healthState: str(dto.healthState) || 'unknown',
    ...(typeof dto.healthScore === 'number' ? { healthScore: dto.healthScore } : {}),
    onlineStatus: str(dto.onlineStatus) || 'unknown',
    vmRunning: int(dto.vmRunning),
    vmTotal: int(dto.vmTotal),
    tags: tagList(dto.tags),
    leaderNodeLanIp: str(dto.leaderNodeLanIp),
    updating: update.isUpdating === true,
    lastCheckin: str(dto.lastCheckin)
  }
}

function readVm (dto: Record<string, unknown>): FleetManagerVm {
  const cluster = record(dto.cluster)
  return {
    id: str(dto.id),
    name: str(dto.name),
    cluster: str(cluster.name),
    clusterId: str(dto.clusterId) || str(cluster.id),
    running: dto.state === 1,
    nodeIp: str(dto.nodeIp),
    tags: tagList(dto.tags),
    cores: int(dto.cores),
    memoryBytes: int(dto.memory)
  }
}
