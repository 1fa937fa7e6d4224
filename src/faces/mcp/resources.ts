import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError, type Server } from '@modelcontextprotocol/server'
import type { Catalog } from '../../catalog/catalog.js'
import { describeEndpoint } from '../../catalog/describe.js'

/** The URI template of one catalog operation. */
export const OPERATION_TEMPLATE = 'hypercore://operations/{operationId}'

const PREFIX = 'hypercore://operations/'
// The bundled catalog has about 150 operations: one page. A larger SCALE_SCHEMA_FILE is listed in pages.
const PAGE_SIZE = 200
const MAX_COMPLETIONS = 100

/** The URI of one operation's resource. */
export function operationUri (operationId: string): string {
  return PREFIX + encodeURIComponent(operationId)
}

/**
 * Each HyperCore operation of the catalog as a resource (`hypercore://operations/{operationId}`): what
 * describe_endpoint answers (the request schema with every `$ref` resolved, the flattened fields, the answers, an
 * example) as compact JSON, plus the template and operationId completion. Reads need no cluster and no gate call.
 */
export function registerResources (server: Server, catalog: () => Promise<Catalog>): void {
  server.setRequestHandler('resources/templates/list', () => ({
    resourceTemplates: [{
      uriTemplate: OPERATION_TEMPLATE,
      name: 'operation',
      title: 'HyperCore REST operation',
      description: 'One HyperCore REST operation by operationId (from query_api): resolved request schema, fields, answers and an example payload.',
      mimeType: 'application/json'
    }]
  }))

  server.setRequestHandler('resources/list', async (req) => {
    const operations = (await catalog()).operations
    const start = req.params?.cursor === undefined ? 0 : Number(req.params.cursor)
    if (!Number.isSafeInteger(start) || start < 0 || start > operations.length) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid cursor: ${String(req.params?.cursor)}`)
    const page = operations.slice(start, start + PAGE_SIZE)
    return {
      resources: page.map((op) => ({
        uri: operationUri(op.operationId),
        name: op.operationId,
        title: `${op.method} ${op.path}`,
        description: op.summary,
        mimeType: 'application/json'
      })),
      ...(start + PAGE_SIZE < operations.length ? { nextCursor: String(start + PAGE_SIZE) } : {})
    }
  })

  server.setRequestHandler('resources/read', async (req) => {
    const { uri } = req.params
    const id = uri.startsWith(PREFIX) ? safeDecode(uri.slice(PREFIX.length)) : undefined
    const all = await catalog()
    const op = id === undefined ? undefined : all.byId(id)
    // ResourceNotFoundError is answered -32602 on both eras (the 2026-07-28 rule).
    if (op === undefined) throw new ResourceNotFoundError(uri)
    return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(describeEndpoint(all, op.method, op.path)) }] }
  })

  server.setRequestHandler('completion/complete', async (req) => {
    const { ref, argument } = req.params
    const wanted = argument.value.toLowerCase()
    const ids = ref.type === 'ref/resource' && ref.uri === OPERATION_TEMPLATE && argument.name === 'operationId'
      ? (await catalog()).operations.map((op) => op.operationId).filter((id) => id.toLowerCase().startsWith(wanted)).sort()
      : []
    return { completion: { values: ids.slice(0, MAX_COMPLETIONS), total: ids.length, hasMore: ids.length > MAX_COMPLETIONS } }
  })
}

function safeDecode (text: string): string | undefined {
  if (text === '' || text.includes('/')) return undefined
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}
