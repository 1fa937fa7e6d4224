import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { test, type TestContext } from 'node:test'
import { buildApp } from '../../src/app.js'
import { auth, buildTestApp, testCatalog, testConfig } from '../helper.js'

/** Our server on a real port, and a raw socket to it that collects what comes back. */
async function rawTo (t: TestContext, opts: { requestTimeoutMs?: number, swaggerUi?: boolean } = {}): Promise<{ open: () => Promise<{ socket: Socket, answer: Promise<string> }> }> {
  const app = await buildTestApp(t, undefined, {}, { requestTimeoutMs: opts.requestTimeoutMs, swaggerUi: opts.swaggerUi })
  const url = new URL(await app.listen({ host: '127.0.0.1', port: 0 }))
  return {
    async open () {
      const socket = connect(Number(url.port), '127.0.0.1')
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
      t.after(() => socket.destroy())
      let text = ''
      socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1') })
      socket.on('error', () => {})
      // Resolves with everything received once the server closes the connection.
      const answer = new Promise<string>((resolve) => socket.once('close', () => resolve(text)))
      return { socket, answer }
    }
  }
}

function bodyOf (raw: string): { status: number, json: any, headers: string } {
  const [head = '', body = ''] = raw.split('\r\n\r\n')
  return { status: Number(head.split(' ')[1]), json: JSON.parse(body), headers: head.toLowerCase() }
}

test('answering before a slow body is read (401, 404) closes the connection: a dripping client cannot keep it', async (t) => {
  const server = await rawTo(t)
  for (const [path, headers, status, code] of [
    ['/query_api', '', 401, 'UNAUTHORIZED'],
    ['/nowhere', `authorization: ${auth.authorization}\r\n`, 404, 'NOT_FOUND']
  ] as const) {
    const { socket, answer } = await server.open()
    socket.write(`POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n${headers}\r\n{"que`)
    const got = bodyOf(await answer)
    assert.equal(got.status, status, path)
    assert.equal(got.json.code, code)
    assert.match(got.headers, /connection: close/)
  }
})

test('a body that never completes is cut off at the request timeout with 408 in our shape', async (t) => {
  const server = await rawTo(t, { requestTimeoutMs: 300 })
  const { socket, answer } = await server.open()
  socket.write(`POST /query_api HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 50\r\nauthorization: ${auth.authorization}\r\n\r\n{"q`)
  const got = bodyOf(await answer)
  assert.equal(got.status, 408)
  assert.equal(got.json.code, 'REQUEST_TIMEOUT')
})

test('requests Node\'s parser refuses are answered in our shape: garbage 400, huge headers 431', async (t) => {
  const server = await rawTo(t)
  const garbage = await server.open()
  garbage.socket.write('THIS IS NOT HTTP\r\n\r\n')
  assert.deepEqual(bodyOf(await garbage.answer).json.code, 'BAD_REQUEST')
  const huge = await server.open()
  huge.socket.write(`GET /health HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`)
  const got = bodyOf(await huge.answer)
  assert.equal(got.status, 431)
  assert.equal(got.json.code, 'HEADERS_TOO_LARGE')
})

test('a path outside Swagger UI\'s folder answers in our shape with the right code', async (t) => {
  const app = await buildTestApp(t, undefined, {}, { swaggerUi: true })
  const res = await app.inject({ method: 'GET', url: '/docs/static/..%2f..%2fpackage.json' })
  assert.ok(res.statusCode === 403 || res.statusCode === 404, String(res.statusCode))
  assert.equal(res.json().code, res.statusCode === 403 ? 'FORBIDDEN' : 'NOT_FOUND')
})

test('while the server closes, a request that still arrives gets 503 SHUTTING_DOWN in our shape', async () => {
  const config = testConfig()
  const app = await buildApp(config, { catalog: await testCatalog(), clusterInfo: { mode: 'none', cluster: null } }, { swaggerUi: false })
  // Hold the close between "closing" and "no more connections", where a request can still arrive.
  let release: () => void = () => {}
  let closing: () => void = () => {}
  const reached = new Promise<void>((resolve) => { closing = resolve })
  app.addHook('preClose', async () => {
    closing()
    await new Promise<void>((resolve) => { release = resolve })
  })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const closed = app.close()
  await reached
  const res = await fetch(`${url}/query_api`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"query":"vms"}' })
  release()
  await closed
  assert.equal(res.status, 503)
  assert.deepEqual(await res.json(), { code: 'SHUTTING_DOWN', message: 'The server is shutting down; try again in a moment.' })
  assert.equal(res.headers.get('retry-after'), '5')
})
