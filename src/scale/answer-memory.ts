import { AppError } from '../errors/app-error.js'
import type { CallSite } from './upstream-errors.js'

/** One call's share of the answer memory. */
export interface AnswerLease {
  /** Counts `bytes` more of this answer; throws 503 SCALE_BUSY when a refusable read would pass the budget. */
  take: (bytes: number, site: CallSite) => void
  /** Gives back everything this answer took. */
  release: () => void
}

/**
 * Admission control for cluster answers: the bytes of answers held in memory at once, across every call. A burst
 * of huge answers (a 5,000-VM list is 11 MiB, about 15 MiB once parsed) answers 503 SCALE_BUSY for the reads that
 * would pass the budget, instead of exhausting the process's memory. Answers to changes are never refused: the
 * change has happened, and its answer is small.
 */
export class AnswerMemory {
  readonly capacity: number
  #used = 0

  constructor (capacity: number) {
    this.capacity = capacity
  }

  /** Bytes held now. */
  get used (): number {
    return this.#used
  }

  /** A lease for one answer; `refusable` is false for answers to changes. */
  lease (refusable: boolean): AnswerLease {
    let held = 0
    return {
      take: (bytes, site) => {
        if (refusable && this.#used + bytes > this.capacity && held + bytes <= this.capacity) {
          throw new AppError('SCALE_BUSY', `Too many large cluster answers are being read at once to take in ${site.method} ${site.path} now; try again in a few seconds (or ask for less, e.g. with fields).`,
            { details: { retryAfterSeconds: 2 } })
        }
        held += bytes
        this.#used += bytes
      },
      release: () => {
        this.#used -= held
        held = 0
      }
    }
  }
}
