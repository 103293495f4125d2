/**
 * What the repository's jest tests share: test backends that listen on 127.0.0.1 only, and the user info and auth
 * services that let a test backend's callers be the demo organization's users, as a real sign-in makes them.
 *
 * @packageDocumentation
 */
export { listenOnLoopbackOnly, LOOPBACK_HOST } from './listenOnLoopbackOnly';
export { catalogUserInfoServiceFactory } from './catalogUserInfoServiceFactory';
export { actorAwareAuthServiceFactory } from './actorAwareAuthServiceFactory';
export { emulatorConnectionConfig } from './emulatorConnectionConfig';
export { eventually } from './eventually';
export type { EventuallyOptions } from './eventually';
