import { generateKeyPairSync } from 'node:crypto';
import { z } from 'zod';
import { sessionOptions } from '../express/session-options';
import { createCookieKeys, createTestKeys } from '../testing/auth';
import { baseEnv, busEnv, tokenVerifierEnv } from './service-env';

const schema = z.object({ ...baseEnv, ...busEnv, ...tokenVerifierEnv });
const keys = createTestKeys();
const valid = {
  NATS_URL: 'nats://127.0.0.1:4222',
  JWT_PUBLIC_KEY: keys.publicKey,
  COOKIE_KEYS: createCookieKeys().join(','),
};

describe('the shared service environment', () => {
  it('applies the defaults every service shares', () => {
    expect(schema.parse(valid)).toMatchObject({
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      NATS_PREFIX: '',
      JWT_ISSUER: 'glotixz-auth',
      JWT_AUDIENCE: 'glotixz',
      TRUST_PROXY: 'loopback',
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
    });
    expect(schema.parse(valid).HOST).toBeUndefined();
    expect(schema.parse({ ...valid, HOST: '' }).HOST).toBeUndefined();
    expect(schema.parse({ ...valid, HOST: '127.0.0.1' }).HOST).toBe('127.0.0.1');
  });

  it('takes one NATS server or the servers of a cluster, each a nats:// or tls:// URL', () => {
    const cluster = 'nats://10.0.0.1:4222, nats://10.0.0.2:4222,tls://10.0.0.3:4222';
    expect(schema.parse({ ...valid, NATS_URL: cluster }).NATS_URL).toBe(cluster);
    for (const bad of ['nats://a:4222,http://b:80', 'nats://a:4222,', 'redis://a:6379']) {
      const result = schema.safeParse({ ...valid, NATS_URL: bad });
      expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['NATS_URL']);
    }
  });

  it('accepts a PEM with escaped newlines or as base64', () => {
    const escaped = keys.publicKey.replace(/\n/g, '\\n');
    const base64 = Buffer.from(keys.publicKey).toString('base64');
    expect(schema.parse({ ...valid, JWT_PUBLIC_KEY: escaped }).JWT_PUBLIC_KEY).toBe(keys.publicKey);
    expect(schema.parse({ ...valid, JWT_PUBLIC_KEY: base64 }).JWT_PUBLIC_KEY).toBe(keys.publicKey);
  });

  it('rejects a public key that is not EC P-256', () => {
    const rsa = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const result = schema.safeParse({ ...valid, JWT_PUBLIC_KEY: rsa.publicKey });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['JWT_PUBLIC_KEY']);
  });

  it('parses TRUST_PROXY booleans and rejects a dotted bus prefix and short cookie keys', () => {
    expect(schema.parse({ ...valid, TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(schema.parse({ ...valid, TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    const result = schema.safeParse({ ...valid, NATS_PREFIX: 'a.b', COOKIE_KEYS: 'short' });
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'COOKIE_KEYS.0',
      'NATS_PREFIX',
    ]);
  });

  it('reads an optional OTLP endpoint, empty meaning unset, and rejects one that is not http(s)', () => {
    expect(schema.parse(valid).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(
      schema.parse({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: '' }).OTEL_EXPORTER_OTLP_ENDPOINT,
    ).toBeUndefined();
    const endpoint = 'http://otel-collector:4318';
    expect(
      schema.parse({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).OTEL_EXPORTER_OTLP_ENDPOINT,
    ).toBe(endpoint);
    const result = schema.safeParse({ ...valid, OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://x:4317' });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT']);
  });

  it('marks the session cookie Secure only in production', () => {
    expect(sessionOptions(schema.parse(valid)).session.secure).toBe(true);
    expect(sessionOptions(schema.parse({ ...valid, NODE_ENV: 'development' })).session.secure).toBe(false);
  });
});
