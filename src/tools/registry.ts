import type { ToolDefinition } from '../gate/tool.js'
import queryApi from './query-api.js'
import describeEndpoint from './describe-endpoint.js'
import runApi from './run-api.js'
import generateSession from './generate-session.js'
import getSession from './get-session.js'
import killSession from './kill-session.js'
import auditLog from './audit-log.js'
import listVms from './list-vms.js'
import getVm from './get-vm.js'
import updateVm from './update-vm.js'
import vmStats from './vm-stats.js'
import vmAction from './vm-action.js'
import snapshotVm from './snapshot-vm.js'
import listSnapshots from './list-snapshots.js'
import deleteSnapshot from './delete-snapshot.js'
import cloneVm from './clone-vm.js'
import exportVm from './export-vm.js'
import importVm from './import-vm.js'
import taskStatus from './task-status.js'
import clusterHealth from './cluster-health.js'
import listClusters from './list-clusters.js'
import fleetHealth from './fleet-health.js'
import findVms from './find-vms.js'
import type { Toolset } from './support/toolsets.js'

/** The tools of each toolset (TOOLSETS), in the order hosts list them. */
export const toolsets: Record<Toolset, ToolDefinition[]> = {
  core: [queryApi, describeEndpoint, runApi, generateSession, getSession, killSession],
  vm: [listVms, getVm, updateVm, vmStats, vmAction, snapshotVm, listSnapshots, deleteSnapshot, cloneVm, exportVm, importVm, taskStatus],
  cluster: [clusterHealth, listClusters, fleetHealth, findVms]
}

/** Every tool, in the order hosts list them. Adding a tool is adding its file and a line here (in its toolset). */
export const tools: ToolDefinition[] = [...toolsets.core, auditLog, ...toolsets.vm, ...toolsets.cluster]

/**
 * Whether the chosen toolsets publish a tool, by name: a tool of a toolset not chosen is not; a tool in no toolset
 * (audit_log, offered to admins only, and ask, only with an LLM) always is.
 */
export function publishedBy (chosen: readonly Toolset[]): (name: string) => boolean {
  const hidden = new Set<string>()
  for (const [set, members] of Object.entries(toolsets) as Array<[Toolset, ToolDefinition[]]>) {
    if (!chosen.includes(set)) for (const tool of members) hidden.add(tool.name)
  }
  return (name) => !hidden.has(name)
}
