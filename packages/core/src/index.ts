export * from './errors.js';
export * from './idcode/index.js';
export * from './encoding.js';
export * from './merkle/index.js';
export * from './note/index.js';
