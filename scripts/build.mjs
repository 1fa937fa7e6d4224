#!/usr/bin/env node
// Compiles the TypeScript to dist/ and stamps the build; with --if-stale, only when a source is newer than the
// stamp, so `npm start` after `npm install` (which builds once) starts without compiling again.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const stamp = join(root, 'dist', '.build-stamp')
const sources = ['src', 'routes', 'plugins', 'tsconfig.json', 'tsconfig.build.json', 'package.json']

function newest (path) {
  let info
  try {
    info = statSync(path)
  } catch {
    return 0
  }
  if (!info.isDirectory()) return info.mtimeMs
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), info.mtimeMs)
}

function built () {
  try {
    return statSync(stamp).mtimeMs
  } catch {
    return -1
  }
}

if (process.argv.includes('--if-stale') && built() >= Math.max(...sources.map((s) => newest(join(root, s))))) process.exit(0)
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' })
if (tsc.status !== 0) process.exit(tsc.status ?? 1)
writeFileSync(stamp, `${new Date().toISOString()}\n`)
