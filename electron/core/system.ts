import fs from 'node:fs'
import { AppError } from '../../shared/errors.ts'
import type { MethodOutput, ParsedInput } from '../../shared/contract.ts'
import { auditedChange, type CoreDeps } from './context.ts'
import { findAgency } from './agency.ts'
import { hashPassword, isStrongPassword } from './accounts/passwords.ts'
import { insertUser } from './accounts/users.ts'
import { schemaVersion } from './db/index.ts'
import type { DataLayout } from './paths.ts'
import { APP_VERSION } from './version.ts'
import { prepareStationKey, recordStationKey } from './audit-anchor.ts'

export function ensureDataFolders(layout: DataLayout): void {
  for (const dir of [layout.root, layout.vault, layout.derived, layout.signatures, layout.tmp]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  }
  restrictDataFolder(layout)
}

/**
 * The data folder is its owner's alone: the folders 0700, the database with its WAL and shared-memory files
 * 0600. Set explicitly (chmod does not depend on the umask) at every start, so older folders are tightened too;
 * a folder that cannot be changed (a read-only copy) is left as it is.
 */
export function restrictDataFolder(layout: DataLayout): void {
  const chmod = (p: string, mode: number) => {
    try {
      fs.chmodSync(p, mode)
    } catch {
      /* missing, or not ours to change */
    }
  }
  for (const dir of [layout.root, layout.vault, layout.derived, layout.signatures, layout.tmp])
    chmod(dir, 0o700)
  for (const f of [layout.db, `${layout.db}-wal`, `${layout.db}-shm`]) chmod(f, 0o600)
}

export function info(deps: CoreDeps): MethodOutput<'system.info'> {
  const agency = findAgency(deps.db)
  return {
    initialized: agency !== null,
    agency: agency ? { name: agency.name, code: agency.code } : null,
    version: APP_VERSION,
    schemaVersion: schemaVersion(deps.db),
  }
}

/** First run: the agency and its first administrator, who must change the password at first sign-in. */
export async function initialize(
  deps: CoreDeps,
  input: ParsedInput<'system.initialize'>,
): Promise<MethodOutput<'system.initialize'>> {
  if (findAgency(deps.db)) throw new AppError('ALREADY_INITIALIZED')
  if (!isStrongPassword(input.adminPassword, input.adminUsername)) throw new AppError('WEAK_PASSWORD')
  const passwordHash = await hashPassword(input.adminPassword)
  ensureDataFolders(deps.layout)
  // The station key that signs the audit anchors (audit-anchor.ts): its public half goes into this event.
  const stationKey = prepareStationKey(deps.layout.root)
  const now = deps.now()
  const adminUserId = auditedChange(
    deps,
    (id: string) => ({
      actorId: id,
      actorName: input.adminDisplayName,
      action: 'system.initialize',
      targetType: 'agency',
      targetId: input.agencyCode,
      details: {
        agencyName: input.agencyName,
        agencyCode: input.agencyCode,
        adminUsername: input.adminUsername,
        appVersion: APP_VERSION,
        stationKey: { keyId: stationKey.keyId, publicKey: stationKey.publicKeyPem },
      },
    }),
    () => {
      if (findAgency(deps.db)) throw new AppError('ALREADY_INITIALIZED')
      deps.db
        .prepare('INSERT INTO agency (id, name, code, created_at) VALUES (1, ?, ?, ?)')
        .run(input.agencyName, input.agencyCode, now.toISOString())
      deps.db.prepare("INSERT INTO meta (key, value) VALUES ('created_by_version', ?)").run(APP_VERSION)
      recordStationKey(deps.db, stationKey)
      return insertUser(
        deps.db,
        {
          username: input.adminUsername,
          displayName: input.adminDisplayName,
          badgeNo: null,
          passwordHash,
          roles: ['admin'],
        },
        now,
      )
    },
  )
  return { adminUserId }
}
