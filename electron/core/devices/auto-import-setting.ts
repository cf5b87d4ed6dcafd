import { readSetting, writeSetting } from '../meta.ts'
import type { Db } from '../db/index.ts'

// The agency's auto-import setting alone, a leaf: agency.ts reads and writes it without importing the ingest path
// that auto-import.ts starts (which would close an import cycle through signing and the audit anchor).
const SETTING = 'ingest.autoImport'

export function autoImportEnabled(db: Db): boolean {
  return readSetting(db, SETTING, { on: false }).on === true
}

export function setAutoImport(db: Db, on: boolean): void {
  writeSetting(db, SETTING, { on })
}
