export { loadConfig, loadConfigOrExit, ConfigError } from './load-config';
export { env } from './env-schemas';
export { baseEnv, busEnv, sessionEnv, tokenVerifierEnv, tracingEnv } from './service-env';
