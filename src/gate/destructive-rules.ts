import type { CallRule } from './call-rule.js'

/**
 * The calls that are destructive by default: in `confirm` mode each needs a person's confirmation before it runs.
 * This list is the one place that decides it; SCALE_POLICY_FILE can add to it or take entries out.
 */
export const DESTRUCTIVE_RULES: readonly CallRule[] = [
  { method: 'DELETE', path: '/**', reason: 'deletes a record' },
  {
    method: 'POST',
    path: '/VirDomain/action',
    actionType: ['STOP', 'SHUTDOWN', 'REBOOT', 'RESET', 'PAUSE', 'LIVEMIGRATE', 'NMI'],
    reason: 'interrupts a running VM'
  },
  { method: 'POST', path: '/Cluster/shutdown', reason: 'shuts the whole cluster down' },
  { method: 'POST', path: '/Update/*/apply', reason: 'applies a HyperCore update (nodes reboot one by one)' },
  { method: ['POST', 'PUT', 'PATCH'], path: '/Certificate/**', reason: 'replaces the TLS certificate (the API restarts)' },
  { method: ['POST', 'PUT', 'PATCH'], path: '/User/**', reason: 'changes who can log in and what they can do' },
  { method: ['POST', 'PUT', 'PATCH'], path: '/Role/**', reason: 'changes what users can do' },
  { method: ['POST', 'PUT', 'PATCH'], path: '/OIDCConfig/**', reason: 'changes single sign-on' },
  { method: ['POST', 'PUT', 'PATCH'], path: '/Cluster/**', reason: 'changes cluster settings' },
  { method: ['POST', 'PUT', 'PATCH'], path: '/Registration/**', reason: 'changes the cluster\'s registration' },
  { method: ['POST', 'PUT', 'PATCH'], path: '/NucleusKey/**', reason: 'changes the cluster\'s keys' }
]
