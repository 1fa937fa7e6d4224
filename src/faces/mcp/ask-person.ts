import { createHash, createHmac, randomUUID } from 'node:crypto'
import {
  CLIENT_CAPABILITIES_META_KEY, createRequestStateCodec, inputRequired, inputResponse,
  type ClientCapabilities, type InputRequiredResult, type RequestStateCodec, type Server, type ServerContext
} from '@modelcontextprotocol/server'
import type { Config } from '../../config/config.js'
import type { ConfirmQuestion, PersonAnswer } from '../../gate/call.js'
import type { Gate } from '../../gate/gate.js'
import type { Caller } from '../../gate/identity.js'

/** Thrown by askPerson when this round carries no answer to the question: the call is answered `input_required`. */
export class NeedsPerson extends Error {
  readonly question: ConfirmQuestion

  constructor (question: ConfirmQuestion) {
    super('the person has not answered yet')
    this.name = 'NeedsPerson'
    this.question = question
  }
}

/** What is echoed through the client between rounds: which question was asked (a hash) and a single-use nonce. */
interface AskState {
  h: string
  n: string
}

/** What asking needs from its surroundings. */
export interface AskOptions {
  /** Secret the request state is signed with; the same on every replica. */
  key: Uint8Array
  /** How long the person has to answer. */
  ttlMs: number
  /** Records a key as used; false when it was used already (the gate's store). */
  useOnce: (key: string, ttlMs: number) => Promise<boolean>
}

const KEY = 'confirm'
const RUN = 'run'
const CONFIRM_SCHEMA = {
  type: 'object' as const,
  properties: { decision: { type: 'string' as const, title: 'Run it?', enum: [RUN, 'do not run'] } },
  required: ['decision']
}

// The request-state key for MCP confirmations, derived from the confirm-token secret so it is never used for two things.
function requestStateKey (confirmKey: Uint8Array): Uint8Array {
  return createHmac('sha256', confirmKey).update('scale-api-helper mcp request state').digest()
}

/** How both MCP faces ask the person: a key from CONFIRM_SECRET, CONFIRM_TTL_SECONDS to answer, single use in the gate's store. */
export function askOptions (safety: Pick<Config['safety'], 'confirmKey' | 'confirmTtlMs'>, gate: () => Promise<Gate>): AskOptions {
  return {
    key: requestStateKey(safety.confirmKey),
    ttlMs: safety.confirmTtlMs,
    useOnce: async (key, ttlMs) => await (await gate()).store.useOnce(key, ttlMs)
  }
}

/**
 * Asking the person to confirm a destructive call, written once for both protocol eras as a multi-round-trip
 * request: the first round answers `input_required` with a form; the client asks its user and sends the same call
 * again with the answer. A 2026-07-28 client does that itself; for a 2025-11-25 session the SDK turns the same
 * result into an `elicitation/create` and runs the handler again. An answer counts only for the caller, tool,
 * arguments and preview it was asked about, and only once (the signed state carries a hash and a nonce).
 */
export class PersonAsker {
  readonly codec: RequestStateCodec<AskState>
  readonly #opts: AskOptions

  constructor (opts: AskOptions, caller: Caller) {
    this.#opts = opts
    this.codec = createRequestStateCodec<AskState>({
      key: opts.key,
      ttlSeconds: Math.ceil(opts.ttlMs / 1000),
      bind: (ctx) => `${ctx.mcpReq.method}\0${caller.name}`
    })
  }

  /** Whether the client on this request can show its user a form (2026: the request's envelope; 2025: initialize). */
  canAsk (server: Server, ctx: ServerContext): boolean {
    // The envelope is typed {} in SDK 2.4; serveStdio does not fill getClientCapabilities() on 2026 connections.
    const envelope = ctx.mcpReq.envelope as Record<string, ClientCapabilities | undefined> | undefined
    const caps = envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? server.getClientCapabilities()
    const elicitation = caps?.elicitation
    return elicitation !== undefined && (elicitation.form !== undefined || Object.keys(elicitation).length === 0)
  }

  /** The gate's askPerson for one call: the answer carried by this round, or NeedsPerson to ask. */
  askPerson (ctx: ServerContext, args: unknown): (question: ConfirmQuestion) => Promise<PersonAnswer> {
    return async (question) => {
      const view = inputResponse(ctx.mcpReq.inputResponses, KEY)
      const state = ctx.mcpReq.requestState<AskState>()
      // Only an answer to this very question counts, once: a forged, replayed or stale answer (the preview changed) asks again.
      if (view.kind === 'elicit' && state?.h === questionHash(question, args) && await this.#opts.useOnce(`mcp-ask:${state.n}`, this.#opts.ttlMs)) {
        if (view.action !== 'accept') return view.action
        return view.content?.decision === RUN ? 'accept' : 'decline'
      }
      throw new NeedsPerson(question)
    }
  }

  /** The `input_required` answer that asks the person. */
  async inputRequired (ctx: ServerContext, args: unknown, question: ConfirmQuestion): Promise<InputRequiredResult> {
    return inputRequired({
      inputRequests: {
        [KEY]: inputRequired.elicit({
          mode: 'form',
          message: `${question.tool} wants to make a destructive change: ${question.text}. Run it?`,
          requestedSchema: CONFIRM_SCHEMA
        })
      },
      requestState: await this.codec.mint({ h: questionHash(question, args), n: randomUUID() }, ctx)
    })
  }
}

function questionHash (question: ConfirmQuestion, args: unknown): string {
  return createHash('sha256').update(JSON.stringify([question.tool, args, question.text])).digest('base64url')
}
