import pino from 'pino';
import { isJetStreamUnanswered, untilJetStreamAnswers } from './jetstream-retry';

const logger = pino({ level: 'silent' });
const named = (name: string, cause?: unknown) => Object.assign(new Error(name, { cause }), { name });

describe('start-up steps against JetStream', () => {
  it('counts a timeout or no responder, also as the cause of a request error, as not answered yet', () => {
    expect(isJetStreamUnanswered(named('TimeoutError'))).toBe(true);
    expect(isJetStreamUnanswered(named('NoRespondersError'))).toBe(true);
    expect(isJetStreamUnanswered(named('RequestError', named('TimeoutError')))).toBe(true);
    expect(isJetStreamUnanswered(named('JetStreamApiError'))).toBe(false);
    expect(isJetStreamUnanswered('timeout')).toBe(false);
  });

  it('tries a step again while JetStream does not answer, then answers its result', async () => {
    let calls = 0;
    const result = await untilJetStreamAnswers('provisioning', logger, () => {
      calls += 1;
      return calls < 3 ? Promise.reject(named('TimeoutError')) : Promise.resolve('ready');
    });
    expect([result, calls]).toEqual(['ready', 3]);
  });

  it('throws any other error at once, and a timeout once its patience is spent', async () => {
    let calls = 0;
    const refusal = untilJetStreamAnswers('provisioning', logger, () => {
      calls += 1;
      return Promise.reject(named('JetStreamApiError'));
    });
    await expect(refusal).rejects.toThrow('JetStreamApiError');
    expect(calls).toBe(1);
    const patient = untilJetStreamAnswers(
      'provisioning',
      logger,
      () => Promise.reject(named('TimeoutError')),
      600,
    );
    await expect(patient).rejects.toThrow('TimeoutError');
  });
});
