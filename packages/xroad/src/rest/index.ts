export * from './headers.js';
export * from './accept.js';
export * from './header-values.js';
export * from './request.js';
export * from './request-hash.js';
export * from './message-part.js';
export * from './exchange.js';
