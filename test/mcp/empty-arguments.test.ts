import assert from 'node:assert/strict'
import { test } from 'node:test'
import { INITIALIZE, mcpSetup, rawRequest, TOKEN } from './mcp-helper.js'

const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' }, 'io.modelcontextprotocol/clientCapabilities': {} }
const bearer = { authorization: `Bearer ${TOKEN.operator}` }

// The JSON-RPC message of an answer, sent as JSON or as one event of an event stream.
function messageOf (text: string): { result?: { isError?: boolean, structuredContent?: Record<string, unknown> }, error?: { code: number, message: string } } {
  const data = text.split('\n').find((line) => line.startsWith('data: '))
  return JSON.parse(data === undefined ? text : data.slice('data: '.length))
}

test('tools/call with "arguments" null or absent is a call with {} (2026-07-28 and a 2025-11-25 session)', async (t) => {
  const s = await mcpSetup(t)
  const init = await rawRequest(s.url, bearer, INITIALIZE)
  const session = init.headers['mcp-session-id'] as string
  for (const tool of ['cluster_health', 'list_vms']) {
    for (const args of [null, undefined, {}]) {
      const params: Record<string, unknown> = { name: tool, ...(args === undefined ? {} : { arguments: args }) }
      const modern = await rawRequest(s.url, { ...bearer, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': tool }, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { ...params, _meta: META } })
      const legacy = await rawRequest(s.url, { ...bearer, 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' }, { jsonrpc: '2.0', id: 2, method: 'tools/call', params })
      for (const [era, res] of [['2026-07-28', modern], ['2025-11-25', legacy]] as const) {
        const answer = messageOf(res.text)
        assert.equal(answer.error, undefined, `${tool} ${era} arguments ${JSON.stringify(args)}: ${res.text.slice(0, 300)}`)
        assert.notEqual(answer.result?.isError, true, `${tool} ${era} arguments ${JSON.stringify(args)}: ${res.text.slice(0, 300)}`)
        assert.equal(typeof answer.result?.structuredContent, 'object')
      }
    }
  }
})
