export { loadConfig, loadConfigOrExit, ConfigError } from './load-config';
export { env } from './env-schemas';
export { baseEnv, busEnv, httpEnv, sessionEnv, tokenVerifierEnv, tracingEnv } from './service-env';
