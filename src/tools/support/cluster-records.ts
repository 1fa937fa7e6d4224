import type { Catalog } from '../../catalog/catalog.js'
import { AppError, isAppError } from '../../errors/app-error.js'
import type { ClusterAccess } from '../../gate/cluster-access.js'
import type { Role } from '../../gate/identity.js'
import type { PlannedCall } from '../../gate/plan.js'
import type { ApiMethod } from '../../scale/canonical-path.js'
import { closestNames, type Candidate } from '../../text/closest-names.js'

/** A VM's disk, CD-ROM or other block device, as the typed tools read it. */
export interface DiskInfo {
  uuid: string
  type: string
  slot: number
  capacity: number
  /** For a CD-ROM: the ISO's name or path. */
  name: string
}

/** A VM's network interface, as the typed tools read it. */
export interface NicInfo {
  uuid: string
  type: string
  mac: string
  vlan: number
  connected: boolean
  ips: string[]
}

/** A VM (VirDomain record) with the fields the typed tools use; missing fields read as empty. */
export interface VmInfo {
  uuid: string
  name: string
  description: string
  /** RUNNING, SHUTOFF, PAUSED, BLOCKED, SHUTDOWN or CRASHED. */
  state: string
  /** The node it runs on; '' when off. */
  nodeUUID: string
  cpus: number
  memBytes: number
  tags: string[]
  disks: DiskInfo[]
  nics: NicInfo[]
  bootDevices: string[]
  snapUUIDs: string[]
  snapshotScheduleUUID: string
  machineType: string
  /** bios, uefi or tpm on clusters that report it; '' otherwise. */
  machineTypeKeyword: string
  operatingSystem: string
}

/** A snapshot (VirDomainSnapshot record) as the typed tools read it. */
export interface SnapshotInfo {
  uuid: string
  vmUUID: string
  /** The VM's name when the snapshot was taken. */
  vmName: string
  label: string
  type: string
  /** Unix seconds. */
  timestamp: number
  disks: number
}

/** A node as the typed tools read it. */
export interface NodeInfo {
  uuid: string
  lanIP: string
  peerID: string
  online: boolean
  record: Record<string, unknown>
}

/** The roles the typed tools that change something are offered to (readers and approvers could only be refused). */
export const CHANGE_ROLES: readonly Role[] = ['operator', 'admin']

/** VM power states in which the VM is off (a crashed VM is not running either). */
export const OFF_STATES: ReadonlySet<string> = new Set(['SHUTOFF', 'SHUTDOWN', 'CRASHED'])

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const CANDIDATES = 5
// Same-named records listed by NAME_AMBIGUOUS (list_vms shows them all); a candidate's name is cut after this many characters.
const AMBIGUOUS_SHOWN = 20
const CANDIDATE_NAME_CHARS = 80

/** True for a string shaped like a HyperCore UUID. */
export function looksLikeUuid (text: string): boolean {
  return UUID.test(text)
}

/**
 * What a record reader does to each string it reads: nothing for a masked answer, masking for an unmasked one
 * (readRecords). A reader masks a string before it splits, trims or compares it, as masking the whole answer first would.
 */
export type ReadText = (text: string) => string

const asIs: ReadText = (text) => text

function str (value: unknown, text: ReadText = asIs): string {
  return typeof value === 'string' ? text(value) : typeof value === 'number' ? String(value) : ''
}

function num (value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0
}

function list (value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

function obj (value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {}
}

/** The tags of a record: HyperCore keeps them as one comma-separated string. */
export function splitTags (tags: unknown, text: ReadText = asIs): string[] {
  return str(tags, text).split(',').map((t) => t.trim()).filter((t) => t !== '')
}

// The record readers read no secret-named field (a test proves it), so masking each string they read gives what
// reading the masked record gives: the whole answer need not be masked first.
/** Reads a VirDomain record; `text` masks each string read from an unmasked answer. */
export function readVm (raw: unknown, text: ReadText = asIs): VmInfo {
  const r = obj(raw)
  const s = (value: unknown): string => str(value, text)
  return {
    uuid: s(r.uuid),
    name: s(r.name),
    description: s(r.description),
    state: s(r.state),
    nodeUUID: s(r.nodeUUID),
    cpus: num(r.numVCPU),
    memBytes: num(r.mem),
    tags: splitTags(r.tags, text),
    disks: list(r.blockDevs).map((d) => {
      const disk = obj(d)
      return { uuid: s(disk.uuid), type: s(disk.type), slot: num(disk.slot), capacity: num(disk.capacity), name: s(disk.name) || s(disk.path) }
    }),
    nics: list(r.netDevs).map((n) => {
      const nic = obj(n)
      return { uuid: s(nic.uuid), type: s(nic.type), mac: s(nic.macAddress), vlan: num(nic.vlan), connected: nic.connected !== false, ips: list(nic.ipv4Addresses).map(s).filter((ip) => ip !== '') }
    }),
    bootDevices: list(r.bootDevices).map(s),
    snapUUIDs: list(r.snapUUIDs).map(s),
    snapshotScheduleUUID: s(r.snapshotScheduleUUID),
    machineType: s(r.machineType),
    machineTypeKeyword: s(r.machineTypeKeyword),
    operatingSystem: s(r.operatingSystem)
  }
}

/** What lists filter and sort VMs on; `full()` reads the rest of the record, for the VMs shown. */
export interface VmHead extends Pick<VmInfo, 'uuid' | 'name' | 'state' | 'nodeUUID' | 'tags'> {
  full: () => VmInfo
}

/** Reads the head of a VirDomain record (readVm's uuid, name, state, nodeUUID and tags); `text` as for readVm. */
export function readVmHead (raw: unknown, text: ReadText = asIs): VmHead {
  const r = obj(raw)
  return { uuid: str(r.uuid, text), name: str(r.name, text), state: str(r.state, text), nodeUUID: str(r.nodeUUID, text), tags: splitTags(r.tags, text), full: () => readVm(raw, text) }
}

/** Reads a VirDomainSnapshot record; `text` masks each string read from an unmasked answer. */
export function readSnapshot (raw: unknown, text: ReadText = asIs): SnapshotInfo {
  const r = obj(raw)
  const domain = obj(r.domain)
  const s = (value: unknown): string => str(value, text)
  return {
    uuid: s(r.uuid),
    vmUUID: s(r.domainUUID) || s(domain.uuid),
    vmName: s(domain.name),
    label: s(r.label),
    type: s(r.type),
    timestamp: num(r.timestamp),
    disks: list(r.deviceSnapshots).length
  }
}

/** Reads a Node record. */
export function readNode (raw: unknown): NodeInfo {
  const r = obj(raw)
  const online = r.networkStatus === undefined ? r.virtualizationOnline !== false : r.networkStatus === 'ONLINE' && r.virtualizationOnline !== false
  return { uuid: str(r.uuid), lanIP: str(r.lanIP), peerID: str(r.peerID), online, record: r }
}

/** How a node is named to people: its LAN address (what the UI shows), else its peer number. */
export function nodeLabel (node: Pick<NodeInfo, 'lanIP' | 'peerID' | 'uuid'>): string {
  return node.lanIP !== '' ? node.lanIP : node.peerID !== '' ? `node ${node.peerID}` : node.uuid
}

function recordsOf (data: unknown): unknown[] {
  return Array.isArray(data) ? data : data === null || data === undefined || data === '' ? [] : [data]
}

/** The records a GET answers, masked: HyperCore answers lists, and single records, as arrays. */
export async function getRecords (cluster: ClusterAccess, path: string, opts: { maxAgeMs?: number } = {}): Promise<unknown[]> {
  return recordsOf((await cluster.call('GET', path, opts)).data)
}

// How old a list read only to name things in an answer (a node's address, a schedule's name) may be. Nodes and
// schedules change rarely; a change made through this server forgets such lists at once.
const LABELS_MAX_AGE_MS = 10_000

/**
 * The cluster's nodes for naming them in an answer (a VM's node as its LAN address): a list up to ten seconds old
 * may be reused. Not for deciding anything: resolveNode and cluster_health read the nodes as they are now.
 */
export async function nodesForLabels (cluster: ClusterAccess): Promise<NodeInfo[]> {
  return (await getRecords(cluster, '/Node', { maxAgeMs: LABELS_MAX_AGE_MS })).map(readNode)
}

/** The name of a snapshot schedule, for an answer ("" when it has none or cannot be read); the list may be reused as nodesForLabels' is. */
export async function scheduleName (cluster: ClusterAccess, uuid: string): Promise<string> {
  if (uuid === '') return ''
  const schedules = await getRecords(cluster, '/VirDomainSnapshotSchedule', { maxAgeMs: LABELS_MAX_AGE_MS }).catch(() => [])
  const found = schedules.find((s) => obj(s).uuid === uuid)
  return found === undefined ? '' : str(obj(found).name)
}

/**
 * The records a GET answers, each read by a record reader with every string it reads masked: a large list costs
 * the fields read, not the whole answer's masking. `read` must be one of the readers above (they read no secret-named field).
 */
export async function readRecords<T> (cluster: ClusterAccess, path: string, read: (raw: unknown, text: ReadText) => T): Promise<T[]> {
  const res = await cluster.readUnmasked(path)
  return recordsOf(res.data).map((raw) => read(raw, res.masker.text))
}

// One record by UUID, or undefined when the cluster has none (an empty list or a 404, as clusters differ).
async function getOne (cluster: ClusterAccess, resource: string, uuid: string): Promise<unknown> {
  try {
    return (await getRecords(cluster, `/${resource}/${uuid}`))[0]
  } catch (err) {
    if (isAppError(err) && err.code === 'SCALE_API_ERROR' && err.statusCode === 404) return undefined
    throw err
  }
}

/** The VM with this UUID as it is now, or undefined when it no longer exists. */
export async function findVm (cluster: ClusterAccess, uuid: string): Promise<VmInfo | undefined> {
  const found = await getOne(cluster, 'VirDomain', uuid)
  return found === undefined ? undefined : readVm(found)
}

/** A planned call with the catalog's operationId, as the gate's policy and audit read it. */
export function plannedCall (catalog: Catalog, method: ApiMethod, path: string, extra: Pick<PlannedCall, 'payload' | 'target'> = {}): PlannedCall {
  const match = catalog.find(method, path)
  return { method, path, ...(match === undefined ? {} : { operationId: match.operation.operationId }), ...extra }
}

function describeCandidates (candidates: readonly Candidate[]): string {
  return candidates.map((c) => `${c.name} (${[c.uuid, c.detail].filter(Boolean).join(', ')})`).join('; ')
}

// A name a cluster may hold at any length (renamed outside these tools) is shown cut: its UUID is what to call with.
function shortCandidate (c: Candidate): Candidate {
  return c.name.length <= CANDIDATE_NAME_CHARS ? c : { ...c, name: `${c.name.slice(0, CANDIDATE_NAME_CHARS)}…` }
}

/**
 * True when `name` equals a wanted name but for case; `lowerWanted` is that name lowercased. Lowercasing a long name
 * costs its length, so names whose length rules a match out are not lowercased (lowercasing at most doubles a length).
 */
function sameButCase (name: string, lowerWanted: string, wantedLength: number): boolean {
  return name.length <= 2 * wantedLength && wantedLength <= 2 * name.length && name.toLowerCase() === lowerWanted
}

/**
 * Picks the one record a name refers to: the exact name, else the same name ignoring case. Several records with
 * that name answer NAME_AMBIGUOUS, none NAME_NOT_FOUND; both list candidates (closest first) for the next call.
 */
function pickByName<T> (kind: string, ref: string, records: readonly T[], candidate: (r: T) => Candidate, listTool: string): T {
  const all = records.map((record) => ({ record, c: candidate(record) }))
  let hits = all.filter((x) => x.c.name === ref)
  const lowerRef = ref.toLowerCase()
  if (hits.length === 0) hits = all.filter((x) => sameButCase(x.c.name, lowerRef, ref.length))
  if (hits.length === 1) return (hits[0] as { record: T }).record
  if (hits.length > 1) {
    const candidates = hits.slice(0, AMBIGUOUS_SHOWN).map((x) => shortCandidate(x.c))
    const more = hits.length > candidates.length ? ` and ${hits.length - candidates.length} more (${listTool} shows them)` : ''
    throw new AppError('NAME_AMBIGUOUS', `${hits.length} ${kind}s are named "${ref}": ${describeCandidates(candidates)}${more}. Call again with the UUID of the one you mean.`,
      { details: { candidates } })
  }
  const candidates = closestNames(ref, all.map((x) => x.c), CANDIDATES).map(shortCandidate)
  const closest = candidates.length === 0 ? `There are no ${kind}s.` : `Closest: ${describeCandidates(candidates)}.`
  throw new AppError('NAME_NOT_FOUND', `No ${kind} is named "${ref}" (names must match exactly; case is ignored). ${closest} ${listTool} shows them all.`,
    { details: { candidates } })
}

/** A VM's candidate line: name, UUID and power state. */
export function vmCandidate (vm: Pick<VmInfo, 'name' | 'uuid' | 'state'>): Candidate {
  return { name: vm.name, uuid: vm.uuid, detail: vm.state }
}

/** The VM a `vm` argument names: a UUID, an exact name, or a name differing only in case (reads the cluster). */
export async function resolveVm (cluster: ClusterAccess, ref: string): Promise<VmInfo> {
  const wanted = ref.trim()
  if (looksLikeUuid(wanted)) {
    const one = await getOne(cluster, 'VirDomain', wanted.toLowerCase())
    if (one !== undefined) return readVm(one)
  }
  const vms = await readRecords(cluster, '/VirDomain', readVmHead)
  const lowerWanted = wanted.toLowerCase()
  const byUuid = vms.find((vm) => sameButCase(vm.uuid, lowerWanted, wanted.length))
  return (byUuid ?? pickByName('VM', wanted, vms, vmCandidate, 'list_vms')).full()
}

/** Other VMs with this name (any case): a clone, import or rename that repeats a name makes names ambiguous. */
export async function namesakes (cluster: ClusterAccess, name: string, exceptUUID: string): Promise<VmInfo[]> {
  const wanted = name.toLowerCase()
  const heads = await readRecords(cluster, '/VirDomain', readVmHead)
  return heads.filter((vm) => vm.uuid !== exceptUUID && sameButCase(vm.name, wanted, name.length)).map((vm) => vm.full())
}

/** The note a repeated name gets. */
export function namesakeNote (name: string, others: readonly VmInfo[]): string[] {
  return others.length === 0 ? [] : [`Another VM is also named "${name}" (${others.map((o) => o.uuid).join(', ')}); use UUIDs to tell them apart.`]
}

function snapshotCandidate (snap: SnapshotInfo): Candidate {
  const when = snap.timestamp > 0 ? new Date(snap.timestamp * 1000).toISOString().slice(0, 16).replace('T', ' ') : ''
  return { name: snap.label === '' ? '(no label)' : snap.label, uuid: snap.uuid, detail: [`VM ${snap.vmName}`, when, snap.type].filter(Boolean).join(', ') }
}

/** The snapshot a `snapshot` argument names: a UUID or an exact label, optionally among one VM's snapshots only. */
export async function resolveSnapshot (cluster: ClusterAccess, ref: string, vmUUID?: string): Promise<SnapshotInfo> {
  const wanted = ref.trim()
  if (looksLikeUuid(wanted)) {
    const one = await getOne(cluster, 'VirDomainSnapshot', wanted.toLowerCase())
    if (one !== undefined) {
      const snap = readSnapshot(one)
      if (vmUUID === undefined || snap.vmUUID === vmUUID) return snap
      throw new AppError('NAME_NOT_FOUND', `Snapshot ${snap.uuid} belongs to another VM (${snap.vmName}). list_snapshots shows this VM's snapshots.`, { details: { candidates: [] } })
    }
  }
  // `?domainUUID=` filters answer 400 on real clusters: list and filter here.
  const snaps = (await readRecords(cluster, '/VirDomainSnapshot', readSnapshot)).filter((s) => vmUUID === undefined || s.vmUUID === vmUUID)
  return pickByName('snapshot', wanted, snaps, snapshotCandidate, 'list_snapshots')
}

/** The node a `node` argument names: its LAN address, peer number or UUID. */
export async function resolveNode (cluster: ClusterAccess, ref: string): Promise<NodeInfo> {
  const wanted = ref.trim().toLowerCase()
  const nodes = (await getRecords(cluster, '/Node')).map(readNode)
  const hit = nodes.find((n) => n.uuid.toLowerCase() === wanted || n.lanIP === wanted || n.peerID === wanted || `node ${n.peerID}` === wanted)
  if (hit !== undefined) return hit
  const candidates = closestNames(wanted, nodes.map((n) => ({ name: nodeLabel(n), uuid: n.uuid, detail: `node ${n.peerID}` })), CANDIDATES).map(shortCandidate)
  throw new AppError('NAME_NOT_FOUND', `No node is "${ref.trim()}". The nodes: ${describeCandidates(candidates)}. Name one by its LAN address, peer number or UUID.`,
    { details: { candidates } })
}
