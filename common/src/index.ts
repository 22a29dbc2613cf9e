/**
 * `@glotixz/common`: the light, dependency-free part of the shared library (errors, config,
 * event contracts). Heavier parts have their own entry points: `./express`, `./bus`, `./db`,
 * `./testing`.
 */
export * from './errors';
export * from './config';
export * from './events';
