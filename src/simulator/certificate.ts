import { X509Certificate } from 'node:crypto'
import { generate } from 'selfsigned'

/** A freshly generated self-signed certificate with its key and SHA-256 fingerprint. */
export interface GeneratedCertificate {
  pem: string
  key: string
  /** Upper-case colon-separated hex, as Node's `X509Certificate.fingerprint256` gives it. */
  fingerprint256: string
}

/** The SHA-256 fingerprint of a PEM certificate. */
export function fingerprintOf (pem: string): string {
  return new X509Certificate(pem).fingerprint256
}

/** Generates a self-signed server certificate for localhost, 127.0.0.1 and ::1, plus every other given host (each node's address). */
export async function generateCertificate (hosts: string[]): Promise<GeneratedCertificate> {
  const altNames: Array<{ type: 2, value: string } | { type: 7, ip: string }> = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' }
  ]
  for (const host of new Set(hosts)) {
    if (host === '' || ['localhost', '127.0.0.1', '::1', '0.0.0.0', '::'].includes(host)) continue
    altNames.push(/^[\d.]+$|:/.test(host) ? { type: 7, ip: host } : { type: 2, value: host })
  }
  const now = new Date()
  const result = await generate([
    { name: 'commonName', value: 'hypercore-simulator' },
    { name: 'organizationName', value: 'scale-api-helper simulated cluster' }
  ], {
    // An EC P-256 key takes ~13 ms to make here, RSA-2048 ~190 ms (median of 5); test suites start many simulators.
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames }
    ]
  })
  return { pem: result.cert, key: result.private, fingerprint256: fingerprintOf(result.cert) }
}
