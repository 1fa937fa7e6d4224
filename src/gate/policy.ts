import { readConfigFile, type ConfigFile } from '../config-file.js'
import { AppError } from '../errors.js'
import { checkRule, firstMatch, type CallRule, type RuleSubject } from './call-rule.js'
import { DESTRUCTIVE_RULES } from './destructive-rules.js'
import { canChange, type Caller } from './identity.js'

/** What reaches the cluster: only reads; reads and changes, destructive ones after confirmation; everything. */
export const SCALE_MODES = ['read-only', 'confirm', 'full'] as const

/** One of the modes. */
export type ScaleMode = typeof SCALE_MODES[number]

/** How a destructive call is confirmed in `confirm` mode. */
export const CONFIRM_VIA = ['token', 'approval', 'deny'] as const

/** One of the confirmation channels. */
export type ConfirmVia = typeof CONFIRM_VIA[number]

/** The rules SCALE_POLICY_FILE adds. */
export interface PolicyRules {
  deny: CallRule[]
  /** When not empty, only calls matching one of these run (deny still wins). */
  allow: CallRule[]
  destructiveAdd: CallRule[]
  destructiveRemove: CallRule[]
}

/** A call the policy looks at: method, canonical path, payload, and whether it changes anything. */
export interface PolicyCall extends RuleSubject {
  mutating: boolean
}

/** The policy's answer for one call. */
export type Verdict =
  | { kind: 'allow', destructive: boolean, needsConfirmation: boolean, reason?: string }
  | { kind: 'deny', error: AppError }

/** No extra rules. */
export const EMPTY_RULES: PolicyRules = { deny: [], allow: [], destructiveAdd: [], destructiveRemove: [] }

/**
 * Decides, per caller and call, whether a call may reach the cluster and whether it is destructive. Role and mode
 * limits come first, then the policy file's deny and allow lists; destructiveness comes from the one default list
 * as the policy file extends or shrinks it.
 */
export class Policy {
  readonly mode: ScaleMode
  readonly confirmVia: ConfirmVia
  readonly rules: PolicyRules

  constructor (mode: ScaleMode, confirmVia: ConfirmVia, rules: PolicyRules = EMPTY_RULES) {
    this.mode = mode
    this.confirmVia = confirmVia
    this.rules = rules
  }

  /** Whether the caller may have changes made at all (role and mode); reads are always possible. */
  allowsChanges (caller: Caller): boolean {
    return canChange(caller.role) && this.mode !== 'read-only'
  }

  /** The verdict on one cluster call for a caller. */
  judge (caller: Caller, call: PolicyCall): Verdict {
    const what = `${call.method} ${call.path}`
    const denied = firstMatch(this.rules.deny, call)
    if (denied !== undefined) {
      return deny('POLICY_DENIED', `${what} is refused by a deny rule of SCALE_POLICY_FILE${denied.reason === undefined ? '' : ` (${denied.reason})`}.`, call)
    }
    if (this.rules.allow.length > 0 && firstMatch(this.rules.allow, call) === undefined) {
      return deny('POLICY_DENIED', `${what} is not in the allow list of SCALE_POLICY_FILE; only calls matching an allow rule run.`, call)
    }
    if (!call.mutating) return { kind: 'allow', destructive: false, needsConfirmation: false }
    if (!canChange(caller.role)) {
      return deny('FORBIDDEN', `${what} changes the cluster, and the caller "${caller.name}" has the role ${caller.role}, which may only read. An operator or admin token is needed.`, call)
    }
    if (this.mode === 'read-only') {
      return deny('READ_ONLY', `${what} changes the cluster, and this server runs with SCALE_MODE=read-only, so only reads reach the cluster. Set SCALE_MODE=confirm (or full) and restart to allow changes.`, call)
    }
    const reason = this.destructiveReason(call)
    if (reason === undefined) return { kind: 'allow', destructive: false, needsConfirmation: false }
    if (this.mode === 'confirm' && this.confirmVia === 'deny') {
      return deny('DESTRUCTIVE_DENIED', `${what} is destructive (${reason}), and this server refuses destructive calls (CONFIRM_VIA=deny). Ask the operator to run it another way.`, call)
    }
    return { kind: 'allow', destructive: true, needsConfirmation: this.mode === 'confirm', reason }
  }

  /** Why a call is destructive, or undefined when it is not (whatever the mode). */
  destructiveReason (call: RuleSubject): string | undefined {
    const added = firstMatch(this.rules.destructiveAdd, call)
    if (added !== undefined) return added.reason ?? 'marked destructive by SCALE_POLICY_FILE'
    const rule = firstMatch(DESTRUCTIVE_RULES, call)
    if (rule === undefined || firstMatch(this.rules.destructiveRemove, call) !== undefined) return undefined
    return rule.reason ?? 'destructive'
  }
}

function deny (code: 'POLICY_DENIED' | 'FORBIDDEN' | 'READ_ONLY' | 'DESTRUCTIVE_DENIED', message: string, call: PolicyCall): Verdict {
  return { kind: 'deny', error: new AppError(code, message, { details: { method: call.method, path: call.path } }) }
}

/**
 * Reads SCALE_POLICY_FILE (YAML or JSON):
 * `deny: [rule]`, `allow: [rule]`, `destructive: {add: [rule], remove: [rule]}`, where a rule is
 * `{method?, path, actionType?, reason?}`. A mistake stops the start with the line it is on.
 */
export function readPolicyFile (file: string, variable = 'SCALE_POLICY_FILE'): PolicyRules {
  const parsed: ConfigFile = readConfigFile(variable, file)
  const root = parsed.data ?? {}
  if (root === null || typeof root !== 'object' || Array.isArray(root)) parsed.fail([], 'must be a map with deny, allow and/or destructive')
  const doc = root as Record<string, unknown>
  for (const key of Object.keys(doc)) {
    if (!['deny', 'allow', 'destructive'].includes(key)) parsed.fail([key], `unknown key "${key}" (use deny, allow, destructive)`)
  }
  const list = (path: string[], value: unknown): CallRule[] => {
    if (value === undefined || value === null) return []
    if (!Array.isArray(value)) parsed.fail(path, `${path.join('.')} must be a list of rules`)
    return value.map((item, i) => {
      const problem = checkRule(item)
      if (problem !== undefined) parsed.fail(problem.key === undefined ? [...path, i] : [...path, i, problem.key], problem.message)
      return item as CallRule
    })
  }
  const destructive = doc.destructive ?? {}
  if (destructive === null || typeof destructive !== 'object' || Array.isArray(destructive)) parsed.fail(['destructive'], 'destructive must be a map with add and/or remove')
  for (const key of Object.keys(destructive)) {
    if (!['add', 'remove'].includes(key)) parsed.fail(['destructive', key], `unknown key "${key}" (use add, remove)`)
  }
  const d = destructive as Record<string, unknown>
  return {
    deny: list(['deny'], doc.deny),
    allow: list(['allow'], doc.allow),
    destructiveAdd: list(['destructive', 'add'], d.add),
    destructiveRemove: list(['destructive', 'remove'], d.remove)
  }
}
