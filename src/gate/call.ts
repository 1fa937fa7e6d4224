import type { TObject, TSchema } from '@sinclair/typebox'
import type { Caller, Transport } from './identity.js'
import type { Log } from '../observe/logger.js'
import type { CallPreview } from './preview.js'
import type { Progress, ToolAnnotations } from './tool.js'

// What a face hands the gate with a call and what it gets back besides the answer, apart from the gate itself so
// that a face's types do not pull in the gate's workings.

/** What the person is asked when a client can ask them directly (MCP elicitation). */
export interface ConfirmQuestion {
  tool: string
  text: string
  previews: CallPreview[]
}

/** The person's answer to a ConfirmQuestion. */
export type PersonAnswer = 'accept' | 'decline' | 'cancel'

/** Everything about one call that does not come from its input. */
export interface CallOptions {
  caller: Caller
  transport: Transport
  log: Log
  /** Aborted when the caller goes away. */
  signal?: AbortSignal
  progress?: (p: Progress) => void
  /** Asks the person directly; absent when the face cannot (then CONFIRM_VIA applies). */
  askPerson?: (question: ConfirmQuestion) => Promise<PersonAnswer>
  /** Our own origin as the caller reached it, for approval links when PUBLIC_URL is not set. */
  baseUrl?: string
}

/** A tool as one caller's view publishes it: the same everywhere (OpenAPI, MCP). */
export interface PublishedTool {
  name: string
  summary: string
  description: string
  tags: string[]
  input: TObject
  output: TSchema
  annotations: ToolAnnotations
}

/** A call waiting for a person on the approval page (CONFIRM_VIA=approval). */
export interface ApprovalRecord {
  id: string
  status: 'pending' | 'approved' | 'rejected'
  caller: string
  tool: string
  /** The cluster the call goes to. */
  cluster?: string
  previews: CallPreview[]
  createdAt: string
  expiresAt: string
  decidedBy?: string
  decidedAt?: string
}
