import { badRequest, bodyObject, notFound, optBool, optInt, optString, taskAnswer, unixNow, type Handler } from './context.js'
import { copyVm } from './model.js'
import type { Rng } from './prng.js'
import type { SimulatorState } from './state.js'
import { TaskFailure } from './tasks.js'
import type { SnapshotRecord, VmRecord } from './types.js'
import { label, requireVm } from './vm-common.js'

/** Takes a snapshot of a VM's current definition and records it on the VM (used by the seed and by `POST /VirDomainSnapshot`). */
export function addSnapshot (state: SimulatorState, rng: Rng, vm: VmRecord, fields: Pick<SnapshotRecord, 'label' | 'type' | 'timestamp' | 'automatedTriggerTimestamp' | 'localRetainUntilTimestamp'> & { uuid?: string, replication?: boolean }): SnapshotRecord {
  vm.snapshotSerialNumber += 1
  vm.snapshotListSerialNumber += 1
  const domain = copyVm(vm)
  const snap: SnapshotRecord = {
    uuid: fields.uuid ?? state.newUUID(),
    domainUUID: vm.uuid,
    domain,
    deviceSnapshots: vm.blockDevs
      .filter((d) => d.type !== 'IDE_CDROM' && !d.disableSnapshotting)
      .map((d) => ({ uuid: state.newUUID(), blockDeviceUUID: d.uuid, type: d.type, capacity: d.capacity, slot: d.slot })),
    timestamp: fields.timestamp,
    label: fields.label,
    type: fields.type,
    automatedTriggerTimestamp: fields.automatedTriggerTimestamp,
    localRetainUntilTimestamp: fields.localRetainUntilTimestamp,
    remoteRetainUntilTimestamp: 0,
    blockCountDiffFromSerialNumber: vm.snapshotSerialNumber > 1 ? rng.int(100, 50_000) : -1,
    replication: fields.replication ?? true
  }
  vm.snapUUIDs.push(snap.uuid)
  vm.snapshotAllocationBlocks += snap.blockCountDiffFromSerialNumber > 0 ? snap.blockCountDiffFromSerialNumber : 0
  state.snapshots.set(snap.uuid, snap)
  return snap
}

const createSnapshot: Handler = ({ sim, body }) => {
  const { state } = sim
  const req = bodyObject(body)
  const domainUUID = optString(req, 'domainUUID')
  if (domainUUID === undefined || domainUUID === '') throw badRequest('domainUUID (the VM to snapshot) is required')
  const vm = requireVm(state, domainUUID)
  const snapLabel = optString(req, 'label') ?? ''
  const type = optString(req, 'type') ?? 'USER'
  const replication = optBool(req, 'replication')
  const localRetain = optInt(req, 'localRetainUntilTimestamp') ?? 0
  const uuid = state.newUUID()
  const tag = sim.tasks.start({
    description: `Snapshot ${label(vm)}${snapLabel === '' ? '' : ` ("${snapLabel}")`}`,
    objectUUIDs: [vm.uuid, uuid],
    run () {
      const current = state.vms.get(vm.uuid)
      if (current === undefined) throw new TaskFailure(`${label(vm)} no longer exists`)
      const now = unixNow(sim.clock)
      addSnapshot(state, state.rng, current, { uuid, label: snapLabel, type, timestamp: now, automatedTriggerTimestamp: type === 'AUTOMATED' ? now : 0, localRetainUntilTimestamp: localRetain, ...(replication === undefined ? {} : { replication }) })
    }
  })
  return taskAnswer(tag, uuid)
}

const deleteSnapshot: Handler = ({ sim, params }) => {
  const { state } = sim
  const uuid = params.uuid as string
  const snap = state.snapshots.get(uuid)
  if (snap === undefined) throw notFound('VirDomainSnapshot', uuid)
  const tag = sim.tasks.start({
    description: `Delete snapshot${snap.label === '' ? '' : ` "${snap.label}"`} of VM "${snap.domain.name}"`,
    objectUUIDs: [uuid, snap.domainUUID],
    run () {
      if (!state.snapshots.has(uuid)) throw new TaskFailure('The snapshot no longer exists')
      state.snapshots.delete(uuid)
      const vm = state.vms.get(snap.domainUUID)
      if (vm !== undefined) {
        vm.snapUUIDs = vm.snapUUIDs.filter((id) => id !== uuid)
        vm.snapshotListSerialNumber += 1
      }
    }
  })
  return taskAnswer(tag)
}

/** The snapshot operations, by `METHOD /template`. */
export const snapshotHandlers: Record<string, Handler> = {
  'POST /VirDomainSnapshot': createSnapshot,
  'DELETE /VirDomainSnapshot/{uuid}': deleteSnapshot
}
