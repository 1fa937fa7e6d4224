import { actionTypes } from './call-rule.js'
import type { ClusterAccess } from './cluster-access.js'
import type { PlannedCall } from './plan.js'

/** A destructive call described for the person who has to approve it. */
export interface CallPreview {
  method: string
  path: string
  /** e.g. `DELETE VM 'web-01' (RUNNING, 2 disks, 3 snapshots)`. */
  text: string
  /** Why the call counts as destructive. */
  reason: string
}

type Lookup = (path: string) => Promise<Record<string, unknown> | undefined>

/**
 * Describes destructive calls in plain words from the cluster's current state: the VM's name, its power state, how
 * many disks and snapshots it has. A lookup that fails only makes the text plainer; it never fails the call.
 */
export async function previewCalls (calls: ReadonlyArray<{ call: PlannedCall, reason: string }>, cluster: ClusterAccess | undefined): Promise<CallPreview[]> {
  const cache = new Map<string, Promise<Record<string, unknown> | undefined>>()
  const lookup: Lookup = async (path) => {
    if (cluster === undefined || !/^\/[A-Za-z]+\/[A-Za-z0-9._:-]+$/.test(path)) return undefined
    let pending = cache.get(path)
    if (pending === undefined) {
      pending = cluster.call('GET', path).then((res) => firstRecord(res.data), () => undefined)
      cache.set(path, pending)
    }
    return await pending
  }
  return await Promise.all(calls.map(async ({ call, reason }) => ({
    method: call.method,
    path: call.path + (call.search ?? ''),
    text: await describeCall(call, lookup),
    reason
  })))
}

/** The previews as one block of text, a line each. */
export function previewText (previews: readonly CallPreview[]): string {
  return previews.map((p) => `${p.text} — ${p.reason}`).join('\n')
}

async function describeCall (call: PlannedCall, lookup: Lookup): Promise<string> {
  const segments = call.path.split('/').filter(Boolean)
  const [resource, id] = segments
  if (call.method === 'POST' && call.path === '/VirDomain/action') {
    const items = Array.isArray(call.payload) ? call.payload : [call.payload]
    const lines = await Promise.all(items.map(async (item) => {
      const action = actionTypes([item])[0] ?? 'ACTION'
      const uuid = typeof (item as { virDomainUUID?: unknown } | null)?.virDomainUUID === 'string' ? (item as { virDomainUUID: string }).virDomainUUID : undefined
      const vm = uuid === undefined ? undefined : await describeVm(uuid, lookup)
      const target = action === 'LIVEMIGRATE' ? await describeNode((item as { nodeUUID?: unknown }).nodeUUID, lookup) : ''
      return `${action} ${vm ?? `VM ${uuid ?? '(no virDomainUUID given)'}`}${target}`
    }))
    return lines.join('; ')
  }
  if (resource === 'VirDomain' && id !== undefined && segments.length === 2) {
    return `${call.method} ${(await describeVm(id, lookup)) ?? `VM ${id}`}`
  }
  if (resource === 'VirDomainSnapshot' && id !== undefined) {
    const snap = await lookup(`/VirDomainSnapshot/${id}`)
    if (snap !== undefined) {
      const domain = snap.domain as Record<string, unknown> | undefined
      const label = typeof snap.label === 'string' && snap.label !== '' ? `'${snap.label}'` : id
      const of = typeof domain?.name === 'string' ? ` of VM '${domain.name}'` : ''
      const when = typeof snap.timestamp === 'number' && snap.timestamp > 0 ? `, taken ${new Date(snap.timestamp * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC` : ''
      return `${call.method} snapshot ${label}${of}${when}`
    }
  }
  if ((resource === 'VirDomainBlockDevice' || resource === 'VirDomainNetDevice') && id !== undefined) {
    const device = await lookup(`/${resource}/${id}`)
    if (device !== undefined) {
      const vm = typeof device.virDomainUUID === 'string' ? await describeVm(device.virDomainUUID, lookup) : undefined
      const kind = resource === 'VirDomainBlockDevice' ? `disk ${String(device.type ?? '')}`.trim() : `NIC ${String(device.macAddress ?? '')}`.trim()
      const size = typeof device.capacity === 'number' ? ` (${formatBytes(device.capacity)})` : ''
      return `${call.method} ${kind}${size}${vm === undefined ? '' : ` of ${vm}`}`
    }
  }
  if (resource === 'User' && id !== undefined) {
    const user = await lookup(`/User/${id}`)
    if (typeof user?.username === 'string') return `${call.method} user '${user.username}'`
  }
  if (resource !== undefined && id !== undefined && segments.length === 2) {
    const record = await lookup(`/${resource}/${id}`)
    const name = record === undefined ? undefined : ['name', 'label', 'clusterName', 'username', 'host'].map((k) => record[k]).find((v) => typeof v === 'string' && v !== '')
    if (typeof name === 'string') return `${call.method} ${resource} '${name}' (${id})`
  }
  return `${call.method} ${call.path}${call.search ?? ''}`
}

async function describeVm (uuid: string, lookup: Lookup): Promise<string | undefined> {
  const vm = await lookup(`/VirDomain/${uuid}`)
  if (vm === undefined) return undefined
  const name = typeof vm.name === 'string' ? vm.name : uuid
  const facts: string[] = []
  if (typeof vm.state === 'string') facts.push(vm.state)
  const disks = Array.isArray(vm.blockDevs) ? vm.blockDevs.filter((d) => (d as { type?: unknown }).type !== 'IDE_CDROM').length : undefined
  if (disks !== undefined) facts.push(`${disks} disk${disks === 1 ? '' : 's'}`)
  if (Array.isArray(vm.snapUUIDs)) facts.push(`${vm.snapUUIDs.length} snapshot${vm.snapUUIDs.length === 1 ? '' : 's'}`)
  return `VM '${name}'${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`
}

async function describeNode (nodeUUID: unknown, lookup: Lookup): Promise<string> {
  if (typeof nodeUUID !== 'string') return ' to (no nodeUUID given)'
  const node = await lookup(`/Node/${nodeUUID}`)
  const address = typeof node?.lanIP === 'string' ? node.lanIP : nodeUUID
  return ` to node ${address}`
}

function firstRecord (data: unknown): Record<string, unknown> | undefined {
  const record = Array.isArray(data) ? data[0] : data
  return record !== null && typeof record === 'object' && !Array.isArray(record) ? record as Record<string, unknown> : undefined
}

function formatBytes (bytes: number): string {
  const gib = bytes / 1024 ** 3
  return gib >= 1 ? `${Number(gib.toFixed(1))} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`
}
