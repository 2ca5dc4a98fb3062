import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    disableConsoleIntercept: true,
    pool: 'forks',
    // Two files at a time: most of the suite waits on sockets, timeouts and restarts rather
    // than computing, so two workers on a 2-core runner halve the wall time.
    maxWorkers: 2,
  },
})
