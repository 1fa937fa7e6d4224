import type { SimClock } from './clock.js'
import { HttpError } from './http-error.js'

/**
 * The stages of a firmware update as a client sees them (Scale's field notes, measured on a real update):
 * prepare (API normal), apply (every /rest/v1 call accepted and never answered), reboot-tls (connections fail
 * during the TLS handshake), reboot-down (connections hang), starting (/rest/v1 answers 502 with HTML), done.
 */
export type UpdatePhase = 'prepare' | 'apply' | 'reboot-tls' | 'reboot-down' | 'starting' | 'done'

/** How long each phase of an update lasts on the simulator's clock, in milliseconds. */
export interface UpdatePhaseDurations {
  prepare: number
  apply: number
  rebootTls: number
  rebootDown: number
  starting: number
}

/** Defaults: the real shape, shortened from minutes to seconds so a person can watch one. */
export const DEFAULT_UPDATE_PHASES_MS: UpdatePhaseDurations = { prepare: 15_000, apply: 60_000, rebootTls: 20_000, rebootDown: 10_000, starting: 10_000 }

const ORDER: UpdatePhase[] = ['prepare', 'apply', 'reboot-tls', 'reboot-down', 'starting', 'done']
const DURATION_KEY: Record<Exclude<UpdatePhase, 'done'>, keyof UpdatePhaseDurations> = {
  prepare: 'prepare', apply: 'apply', 'reboot-tls': 'rebootTls', 'reboot-down': 'rebootDown', starting: 'starting'
}
// Overall percent at the start of each phase; percent only ever climbs, as on a real cluster.
const PERCENT_AT: Record<UpdatePhase, number> = { prepare: 0, apply: 10, 'reboot-tls': 85, 'reboot-down': 90, starting: 95, done: 100 }
const PREPARE_STATES = ['DOWNLOAD BUNDLE', 'DOWNLOAD RPMS', 'UPDATE RPM']
// masterState flips between its two in-progress names this often during apply.
const ALTERNATE_MS = 5_000
const TOTAL_COMPONENTS = 2075
const MAX_PHASE_MS = 24 * 3600 * 1000

/** What /rest/v1 does right now because of an update. */
export type RestBehaviour = 'normal' | 'hang' | 'bad-gateway'
/** What a new TCP connection to any node meets right now because of an update. */
export type ConnectionBehaviour = 'serve' | 'drop' | 'hang'

interface Run {
  fromVersion: string
  toVersion: string
  durations: UpdatePhaseDurations
  phase: UpdatePhase
  phaseStartedAt: number
  node: string
}

/** Checks and completes partial phase durations (each 0 to 24 hours). */
export function updateDurations (partial: Partial<UpdatePhaseDurations> | undefined, base: UpdatePhaseDurations = DEFAULT_UPDATE_PHASES_MS): UpdatePhaseDurations {
  const out = { ...base }
  if (partial === undefined) return out
  if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) throw invalid('phasesMs must be an object of phase durations')
  for (const [key, value] of Object.entries(partial)) {
    if (!(key in out)) throw invalid(`phasesMs.${key} is not a phase; use ${Object.keys(out).join(', ')}`)
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_PHASE_MS) throw invalid(`phasesMs.${key} must be a whole number of milliseconds from 0 to ${MAX_PHASE_MS}`)
    out[key as keyof UpdatePhaseDurations] = value
  }
  return out
}

function invalid (message: string): HttpError {
  return new HttpError(400, message)
}

function build (version: string): string {
  return version.split('.').at(-1) ?? ''
}

/** Drives one cluster update at a time through its phases, on the simulator's clock or by explicit steps. */
export class ClusterUpdate {
  readonly #clock: SimClock
  readonly #onPhase: (phase: UpdatePhase, run: { fromVersion: string, toVersion: string }) => void
  #defaults: UpdatePhaseDurations
  #run: Run | undefined
  #cancelTimer: (() => void) | undefined

  constructor (opts: { clock: SimClock, durations?: UpdatePhaseDurations, onPhase: (phase: UpdatePhase, run: { fromVersion: string, toVersion: string }) => void }) {
    this.#clock = opts.clock
    this.#defaults = opts.durations ?? DEFAULT_UPDATE_PHASES_MS
    this.#onPhase = opts.onPhase
  }

  /** The phase of the current or last update; 'idle' when none ever ran. */
  get phase (): UpdatePhase | 'idle' {
    return this.#run?.phase ?? 'idle'
  }

  /** The phase a step would move to; undefined when no update is under way. */
  get nextPhase (): UpdatePhase | undefined {
    return this.running ? ORDER[ORDER.indexOf((this.#run as Run).phase) + 1] : undefined
  }

  /** True while an update is under way (started and not done). */
  get running (): boolean {
    return this.#run !== undefined && this.#run.phase !== 'done'
  }

  /** The version being installed (or last installed), or undefined when no update ever ran. */
  get toVersion (): string | undefined {
    return this.#run?.toVersion
  }

  /** Phase durations used by updates started from now on without their own. */
  setDefaults (durations: Partial<UpdatePhaseDurations>): void {
    this.#defaults = updateDurations(durations, this.#defaults)
  }

  /** Starts an update from `fromVersion` to `toVersion`; refused while another runs. */
  start (fromVersion: string, toVersion: string, opts: { durations?: Partial<UpdatePhaseDurations>, node?: string } = {}): void {
    if (this.running) throw new HttpError(409, `An update to HyperCore ${this.#run?.toVersion ?? ''} is already in progress`)
    const durations = updateDurations(opts.durations, this.#defaults)
    this.#run = { fromVersion, toVersion, durations, phase: 'prepare', phaseStartedAt: this.#clock.now(), node: opts.node ?? '' }
    this.#enter('prepare')
  }

  /** Ends the current phase now and moves to the next one (a test's or a person's fast-forward). */
  step (): UpdatePhase {
    const run = this.#run
    if (run === undefined || run.phase === 'done') throw new HttpError(409, 'No update is in progress')
    this.#advance()
    return run.phase
  }

  /** What /rest/v1 calls meet in the current phase. */
  restBehaviour (): RestBehaviour {
    const phase = this.#run?.phase
    if (phase === 'apply') return 'hang'
    if (phase === 'starting') return 'bad-gateway'
    return 'normal'
  }

  /** What new connections meet in the current phase. */
  connectionBehaviour (): ConnectionBehaviour {
    const phase = this.#run?.phase
    if (phase === 'reboot-tls') return 'drop'
    if (phase === 'reboot-down') return 'hang'
    return 'serve'
  }

  /** The body of `/update/update_status.json`, or undefined while the cluster has never updated (the file does not exist). */
  statusDocument (): Record<string, unknown> | undefined {
    const run = this.#run
    if (run === undefined) return undefined
    const now = this.#clock.now()
    const phase = run.phase
    const span = phase === 'done' ? 0 : run.durations[DURATION_KEY[phase]]
    const fraction = span <= 0 ? 1 : Math.min(1, Math.max(0, (now - run.phaseStartedAt) / span))
    const next = ORDER[ORDER.indexOf(phase) + 1] ?? 'done'
    const percent = phase === 'done' ? 100 : Math.min(99, Math.floor(PERCENT_AT[phase] + (PERCENT_AT[next] - PERCENT_AT[phase]) * fraction))
    if (phase === 'prepare') {
      const state = PREPARE_STATES[Math.min(PREPARE_STATES.length - 1, Math.floor(fraction * PREPARE_STATES.length))] as string
      return { prepareStatus: { state }, updateStatus: { percent: String(percent), status: { statusdetails: 'Preparing update' } } }
    }
    const done = phase === 'done'
    const masterState = done
      ? 'COMPLETE'
      : phase === 'apply' && Math.floor((now - run.phaseStartedAt) / ALTERNATE_MS) % 2 === 0 ? 'EXECUTING' : 'IN PROGRESS'
    const details = done ? 'Update Complete. Press \'Reload\' to reconnect' : phase === 'apply' ? 'Installing update' : 'Restarting services'
    return {
      prepareStatus: { state: 'COMPLETE' },
      updateStatus: {
        ...(done ? { masterStateID: '4' } : {}),
        masterState,
        fromBuild: build(run.fromVersion),
        toBuild: build(run.toVersion),
        toVersion: run.toVersion,
        currentComponent: String(Math.round((TOTAL_COMPONENTS * percent) / 100)),
        totalComponents: String(TOTAL_COMPONENTS),
        percent: String(percent),
        status: { component: `${Math.round((9999 * percent) / 100)}/9999`, node: run.node, statusdetails: details, usernotes: details }
      }
    }
  }

  /** Stops the phase timer (the simulator is closing). */
  close (): void {
    this.#cancelTimer?.()
    this.#cancelTimer = undefined
  }

  #advance (): void {
    const run = this.#run as Run
    const next = ORDER[ORDER.indexOf(run.phase) + 1] ?? 'done'
    run.phase = next
    run.phaseStartedAt = this.#clock.now()
    this.#enter(next)
  }

  #enter (phase: UpdatePhase): void {
    const run = this.#run as Run
    this.#cancelTimer?.()
    this.#cancelTimer = undefined
    this.#onPhase(phase, { fromVersion: run.fromVersion, toVersion: run.toVersion })
    if (phase === 'done') return
    this.#cancelTimer = this.#clock.setTimer(run.durations[DURATION_KEY[phase]], () => {
      this.#cancelTimer = undefined
      if (this.#run === run && run.phase === phase) this.#advance()
    })
  }
}
