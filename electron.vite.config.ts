import fs from 'node:fs'
import { join, relative, resolve } from 'node:path'
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

/**
 * Lists the repository files the CLI bundle was built from (out/main/cli-inputs.json), so bin/liuhen.mjs can tell a
 * bundle older than its sources and run the sources instead: a checkout never runs yesterday's build by mistake.
 */
function cliInputs(): Plugin {
  return {
    name: 'liuhen-cli-inputs',
    generateBundle() {
      const root = process.cwd()
      const inputs = [...this.getModuleIds()]
        .filter((id) => id.startsWith(root) && !id.includes('node_modules') && !id.includes('\0'))
        .map((id) => id.slice(root.length + 1).split('?')[0]!)
      this.emitFile({
        type: 'asset',
        fileName: 'cli-inputs.json',
        source: JSON.stringify([...new Set(inputs)].sort()),
      })
    },
  }
}

/**
 * pdf.js reads character maps (Chinese PDFs whose fonts are not embedded need them), the 14 standard fonts and its
 * image decoders from files beside the page, never from a CDN: copied into out/renderer/pdfjs/ at build time.
 */
function pdfjsAssets(): Plugin {
  const from = resolve('node_modules/pdfjs-dist')
  return {
    name: 'liuhen-pdfjs-assets',
    apply: 'build',
    generateBundle() {
      for (const dir of ['cmaps', 'standard_fonts', 'wasm']) {
        const walk = (d: string): void => {
          for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const file = join(d, e.name)
            if (e.isDirectory()) walk(file)
            else
              this.emitFile({
                type: 'asset',
                fileName: `pdfjs/${relative(from, file).split('\\').join('/')}`,
                source: fs.readFileSync(file),
              })
          }
        }
        walk(join(from, dir))
      }
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
        // The CLI is built beside the app from the same sources: started from the bundle it answers in a fraction
        // of the time tsx needs to compile the core on every command (bin/liuhen.mjs picks it when fresh).
        // The bridge likewise (out/main/bridge.js), for `npm run web` and the e2e tests' browser mode.
        input: {
          index: resolve('electron/main/index.ts'),
          cli: resolve('electron/cli/main.ts'),
          bridge: resolve('electron/bridge/bundled.ts'),
        },
        external: ['better-sqlite3'],
      },
    },
    plugins: [pdfkitStandardFonts(), cliInputs()],
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
    plugins: [react(), pdfjsAssets()],
  },
})
