import crypto from 'node:crypto'
import type { Channel } from '../context.ts'

export interface Session {
  token: string
  userId: string
  channel: Channel
  lastActivity: number
  locked: boolean
}

/**
 * Sessions live in the core process's memory only: a restart signs everyone out, which is what a
 * desktop evidence system should do. Tokens are 256-bit random values.
 */
export class SessionStore {
  private readonly byToken = new Map<string, Session>()

  create(userId: string, channel: Channel, now: Date): Session {
    const s: Session = {
      token: crypto.randomBytes(32).toString('base64url'),
      userId,
      channel,
      lastActivity: now.getTime(),
      locked: false,
    }
    this.byToken.set(s.token, s)
    return s
  }

  get(token: unknown): Session | undefined {
    return typeof token === 'string' ? this.byToken.get(token) : undefined
  }

  delete(token: string): void {
    this.byToken.delete(token)
  }

  /** End the user's sessions (all, or all but `keep`: the caller's own); returns how many ended. */
  deleteForUser(userId: string, keep?: string): number {
    let n = 0
    for (const [t, s] of this.byToken)
      if (s.userId === userId && t !== keep) {
        this.byToken.delete(t)
        n++
      }
    return n
  }
}
