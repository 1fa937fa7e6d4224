import type { Catalog } from '../catalog/catalog.js'

/**
 * The OpenAPI document a simulated cluster serves at `/rest/v1/openapi.json`: every operation of the catalogue the
 * simulator routes and validates with, schemas inlined, so the live spec and the simulator's behaviour agree.
 */
export function specFromCatalog (catalog: Catalog): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const op of catalog.operations) {
    const parameters = [
      ...op.pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
      ...op.queryParams.map((q) => ({ name: q.name, in: 'query', required: q.required, ...(q.description === undefined ? {} : { description: q.description }), ...(q.schema === undefined ? {} : { schema: q.schema }) }))
    ]
    const responses: Record<string, unknown> = {}
    for (const [code, description] of Object.entries(op.responses)) {
      const withSchema = /^2/.test(code) && op.responseSchema !== undefined
      responses[code] = { description, ...(withSchema ? { content: { 'application/json': { schema: op.responseSchema } } } : {}) }
    }
    if (Object.keys(responses).length === 0) responses['200'] = { description: 'OK' }
    const operation: Record<string, unknown> = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      description: op.description,
      ...(parameters.length === 0 ? {} : { parameters }),
      ...(op.requestContentType === undefined
        ? {}
        : {
            requestBody: {
              required: true,
              content: { [op.requestContentType]: { schema: op.requestSchema ?? {}, ...(op.requestExample === undefined ? {} : { example: op.requestExample }) } }
            }
          }),
      responses,
      ...(op.path === '/login' || op.path === '/ping' ? { security: [] } : {})
    }
    paths[op.path] ??= {}
    ;(paths[op.path] as Record<string, unknown>)[op.method.toLowerCase()] = operation
  }
  return {
    openapi: '3.0.3',
    info: { title: catalog.title, version: catalog.version },
    servers: [{ url: '/rest/v1' }],
    security: [{ basicAuth: [] }, { sessionCookie: [] }],
    paths,
    components: {
      securitySchemes: {
        basicAuth: { type: 'http', scheme: 'basic' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'sessionID' }
      }
    }
  }
}

/** The minimal `/rest/v2/openAPI.json` of a 9.7.1+ cluster: the simulator serves no v2 operations, so its paths are empty. */
export function emptyV2Spec (): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: 'Scale Computing HyperCore REST API v2 (simulated: no operations)', version: '1.3.2' },
    servers: [{ url: '/rest/v2' }],
    paths: {}
  }
}

/** True when an icosVersion (e.g. `9.7.4.225310`) is at least `min` (e.g. `9.7.1`), comparing numeric parts. */
export function versionAtLeast (version: string, min: string): boolean {
  const a = version.split('.').map((p) => Number.parseInt(p, 10))
  const b = min.split('.').map((p) => Number.parseInt(p, 10))
  for (let i = 0; i < b.length; i++) {
    const x = Number.isFinite(a[i]) ? a[i] as number : 0
    const y = b[i] as number
    if (x !== y) return x > y
  }
  return true
}
