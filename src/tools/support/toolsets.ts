/** The groups of tools TOOLSETS can publish: the API explorer and session tools, everyday VM work, the cluster's health. */
export const TOOLSETS = ['core', 'vm', 'cluster'] as const

/** One toolset. */
export type Toolset = typeof TOOLSETS[number]

/**
 * What is published when TOOLSETS is not set: every toolset, so everyday VM work needs no HyperCore paths and the raw
 * API stays at hand. `npm run bench -- typed-tools` measures it: an operator's list (what a bare MCP_BEARER_TOKEN
 * sees) in confirm mode stays within the ~3,400 tokens a default tool list may cost.
 */
export const DEFAULT_TOOLSETS: readonly Toolset[] = [...TOOLSETS]

/** Reads TOOLSETS (`core`, `vm`, `cluster`, `all`, or a comma-separated mix such as `core,vm`); throws a message naming the bad word. */
export function parseToolsets (text: string): Toolset[] {
  const words = text.split(',').map((w) => w.trim().toLowerCase()).filter((w) => w !== '')
  if (words.length === 0) throw new Error(`name at least one of ${[...TOOLSETS, 'all'].join(', ')}`)
  const out = new Set<Toolset>()
  for (const word of words) {
    if (word === 'all') {
      for (const t of TOOLSETS) out.add(t)
    } else if ((TOOLSETS as readonly string[]).includes(word)) {
      out.add(word as Toolset)
    } else {
      throw new Error(`"${word}" is not a toolset; use ${[...TOOLSETS, 'all'].join(', ')} or a comma-separated mix such as core,vm`)
    }
  }
  return TOOLSETS.filter((t) => out.has(t))
}
