import { Type, type Static } from '@sinclair/typebox'
import type { Plan } from '../gate/plan.js'
import { fitArray } from './support/fit-result.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import { plannedCall, readRecords, readSnapshot, resolveVm, type SnapshotInfo } from './support/cluster-records.js'
import { SnapshotRowSchema } from './snapshot-vm.js'
import { formatUnixTime } from './support/units.js'
import { nameArgument } from './support/argument-limits.js'

const MAX_ROWS = 50
// Room for total, returned and notes inside ANSWER_MAX_BYTES.
const ENVELOPE_BYTES = 512

const OutputSchema = Type.Object({
  total: Type.Integer({ description: 'How many snapshots there are, all of them, not only those shown.' }),
  returned: Type.Integer(),
  snapshots: Type.Array(SnapshotRowSchema, { description: 'Newest first.' }),
  notes: Type.Optional(Type.Array(Type.String()))
})

/** A snapshot's row. */
export function snapshotRow (snap: SnapshotInfo, vmName?: string): Static<typeof SnapshotRowSchema> {
  return { uuid: snap.uuid, label: snap.label, vm: vmName ?? snap.vmName, type: snap.type, taken: formatUnixTime(snap.timestamp) ?? '' }
}

/** `list_snapshots`: snapshots of one VM or of all, newest first. */
export default defineTool({
  name: 'list_snapshots',
  summary: 'List snapshots',
  description: `Snapshots, newest first (${MAX_ROWS} at most; total counts all).`,
  tags: ['Snapshots'],
  input: Type.Object({
    vm: Type.Optional(nameArgument('Only this VM\'s (name or UUID).'))
  }, { additionalProperties: false }),
  output: OutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  requiresCluster: true,
  async plan (input, ctx): Promise<Plan<{ vmUUID?: string, vmName?: string }>> {
    const vm = input.vm === undefined ? undefined : await resolveVm(requireCluster(ctx), input.vm)
    return { calls: [plannedCall(ctx.catalog, 'GET', '/VirDomainSnapshot')], prepared: vm === undefined ? {} : { vmUUID: vm.uuid, vmName: vm.name } }
  },
  async handler (_input, ctx) {
    const { vmUUID, vmName } = ctx.plan.prepared
    // `?domainUUID=` filters answer 400 on real clusters: list and filter here.
    const snaps = (await readRecords(requireCluster(ctx), '/VirDomainSnapshot', readSnapshot)).filter((s) => vmUUID === undefined || s.vmUUID === vmUUID)
    snaps.sort((a, b) => b.timestamp - a.timestamp || a.uuid.localeCompare(b.uuid))
    const budget = Math.max(1024, ctx.answerMaxBytes - ENVELOPE_BYTES)
    const rows = fitArray(snaps.slice(0, MAX_ROWS).map((snap) => snapshotRow(snap, vmName)), budget)
    const notes = rows.length < snaps.length ? [`Showing the newest ${rows.length} of ${snaps.length}${vmUUID === undefined ? '; give vm to see one VM\'s' : ''}.`] : []
    return { total: snaps.length, returned: rows.length, snapshots: rows, ...(notes.length === 0 ? {} : { notes }) }
  }
})
