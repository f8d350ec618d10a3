export * from './errors.js';
export * from './signer.js';
export * from './ecdsa.js';
export * from './software.js';
export * from './keystore.js';
