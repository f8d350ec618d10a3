export * from './test-data.js';
export * from './temp.js';
export * from './clock.js';
export * from './postgres.js';
export * from './tools.js';
