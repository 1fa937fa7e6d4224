import { once } from 'node:events'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { TestContext } from 'node:test'

/** What a scripted route does with the socket once the request has been read. */
export type RawBehaviour = (socket: Socket) => void

/** A request as the misbehaving cluster read it. */
export interface RawRequest {
  method: string
  path: string
  socket: Socket
  /** Resolves when the connection it came on closes (e.g. because our client abandoned it). */
  closed: Promise<void>
}

/** A plain-HTTP HyperCore stand-in on 127.0.0.1:0 that can answer anything: drips, garbage, cut bodies, deep JSON. */
export interface MisbehavingCluster {
  url: string
  username: string
  password: string
  /** Every request read, in order (login included). */
  requests: RawRequest[]
  /** Scripts `METHOD /rest/v1/Path`; unscripted paths answer 404 JSON. */
  route: (method: string, path: string, behaviour: RawBehaviour) => void
  /** Resolves once `count` requests for `METHOD /path` have been read. */
  seen: (method: string, path: string, count?: number) => Promise<void>
  close: () => Promise<void>
}

/** An HTTP/1.1 response with a body, as raw bytes. */
export function rawResponse (status: number, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): string {
  const lines = [`HTTP/1.1 ${status} X`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), `content-length: ${Buffer.byteLength(body)}`, '', body]
  return lines.join('\r\n')
}

/** Starts the misbehaving cluster on `host` (default 127.0.0.1) and `port` (default any); it is closed when the test ends. */
export async function startMisbehavingCluster (t: TestContext, opts: { host?: string, port?: number } = {}): Promise<MisbehavingCluster> {
  const routes = new Map<string, RawBehaviour>()
  const sockets = new Set<Socket>()
  const waiters: Array<{ key: string, count: number, resolve: () => void }> = []
  const cluster: MisbehavingCluster = {
    url: '',
    username: 'admin',
    password: 'admin',
    requests: [],
    route (method, path, behaviour) { routes.set(`${method} ${path}`, behaviour) },
    async seen (method, path, count = 1) {
      const key = `${method} ${path}`
      if (cluster.requests.filter((r) => `${r.method} ${r.path}` === key).length >= count) return
      await new Promise<void>((resolve) => waiters.push({ key, count, resolve }))
    },
    async close () {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }

  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let buffer = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end === -1) return
        const head = buffer.subarray(0, end).toString('latin1')
        const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0)
        if (buffer.length < end + 4 + length) return
        buffer = buffer.subarray(end + 4 + length)
        const [method = '', target = ''] = (head.split('\r\n')[0] ?? '').split(' ')
        const request: RawRequest = { method, path: target.split('?')[0] ?? '', socket, closed: new Promise<void>((resolve) => socket.once('close', () => resolve())) }
        cluster.requests.push(request)
        for (const w of waiters.filter((w) => w.key === `${method} ${request.path}` && cluster.requests.filter((r) => `${r.method} ${r.path}` === w.key).length >= w.count)) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve()
        }
        if (method === 'POST' && request.path === '/rest/v1/login') {
          socket.write(rawResponse(200, JSON.stringify({ sessionID: 'misbehaving-session-0001' })))
          continue
        }
        const behaviour = routes.get(`${method} ${request.path}`)
        if (behaviour === undefined) socket.write(rawResponse(404, JSON.stringify({ error: 'no such route' })))
        else behaviour(socket)
      }
    })
  })
  const host = opts.host ?? '127.0.0.1'
  server.listen(opts.port ?? 0, host)
  await once(server, 'listening')
  cluster.url = `http://${host}:${(server.address() as AddressInfo).port}`
  t.after(() => cluster.close())
  return cluster
}

/** Headers, then the body one byte every `everyMs`, forever (until the socket closes). */
export function drip (everyMs = 200): RawBehaviour {
  return (socket) => {
    socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\n\r\n[')
    const timer = setInterval(() => { if (socket.writable) socket.write(' ') }, everyMs)
    socket.once('close', () => clearInterval(timer))
  }
}
