export * from './codes.js';
export * from './fault.js';
export * from './classify.js';
export * from './response.js';
