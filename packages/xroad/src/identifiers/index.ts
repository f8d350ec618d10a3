export * from './errors.js';
export * from './characters.js';
export * from './encoding.js';
export * from './object-type.js';
export type { IdentifierOptions } from './parts.js';
export * from './client-id.js';
export * from './service-id.js';
export * from './security-server-id.js';
export * from './group-ids.js';
