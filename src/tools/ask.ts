import { Type } from '@sinclair/typebox'
import { MAX_QUERY_LENGTH } from '../catalog/search.js'
import { askQuestion } from '../llm/ask.js'
import { LlmClient } from '../llm/client.js'
import type { LlmConfig } from '../llm/config.js'
import { DEFAULT_ASK_LIMIT, MAX_ASK_LIMIT } from '../llm/context.js'
import { llmNotConfigured } from '../llm/errors.js'
import { defineTool, type ToolDefinition } from '../gate/tool.js'

const SourceSchema = Type.Object({
  method: Type.String({ description: 'HTTP method of the operation.' }),
  path: Type.String({ description: 'Path template under /rest/v1, e.g. /VirDomain/action.' })
})

const input = Type.Object({
  question: Type.String({ minLength: 1, maxLength: MAX_QUERY_LENGTH, description: 'The question in plain words, e.g. "how do I power on a VM" or "what does a snapshot schedule need".' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ASK_LIMIT, default: DEFAULT_ASK_LIMIT, description: `How many catalogue operations to give the model (1-${MAX_ASK_LIMIT}, default ${DEFAULT_ASK_LIMIT}).` }))
}, { additionalProperties: false })

const output = Type.Object({
  answer: Type.String({ description: 'The answer, citing the endpoints it relies on as METHOD /path.' }),
  sources: Type.Array(SourceSchema, { description: 'The operations the answer cites, from those given to the model; all of them when it cites none; empty when no model was asked.' }),
  model: Type.String({ description: 'The model that wrote the answer; empty when ask answered by itself because nothing in the catalogue matched.' }),
  match: Type.Unsafe<'strong' | 'weak' | 'none'>({
    type: 'string',
    enum: ['strong', 'weak', 'none'],
    description: 'How well the catalogue search matched the question: "strong", "weak" (the answer may not be covered) or "none" (no model was asked).'
  })
})

/**
 * `ask`: a plain-language answer about the HyperCore API from the configured OpenAI-compatible model, grounded in
 * the catalogue. Without an LLM configuration every call fails with LLM_NOT_CONFIGURED (503); `askTools` leaves it out.
 */
export function createAskTool (llm: LlmConfig | undefined): ToolDefinition<typeof input, typeof output> {
  let client: LlmClient | undefined
  return defineTool({
    name: 'ask',
    summary: 'Ask a question about the HyperCore API',
    description: 'Answers a question about the HyperCore REST API in plain words, written by a language model from the API catalogue ' +
      '(it reads no live data from the cluster and changes nothing). It finds the best matching operations as query_api does, gives ' +
      'the model their method, path, summary, required body fields with their allowed values and an example body, and returns the answer ' +
      'with the endpoints it cites as sources. Use it for "how do I..." questions that need an explanation; for exact schemas use ' +
      'query_api and describe_endpoint, and run_api to make the call. match is "strong", "weak" (the answer may not be covered) or ' +
      '"none": nothing in the catalogue matches, the answer says so and no model is asked. A local model can take a minute. ' +
      'Errors: LLM_UNREACHABLE, LLM_TIMEOUT, LLM_BAD_RESPONSE (the model server failed or answered nothing usable), LLM_NOT_CONFIGURED.',
    tags: ['Catalog'],
    example: { question: 'How do I take a snapshot of a VM?' },
    input,
    output,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    requiresCluster: false,
    async handler (args, ctx) {
      if (llm === undefined) throw llmNotConfigured()
      client ??= new LlmClient(llm)
      return await askQuestion(ctx.catalog, client, args.question, { limit: args.limit, log: ctx.log, signal: ctx.signal })
    }
  })
}

/** The `ask` tool when an LLM is configured, nothing otherwise: the tool is published only with LLM_BASE_URL set. */
export function askTools (llm: LlmConfig | undefined): Array<ToolDefinition<typeof input, typeof output>> {
  return llm === undefined ? [] : [createAskTool(llm)]
}
