export * from './errors.js';
export * from './verification-code.js';
export * from './person.js';
export * from './webeid/token.js';
export * from './webeid/signed-data.js';
export * from './webeid/ocsp.js';
export * from './webeid/validator.js';
export * from './webeid/create.js';
