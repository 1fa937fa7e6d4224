// oidc-provider ships no types; the tests use a small part of it, typed where they use it.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'
  /** An OpenID provider (https://github.com/panva/node-oidc-provider). */
  export default class Provider {
    constructor (issuer: string, configuration: Record<string, unknown>)
    proxy: boolean
    callback (): (req: IncomingMessage, res: ServerResponse) => void
  }
}
