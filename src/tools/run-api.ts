import { Type, type Static, type TObject } from '@sinclair/typebox'
import type { CatalogMatch } from '../catalog/catalog.js'
import { validatePayload, type PayloadIssue } from '../catalog/validate.js'
import { AppError } from '../errors/app-error.js'
import { fitResult } from './support/fit-result.js'
import type { Plan } from '../gate/plan.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { followTask } from './support/task-wait.js'
import { canonicalTarget, checkMethod, type ApiMethod, type ApiTarget } from '../scale/canonical-path.js'
import { httpMethodSchema } from '../schemas.js'
import { jsonTextDepth, MAX_JSON_DEPTH } from '../lib/json-limits.js'

const METHOD_DESCRIPTION = 'HTTP method (default GET). GET reads; POST, PUT, PATCH and DELETE change the cluster.'
// Hosts time out long calls (30 s for some bridges, 60 s for the MCP SDK client): a default wait ends well before.
const DEFAULT_WAIT_SECONDS = 20
// Lists without fields are cut to this many items by default: whole records are large (a VM is about 2 KB of JSON).
const DEFAULT_LIST_ITEMS = 10
// Room kept for the answer's envelope (status, notes, warnings) inside ANSWER_MAX_BYTES.
const ENVELOPE_BYTES = 1536
const EXAMPLE = { query: '/VirDomain', fields: ['uuid', 'name', 'state'], maxItems: 5 }

const IssueSchema = Type.Object({
  path: Type.String({ description: 'Where in the payload, e.g. "dom.name" or "[0].actionType"; "" is the whole payload.' }),
  message: Type.String({ description: 'What is wrong.' }),
  expected: Type.Optional(Type.String({ description: 'The expected type, or the allowed values.' }))
})

const QUERY_TEXT = 'API path under /rest/v1, e.g. /VirDomain or /VirDomain/<uuid>; the /rest/v1 prefix and a query string are optional.'
const PARAMS_TEXT = 'Query-string parameters as name=value pairs joined by &, e.g. "includeSet=true"; added to any query string in query (and winning).'
const QUERY = Type.String({ minLength: 1, maxLength: 2048, description: QUERY_TEXT })
const PARAMS = Type.String({ maxLength: 4096, description: PARAMS_TEXT })
// Hosts also send params as an object of name: value pairs, and {} (like "") when there are none.
const PARAMS_OBJECT = Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 4096 }), Type.Number(), Type.Boolean()]), { maxProperties: 100, propertyNames: { maxLength: 256 } })
const MAX_ITEMS = Type.Integer({ minimum: 1, maximum: 10_000, description: `Keep at most this many items of a list answer. Lists default to ${DEFAULT_LIST_ITEMS} items when fields is not given.` })
const FIELDS = Type.Array(Type.String({ minLength: 1, maxLength: 256, description: 'A field name, e.g. "name".' }), { maxItems: 100, description: 'Keep only these fields of each record, e.g. ["uuid", "name", "state"]. Names are case-sensitive.' })
const WAIT_DESCRIPTION = `Seconds to follow the task a change starts until COMPLETE or ERROR (0: do not wait; true means ${DEFAULT_WAIT_SECONDS}). ` +
  'If the task is still running then, the answer says RUNNING with its taskTag: check it with GET /TaskTag/<taskTag>; never send the change again.'

const RunApiInputSchema = Type.Object({
  query: QUERY,
  method: Type.Optional(httpMethodSchema({ description: METHOD_DESCRIPTION })),
  payload: Type.Optional(Type.Unknown({ description: 'JSON body: an object, an array (VirDomain/action takes an array), or the same as JSON text.' })),
  params: Type.Optional(Type.Union([PARAMS, PARAMS_OBJECT])),
  wait: Type.Optional(Type.Union([Type.Boolean(), Type.Integer({ minimum: 0, maximum: 600 })], { description: WAIT_DESCRIPTION })),
  maxItems: Type.Optional(MAX_ITEMS),
  fields: Type.Optional(FIELDS)
}, { additionalProperties: false })

/** What hosts are shown: the same fields in the subset every host accepts (the gate also takes objects and true). */
function hostInput (methods?: readonly ApiMethod[]): TObject {
  // Long length bounds are stated in words: llama.cpp's grammar compiler refuses repetitions of 2,000 or more.
  return Type.Object({
    query: Type.String({ minLength: 1, description: `${QUERY_TEXT} At most 2,048 characters.` }),
    method: Type.Optional(httpMethodSchema({ description: METHOD_DESCRIPTION }, methods)),
    payload: Type.Optional(Type.String({ description: 'The request body as JSON text: an object, or an array for POST /VirDomain/action, e.g. [{"virDomainUUID": "<uuid>", "actionType": "START"}]. describe_endpoint gives its schema and an example.' })),
    params: Type.Optional(Type.String({ description: `${PARAMS_TEXT} At most 4,096 characters.` })),
    wait: Type.Optional(Type.Integer({ minimum: 0, maximum: 600, description: WAIT_DESCRIPTION })),
    maxItems: Type.Optional(MAX_ITEMS),
    fields: Type.Optional(FIELDS)
  }, { additionalProperties: false })
}

const RunApiOutputSchema = Type.Object({
  ok: Type.Boolean({ description: 'True when the cluster accepted the call (2xx) and, if it was waited on, its task did not end in ERROR.' }),
  status: Type.Integer({ description: 'HTTP status the cluster answered with (always 2xx: other answers are errors).' }),
  data: Type.Unknown({ description: 'The answer body: JSON when the cluster sent JSON, otherwise text; shortened as described by truncated and notes.' }),
  taskTag: Type.Optional(Type.String({ description: 'The task the call started; follow it with wait or GET /TaskTag/{taskTag}.' })),
  createdUUID: Type.Optional(Type.String({ description: 'UUID of the record the call created.' })),
  task: Type.Optional(Type.Object({
    state: Type.String({ description: 'QUEUED, RUNNING, COMPLETE, ERROR or UNINITIALIZED (UNKNOWN when the cluster had no record of it yet).' }),
    progressPercent: Type.Number({ description: 'How far the task has come, 0-100.' }),
    error: Type.Optional(Type.String({ description: 'The cluster\'s message when the task failed.' }))
  }, { description: 'Where the task stands after waiting (only with wait).' })),
  warnings: Type.Optional(Type.Array(IssueSchema, { description: 'Payload fields the catalog is unsure about or the cluster ignores; the call was still sent.' })),
  unknownEndpoint: Type.Optional(Type.Boolean({ description: 'True when the path is not in the catalog (e.g. a newer cluster version); it was called without a payload check.' })),
  notes: Type.Optional(Type.Array(Type.String(), { description: 'What was done to the input or the answer (parsed JSON string, truncation, masking).' })),
  truncated: Type.Optional(Type.Object({
    returned: Type.Integer({ description: 'Items (or characters of a text answer) shown.' }),
    total: Type.Integer({ description: 'Items (or characters) the cluster returned.' })
  }, { description: 'Set when items were left out.' }))
})

type RunApiOutput = Static<typeof RunApiOutputSchema>

function paramsOf (params: string | Record<string, string | number | boolean> | undefined): Record<string, string> {
  if (typeof params === 'object') return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, String(value)]))
  return Object.fromEntries(new URLSearchParams(params ?? ''))
}

/** What planning worked out, so the handler does not work it out again. */
interface Prepared {
  method: ApiMethod
  target: ApiTarget
  payload: unknown
  match: CatalogMatch | undefined
  warnings: PayloadIssue[]
  notes: string[]
}

// The session lifecycle belongs to generate_session/kill_session: a login answer would hand the model a live session ID.
const SESSION_PATHS = /^\/(login|logout)$/i

const DESCRIPTION = 'Makes a live call to the HyperCore REST API under /rest/v1 and returns its JSON answer; logging in is automatic. ' +
  'Find the endpoint with query_api and its payload with describe_endpoint first. ' +
  'query is the path (/VirDomain, /VirDomain/{uuid}); payload an object or array (POST /VirDomain/action takes [{"virDomainUUID": "...", "actionType": "START"}]). ' +
  'The payload is checked against the catalog first: PAYLOAD_INVALID names each wrong field and nothing is sent. ' +
  'Changes return a taskTag; wait=true follows the task (task.state, ok=false if it failed). ' +
  'Use fields (["uuid","name","state"]) and maxItems to keep answers small. ' +
  'A refused call fails with SCALE_API_ERROR and the cluster\'s own message. Never repeat a change that failed or timed out blindly: check the task or the record first.'

/** `run_api`: a live, confined call to the cluster's REST API with the session handled for the caller. */
export default defineTool({
  name: 'run_api',
  summary: 'Call the HyperCore REST API',
  description: DESCRIPTION,
  tags: ['HyperCore'],
  input: RunApiInputSchema,
  hostInput: hostInput(),
  example: EXAMPLE,
  output: RunApiOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  requiresCluster: true,
  view ({ mode, role }) {
    if (mode !== 'read-only' && role !== 'reader' && role !== 'approver') {
      return mode === 'confirm'
        ? { description: `${DESCRIPTION} Destructive calls (DELETE, STOP/SHUTDOWN/RESET..., cluster shutdown, user changes) answer CONFIRMATION_REQUIRED with a preview first.` }
        : undefined
    }
    const why = mode === 'read-only' ? 'This server is read-only (SCALE_MODE=read-only)' : 'Your role may only read'
    return { input: hostInput(['GET']), description: `${DESCRIPTION} ${why}: only GET is accepted.` }
  },
  async plan (input, ctx): Promise<Plan<Prepared>> {
    const method = checkMethod(input.method ?? 'GET')
    const target = canonicalTarget(input.query, paramsOf(input.params))
    if (SESSION_PATHS.test(target.path)) {
      throw new AppError('SESSION_ENDPOINT',
        `run_api does not call ${target.path}: use generate_session to log in and kill_session to log out. They keep the session ID to themselves; logging in is automatic anyway.`)
    }
    const notes: string[] = []
    let payload = input.payload
    if (typeof payload === 'string') {
      if (payload.trim() === '') {
        payload = undefined
      } else {
        payload = parseJsonString(payload)
        notes.push('The payload was a JSON string; it was parsed and sent as JSON.')
      }
    }
    if (payload !== undefined && (payload === null || typeof payload !== 'object')) {
      throw new AppError('PAYLOAD_INVALID', `The payload must be a JSON object or array, not ${payload === null ? 'null' : typeof payload}.`,
        { details: { errors: [{ path: '', message: 'must be an object or an array', expected: 'object | array' }] } })
    }
    const match = ctx.catalog.find(method, target.path)
    // Models often send {} or [] where no body belongs; that is not worth refusing.
    if (isEmpty(payload) && (method === 'GET' || (match !== undefined && match.operation.requestContentType === undefined))) payload = undefined
    if (payload !== undefined && method === 'GET') {
      throw new AppError('PAYLOAD_NOT_ALLOWED', 'A GET takes no payload; put filters in params or the query string, or use the method the endpoint documents (describe_endpoint).')
    }

    let warnings: PayloadIssue[] = []
    if (match === undefined) {
      notes.push(`${method} ${target.path} is not in the catalog (a newer cluster version may have it); it was sent without a payload check.`)
    } else {
      const contentType = match.operation.requestContentType
      if (contentType !== undefined && !/json/i.test(contentType)) {
        throw new AppError('UPLOAD_NOT_SUPPORTED', `${method} ${match.operation.path} takes raw bytes (${contentType}); run_api sends JSON only, so uploads cannot be made through it.`)
      }
      const check = validatePayload(match.operation, payload)
      if (check.errors.length > 0) {
        let list = check.errors.map((e) => `${e.path === '' ? '(payload)' : e.path} ${e.message}`).join('; ')
        if (check.firstOnly === true) list += ' (only the first problem is listed for a payload this large)'
        if (list.length > 1500) list = `${list.slice(0, 1500)}…`
        throw new AppError('PAYLOAD_INVALID',
          `The payload does not match ${method} ${match.operation.path}: ${list}. Call describe_endpoint {"method": "${method}", "path": "${match.operation.path}"} for the schema and an example; nothing was sent.`, { details: { errors: check.errors, warnings: check.warnings, operationId: match.operation.operationId, describe: { method, path: match.operation.path } } })
      }
      warnings = check.warnings
    }
    return {
      calls: [{
        method,
        path: target.path,
        search: target.search,
        ...(match === undefined ? {} : { operationId: match.operation.operationId }),
        ...(payload === undefined ? {} : { payload }),
        ...targetOf(target.path, match)
      }],
      prepared: { method, target, payload, match, warnings, notes }
    }
  },
  async handler (input, ctx): Promise<RunApiOutput> {
    const cluster = requireCluster(ctx)
    const { method, target, payload, match, warnings } = ctx.plan.prepared
    const notes = [...ctx.plan.prepared.notes]

    const started = performance.now()
    // A GET's list is masked only where it is kept (fitResult masks the items it returns); any other answer is masked
    // whole here, before taskTag, createdUUID or a task are read from it.
    const res = method === 'GET' ? await cluster.readUnmasked(target) : await cluster.call(method, target, { body: payload })
    const masker = 'masker' in res ? res.masker : undefined
    const lazy = masker !== undefined && Array.isArray(res.data)
    if (masker !== undefined && !lazy) res.data = masker.value(res.data)
    ctx.log.info({ method, path: target.path, status: res.status, ms: Math.round(performance.now() - started) }, 'run_api call')
    if (res.node !== cluster.host) notes.push(`Answered by cluster node ${res.node}: calls moved there when ${cluster.host} stopped answering.`)

    const result: RunApiOutput = { ok: true, status: res.status, data: null }
    const answer = res.data as { taskTag?: unknown, createdUUID?: unknown } | null
    const taskTag = answer !== null && typeof answer === 'object' && !Array.isArray(answer) && typeof answer.taskTag === 'string' && answer.taskTag !== '' ? answer.taskTag : undefined
    if (taskTag !== undefined) result.taskTag = taskTag
    if (typeof answer?.createdUUID === 'string' && answer.createdUUID !== '') result.createdUUID = answer.createdUUID

    const seconds = input.wait === true ? DEFAULT_WAIT_SECONDS : input.wait === false ? 0 : input.wait ?? 0
    if (seconds > 0) {
      if (taskTag === undefined) {
        notes.push('wait was given but the answer has no taskTag: nothing to wait for.')
      } else {
        const followed = await followTask(cluster, res.data, { progress: ctx.progress, seconds, checkWith: (tag) => `run_api GET /TaskTag/${tag}` })
        if (followed.task !== undefined) result.task = followed.task
        if (!followed.ok) result.ok = false
        notes.push(...followed.notes)
      }
    }

    const listDefault = method === 'GET' && input.maxItems === undefined && (input.fields === undefined || input.fields.length === 0) && Array.isArray(res.data) && res.data.length > DEFAULT_LIST_ITEMS
    const fitted = fitResult(res.data, {
      maxItems: listDefault ? DEFAULT_LIST_ITEMS : input.maxItems,
      fields: input.fields,
      maxBytes: Math.max(1024, ctx.answerMaxBytes - ENVELOPE_BYTES),
      receivedBytes: res.bytes,
      ...(lazy ? { masker } : {})
    })
    // What was masked in what is returned: of a list, in the items kept.
    const report = fitted.masked ?? masker?.report ?? ('masked' in res ? res.masked : undefined)
    const masked = (report?.secretFields ?? 0) + (report?.knownSecrets ?? 0)
    if (masked > 0) notes.push(`${masked} secret value(s) in the answer (passwords, session IDs, tokens) were replaced by [redacted].`)
    if ((report?.uriPasswords ?? 0) > 0) notes.push(`${report?.uriPasswords ?? 0} password(s) inside URIs in the answer were replaced by ***.`)
    result.data = fitted.data
    if (fitted.truncated !== undefined) result.truncated = fitted.truncated
    notes.push(...fitted.notes)
    if (listDefault && fitted.truncated !== undefined) {
      notes.push(`Lists show ${DEFAULT_LIST_ITEMS} whole records unless asked: pass fields (e.g. ["uuid","name","state"]) to see more of them, or maxItems.`)
    }
    if (warnings.length > 0) result.warnings = warnings
    if (match === undefined) result.unknownEndpoint = true
    if (notes.length > 0) result.notes = notes
    return result
  }
})

// The record a call acts on, for the preview and the audit: the {uuid} of a catalogued path.
function targetOf (path: string, match: CatalogMatch | undefined): { target?: { kind: string, uuid: string } } {
  const uuid = match === undefined ? undefined : Object.values(match.params)[0]
  const kind = path.split('/')[1]
  return uuid === undefined || kind === undefined ? {} : { target: { kind, uuid } }
}

function isEmpty (payload: unknown): boolean {
  return payload !== null && typeof payload === 'object' && Object.keys(payload).length === 0
}

function parseJsonString (text: string): unknown {
  // The payload sits two levels into the input: as text it gets the same depth bound it would have as an object.
  if (jsonTextDepth(text, MAX_JSON_DEPTH) + 1 > MAX_JSON_DEPTH) {
    throw new AppError('PAYLOAD_TOO_DEEP', `Invalid input for run_api: the payload's JSON is nested more than ${MAX_JSON_DEPTH - 1} levels deep. No HyperCore request needs that; send a flatter value.`)
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new AppError('PAYLOAD_INVALID',
      `The payload is a string but not valid JSON (${(err as Error).message}). Send the payload as a JSON object or array, or as a string holding valid JSON.`, { details: { errors: [{ path: '', message: 'is a string that is not valid JSON', expected: 'object | array' }] } })
  }
}
