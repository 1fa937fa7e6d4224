/** Bytes in a GiB (HyperCore sizes memory and disks in bytes, its UI in GiB). */
export const GIB = 1024 ** 3

/** Bytes as GiB, to one decimal (0.5 GiB stays 0.5; 8 GiB is 8). */
export function toGiB (bytes: number): number {
  return Math.round((bytes / GIB) * 10) / 10
}

/** GiB as whole bytes. */
export function fromGiB (gib: number): number {
  return Math.round(gib * GIB)
}

/** A size people read: `512 MiB`, `8 GiB`, `1.5 TiB`. */
export function formatBytes (bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']
  let value = bytes
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${trim(value)} ${units[unit] as string}`
}

/** Bytes per second as people read it: `3.2 MB/s` (decimal, as disk figures are quoted). */
export function formatByteRate (bytesPerSecond: number): string {
  return decimal(bytesPerSecond, ['B/s', 'kB/s', 'MB/s', 'GB/s'])
}

/** Bits per second as people read it: `12.4 Mbit/s`. */
export function formatBitRate (bitsPerSecond: number): string {
  return decimal(bitsPerSecond, ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'])
}

/** A percentage to one decimal: `12.5%`. */
export function formatPercent (value: number): string {
  return `${trim(value)}%`
}

/** Unix seconds as ISO 8601 UTC to the minute (`2026-01-01T01:00Z`), or undefined for 0 or nothing. */
export function formatUnixTime (seconds: unknown): string | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return undefined
  return `${new Date(seconds * 1000).toISOString().slice(0, 16)}Z`
}

function decimal (value: number, units: readonly string[]): string {
  let v = Math.max(0, value)
  let unit = 0
  while (v >= 1000 && unit < units.length - 1) {
    v /= 1000
    unit++
  }
  return `${trim(v)} ${units[unit] as string}`
}

function trim (value: number): string {
  const rounded = Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10
  return String(rounded)
}
