import { randomBytes, randomUUID } from 'node:crypto'
import { Type, type TObject, type TSchema } from '@sinclair/typebox'
import type { Catalog } from '../catalog/catalog.js'
import { AppError, isAppError } from '../errors/app-error.js'
import type { Log } from '../observe/logger.js'
import type { Metrics } from '../observe/metrics.js'
import type { HyperCoreClient } from '../scale/client.js'
import { Fleet, type FleetMember, type Lease } from '../fleet/fleet.js'
import { clusterNameFor } from '../fleet/discovery.js'
import type { ClusterCatalogs } from '../fleet/cluster-catalogs.js'
import type { AuditDecision, AuditEntry, AuditLog } from './audit.js'
import { gatedCluster, maskError, type ClusterAccess } from './cluster-access.js'
import { clusterCallsDigest, maskConfirmTokens, type ConfirmTokens } from './confirm-token.js'
import { canApprove, canChange, type Caller, type Role } from './identity.js'
import { maskSecrets } from './mask.js'
import { normaliseInput } from './normalise.js'
import { shapeOutput } from './output.js'
import type { Policy } from './policy.js'
import { previewCalls, previewText } from './preview.js'
import type { GateStore } from './store.js'
import type { Plan, PlannedCall } from './plan.js'
import { toolVisibleTo, type FleetAccess, type ToolDefinition, type ToolView } from './tool.js'
import type { ApprovalRecord, CallOptions, PublishedTool } from './call.js'

/** What the gate is built from. */
export interface GateOptions {
  tools: readonly ToolDefinition[]
  catalog: Catalog
  /** The clusters calls go to; `cluster` is the shorthand for a fleet of one. */
  fleet?: Fleet
  /** Each cluster's own catalogue, for the calls that go to it (a fleet with SCALE_SCHEMA=auto); `catalog` when absent. */
  catalogs?: ClusterCatalogs
  /** Named in the `cluster` field's description (DEFAULT_CLUSTER). */
  defaultCluster?: string
  cluster?: HyperCoreClient
  policy: Policy
  tokens: ConfirmTokens
  store: GateStore
  audit: AuditLog
  /** Origin for approval links (PUBLIC_URL). */
  publicUrl?: string
  /** Other secrets to mask in every answer (e.g. the LLM key, bearer tokens given in clear). */
  secrets?: readonly string[]
  /** The size answers should stay within (ANSWER_MAX_BYTES). */
  answerMaxBytes: number
  /** Counts calls, confirmations and audit failures. */
  metrics?: Metrics
  now?: () => number
  /** Refuse (rather than log) an answer that does not match its tool's output schema: tests turn it on to find such bugs. */
  strictOutput?: boolean
  /** Whether the caller who asked for a call may approve it (APPROVAL_ALLOW_SELF); never by default. */
  allowSelfApproval?: boolean
  /** Whether a tool is published (TOOLSETS): one that is not is neither listed nor callable. Every tool when absent. */
  publishes?: (name: string) => boolean
}

// Refusals of a tool's own checks that say something about the caller's intent: audited like policy refusals.
const AUDITED_REFUSALS = new Set(['PATH_NOT_ALLOWED', 'SESSION_ENDPOINT', 'PAYLOAD_TOO_DEEP'])

/** The name of the input field that carries a confirm token. */
export const CONFIRM_FIELD = 'confirm'

// The parts of an audit line every line of one call shares.
type AuditBase = Pick<AuditEntry, 'id' | 'caller' | 'role' | 'transport' | 'tool' | 'cluster'>

/** The name of the input field that says which cluster a call goes to. */
export const CLUSTER_FIELD = 'cluster'

/**
 * The one gate every tool call passes, whatever the face (HTTP, MCP over HTTP, MCP over stdio), in this order:
 * identity (the caller comes with the call) → normalise and validate the input → plan → policy (role, mode, policy
 * file, confirmation) → audit the decision (fail closed) → handler, with a cluster bound to the plan → mask → audit
 * the result.
 */
export class Gate {
  readonly policy: Policy
  /** Shared state: single-use tokens, approvals, rate-limit counters. */
  readonly store: GateStore
  readonly #tools: Map<string, ToolDefinition>
  readonly #opts: GateOptions
  readonly #now: () => number
  readonly #publishes: (name: string) => boolean
  readonly #fleet: Fleet | undefined

  constructor (opts: GateOptions) {
    this.#opts = opts
    this.#fleet = opts.fleet ?? (opts.cluster === undefined ? undefined : new Fleet([{ name: opts.cluster.name, client: opts.cluster }]))
    this.policy = opts.policy
    this.store = opts.store
    this.#now = opts.now ?? Date.now
    this.#tools = new Map(opts.tools.map((t) => [t.name, t]))
    const publishes = opts.publishes ?? (() => true)
    const several = (this.#fleet?.size ?? 0) > 1
    // Tools that read across clusters say nothing a single cluster's own tools do not.
    this.#publishes = (name) => publishes(name) && (several || this.#tools.get(name)?.fleetOnly !== true)
  }

  /** The tools a role sees, with their schemas and descriptions for the configured mode and that role, in registry order. */
  published (role: Role): PublishedTool[] {
    const view: ToolView = { mode: this.policy.mode, role }
    const out: PublishedTool[] = []
    for (const tool of this.#tools.values()) {
      if (!toolVisibleTo(tool, role) || !this.#publishes(tool.name)) continue
      const shaped = tool.view?.(view)
      let input = shaped?.input ?? tool.hostInput ?? tool.input
      if (this.#confirmable(tool, role)) {
        input = withGateField(input, CONFIRM_FIELD, Type.String({ minLength: 1, description: 'Only after a CONFIRMATION_REQUIRED answer: its details.confirmToken, with every other argument unchanged.' }), 'last')
      }
      if (tool.requiresCluster && (this.#fleet?.size ?? 0) > 1) {
        input = withGateField(input, CLUSTER_FIELD, Type.String({ minLength: 1, maxLength: 256, description: `Which cluster the call goes to, by name (case is ignored; list_clusters shows yours).${this.#opts.defaultCluster === undefined ? ' Needed when you have more than one.' : ` Left out: ${this.#opts.defaultCluster}.`}` }), 'first')
      }
      // Strict function-calling hosts want `required` even when nothing is (TypeBox leaves it out then).
      if (input.required === undefined) input = { ...input, required: [] }
      if (tool.example !== undefined && input.example === undefined) input = { ...input, example: tool.example }
      out.push({ name: tool.name, summary: tool.summary, description: shaped?.description ?? tool.description, tags: tool.tags, input, output: tool.output, annotations: tool.annotations })
    }
    return out
  }

  /** The registered tool of that name, when it is published. */
  tool (name: string): ToolDefinition | undefined {
    return this.#publishes(name) ? this.#tools.get(name) : undefined
  }

  /** Runs one tool call through every step of the gate; throws AppError (masked) for anything refused or failed. */
  async call (name: string, raw: unknown, opts: CallOptions): Promise<unknown> {
    const count = (code: string): void => this.#opts.metrics?.toolCalls.inc({ tool: this.tool(name) !== undefined ? name : '(unknown)', code, caller: opts.caller.name })
    try {
      const output = await this.#run(name, raw, opts)
      count('ok')
      return output
    } catch (err) {
      count(isAppError(err) ? err.code : 'INTERNAL_ERROR')
      throw err
    }
  }

  async #run (name: string, raw: unknown, opts: CallOptions): Promise<unknown> {
    const started = this.#now()
    const { caller } = opts
    const tool = this.#tools.get(name)
    const base = { id: randomUUID(), caller: caller.name, role: caller.role, transport: opts.transport, tool: name }
    if (tool === undefined) throw new AppError('NOT_FOUND', `There is no tool named ${JSON.stringify(name)}.`)
    if (!this.#publishes(name)) throw new AppError('NOT_FOUND', `${name} is not published here: the server's TOOLSETS setting leaves out its toolset.`)
    if (!toolVisibleTo(tool, caller.role)) {
      const error = new AppError('FORBIDDEN', `${name} is not available to the caller "${caller.name}" (role ${caller.role}); it needs the role ${(tool.roles ?? []).join(' or ')}.`)
      await this.#auditRefusal(base, [], undefined, error)
      throw error
    }

    const { input: withCluster, confirm } = takeConfirm(raw, tool)
    const { input: rawInput, cluster: clusterName } = takeCluster(withCluster, tool)
    if (!tool.requiresCluster) return await this.#runOn(tool, normaliseInput(name, tool.input, rawInput), confirm, opts, base, started, undefined, this.#opts.catalog)
    if (this.#fleet === undefined) {
      normaliseInput(name, tool.input, rawInput)
      throw new AppError('NO_CLUSTER', 'No HyperCore cluster is configured: set SCALE_HOST, SCALE_USERNAME and SCALE_PASSWORD, or start without SCALE_HOST to use the embedded simulator.')
    }
    // The cluster first: one outside the caller's scope is NAME_NOT_FOUND whatever else is wrong with the call.
    const member = this.#fleet.resolve(caller, clusterName)
    const input = normaliseInput(name, tool.input, rawInput)
    const lease = this.#fleet.lease(member)
    try {
      // The payload is checked against the spec of the cluster it goes to (its version may have fields ours lacks).
      const catalog = this.#opts.catalogs === undefined ? this.#opts.catalog : await this.#opts.catalogs.for(member.name, lease.client)
      return await this.#runOn(tool, input, confirm, opts, { ...base, cluster: member.name }, started, lease, catalog)
    } finally {
      lease.release()
    }
  }

  async #runOn (tool: ToolDefinition, input: Record<string, unknown>, confirm: string | undefined, opts: CallOptions, base: AuditBase, started: number, lease: Lease | undefined, catalog: Catalog): Promise<unknown> {
    const { caller } = opts
    const name = tool.name
    const client = lease?.client
    const known = (): string[] => this.#known(client)
    const readsOnly = this.#access(client, caller, { calls: [] }, opts.signal)
    let plan: Plan
    try {
      plan = tool.plan === undefined ? { calls: [], prepared: undefined } : await tool.plan(input, { catalog, caller, log: opts.log, cluster: readsOnly, signal: opts.signal })
    } catch (err) {
      const masked = maskError(err, known())
      if (isAppError(masked) && AUDITED_REFUSALS.has(masked.code)) await this.#auditRefusal(base, [], input, masked)
      throw masked
    }

    // What the audit says of each call, refusals included: the canonical path, and whether the policy finds it destructive.
    const calls = plan.calls.map((c) => ({
      method: c.method,
      path: c.path + (c.search ?? ''),
      ...(c.method !== 'GET' && this.policy.destructiveReason(c) !== undefined ? { destructive: true } : {})
    }))
    if (plan.session !== undefined) await this.#checkSessionChange(plan.session, caller, base)
    const destructive: Array<{ call: PlannedCall, reason: string }> = []
    for (const call of plan.calls) {
      const verdict = this.policy.judge(caller, { method: call.method, path: call.path, payload: call.payload, mutating: call.method !== 'GET', ...this.#clusterOf(lease) })
      if (verdict.kind === 'deny') {
        await this.#auditRefusal(base, calls, payloadOf(plan), verdict.error)
        throw verdict.error
      }
      if (verdict.needsConfirmation) destructive.push({ call, reason: verdict.reason ?? 'destructive' })
    }

    let decision: AuditDecision = 'allowed'
    if (destructive.length > 0) decision = await this.#confirm(tool, destructive, confirm, opts, base, calls, readsOnly, lease?.member)
    else if (confirm !== undefined) opts.log.debug({ tool: name }, 'a confirm token was sent for a call that needs none; ignored')

    const audited = plan.session !== undefined || plan.calls.some((c) => c.method !== 'GET')
    const auditCalls = [...calls]
    if (plan.session !== undefined) auditCalls.push({ method: 'POST', path: `/${plan.session}` })
    if (audited) await this.#write({ ...base, time: this.#iso(), phase: 'decision', decision, calls: auditCalls, ...this.#payload(plan, client) })

    const changes: Array<{ status: number, taskTag?: string }> = []
    const access = this.#access(client, caller, plan, opts.signal, (change) => changes.push(change))
    let output: unknown
    try {
      output = await tool.handler(input, { log: opts.log, catalog, caller, cluster: access, plan, signal: opts.signal, progress: opts.progress, audit: this.#opts.audit, answerMaxBytes: this.#opts.answerMaxBytes, ...(tool.fleetOnly === true && this.#fleet !== undefined ? { fleet: this.#fleetAccess(caller, opts.signal) } : {}) })
    } catch (err) {
      const masked = maskError(err, known())
      if (audited) {
        const failure = isAppError(masked) ? { code: masked.code, message: masked.message.slice(0, 500), ...statusOf(masked) } : { code: 'INTERNAL_ERROR' }
        await this.#writeResult({ ...base, time: this.#iso(), phase: 'result', decision, calls: auditCalls, ...failure, ...lastChange(changes), durationMs: this.#now() - started }, opts.log)
      }
      throw masked
    }
    const masked = maskSecrets(output, { known: known(), byKey: false }).value
    // Shaped once here, so every face sends the same fields: those the tool's output schema declares.
    const { value, problem } = shapeOutput(tool.output, masked)
    if (problem !== undefined) {
      this.#opts.metrics?.toolCalls.inc({ tool: name, code: 'OUTPUT_MISMATCH', caller: caller.name })
      opts.log.error({ tool: name, problem }, 'a tool answer does not match its output schema')
      if (this.#opts.strictOutput === true) throw new AppError('INTERNAL_ERROR', `${name} answered outside its output schema: ${problem}`)
    }
    const bytes = Buffer.byteLength(JSON.stringify(value) ?? '')
    if (bytes > this.#opts.answerMaxBytes) opts.log.warn({ tool: name, bytes, budget: this.#opts.answerMaxBytes }, 'an answer is larger than ANSWER_MAX_BYTES')
    if (audited) {
      await this.#writeResult({ ...base, time: this.#iso(), phase: 'result', decision, calls: auditCalls, ...lastChange(changes), ...taskTagOf(value), durationMs: this.#now() - started }, opts.log)
    }
    return value
  }

  /** Closes the audit log and the store. */
  async close (): Promise<void> {
    await this.#opts.audit.close()
    await this.#opts.store.close()
  }

  /** A pending or decided approval, for the approval page (approvers only); a refusal is audited. */
  async approval (id: string, approver: Caller): Promise<ApprovalRecord> {
    await this.#requireApprover(approver, id)
    return await this.#approvalRecord(id)
  }

  /** Approves or rejects a pending call; the decision, and any refusal, is audited. */
  async decide (id: string, approver: Caller, verdict: 'approve' | 'reject'): Promise<ApprovalRecord> {
    await this.#requireApprover(approver, id)
    const record = await this.#approvalRecord(id)
    // Four eyes: whoever asked for the call may withdraw it, but never be the one who lets it run.
    if (verdict === 'approve' && record.caller === approver.name && this.#opts.allowSelfApproval !== true) {
      const error = new AppError('SELF_APPROVAL', `${approver.name} asked for this call and so cannot approve it; another admin or approver must. (A single-admin server can allow it with APPROVAL_ALLOW_SELF=true.)`)
      await this.#auditApprovalRefusal(approver, id, error, record)
      throw error
    }
    const next: ApprovalRecord = { ...record, status: verdict === 'approve' ? 'approved' : 'rejected', decidedBy: approver.name, decidedAt: this.#iso() }
    const done = await this.#opts.store.replaceIf<ApprovalRecord>(approvalKey(id), (current) => current.status === 'pending', next)
    if (!done) throw new AppError('APPROVAL_DECIDED', `This request was already ${record.status} by ${record.decidedBy ?? 'someone'}.`)
    this.#step(verdict === 'approve' ? 'person-approved' : 'person-rejected')
    await this.#write({
      id: randomUUID(),
      time: this.#iso(),
      phase: 'decision',
      caller: approver.name,
      role: approver.role,
      transport: 'http',
      tool: record.tool,
      decision: verdict === 'approve' ? 'approved' : 'denied',
      calls: record.previews.map((p) => ({ method: p.method, path: p.path, destructive: true })),
      message: `${verdict === 'approve' ? 'approved' : 'rejected'} the call ${record.caller} asked for (approval ${id})${record.caller === approver.name ? ', their own request' : ''}`
    })
    return next
  }

  async #approvalRecord (id: string): Promise<ApprovalRecord> {
    const record = await this.#opts.store.get<ApprovalRecord>(approvalKey(id))
    if (record === undefined) throw new AppError('NOT_FOUND', 'No such approval request: it expired or never existed. Ask for the call again.')
    return record
  }

  async #requireApprover (caller: Caller, id: string): Promise<void> {
    if (!canApprove(caller.role)) {
      const error = new AppError('FORBIDDEN', `Only an admin or approver may see and decide approvals; the caller "${caller.name}" has the role ${caller.role}.`)
      await this.#auditApprovalRefusal(caller, id, error)
      throw error
    }
  }

  // Someone tried the approval API and was refused: who, which request, and why, like every other refusal.
  async #auditApprovalRefusal (caller: Caller, id: string, error: AppError, record?: ApprovalRecord): Promise<void> {
    await this.#write({
      id: randomUUID(),
      time: this.#iso(),
      phase: 'decision',
      caller: caller.name,
      role: caller.role,
      transport: 'http',
      tool: record?.tool ?? '(approval)',
      decision: 'denied',
      calls: record?.previews.map((p) => ({ method: p.method, path: p.path, destructive: true })) ?? [],
      code: error.code,
      message: `${error.message.slice(0, 400)} (approval ${id})`
    })
  }

  async #confirm (tool: ToolDefinition, destructive: Array<{ call: PlannedCall, reason: string }>, token: string | undefined, opts: CallOptions,
    base: AuditBase, calls: AuditEntry['calls'], readsOnly: ClusterAccess | undefined, member: FleetMember | undefined): Promise<AuditDecision> {
    const { tokens, store } = this.#opts
    const binding = { caller: opts.caller.name, digest: clusterCallsDigest(member?.name, destructive.map((d) => d.call)) }
    const payload = destructive.length === 1 ? destructive[0]?.call.payload : destructive.map((d) => d.call.payload)
    if (token !== undefined) {
      const checked = tokens.check(token, binding)
      if (!checked.ok) {
        const why = {
          malformed: 'it is not a confirm token',
          signature: 'it was not issued by this server (or was changed)',
          expired: 'it has expired',
          'other-caller': 'it was issued to another caller',
          'other-call': 'it was issued for a different call (another cluster, path, method or payload)'
        }[checked.problem]
        const error = new AppError('CONFIRMATION_INVALID', `The confirm token was refused: ${why}. Call ${tool.name} again without confirm to get a new preview and token.`, { details: { reason: checked.problem } })
        await this.#auditRefusal(base, calls, payload, error)
        throw error
      }
      // A shared store that lost its memory no longer knows which tokens were used: those from before are refused.
      const since = await store.validSince?.()
      if (since !== undefined && checked.claims.expiresAt - tokens.ttlMs < since) {
        const error = new AppError('CONFIRMATION_INVALID', `The confirm token was issued before the shared store was last emptied (a restart without persistence), so whether it was used is not known. Call ${tool.name} again without confirm for a new one.`, { details: { reason: 'store-reset' } })
        await this.#auditRefusal(base, calls, payload, error)
        throw error
      }
      let decision: AuditDecision = 'confirmed'
      const approvalId = checked.claims.approvalId
      if (approvalId !== undefined) {
        const record = await store.get<ApprovalRecord>(approvalKey(approvalId))
        if (record === undefined) {
          const error = new AppError('CONFIRMATION_INVALID', `The approval request has expired. Call ${tool.name} again without confirm to ask anew.`)
          await this.#auditRefusal(base, calls, payload, error)
          throw error
        }
        if (record.status === 'pending') {
          const error = new AppError('AWAITING_APPROVAL', `A person has not approved this call yet. Ask them to open ${this.#approveUrl(approvalId, opts)} ; then call ${tool.name} again with the same confirm token.`,
            { details: { approveUrl: this.#approveUrl(approvalId, opts), expiresAt: record.expiresAt } })
          await this.#auditRefusal(base, calls, payload, error, 'awaiting-approval')
          throw error
        }
        if (record.status === 'rejected') {
          this.#step('rejected')
          const error = new AppError('APPROVAL_REJECTED', `${record.decidedBy ?? 'A person'} rejected this call on the approval page; do not try it again unless asked.`)
          await this.#auditRefusal(base, calls, payload, error)
          throw error
        }
        decision = 'approved'
      }
      if (!(await store.useOnce(`confirm:${checked.claims.nonce}`, tokens.ttlMs))) {
        this.#step('reused')
        const error = new AppError('CONFIRMATION_INVALID', `The confirm token was used already; a token runs its call once. Call ${tool.name} again without confirm for a new one.`, { details: { reason: 'used' } })
        await this.#auditRefusal(base, calls, payload, error)
        throw error
      }
      this.#step(decision)
      return decision
    }

    const previews = await previewCalls(destructive, readsOnly)
    const text = previewText(previews) + (member !== undefined && (this.#fleet?.size ?? 0) > 1 ? ` on the cluster "${member.name}"` : '')
    if (opts.askPerson !== undefined) {
      const answer = await opts.askPerson({ tool: tool.name, text, previews })
      this.#step(answer === 'accept' ? 'confirmed' : 'declined')
      if (answer === 'accept') return 'confirmed'
      const error = new AppError('CONFIRMATION_DECLINED', `The person ${answer === 'decline' ? 'declined' : 'dismissed'} the confirmation, so nothing was done: ${text}`)
      await this.#auditRefusal(base, calls, payload, error, answer === 'decline' ? 'declined' : 'cancelled')
      throw error
    }

    let approvalId: string | undefined
    if (this.policy.confirmVia === 'approval') {
      approvalId = randomBytes(16).toString('base64url')
      const record: ApprovalRecord = {
        id: approvalId,
        status: 'pending',
        caller: opts.caller.name,
        tool: tool.name,
        ...(member === undefined ? {} : { cluster: member.name }),
        previews,
        createdAt: this.#iso(),
        expiresAt: new Date(this.#now() + tokens.ttlMs).toISOString()
      }
      await store.set(approvalKey(approvalId), record, tokens.ttlMs)
    }
    const { token: confirmToken, claims } = tokens.issue(binding, approvalId)
    const minutes = Math.round(tokens.ttlMs / 60_000)
    const approveUrl = approvalId === undefined ? undefined : this.#approveUrl(approvalId, opts)
    const how = approveUrl === undefined
      ? `To run it, show this to the user and, if they agree, call ${tool.name} again with the same arguments plus "confirm": "${confirmToken}" (valid ${minutes} min, this exact call only).`
      : `A person must approve it first at ${approveUrl} ; once approved, call ${tool.name} again with the same arguments plus "confirm": "${confirmToken}" (valid ${minutes} min).`
    const error = new AppError('CONFIRMATION_REQUIRED', `This call is destructive and was not run: ${text}, requested by ${opts.caller.name}. ${how}`, {
      details: { preview: text, requestedBy: opts.caller.name, previews, confirmToken, expiresAt: new Date(claims.expiresAt).toISOString(), ...(approveUrl === undefined ? {} : { approveUrl }) }
    })
    this.#step('requested')
    await this.#auditRefusal(base, calls, payload, error, 'confirmation-required')
    throw error
  }

  // Logging in replaces, and logging out ends, the one session every caller shares: an operator's decision, and in
  // read-only mode not even theirs to end (a read logs in again by itself; ending it only interrupts others).
  async #checkSessionChange (session: 'login' | 'logout', caller: Caller, base: Pick<AuditEntry, 'id' | 'caller' | 'role' | 'transport' | 'tool'>): Promise<void> {
    const what = session === 'login' ? 'Logging in replaces' : 'Logging out ends'
    let error: AppError | undefined
    if (!canChange(caller.role)) {
      error = new AppError('FORBIDDEN', `${what} the session every caller shares; the caller "${caller.name}" has the role ${caller.role}, which may only read.`)
    } else if (session === 'logout' && this.policy.mode === 'read-only') {
      error = new AppError('READ_ONLY', `${what} the session every caller shares, and this server runs with SCALE_MODE=read-only; the session ends by itself when idle.`)
    }
    if (error === undefined) return
    await this.#auditRefusal(base, [{ method: 'POST', path: `/${session}` }], undefined, error)
    throw error
  }

  #step (step: string): void {
    this.#opts.metrics?.confirmations.inc({ step })
  }

  #confirmable (tool: ToolDefinition, role: Role): boolean {
    return this.policy.mode === 'confirm' && this.policy.confirmVia !== 'deny' && tool.annotations.destructiveHint && !tool.annotations.readOnlyHint && canChange(role)
  }

  #access (client: HyperCoreClient | undefined, caller: Caller, plan: Pick<Plan, 'calls' | 'session'>, signal: AbortSignal | undefined, onChange?: (change: { status: number, taskTag?: string }) => void): ClusterAccess | undefined {
    if (client === undefined) return undefined
    return gatedCluster({ client, policy: this.policy, caller, plan, signal, extraSecrets: () => this.#opts.secrets ?? [], onChange })
  }

  #approveUrl (id: string, opts: CallOptions): string {
    const origin = this.#opts.publicUrl ?? opts.baseUrl ?? ''
    return `${origin.replace(/\/+$/, '')}/approvals/${id}`
  }

  #known (client?: HyperCoreClient): string[] {
    return [...(client?.knownSecrets() ?? []), ...(this.#opts.secrets ?? [])]
  }

  #payload (plan: Plan, client?: HyperCoreClient): { payload?: unknown } {
    const payload = payloadOf(plan)
    return payload === undefined ? {} : { payload: maskSecrets(structuredClone(payload), { known: this.#known(client) }).value }
  }

  // Reads on any of the caller's clusters, for tools that read across the fleet; checked by the policy like any read.
  #fleetAccess (caller: Caller, signal: AbortSignal | undefined): FleetAccess | undefined {
    const fleet = this.#fleet
    if (fleet === undefined) return undefined
    const manager = fleet.manager
    // Fleet Manager sees the whole organisation: what it answers is cut to the caller's clusters before anyone reads
    // it, matched by Fleet Manager's id where the cluster was found there, else by its cleaned name.
    const mine = (): (id: string, name: string) => FleetMember | undefined => {
      const visible = fleet.visibleTo(caller)
      const byId = new Map(visible.flatMap((m) => m.fleetManagerId === undefined ? [] : [[m.fleetManagerId, m] as const]))
      const byName = new Map(visible.filter((m) => m.fleetManagerId === undefined).map((m) => [m.name.toLowerCase(), m]))
      return (id, name) => byId.get(id) ?? byName.get(clusterNameFor(name).toLowerCase())
    }
    const inventory: FleetAccess['inventory'] = manager === undefined
      ? undefined
      : {
          clusters: async (own) => {
            const find = mine()
            return (await manager.clusters(own ?? signal)).flatMap((cluster) => {
              const member = find(cluster.id, cluster.name)
              return member === undefined ? [] : [{ member, cluster }]
            })
          },
          vms: async (query, limit, own) => {
            const find = mine()
            return (await manager.vms(query, limit, own ?? signal)).items.flatMap((vm) => {
              const member = find(vm.clusterId, vm.cluster)
              return member === undefined ? [] : [{ member, vm }]
            })
          }
        }
    return {
      ...(inventory === undefined ? {} : { inventory }),
      clusters: () => fleet.visibleTo(caller),
      reads: (member, own) => {
        // Resolved again through the caller's view: a member from elsewhere cannot reach outside the scope.
        const lease = fleet.lease(fleet.resolve(caller, member.name))
        const cluster = this.#access(lease.client, caller, { calls: [] }, own ?? signal) as ClusterAccess
        return { cluster, release: lease.release }
      }
    }
  }

  // What the policy file's cluster rules look at.
  #clusterOf (lease: Lease | undefined): { cluster?: { name: string, tags: readonly string[] } } {
    return lease === undefined ? {} : { cluster: { name: lease.member.name, tags: lease.member.tags } }
  }

  async #auditRefusal (base: Pick<AuditEntry, 'id' | 'caller' | 'role' | 'transport' | 'tool'>, calls: AuditEntry['calls'], payload: unknown, error: AppError, decision: AuditDecision = 'denied'): Promise<void> {
    const masked = payload === undefined ? {} : { payload: maskSecrets(structuredClone(payload), { known: this.#known() }).value }
    await this.#write({ ...base, time: this.#iso(), phase: 'decision', decision, calls, ...masked, code: error.code, message: error.message.slice(0, 500) })
  }

  async #write (entry: AuditEntry): Promise<void> {
    try {
      await this.#opts.audit.write(auditSafe(entry))
    } catch (err) {
      this.#opts.metrics?.auditFailures.inc()
      throw err
    }
  }

  // The call has happened: a result line that cannot be written is logged, not turned into a failure that invites a repeat.
  async #writeResult (entry: AuditEntry, log: Log): Promise<void> {
    try {
      await this.#opts.audit.write(auditSafe(entry))
    } catch {
      this.#opts.metrics?.auditFailures.inc()
      log.error({ tool: entry.tool, id: entry.id }, 'the call ran but its result could not be written to the audit')
    }
  }

  #iso (): string {
    return new Date(this.#now()).toISOString()
  }
}

// Refusal messages quote the confirm token they hand out ("call again with confirm: cfm1..."); the audit keeps the words, not the token.
function auditSafe (entry: AuditEntry): AuditEntry {
  return entry.message === undefined ? entry : { ...entry, message: maskConfirmTokens(entry.message) }
}

function approvalKey (id: string): string {
  return `approval:${id}`
}

// A published input with one of the gate's own optional fields (confirm, cluster) added, first or last.
function withGateField (input: TObject, name: string, schema: TSchema, where: 'first' | 'last'): TObject {
  const { properties, required: _required, type: _type, ...options } = input
  const field = { [name]: Type.Optional(schema) }
  return Type.Object(where === 'first' ? { ...field, ...properties } : { ...properties, ...field }, { ...options, additionalProperties: false })
}

// `cluster` belongs to the gate, not to the tool: taken out before the tool's own input is validated.
function takeCluster (raw: unknown, tool: ToolDefinition): { input: unknown, cluster?: string } {
  if (!tool.requiresCluster || raw === null || typeof raw !== 'object' || Array.isArray(raw) || !Object.hasOwn(raw, CLUSTER_FIELD)) return { input: raw }
  const { [CLUSTER_FIELD]: cluster, ...rest } = raw as Record<string, unknown>
  if (cluster === null || cluster === undefined || cluster === '') return { input: rest }
  if (typeof cluster !== 'string' || cluster.length > 256) {
    throw new AppError('VALIDATION_ERROR', `Invalid input for ${tool.name}: cluster must be a cluster's name (at most 256 characters; list_clusters shows them).`, { details: { fields: [{ field: CLUSTER_FIELD, message: 'must be a string of at most 256 characters' }] } })
  }
  return { input: rest, cluster }
}

function takeConfirm (raw: unknown, tool: ToolDefinition): { input: unknown, confirm?: string } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || !Object.hasOwn(raw, CONFIRM_FIELD) || Object.hasOwn(tool.input.properties, CONFIRM_FIELD)) {
    return { input: raw }
  }
  const { [CONFIRM_FIELD]: confirm, ...rest } = raw as Record<string, unknown>
  if (confirm === null || confirm === undefined || confirm === '') return { input: rest }
  if (typeof confirm !== 'string') {
    throw new AppError('VALIDATION_ERROR', `Invalid input for ${tool.name}: confirm must be the confirmToken string from a CONFIRMATION_REQUIRED answer.`, { details: { fields: [{ field: CONFIRM_FIELD, message: 'must be a string' }] } })
  }
  return { input: rest, confirm }
}

function payloadOf (plan: Plan): unknown {
  const payloads = plan.calls.filter((c) => c.payload !== undefined).map((c) => c.payload)
  return payloads.length === 0 ? undefined : payloads.length === 1 ? payloads[0] : payloads
}

function lastChange (changes: Array<{ status: number, taskTag?: string }>): { status?: number, taskTag?: string } {
  const last = changes.at(-1)
  return last === undefined ? {} : { status: last.status, ...(last.taskTag === undefined ? {} : { taskTag: last.taskTag }) }
}

function taskTagOf (output: unknown): { taskTag?: string } {
  const tag = output !== null && typeof output === 'object' ? (output as { taskTag?: unknown }).taskTag : undefined
  return typeof tag === 'string' && tag !== '' ? { taskTag: tag } : {}
}

function statusOf (err: AppError): { status?: number } {
  const details = err.details as { status?: unknown } | undefined
  return typeof details?.status === 'number' ? { status: details.status } : {}
}
