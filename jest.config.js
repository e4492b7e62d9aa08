/**
 * Jest runs the TypeScript sources as native ESM (ts-jest default-esm preset).
 * test/node/ needs the test bed's real node (kubelet, containerd, images): it runs only with
 * BINDY_TESTBED_NODE=1 (`npm run test:node`), whose globalSetup starts that node.
 */
const withNode = process.env.BINDY_TESTBED_NODE === '1';

export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: withNode ? ['<rootDir>/test/node/**/*.test.ts'] : ['<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: withNode ? ['/node_modules/'] : ['/node_modules/', '<rootDir>/test/node/'],
  globalSetup: '<rootDir>/testbed/jest-global-setup.ts',
  globalTeardown: '<rootDir>/testbed/jest-global-teardown.ts',
  testTimeout: 60000,
  // The real node's files share one operator Deployment and one node: one file at a time.
  maxWorkers: withNode ? 1 : 2,
};
