// The soak suite (`make soak`): long load runs, kept out of `make test`.
import { defineConfig } from 'vitest/config';
import base from './vitest.config';

// Not mergeConfig: it would concatenate `include` with the fast suite's.
export default defineConfig({ ...base, test: { ...base.test, include: ['test/soak/**/*.test.ts'], exclude: ['**/node_modules/**'], maxWorkers: 1 } });
