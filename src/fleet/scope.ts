/** Which clusters a caller may see and use: names (globs with `*` and `?`, case ignored) or tags. Absent: all. */
export interface ClusterScope {
  clusters?: readonly string[]
  tags?: readonly string[]
}

/** What a scope and a policy rule look at in a cluster. */
export interface ClusterLabels {
  name: string
  tags: readonly string[]
}

const compiled = new Map<string, RegExp>()

/** Whether a cluster name matches a glob (`*` any run of characters, `?` one; case ignored). */
export function globMatches (glob: string, name: string): boolean {
  let re = compiled.get(glob)
  if (re === undefined) {
    const body = glob.split('').map((c) => c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('')
    re = new RegExp(`^${body}$`, 'i')
    if (compiled.size < 1000) compiled.set(glob, re)
  }
  return re.test(name)
}

/** Whether a cluster carries one of these tags (case ignored). */
export function hasTag (tags: readonly string[], wanted: readonly string[]): boolean {
  return wanted.some((w) => tags.some((t) => t.toLowerCase() === w.toLowerCase()))
}

/** Whether a cluster is inside a caller's scope: no scope means every cluster; else a name glob or a tag matches. */
export function inScope (scope: ClusterScope | undefined, cluster: ClusterLabels): boolean {
  if (scope === undefined) return true
  if (scope.clusters?.some((g) => globMatches(g, cluster.name)) === true) return true
  return scope.tags !== undefined && hasTag(cluster.tags, scope.tags)
}
