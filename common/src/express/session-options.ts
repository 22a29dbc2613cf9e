import type { ServiceAppOptions } from './service-app';

/** The parsed variables of `sessionEnv` with the public key and the runtime environment. */
export interface SessionConfig {
  NODE_ENV: 'development' | 'test' | 'production';
  JWT_PUBLIC_KEY: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  COOKIE_KEYS: string[];
  TRUST_PROXY: string | boolean;
}

/** How long the session cookie lives unless the service says otherwise: as long as a token. */
export const defaultSessionMaxAgeMs = 8 * 3600 * 1000;

/**
 * The `auth`, `session` and `trustProxy` options of {@link createServiceApp} from a service's
 * config, so every service reads the same cookie the same way. The cookie is `Secure` and
 * `__Host-` prefixed in production.
 */
export function sessionOptions(
  config: SessionConfig,
  maxAgeMs = defaultSessionMaxAgeMs,
): Required<Pick<ServiceAppOptions, 'auth' | 'session' | 'trustProxy'>> {
  return {
    auth: { publicKey: config.JWT_PUBLIC_KEY, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
    session: { keys: config.COOKIE_KEYS, secure: config.NODE_ENV === 'production', maxAgeMs },
    trustProxy: config.TRUST_PROXY,
  };
}
