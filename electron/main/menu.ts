import { app, Menu, type MenuItemConstructorOptions } from 'electron'

/** A Chinese application menu with only what a records officer needs; no developer tools in production. */
export function buildMenu(): Menu {
  const template: MenuItemConstructorOptions[] = [
    { label: '文件', submenu: [{ label: '退出', role: 'quit' }] },
    {
      label: '编辑',
      submenu: [
        { label: '撤销', role: 'undo' },
        { label: '重做', role: 'redo' },
        { type: 'separator' },
        { label: '剪切', role: 'cut' },
        { label: '复制', role: 'copy' },
        { label: '粘贴', role: 'paste' },
        { label: '全选', role: 'selectAll' },
      ],
    },
    {
      label: '视图',
      submenu: [
        { label: '实际大小', role: 'resetZoom' },
        { label: '放大', role: 'zoomIn' },
        { label: '缩小', role: 'zoomOut' },
        { type: 'separator' },
        { label: '全屏', role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ label: '开发者工具', role: 'toggleDevTools' } as const]),
      ],
    },
    {
      label: '帮助',
      submenu: [{ label: `关于留痕 ${app.getVersion()}`, role: 'about' }],
    },
  ]
  return Menu.buildFromTemplate(template)
}
