import os from 'node:os'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: on a 2-core machine that is one file at a time, and the
    // suite used one core (103 % CPU over 24 minutes). Most files wait on children (the CLI, ffmpeg, Chromium,
    // OpenSSL, fsync), so one worker more than the cores keeps both busy.
    maxWorkers: os.availableParallelism() + 1,
    projects: [
      {
        test: {
          name: 'unit',
          // tests/security: one test per attack an outside tester found (see docs/security.md).
          include: ['tests/unit/**/*.test.ts', 'tests/security/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['tests/helpers/temp-cleanup.ts'],
          // Hang detection, not speed assertions: tests and hooks that drive the real CLI (about 2 s a command)
          // take several times longer when two suites share this 2-core machine.
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          setupFiles: ['tests/helpers/temp-cleanup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // One browser and one bridge per file. The files share the unit project's workers rather than running
          // one after another once every unit file is done (vitest puts a project without file parallelism in a
          // group of its own, last): a browser test mostly waits, so beside a unit test it costs little.
        },
      },
    ],
  },
})
