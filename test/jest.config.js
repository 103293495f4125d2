/*
 * Jest configuration of the tests that cross packages (integration and browser end-to-end). They start real
 * processes (the Azure emulator, the demo portal, Chromium), so they run one file at a time.
 */
const swcTransform = [
  require.resolve('@swc/jest'),
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } },
];

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.test.ts'],
  transform: { '\\.(ts|js)$': swcTransform },
  maxWorkers: 1,
  testTimeout: 60_000,
};
