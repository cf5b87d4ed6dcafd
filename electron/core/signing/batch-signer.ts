import type { SigningKey } from './cms.ts'

export type Algorithm = 'rsa' | 'sm2'

/** An unlocked signing key, held for one ingest batch only ("one unlock signs a whole batch"). */
export interface BatchSigner {
  certId: string
  certPem: string
  chainPems: string[]
  key: SigningKey
  algorithm: Algorithm
  /** Days until the certificate expires, for the warning shown at ingest. */
  daysLeft: number
}
