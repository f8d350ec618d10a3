import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Workspace packages export their TypeScript sources under this condition, so tests run
    // against src/ of every package (one module instance each) rather than a stale dist/.
    conditions: ['riik-src'],
  },
  ssr: { resolve: { conditions: ['riik-src'], externalConditions: ['riik-src'] } },
  test: {
    include: [
      '{packages,services,apps,testing,bench}/*/test/**/*.test.ts',
      'services/registries/*/test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
