import assert from 'node:assert/strict'
import { chownSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { SessionStore, type Session } from '../../src/scale/session-store.js'
import { captureLogs } from '../helper.js'

const session: Session = { id: 'a-live-session-id-0001', createdAt: new Date(), lastUsedAt: new Date() }

test('a session file that is a symbolic link is neither read nor written through', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sah-session-'))
  const target = join(dir, 'precious.txt')
  writeFileSync(target, 'do not overwrite me\n')
  const link = join(dir, 'session.json')
  symlinkSync(target, link)
  const { logger, text } = captureLogs('warn')
  const store = new SessionStore(link, 'https://127.0.0.5', 'admin', logger)
  assert.equal(await store.load(), undefined)
  await store.save(() => session)
  await store.flush()
  assert.equal(readFileSync(target, 'utf8'), 'do not overwrite me\n', 'the link\'s target is untouched')
  assert.match(text(), /symbolic link/)
  assert.doesNotMatch(text(), /a-live-session-id-0001/)
})

test('when a write fails, the old file is removed so a stale session is not reused at the next start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sah-session-'))
  const file = join(dir, 'session.json')
  await new SessionStore(file, 'https://127.0.0.5', 'admin', captureLogs().logger).save(() => session)
  assert.ok(existsSync(file))
  const { logger, text } = captureLogs('warn')
  const diskFull = async (): Promise<void> => { throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }) }
  const failing = new SessionStore(file, 'https://127.0.0.5', 'admin', logger, diskFull)
  await failing.save(() => ({ ...session, id: 'a-newer-session-id-0002' }))
  assert.equal(existsSync(file), false, 'the older session is gone with the failed write')
  assert.match(text(), /ENOSPC/)
})

test('a session file owned by another user is ignored', { skip: process.getuid?.() === 0 ? false : 'needs root to give a file to another user' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sah-session-'))
  const file = join(dir, 'session.json')
  await new SessionStore(file, 'https://127.0.0.5', 'admin', captureLogs().logger).save(() => session)
  chownSync(file, 12345, 12345)
  const { logger, text } = captureLogs('warn')
  assert.equal(await new SessionStore(file, 'https://127.0.0.5', 'admin', logger).load(), undefined)
  assert.match(text(), /owned by another user/)
})
