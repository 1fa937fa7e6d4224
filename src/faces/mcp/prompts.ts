import { ProtocolError, ProtocolErrorCode, type Server } from '@modelcontextprotocol/server'
import { OPERATION_TEMPLATE } from './resources.js'

/** The name of the prompt that teaches the usual flow. */
export const EXPLORE_PROMPT = 'explore-cluster'

/** What the prompt says, for a goal in the person's words. */
export function exploreText (goal: string | undefined): string {
  return [
    goal === undefined || goal.trim() === '' ? 'Help me explore my Scale Computing HyperCore cluster.' : `On my Scale Computing HyperCore cluster, I want to: ${goal.trim()}`,
    '',
    'Work through the scale-api-helper tools in this order:',
    '1. query_api with the goal in plain words: it names the REST endpoint (method, path, operationId). Say so if it answers match "none".',
    `2. describe_endpoint with that method and path (or read the resource ${OPERATION_TEMPLATE}) for the payload schema, the required fields and an example; UUIDs come from GET calls.`,
    '3. run_api to call it. Read first (GET, with fields such as ["uuid","name","state"] to keep answers small) before changing anything; a payload that does not fit is refused with the field to fix and nothing is sent.',
    '4. A change answers a taskTag: follow it with wait (seconds) or GET /TaskTag/<taskTag> until COMPLETE or ERROR. Never repeat a change that failed or timed out without checking the record first.',
    'Destructive calls (DELETE, STOP, SHUTDOWN, RESET, ...) are confirmed first: I may be asked directly, or the answer is CONFIRMATION_REQUIRED with a preview; show me the preview and retry with its confirmToken only if I agree.',
    'Errors come back as {code, message}: read the message, correct the call, and do not guess at values the cluster can tell you.'
  ].join('\n')
}

/** Registers the `explore-cluster` prompt. */
export function registerPrompts (server: Server): void {
  server.setRequestHandler('prompts/list', () => ({
    prompts: [{
      name: EXPLORE_PROMPT,
      title: 'Explore the HyperCore cluster',
      description: 'The usual flow: find the endpoint (query_api), read its schema (describe_endpoint), call it (run_api), follow the task.',
      arguments: [{ name: 'goal', description: 'What you want to find out or do, in plain words (optional).', required: false }]
    }]
  }))

  server.setRequestHandler('prompts/get', (req) => {
    if (req.params.name !== EXPLORE_PROMPT) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `No prompt named ${JSON.stringify(req.params.name)}; the only one is ${EXPLORE_PROMPT}.`)
    return {
      description: 'Explore the HyperCore cluster with scale-api-helper',
      messages: [{ role: 'user' as const, content: { type: 'text' as const, text: exploreText(req.params.arguments?.goal) } }]
    }
  })
}
