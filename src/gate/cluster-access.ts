import { AppError, isAppError } from '../errors/app-error.js'
import { canonicalTarget, checkMethod, type ApiTarget, type QueryParams } from '../scale/canonical-path.js'
import type { HyperCoreClient, SessionInfo, TaskStatus } from '../scale/client.js'
import type { UpdateStatus } from '../scale/update-status.js'
import { callsDigest } from './confirm-token.js'
import type { Caller } from './identity.js'
import { createMasker, maskSecrets, type Masker, type MaskReport } from './mask.js'
import type { Policy } from './policy.js'
import type { Plan } from './plan.js'

/** A 2xx answer from the cluster, with its secrets masked. */
export interface ClusterAnswer {
  status: number
  /** Parsed JSON when the body is JSON, the text otherwise, null when empty. */
  data: unknown
  json: boolean
  /** Size of the body as received, in bytes. */
  bytes: number
  /** What was masked in `data`. */
  masked: MaskReport
  /** Host (and port) of the node that answered (another than `host` after a failover). */
  node: string
}

/** A 2xx answer to a GET whose data is not masked yet: whoever keeps part of it masks that part with `masker`. */
export interface UnmaskedAnswer extends Omit<ClusterAnswer, 'masked'> {
  /** Masks as `call` masks a whole answer (secret-named fields, URI passwords, known secrets), counting what it masked. */
  masker: Masker
}

/** Options of one cluster call. */
export interface ClusterCallOptions {
  body?: unknown
  params?: QueryParams
  /** For a GET of a slow-changing list read to label an answer: an answer this old (ms) may be reused (see RecentAnswers). */
  maxAgeMs?: number
}

/**
 * The cluster as a tool sees it: every call is checked against the approved plan (a change that was not planned is
 * refused) and every read against the policy, and every answer and every error, body and message, is masked
 * (secret-named fields, passwords in URIs, the configured password and the live session ID) before the tool sees it.
 */
export interface ClusterAccess {
  /** Host (and port) of the cluster, for display. */
  readonly host: string
  call: (method: string, target: string | ApiTarget, opts?: ClusterCallOptions) => Promise<ClusterAnswer>
  /**
   * A GET like `call`, checked the same way, whose data is handed over NOT masked, so that a tool keeping a few
   * records of a large answer masks those, not all of it. Only for code that masks what it keeps with the answer's
   * `masker` before anything else sees it (fitResult's `mask`, the record readers of src/tools/support/cluster-records.ts);
   * the gate masks URIs and known secrets in every answer string again, but not by key.
   */
  readUnmasked: (target: string | ApiTarget, opts?: Pick<ClusterCallOptions, 'params' | 'maxAgeMs'>) => Promise<UnmaskedAnswer>
  /** Follows a task until it ends or the time runs out; `onProgress` hears each poll. */
  waitForTask: (taskTag: string, timeoutMs: number, opts?: { onProgress?: (task: TaskStatus) => void }) => Promise<TaskStatus>
  /** Logs in now (only when the plan says `session: 'login'`). */
  login: () => Promise<SessionInfo>
  /** Logs out (only when the plan says `session: 'logout'`). */
  logout: () => Promise<{ note?: string }>
  session: () => Promise<SessionInfo>
  /** One cheap read proving the session works. */
  verify: () => Promise<boolean | undefined>
  /**
   * Whether the cluster is updating itself (its update status file, read without a login; cached for a few seconds).
   * Needs no plan: the file is public and holds no secrets. Never throws.
   */
  updateStatus: () => Promise<UpdateStatus>
}

/** What binds a ClusterAccess to one call through the gate. */
export interface AccessBinding {
  client: HyperCoreClient
  policy: Policy
  caller: Caller
  /** The approved plan; reads are judged when they happen, changes must be in it. */
  plan: Pick<Plan, 'calls' | 'session'>
  signal?: AbortSignal
  /** Other literals to mask besides the client's own (e.g. the LLM key). */
  extraSecrets?: () => readonly string[]
  /** Hears every change the cluster accepted, for the audit. */
  onChange?: (change: { method: string, path: string, status: number, taskTag?: string }) => void
}

/** Creates the plan-bound, masking view of the cluster for one tool call. */
export function gatedCluster (binding: AccessBinding): ClusterAccess {
  const { client, policy, caller, plan } = binding
  // Each planned change may be made as many times as it was planned, no more.
  const remaining = new Map<string, number>()
  for (const call of plan.calls) {
    if (call.method === 'GET') continue
    const key = changeKey(call.method, call.path, call.search ?? '', call.payload)
    remaining.set(key, (remaining.get(key) ?? 0) + 1)
  }
  const known = (): string[] => [...client.knownSecrets(), ...(binding.extraSecrets?.() ?? [])]
  const guarded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work()
    } catch (err) {
      throw maskError(err, known())
    }
  }
  const checkRead = (path: string): void => {
    const verdict = policy.judge(caller, { method: 'GET', path, mutating: false })
    if (verdict.kind === 'deny') throw verdict.error
  }

  const send = async (method: string, target: string | ApiTarget, opts: ClusterCallOptions): Promise<UnmaskedAnswer> => {
    const verb = checkMethod(method)
    const canonical = typeof target === 'string' ? canonicalTarget(target, opts.params) : target
    if (verb === 'GET') {
      checkRead(canonical.path)
    } else {
      const key = changeKey(verb, canonical.path, canonical.search, opts.body)
      const left = remaining.get(key) ?? 0
      if (left <= 0) {
        throw new AppError('PLAN_VIOLATION', `Refused ${verb} ${canonical.path}: the tool did not plan this change, so the policy never approved it.`)
      }
      remaining.set(key, left - 1)
    }
    return await guarded(async () => {
      const res = await client.call(verb, canonical, { body: opts.body, signal: binding.signal, ...(opts.maxAgeMs === undefined ? {} : { maxAgeMs: opts.maxAgeMs }) })
      if (verb !== 'GET') binding.onChange?.({ method: verb, path: canonical.path, status: res.status, taskTag: taskTagOf(res.data) })
      // The known secrets as they are once the answer is in: a login the call needed is among them.
      return { status: res.status, data: res.data, json: res.json, bytes: res.bytes, node: res.node, masker: createMasker({ known: known() }) }
    })
  }

  return {
    host: client.host,
    async call (method, target, opts = {}) {
      const { masker, data, ...rest } = await send(method, target, opts)
      const value = masker.value(data)
      return { ...rest, data: value, masked: masker.report }
    },
    async readUnmasked (target, opts = {}) {
      return await send('GET', target, opts)
    },
    async waitForTask (taskTag, timeoutMs, opts = {}) {
      checkRead(`/TaskTag/${taskTag}`)
      return await guarded(async () => await client.waitForTask(taskTag, timeoutMs, { ...opts, signal: binding.signal }))
    },
    async login () {
      if (plan.session !== 'login') throw new AppError('PLAN_VIOLATION', 'Refused a login the tool did not plan.')
      return await guarded(async () => await client.login())
    },
    async logout () {
      if (plan.session !== 'logout') throw new AppError('PLAN_VIOLATION', 'Refused a logout the tool did not plan.')
      return await guarded(async () => await client.logout())
    },
    async session () {
      return await client.session()
    },
    async verify () {
      checkRead('/Cluster')
      return await guarded(async () => await client.verify())
    },
    async updateStatus () {
      return await client.updateStatus()
    }
  }
}

function taskTagOf (data: unknown): string | undefined {
  const tag = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as { taskTag?: unknown }).taskTag : undefined
  return typeof tag === 'string' && tag !== '' ? tag : undefined
}

function changeKey (method: string, path: string, search: string, payload: unknown): string {
  return callsDigest([{ method, path, search, payload }])
}

/** An error with every secret masked in its message and details; anything that is not an AppError passes as is. */
export function maskError (err: unknown, known: readonly string[]): unknown {
  if (!isAppError(err)) return err
  const message = maskSecrets(err.message, { known }).value
  const details = err.details === undefined ? undefined : maskSecrets(structuredClone(err.details), { known }).value
  if (message === err.message && JSON.stringify(details) === JSON.stringify(err.details)) return err
  return new AppError(err.code, message, { status: err.statusCode, details, cause: err.cause })
}
