export * from './problem.js';
export * from './body.js';
export * from './respond.js';
export * from './auth.js';
export * from './logger.js';
export * from './router.js';
export * from './metrics.js';
export * from './server.js';
