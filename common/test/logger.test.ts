import { spawn } from 'node:child_process';
import path from 'node:path';

interface Run {
  /** Each stdout line with the time (ms after the start) it arrived. */
  lines: { line: string; atMs: number }[];
  exitedAtMs: number;
}

/** Runs the fixture with `args`. */
function run(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'fixtures', 'log-lines.ts'), ...args],
      {
        cwd: __dirname,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const started = performance.now();
    const lines: { line: string; atMs: number }[] = [];
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) lines.push({ line, atMs: performance.now() - started });
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve({ lines, exitedAtMs: performance.now() - started })
        : reject(new Error(`exit ${code}`)),
    );
  });
}

describe('the service logger', () => {
  it('writes every line, whole, when the process exits right after logging them', async () => {
    const { lines } = await run(['2000', 'exit']);
    expect(lines).toHaveLength(2000);
    expect(lines.map(({ line }) => (JSON.parse(line) as { i: number }).i)).toEqual(
      Array.from({ length: 2000 }, (_, i) => i),
    );
  }, 30_000);

  it('writes a lone line within a moment, without waiting for more', async () => {
    // One short line, then 3 s without any: it must not wait in the buffer until the exit.
    const { lines, exitedAtMs } = await run(['1', 'idle', '3000']);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!.line)).toMatchObject({ service: 'log-test', msg: 'line', i: 0 });
    expect(exitedAtMs - lines[0]!.atMs).toBeGreaterThan(2_500);
  }, 30_000);
});
