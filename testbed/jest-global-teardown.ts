/** jest-global-teardown.ts stops the test bed that jest-global-setup.ts started. */
export default async function globalTeardown(): Promise<void> {
  const session = globalThis.__BINDY_TESTBED__;
  globalThis.__BINDY_TESTBED__ = undefined;
  await session?.stop();
}
