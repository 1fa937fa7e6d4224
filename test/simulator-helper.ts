import type { TestContext } from 'node:test'
import { Agent, request } from 'undici'
import { startSimulator, type RunningSimulator, type SimulatorOptions, type TaskTagStatus } from '../src/simulator/index.js'
import { testCatalog } from './helper.js'

/** Starts a simulator on a free port with fast tasks (50 ms), closed when the test ends. */
export async function startTestSimulator (t: TestContext, opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ taskDurationMs: 50, catalog: await testCatalog(), ...opts })
  t.after(() => sim.close())
  return sim
}

/** An `Authorization` header with HTTP Basic credentials (the simulator's own account by default). */
export function basicAuth (sim: Pick<RunningSimulator, 'username' | 'password'>, username = sim.username, password = sim.password): { authorization: string } {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` }
}

/** An undici Agent that trusts the simulator's self-signed certificate (a plain Agent for HTTP). */
export function simAgent (sim: Pick<RunningSimulator, 'certificate'>): Agent {
  return new Agent(sim.certificate === undefined ? {} : { connect: { ca: sim.certificate.pem } })
}

/** One answer from the simulator: status, headers, the raw text and the parsed JSON (undefined when not JSON). */
export interface SimResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  json: unknown
}

/** A small HTTPS client for tests: keeps the session cookie and talks to `/rest/v1`. */
export interface SimClient {
  /** The session ID from the last login (undefined before one). */
  sessionID: string | undefined
  /** Logs in with the simulator's credentials (or the given ones) and keeps the session. */
  login: (username?: string, password?: string) => Promise<SimResponse>
  /** Calls `/rest/v1<path>` with the session cookie; a Buffer body is sent as octet-stream, anything else as JSON. */
  call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<SimResponse>
  /** Calls any path on the simulator's origin (or `origin`), without the session cookie. */
  raw: (method: string, path: string, body?: unknown, headers?: Record<string, string>, origin?: string) => Promise<SimResponse>
  /** Polls `GET /TaskTag/{tag}` until the task is COMPLETE or ERROR. */
  waitForTask: (tag: string) => Promise<TaskTagStatus>
  dispatcher: Agent
}

/** Creates a client for the simulator, closed when the test ends; it does not log in until asked. */
export function createSimClient (t: TestContext, sim: RunningSimulator): SimClient {
  const dispatcher = simAgent(sim)
  t.after(() => dispatcher.close())
  const send = async (method: string, url: string, body: unknown, headers: Record<string, string>): Promise<SimResponse> => {
    const isBytes = Buffer.isBuffer(body)
    const res = await request(url, {
      method: method as 'GET',
      dispatcher,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': isBytes ? 'application/octet-stream' : 'application/json' }),
        ...headers
      },
      ...(body === undefined ? {} : { body: isBytes ? body : JSON.stringify(body) })
    })
    const text = await res.body.text()
    let json: unknown
    try {
      json = text === '' ? undefined : JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: res.statusCode, headers: res.headers, text, json }
  }
  const client: SimClient = {
    sessionID: undefined,
    dispatcher,
    async login (username = sim.username, password = sim.password) {
      const res = await send('POST', `${sim.url}/rest/v1/login`, { username, password }, {})
      if (res.status === 200) client.sessionID = (res.json as { sessionID: string }).sessionID
      return res
    },
    async call (method, path, body, headers = {}) {
      const cookie: Record<string, string> = client.sessionID === undefined ? {} : { cookie: `sessionID=${client.sessionID}` }
      return await send(method, `${sim.url}/rest/v1${path}`, body, { ...cookie, ...headers })
    },
    async raw (method, path, body, headers = {}, origin = sim.url) {
      return await send(method, `${origin}${path}`, body, headers)
    },
    async waitForTask (tag) {
      if (tag === '') throw new Error('this write took effect at once (empty taskTag): there is no task to wait for')
      for (let i = 0; i < 2000; i++) {
        const res = await client.call('GET', `/TaskTag/${tag}`)
        if (res.status !== 200) throw new Error(`GET /TaskTag/${tag} answered ${res.status}: ${res.text}`)
        const status = (res.json as TaskTagStatus[])[0] as TaskTagStatus
        if (status.state === 'COMPLETE' || status.state === 'ERROR') return status
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      throw new Error(`task ${tag} did not finish`)
    }
  }
  return client
}

/** A logged-in client for the simulator: the shortest way to call it in a test. */
export async function simFetch (t: TestContext, sim: RunningSimulator): Promise<SimClient> {
  const client = createSimClient(t, sim)
  const res = await client.login()
  if (res.status !== 200) throw new Error(`login to the simulator failed: ${res.status} ${res.text}`)
  return client
}
