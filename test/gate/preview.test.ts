import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ClusterAccess } from '../../src/gate/cluster-access.js'
import type { PlannedCall } from '../../src/gate/plan.js'
import { previewCalls, previewText } from '../../src/gate/preview.js'

const GiB = 1024 ** 3

// What the fake cluster holds, by path; a path not here fails the lookup as a cluster error would.
const records: Record<string, unknown> = {
  '/VirDomain/vm-1': [{ uuid: 'vm-1', name: 'web-01', state: 'RUNNING', blockDevs: [{ type: 'VIRTIO_DISK' }, { type: 'IDE_CDROM' }], snapUUIDs: ['s1', 's2'] }],
  '/VirDomainBlockDevice/disk-1': [{ uuid: 'disk-1', virDomainUUID: 'vm-1', type: 'VIRTIO_DISK', capacity: 40 * GiB }],
  '/VirDomainBlockDevice/disk-2': [{ uuid: 'disk-2', type: 'IDE_DISK', capacity: 512 * 1024 ** 2 }],
  '/VirDomainNetDevice/nic-1': [{ uuid: 'nic-1', virDomainUUID: 'vm-1', macAddress: '7C:4C:58:00:00:01' }],
  '/User/user-1': [{ uuid: 'user-1', username: 'ops' }],
  '/VirDomainReplication/rep-1': [{ uuid: 'rep-1', label: 'to-dr' }],
  '/Node/node-1': [{ uuid: 'node-1', lanIP: '127.0.0.11' }]
}

function fakeCluster (asked: string[]): ClusterAccess {
  return {
    host: '127.0.0.1',
    call: async (method: string, target: unknown) => {
      const path = String(target)
      asked.push(`${method} ${path}`)
      if (!(path in records)) throw new Error('404')
      return { status: 200, data: records[path] }
    }
  } as unknown as ClusterAccess
}

async function preview (call: PlannedCall, asked: string[] = []): Promise<string> {
  const [only] = await previewCalls([{ call, reason: 'it deletes' }], fakeCluster(asked))
  assert.ok(only !== undefined)
  return only.text
}

test('a disk or NIC delete names the device, its size and the VM it belongs to', async () => {
  assert.equal(await preview({ method: 'DELETE', path: '/VirDomainBlockDevice/disk-1' }), "DELETE disk VIRTIO_DISK (40 GiB) of VM 'web-01' (RUNNING, 1 disk, 2 snapshots)")
  assert.equal(await preview({ method: 'DELETE', path: '/VirDomainBlockDevice/disk-2' }), 'DELETE disk IDE_DISK (512 MiB)')
  assert.equal(await preview({ method: 'DELETE', path: '/VirDomainNetDevice/nic-1' }), "DELETE NIC 7C:4C:58:00:00:01 of VM 'web-01' (RUNNING, 1 disk, 2 snapshots)")
})

test('a user or any other named record is shown by its name; an unknown one by its path', async () => {
  assert.equal(await preview({ method: 'DELETE', path: '/User/user-1' }), "DELETE user 'ops'")
  assert.equal(await preview({ method: 'DELETE', path: '/VirDomainReplication/rep-1' }), "DELETE VirDomainReplication 'to-dr' (rep-1)")
  assert.equal(await preview({ method: 'DELETE', path: '/VirDomainReplication/gone', search: '?x=1' }), 'DELETE /VirDomainReplication/gone?x=1')
  assert.equal(await preview({ method: 'DELETE', path: '/VirDomain/gone' }), 'DELETE VM gone')
})

test('a migration names the VM and the node address; several actions get a part each', async () => {
  const call: PlannedCall = {
    method: 'POST',
    path: '/VirDomain/action',
    payload: [{ virDomainUUID: 'vm-1', actionType: 'LIVEMIGRATE', nodeUUID: 'node-1' }, { actionType: 'STOP' }, { virDomainUUID: 'vm-1', actionType: 'LIVEMIGRATE' }]
  }
  assert.equal(await preview(call), "LIVEMIGRATE VM 'web-01' (RUNNING, 1 disk, 2 snapshots) to node 127.0.0.11; STOP VM (no virDomainUUID given); LIVEMIGRATE VM 'web-01' (RUNNING, 1 disk, 2 snapshots) to (no nodeUUID given)")
})

test('a record is read once per preview, and a path that is not one record is never read', async () => {
  const asked: string[] = []
  const call = { method: 'DELETE', path: '/VirDomainNetDevice/nic-1' } as const
  const previews = await previewCalls([{ call, reason: 'a' }, { call: { method: 'DELETE', path: '/VirDomain/vm-1' }, reason: 'b' }], fakeCluster(asked))
  assert.deepEqual(asked.sort(), ['GET /VirDomain/vm-1', 'GET /VirDomainNetDevice/nic-1'])
  assert.equal(previewText(previews), "DELETE NIC 7C:4C:58:00:00:01 of VM 'web-01' (RUNNING, 1 disk, 2 snapshots) — a\nDELETE VM 'web-01' (RUNNING, 1 disk, 2 snapshots) — b")

  const strange: string[] = []
  assert.equal(await preview({ method: 'DELETE', path: '/User/a b' }, strange), 'DELETE /User/a b')
  assert.deepEqual(strange, [])
  const [none] = await previewCalls([{ call: { method: 'DELETE', path: '/User/user-1' }, reason: 'r' }], undefined)
  assert.equal(none?.text, 'DELETE /User/user-1')
})
