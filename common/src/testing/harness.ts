/** What every service's test harness can do: close what it started. */
export interface Closable {
  close(): Promise<void>;
}

/**
 * Starts a harness before a file's tests and closes it after them. The answer stands for the
 * harness, so a test reads `h.app` as it would a variable set in `beforeAll`; reading it before
 * the harness has started is a mistake in the test and throws, naming what was read.
 */
export function useHarness<H extends Closable>(start: () => Promise<H>): H {
  let started: H | undefined;
  beforeAll(async () => {
    started = await start();
  });
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as H, {
    get(_target, key) {
      if (!started) throw new Error(`the harness was read (${String(key)}) before it started`);
      return Reflect.get(started, key, started);
    },
  });
}
