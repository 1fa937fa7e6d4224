/** A small deterministic random source: the same seed always yields the same sequence. */
export interface Rng {
  /** A float in [0, 1). */
  next: () => number
  /** An integer in [min, max], both ends included. */
  int: (min: number, max: number) => number
  /** True with probability `p`. */
  chance: (p: number) => boolean
  /** One element of a non-empty array. */
  pick: <T>(items: readonly T[]) => T
  /** `count` random lower-case hex digits. */
  hex: (count: number) => string
  /** A version-4 style UUID built from this sequence. */
  uuid: () => string
}

/** Creates a seeded generator (sfc32, seeded through splitmix32 so nearby seeds diverge quickly). */
export function createRng (seed: number): Rng {
  let s = seed >>> 0
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = split()
  let b = split()
  let c = split()
  let d = split()
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t / 4294967296
  }
  // Warm up so the first outputs do not echo the seed.
  for (let i = 0; i < 12; i++) next()

  const hex = (count: number): string => {
    let out = ''
    while (out.length < count) out += Math.floor(next() * 0x100000000).toString(16).padStart(8, '0')
    return out.slice(0, count)
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    hex,
    uuid: () => {
      const h = hex(32)
      const variant = ((parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16)
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
    }
  }
}
