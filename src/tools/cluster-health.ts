import { Type, type Static } from '@sinclair/typebox'
import { isAppError } from '../errors/app-error.js'
import { defineTool, requireCluster } from '../gate/tool.js'
import type { UpdateStatus } from '../scale/update-status.js'
import type { ClusterAccess } from '../gate/cluster-access.js'
import { getRecords, nodeLabel, OFF_STATES, plannedCall, readNode, readRecords, readVmHead, type NodeInfo, type VmHead } from './support/cluster-records.js'
import { formatBytes, formatPercent } from './support/units.js'

// Most severe first; severities the cluster names otherwise come last, in the order met.
const SEVERITY_ORDER = ['CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFO']
// Raised conditions of these severities are problems; NOTICE and INFO are shown but do not make the cluster unwell.
const PROBLEM_SEVERITIES = new Set(['CRITICAL', 'ERROR', 'WARNING'])

const NodeSchema = Type.Object({
  node: Type.String({ description: 'LAN address.' }),
  online: Type.Boolean(),
  cpu: Type.String({ description: 'e.g. "23.5%"; "" when the cluster does not say.' }),
  memory: Type.String({ description: 'e.g. "41% of 512 GiB".' }),
  disk: Type.String({ description: 'Use of its drives, e.g. "38% of 27.5 TiB".' }),
  vms: Type.Integer({ description: 'VMs on it (running, paused or blocked).' })
})

const ConditionSchema = Type.Object({
  severity: Type.String({ description: 'CRITICAL, ERROR, WARNING, NOTICE or INFO.' }),
  name: Type.String(),
  node: Type.String({ description: 'The node it is about; "" for the whole cluster.' }),
  description: Type.String()
})

const DriveSchema = Type.Object({
  node: Type.String(),
  slot: Type.Integer(),
  type: Type.String(),
  model: Type.String(),
  serialNumber: Type.String(),
  problem: Type.String({ description: 'e.g. "reported unhealthy, 12 errors".' })
})

const UpdateSchema = Type.Object({
  state: Type.String({ description: 'idle, updating, or unknown (the status file could not be read: normal on a cluster never updated).' }),
  percent: Type.Optional(Type.Integer()),
  toVersion: Type.Optional(Type.String()),
  phase: Type.Optional(Type.String({ description: 'preparing, applying or restarting.' })),
  detail: Type.Optional(Type.String())
})

const OutputSchema = Type.Object({
  ok: Type.Boolean({ description: 'True when nothing is wrong: no problems.' }),
  summary: Type.String({ description: 'One line saying how the cluster is.' }),
  problems: Type.Array(Type.String(), { description: 'What is wrong, most serious first.' }),
  cluster: Type.String({ description: 'Its name.' }),
  version: Type.String({ description: 'HyperCore version (icosVersion).' }),
  nodes: Type.Array(NodeSchema),
  conditions: Type.Array(ConditionSchema, { description: 'Raised conditions only, most severe first.' }),
  drivesNotHealthy: Type.Array(DriveSchema),
  vms: Type.Object({
    total: Type.Integer(),
    byState: Type.Array(Type.Object({ state: Type.String(), count: Type.Integer() }), { description: 'How many VMs are in each state, most first.' })
  }),
  update: UpdateSchema
})

/** What cluster_health answers for one cluster. */
export type Health = Static<typeof OutputSchema>

function obj (value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value as Record<string, unknown> : {}
}

function str (value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''
}

function num (value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

function share (used: number | undefined, total: number | undefined): string {
  if (used === undefined || total === undefined || total <= 0) return ''
  return `${Math.round((used / total) * 100)}% of ${formatBytes(total)}`
}

function severityRank (severity: string): number {
  const i = SEVERITY_ORDER.indexOf(severity.toUpperCase())
  return i === -1 ? SEVERITY_ORDER.length : i
}

function nodeRow (node: NodeInfo, drives: Array<Record<string, unknown>>, vms: readonly VmHead[]): Static<typeof NodeSchema> {
  const r = node.record
  const mine = drives.filter((d) => d.nodeUUID === node.uuid)
  const capacity = mine.reduce((sum, d) => sum + (num(d.capacityBytes) ?? 0), 0)
  const used = mine.reduce((sum, d) => sum + (num(d.usedBytes) ?? 0), 0)
  const cpu = num(r.cpuUsage)
  return {
    node: nodeLabel(node),
    online: node.online,
    cpu: cpu === undefined ? '' : formatPercent(cpu),
    memory: share(num(r.totalMemUsageBytes), num(r.memSize)),
    disk: share(used, capacity > 0 ? capacity : undefined),
    vms: vms.filter((vm) => vm.nodeUUID === node.uuid && !OFF_STATES.has(vm.state)).length
  }
}

function driveProblem (drive: Record<string, unknown>): string {
  const parts = ['reported unhealthy']
  const errors = num(drive.errorCount)
  if (errors !== undefined && errors > 0) parts.push(`${errors} errors`)
  const sectors = num(drive.reallocatedSectors)
  if (sectors !== undefined && sectors > 0) parts.push(`${sectors} reallocated sectors`)
  const temperature = num(drive.temperature)
  if (temperature !== undefined) parts.push(`${temperature} °C`)
  return parts.join(', ')
}

function updateView (status: UpdateStatus): Static<typeof UpdateSchema> {
  return {
    state: status.state,
    ...(status.percent === undefined ? {} : { percent: status.percent }),
    ...(status.toVersion === undefined ? {} : { toVersion: status.toVersion }),
    ...(status.phase === undefined ? {} : { phase: status.phase }),
    ...(status.detail === undefined ? {} : { detail: status.detail })
  }
}

/** `cluster_health`: "is anything wrong?" in one call. */
export default defineTool({
  name: 'cluster_health',
  summary: 'Is anything wrong with the cluster?',
  description: 'Is anything wrong? One summary: version, nodes (online, CPU, memory, disk), raised conditions, unhealthy drives, VMs by state, updates.',
  tags: ['Cluster'],
  input: Type.Object({}, { additionalProperties: false }),
  output: OutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  requiresCluster: true,
  async plan (_input, ctx) {
    // The update status file is read too: outside /rest/v1, public, and needing no plan.
    return { calls: ['/Cluster', '/Node', '/Condition', '/Drive', '/VirDomain'].map((path) => plannedCall(ctx.catalog, 'GET', path)), prepared: undefined }
  },
  async handler (_input, ctx): Promise<Health> {
    return await healthOf(requireCluster(ctx))
  }
})

/** cluster_health's answer for one cluster, read through the caller's view of it (also one cluster of fleet_health). */
export async function healthOf (cluster: ClusterAccess): Promise<Health> {
  const update = await cluster.updateStatus()
  const names = ['cluster record', 'nodes', 'conditions', 'drives', 'VMs'] as const
  // The VM list is the large one: read field by field, masking what is read, instead of masked whole.
  const reads = await Promise.allSettled(['/Cluster', '/Node', '/Condition', '/Drive', '/VirDomain'].map(async (path) =>
    path === '/VirDomain' ? await readRecords(cluster, path, readVmHead) : await getRecords(cluster, path)))
  const failed = reads.flatMap((r, i) => r.status === 'rejected' ? [{ what: names[i] as string, err: r.reason as unknown }] : [])
  // Nothing could be read and no update explains it: that is the answer, as an error.
  if (failed.length === reads.length && update.state !== 'updating') throw failed[0]?.err
  const got = (i: number): unknown[] => { const r = reads[i]; return r?.status === 'fulfilled' ? r.value : [] }

  const record = obj(got(0)[0])
  const nodes = got(1).map(readNode)
  const drives = got(3).map(obj)
  const vms = got(4) as VmHead[]
  const nodeName = new Map(nodes.map((n) => [n.uuid, nodeLabel(n)]))
  const conditions = got(2).map(obj).filter((c) => c.value === true).map((c) => ({
    severity: str(c.severity).toUpperCase(),
    name: str(c.name),
    node: str(c.nodeLANIP) || nodeName.get(str(c.nodeUUID)) || '',
    description: str(c.description)
  })).sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.name.localeCompare(b.name))
  const badDrives = drives.filter((d) => d.isHealthy === false).map((d) => ({
    node: nodeName.get(str(d.nodeUUID)) ?? str(d.nodeUUID),
    slot: num(d.slot) ?? 0,
    type: str(d.type),
    model: str(d.model),
    serialNumber: str(d.serialNumber),
    problem: driveProblem(d)
  }))
  const counts = new Map<string, number>()
  for (const vm of vms) counts.set(vm.state || 'UNKNOWN', (counts.get(vm.state || 'UNKNOWN') ?? 0) + 1)
  const byState = [...counts].map(([state, count]) => ({ state, count })).sort((a, b) => b.count - a.count || a.state.localeCompare(b.state))

  const problems: string[] = []
  if (update.state === 'updating') {
    problems.push(`An update${update.toVersion === undefined ? '' : ` to ${update.toVersion}`} is in progress${update.percent === undefined ? '' : ` (${update.percent}%)`}${update.phase === undefined ? '' : `, ${update.phase}`}: the API may hang or refuse changes until it is done.`)
  }
  for (const node of nodes.filter((n) => !n.online)) problems.push(`Node ${nodeLabel(node)} is offline.`)
  for (const c of conditions.filter((x) => PROBLEM_SEVERITIES.has(x.severity))) problems.push(`${c.severity} ${c.name}${c.node === '' ? '' : ` on ${c.node}`}: ${c.description}`)
  for (const d of badDrives) problems.push(`Drive in slot ${d.slot} of node ${d.node} (${d.type} ${d.model}) is not healthy: ${d.problem}.`)
  const crashed = vms.filter((vm) => vm.state === 'CRASHED')
  if (crashed.length > 0) problems.push(`${crashed.length} VM(s) CRASHED: ${crashed.slice(0, 10).map((vm) => vm.name).join(', ')}${crashed.length > 10 ? ', ...' : ''}.`)
  for (const f of failed) problems.push(`Could not read the ${f.what}: ${isAppError(f.err) ? `${f.err.code}: ${f.err.message}` : 'unexpected failure'}`)
  // Keep the answer within bounds on a cluster with thousands of VMs or many raised conditions.
  const shownProblems = problems.length > 25 ? [...problems.slice(0, 25), `... and ${problems.length - 25} more`] : problems

  const online = nodes.filter((n) => n.online).length
  const running = counts.get('RUNNING') ?? 0
  const facts = `${online} of ${nodes.length} nodes online, ${vms.length} VMs (${running} running)`
  const summary = problems.length === 0
    ? `Nothing is wrong: ${facts}.`
    : `${problems.length} problem${problems.length === 1 ? '' : 's'}, the first: ${problems[0] as string} (${facts}).`
  return {
    ok: problems.length === 0,
    summary,
    problems: shownProblems,
    cluster: str(record.clusterName),
    version: str(record.icosVersion),
    nodes: nodes.map((n) => nodeRow(n, drives, vms)),
    conditions: conditions.slice(0, 50),
    drivesNotHealthy: badDrives.slice(0, 50),
    vms: { total: vms.length, byState },
    update: updateView(update)
  }
}
