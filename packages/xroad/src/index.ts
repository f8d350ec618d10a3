export * from './identifiers/index.js';
export * from './errors/index.js';
export * from './rest/index.js';
export * from './metadata/index.js';
export * from './client/index.js';
