import assert from 'node:assert/strict'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { test, type TestContext } from 'node:test'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config/config.js'
import { peerKey } from '../../plugins/http-limits.js'
import { captureLogs, testCatalog, testConfig } from '../helper.js'

/** Our server on a real port; `accepted` resolves with the server's side of the next connection it takes. */
async function serve (t: TestContext, env: Record<string, string> = {}, opts: { requestTimeoutMs?: number, large?: boolean } = {}) {
  const logs = captureLogs('debug')
  const app = await buildApp(testConfig(env), { catalog: await testCatalog(), clusterInfo: { mode: 'none', cluster: null } }, { swaggerUi: false, logger: logs.logger, requestTimeoutMs: opts.requestTimeoutMs })
  // A stand-in for any answer bigger than the kernel buffers between us and a client that does not read.
  if (opts.large === true) app.get('/large', async () => Buffer.alloc(48 * 1024 * 1024, 'x'))
  // Clients go first, so a server that would wait for them cannot hold the test.
  const clients: Socket[] = []
  t.after(async () => {
    for (const socket of clients) socket.destroy()
    await app.close()
  })
  const url = new URL(await app.listen({ host: '127.0.0.1', port: 0 }))
  return {
    port: Number(url.port),
    logs,
    clients,
    accepted: async (): Promise<Socket> => {
      const [socket] = await once(app.server, 'connection') as [Socket]
      return socket
    }
  }
}

/** A client that connects from `localAddress` and never reads (nor closes its side when the server closes its). */
async function deaf (clients: Socket[], port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', localAddress, allowHalfOpen: true })
  socket.pause()
  socket.on('error', () => {})
  clients.push(socket)
  await once(socket, 'connect')
  return socket
}

/** Reads everything a socket has received and will receive, until the server has closed it. */
async function rest (socket: Socket): Promise<string> {
  let text = ''
  socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1') })
  socket.resume()
  await new Promise<void>((resolve) => {
    socket.once('end', () => resolve())
    socket.once('close', () => resolve())
  })
  return text
}

/** GET /health over a fresh connection from `localAddress`; the status line's code. */
async function health (clients: Socket[], port: number, localAddress: string): Promise<number> {
  const socket = connect({ port, host: '127.0.0.1', localAddress })
  socket.on('error', () => {})
  clients.push(socket)
  await once(socket, 'connect')
  socket.write('GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n')
  return Number((await rest(socket)).split(' ')[1])
}

test('a client that sends nothing and never reads is answered 408 and then disconnected, not left half-open', { timeout: 10_000 }, async (t) => {
  const server = await serve(t, {}, { requestTimeoutMs: 200 })
  const accepted = server.accepted()
  const client = await deaf(server.clients, server.port)
  const ours = await accepted
  // Before, the server only half-closed and the socket (and its connection slot) stayed until the client closed.
  await once(ours, 'close')
  const answer = await rest(client)
  assert.match(answer, /^HTTP\/1\.1 408 /)
  assert.match(answer, /"code":"REQUEST_TIMEOUT"/)
})

test('a client that asks and never reads its answer is disconnected once the answer stops moving', { timeout: 20_000 }, async (t) => {
  const server = await serve(t, {}, { requestTimeoutMs: 200, large: true })
  const accepted = server.accepted()
  const client = await deaf(server.clients, server.port)
  const ours = await accepted
  client.write('GET /large HTTP/1.1\r\nhost: x\r\n\r\n')
  await once(ours, 'close')
  const received = await rest(client)
  assert.match(received, /^HTTP\/1\.1 200 /)
  assert.ok(received.length < 48 * 1024 * 1024, 'the answer was abandoned, not finished')
  assert.match(server.logs.text(), /stopped reading its answer/)
})

test('one address holds at most MAX_CONNECTIONS_PER_IP connections (0: no cap); another address still gets in; one warning for many refusals', { timeout: 10_000 }, async (t) => {
  const server = await serve(t, { MAX_CONNECTIONS_PER_IP: '2' })
  const held: Array<{ client: Socket, ours: Socket }> = []
  for (let i = 0; i < 2; i++) {
    const accepted = server.accepted()
    const client = await deaf(server.clients, server.port)
    held.push({ client, ours: await accepted })
  }
  for (let i = 0; i < 3; i++) {
    // Closed at once: no answer at all, where a connection that got in would wait for its headers timeout (15 s).
    const refused = connect({ port: server.port, host: '127.0.0.1', localAddress: '127.0.0.1' })
    refused.on('error', () => {})
    server.clients.push(refused)
    assert.equal(await rest(refused), '')
  }
  assert.equal(await health(server.clients, server.port, '127.0.0.2'), 200)
  const warnings = server.logs.lines.filter((l) => l.includes('MAX_CONNECTIONS_PER_IP'))
  assert.equal(warnings.length, 1, 'refusals are summed up, not logged one by one')
  assert.match(warnings[0] ?? '', /"peer":"127\.0\.0\.1","limit":2/)

  // A connection that ends frees its slot.
  const [first] = held
  assert.ok(first)
  first.client.destroy()
  await once(first.ours, 'close')
  assert.equal(await health(server.clients, server.port, '127.0.0.1'), 200)

  // 0 turns the cap off (behind a reverse proxy, every client comes from the proxy's address).
  const uncapped = await serve(t, { MAX_CONNECTIONS_PER_IP: '0' })
  for (let i = 0; i < 3; i++) await deaf(uncapped.clients, uncapped.port)
  assert.equal(await health(uncapped.clients, uncapped.port, '127.0.0.1'), 200)
})

test('closing the server does not wait for clients that never sent anything', { timeout: 10_000 }, async (t) => {
  const app = await buildApp(testConfig(), { catalog: await testCatalog(), clusterInfo: { mode: 'none', cluster: null } }, { swaggerUi: false })
  const url = new URL(await app.listen({ host: '127.0.0.1', port: 0 }))
  const accepted = once(app.server, 'connection')
  const clients: Socket[] = []
  t.after(() => { for (const socket of clients) socket.destroy() })
  const client = await deaf(clients, Number(url.port))
  await accepted
  // Before, the close waited for the client's headers timeout (15 s), past the shutdown grace period (10 s).
  await app.close()
  assert.equal(await rest(client), '')
})

test('connections are counted per IPv4 address and per IPv6 /64', () => {
  assert.equal(peerKey('127.0.0.1'), '127.0.0.1')
  assert.equal(peerKey('::ffff:10.0.0.5'), '10.0.0.5')
  assert.equal(peerKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64')
  assert.equal(peerKey('2001:db8:1:2:ffff:ffff:ffff:fffe'), '2001:db8:1:2::/64')
  assert.equal(peerKey('2001:db8::1'), '2001:db8:0:0::/64')
  assert.equal(peerKey('fe80::1%eth0'), 'fe80:0:0:0::/64')
  assert.equal(peerKey('::1'), '0:0:0:0::/64')
  assert.equal(peerKey(undefined), 'unknown')
})

test('MAX_CONNECTIONS_PER_IP is 64 unless set, and a bad value names the variable', () => {
  assert.equal(loadConfig({}).maxConnectionsPerIp, 64)
  assert.equal(loadConfig({ MAX_CONNECTIONS_PER_IP: '0' }).maxConnectionsPerIp, 0)
  assert.throws(() => loadConfig({ MAX_CONNECTIONS_PER_IP: '-1' }), /MAX_CONNECTIONS_PER_IP/)
})
