import { readConfigFile, type ConfigFile } from '../config/file.js'
import { AppError } from '../errors/app-error.js'
import { checkRule, firstMatch, ruleOperations, type CallRule, type RuleSubject } from './call-rule.js'
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
  /** Stops the start when a rule names an operation the catalog does not have (a misspelt deny would never match). */
  checkOperations?: (known: (operationId: string) => boolean) => void
}

/** The catalog's operationId for a method and canonical path, or undefined when the catalog does not know the call. */
export type OperationLookup = (method: string, path: string) => string | undefined

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

  readonly #operationOf: OperationLookup

  /** `operationOf` is the catalog's view of a call: what it does not know counts as an unknown change. */
  constructor (mode: ScaleMode, confirmVia: ConfirmVia, rules: PolicyRules, operationOf: OperationLookup) {
    this.mode = mode
    this.confirmVia = confirmVia
    this.rules = rules
    this.#operationOf = operationOf
  }

  /** Whether the caller may have changes made at all (role and mode); reads are always possible. */
  allowsChanges (caller: Caller): boolean {
    return canChange(caller.role) && this.mode !== 'read-only'
  }

  /** The verdict on one cluster call for a caller. */
  judge (caller: Caller, subject: PolicyCall): Verdict {
    const call = this.#withOperation(subject)
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
  destructiveReason (subject: RuleSubject): string | undefined {
    const call = this.#withOperation(subject)
    const added = firstMatch(this.rules.destructiveAdd, call)
    if (added !== undefined) return added.reason ?? 'marked destructive by SCALE_POLICY_FILE'
    if (firstMatch(this.rules.destructiveRemove, call) !== undefined) return undefined
    const rule = firstMatch(DESTRUCTIVE_RULES, call)
    if (rule !== undefined) return rule.reason ?? 'destructive'
    // Fail closed: a change the catalog cannot name may do anything, so a person looks at it first.
    if (call.method.toUpperCase() !== 'GET' && call.operationId === undefined) return 'not a known operation of the API catalog, so it is treated as destructive'
    return undefined
  }

  // The operation comes from the catalog, never from the caller or the tool: a rule on it holds whatever path spelling reaches it.
  #withOperation<T extends RuleSubject> (call: T): T {
    const operationId = this.#operationOf(call.method, call.path)
    return operationId === call.operationId ? call : { ...call, operationId }
  }
}

function deny (code: 'POLICY_DENIED' | 'FORBIDDEN' | 'READ_ONLY' | 'DESTRUCTIVE_DENIED', message: string, call: PolicyCall): Verdict {
  return { kind: 'deny', error: new AppError(code, message, { details: { method: call.method, path: call.path } }) }
}

/**
 * Reads SCALE_POLICY_FILE (YAML or JSON):
 * `deny: [rule]`, `allow: [rule]`, `destructive: {add: [rule], remove: [rule]}`, where a rule is
 * `{method?, path?, resource?, operationId?, actionType?, reason?}`. A mistake stops the start with the line it is on;
 * an operationId the catalog lacks is caught once the catalog is loaded (`checkOperations`).
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
  const lists: Array<[string[], CallRule[]]> = [
    [['deny'], list(['deny'], doc.deny)],
    [['allow'], list(['allow'], doc.allow)],
    [['destructive', 'add'], list(['destructive', 'add'], d.add)],
    [['destructive', 'remove'], list(['destructive', 'remove'], d.remove)]
  ]
  return {
    deny: lists[0]?.[1] ?? [],
    allow: lists[1]?.[1] ?? [],
    destructiveAdd: lists[2]?.[1] ?? [],
    destructiveRemove: lists[3]?.[1] ?? [],
    checkOperations (known) {
      for (const [path, rules] of lists) {
        rules.forEach((rule, i) => {
          for (const id of ruleOperations(rule)) {
            if (!known(id)) parsed.fail([...path, i, 'operationId'], `operationId "${id}" is not an operation of the API catalog (describe_endpoint and query_api show operation names)`)
          }
        })
      }
    }
  }
}
