import { Type, type Static } from '@sinclair/typebox'
import { defineTool, requireFleet } from '../gate/tool.js'
import { OFF_STATES, readRecords, readVmHead, getRecords, type VmHead } from './support/cluster-records.js'
import { filtered, FLEET_READ, FleetFilterSchema, readEach, UnreadSchema } from './support/fleet-reads.js'

const ClusterRow = Type.Object({
  name: Type.String({ description: 'What to pass as `cluster` to the other tools.' }),
  site: Type.String({ description: '"" when none is configured.' }),
  tags: Type.Array(Type.String()),
  reachable: Type.Boolean({ description: 'False when it could not be read (`unread` says why).' }),
  version: Type.String({ description: 'HyperCore version; "" when not read.' }),
  updating: Type.Boolean({ description: 'True while an update runs: changes may be refused until it ends.' }),
  vmsRunning: Type.Integer(),
  vmsTotal: Type.Integer(),
  credentials: Type.Boolean({ description: 'False for a cluster Fleet Manager lists but this server holds no credentials for: listed, not callable.' }),
  health: Type.Optional(Type.String({ description: 'Fleet Manager\'s healthState (e.g. healthy), when it is the source.' })),
  online: Type.Optional(Type.Boolean({ description: 'Fleet Manager\'s onlineStatus, when it is the source.' }))
})

const OutputSchema = Type.Object({
  source: Type.String({ description: 'fleet-manager: one read of SC//Fleet Manager (as fresh as each cluster\'s last check-in); clusters: read from each cluster now.' }),
  total: Type.Integer({ description: 'Your clusters that match the filter.' }),
  clusters: Type.Array(ClusterRow, { description: 'In configured order; at most 200 (narrow with name, tag or site).' }),
  unread: Type.Array(UnreadSchema, { description: 'Clusters that could not be read, and why.' })
})

const SHOWN = 200

/** `list_clusters`: the caller's clusters with version, update state and VMs, read from each (bounded). */
export default defineTool({
  name: 'list_clusters',
  summary: 'List your clusters',
  description: 'The clusters you may use, each with site, tags, HyperCore version, whether it is updating and VMs running/total: from SC//Fleet Manager in one read when configured, else read from each cluster (up to 32 at once, 8 s each). Filter by name glob, tag or site. Pass a name as `cluster` to any other tool; fleet_health says what is wrong across them.',
  tags: ['Cluster'],
  input: Type.Object(FleetFilterSchema, { additionalProperties: false }),
  output: OutputSchema,
  ...FLEET_READ,
  async handler (input, ctx): Promise<Static<typeof OutputSchema>> {
    const fleet = requireFleet(ctx)
    const members = filtered(fleet, input)
    const shown = members.slice(0, SHOWN)
    if (fleet.inventory !== undefined) {
      const known = new Map((await fleet.inventory.clusters(ctx.signal)).map((r) => [r.member.name, r.cluster]))
      return {
        source: 'fleet-manager',
        total: members.length,
        clusters: shown.map((m) => {
          const c = known.get(m.name)
          return {
            name: m.name,
            site: m.site ?? '',
            tags: [...m.tags],
            reachable: c?.onlineStatus === 'online',
            version: c?.version ?? '',
            updating: c?.updating ?? false,
            vmsRunning: c?.vmRunning ?? 0,
            vmsTotal: c?.vmTotal ?? 0,
            credentials: m.credentials,
            ...(c === undefined ? {} : { health: c.healthState, online: c.onlineStatus === 'online' })
          }
        }),
        unread: shown.filter((m) => !known.has(m.name)).map((m) => ({ cluster: m.name, code: 'NOT_IN_FLEET_MANAGER', message: 'Fleet Manager does not list this cluster (configured here only).' }))
      }
    }
    const results = await readEach(fleet, shown, async (cluster) => {
      const [update, record, vms] = await Promise.all([cluster.updateStatus(), getRecords(cluster, '/Cluster'), readRecords(cluster, '/VirDomain', readVmHead)])
      const first = record[0] as Record<string, unknown> | undefined
      return { update: update.state === 'updating', version: typeof first?.icosVersion === 'string' ? first.icosVersion : '', vms: vms as VmHead[] }
    }, { signal: ctx.signal, progress: ctx.progress })
    return {
      source: 'clusters',
      total: members.length,
      clusters: results.map((r) => ({
        name: r.member.name,
        site: r.member.site ?? '',
        tags: [...r.member.tags],
        reachable: r.ok,
        version: r.ok ? r.value.version : '',
        updating: r.ok && r.value.update,
        vmsRunning: r.ok ? r.value.vms.filter((vm) => !OFF_STATES.has(vm.state)).length : 0,
        vmsTotal: r.ok ? r.value.vms.length : 0,
        credentials: r.member.credentials
      })),
      unread: results.flatMap((r) => r.ok ? [] : [{ cluster: r.member.name, code: r.code, message: r.message }])
    }
  }
})
