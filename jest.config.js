/** Jest runs the TypeScript sources as native ESM (ts-jest default-esm preset). */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/testbed/jest-global-setup.ts',
  globalTeardown: '<rootDir>/testbed/jest-global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
