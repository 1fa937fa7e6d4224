import { readFile, stat } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { AppError } from '../errors/app-error.js'
import { projectFile } from '../lib/paths.js'
import { isRecord, resolveSchema, type JsonSchema } from './schema.js'

/** One HyperCore REST operation as the tools and the simulator see it, with its schemas already resolved. */
export interface CatalogOperation {
  operationId: string
  /** Upper case: GET, POST, PUT, PATCH, DELETE, OPTIONS. */
  method: string
  /** Template without the /rest/v1 prefix, e.g. `/VirDomain/{virDomainUUID}`. */
  path: string
  summary: string
  description: string
  tag: string
  /** True unless the method is GET, HEAD or OPTIONS. */
  mutating: boolean
  requestContentType?: string
  /** The request body schema with every `$ref` inlined. */
  requestSchema?: JsonSchema
  /** A hand-written example body from the document, when it has one. */
  requestExample?: unknown
  /** Status code -> what it means. */
  responses: Record<string, string>
  /** The JSON schema of the success answer (2xx), resolved, when the document gives one. */
  responseSchema?: JsonSchema
  /**
   * True when the document marks the operation, its request body schema or its success answer (or the records in it)
   * `x-uncertain`: the shape is a best guess. Uncertain fields inside a schema are handled per field by validatePayload.
   */
  uncertain: boolean
  /** Names of the `{params}` in the path, in order. */
  pathParams: string[]
  /** Query parameters the document declares. */
  queryParams: Array<{ name: string, required: boolean, description?: string, schema?: JsonSchema }>
  /** Plain words and other hypervisors' names for the operation and its resource (`x-aliases`). */
  aliases?: string[]
  /** What kind of question it answers (`x-intent`). */
  intent?: OperationIntent
  /** Fields it reads or writes, by path, with the words people use for each (`x-field-terms`). */
  fieldTerms?: Array<{ field: string, terms: string[] }>
  /**
   * Where it comes from when a cluster's own spec was merged in: `merged` (our words, the cluster's schemas) or
   * `cluster` (only the cluster's spec has it). Absent for an operation only our document describes.
   */
  source?: 'merged' | 'cluster'
}

/** Where a catalogue came from: the bundled HyperCore 9.4 document, a file (SCALE_SCHEMA), or the cluster's own spec merged with ours. */
export type CatalogOrigin = 'bundled' | 'file' | 'cluster'

/** What a catalogue says about itself besides its operations. */
export interface CatalogInfo {
  version: string
  title: string
  source: string
  tags: string[]
  unsupported?: UnsupportedTopic[]
  /** Default: `bundled` when the source is the bundled document, else `file`. */
  origin?: CatalogOrigin
  /** The cluster's HyperCore version (`GET /Cluster` → icosVersion), when it was asked. */
  apiVersion?: string
  /** Why the catalogue is what it is, e.g. why SCALE_SCHEMA=auto fell back to the bundled one. */
  note?: string
}

/** What kind of question an operation answers: a list, one record, a status, or a create, change, delete or action. */
export type OperationIntent = 'list' | 'get' | 'status' | 'create' | 'change' | 'delete' | 'action'

/** Something the API does not do (`x-unsupported`): the words that name it, a plain note and the closest areas. */
export interface UnsupportedTopic {
  terms: string[]
  note: string
  areas: string[]
}

/** What `Catalog.find` answers: the operation and the values of its path parameters. */
export interface CatalogMatch {
  operation: CatalogOperation
  params: Record<string, string>
}

/** Options of `Catalog.find`. */
export interface FindOptions {
  /** Match literal segments case-insensitively (for people typing paths; a cluster is case-sensitive). */
  ignoreCase?: boolean
}

const BASE_PREFIX = '/rest/v1'
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']
const BUNDLED_NAME = 'hypercore-9.4.json'

interface CompiledTemplate {
  path: string
  segments: Array<{ literal: string, lower: string } | { param: string }>
  operations: Map<string, CatalogOperation>
}

let bundled: Promise<Catalog> | undefined

/** The HyperCore API catalogue: every operation of an OpenAPI document, resolved once, with path matching. */
export class Catalog {
  readonly operations: CatalogOperation[]
  /** Tag names in document order, followed by any tag only operations use. */
  readonly tags: string[]
  /** The API version the document describes (`info.version`; a cluster's spec says 1.3.2 on 9.6 and 9.7 alike, so never gate on it). */
  readonly version: string
  readonly title: string
  /** The file (or URL) the catalogue came from. */
  readonly source: string
  readonly origin: CatalogOrigin
  /** The cluster's HyperCore version (`GET /Cluster` → icosVersion), when it was asked. */
  readonly apiVersion: string | undefined
  /** Why the catalogue is what it is, e.g. why SCALE_SCHEMA=auto fell back to the bundled one. */
  readonly note: string | undefined
  /** What the API does not do, as the document lists it (`x-unsupported`). */
  readonly unsupported: UnsupportedTopic[]
  readonly #templates: CompiledTemplate[]
  readonly #byId: Map<string, CatalogOperation>

  constructor (operations: CatalogOperation[], info: CatalogInfo) {
    this.operations = operations
    this.version = info.version
    this.title = info.title
    this.source = info.source
    this.origin = info.origin ?? (info.source === bundledFile() ? 'bundled' : 'file')
    this.apiVersion = info.apiVersion
    this.note = info.note
    this.unsupported = info.unsupported ?? []
    const tags = [...info.tags]
    for (const op of operations) if (!tags.includes(op.tag)) tags.push(op.tag)
    this.tags = tags
    this.#byId = new Map(operations.map((op) => [op.operationId, op]))
    const templates = new Map<string, CompiledTemplate>()
    for (const op of operations) {
      let t = templates.get(op.path)
      if (t === undefined) {
        t = { path: op.path, segments: splitPath(op.path).map(toSegment), operations: new Map() }
        templates.set(op.path, t)
      }
      t.operations.set(op.method, op)
    }
    this.#templates = [...templates.values()]
  }

  /**
   * Loads a catalogue: the bundled HyperCore 9.4 document by default, or another OpenAPI file (JSON or YAML),
   * which is validated first. A bad file throws AppError SCHEMA_FILE_INVALID naming the file and the problem.
   */
  static async load (file?: string): Promise<Catalog> {
    if (file === undefined || file === '') {
      bundled ??= loadBundled().catch((err: unknown) => {
        bundled = undefined
        throw err
      })
      return await bundled
    }
    return await loadFile(resolve(file))
  }

  /** Builds a catalogue from an OpenAPI document already in memory (trusted: not validated). */
  static fromDocument (document: Record<string, unknown>, source = '<memory>'): Catalog {
    return buildCatalog(document, source)
  }

  /** The same operations and facts, with some facts changed (e.g. the cluster's version, or why this catalogue is used). */
  withInfo (info: Partial<Pick<CatalogInfo, 'origin' | 'apiVersion' | 'note'>>): Catalog {
    return new Catalog(this.operations, {
      version: this.version,
      title: this.title,
      source: this.source,
      tags: this.tags,
      unsupported: this.unsupported,
      origin: this.origin,
      ...(this.apiVersion === undefined ? {} : { apiVersion: this.apiVersion }),
      ...(this.note === undefined ? {} : { note: this.note }),
      ...info
    })
  }

  /** The operation with this operationId. */
  byId (operationId: string): CatalogOperation | undefined {
    return this.#byId.get(operationId)
  }

  /**
   * Matches a concrete call (`POST /rest/v1/VirDomain/action?x=1`) to its operation. Literal segments win over
   * `{params}` (`/VirDomain/action` is the action, not a VM uuid); the prefix, query string and trailing slash do not matter.
   */
  find (method: string, path: string, options: FindOptions = {}): CatalogMatch | undefined {
    const wanted = method.toUpperCase()
    const best = this.#match(path, options, (t) => t.operations.has(wanted))
    if (best === undefined) return undefined
    return { operation: best.template.operations.get(wanted) as CatalogOperation, params: best.params }
  }

  /** Every operation (any method) on the template that best matches a concrete or template path. */
  operationsForPath (path: string, options: FindOptions = {}): CatalogOperation[] {
    const best = this.#match(path, options, () => true)
    return best === undefined ? [] : [...best.template.operations.values()]
  }

  #match (path: string, options: FindOptions, accept: (t: CompiledTemplate) => boolean): { template: CompiledTemplate, params: Record<string, string> } | undefined {
    const parts = splitPath(normalisePath(path))
    const lowered = parts.map((p) => p.toLowerCase())
    let best: { template: CompiledTemplate, params: Record<string, string>, score: number } | undefined
    for (const template of this.#templates) {
      if (template.segments.length !== parts.length || !accept(template)) continue
      const params: Record<string, string> = {}
      let score = 0
      let ok = true
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = template.segments[i] as CompiledTemplate['segments'][number]
        const part = parts[i] as string
        if ('literal' in seg) {
          if (seg.literal === part) score += 2
          else if (options.ignoreCase === true && seg.lower === lowered[i]) score += 1
          else ok = false
        } else {
          params[seg.param] = safeDecode(part)
        }
      }
      // A template literal scores more than a param, and an exact-case literal more than a case-folded one.
      if (ok && (best === undefined || score > best.score)) best = { template, params, score }
    }
    return best === undefined ? undefined : { template: best.template, params: best.params }
  }
}

/** Strips origin, `/rest/v1`, query string, fragment and trailing slash: `/VirDomain/x`. */
export function normalisePath (path: string): string {
  let p = path.trim()
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(p)
  if (scheme !== null) p = p.slice(scheme[0].length)
  p = p.replace(/[?#].*$/, '')
  if (!p.startsWith('/')) p = '/' + p
  p = p.replace(/\/{2,}/g, '/')
  if (p.toLowerCase() === BASE_PREFIX || p.toLowerCase().startsWith(BASE_PREFIX + '/')) p = p.slice(BASE_PREFIX.length) || '/'
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1)
  return p
}

function splitPath (path: string): string[] {
  return path.split('/').filter((s) => s !== '')
}

function toSegment (part: string): CompiledTemplate['segments'][number] {
  const m = /^\{(.+)\}$/.exec(part)
  return m !== null ? { param: m[1] as string } : { literal: part, lower: part.toLowerCase() }
}

function safeDecode (part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}

function invalid (file: string, problem: string, cause?: unknown): AppError {
  return new AppError('SCHEMA_FILE_INVALID', `Schema file ${file} ${problem}`, { details: { file }, cause })
}

async function loadBundled (): Promise<Catalog> {
  const file = bundledFile()
  const document = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
  return buildCatalog(document, file)
}

/** Absolute path of the bundled HyperCore 9.4 document. */
export function bundledFile (): string {
  return projectFile('openapi', BUNDLED_NAME)
}

async function loadFile (file: string): Promise<Catalog> {
  // Loaded only for a SCALE_SCHEMA file: the bundled catalogue and a cluster's JSON spec never need it (~80 ms at start).
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser')
  let text: string
  try {
    const info = await stat(file)
    if (!info.isFile()) throw invalid(file, 'is not a file')
    text = await readFile(file, 'utf8')
  } catch (err) {
    if (err instanceof AppError) throw err
    const code = (err as NodeJS.ErrnoException).code
    throw invalid(file, code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`, err)
  }
  const ext = extname(file).toLowerCase()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (jsonErr) {
    if (ext === '.json') throw invalid(file, `is not valid JSON: ${(jsonErr as Error).message}`, jsonErr)
    try {
      parsed = await SwaggerParser.parse(file)
    } catch (yamlErr) {
      throw invalid(file, `is neither valid JSON nor valid YAML: ${firstLine(yamlErr)}`, yamlErr)
    }
  }
  if (!isRecord(parsed)) throw invalid(file, 'does not hold an OpenAPI document: its top level is not an object')
  const version = typeof parsed.openapi === 'string' ? parsed.openapi : typeof parsed.swagger === 'string' ? parsed.swagger : undefined
  if (version === undefined) throw invalid(file, 'is not an OpenAPI document: it has no "openapi" (or "swagger") version field')
  if (!isRecord(parsed.paths)) throw invalid(file, 'is not an OpenAPI document: it has no "paths" object')
  let document: Record<string, unknown>
  try {
    // bundle() pulls external $refs in as local ones; validate() then checks a copy (it dereferences in place).
    document = await SwaggerParser.bundle(file) as unknown as Record<string, unknown>
    await SwaggerParser.validate(structuredClone(document) as never)
  } catch (err) {
    throw invalid(file, `is not a valid OpenAPI ${version} document: ${firstLine(err)}`, err)
  }
  try {
    return buildCatalog(document, file)
  } catch (err) {
    throw invalid(file, `could not be catalogued: ${firstLine(err)}`, err)
  }
}

function firstLine (err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  return message.split('\n').slice(0, 3).join(' ').trim()
}

function buildCatalog (document: Record<string, unknown>, source: string): Catalog {
  const info = isRecord(document.info) ? document.info : {}
  const swagger2 = typeof document.swagger === 'string'
  const paths = isRecord(document.paths) ? document.paths : {}
  const pathKeys = Object.keys(paths)
  // Some documents spell paths with the /rest/v1 prefix; the catalogue never does.
  const stripPrefix = pathKeys.length > 0 && pathKeys.every((p) => p.startsWith(BASE_PREFIX + '/'))
  const docTags = Array.isArray(document.tags) ? document.tags.filter(isRecord).map((t) => String(t.name)) : []
  const operations: CatalogOperation[] = []
  const usedIds = new Set<string>()

  for (const rawPath of pathKeys) {
    const item = paths[rawPath]
    if (!isRecord(item)) continue
    const path = stripPrefix ? rawPath.slice(BASE_PREFIX.length) : rawPath
    const sharedParams = Array.isArray(item.parameters) ? item.parameters : []
    for (const lower of HTTP_METHODS) {
      const op = item[lower]
      if (!isRecord(op)) continue
      const method = lower.toUpperCase()
      const params = [...sharedParams, ...(Array.isArray(op.parameters) ? op.parameters : [])]
        .map((p) => resolveSchema(p, document))
        .filter(isRecord)
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string)
      const queryParams = params.filter((p) => p.in === 'query').map((p) => ({
        name: String(p.name),
        required: p.required === true,
        ...(typeof p.description === 'string' ? { description: p.description } : {}),
        ...(isRecord(p.schema) ? { schema: resolveSchema(p.schema, document) as JsonSchema } : swagger2 && typeof p.type === 'string' ? { schema: { type: p.type } } : {})
      }))

      const body = requestBodyOf(op, params, document, swagger2)
      const responses: Record<string, string> = {}
      let responseSchema: JsonSchema | undefined
      let responseUncertain = false
      if (isRecord(op.responses)) {
        for (const [code, raw] of Object.entries(op.responses)) {
          const response = resolveSchema(raw, document)
          if (!isRecord(response)) continue
          responses[code] = typeof response.description === 'string' ? response.description : ''
          if (/^2/.test(code) && responseSchema === undefined) {
            const schema = resolveSchema(swagger2 ? response.schema : jsonMedia(response.content)?.schema, document)
            if (isRecord(schema)) responseSchema = schema
            if (response['x-uncertain'] === true) responseUncertain = true
          }
        }
      }

      const description = typeof op.description === 'string' ? op.description : ''
      const summary = typeof op.summary === 'string' && op.summary !== ''
        ? op.summary
        : description !== '' ? (description.split(/(?<=\.)\s|\n/)[0] as string) : `${method} ${path}`
      let operationId = typeof op.operationId === 'string' && op.operationId !== '' ? op.operationId : makeOperationId(method, path)
      if (usedIds.has(operationId)) {
        let n = 2
        while (usedIds.has(`${operationId}${n}`)) n++
        operationId = `${operationId}${n}`
      }
      usedIds.add(operationId)
      const tag = Array.isArray(op.tags) && typeof op.tags[0] === 'string' ? op.tags[0] : 'Other'

      const operation: CatalogOperation = {
        operationId,
        method,
        path,
        summary,
        description,
        tag,
        mutating: !SAFE_METHODS.has(method),
        responses,
        uncertain: op['x-uncertain'] === true || responseUncertain || rootUncertain(body?.schema) || rootUncertain(responseSchema),
        pathParams,
        queryParams
      }
      if (body !== undefined) {
        operation.requestContentType = body.contentType
        if (body.schema !== undefined) operation.requestSchema = body.schema
        if (body.example !== undefined) operation.requestExample = body.example
      }
      if (responseSchema !== undefined) operation.responseSchema = responseSchema
      const aliases = stringList(op['x-aliases'])
      if (aliases.length > 0) operation.aliases = aliases
      if (typeof op['x-intent'] === 'string' && (INTENTS as readonly string[]).includes(op['x-intent'])) operation.intent = op['x-intent'] as OperationIntent
      if (isRecord(op['x-field-terms'])) {
        operation.fieldTerms = Object.entries(op['x-field-terms']).map(([field, terms]) => ({ field, terms: stringList(terms) }))
      }
      operations.push(operation)
    }
  }
  return new Catalog(operations, {
    version: typeof info.version === 'string' ? info.version : 'unknown',
    title: typeof info.title === 'string' ? info.title : 'OpenAPI',
    source,
    tags: docTags,
    unsupported: unsupportedTopics(document['x-unsupported'])
  })
}

const INTENTS = ['list', 'get', 'status', 'create', 'change', 'delete', 'action'] as const

function stringList (value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

function unsupportedTopics (value: unknown): UnsupportedTopic[] {
  if (!Array.isArray(value)) return []
  return value.filter(isRecord).map((t) => ({ terms: stringList(t.terms), note: typeof t.note === 'string' ? t.note : '', areas: stringList(t.areas) }))
    .filter((t) => t.terms.length > 0)
}

function jsonMedia (content: unknown): Record<string, unknown> | undefined {
  if (!isRecord(content)) return undefined
  const key = Object.keys(content).find((k) => /json/i.test(k)) ?? Object.keys(content)[0]
  const media = key === undefined ? undefined : content[key]
  return isRecord(media) ? media : undefined
}

function requestBodyOf (op: Record<string, unknown>, params: Array<Record<string, unknown>>, document: Record<string, unknown>, swagger2: boolean): { contentType: string, schema?: JsonSchema, example?: unknown } | undefined {
  if (swagger2) {
    const bodyParam = params.find((p) => p.in === 'body')
    if (bodyParam === undefined) return undefined
    const consumes = Array.isArray(op.consumes) ? op.consumes : Array.isArray(document.consumes) ? document.consumes : []
    const schema = resolveSchema(bodyParam.schema, document)
    return { contentType: typeof consumes[0] === 'string' ? consumes[0] : 'application/json', ...(isRecord(schema) ? { schema } : {}) }
  }
  const body = resolveSchema(op.requestBody, document)
  if (!isRecord(body) || !isRecord(body.content)) return undefined
  const types = Object.keys(body.content)
  const contentType = types.find((k) => /json/i.test(k)) ?? types[0]
  if (contentType === undefined) return undefined
  const media = resolveSchema(body.content[contentType], document)
  const out: { contentType: string, schema?: JsonSchema, example?: unknown } = { contentType }
  if (isRecord(media)) {
    const schema = resolveSchema(media.schema, document)
    if (isRecord(schema)) out.schema = schema
    if (media.example !== undefined) out.example = media.example
    else if (isRecord(media.examples)) {
      const first = Object.values(media.examples).find(isRecord)
      if (first !== undefined && first.value !== undefined) out.example = first.value
    }
  }
  return out
}

function rootUncertain (schema: JsonSchema | undefined): boolean {
  if (schema === undefined) return false
  return schema['x-uncertain'] === true || (isRecord(schema.items) && schema.items['x-uncertain'] === true)
}

function makeOperationId (method: string, path: string): string {
  const words = splitPath(path).map((s) => s.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, ' ').trim())
    .flatMap((s) => s.split(' ')).filter(Boolean)
  return method.toLowerCase() + words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join('')
}
