import { execFile } from 'node:child_process';
import path from 'node:path';

const script = path.join(__dirname, '..', '..', '..', 'scripts', 'api-types.mjs');

// openapi-typescript ships as ES modules, which the test runner's CommonJS loader cannot load: the
// generator runs in a plain Node process and compares in memory.
function checkTypes(): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, '--check'], { timeout: 60_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr });
    });
  });
}

describe("the client's generated API types", () => {
  it('are what the services’ committed OpenAPI documents generate', async () => {
    expect(await checkTypes()).toEqual({ code: 0, stderr: '' });
  });
});
