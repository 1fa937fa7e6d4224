import { Type, type Static } from '@sinclair/typebox'
import { defineTool, requireFleet } from '../gate/tool.js'
import { OFF_STATES, readRecords, readVmHead, type VmHead } from './support/cluster-records.js'
import { filtered, FLEET_READ, FleetFilterSchema, readEach, UnreadSchema } from './support/fleet-reads.js'

const SHOWN = 100
// Fleet Manager is asked for this many matches at most; the caller's share of them is what is shown.
const INVENTORY_LIMIT = 2000

const OutputSchema = Type.Object({
  source: Type.String({ description: 'fleet-manager (one read, as fresh as each cluster\'s last check-in) or clusters (read from each now).' }),
  total: Type.Integer({ description: 'Matching VMs found on your clusters.' }),
  vms: Type.Array(Type.Object({
    cluster: Type.String({ description: 'Pass it as `cluster` to get_vm, vm_action and the other VM tools.' }),
    name: Type.String(),
    uuid: Type.String(),
    running: Type.Boolean(),
    state: Type.String({ description: 'The cluster\'s state (RUNNING, SHUTOFF, ...); "RUNNING" or "OFF" from Fleet Manager.' }),
    tags: Type.Array(Type.String())
  }), { description: `At most ${SHOWN}, by cluster then name.` }),
  unread: Type.Array(UnreadSchema, { description: 'Clusters that could not be read (clusters source only).' })
})

/** `find_vms`: VMs by name, tag or state across the caller's clusters, each with its cluster. */
export default defineTool({
  name: 'find_vms',
  summary: 'Find VMs across your clusters',
  description: 'VMs whose name contains `vm` (case ignored), with a tag, or stopped/running, across your clusters (or those matching cluster filters), each with its cluster: from SC//Fleet Manager in one read when configured, else from each cluster (32 at once, 8 s each). E.g. "which stores have a stopped POS VM": {"vm":"pos","running":false}. Then act on one with get_vm or vm_action and its `cluster`.',
  tags: ['VMs'],
  input: Type.Object({
    vm: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Part of the VM name (case ignored).' })),
    vmTag: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only VMs with this tag.' })),
    running: Type.Optional(Type.Boolean({ description: 'true: only running VMs; false: only VMs that are not running.' })),
    ...FleetFilterSchema
  }, { additionalProperties: false }),
  output: OutputSchema,
  ...FLEET_READ,
  async handler (input, ctx): Promise<Static<typeof OutputSchema>> {
    const fleet = requireFleet(ctx)
    const members = filtered(fleet, input)
    const wantedClusters = new Set(members.map((m) => m.name))
    const nameHas = input.vm?.toLowerCase()
    const tag = input.vmTag?.toLowerCase()
    const matches = (name: string, tags: readonly string[], running: boolean): boolean =>
      (nameHas === undefined || name.toLowerCase().includes(nameHas)) &&
      (tag === undefined || tags.some((t) => t.toLowerCase() === tag)) &&
      (input.running === undefined || input.running === running)
    type Row = Static<typeof OutputSchema>['vms'][number]
    let rows: Row[]
    let unread: Static<typeof OutputSchema>['unread'] = []
    let source: string
    if (fleet.inventory !== undefined) {
      source = 'fleet-manager'
      const found = await fleet.inventory.vms(input.vm ?? input.vmTag ?? '', INVENTORY_LIMIT, ctx.signal)
      rows = found.filter((f) => wantedClusters.has(f.member.name) && matches(f.vm.name, f.vm.tags, f.vm.running))
        .map((f) => ({ cluster: f.member.name, name: f.vm.name, uuid: f.vm.id, running: f.vm.running, state: f.vm.running ? 'RUNNING' : 'OFF', tags: f.vm.tags }))
    } else {
      source = 'clusters'
      const results = await readEach(fleet, members, async (cluster) => await readRecords(cluster, '/VirDomain', readVmHead) as VmHead[], { signal: ctx.signal, progress: ctx.progress })
      rows = results.flatMap((r) => r.ok
        ? r.value.filter((vm) => matches(vm.name, vm.tags, !OFF_STATES.has(vm.state))).map((vm) => ({ cluster: r.member.name, name: vm.name, uuid: vm.uuid, running: !OFF_STATES.has(vm.state), state: vm.state, tags: vm.tags }))
        : [])
      unread = results.flatMap((r) => r.ok ? [] : [{ cluster: r.member.name, code: r.code, message: r.message }])
    }
    rows.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.name.localeCompare(b.name))
    return { source, total: rows.length, vms: rows.slice(0, SHOWN), unread: unread.slice(0, 25) }
  }
})
