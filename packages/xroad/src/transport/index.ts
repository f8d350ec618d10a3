export * from './errors.js';
export * from './multipart.js';
export * from './message.js';
