export * from './errors.js';
export * from './rest-services.js';
export * from './list-clients.js';
export * from './openapi.js';
