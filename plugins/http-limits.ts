import type { Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import fp from 'fastify-plugin'
import { ERROR_CODES } from '../src/errors/codes.js'
import { AppError, errorBody } from '../src/errors/app-error.js'

/** How long a client may take to send a whole request (headers and body), in ms. */
export const REQUEST_TIMEOUT_MS = 30_000
/** How long a client may take to send its headers, in ms. */
export const HEADERS_TIMEOUT_MS = 15_000
/** Most client connections held open at once; more are refused by the kernel's backlog. */
export const MAX_CLIENT_CONNECTIONS = 1024
/** How long a client answered with an error (408, 400, 431) gets to close its side before the socket is destroyed, in ms. */
export const LINGER_MS = 1000
/** At most one warning a minute about refused connections, however many there are. */
const REFUSAL_WARN_EVERY_MS = 60_000

/** What the connection limits are made of. */
export interface HttpLimitsOptions {
  /** Connections one client address (an IPv6 /64) may hold open at once (MAX_CONNECTIONS_PER_IP); 0: no such cap. */
  maxConnectionsPerIp: number
  /** An answer the client has not taken any of for this long is abandoned and its connection destroyed, in ms. */
  stallMs: number
}

/**
 * Answers errors Node's HTTP parser meets before Fastify sees a request (malformed requests, headers too large, a
 * request that took too long) in our `{code, message}` shape, and closes the connection.
 */
export function clientErrorHandler (opts: { requestTimeoutMs: number, headersTimeoutMs: number }): (err: NodeJS.ErrnoException, socket: Socket) => void {
  const linger = Math.min(LINGER_MS, opts.headersTimeoutMs)
  return function onClientError (err, socket) {
    if (!socket.writable) {
      socket.destroy()
      return
    }
    const error = err.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('HEADERS_TOO_LARGE', 'The request\'s headers are too large.')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError('REQUEST_TIMEOUT', `The request was not received completely in time (headers within ${seconds(opts.headersTimeoutMs)}, the whole request within ${seconds(opts.requestTimeoutMs)}).`)
        : new AppError('BAD_REQUEST', 'The request is not valid HTTP.')
    const body = JSON.stringify(errorBody(error))
    socket.end(`HTTP/1.1 ${error.statusCode} ${ERROR_CODES[error.code].meaning.split('.')[0] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
    // end() only half-closes: a client that never closes its side (one that never reads) would keep the socket, and
    // its slot, forever. Whatever it still sends is read and dropped meanwhile, so the close is a FIN and not a reset
    // that could destroy the answer before the client has read it.
    socket.resume()
    const timer = setTimeout(() => socket.destroy(), linger)
    socket.once('close', () => clearTimeout(timer))
  }
}

function seconds (ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}

/**
 * The key a client's connections are counted under: its IPv4 address, or the /64 of its IPv6 address (one site
 * usually holds a whole /64). IPv4-mapped IPv6 addresses count as the IPv4 address.
 */
export function peerKey (address: string | undefined): string {
  if (address === undefined) return 'unknown'
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped?.[1] !== undefined) return mapped[1]
  if (!address.includes(':')) return address
  const [head = '', tail] = (address.split('%')[0] ?? '').split('::')
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  // An embedded IPv4 address at the end stands for two groups.
  const rightGroups = right.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0)
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - rightGroups)).fill('0'), ...right]
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`
}

// libuv's count of bytes it still has to hand to the kernel. Node's public counters (writableLength, bytesWritten)
// only move when a whole chunk is written, so a large answer a client reads slowly would look stuck. Absent (a
// future Node without it): 0, and the stall check does nothing.
function unsent (socket: Socket): number {
  return (socket as unknown as { _handle?: { writeQueueSize?: number } | null })._handle?.writeQueueSize ?? 0
}

/**
 * Connection hygiene: one client address holds at most `maxConnectionsPerIp` connections (more are closed at once);
 * an answer the client stops taking is abandoned after `stallMs`; while the server closes, new requests get a 503 in
 * our shape; an answer sent before the request's body was read (a 401, a 404) closes the connection, so a client
 * dripping a body cannot keep it.
 */
export default fp<HttpLimitsOptions>(async function httpLimits (app, opts) {
  const perPeer = new Map<string, number>()
  const open = new Map<Socket, { unsent: number, stuckSince?: number }>()
  let refused = 0
  let lastWarning = -Infinity

  app.server.on('connection', (socket: Socket) => {
    const key = peerKey(socket.remoteAddress)
    const held = perPeer.get(key) ?? 0
    if (opts.maxConnectionsPerIp > 0 && held >= opts.maxConnectionsPerIp) {
      socket.destroy()
      refused++
      const now = performance.now()
      if (now - lastWarning >= REFUSAL_WARN_EVERY_MS) {
        app.log.warn({ peer: key, limit: opts.maxConnectionsPerIp, refused }, 'refused connections from a client address that already holds MAX_CONNECTIONS_PER_IP (counted since the last such warning)')
        lastWarning = now
        refused = 0
      }
      return
    }
    perPeer.set(key, held + 1)
    open.set(socket, { unsent: 0 })
    socket.once('close', () => {
      open.delete(socket)
      const left = (perPeer.get(key) ?? 1) - 1
      if (left > 0) perPeer.set(key, left)
      else perPeer.delete(key)
    })
  })

  // A client that asks and never reads leaves its answer in our buffers and its connection open for good.
  const sweep = setInterval(() => {
    const now = performance.now()
    for (const [socket, state] of open) {
      const pending = unsent(socket)
      if (pending === 0 || pending !== state.unsent) {
        state.unsent = pending
        state.stuckSince = undefined
      } else if (state.stuckSince === undefined) {
        state.stuckSince = now
      } else if (now - state.stuckSince >= opts.stallMs) {
        app.log.debug({ peer: peerKey(socket.remoteAddress), unsentBytes: pending, stallMs: opts.stallMs }, 'closed a connection whose client stopped reading its answer')
        socket.destroy()
      }
    }
  }, Math.max(10, Math.min(1000, Math.floor(opts.stallMs / 2))))
  sweep.unref()

  let closing = false
  app.addHook('preClose', async () => {
    closing = true
    // Node counts a connection as busy from its first byte's deadline on, so one that never sent anything would hold
    // the close until its headers timeout; it has nothing in flight to finish.
    for (const socket of open.keys()) if (socket.bytesRead === 0) socket.destroy()
  })
  app.addHook('onClose', async () => { clearInterval(sweep) })
  app.addHook('onRequest', async function refuseWhileClosing (_request, reply) {
    if (!closing) return
    const error = new AppError('SHUTTING_DOWN', 'The server is shutting down; try again in a moment.')
    return await reply.code(error.statusCode).header('connection', 'close').header('retry-after', '5').send(errorBody(error))
  })
  app.addHook('onSend', async function closeUnreadBodies (request, reply) {
    if (!request.raw.complete) reply.header('connection', 'close')
  })
}, { name: 'http-limits', fastify: '5.x' })
