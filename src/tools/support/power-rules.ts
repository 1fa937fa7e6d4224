import { OFF_STATES } from './cluster-records.js'

/** The power actions `POST /VirDomain/action` takes. */
export const VM_ACTIONS = ['START', 'SHUTDOWN', 'STOP', 'REBOOT', 'RESET', 'PAUSE', 'LIVEMIGRATE', 'NMI'] as const

/** One power action. */
export type VmAction = typeof VM_ACTIONS[number]

/** What to do with an action in the VM's current state: send it, answer that nothing needs doing, or refuse it. */
export type PowerVerdict =
  | { kind: 'send' }
  | { kind: 'no-change', why: string }
  | { kind: 'refuse', why: string }

/** Where the VM runs now and where a LIVEMIGRATE would take it. */
export interface PowerContext {
  nodeUUID: string
  target?: { uuid: string, label: string, online: boolean }
}

/**
 * The state rules vm_action applies before sending anything. Real clusters accept an action that changes nothing
 * (START on a running VM succeeds); this answers it without a call, like an idempotent Ansible task. Actions the
 * state cannot take are refused here with the reason (RESET on a stopped VM even answers HTTP 500 on some versions;
 * a paused guest cannot answer a shutdown request). States this does not know are left to the cluster.
 */
export function judgeAction (action: VmAction, state: string, ctx: PowerContext): PowerVerdict {
  const off = OFF_STATES.has(state)
  const running = state === 'RUNNING'
  const known = off || running || state === 'PAUSED' || state === 'BLOCKED'
  if (!known) return { kind: 'send' }
  const needsRunning = (): PowerVerdict => running
    ? { kind: 'send' }
    : { kind: 'refuse', why: `${action} needs the VM RUNNING and it is ${state}${off ? '; START it first' : state === 'PAUSED' ? '; START resumes it' : ''}` }
  switch (action) {
    case 'START':
      if (running || state === 'BLOCKED') return { kind: 'no-change', why: `the VM is already ${state}` }
      return ctx.target !== undefined && !ctx.target.online ? { kind: 'refuse', why: `node ${ctx.target.label} is offline` } : { kind: 'send' }
    case 'STOP':
      return off ? { kind: 'no-change', why: `the VM is already off (${state})` } : { kind: 'send' }
    case 'SHUTDOWN':
      if (off) return { kind: 'no-change', why: `the VM is already off (${state})` }
      return running ? { kind: 'send' } : { kind: 'refuse', why: `a ${state} guest cannot answer a shutdown request; STOP powers it off` }
    case 'PAUSE':
      return state === 'PAUSED' ? { kind: 'no-change', why: 'the VM is already PAUSED' } : needsRunning()
    case 'LIVEMIGRATE': {
      const verdict = needsRunning()
      if (verdict.kind !== 'send' || ctx.target === undefined) return verdict
      if (ctx.target.uuid === ctx.nodeUUID) return { kind: 'no-change', why: `the VM already runs on node ${ctx.target.label}` }
      if (!ctx.target.online) return { kind: 'refuse', why: `node ${ctx.target.label} is offline` }
      return verdict
    }
    default:
      return needsRunning()
  }
}
