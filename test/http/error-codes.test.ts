import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { ERROR_CODES } from '../../src/errors/codes.js'
import { AppError } from '../../src/errors/app-error.js'
import { projectFile } from '../../src/lib/paths.js'

test('the README error table lists exactly our error codes, each with its status', async () => {
  const readme = await readFile(projectFile('docs', 'errors.md'), 'utf8')
  const rows = new Map([...readme.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1] as string, (m[2] as string).trim()]))
  for (const [code, info] of Object.entries(ERROR_CODES)) {
    const shown = rows.get(code)
    assert.ok(shown !== undefined, `${code} is in the README's error table`)
    assert.ok(shown.includes(String(info.status)), `${code}: README says ${shown}, the list says ${info.status}`)
  }
  const table = readme.slice(readme.indexOf('| Code | Status | Meaning |'))
  for (const m of table.matchAll(/^\| `([A-Z_]+)` \|/gm)) assert.ok(Object.hasOwn(ERROR_CODES, m[1] as string), `${m[1]} in the README is a real code`)
})

test('AppError takes its status from the list, and only allowed alternatives', () => {
  assert.equal(new AppError('READ_ONLY', 'x').statusCode, 403)
  assert.equal(new AppError('SCALE_API_ERROR', 'x', { status: 404 }).statusCode, 404)
  assert.equal(new AppError('SCALE_API_ERROR', 'x', { status: 500 }).statusCode, 502)
  assert.equal(new AppError('READ_ONLY', 'x', 500).statusCode, 403)
})
