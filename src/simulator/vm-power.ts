import { badRequest, bodyObject, notFound, optString, taskAnswer, unixNow, type Handler } from './context.js'
import { HttpError } from './http-error.js'
import type { SimulatorState } from './state.js'
import { TaskFailure } from './tasks.js'
import type { SimRecord, VmRecord, VmState } from './types.js'
import { isOff, label, requireVm } from './vm-common.js'

/** Every action `POST /VirDomain/action` accepts, with the verb its task description uses. */
export const ACTION_VERBS: Record<string, string> = {
  START: 'Start',
  SHUTDOWN: 'Shut down',
  STOP: 'Power off',
  REBOOT: 'Reboot',
  RESET: 'Reset',
  PAUSE: 'Pause',
  LIVEMIGRATE: 'Live-migrate',
  NMI: 'Send NMI to'
}

/** The node with the fewest running VMs (ties go to the lowest peer ID), skipping `except`. */
function leastLoadedNode (state: SimulatorState, except = ''): SimRecord | undefined {
  const load = new Map<string, number>()
  for (const vm of state.vms.values()) if (vm.nodeUUID !== '') load.set(vm.nodeUUID, (load.get(vm.nodeUUID) ?? 0) + 1)
  let best: SimRecord | undefined
  for (const node of state.nodes.values()) {
    if (node.uuid === except) continue
    if (best === undefined || (load.get(node.uuid) ?? 0) < (load.get(best.uuid) ?? 0)) best = node
  }
  return best
}

function powerOn (state: SimulatorState, vm: VmRecord, node: SimRecord): void {
  vm.state = 'RUNNING'
  vm.uiState = 'RUNNING'
  vm.nodeUUID = node.uuid
  vm.lastSeenRunningOnNodeUUID = node.uuid
  vm.guestAgentState = 'AVAILABLE'
  vm.console = { ...vm.console, ip: node.lanIP as string, port: vm.console.port > 0 ? vm.console.port : 5900 + (state.vms.size % 1000) }
}

/** Powers a VM off in place (also used by a cluster shutdown). */
export function powerOff (vm: VmRecord, to: VmState = 'SHUTOFF'): void {
  vm.state = to
  vm.uiState = to
  vm.nodeUUID = ''
  vm.guestAgentState = 'UNAVAILABLE'
  vm.console = { ...vm.console, ip: '', port: 0 }
  for (const nic of vm.netDevs) nic.ipv4Addresses = []
}

/**
 * Applies one power action with the state rules real clusters follow. An action whose target state already holds
 * changes nothing and succeeds (START on a running VM, STOP or SHUTDOWN on a stopped one, PAUSE on a paused one):
 * the Ansible collection sends exactly these and its integration tests pass on real clusters. START resumes a paused
 * VM; STOP also powers off a paused or blocked one; the rest need a RUNNING VM. Throws TaskFailure when it does not apply.
 */
export function applyAction (state: SimulatorState, vm: VmRecord, actionType: string, nodeUUID?: string): void {
  const refuse = (why: string): never => {
    throw new TaskFailure(`Cannot ${(ACTION_VERBS[actionType] ?? actionType).toLowerCase()} ${label(vm)}: ${why}`)
  }
  const off = isOff(vm)
  switch (actionType) {
    case 'START': {
      if (vm.state === 'PAUSED') {
        vm.state = 'RUNNING'
        vm.uiState = 'RUNNING'
        return
      }
      if (!off) return
      const preferred = vm.affinityStrategy.preferredNodeUUID
      const node = nodeUUID !== undefined && nodeUUID !== ''
        ? state.nodes.get(nodeUUID)
        : (preferred !== '' ? state.nodes.get(preferred) : undefined) ?? leastLoadedNode(state)
      if (node === undefined) return refuse('no node can run it')
      powerOn(state, vm, node)
      return
    }
    case 'STOP':
      if (!off) powerOff(vm)
      return
    case 'SHUTDOWN':
      if (off) return
      if (vm.state !== 'RUNNING') refuse(`it is ${vm.state}, and its guest cannot answer a shutdown request; use STOP`)
      powerOff(vm)
      return
    case 'PAUSE':
      if (vm.state === 'PAUSED') return
      if (vm.state !== 'RUNNING') refuse(`it is ${vm.state}, and this action needs it RUNNING`)
      vm.state = 'PAUSED'
      vm.uiState = 'PAUSED'
      return
    default:
  }
  if (vm.state !== 'RUNNING') refuse(`it is ${vm.state}, and this action needs it RUNNING`)
  switch (actionType) {
    case 'REBOOT':
    case 'RESET':
    case 'NMI':
      return
    case 'LIVEMIGRATE': {
      const target = nodeUUID !== undefined && nodeUUID !== '' ? state.nodes.get(nodeUUID) : leastLoadedNode(state, vm.nodeUUID)
      if (target === undefined) return refuse('there is no other node to move it to')
      if (target.uuid === vm.nodeUUID) refuse(`it already runs on node ${target.lanIP as string}`)
      vm.nodeUUID = target.uuid
      vm.lastSeenRunningOnNodeUUID = target.uuid
      vm.console = { ...vm.console, ip: target.lanIP as string }
      return
    }
    default:
      refuse('unknown action')
  }
}

const virDomainAction: Handler = ({ sim, body }) => {
  if (!Array.isArray(body)) throw badRequest('the body must be an array of {virDomainUUID, actionType}')
  if (body.length === 0) throw badRequest('the body must hold at least one action')
  const actions = body.map((raw, i) => {
    const item = bodyObject(raw, `[${i}]`)
    const uuid = optString(item, 'virDomainUUID', `[${i}].`) ?? ''
    const actionType = optString(item, 'actionType', `[${i}].`) ?? ''
    if (!(actionType in ACTION_VERBS)) throw badRequest(`[${i}].actionType must be one of ${Object.keys(ACTION_VERBS).join(', ')}`)
    const vm = requireVm(sim.state, uuid)
    const nodeUUID = optString(item, 'nodeUUID', `[${i}].`)
    if (nodeUUID !== undefined && nodeUUID !== '' && !sim.state.nodes.has(nodeUUID)) throw notFound('Node', nodeUUID)
    return { vm, actionType, nodeUUID }
  })
  // The one recorded exception to "a no-op succeeds": RESET on a stopped VM fails the whole call with a bare 500.
  if (actions.some((a) => a.actionType === 'RESET' && isOff(a.vm))) throw new HttpError(500, 'An internal error occurred')
  const description = actions.map((a) => `${ACTION_VERBS[a.actionType] as string} ${label(a.vm)}`).join('; ')
  const nodeUUIDs = [...new Set(actions.flatMap((a) => [a.vm.nodeUUID, a.nodeUUID ?? ''].filter((n) => n !== '')))]
  const tag = sim.tasks.start({
    description,
    objectUUIDs: actions.map((a) => a.vm.uuid),
    nodeUUIDs,
    run () {
      const failures: string[] = []
      for (const a of actions) {
        // The VM may have been deleted while the task waited.
        const vm = sim.state.vms.get(a.vm.uuid)
        if (vm === undefined) {
          failures.push(`${label(a.vm)} no longer exists`)
          continue
        }
        try {
          applyAction(sim.state, vm, a.actionType, a.nodeUUID)
          vm.modified = unixNow(sim.clock)
        } catch (err) {
          if (!(err instanceof TaskFailure)) throw err
          failures.push(err.message)
        }
      }
      if (failures.length > 0) throw new TaskFailure(failures.join('; '))
    }
  })
  return taskAnswer(tag)
}

/** The power-action operation, by `METHOD /template`. */
export const powerHandlers: Record<string, Handler> = {
  'POST /VirDomain/action': virDomainAction
}
