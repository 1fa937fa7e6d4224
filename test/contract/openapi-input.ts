/** An operation of our OpenAPI document, as far as a tool's input goes. */
export interface ToolOperation {
  requestBody?: { content?: Record<string, { schema?: unknown }> }
  parameters?: Array<{ name: string, in: string, required?: boolean, description?: string, schema?: Record<string, unknown> }>
}

/**
 * A tool's input as one JSON Schema object, the way OpenAPI-to-tools converters assemble it: the JSON request
 * body, or for a tool published with query parameters (routes/query-arguments.ts) those parameters as properties,
 * each with its schema and description. OpenAPI 3.0 forbids `required: []`, so a body with nothing required has
 * none; every converter reads that as an empty list, and so does this.
 */
export function operationInput (op: ToolOperation): Record<string, unknown> | undefined {
  const body = op.requestBody?.content?.['application/json']?.schema as Record<string, unknown> | undefined
  if (body !== undefined) return body.required === undefined ? { ...body, required: [] } : body
  if (op.requestBody !== undefined) return undefined
  const query = (op.parameters ?? []).filter((p) => p.in === 'query')
  return {
    type: 'object',
    properties: Object.fromEntries(query.map((p) => [p.name, { ...p.schema, ...(p.description === undefined ? {} : { description: p.description }) }])),
    required: query.filter((p) => p.required === true).map((p) => p.name),
    // The route refuses a query argument it does not know, as the gate refuses one in a body.
    additionalProperties: false
  }
}
