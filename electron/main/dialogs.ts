import type { BrowserWindow, OpenDialogOptions, SaveDialogOptions } from 'electron'
import { isPickPurpose, type PickPurpose } from '../../shared/rpc.ts'

/*
 * 浏览… in the desktop shell: the operating system's own open/save dialog, for the five places the app asks for
 * a path. The renderer names only a purpose from a fixed list; what the dialog may choose (folder or file, which
 * file types, a new file name) is decided here, and only the chosen path goes back — never a file's bytes, never
 * a way to read or list anything. The core checks the path like a typed one. Plain values and a dialog passed in,
 * so tests run it without an Electron binary (this module imports only Electron's types).
 */

type Pick = { kind: 'open'; options: OpenDialogOptions } | { kind: 'save'; options: SaveDialogOptions }

const DOCUMENTS = [
  {
    name: '文书（PDF、OFD、DOCX、扫描图片）',
    extensions: ['pdf', 'ofd', 'docx', 'jpg', 'jpeg', 'png', 'tif', 'tiff'],
  },
]

export const PICKS: Record<PickPurpose, Pick> = {
  importFolder: {
    kind: 'open',
    options: { title: '选择要导入的文件夹', properties: ['openDirectory', 'dontAddToRecent'] },
  },
  documentFile: {
    kind: 'open',
    options: { title: '选择文书文件', properties: ['openFile', 'dontAddToRecent'], filters: DOCUMENTS },
  },
  imageFolder: {
    kind: 'open',
    options: {
      title: '选择光盘映像的保存位置',
      properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
    },
  },
  burnTarget: {
    // A drive is chosen from the list beside the field; the dialog is for writing to an image file instead.
    kind: 'save',
    options: {
      title: '写入光盘映像文件',
      defaultPath: '档案光盘.iso',
      filters: [{ name: '光盘映像', extensions: ['iso'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    },
  },
  backupFolder: {
    kind: 'open',
    options: {
      title: '选择备份位置（另一块磁盘或移动硬盘）',
      properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
    },
  },
}

/** The part of Electron's `dialog` used here. */
export interface DialogLike {
  showOpenDialog(
    window: BrowserWindow,
    options: OpenDialogOptions,
  ): Promise<{ canceled: boolean; filePaths: string[] }>
  showSaveDialog(
    window: BrowserWindow,
    options: SaveDialogOptions,
  ): Promise<{ canceled: boolean; filePath?: string }>
}

/**
 * Answer one pick request: null for an unknown purpose (nothing shown), for no window, or when cancelled; else
 * the one chosen path.
 */
export async function pickPath(
  dialog: DialogLike,
  window: BrowserWindow | null,
  purpose: unknown,
): Promise<string | null> {
  if (!window || !isPickPurpose(purpose)) return null
  const pick = PICKS[purpose]
  // A copy: nothing the dialog does to its options object carries over to the next pick.
  if (pick.kind === 'save') {
    const r = await dialog.showSaveDialog(window, structuredClone(pick.options))
    return r.canceled || !r.filePath ? null : r.filePath
  }
  const r = await dialog.showOpenDialog(window, structuredClone(pick.options))
  return r.canceled || r.filePaths.length !== 1 ? null : r.filePaths[0]!
}
