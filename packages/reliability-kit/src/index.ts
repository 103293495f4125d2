/**
 * The reliability, fault and load kit: the Azure emulator of a test file, real test backends with this repository's
 * plugins against it (on SQLite or PostgreSQL), callers of their API, and waits on what they show. The suites that
 * use it live next to it in this package.
 *
 * @packageDocumentation
 */
export * from './apiClient';
export * from './apiOperations';
export * from './databases';
export * from './demoTenant';
export * from './emulatorRequests';
export * from './eventually';
export * from './loadGenerator';
export * from './testBackend';
export * from './testEmulator';
export * from './waits';
export {
  actorAwareAuthServiceFactory,
  capturingRootLogger,
  catalogUserInfoServiceFactory,
  loopbackHttpServer,
} from './services';
