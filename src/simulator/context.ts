import type { Logger } from 'pino'
import type { CatalogOperation } from '../catalog/catalog.js'
import { AppError } from '../errors/app-error.js'
import type { SimClock } from './clock.js'
import type { SimulatorState } from './state.js'
import type { TaskEngine } from './tasks.js'
import type { ClusterUpdate } from './update.js'

/** The simulator's live parts that request handlers work with. */
export interface SimContext {
  state: SimulatorState
  tasks: TaskEngine
  log: Logger
  clock: SimClock
  /** The firmware update machinery (`POST /Update/{version}/apply`, `/update/update_status.json`). */
  update: ClusterUpdate
  /** Replaces the served TLS certificate (only when serving HTTPS). */
  replaceCertificate?: (cert: string, key: string) => void
  /** Takes the whole cluster off the network, as `POST /Cluster/shutdown` does once its task ends. */
  powerOff?: () => void
}

/** A raw upload body (`application/octet-stream`): only its size is kept. */
export class UploadBody {
  readonly bytes: number
  constructor (bytes: number) {
    this.bytes = bytes
  }
}

/** One authenticated /rest/v1 call, matched to its catalogue operation. */
export interface Call {
  sim: SimContext
  operation: CatalogOperation
  /** Path parameters by the names the catalogue uses. */
  params: Record<string, string>
  query: Record<string, string | undefined>
  body: unknown
  /** The logged-in user. */
  username: string
  /** The session the call came with ('' when it used HTTP Basic instead). */
  sessionID: string
}

/** Handles one operation; returns the JSON answer (status 200, or a StatusAnswer) or throws an AppError or HttpError. */
export type Handler = (call: Call) => unknown

/** A JSON answer with a status other than 200 (e.g. the `404 []` a cluster gives for a record that does not exist). */
export class StatusAnswer {
  readonly status: number
  readonly body: unknown
  constructor (status: number, body: unknown) {
    this.status = status
    this.body = body
  }
}

/** What every asynchronous change answers. */
export interface TaskAnswer {
  taskTag: string
  createdUUID: string
}

/** The answer for a started task. */
export function taskAnswer (taskTag: string, createdUUID = ''): TaskAnswer {
  return { taskTag, createdUUID }
}

/** Unix time in whole seconds on the simulator's clock, as HyperCore timestamps are. */
export function unixNow (clock: SimClock): number {
  return Math.floor(clock.now() / 1000)
}

/** What a cluster answers to a GET of a record that does not exist: 404 with an empty list (the Ansible collection reads `[]`). */
export function missingRecord (): StatusAnswer {
  return new StatusAnswer(404, [])
}

/** The answer of a write that takes effect at once: no task to poll. */
export function doneAnswer (createdUUID = ''): TaskAnswer {
  return { taskTag: '', createdUUID }
}

/** 404 for a record that does not exist. */
export function notFound (kind: string, id: string): AppError {
  return new AppError('NOT_FOUND', `${kind} "${id}" does not exist`)
}

/** 400 for a request the cluster refuses. */
export function badRequest (message: string, details?: unknown): AppError {
  return new AppError('BAD_REQUEST', message, details === undefined ? {} : { details })
}

/** The body as an object, or a 400 when it is not one. */
export function bodyObject (body: unknown, what = 'the request body'): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`${what} must be a JSON object`)
  return body as Record<string, unknown>
}

/** A field as an object (empty when absent), or a 400 when it is something else. */
export function fieldObject (value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {}
  return bodyObject(value, what)
}

/** A string field, or undefined when absent; 400 when it has another type. */
export function optString (obj: Record<string, unknown>, key: string, prefix = ''): string | undefined {
  const value = obj[key]
  if (value === undefined) return undefined
  if (typeof value !== 'string') throw badRequest(`${prefix}${key} must be a string`)
  return value
}

/** An integer field, or undefined when absent; 400 when it has another type. */
export function optInt (obj: Record<string, unknown>, key: string, prefix = ''): number | undefined {
  const value = obj[key]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value)) throw badRequest(`${prefix}${key} must be an integer`)
  return value
}

/** A boolean field, or undefined when absent; 400 when it has another type. */
export function optBool (obj: Record<string, unknown>, key: string, prefix = ''): boolean | undefined {
  const value = obj[key]
  if (value === undefined) return undefined
  if (typeof value !== 'boolean') throw badRequest(`${prefix}${key} must be true or false`)
  return value
}
