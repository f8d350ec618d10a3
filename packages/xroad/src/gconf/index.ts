export * from './errors.js';
export * from './model.js';
export * from './xml-parameters.js';
export * from './directory.js';
export * from './global-conf.js';
