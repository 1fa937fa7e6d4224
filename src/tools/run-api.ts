import { Type, type Static } from '@sinclair/typebox'
import { validatePayload } from '../catalog/validate.js'
import { AppError } from '../errors.js'
import { checkMethod, confinePath } from '../scale/confine.js'
import { DEFAULT_MAX_BYTES, fitResult } from '../scale/fit-result.js'
import { maskSecrets, maskUriPasswords } from '../scale/mask-secrets.js'
import { httpMethodSchema } from '../schemas.js'
import { defineTool, requireCluster } from './registry.js'

const MethodSchema = httpMethodSchema({
  description: 'HTTP method. GET reads; POST, PUT, PATCH and DELETE change the cluster.',
  default: 'GET'
})

const IssueSchema = Type.Object({
  path: Type.String({ description: 'Where in the payload, e.g. "dom.name" or "[0].actionType"; "" is the whole payload.' }),
  message: Type.String(),
  expected: Type.Optional(Type.String({ description: 'The expected type, or the allowed values.' }))
})

const RunApiInputSchema = Type.Object({
  query: Type.String({ minLength: 1, maxLength: 2048, description: 'API path under /rest/v1, e.g. /VirDomain or /VirDomain/{uuid}; the /rest/v1 prefix and a query string are optional.' }),
  method: Type.Optional(MethodSchema),
  payload: Type.Optional(Type.Unknown({ description: 'JSON body: an object, an array (VirDomain/action takes an array), or the same as a JSON string.' })),
  params: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), { description: 'Query-string parameters, e.g. {"includeSet": true}.' })),
  wait: Type.Optional(Type.Union([Type.Boolean(), Type.Integer({ minimum: 1, maximum: 600 })], { description: 'Follow a returned taskTag until it is COMPLETE or ERROR: true waits up to 60 s, a number sets the seconds.' })),
  maxItems: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'Keep at most this many items of an array answer.' })),
  fields: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 100, description: 'Keep only these fields of each record, e.g. ["uuid", "name", "state"].' }))
}, { additionalProperties: false })

const RunApiOutputSchema = Type.Object({
  ok: Type.Boolean({ description: 'True when the cluster accepted the call (2xx) and, if it was waited on, its task did not end in ERROR.' }),
  status: Type.Integer({ description: 'HTTP status the cluster answered with (always 2xx: other answers are errors).' }),
  data: Type.Unknown({ description: 'The answer body: JSON when the cluster sent JSON, otherwise text; shortened as described by truncated and notes.' }),
  taskTag: Type.Optional(Type.String({ description: 'The task the call started; follow it with wait or GET /TaskTag/{taskTag}.' })),
  createdUUID: Type.Optional(Type.String({ description: 'UUID of the record the call created.' })),
  task: Type.Optional(Type.Object({
    state: Type.String({ description: 'QUEUED, RUNNING, COMPLETE, ERROR or UNINITIALIZED (UNKNOWN when the cluster had no record of it yet).' }),
    progressPercent: Type.Number(),
    error: Type.Optional(Type.String({ description: 'The cluster\'s message when the task failed.' }))
  }, { description: 'Where the task stands after waiting (only with wait).' })),
  warnings: Type.Optional(Type.Array(IssueSchema, { description: 'Payload fields the catalog is unsure about or the cluster ignores; the call was still sent.' })),
  unknownEndpoint: Type.Optional(Type.Boolean({ description: 'True when the path is not in the catalog (e.g. a newer cluster version); it was called without a payload check.' })),
  notes: Type.Optional(Type.Array(Type.String(), { description: 'What was done to the input or the answer (parsed JSON string, truncation, ...).' })),
  truncated: Type.Optional(Type.Object({
    returned: Type.Integer(),
    total: Type.Integer()
  }, { description: 'Set when items were left out: how many are shown and how many the cluster returned (characters, for a text answer).' }))
})

type RunApiOutput = Static<typeof RunApiOutputSchema>

const DEFAULT_WAIT_SECONDS = 60
// The session lifecycle belongs to generate_session/kill_session: a login answer would hand the model a live session ID.
const SESSION_PATHS = /^\/(login|logout)$/i

/** `run_api`: a live, confined call to the cluster's REST API with the session handled for the caller. */
export default defineTool({
  name: 'run_api',
  summary: 'Call the HyperCore REST API',
  description: 'Makes a live call to the HyperCore cluster\'s REST API under /rest/v1 and returns the JSON answer. ' +
    'Use query_api to find the endpoint and describe_endpoint to learn its payload first. Logging in is automatic.\n' +
    '- query: the path, e.g. /VirDomain (VMs) or /VirDomain/{uuid}; absolute URLs, "..", "//", backslashes and control characters are refused with PATH_NOT_ALLOWED before anything is sent. ' +
    '/login and /logout are refused (SESSION_ENDPOINT): use generate_session and kill_session.\n' +
    '- payload: an object or array (POST /VirDomain/action takes an array such as [{"virDomainUUID": "...", "actionType": "START"}]); a JSON string is parsed (a note says so). ' +
    'It is checked against the catalog first: a mismatch is refused with PAYLOAD_INVALID listing each field and what it expects; fix those fields and call again. Paths the catalog does not know are still called and marked unknownEndpoint.\n' +
    '- Changes (POST/PATCH/PUT/DELETE) return a taskTag; pass wait=true (or seconds) to follow the task until COMPLETE or ERROR: the result then has task.state and task.error, and ok=false if the task failed.\n' +
    '- Large answers: use fields (e.g. ["uuid","name","state"]) and maxItems; answers are capped at 64 KiB of JSON by dropping whole items, with truncated {returned, total}.\n' +
    '- When the cluster refuses the call (4xx/5xx) the tool fails with code SCALE_API_ERROR, the cluster\'s status in details.status and its own error body in details.body; ' +
    '4xx statuses are passed on, 5xx become 502. Read the cluster\'s message, correct the call, and do not repeat a failed change blindly.',
  tags: ['HyperCore'],
  input: RunApiInputSchema,
  output: RunApiOutputSchema,
  mutating: (input) => (input.method ?? 'GET') !== 'GET',
  requiresCluster: true,
  async handler (input, ctx): Promise<RunApiOutput> {
    const cluster = requireCluster(ctx)
    const method = checkMethod(input.method ?? 'GET')
    const target = confinePath(input.query, input.params)
    if (SESSION_PATHS.test(target.path)) {
      throw new AppError('SESSION_ENDPOINT',
        `run_api does not call ${target.path}: use generate_session to log in and kill_session to log out. They keep the session ID to themselves; logging in is automatic anyway.`, 400)
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
      throw new AppError('PAYLOAD_INVALID', `The payload must be a JSON object or array, not ${payload === null ? 'null' : typeof payload}.`, 400,
        { details: { errors: [{ path: '', message: 'must be an object or an array', expected: 'object | array' }] } })
    }
    const match = ctx.catalog.find(method, target.path)
    // Models often send {} or [] where no body belongs; that is not worth refusing.
    if (isEmpty(payload) && (method === 'GET' || (match !== undefined && match.operation.requestContentType === undefined))) payload = undefined
    if (payload !== undefined && method === 'GET') {
      throw new AppError('PAYLOAD_NOT_ALLOWED', 'A GET takes no payload; put filters in params or the query string, or use the method the endpoint documents (describe_endpoint).', 400)
    }

    let warnings: Array<{ path: string, message: string, expected?: string }> = []
    if (match === undefined) {
      notes.push(`${method} ${target.path} is not in the catalog (a newer cluster version may have it); it was sent without a payload check.`)
    } else {
      const contentType = match.operation.requestContentType
      if (contentType !== undefined && !/json/i.test(contentType)) {
        throw new AppError('UPLOAD_NOT_SUPPORTED', `${method} ${match.operation.path} takes raw bytes (${contentType}); run_api sends JSON only, so uploads cannot be made through it.`, 400)
      }
      const check = validatePayload(match.operation, payload)
      if (check.errors.length > 0) {
        const list = check.errors.map((e) => `${e.path === '' ? '(payload)' : e.path} ${e.message}`).join('; ')
        throw new AppError('PAYLOAD_INVALID',
          `The payload does not match ${method} ${match.operation.path}: ${list}. Call describe_endpoint {"method": "${method}", "path": "${match.operation.path}"} for the schema and an example; nothing was sent.`,
          400, { details: { errors: check.errors, warnings: check.warnings, operationId: match.operation.operationId, describe: { method, path: match.operation.path } } })
      }
      warnings = check.warnings
    }

    const started = performance.now()
    const res = await cluster.call(method, target, { body: payload })
    ctx.log.info({ method, path: target.path, status: res.status, ms: Math.round(performance.now() - started) }, 'run_api call')

    const result: RunApiOutput = { ok: true, status: res.status, data: null }
    const answer = res.data as { taskTag?: unknown, createdUUID?: unknown } | null
    const taskTag = answer !== null && typeof answer === 'object' && !Array.isArray(answer) && typeof answer.taskTag === 'string' && answer.taskTag !== '' ? answer.taskTag : undefined
    if (taskTag !== undefined) result.taskTag = taskTag
    if (typeof answer?.createdUUID === 'string' && answer.createdUUID !== '') result.createdUUID = answer.createdUUID

    if (input.wait !== undefined && input.wait !== false) {
      const seconds = input.wait === true ? DEFAULT_WAIT_SECONDS : input.wait
      if (taskTag === undefined) {
        notes.push('wait was given but the answer has no taskTag: nothing to wait for.')
      } else {
        try {
          const task = await cluster.waitForTask(taskTag, seconds * 1000)
          result.task = { state: task.state, progressPercent: task.progressPercent, ...(task.error === undefined ? {} : { error: task.error }) }
          if (task.error !== undefined) result.ok = false
          if (task.timedOut) notes.push(`The task was still ${task.state} after ${seconds} s; check it later with run_api GET /TaskTag/${taskTag}.`)
        } catch (err) {
          // The change was accepted; failing the whole call would invite the caller to repeat it.
          notes.push(`The call was accepted but following task ${taskTag} failed (${err instanceof AppError ? `${err.code}: ${err.message}` : String(err)}); check it with run_api GET /TaskTag/${taskTag}.`)
        }
      }
    }

    // Text is masked before fitting (a cut could split a URI); JSON after, since fitting never cuts a string and
    // masking only what is returned walks at most 64 KiB instead of the whole answer.
    const text = typeof res.data === 'string'
    const fitted = fitResult(text ? maskUriPasswords(res.data as string) : res.data, { maxItems: input.maxItems, fields: input.fields, maxBytes: DEFAULT_MAX_BYTES, receivedBytes: res.bytes })
    const masked = text ? undefined : maskSecrets(fitted.data)
    if (masked !== undefined && masked.sessionIds > 0) notes.push(`${masked.sessionIds} session ID(s) in the answer were replaced by [redacted].`)
    if (masked !== undefined && masked.uriPasswords > 0) notes.push(`${masked.uriPasswords} password(s) inside URIs in the answer were replaced by ***.`)
    result.data = fitted.data
    if (fitted.truncated !== undefined) result.truncated = fitted.truncated
    notes.push(...fitted.notes)
    if (warnings.length > 0) result.warnings = warnings
    if (match === undefined) result.unknownEndpoint = true
    if (notes.length > 0) result.notes = notes
    return result
  }
})

function isEmpty (payload: unknown): boolean {
  return payload !== null && typeof payload === 'object' && Object.keys(payload).length === 0
}

function parseJsonString (text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new AppError('PAYLOAD_INVALID',
      `The payload is a string but not valid JSON (${(err as Error).message}). Send the payload as a JSON object or array, or as a string holding valid JSON.`,
      400, { details: { errors: [{ path: '', message: 'is a string that is not valid JSON', expected: 'object | array' }] } })
  }
}
