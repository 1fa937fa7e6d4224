import { AppError } from '../errors/app-error.js'
import type { Exchange, RawResponse, Transport } from './transport.js'
import { apiError } from './upstream-errors.js'

/** What a cluster says about itself. */
export interface SelfDescription {
  /** `GET /Cluster` → icosVersion, e.g. 9.7.4.225310: what features are gated on. */
  icosVersion?: string
  /** The live `/rest/v1/openapi.json`, parsed. */
  spec: Record<string, unknown>
  /** On 9.7.1 and later: the `/rest/v2/openAPI.json` answer, by its number of paths (the catalogue covers /rest/v1 only). */
  v2?: { paths: number }
  /** The node that answered. */
  node: string
}

/** How self-description reaches the cluster: Basic credentials first, the session when the cluster refuses them. */
export interface DescribeParts {
  basic: (ex: Exchange) => Promise<RawResponse>
  authed: (ex: Exchange) => Promise<RawResponse>
  transport: Pick<Transport, 'site'>
}

// The only paths selfDescription reads: fixed here, never taken from a caller.
const DESCRIBING_PATHS = { cluster: '/rest/v1/Cluster', spec: '/rest/v1/openapi.json', v2: '/rest/v2/openAPI.json' } as const
const V2_SINCE = [9, 7, 1]

/** See HyperCoreClient.selfDescription: the cluster's version and live spec, everything within `deadlineMs`. */
export async function describeCluster (parts: DescribeParts, deadlineMs: number): Promise<SelfDescription> {
  const bound = new AbortController()
  const timer = setTimeout(() => { bound.abort() }, deadlineMs)
  try {
    const [cluster, spec] = await Promise.all([
      describing(parts, DESCRIBING_PATHS.cluster, deadlineMs, bound.signal),
      describing(parts, DESCRIBING_PATHS.spec, deadlineMs, bound.signal)
    ])
    const record = (Array.isArray(cluster.data) ? cluster.data[0] : cluster.data) as { icosVersion?: unknown } | undefined
    const icosVersion = typeof record?.icosVersion === 'string' && record.icosVersion !== '' ? record.icosVersion : undefined
    if (spec.data === null || typeof spec.data !== 'object' || Array.isArray(spec.data)) {
      throw new AppError('SCALE_BAD_RESPONSE', `The cluster's ${DESCRIBING_PATHS.spec} is not a JSON object.`)
    }
    let v2: SelfDescription['v2']
    if (icosVersion !== undefined && atLeast(icosVersion, V2_SINCE)) {
      const answer = await describing(parts, DESCRIBING_PATHS.v2, deadlineMs, bound.signal).catch(() => undefined)
      const paths = (answer?.data as { paths?: unknown } | undefined)?.paths
      if (paths !== null && typeof paths === 'object') v2 = { paths: Object.keys(paths).length }
    }
    return { ...(icosVersion === undefined ? {} : { icosVersion }), spec: spec.data as Record<string, unknown>, ...(v2 === undefined ? {} : { v2 }), node: spec.node }
  } catch (err) {
    if (bound.signal.aborted) throw new AppError('SCALE_TIMEOUT', `The cluster did not describe itself (${DESCRIBING_PATHS.cluster}, ${DESCRIBING_PATHS.spec}) within ${deadlineMs} ms.`, { cause: err })
    throw err
  } finally {
    clearTimeout(timer)
  }
}

async function describing (parts: DescribeParts, path: string, deadlineMs: number, signal: AbortSignal): Promise<RawResponse> {
  const site = parts.transport.site('GET', path)
  const ex: Exchange = { method: 'GET', upstreamPath: path, site, signal, deadlineMs }
  let raw = await parts.basic(ex)
  if (raw.status === 401) raw = await parts.authed(ex)
  if (raw.status < 200 || raw.status > 299) throw apiError(site, raw.status, raw.data)
  if (!raw.json || raw.problem !== undefined) throw new AppError('SCALE_BAD_RESPONSE', `The cluster answered GET ${path} ${raw.problem ?? 'with something that is not JSON'}.`)
  return raw
}

// True when a version like 9.7.4.225310 is at least `min`, part by part.
function atLeast (version: string, min: number[]): boolean {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10))
  for (const [i, want] of min.entries()) {
    const have = Number.isFinite(parts[i]) ? parts[i] as number : 0
    if (have !== want) return have > want
  }
  return true
}
