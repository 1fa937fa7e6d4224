import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { test } from 'node:test'
import { Catalog } from '../../src/catalog/catalog.js'
import { ruleMatches } from '../../src/gate/call-rule.js'
import { DESTRUCTIVE_RULES } from '../../src/gate/destructive-rules.js'
import type { Caller } from '../../src/gate/identity.js'
import { EMPTY_RULES, Policy, readPolicyFile, type OperationLookup, type PolicyCall, type PolicyRules, type ScaleMode, type ConfirmVia } from '../../src/gate/policy.js'
import { projectFile } from '../../src/lib/paths.js'
import { scratchFile } from '../helper.js'

const operator: Caller = { name: 'ops', role: 'operator' }
const reader: Caller = { name: 'viewer', role: 'reader' }
const admin: Caller = { name: 'root', role: 'admin' }

const catalog = await Catalog.load()
const operationOf: OperationLookup = (method, path) => catalog.find(method, path)?.operation.operationId

function policyOf (mode: ScaleMode, via: ConfirmVia, rules: PolicyRules = EMPTY_RULES): Policy {
  return new Policy(mode, via, rules, operationOf)
}

function call (method: string, path: string, payload?: unknown): PolicyCall {
  return { method, path, payload, mutating: method !== 'GET' }
}

function verdictCode (policy: Policy, caller: Caller, c: PolicyCall): string {
  const v = policy.judge(caller, c)
  if (v.kind === 'deny') return v.error.code
  return v.needsConfirmation ? 'CONFIRM' : 'ALLOW'
}

test('every default destructive rule matches the calls it names, and everyday changes are not destructive', () => {
  const policy = policyOf('confirm', 'token')
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
    const policy = policyOf(mode as 'confirm', 'token')
    for (const [role, codes] of Object.entries(byRole)) {
      const caller = { name: role, role } as Caller
      assert.deepEqual([read, change, destroy].map((c) => verdictCode(policy, caller, c)), codes, `${mode} × ${role}`)
    }
  }
  const denying = policyOf('confirm', 'deny')
  assert.equal(verdictCode(denying, admin, destroy), 'DESTRUCTIVE_DENIED')
  assert.equal(verdictCode(denying, admin, change), 'ALLOW')
  const readOnly = policyOf('read-only', 'token').judge(operator, destroy)
  assert.ok(readOnly.kind === 'deny' && /SCALE_MODE=confirm/.test(readOnly.error.message), 'the refusal says how to change the mode')
  assert.equal(verdictCode(policyOf('confirm', 'token'), reader, call('GET', '/User')), 'ALLOW')
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
  const policy = policyOf('confirm', 'token', readPolicyFile(file))
  assert.equal(verdictCode(policy, admin, call('DELETE', '/VirDomain/x')), 'POLICY_DENIED')
  const denied = policy.judge(admin, call('DELETE', '/VirDomain/x'))
  assert.ok(denied.kind === 'deny' && /change board/.test(denied.error.message))
  assert.equal(verdictCode(policy, admin, call('POST', '/User', {})), 'POLICY_DENIED')
  assert.equal(verdictCode(policy, admin, call('GET', '/User')), 'ALLOW')
  assert.equal(verdictCode(policy, admin, call('POST', '/VirDomainSnapshot', {})), 'CONFIRM')
  assert.equal(verdictCode(policy, admin, call('DELETE', '/VirDomainSnapshot/s')), 'ALLOW')
  assert.equal(verdictCode(policyOf('confirm', 'token', EMPTY_RULES), admin, call('DELETE', '/VirDomainSnapshot/s')), 'CONFIRM')
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

test('rules can name an operation or any change to a resource, so the same change by another route cannot slip past', () => {
  const file = scratchFile('policy-ops.yaml')
  writeFileSync(file, [
    'deny:',
    '  - operationId: [updateVirDomain, patchVirDomain]',
    '    reason: VM settings change through the change board',
    '  - resource: User',
    '    method: change',
    ''
  ].join('\n'))
  const rules = readPolicyFile(file)
  rules.checkOperations?.((id) => catalog.byId(id) !== undefined)
  const policy = policyOf('confirm', 'token', rules)
  // POST and PATCH on a VM are the same change under two operation names; both are named, so both are refused.
  assert.equal(verdictCode(policy, admin, call('PATCH', '/VirDomain/x', { name: 'y' })), 'POLICY_DENIED')
  assert.equal(verdictCode(policy, admin, call('POST', '/VirDomain/x', { name: 'y' })), 'POLICY_DENIED')
  assert.equal(verdictCode(policy, admin, call('GET', '/VirDomain/x')), 'ALLOW')
  assert.equal(verdictCode(policy, admin, call('POST', '/VirDomain/action', [{ virDomainUUID: 'x', actionType: 'START' }])), 'ALLOW')
  for (const c of [call('POST', '/User', {}), call('PATCH', '/User/u1', {}), call('DELETE', '/user/u1'), call('POST', '/User/u1/whatever', {})]) {
    assert.equal(verdictCode(policy, admin, c), 'POLICY_DENIED', `${c.method} ${c.path}`)
  }
  assert.equal(verdictCode(policy, admin, call('GET', '/User')), 'ALLOW')
  // A resource rule covers the resource and every route below it, not another resource whose name starts the same.
  const vmFile = scratchFile('policy-vm.yaml')
  writeFileSync(vmFile, 'deny:\n  - resource: VirDomain\n    method: change\n')
  const vms = policyOf('confirm', 'token', readPolicyFile(vmFile))
  assert.equal(verdictCode(vms, admin, call('POST', '/VirDomain/x/clone', {})), 'POLICY_DENIED')
  assert.equal(verdictCode(vms, admin, call('POST', '/VirDomain/action', [{ virDomainUUID: 'x', actionType: 'START' }])), 'POLICY_DENIED')
  assert.equal(verdictCode(vms, admin, call('POST', '/VirDomainSnapshot', { domainUUID: 'x' })), 'ALLOW')
  assert.equal(verdictCode(vms, admin, call('GET', '/VirDomain/x')), 'ALLOW')
})

test('a change the catalog does not know is destructive unless the policy file says otherwise', () => {
  const policy = policyOf('confirm', 'token')
  for (const c of [call('POST', '/NoSuchThing', {}), call('PATCH', '/VirDomain/x/unknownAction', {}), call('PUT', '/virdomain/x', {})]) {
    const verdict = policy.judge(operator, c)
    assert.ok(verdict.kind === 'allow' && verdict.needsConfirmation, `${c.method} ${c.path}`)
    assert.match(verdict.kind === 'allow' ? verdict.reason ?? '' : '', /not a known operation/)
  }
  assert.equal(verdictCode(policyOf('confirm', 'deny'), admin, call('POST', '/NoSuchThing', {})), 'DESTRUCTIVE_DENIED')
  // Reads of unknown paths are reads.
  assert.equal(verdictCode(policy, operator, call('GET', '/NoSuchThing')), 'ALLOW')
  const file = scratchFile('policy-unknown.yaml')
  writeFileSync(file, 'destructive:\n  remove:\n    - method: POST\n      path: /NoSuchThing\n')
  assert.equal(verdictCode(policyOf('confirm', 'token', readPolicyFile(file)), operator, call('POST', '/NoSuchThing', {})), 'ALLOW')
})

test('a policy rule naming an operation the catalog lacks stops the start with its line; bad new keys too', () => {
  const file = scratchFile('policy-typo.yaml')
  writeFileSync(file, 'deny:\n  - resource: VirDomain\n  - operationId: updateVirDomian\n')
  const rules = readPolicyFile(file)
  assert.throws(() => rules.checkOperations?.((id) => catalog.byId(id) !== undefined), /^ConfigError|SCALE_POLICY_FILE: .*line 3: operationId "updateVirDomian" is not an operation/)
  const cases: Array<[string, RegExp]> = [
    ['deny:\n  - reason: nothing to match\n', /line 2: a rule needs path, resource, operationId, cluster or clusterTag/],
    ['deny:\n  - resource: /VirDomain\n', /line 2: resource must be a resource name/],
    ['deny:\n  - path: /rest/v1/VirDomain/*\n', /line 2: path is matched below \/rest\/v1/],
    ['deny:\n  - operationId: []\n', /line 2: operationId must be/],
    ['deny:\n  - resource: VirDomain\n    method: changes\n', /line 3: method must be \*, change, read/]
  ]
  for (const [text, expected] of cases) {
    const bad = scratchFile('bad-policy-2.yaml')
    writeFileSync(bad, text)
    assert.throws(() => readPolicyFile(bad), (err: Error) => expected.test(err.message), text)
  }
})

test('the README policy example reads, names real operations, and means what it says', async () => {
  const readme = readFileSync(projectFile('docs', 'safety.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Policy file (`SCALE_POLICY_FILE`)'))
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1]
  assert.ok(yaml !== undefined, 'the policy section has a YAML example')
  const file = scratchFile('readme-policy.yaml')
  writeFileSync(file, yaml)
  const rules = readPolicyFile(file)
  rules.checkOperations?.((id) => catalog.byId(id) !== undefined)
  const policy = policyOf('confirm', 'token', rules)
  assert.equal(verdictCode(policy, admin, call('DELETE', '/VirDomain/x')), 'POLICY_DENIED')
  assert.equal(verdictCode(policy, admin, call('POST', '/VirDomain/x', { name: 'y' })), 'POLICY_DENIED')
  assert.equal(verdictCode(policy, admin, call('PATCH', '/VirDomain/x', { name: 'y' })), 'POLICY_DENIED')
  assert.equal(verdictCode(policy, admin, call('POST', '/User', { username: 'u' })), 'POLICY_DENIED')
  assert.equal(verdictCode(policy, admin, call('POST', '/VirDomain/action', [{ virDomainUUID: 'x', actionType: 'START' }])), 'ALLOW')
  assert.equal(verdictCode(policy, admin, call('POST', '/VirDomain/x/export', {})), 'CONFIRM')
  assert.equal(verdictCode(policy, admin, call('DELETE', '/VirDomainSnapshot/s')), 'ALLOW')
  assert.equal(verdictCode(policy, admin, call('POST', '/VirNetwork', {})), 'POLICY_DENIED')
  assert.equal(verdictCode(policy, reader, call('GET', '/User')), 'ALLOW')
})
