/**
 * Open WebUI's backend for OpenAPI tool servers, ported from backend/open_webui/utils/tools.py (0.6.x; the code
 * the 0.6.22 report came from): `convert_openapi_to_tool_payload`, what the model is shown, and
 * `execute_tool_server`, how a call is sent. Ported line for line where it decides something; Python's str() of
 * an argument and aiohttp's (yarl's) requoting of the URL are modelled because they decide what reaches us.
 */

type Json = Record<string, unknown>

/** A tool as Open WebUI shows it to the model. */
export interface OpenWebUiSpec {
  name: string
  description: string
  parameters: { type: string, properties: Record<string, Json>, required: string[] }
}

/** The HTTP request execute_tool_server sends. */
export interface OpenWebUiRequest {
  method: string
  url: string
  headers: Record<string, string>
  /** aiohttp's `json=body_params`, for post, put and patch. */
  body?: string
}

interface Parameter { name: string, in: string, required?: boolean, description?: string, schema?: Json }
interface Operation { operationId?: string, description?: string, summary?: string, parameters?: Parameter[], requestBody?: { content?: Record<string, { schema?: Json }> } }

function isRecord (value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// resolve_schema: follows $ref into components, then properties and items.
function resolveSchema (schema: Json | undefined, components: Json): Json {
  if (schema === undefined || Object.keys(schema).length === 0) return {}
  if (typeof schema.$ref === 'string') {
    let resolved: unknown = components
    for (const part of schema.$ref.replace(/^[#/]+|\/+$/g, '').split('/').slice(1)) resolved = isRecord(resolved) ? resolved[part] ?? {} : {}
    return resolveSchema(resolved as Json, components)
  }
  const out = structuredClone(schema)
  if (isRecord(out.properties)) {
    for (const [name, sub] of Object.entries(out.properties)) out.properties[name] = resolveSchema(sub as Json, components)
  }
  if (isRecord(out.items)) out.items = resolveSchema(out.items, components)
  return out
}

function operations (document: Json): Array<{ path: string, method: string, op: Operation }> {
  const paths = isRecord(document.paths) ? document.paths as Record<string, Record<string, Operation>> : {}
  return Object.entries(paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))
}

/** convert_openapi_to_tool_payload: one spec per operation with an operationId. */
export function openWebUiSpecs (document: Json): OpenWebUiSpec[] {
  const out: OpenWebUiSpec[] = []
  for (const { op } of operations(document)) {
    if (op.operationId === undefined || op.operationId === '') continue
    const tool: OpenWebUiSpec = {
      name: op.operationId,
      description: op.description ?? op.summary ?? 'No description available.',
      parameters: { type: 'object', properties: {}, required: [] }
    }
    for (const param of op.parameters ?? []) {
      const schema = param.schema ?? {}
      let description = typeof schema.description === 'string' ? schema.description : ''
      if (description === '') description = param.description ?? ''
      if (Array.isArray(schema.enum) && schema.enum.length > 0) description += `. Possible values: ${schema.enum.join(', ')}`
      // Only type and description reach the model (and items, for an array, since 0.6.2x).
      const property: Json = { type: schema.type, description }
      if (schema.type === 'array' && 'items' in schema) property.items = schema.items
      tool.parameters.properties[param.name] = property
      if (param.required === true) tool.parameters.required.push(param.name)
    }
    const json = op.requestBody?.content?.['application/json']?.schema
    if (op.requestBody !== undefined && json !== undefined) {
      const resolved = resolveSchema(json, isRecord(document.components) ? document.components : {})
      if (isRecord(resolved.properties) && Object.keys(resolved.properties).length > 0) {
        Object.assign(tool.parameters.properties, resolved.properties)
        if (Array.isArray(resolved.required)) tool.parameters.required = [...new Set([...tool.parameters.required, ...resolved.required as string[]])]
      } else if (resolved.type === 'array') {
        tool.parameters = resolved as unknown as OpenWebUiSpec['parameters']
      }
    }
    out.push(tool)
  }
  return out
}

/** Python's str() of a JSON value, as an f-string writes it. */
export function pythonStr (value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value)
}

function pythonRepr (value: unknown): string {
  if (value === null || value === undefined) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`
  return `{${Object.entries(value as Json).map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`
}

const HEX = '0123456789ABCDEF'
// yarl's QUERY_REQUOTER: _Quoter(safe="?/:@", protected="=+&;", qs=True), over ALLOWED (unreserved and !$'()*,).
const QUERY_SAFE = new Set([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~', ..."!$'()*,", ...'?/:@', ...'=+&;'])
const QUERY_PROTECTED = new Set([...'=+&;'])

/** How aiohttp (yarl) requotes the query of a URL given as text: spaces become +, %XX stays, anything unsafe is %XX. */
export function yarlRequoteQuery (query: string): string {
  const bytes = Buffer.from(query, 'utf8')
  let out = ''
  for (let i = 0; i < bytes.length; i++) {
    const ch = String.fromCharCode(bytes[i] as number)
    if (ch === '%') {
      const pair = bytes.subarray(i + 1, i + 3).toString('latin1').toUpperCase()
      if (/^[0-9A-F]{2}$/.test(pair)) {
        const decoded = String.fromCharCode(parseInt(pair, 16))
        out += !QUERY_PROTECTED.has(decoded) && QUERY_SAFE.has(decoded) ? decoded : `%${pair}`
        i += 2
      } else {
        out += '%25'
      }
      continue
    }
    if (ch === ' ') out += '+'
    else if (QUERY_SAFE.has(ch)) out += ch
    else out += `%${HEX[(bytes[i] as number) >> 4] as string}${HEX[(bytes[i] as number) & 15] as string}`
  }
  return out
}

/**
 * execute_tool_server up to the request it sends: finds the operation, puts path and query parameters in the URL
 * (`k=v` joined by `&`, values by str(), not encoded) and refuses an operation with a request body when the model
 * gave no arguments. Throws Open WebUI's own messages.
 */
export function openWebUiRequest (document: Json, url: string, name: string, params: Json, token?: string): OpenWebUiRequest {
  const found = operations(document).find(({ op }) => isRecord(op) && op.operationId === name)
  if (found === undefined) throw new Error(`No matching route found for operationId: ${name}`)
  const { path, method, op } = found
  const pathParams: Json = {}
  const queryParams: Json = {}
  for (const param of op.parameters ?? []) {
    if (!Object.hasOwn(params, param.name)) continue
    if (param.in === 'path') pathParams[param.name] = params[param.name]
    else if (param.in === 'query') queryParams[param.name] = params[param.name]
  }
  let finalUrl = `${url}${path}`
  for (const [key, value] of Object.entries(pathParams)) finalUrl = finalUrl.replaceAll(`{${key}}`, pythonStr(value))
  if (Object.keys(queryParams).length > 0) finalUrl = `${finalUrl}?${Object.entries(queryParams).map(([k, v]) => `${k}=${pythonStr(v)}`).join('&')}`
  let bodyParams: Json = {}
  if (op.requestBody?.content !== undefined && Object.keys(op.requestBody.content).length > 0) {
    if (Object.keys(params).length > 0) bodyParams = params
    else throw new Error(`Request body expected for operation '${name}' but none found.`)
  }
  const headers: Record<string, string> = { 'Content-Type': 'application/json' }
  if (token !== undefined && token !== '') headers.Authorization = `Bearer ${token}`
  // aiohttp sends no fragment and requotes the query it was given as text.
  const [beforeFragment = ''] = finalUrl.split('#', 1)
  const q = beforeFragment.indexOf('?')
  const sent = q === -1 ? beforeFragment : `${beforeFragment.slice(0, q)}?${yarlRequoteQuery(beforeFragment.slice(q + 1))}`
  const verb = method.toLowerCase()
  return { method: verb.toUpperCase(), url: sent, headers, ...(['post', 'put', 'patch'].includes(verb) ? { body: JSON.stringify(bodyParams) } : {}) }
}

/** execute_tool_server whole: sends the request and answers the JSON, or `{ error }` with Open WebUI's message. */
export async function executeToolServer (document: Json, url: string, name: string, params: Json, token?: string): Promise<unknown> {
  try {
    const request = openWebUiRequest(document, url, name, params, token)
    const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body })
    if (response.status >= 400) throw new Error(`HTTP error ${response.status}: ${await response.text()}`)
    return await response.json()
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) }
  }
}
