export * from './errors.js';
export * from './algorithms.js';
export * from './c14n.js';
export * from './hash-chain.js';
export * from './xades.js';
export * from './message-signature.js';
