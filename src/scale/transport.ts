import { Agent } from 'undici'
import { AppError } from '../errors/app-error.js'
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../lib/json-limits.js'
import type { Log } from '../observe/logger.js'
import type { ClusterObserver } from '../observe/metrics.js'
import { AnswerMemory } from './answer-memory.js'
import type { ApiMethod } from './canonical-path.js'
import { AttemptFailed, nodesFailed, type Failover } from './failover.js'
import { connectTimeoutMs, MAX_RESPONSE_BYTES } from './limits.js'
import { hostOf } from './nodes.js'
import type { CallRecord } from './readiness.js'
import { buildTlsConnector, type TlsPolicy } from './tls.js'
import { mapTransportError, type CallSite } from './upstream-errors.js'

/** One answer as received and parsed. */
export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON, the text when it is not JSON, null when empty. */
  data: unknown
  json: boolean
  bytes: number
  /** Why the body cannot be the JSON it claims to be (invalid, nested too deep), or an HTML page. */
  problem?: string
  /** Host (and port) of the node that answered. */
  node: string
}

/** One HTTP exchange with the cluster, as the layers above ask for it. */
export interface Exchange {
  method: ApiMethod
  /** What goes on the wire: `/rest/v1/...` or the update status file's path. */
  upstreamPath: string
  body?: unknown
  /** Headers besides accept and content-type: the session cookie, or Basic credentials. */
  headers?: Record<string, string>
  site: CallSite
  /** Aborted when the caller goes away. */
  signal?: AbortSignal | undefined
  /** This exchange's deadline instead of SCALE_TIMEOUT_MS. */
  deadlineMs?: number | undefined
  /** False for reads beside the API, which must not count as the cluster answering (default true). */
  track?: boolean
}

/** What the transport is built from: one cluster's TLS policy and limits, and the parts it reports to. */
export interface TransportOptions {
  tls: TlsPolicy
  /** The call deadline (SCALE_TIMEOUT_MS). */
  timeoutMs: number
  /** Most sockets open to the cluster at once. */
  connections: number
  /** Answer bytes held in memory at once across calls. */
  bufferedBytes: number
  failover: Failover
  record: CallRecord
  log: Log
  observer?: ClusterObserver | undefined
}

// One request as it goes on the wire to a node.
interface WireRequest {
  method: ApiMethod
  upstreamPath: string
  headers: Record<string, string>
  payload: string | undefined
  site: CallSite
  signal: AbortSignal
}

// Why a request was aborted: its deadline passed, or the caller went away.
const DEADLINE = Symbol('deadline')
const CALLER_GONE = Symbol('caller gone')

/**
 * The wire to one cluster: a keep-alive pool per node (an undici Agent) whose connector enforces the TLS policy,
 * one deadline per exchange that covers waiting for a socket, the headers and the whole body, answers read within
 * the memory budget, and every failure mapped once to our error shape. Knows nothing of sessions or updates.
 */
export class Transport {
  readonly #opts: TransportOptions
  readonly #dispatcher: Agent
  readonly #isConnectFailure: (err: unknown) => boolean
  readonly #memory: AnswerMemory
  #closed = false

  constructor (opts: TransportOptions) {
    this.#opts = opts
    const connector = buildTlsConnector(opts.tls, connectTimeoutMs(opts.timeoutMs))
    this.#isConnectFailure = connector.isConnectFailure
    this.#dispatcher = new Agent({ connect: connector.connect, connections: opts.connections, maxResponseSize: MAX_RESPONSE_BYTES })
    this.#memory = new AnswerMemory(opts.bufferedBytes)
  }

  /** True once close() was called. */
  get closed (): boolean {
    return this.#closed
  }

  /** Where a call to `path` goes now, for error messages. */
  site (method: string, path: string): CallSite {
    return { method, path, url: this.#opts.failover.current, timeoutMs: this.#opts.timeoutMs }
  }

  /**
   * One HTTP exchange under one deadline (undici's own timeouts only measure idle gaps, so a cluster dripping one
   * byte a second would never time out). The body is read to the end or the request destroyed, so the socket goes
   * back to the pool. Under the same deadline it moves to the next node as the failover rules allow. Throws AppError.
   */
  async send (ex: Exchange): Promise<RawResponse> {
    const { method, upstreamPath, site, signal } = ex
    if (this.#closed) throw new AppError('SCALE_CLIENT_CLOSED', 'The cluster client is shutting down; try again once the server has restarted.')
    if (signal?.aborted === true) throw cancelled(site)
    const headers: Record<string, string> = { accept: 'application/json', ...ex.headers }
    let payload: string | undefined
    if (ex.body !== undefined) {
      payload = JSON.stringify(ex.body)
      headers['content-type'] = 'application/json'
    }
    const started = performance.now()
    // Linked by hand: AbortSignal.any() on Node 20 keeps a long-lived signal's listeners and leaks.
    const abort = new AbortController()
    const deadlineMs = ex.deadlineMs ?? this.#opts.timeoutMs
    const timer = setTimeout(() => abort.abort(DEADLINE), deadlineMs)
    // Reads beside the API (the update status file) say nothing about whether the API answers.
    const track = ex.track ?? true
    const onCallerGone = (): void => abort.abort(CALLER_GONE)
    signal?.addEventListener('abort', onCallerGone, { once: true })
    // GETs, login and logout are retried once on a reset: a keep-alive socket the cluster had just closed looks
    // the same, and repeating them is harmless. Other writes are not repeated: the cluster may have done them.
    const retryable = method === 'GET' || upstreamPath === '/rest/v1/login' || upstreamPath === '/rest/v1/logout'
    const { failover, log, observer, record } = this.#opts
    try {
      const request: WireRequest = { method, upstreamPath, headers, payload, site, signal: abort.signal }
      const parsed = await failover.attempt(async (origin) => await this.#exchange(origin, request), {
        retryable,
        stopped: () => this.#closed || abort.signal.aborted,
        isConnectFailure: this.#isConnectFailure
      })
      const ms = Math.round(performance.now() - started)
      log.debug({ method, path: site.path, status: parsed.status, ms, node: parsed.node }, 'cluster call')
      if (track) record.answered()
      observer?.call({ method, path: site.path, outcome: String(parsed.status), ms })
      return parsed
    } catch (failed) {
      const { cause: err, origin, failures } = failed instanceof AttemptFailed ? failed : { cause: failed, origin: failover.current, failures: [] }
      const where = { ...site, url: origin }
      const mapped = abort.signal.reason === DEADLINE
        ? timeoutError({ ...where, timeoutMs: deadlineMs })
        : abort.signal.reason === CALLER_GONE ? cancelled(where) : nodesFailed(failures, where) ?? mapTransportError(err, where)
      const ms = Math.round(performance.now() - started)
      log.warn({ method, path: site.path, code: mapped.code, ms, node: hostOf(origin) }, 'cluster call failed')
      if (track && mapped.code !== 'CANCELLED' && mapped.code !== 'SCALE_BUSY') record.failed(mapped.code)
      observer?.call({ method, path: site.path, outcome: mapped.code, ms })
      throw mapped
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onCallerGone)
    }
  }

  /** Refuses new exchanges at once (SCALE_CLIENT_CLOSED), waits for `drain`, then closes every socket. */
  async close (drain: () => Promise<void> = async () => {}): Promise<void> {
    this.#closed = true
    await drain()
    await this.#dispatcher.close()
  }

  // One request to one node, its body read whole within the answer memory, or destroyed.
  async #exchange (origin: string, req: WireRequest): Promise<RawResponse> {
    const { method, upstreamPath: path, headers, payload: body, site, signal } = req
    const res = await untilAborted(this.#dispatcher.request({ origin, path, method, headers, body, signal }), signal)
    const lease = this.#memory.lease(method === 'GET')
    try {
      // Several chunks are decoded one by one into one string (V8 joins the pieces once, when JSON.parse reads it):
      // no second copy of the whole answer as one Buffer. ignoreBOM keeps a byte-order mark, as Buffer#toString does.
      // A one-chunk answer (most) is decoded directly, which is cheaper for small bodies.
      const chunks: Buffer[] = []
      let bytes = 0
      for await (const chunk of res.body) {
        lease.take((chunk as Buffer).length, site)
        bytes += (chunk as Buffer).length
        chunks.push(chunk as Buffer)
      }
      let text = ''
      if (chunks.length === 1) {
        text = (chunks[0] as Buffer).toString('utf8')
      } else if (chunks.length > 1) {
        const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
        for (const chunk of chunks) text += decoder.decode(chunk, { stream: true })
        text += decoder.decode()
      }
      return { ...parseBody(res.statusCode, res.headers, text, bytes), node: hostOf(origin) }
    } catch (err) {
      res.body.destroy()
      throw err
    } finally {
      lease.release()
    }
  }
}

// What a body is: JSON (checked, and not nested deeper than anything HyperCore sends), text, or nothing.
function parseBody (status: number, headers: RawResponse['headers'], text: string, bytes: number): Omit<RawResponse, 'node'> {
  if (text === '') return { status, headers, data: null, json: true, bytes }
  const type = String(headers['content-type'] ?? '').toLowerCase()
  const first = text.trimStart()[0]
  if (type.includes('json') || first === '{' || first === '[') {
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch {
      if (type.includes('json')) return { status, headers, data: text, json: false, bytes, problem: 'with a body that is not valid JSON (cut short, or not JSON at all)' }
      return { status, headers, data: text, json: false, bytes }
    }
    if (nestsDeeperThan(data, MAX_JSON_DEPTH)) {
      return { status, headers, data: null, json: false, bytes, problem: `with JSON nested deeper than ${MAX_JSON_DEPTH} levels, which no HyperCore record is` }
    }
    return { status, headers, data, json: true, bytes }
  }
  if (type.includes('text/html') || /^<!doctype html|^<html/i.test(text.trimStart())) {
    return { status, headers, data: text, json: false, bytes, problem: 'with an HTML page (a proxy\'s or the web UI\'s, not the API\'s answer)' }
  }
  return { status, headers, data: text, json: false, bytes }
}

function timeoutError (site: CallSite): AppError {
  const maybe = site.method === 'GET' ? '' : ' The cluster may still carry out the change: check before repeating it.'
  return new AppError('SCALE_TIMEOUT',
    `The cluster did not answer ${site.method} ${site.path} on ${site.url} completely within ${site.timeoutMs} ms.${maybe} SCALE_TIMEOUT_MS sets the limit.`,
    { details: { cause: 'DEADLINE' } })
}

function cancelled (site: CallSite): AppError {
  return new AppError('CANCELLED', `The call ${site.method} ${site.path} was abandoned because its caller went away.`)
}

// undici only honours an abort once the request has a socket: one still waiting for a connection (a node that
// accepts TCP but never finishes the TLS handshake) would wait for the connect timeout. This ends it at the abort.
async function untilAborted<T extends { body: { destroy: () => unknown } }> (pending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    pending.then((res) => res.body.destroy(), () => {})
    throw signal.reason
  }
  return await new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      pending.then((res) => res.body.destroy(), () => {})
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    pending.then((res) => {
      signal.removeEventListener('abort', onAbort)
      resolve(res)
    }, (err: unknown) => {
      signal.removeEventListener('abort', onAbort)
      reject(err)
    })
  })
}
