import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

let root: string | undefined

/** The folder holding our package.json, whether running from `src/` under tsx or from `dist/src/`. */
export function projectRoot (): string {
  if (root !== undefined) return root
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = join(dir, 'package.json')
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'scale-api-helper') {
      root = dir
      return dir
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find the scale-api-helper package root')
    dir = parent
  }
}

/** A path inside the project, e.g. `projectFile('openapi', 'hypercore-9.4.json')`. */
export function projectFile (...segments: string[]): string {
  return join(projectRoot(), ...segments)
}

/** Our package version, from package.json. */
export const version: string = (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version
