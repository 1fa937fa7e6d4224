import { Catalog, type CatalogOperation, type CatalogOrigin } from '../catalog/catalog.js'
import { isRecord } from '../catalog/schema.js'
import { AppError } from '../errors/app-error.js'
import type { Log } from '../observe/logger.js'
import type { HyperCoreClient } from './client.js'
import type { SelfDescription } from './describe.js'

/** SCALE_SCHEMA: the cluster's own spec merged with the bundled catalogue (`auto`), the bundled HyperCore 9.4 one, or an OpenAPI file. */
export type SchemaSetting = { kind: 'auto' } | { kind: 'bundled' } | { kind: 'file', file: string }

/** Where the API catalog came from and which HyperCore version it was read from (for /health and describe_endpoint). */
export interface CatalogView {
  /** bundled: the HyperCore 9.4 document shipped with us; file: SCALE_SCHEMA; cluster: the cluster's own spec merged with ours. */
  source: CatalogOrigin
  /** The cluster's icosVersion (GET /Cluster), when it was asked. */
  apiVersion?: string
  /** The document's info.version (not a HyperCore version: 9.6 and 9.7 specs both say 1.3.2). */
  specVersion: string
  operations: number
  /** Why this catalog, e.g. why SCALE_SCHEMA=auto fell back to the bundled one. */
  note?: string
}

/** What /health and describe_endpoint say about the catalog. */
export function catalogView (catalog: Catalog): CatalogView {
  return {
    source: catalog.origin,
    ...(catalog.apiVersion === undefined ? {} : { apiVersion: catalog.apiVersion }),
    specVersion: catalog.version,
    operations: catalog.operations.length,
    ...(catalog.note === undefined ? {} : { note: catalog.note })
  }
}

/** How long `auto` waits for the cluster at start, at most (the start is never held longer). */
export const LIVE_SPEC_WAIT_MS = 10_000

/**
 * The catalogue the server runs with. `auto` asks the cluster for its own spec and version (bounded by `waitMs`,
 * default the smaller of the client's deadline and 10 s) and merges the spec with the bundled catalogue; any failure
 * falls back to the bundled catalogue, logging why and keeping the reason in `catalog.note`. A file that does not
 * load stops the start (SCHEMA_FILE_INVALID), as before.
 */
export async function loadCatalog (setting: SchemaSetting, opts: { client?: HyperCoreClient, log: Log, waitMs?: number }): Promise<Catalog> {
  if (setting.kind === 'file') return await Catalog.load(setting.file)
  const bundled = await Catalog.load()
  if (setting.kind === 'bundled') return bundled
  const { client, log } = opts
  if (client === undefined) return bundled.withInfo({ note: 'No cluster is configured, so the bundled catalogue is used.' })
  const waitMs = opts.waitMs ?? LIVE_SPEC_WAIT_MS
  const started = performance.now()
  let description: SelfDescription
  try {
    description = await client.selfDescription(waitMs)
  } catch (err) {
    return bundled.withInfo({ note: unreadableSpecNote(err, log, client.host) })
  }
  return catalogFromDescription(bundled, description, { log, host: client.host, started })
}

/** Why a cluster's spec could not be read (logged, and returned as a note for the catalogue it falls back to). */
export function unreadableSpecNote (err: unknown, log: Log, host: string): string {
  // Only our code and the HTTP status: the note is shown on the public /health, and a cluster's error page is
  // not ours to repeat there (a proxy may echo request headers, credentials included).
  const status = err instanceof AppError ? (err.details as { status?: unknown } | undefined)?.status : undefined
  const why = err instanceof AppError ? `${err.code}${typeof status === 'number' ? `, HTTP ${status}` : ''}` : 'an unexpected error'
  log.warn({ cluster: host, code: err instanceof AppError ? err.code : 'error', status }, 'the cluster\'s own API spec could not be read; using the bundled HyperCore 9.4 catalogue')
  return `SCALE_SCHEMA=auto: the cluster's spec could not be read (${why}); the bundled HyperCore 9.4 catalogue is used.`
}

/**
 * The catalogue a cluster's self-description gives: its spec merged with the bundled catalogue, tagged with its
 * icosVersion. A spec that cannot be catalogued gives the bundled catalogue, with the reason in `note` (and the log).
 */
export function catalogFromDescription (bundled: Catalog, description: SelfDescription, opts: { log: Log, host: string, started?: number }): Catalog {
  const { log, host } = opts
  const source = `https://${description.node}/rest/v1/openapi.json`
  const apiVersion = description.icosVersion === undefined ? {} : { apiVersion: description.icosVersion }
  let live: Catalog
  try {
    live = liveCatalog(description.spec, source)
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err)
    log.warn({ cluster: host, problem: why.slice(0, 200) }, 'the cluster\'s own API spec is not usable; using the bundled HyperCore 9.4 catalogue')
    return bundled.withInfo({ ...apiVersion, note: `SCALE_SCHEMA=auto: the cluster's spec is not usable (${err instanceof SpecProblem ? why : 'it could not be catalogued; the log says why'}); the bundled HyperCore 9.4 catalogue is used.` })
  }
  const v2 = description.v2 === undefined ? '' : ` The cluster also serves /rest/v2 (${description.v2.paths} paths in /rest/v2/openAPI.json), which this server does not call.`
  const merged = mergeCatalogs(bundled, live, { source, ...apiVersion, note: `The cluster's own spec merged with the bundled catalogue's descriptions and search words.${v2}` })
  const clusterOnly = merged.operations.filter((op) => op.source === 'cluster').length
  const matched = merged.operations.filter((op) => op.source === 'merged').length
  log.info({ cluster: host, apiVersion: description.icosVersion, operations: merged.operations.length, matched, clusterOnly, ...(opts.started === undefined ? {} : { ms: Math.round(performance.now() - opts.started) }) }, 'using the cluster\'s own API spec, merged with the bundled catalogue')
  return merged
}

// What is wrong with a spec, in our own words (safe to show anywhere).
class SpecProblem extends Error {}

// A spec from the cluster, checked for the shape a catalogue needs; anything else throws with what is wrong.
function liveCatalog (spec: Record<string, unknown>, source: string): Catalog {
  if (typeof spec.openapi !== 'string' && typeof spec.swagger !== 'string') throw new SpecProblem('it has no "openapi" (or "swagger") version field')
  if (!isRecord(spec.paths) || Object.keys(spec.paths).length === 0) throw new SpecProblem('it has no paths')
  const catalog = Catalog.fromDocument(spec, source)
  if (catalog.operations.length === 0) throw new SpecProblem('it describes no operations')
  return catalog
}

// Operations match by method and path template, whatever their parameters are called.
function matchKey (op: Pick<CatalogOperation, 'method' | 'path'>): string {
  return `${op.method} ${op.path.replace(/\{[^}]*\}/g, '{}')}`
}

/**
 * Our catalogue with a cluster's spec merged in. Where an operation matches (same method and path template), our
 * operationId, path, summary, description, tag, example and search vocabulary (aliases, intent, field terms) stay,
 * and the cluster's request and answer schemas, content type and query parameters are taken (`source: 'merged'`).
 * Operations only the cluster describes are added as they are (`source: 'cluster'`); ours that its spec lacks stay
 * (a spec may leave out calls that work, such as login).
 */
export function mergeCatalogs (ours: Catalog, live: Catalog, facts: { source: string, apiVersion?: string, note?: string }): Catalog {
  const liveByKey = new Map(live.operations.map((op) => [matchKey(op), op]))
  const usedIds = new Set(ours.operations.map((op) => op.operationId))
  const matched = new Set<string>()
  const operations: CatalogOperation[] = ours.operations.map((op) => {
    const theirs = liveByKey.get(matchKey(op))
    if (theirs === undefined) return op
    matched.add(matchKey(op))
    return mergeOperation(op, theirs)
  })
  for (const op of live.operations) {
    if (matched.has(matchKey(op))) continue
    let operationId = op.operationId
    for (let n = 2; usedIds.has(operationId); n++) operationId = `${op.operationId}${n}`
    usedIds.add(operationId)
    operations.push({ ...op, operationId, source: 'cluster' })
  }
  return new Catalog(operations, {
    version: live.version,
    title: ours.title,
    source: facts.source,
    tags: [...ours.tags, ...live.tags.filter((t) => !ours.tags.includes(t))],
    unsupported: ours.unsupported,
    origin: 'cluster',
    ...(facts.apiVersion === undefined ? {} : { apiVersion: facts.apiVersion }),
    ...(facts.note === undefined ? {} : { note: facts.note })
  })
}

function mergeOperation (ours: CatalogOperation, theirs: CatalogOperation): CatalogOperation {
  const merged: CatalogOperation = { ...ours, source: 'merged' }
  // The cluster's schemas win where it gives them; where it gives none, ours are better than nothing.
  const contentType = theirs.requestContentType ?? ours.requestContentType
  if (contentType === undefined) delete merged.requestContentType
  else merged.requestContentType = contentType
  const requestSchema = theirs.requestSchema ?? ours.requestSchema
  if (requestSchema === undefined) delete merged.requestSchema
  else merged.requestSchema = requestSchema
  const responseSchema = theirs.responseSchema ?? ours.responseSchema
  if (responseSchema === undefined) delete merged.responseSchema
  else merged.responseSchema = responseSchema
  if (theirs.requestSchema !== undefined || theirs.responseSchema !== undefined) merged.uncertain = theirs.uncertain
  if (merged.requestExample === undefined && theirs.requestExample !== undefined) merged.requestExample = theirs.requestExample
  if (theirs.queryParams.length > 0) {
    merged.queryParams = theirs.queryParams.map((q) => {
      const mine = ours.queryParams.find((o) => o.name === q.name)
      return q.description === undefined && mine?.description !== undefined ? { ...q, description: mine.description } : q
    })
  }
  const responses: Record<string, string> = {}
  for (const [code, meaning] of Object.entries(theirs.responses)) responses[code] = ours.responses[code] !== undefined && ours.responses[code] !== '' ? ours.responses[code] : meaning
  for (const [code, meaning] of Object.entries(ours.responses)) responses[code] ??= meaning
  merged.responses = responses
  return merged
}
