import type { FastifyReply, FastifyRequest } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import type { Caller } from '../src/gate/identity.js'

/** What an HTTP face (the tool routes, `/mcp`) takes from one exchange for its gate call. */
export interface HttpExchange {
  /** The bearer token's caller (401 without one). */
  caller: Caller
  /** Our origin as the client reached it, for approval links when PUBLIC_URL is not set. */
  baseUrl: string
  /** Aborted when the client goes away before the answer is complete, so cluster calls and task waits made for it stop. */
  signal: AbortSignal
  /** Settles when the exchange is over: the answer written, or the client gone. */
  done: Promise<void>
}

/** The caller, origin and hang-up signal of one request, the same way for every HTTP face. */
export function exchangeOf (request: FastifyRequest, reply: FastifyReply): HttpExchange {
  const caller = callerOf(request)
  const controller = new AbortController()
  const done = new Promise<void>((resolve) => {
    // 'close' also fires after a complete answer; only an unfinished one means the client went away.
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) controller.abort(new Error('the caller closed the connection'))
      resolve()
    })
  })
  return { caller, baseUrl: `${request.protocol}://${request.host}`, signal: controller.signal, done }
}
