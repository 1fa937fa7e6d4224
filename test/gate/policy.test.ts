import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { ruleMatches } from '../../src/gate/call-rule.js'
import { DESTRUCTIVE_RULES } from '../../src/gate/destructive-rules.js'
import type { Caller } from '../../src/gate/identity.js'
import { EMPTY_RULES, Policy, readPolicyFile, type PolicyCall } from '../../src/gate/policy.js'
import { scratchFile } from '../helper.js'

const operator: Caller = { name: 'ops', role: 'operator' }
const reader: Caller = { name: 'viewer', role: 'reader' }
const admin: Caller = { name: 'root', role: 'admin' }

function call (method: string, path: string, payload?: unknown): PolicyCall {
  return { method, path, payload, mutating: method !== 'GET' }
}

function verdictCode (policy: Policy, caller: Caller, c: PolicyCall): string {
  const v = policy.judge(caller, c)
  if (v.kind === 'deny') return v.error.code
  return v.needsConfirmation ? 'CONFIRM' : 'ALLOW'
}

test('every default destructive rule matches the calls it names, and everyday changes are not destructive', () => {
  const policy = new Policy('confirm', 'token')
  const destructive: PolicyCall[] = [
    call('DELETE', '/VirDomain/7f3e'),
    call('DELETE', '/VirDomainSnapshot/abc'),
    call('DELETE', '/User/u1'),
    ...['STOP', 'SHUTDOWN', 'REBOOT', 'RESET', 'PAUSE', 'LIVEMIGRATE', 'NMI'].map((a) => call('POST', '/VirDomain/action', [{ virDomainUUID: 'x', actionType: a }])),
    call('POST', '/VirDomain/action', [{ virDomainUUID: 'x', actionType: 'START' }, { virDomainUUID: 'y', actionType: 'stop' }]),
    call('POST', '/Cluster/shutdown', {}),
    call('POST', '/Update/9.4.30.217736/apply'),
    call('POST', '/Certificate', { certificate: 'c', privateKey: 'k' }),
    call('POST', '/User', { username: 'x' }),
    call('PATCH', '/User/u1', { fullName: 'x' }),
    call('POST', '/OIDCConfig', {}),
    call('POST', '/Role', {}),
    call('PATCH', '/OIDCConfig/oidcconfig_uuid', {}),
    call('PATCH', '/Cluster/c1', { clusterName: 'x' }),
    call('POST', '/Registration', {}),
    call('PATCH', '/NucleusKey/k', {}),
    // Changing the case does not dodge a rule.
    call('post', '/virdomain/action', [{ virDomainUUID: 'x', actionType: 'Reset' }])
  ]
  for (const c of destructive) assert.equal(verdictCode(policy, operator, c), 'CONFIRM', `${c.method} ${c.path} ${JSON.stringify(c.payload)}`)
  // Every rule in the data file is exercised above.
  for (const rule of DESTRUCTIVE_RULES) assert.ok(destructive.some((c) => ruleMatches(rule, c)), `rule ${JSON.stringify(rule)} is tested`)

  const everyday = [
    call('GET', '/VirDomain'),
    call('POST', '/VirDomain/action', [{ virDomainUUID: 'x', actionType: 'START' }]),
    call('POST', '/VirDomain', { dom: {} }),
    call('PATCH', '/VirDomain/x', { name: 'y' }),
    call('POST', '/VirDomainSnapshot', { domainUUID: 'x' }),
    call('POST', '/VirDomain/x/clone', {}),
    call('PATCH', '/DNSConfig/dnsconfig_guid', {})
  ]
  for (const c of everyday) assert.equal(verdictCode(policy, operator, c), 'ALLOW', `${c.method} ${c.path}`)
})

test('modes and roles: reads always; changes for operators and admins unless read-only; destructive ones confirmed in confirm mode', () => {
  const read = call('GET', '/VirDomain')
  const change = call('POST', '/VirDomainSnapshot', { domainUUID: 'x' })
  const destroy = call('DELETE', '/VirDomain/x')
  const expected: Record<string, Record<string, [string, string, string]>> = {
    'read-only': { reader: ['ALLOW', 'FORBIDDEN', 'FORBIDDEN'], operator: ['ALLOW', 'READ_ONLY', 'READ_ONLY'], admin: ['ALLOW', 'READ_ONLY', 'READ_ONLY'] },
    confirm: { reader: ['ALLOW', 'FORBIDDEN', 'FORBIDDEN'], operator: ['ALLOW', 'ALLOW', 'CONFIRM'], admin: ['ALLOW', 'ALLOW', 'CONFIRM'] },
    full: { reader: ['ALLOW', 'FORBIDDEN', 'FORBIDDEN'], operator: ['ALLOW', 'ALLOW', 'ALLOW'], admin: ['ALLOW', 'ALLOW', 'ALLOW'] }
  }
  for (const [mode, byRole] of Object.entries(expected)) {
    const policy = new Policy(mode as 'confirm', 'token')
    for (const [role, codes] of Object.entries(byRole)) {
      const caller = { name: role, role } as Caller
      assert.deepEqual([read, change, destroy].map((c) => verdictCode(policy, caller, c)), codes, `${mode} × ${role}`)
    }
  }
  const denying = new Policy('confirm', 'deny')
  assert.equal(verdictCode(denying, admin, destroy), 'DESTRUCTIVE_DENIED')
  assert.equal(verdictCode(denying, admin, change), 'ALLOW')
  const readOnly = new Policy('read-only', 'token').judge(operator, destroy)
  assert.ok(readOnly.kind === 'deny' && /SCALE_MODE=confirm/.test(readOnly.error.message), 'the refusal says how to change the mode')
  assert.equal(verdictCode(new Policy('confirm', 'token'), reader, call('GET', '/User')), 'ALLOW')
})

test('deny always beats allow; an allow list refuses what it does not name; destructive add and remove', () => {
  const file = scratchFile('policy.yaml')
  writeFileSync(file, [
    '# operators may touch VMs and snapshots only',
    'allow:',
    '  - path: /VirDomain/**',
    '  - path: /VirDomainSnapshot/**',
    '  - method: GET',
    '    path: /**',
    'deny:',
    '  - method: DELETE',
    '    path: /VirDomain/*',
    '    reason: VMs are deleted by the change board',
    'destructive:',
    '  add:',
    '    - method: POST',
    '      path: /VirDomainSnapshot',
    '  remove:',
    '    - method: DELETE',
    '      path: /VirDomainSnapshot/*',
    ''
  ].join('\n'))
  const policy = new Policy('confirm', 'token', readPolicyFile(file))
  assert.equal(verdictCode(policy, admin, call('DELETE', '/VirDomain/x')), 'POLICY_DENIED')
  const denied = policy.judge(admin, call('DELETE', '/VirDomain/x'))
  assert.ok(denied.kind === 'deny' && /change board/.test(denied.error.message))
  assert.equal(verdictCode(policy, admin, call('POST', '/User', {})), 'POLICY_DENIED')
  assert.equal(verdictCode(policy, admin, call('GET', '/User')), 'ALLOW')
  assert.equal(verdictCode(policy, admin, call('POST', '/VirDomainSnapshot', {})), 'CONFIRM')
  assert.equal(verdictCode(policy, admin, call('DELETE', '/VirDomainSnapshot/s')), 'ALLOW')
  assert.equal(verdictCode(new Policy('confirm', 'token', EMPTY_RULES), admin, call('DELETE', '/VirDomainSnapshot/s')), 'CONFIRM')
})

test('a bad policy file stops the start with the file and line at fault', () => {
  const cases: Array<[string, RegExp]> = [
    ['deny:\n  - method: DELETE\n    path: VirDomain/*\n', /line 3: path must be a string starting with \//],
    ['deny:\n  - method: DELETE\n    path: /x\n  - method: FETCH\n    path: /y\n', /line 4: method must be \*/],
    ['allow:\n  - path: /x\n    colour: red\n', /line 3: unknown key "colour"/],
    ['deny: [\n', /line \d+/],
    ['permit:\n  - path: /x\n', /line 1: unknown key "permit"/],
    ['{"deny": [{"method": "DELETE",\n "path": "/a/../b"}]}', /line 2: path is matched against canonical paths/]
  ]
  for (const [text, expected] of cases) {
    const file = scratchFile('bad-policy.yaml')
    writeFileSync(file, text)
    assert.throws(() => readPolicyFile(file), (err: Error) => {
      assert.match(err.message, /^SCALE_POLICY_FILE: /)
      assert.ok(err.message.includes(file), err.message)
      assert.match(err.message, expected)
      return true
    }, text)
  }
})
