import { Type, type Static } from '@sinclair/typebox'
import { defineTool, requireFleet } from '../gate/tool.js'
import { healthOf } from './cluster-health.js'
import { filtered, FLEET_READ, FleetFilterSchema, readEach, UnreadSchema } from './support/fleet-reads.js'

const WORST_SHOWN = 25
const UNREAD_SHOWN = 25

const OutputSchema = Type.Object({
  summary: Type.String({ description: 'One line: how many clusters are well, have problems, are updating or could not be read.' }),
  total: Type.Integer({ description: 'Your clusters that match the filter.' }),
  healthy: Type.Integer({ description: 'Read, and nothing wrong.' }),
  withProblems: Type.Integer({ description: 'Read, and something wrong (an update running counts).' }),
  updating: Type.Integer(),
  unreadCount: Type.Integer({ description: 'Could not be read: never counted as healthy.' }),
  worst: Type.Array(Type.Object({
    cluster: Type.String(),
    site: Type.String(),
    problems: Type.Integer(),
    first: Type.String({ description: 'Its first problem, most serious first.' })
  }), { description: `Clusters with problems, most problems first; at most ${WORST_SHOWN} (cluster_health with \`cluster\` tells the rest of one).` }),
  unread: Type.Array(UnreadSchema, { description: `At most ${UNREAD_SHOWN}.` })
})

/** `fleet_health`: cluster_health across the caller's clusters, problems first, within the host's wait and the answer budget. */
export default defineTool({
  name: 'fleet_health',
  summary: 'What is wrong across your clusters?',
  description: 'cluster_health on each of your clusters (or those matching a name glob, tag or site), up to 32 at once, 8 s each, 18 s in all: a summary, the worst clusters with their first problem (failed drives, offline nodes, crashed VMs, raised conditions, updates) and the clusters that could not be read, never counted healthy. Then cluster_health with `cluster` for one.',
  tags: ['Cluster'],
  input: Type.Object(FleetFilterSchema, { additionalProperties: false }),
  output: OutputSchema,
  ...FLEET_READ,
  async handler (input, ctx): Promise<Static<typeof OutputSchema>> {
    const fleet = requireFleet(ctx)
    const members = filtered(fleet, input)
    const results = await readEach(fleet, members, healthOf, { signal: ctx.signal, progress: ctx.progress })
    const read = results.flatMap((r) => r.ok ? [{ member: r.member, health: r.value }] : [])
    const unread = results.flatMap((r) => r.ok ? [] : [{ cluster: r.member.name, code: r.code, message: r.message }])
    const sick = read.filter((r) => !r.health.ok).sort((a, b) => b.health.problems.length - a.health.problems.length)
    const updating = read.filter((r) => r.health.update.state === 'updating').length
    const healthy = read.length - sick.length
    const parts = [`${healthy} of ${members.length} cluster${members.length === 1 ? '' : 's'} well`]
    if (sick.length > 0) parts.push(`${sick.length} with problems${updating > 0 ? ` (${updating} updating)` : ''}`)
    if (unread.length > 0) parts.push(`${unread.length} not read (${[...new Set(unread.map((u) => u.code))].join(', ')})`)
    const worst = sick[0]
    return {
      summary: `${parts.join(', ')}.${worst === undefined ? '' : ` Worst: ${worst.member.name}: ${worst.health.problems[0] ?? ''}`}`.slice(0, 600),
      total: members.length,
      healthy,
      withProblems: sick.length,
      updating,
      unreadCount: unread.length,
      worst: sick.slice(0, WORST_SHOWN).map((r) => ({ cluster: r.member.name, site: r.member.site ?? '', problems: r.health.problems.length, first: (r.health.problems[0] ?? '').slice(0, 300) })),
      unread: unread.slice(0, UNREAD_SHOWN)
    }
  }
})
