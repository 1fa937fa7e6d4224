// Keep these whole: stripping their final "s" changes the word.
const KEEP = new Set(['dns', 'os', 'has', 'was', 'is', 'its', 'this', 'bus', 'yes', 'ssl', 'tls', 'iops', 'gpus', 'vms', 'status', 'stats', 'alias', 'gigs', 'lacp', 'sas'])

/** Reduces a lower-case word to a crude stem so "snapshots", "booting", "configured" meet "snapshot", "boot", "configure". */
export function stem (word: string): string {
  let w = word
  if (KEEP.has(w)) return w === 'gpus' ? 'gpu' : w === 'vms' ? 'vm' : w === 'gigs' ? 'gig' : w
  if (w.length >= 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) {
    w = w.endsWith('ies') && w.length > 4 ? w.slice(0, -3) + 'y' : w.slice(0, -1)
  }
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3)
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2)
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1)
  if (w.length > 3 && /([bdgmnprt])\1$/.test(w)) w = w.slice(0, -1)
  return w
}

/** Splits text into lower-case words, breaking `VirDomainBlockDevice` and `numVCPU` at case changes (and keeping the whole word too). */
export function tokenize (text: string): string[] {
  const out: string[] = []
  for (const raw of text.split(/[^A-Za-z0-9]+/)) {
    if (raw === '') continue
    const parts = raw.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').split(' ')
    for (const p of parts) out.push(p.toLowerCase())
    if (parts.length > 1) out.push(raw.toLowerCase())
  }
  return out
}
