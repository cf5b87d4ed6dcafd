import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'
import type { Plugin } from 'vite'

/**
 * pdfkit loads its 14 standard PDF fonts lazily with a runtime require of its own `#standard-fonts/*` imports,
 * which a bundle cannot resolve. Turned into static imports, they are bundled like everything else (we never use
 * them — every document embeds the CJK font — but the bundle must not point outside itself).
 */
function pdfkitStandardFonts(): Plugin {
  return {
    name: 'liuhen-pdfkit-standard-fonts',
    transform(code, id) {
      if (!/[\\/]pdfkit[\\/]js[\\/]pdfkit\.node\.mjs$/.test(id)) return null
      const names = new Set<string>()
      const out = code.replace(/require\$1\('#standard-fonts\/(\w+)'\)/g, (_m, name: string) => {
        names.add(name)
        return `__stdFont_${name}`
      })
      const imports = [...names]
        .map((n) => `import __stdFont_${n} from 'pdfkit/standard-fonts/${n}';`)
        .join('\n')
      return { code: `${imports}\n${out}`, map: null }
    },
  }
}

// Our folder names are not electron-vite's defaults, so every entry is explicit.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Everything bundled but the one native module (rebuilt for Electron's ABI and unpacked from the asar):
      // the packaged app loads no JavaScript from node_modules (tests/unit/bundle.test.ts holds this).
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/main/index.ts') },
        external: ['better-sqlite3'],
      },
    },
    plugins: [pdfkitStandardFonts()],
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload must be one CommonJS file with no imports but `electron`.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    base: './',
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: resolve('renderer/index.html') },
    },
    plugins: [react()],
  },
})
