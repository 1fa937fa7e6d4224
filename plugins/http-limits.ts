import type { Socket } from 'node:net'
import fp from 'fastify-plugin'
import { ERROR_CODES, type ErrorCode } from '../src/error-codes.js'

/** How long a client may take to send a whole request (headers and body), in ms. */
export const REQUEST_TIMEOUT_MS = 30_000
/** How long a client may take to send its headers, in ms. */
export const HEADERS_TIMEOUT_MS = 15_000
/** Most client connections held open at once; more are refused by the kernel's backlog. */
export const MAX_CLIENT_CONNECTIONS = 1024

/**
 * Answers errors Node's HTTP parser meets before Fastify sees a request (malformed requests, headers too large, a
 * request that took too long) in our `{code, message}` shape, and closes the connection.
 */
export function clientErrorHandler (err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const [status, code, message]: [number, ErrorCode, string] = err.code === 'HPE_HEADER_OVERFLOW'
    ? [431, 'HEADERS_TOO_LARGE', 'The request\'s headers are too large.']
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'REQUEST_TIMEOUT', `The request was not received completely within ${REQUEST_TIMEOUT_MS / 1000} s.`]
      : [400, 'BAD_REQUEST', 'The request is not valid HTTP.']
  const body = JSON.stringify({ code, message })
  socket.end(`HTTP/1.1 ${status} ${ERROR_CODES[code].meaning.split('.')[0] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
}

/**
 * Connection hygiene: while the server closes, new requests get a 503 in our shape; an answer sent before the
 * request's body was read (a 401, a 404) closes the connection, so a client dripping a body cannot keep it.
 */
export default fp(async function httpLimits (app) {
  let closing = false
  app.addHook('preClose', async () => { closing = true })
  app.addHook('onRequest', async function refuseWhileClosing (_request, reply) {
    if (!closing) return
    return await reply.code(503).header('connection', 'close').header('retry-after', '5')
      .send({ code: 'SHUTTING_DOWN', message: 'The server is shutting down; try again in a moment.' })
  })
  app.addHook('onSend', async function closeUnreadBodies (request, reply) {
    if (!request.raw.complete) reply.header('connection', 'close')
  })
}, { name: 'http-limits', fastify: '5.x' })
