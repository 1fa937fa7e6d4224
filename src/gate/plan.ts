import type { ApiMethod } from '../scale/canonical-path.js'

/** One cluster call a tool is about to make, in canonical form: what the policy judges and the audit records. */
export interface PlannedCall {
  method: ApiMethod
  /** Canonical path under /rest/v1, without the query string. */
  path: string
  /** `''` or `?a=b`. */
  search?: string
  /** The catalog's name for the operation, when it knows it. */
  operationId?: string
  payload?: unknown
  /** The record the call acts on, for the preview and the audit. */
  target?: { kind: string, uuid: string }
}

/** What a tool declares before it runs: the calls it will make and the session change it will make, if any. */
export interface Plan<P = unknown> {
  calls: PlannedCall[]
  /** A login or logout of the shared cluster session. */
  session?: 'login' | 'logout'
  /** Whatever the handler needs from planning (parsed input, the catalog match), so nothing is worked out twice. */
  prepared: P
}
