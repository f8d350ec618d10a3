export * from './errors.js';
export * from './open.js';
export * from './migrate.js';
export * from './types.js';
export * from './prepared.js';
