export { checkDigit } from './checksum.js';
export { type Sex } from './century.js';
export { IdCodeError, type IdCodeFault } from './errors.js';
export { checkIdCode, parseIdCode, isValidIdCode, type IdCode, type IdCodeCheck } from './parse.js';
export { generateIdCode, generateIdCodes, type GenerateIdCodeOptions } from './generate.js';
