/**
 * Types, sync modes and annotation keys shared by the Azure tenant plugins for Backstage.
 *
 * @packageDocumentation
 */

export * from './syncMode';
export * from './annotations';
