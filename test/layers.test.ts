import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { test } from 'node:test'
import ts from 'typescript'
import { projectRoot } from '../src/lib/paths.js'

// The layers, lowest first: a file may import its own layer and the ones below, never one above. A path ending in /
// is a folder; the longest match places a file. Every source file must be placed, so a new folder is a decision.
const LAYERS: ReadonlyArray<readonly [layer: string, paths: readonly string[]]> = [
  ['basics', ['src/errors/', 'src/lib/', 'src/observe/', 'src/config/file.ts', 'src/text/']],
  ['catalog', ['src/catalog/']],
  ['scale', ['src/scale/']],
  // The clusters behind the server, each a connection of the layer below, and who may see which.
  ['fleet', ['src/fleet/']],
  // Tool and route shapes, built on the cluster's list of HTTP methods.
  ['shapes', ['src/schemas.ts']],
  ['gate', ['src/gate/']],
  // Sign-in with the organisation's identity provider: access tokens become the gate's callers.
  ['oauth', ['src/oauth/']],
  ['llm', ['src/llm/']],
  ['tools', ['src/tools/']],
  // The configuration is read into the gate's, the tools' and the language model's own settings.
  ['config', ['src/config/']],
  ['simulator', ['src/simulator/']],
  ['runtime', ['src/runtime.ts']],
  ['mcp', ['src/faces/mcp/']],
  // The faces and what they share (the gate's composition, process signals), with no Fastify in them.
  ['faces', ['src/faces/']],
  ['fastify', ['plugins/', 'routes/']],
  ['app', ['src/app.ts']],
  ['entries', ['src/server.ts', 'src/emit-openapi.ts', 'src/cli.ts']]
]

// Imports that still run back up, each with the change that ends it; the test fails once one is gone, so the list
// only shrinks.
const OWED = new Set<string>([])

// Fastify and its plugins: only the Fastify layers and the simulator (a Fastify server of its own) import them.
const FASTIFY_PACKAGE = /^(fastify|fastify-plugin|@fastify\/.*)$/
const MAY_IMPORT_FASTIFY = new Set(['fastify', 'app', 'entries', 'simulator'])

function sourceFiles (dir: string): string[] {
  return readdirSync(join(projectRoot(), dir), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

function layerOf (file: string): number | undefined {
  let best: { index: number, length: number } | undefined
  LAYERS.forEach(([, paths], index) => {
    for (const path of paths) {
      const match = path.endsWith('/') ? file.startsWith(path) : file === path
      if (match && (best === undefined || path.length > best.length)) best = { index, length: path.length }
    }
  })
  return best?.index
}

/** Every module a file names: static imports and re-exports (type-only too), and dynamic import(). */
function importsOf (file: string): string[] {
  return ts.preProcessFile(readFileSync(join(projectRoot(), file), 'utf8'), true, true).importedFiles.map((f) => f.fileName)
}

function resolved (from: string, specifier: string): string {
  const target = posix.normalize(posix.join(posix.dirname(from), specifier))
  return target.replace(/\.js$/, '.ts')
}

const files = ['src', 'routes', 'plugins'].flatMap(sourceFiles)
const known = new Set(files)

test('every source file has a layer', () => {
  assert.ok(files.length > 100, `found only ${files.length} source files`)
  assert.deepEqual(files.filter((f) => layerOf(f) === undefined), [], 'place these in LAYERS')
})

test('no import runs back up the layers', () => {
  const upward: string[] = []
  for (const file of files) {
    const from = layerOf(file) ?? -1
    for (const specifier of importsOf(file)) {
      if (!specifier.startsWith('.')) continue
      const target = resolved(file, specifier)
      assert.ok(known.has(target), `${file} imports ${specifier}, which is no source file of src/, routes/ or plugins/`)
      if ((layerOf(target) ?? -1) > from) upward.push(`${file} -> ${target}`)
    }
  }
  const unexpected = upward.filter((edge) => !OWED.has(edge)).map((edge) => {
    const [from = '', to = ''] = edge.split(' -> ')
    return `${edge} (${LAYERS[layerOf(from) ?? 0]?.[0]} imports ${LAYERS[layerOf(to) ?? 0]?.[0]})`
  })
  assert.deepEqual(unexpected, [], 'a lower layer imports a higher one')
  assert.deepEqual([...OWED].filter((edge) => !upward.includes(edge)), [], 'fixed: take these out of OWED')
})

test('Fastify and its plugins are imported only by plugins/, routes/, the app, the server and the simulator', () => {
  const outside = files.flatMap((file) => {
    const layer = LAYERS[layerOf(file) ?? 0]?.[0] ?? ''
    if (MAY_IMPORT_FASTIFY.has(layer)) return []
    return importsOf(file).filter((s) => FASTIFY_PACKAGE.test(s)).map((s) => `${file} imports ${s}`)
  })
  assert.deepEqual(outside, [])
})
