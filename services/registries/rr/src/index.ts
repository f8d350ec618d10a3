export * from './db.js';
export * from './seed.js';
export * from './server.js';
