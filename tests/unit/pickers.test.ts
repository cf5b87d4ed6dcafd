import { beforeEach, describe, expect, test, vi } from 'vitest'
import { PICKS, pickPath, type DialogLike } from '../../electron/main/dialogs.ts'
import { PICK_CHANNEL, PICK_PURPOSES, type LiuhenBridge } from '../../shared/rpc.ts'

/*
 * 浏览… in the desktop shell without an Electron binary: the main process's dialog handler against a thin fake
 * dialog, and the preload's surface with `electron` replaced by a recorder. The renderer names a purpose; only
 * a listed one reaches a dialog, and only a path comes back.
 */

// Electron's own types stay out of tests (layering): the handler's parameter types stand in for them.
type OpenDialogOptions = Parameters<DialogLike['showOpenDialog']>[1]
type SaveDialogOptions = Parameters<DialogLike['showSaveDialog']>[1]
const win = {} as NonNullable<Parameters<typeof pickPath>[1]>

function fakeDialog(answer: { canceled: boolean; filePaths?: string[]; filePath?: string }) {
  const calls: { kind: 'open' | 'save'; options: OpenDialogOptions | SaveDialogOptions }[] = []
  const dialog: DialogLike = {
    showOpenDialog: (_w, options) => {
      calls.push({ kind: 'open', options })
      return Promise.resolve({ canceled: answer.canceled, filePaths: answer.filePaths ?? [] })
    },
    showSaveDialog: (_w, options) => {
      calls.push({ kind: 'save', options })
      return Promise.resolve({ canceled: answer.canceled, filePath: answer.filePath })
    },
  }
  return { dialog, calls }
}

describe('the main process dialog handler', () => {
  test('each purpose opens its own kind of dialog and answers the chosen path', async () => {
    for (const purpose of PICK_PURPOSES) {
      const { dialog, calls } = fakeDialog({
        canceled: false,
        filePaths: ['/media/u/DCIM'],
        filePath: '/tmp/A.iso',
      })
      const got = await pickPath(dialog, win, purpose)
      expect(calls).toHaveLength(1)
      expect(calls[0]!.kind).toBe(PICKS[purpose].kind)
      expect(got).toBe(PICKS[purpose].kind === 'save' ? '/tmp/A.iso' : '/media/u/DCIM')
    }
    const doc = fakeDialog({ canceled: false, filePaths: ['/x.pdf'] })
    await pickPath(doc.dialog, win, 'documentFile')
    expect((doc.calls[0]!.options as OpenDialogOptions).properties).toContain('openFile')
    expect((doc.calls[0]!.options as OpenDialogOptions).properties).not.toContain('multiSelections')
    const folder = fakeDialog({ canceled: false, filePaths: ['/x'] })
    await pickPath(folder.dialog, win, 'importFolder')
    expect((folder.calls[0]!.options as OpenDialogOptions).properties).toContain('openDirectory')
  })

  test('an unknown purpose, an options object or a prototype key shows no dialog', async () => {
    for (const purpose of [
      '',
      'openFile',
      '__proto__',
      'constructor',
      'toString',
      { properties: ['openFile'] },
      null,
      3,
    ]) {
      const { dialog, calls } = fakeDialog({ canceled: false, filePaths: ['/etc/shadow'] })
      expect(await pickPath(dialog, win, purpose)).toBeNull()
      expect(calls).toHaveLength(0)
    }
  })

  test('cancelled, several paths, or no window: null', async () => {
    expect(
      await pickPath(fakeDialog({ canceled: true, filePaths: ['/a'] }).dialog, win, 'importFolder'),
    ).toBeNull()
    expect(
      await pickPath(fakeDialog({ canceled: false, filePaths: ['/a', '/b'] }).dialog, win, 'importFolder'),
    ).toBeNull()
    expect(await pickPath(fakeDialog({ canceled: false }).dialog, win, 'burnTarget')).toBeNull()
    const { dialog, calls } = fakeDialog({ canceled: false, filePaths: ['/a'] })
    expect(await pickPath(dialog, null, 'importFolder')).toBeNull()
    expect(calls).toHaveLength(0)
  })

  test('a dialog that changes its options does not change the next pick', async () => {
    const dialog: DialogLike = {
      showOpenDialog: (_w, options) => {
        options.properties?.push('multiSelections')
        options.title = 'x'
        return Promise.resolve({ canceled: true, filePaths: [] })
      },
      showSaveDialog: () => Promise.resolve({ canceled: true }),
    }
    await pickPath(dialog, win, 'importFolder')
    expect(PICKS.importFolder.options.title).toBe('选择要导入的文件夹')
    expect((PICKS.importFolder.options as OpenDialogOptions).properties).not.toContain('multiSelections')
  })
})

describe('the preload', () => {
  const invoke = vi.fn((_channel: string, ..._args: unknown[]) => Promise.resolve('/media/u/DCIM' as unknown))
  let exposed: Record<string, unknown> = {}
  const getPathForFile = vi.fn(() => '/home/u/立案审批表.pdf')

  beforeEach(async () => {
    invoke.mockClear()
    vi.resetModules()
    vi.doMock('electron', () => ({
      contextBridge: {
        exposeInMainWorld: (key: string, api: unknown) => {
          exposed = { [key]: api }
        },
      },
      ipcRenderer: { invoke, on: vi.fn(), removeListener: vi.fn() },
      webUtils: { getPathForFile },
    }))
    await import('../../electron/preload/index.ts')
  })

  const api = () => exposed.liuhen as LiuhenBridge

  test('exposes one object with exactly the bridge methods, no ipcRenderer or fs', () => {
    expect(Object.keys(exposed)).toEqual(['liuhen'])
    expect(Object.keys(api()).sort()).toEqual([
      'eventSession',
      'invoke',
      'onEvent',
      'pathForFile',
      'pickPath',
    ])
  })

  test('a listed purpose goes to the pick channel; anything else never reaches the main process', async () => {
    expect(await api().pickPath!('importFolder')).toBe('/media/u/DCIM')
    expect(invoke).toHaveBeenCalledWith(PICK_CHANNEL, 'importFolder')
    invoke.mockClear()
    for (const bad of ['openFile', '__proto__', { properties: ['openFile'] }])
      expect(await api().pickPath!(bad as never)).toBeNull()
    expect(invoke).not.toHaveBeenCalled()
  })

  test('a non-string answer from the shell is no path', async () => {
    invoke.mockResolvedValueOnce({ filePaths: ['/etc'] })
    expect(await api().pickPath!('backupFolder')).toBeNull()
  })

  test('pathForFile takes only File objects', () => {
    expect(api().pathForFile!({ path: '/etc/shadow' } as unknown as File)).toBeNull()
    expect(getPathForFile).not.toHaveBeenCalled()
    expect(api().pathForFile!(new File(['x'], '立案审批表.pdf'))).toBe('/home/u/立案审批表.pdf')
  })
})
