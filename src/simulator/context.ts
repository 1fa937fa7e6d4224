import type { Logger } from 'pino'
import type { CatalogOperation } from '../catalog/catalog.js'
import { AppError } from '../errors.js'
import type { SimulatorState } from './state.js'
import type { TaskEngine } from './tasks.js'

/** The simulator's live parts that request handlers work with. */
export interface SimContext {
  state: SimulatorState
  tasks: TaskEngine
  log: Logger
  /** Replaces the served TLS certificate (only when serving HTTPS). */
  replaceCertificate?: (cert: string, key: string) => void
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
}

/** Handles one operation; returns the JSON answer (status 200) or throws an AppError. */
export type Handler = (call: Call) => unknown

/** What every asynchronous change answers. */
export interface TaskAnswer {
  taskTag: string
  createdUUID: string
}

/** The answer for a started task. */
export function taskAnswer (taskTag: string, createdUUID = ''): TaskAnswer {
  return { taskTag, createdUUID }
}

/** Unix time in whole seconds, as HyperCore timestamps are. */
export function unixNow (): number {
  return Math.floor(Date.now() / 1000)
}

/** 404 for a record that does not exist. */
export function notFound (kind: string, id: string): AppError {
  return new AppError('NOT_FOUND', `${kind} "${id}" does not exist`, 404)
}

/** 400 for a request the cluster refuses. */
export function badRequest (message: string, details?: unknown): AppError {
  return new AppError('BAD_REQUEST', message, 400, details === undefined ? {} : { details })
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
