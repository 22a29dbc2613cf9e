import { once } from 'node:events';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import express from 'express';
import { listenHttp } from './http-server';

function app() {
  const app = express();
  app.use(express.json());
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  app.get('/ok', (_req, res) => {
    res.json({ ok: true });
  });
  return app;
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

async function close(server: Server) {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/** The first IPv4 address of this machine that is not loopback, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((info) => info?.family === 'IPv4' && !info.internal)?.address;
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('a service HTTP server', () => {
  it('listens on loopback only when HOST is 127.0.0.1, and on every interface without HOST', async () => {
    const local = await listenHttp(app(), { PORT: 0, HOST: '127.0.0.1' });
    const everywhere = await listenHttp(app(), { PORT: 0 });
    try {
      expect((local.address() as AddressInfo).address).toBe('127.0.0.1');
      expect(['::', '0.0.0.0']).toContain((everywhere.address() as AddressInfo).address);
      expect(await connects('127.0.0.1', portOf(local))).toBe(true);
      const external = externalAddress();
      if (external) {
        expect(await connects(external, portOf(local))).toBe(false);
        expect(await connects(external, portOf(everywhere))).toBe(true);
      }
    } finally {
      await close(local);
      await close(everywhere);
    }
  });

  it('answers a body trickled past the request timeout with 408 REQUEST_TIMEOUT and closes', async () => {
    const server = await listenHttp(app(), {
      PORT: 0,
      HOST: '127.0.0.1',
      HTTP_HEADERS_TIMEOUT_MS: 500,
      HTTP_REQUEST_TIMEOUT_MS: 1200,
    });
    const socket = net.connect({ host: '127.0.0.1', port: portOf(server) });
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    const started = Date.now();
    socket.write(
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{',
    );
    const trickle = setInterval(() => socket.writable && socket.write(' '), 100);
    try {
      await once(socket, 'close');
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(1100);
      expect(elapsed).toBeLessThan(2500);
      const [head, body] = received.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 408 /);
      expect(head).toMatch(/x-frame-options: DENY/i);
      expect(JSON.parse(body ?? '')).toMatchObject({ code: 'REQUEST_TIMEOUT' });
    } finally {
      clearInterval(trickle);
      await close(server);
    }
  });

  it('keeps an idle keep-alive connection open past the headers timeout', async () => {
    const server = await listenHttp(app(), { PORT: 0, HOST: '127.0.0.1', HTTP_HEADERS_TIMEOUT_MS: 300 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; socket: net.Socket }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: portOf(server), path: '/ok', agent }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, socket: res.socket }));
          })
          .on('error', reject);
      });
    try {
      const first = await get();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const second = await get();
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.socket).toBe(first.socket);
    } finally {
      agent.destroy();
      await close(server);
    }
  });
});
