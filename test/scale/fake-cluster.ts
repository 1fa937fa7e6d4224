import { randomBytes, X509Certificate } from 'node:crypto'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { TestContext } from 'node:test'
import { generate } from 'selfsigned'

/** A certificate and key in PEM. */
export interface Pem {
  cert: string
  key: string
  fingerprint256: string
}

/** What a route handler answers; `reset` destroys the socket, `hang` never answers. */
export type FakeAnswer = { status?: number, body?: unknown, text?: string, headers?: Record<string, string> } | 'reset' | 'hang'

/** A request the fake cluster received. */
export interface SeenRequest {
  method: string
  url: string
  cookie: string | undefined
  body: string
}

/** A small HyperCore stand-in on 127.0.0.1:0: login, logout, session checks and scripted routes. */
export interface FakeCluster {
  url: string
  username: string
  password: string
  /** Every request after the TLS handshake, login and logout included. */
  requests: SeenRequest[]
  /** Logins that succeeded. */
  logins: number
  /** Live session IDs. */
  sessions: Set<string>
  /** TLS connections accepted (handshake completed). */
  secureConnections: number
  route: (method: string, path: string, handler: (req: SeenRequest) => FakeAnswer | Promise<FakeAnswer>) => void
  /** Awaited before a login is answered: lets a test hold a login in flight. */
  beforeLogin?: () => Promise<void>
  /** Forget every session, as an idle expiry would. */
  expireSessions: () => void
  close: () => Promise<void>
}

let certs: Promise<{ selfSigned: Pem, ca: Pem, leaf: Pem, wrongName: Pem }> | undefined

/** Certificates made once per test process: a self-signed one for 127.0.0.1, a CA, a leaf it signed, and a leaf for another name. */
export async function testCertificates (): Promise<{ selfSigned: Pem, ca: Pem, leaf: Pem, wrongName: Pem }> {
  certs ??= (async () => {
    const san = [{ name: 'subjectAltName' as const, altNames: [{ type: 7 as const, ip: '127.0.0.1' }, { type: 2 as const, value: 'localhost' }] }]
    const base = { keyType: 'ec' as const, algorithm: 'sha256' }
    const selfSigned = await generate([{ name: 'commonName', value: 'hypercore.local' }], { ...base, extensions: san })
    const ca = await generate([{ name: 'commonName', value: 'Test Root CA' }], {
      ...base,
      extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }]
    })
    const leaf = await generate([{ name: 'commonName', value: '127.0.0.1' }], { ...base, extensions: san, ca: { key: ca.private, cert: ca.cert } })
    const wrongName = await generate([{ name: 'commonName', value: 'other.example' }], {
      ...base,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'other.example' }] }],
      ca: { key: ca.private, cert: ca.cert }
    })
    const pem = (g: { cert: string, private: string }): Pem => ({ cert: g.cert, key: g.private, fingerprint256: new X509Certificate(g.cert).fingerprint256 })
    return { selfSigned: pem(selfSigned), ca: pem(ca), leaf: pem(leaf), wrongName: pem(wrongName) }
  })()
  return await certs
}

/** Starts a fake cluster over HTTPS with `cert` (or plain HTTP with `cert: null`) on `host` (default 127.0.0.1) and `port` (default any); closed when the test ends. */
export async function startFakeCluster (t: TestContext, opts: { cert?: Pem | null, username?: string, password?: string, cookieOnly?: boolean, host?: string, port?: number } = {}): Promise<FakeCluster> {
  const cert = opts.cert === undefined ? (await testCertificates()).selfSigned : opts.cert
  const routes = new Map<string, (req: SeenRequest) => FakeAnswer | Promise<FakeAnswer>>()
  const sockets = new Set<Socket>()
  const fake: FakeCluster = {
    url: '',
    username: opts.username ?? 'admin',
    password: opts.password ?? 'S3cret-Pa55word!',
    requests: [],
    logins: 0,
    sessions: new Set(),
    secureConnections: 0,
    route (method, path, handler) { routes.set(`${method} ${path}`, handler) },
    expireSessions () { fake.sessions.clear() },
    async close () {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }

  async function handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const seen: SeenRequest = { method: req.method ?? '', url: req.url ?? '', cookie: req.headers.cookie, body: Buffer.concat(chunks).toString() }
    fake.requests.push(seen)
    const path = seen.url.split('?')[0] ?? ''
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers })
      res.end(JSON.stringify(body))
    }
    if (seen.method === 'POST' && path === '/rest/v1/login') {
      // A scripted login answer replaces the real one (e.g. a proxy echoing the request).
      const scripted = routes.get('POST /rest/v1/login')
      if (scripted !== undefined) {
        const answer = await scripted(seen)
        if (answer !== 'reset' && answer !== 'hang') return send(answer.status ?? 200, answer.body ?? null, answer.headers)
      }
      await fake.beforeLogin?.()
      const creds = JSON.parse(seen.body || '{}') as { username?: string, password?: string }
      if (creds.username !== fake.username || creds.password !== fake.password) return send(401, { error: 'Invalid username or password' })
      const id = randomBytes(16).toString('hex')
      fake.sessions.add(id)
      fake.logins++
      return send(200, opts.cookieOnly === true ? {} : { sessionID: id }, { 'set-cookie': `sessionID=${id}; Path=/; Secure; HttpOnly` })
    }
    const session = /sessionID=([^;]+)/.exec(seen.cookie ?? '')?.[1]
    if (seen.method === 'POST' && path === '/rest/v1/logout') {
      if (session !== undefined) fake.sessions.delete(session)
      return send(200, {})
    }
    if (session === undefined || !fake.sessions.has(session)) return send(401, { error: 'Unauthorized' })
    const handler = routes.get(`${seen.method} ${path}`)
    if (handler === undefined) return send(404, { error: `No route ${seen.method} ${path}` })
    const answer = await handler(seen)
    if (answer === 'reset') {
      req.socket.destroy()
      return
    }
    if (answer === 'hang') return
    if (answer.text !== undefined) {
      res.writeHead(answer.status ?? 200, { 'content-type': 'text/html', ...answer.headers })
      res.end(answer.text)
      return
    }
    send(answer.status ?? 200, answer.body ?? null, answer.headers)
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500)
      res.end(String(err))
    })
  }
  const server: Server = cert === null ? createHttpServer(listener) : createHttpsServer({ cert: cert.cert, key: cert.key }, listener)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('secureConnection', () => { fake.secureConnections++ })
  const host = opts.host ?? '127.0.0.1'
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, host, resolve))
  fake.url = `${cert === null ? 'http' : 'https'}://${host}:${(server.address() as AddressInfo).port}`
  t.after(() => fake.close())
  return fake
}
