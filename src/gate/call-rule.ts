import { API_METHODS } from '../scale/canonical-path.js'
import { globMatches, hasTag, type ClusterLabels } from '../fleet/scope.js'

/** A pattern over cluster calls, as the default destructive list and SCALE_POLICY_FILE write them. */
export interface CallRule {
  /**
   * HTTP method or methods; absent or `*` matches any. `change` matches every method that changes something
   * (POST, PUT, PATCH, DELETE) and `read` matches GET.
   */
  method?: string | string[]
  /**
   * Path under /rest/v1: literal segments (compared case-insensitively, so changing the case cannot dodge a rule),
   * `*` or `{name}` for one segment, `**` for any number of segments. E.g. `/VirDomain/*`, `/**`.
   */
  path?: string
  /** A resource and everything below it, whatever the route: `VirDomain` is `/VirDomain/**`. */
  resource?: string
  /** The catalog's operation names (e.g. `updateVirDomain`): matches the operation whatever path spelling reaches it. */
  operationId?: string | string[]
  /** Only when the payload (an object, or any item of an array payload) has one of these `actionType` values. */
  actionType?: string[]
  /** Only on these clusters: names or globs (`store-*`), case ignored. */
  cluster?: string | string[]
  /** Only on clusters with one of these tags. */
  clusterTag?: string | string[]
  /** Why the rule exists, in a few words (shown in previews and the README). */
  reason?: string
}

/** The parts of a call a rule looks at. */
export interface RuleSubject {
  method: string
  /** Canonical path under /rest/v1. */
  path: string
  payload?: unknown
  /** The catalog's operation for this method and path; absent when the catalog does not know the call. */
  operationId?: string
  /** The cluster the call goes to. */
  cluster?: ClusterLabels
}

/** Whether a rule matches a call. */
export function ruleMatches (rule: CallRule, call: RuleSubject): boolean {
  const method = call.method.toUpperCase()
  const methods = rule.method === undefined ? ['*'] : Array.isArray(rule.method) ? rule.method : [rule.method]
  if (!methods.some((m) => methodMatches(m, method))) return false
  if (rule.path !== undefined && !pathMatches(rule.path, call.path)) return false
  if (rule.resource !== undefined && split(call.path)[0]?.toLowerCase() !== rule.resource.toLowerCase()) return false
  if (rule.operationId !== undefined) {
    const wanted = call.operationId?.toLowerCase()
    const ids = Array.isArray(rule.operationId) ? rule.operationId : [rule.operationId]
    if (wanted === undefined || !ids.some((id) => id.toLowerCase() === wanted)) return false
  }
  if (rule.cluster !== undefined) {
    const globs = Array.isArray(rule.cluster) ? rule.cluster : [rule.cluster]
    if (call.cluster === undefined || !globs.some((g) => globMatches(g, call.cluster?.name ?? ''))) return false
  }
  if (rule.clusterTag !== undefined) {
    if (call.cluster === undefined || !hasTag(call.cluster.tags, Array.isArray(rule.clusterTag) ? rule.clusterTag : [rule.clusterTag])) return false
  }
  if (rule.actionType !== undefined) {
    const wanted = new Set(rule.actionType.map((a) => a.toUpperCase()))
    return actionTypes(call.payload).some((a) => wanted.has(a))
  }
  return true
}

function methodMatches (pattern: string, method: string): boolean {
  const m = pattern.toLowerCase()
  if (m === '*') return true
  if (m === 'change') return method !== 'GET'
  if (m === 'read') return method === 'GET'
  return m.toUpperCase() === method
}

/** The operationIds a rule names, for checking them against the catalog. */
export function ruleOperations (rule: CallRule): string[] {
  return rule.operationId === undefined ? [] : Array.isArray(rule.operationId) ? rule.operationId : [rule.operationId]
}

/** The first rule of a list that matches a call. */
export function firstMatch (rules: readonly CallRule[], call: RuleSubject): CallRule | undefined {
  return rules.find((rule) => ruleMatches(rule, call))
}

/** The `actionType` values of a payload, upper-cased: `[{actionType: "stop"}]` gives ["STOP"]. */
export function actionTypes (payload: unknown): string[] {
  const items = Array.isArray(payload) ? payload : [payload]
  const out: string[] = []
  for (const item of items) {
    const value = item !== null && typeof item === 'object' ? (item as { actionType?: unknown }).actionType : undefined
    if (typeof value === 'string') out.push(value.toUpperCase())
  }
  return out
}

function pathMatches (pattern: string, path: string): boolean {
  const want = split(pattern)
  const have = split(path).map((s) => s.toLowerCase())
  // Classic glob walk with backtracking on `**`.
  const match = (i: number, j: number): boolean => {
    if (i === want.length) return j === have.length
    const seg = want[i] as string
    if (seg === '**') {
      for (let k = j; k <= have.length; k++) if (match(i + 1, k)) return true
      return false
    }
    if (j === have.length) return false
    if (seg === '*' || /^\{[^}]*\}$/.test(seg)) return match(i + 1, j + 1)
    return seg.toLowerCase() === have[j] && match(i + 1, j + 1)
  }
  return match(0, 0)
}

function split (path: string): string[] {
  return path.split('/').filter((s) => s !== '')
}

/** Problems with a rule as written by a person, or undefined when it is fine. */
export function checkRule (value: unknown): { key?: string, message: string } | undefined {
  const keys = ['method', 'path', 'resource', 'operationId', 'actionType', 'cluster', 'clusterTag', 'reason']
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { message: 'a rule must be a map with path, resource or operationId (and optionally method, actionType, reason)' }
  }
  const rule = value as Record<string, unknown>
  for (const key of Object.keys(rule)) {
    if (!keys.includes(key)) return { key, message: `unknown key "${key}" (use ${keys.join(', ')})` }
  }
  if (rule.path === undefined && rule.resource === undefined && rule.operationId === undefined && rule.cluster === undefined && rule.clusterTag === undefined) {
    return { message: 'a rule needs path, resource, operationId, cluster or clusterTag (e.g. path: /VirDomain/*, resource: VirDomain, operationId: updateVirDomain, cluster: store-*)' }
  }
  if (rule.path !== undefined) {
    if (typeof rule.path !== 'string' || !rule.path.startsWith('/')) return { key: 'path', message: 'path must be a string starting with / (e.g. /VirDomain/*)' }
    if (/[?#%\\]/.test(rule.path) || rule.path.includes('..')) {
      return { key: 'path', message: 'path is matched against canonical paths: no query string, %-escapes, backslashes or dot segments' }
    }
    if (/^\/rest\/v1(\/|$)/i.test(rule.path)) return { key: 'path', message: 'path is matched below /rest/v1: leave the prefix out (e.g. /VirDomain/*)' }
  }
  if (rule.resource !== undefined && (typeof rule.resource !== 'string' || !/^[A-Za-z][A-Za-z0-9]*$/.test(rule.resource))) {
    return { key: 'resource', message: 'resource must be a resource name such as VirDomain (no slashes)' }
  }
  for (const key of ['cluster', 'clusterTag'] as const) {
    const value = rule[key]
    if (value === undefined) continue
    const list = Array.isArray(value) ? value : [value]
    if (list.length === 0 || !list.every((v) => typeof v === 'string' && /^[A-Za-z0-9.*?_:/-]{1,63}$/.test(v))) {
      return { key, message: `${key} must be a cluster ${key === 'cluster' ? 'name or glob (store-*)' : 'tag'}, or a list of them` }
    }
  }
  if (rule.operationId !== undefined) {
    const ids = Array.isArray(rule.operationId) ? rule.operationId : [rule.operationId]
    if (ids.length === 0 || !ids.every((id) => typeof id === 'string' && /^[A-Za-z][A-Za-z0-9_]*$/.test(id))) {
      return { key: 'operationId', message: 'operationId must be an operation name such as updateVirDomain (or a list of them)' }
    }
  }
  const methods = rule.method === undefined ? [] : Array.isArray(rule.method) ? rule.method : [rule.method]
  for (const m of methods) {
    if (typeof m !== 'string' || (!['*', 'change', 'read'].includes(m.toLowerCase()) && !(API_METHODS as readonly string[]).includes(m.toUpperCase()))) {
      return { key: 'method', message: `method must be *, change, read or one of ${API_METHODS.join(', ')} (or a list of them)` }
    }
  }
  if (rule.actionType !== undefined && (!Array.isArray(rule.actionType) || !rule.actionType.every((a) => typeof a === 'string' && a !== ''))) {
    return { key: 'actionType', message: 'actionType must be a list of action names, e.g. [STOP, RESET]' }
  }
  if (rule.reason !== undefined && typeof rule.reason !== 'string') return { key: 'reason', message: 'reason must be text' }
  return undefined
}
