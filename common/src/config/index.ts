export { loadConfig, loadConfigOrExit, ConfigError } from './load-config';
export { env } from './env-schemas';
