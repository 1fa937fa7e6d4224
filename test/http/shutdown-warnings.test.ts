import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pino } from 'pino'
import { loggerOptions } from '../../src/observe/logger.js'
import { startServer } from '../../src/server.js'
import { testConfig } from '../helper.js'

const CALLS = 12
const MCP = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }

// Each in-flight call adds one listener to a signal every call shares (the MCP face's shutdown signal in
// src/faces/mcp/mcp-server.ts linkAborts, the client's stopping signal in src/scale/tasks.ts): 11 calls at
// once trip Node's "possible memory leak" warning, though each listener goes when its call ends.
test('many calls waiting on tasks, over HTTP and MCP, then a close: no MaxListenersExceededWarning', { timeout: 60_000 }, async () => {
  const warnings: string[] = []
  const onWarning = (w: Error): void => { warnings.push(`${w.name}: ${w.message}`) }
  process.on('warning', onWarning)
  let answered = 0
  let allWaiting: () => void = () => {}
  const waiting = new Promise<void>((resolve) => { allWaiting = resolve })
  const log = pino(loggerOptions('debug'), {
    write (line: string) {
      // The cluster has accepted the snapshot, so the call is waiting on its task now. Only the client's line counts:
      // run_api logs its own line for the same call, and counting both let the close overtake the MCP calls.
      if (line.includes('"msg":"cluster call"') && line.includes('"method":"POST","path":"/VirDomainSnapshot","status":200') && ++answered === 2 * CALLS) allWaiting()
    }
  })
  const config = { ...testConfig({ SCALE_MODE: 'full' }), port: 0 }
  const server = await startServer(config, log)
  const auth = { authorization: `Bearer ${config.tokens[0] ?? ''}` }
  try {
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
      await fetch(`${server.url}${path}`, { method: 'POST', headers: { ...auth, ...MCP, ...headers }, body: JSON.stringify(body) })
    const vms = await (await post('/run_api', { query: '/VirDomain', fields: ['uuid'] })).json() as { data: Array<{ uuid: string }> }
    const uuid = vms.data[0]?.uuid
    assert.ok(uuid)
    const snapshot = (label: string): Record<string, unknown> => ({ query: '/VirDomainSnapshot', method: 'POST', payload: { domainUUID: uuid, label }, wait: 30 })
    const overMcp = async (i: number): Promise<number> => {
      const init = await post('/mcp', { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'test', version: '1' } } })
      await init.text()
      const session = { 'mcp-session-id': init.headers.get('mcp-session-id') ?? '', 'mcp-protocol-version': '2025-11-25' }
      await (await post('/mcp', { jsonrpc: '2.0', method: 'notifications/initialized' }, session)).text()
      const res = await post('/mcp', { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'run_api', arguments: snapshot(`mcp-${i}`) } }, session)
      await res.text()
      return res.status
    }
    const calls = [
      ...Array.from({ length: CALLS }, async (_, i) => { const res = await post('/run_api', snapshot(`http-${i}`)); await res.text(); return res.status }),
      ...Array.from({ length: CALLS }, async (_, i) => await overMcp(i))
    ]
    await waiting
    await server.close()
    assert.deepEqual(new Set(await Promise.all(calls)), new Set([200]))
  } finally {
    process.off('warning', onWarning)
  }
  assert.deepEqual(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning')), [])
})
