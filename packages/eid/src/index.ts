export * from './errors.js';
export * from './pins.js';
export { DEFAULT_KDF, type KdfParams } from './crypto.js';
export * from './token.js';
