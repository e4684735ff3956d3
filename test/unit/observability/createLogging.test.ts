import { EventEmitter } from 'node:events';
import type { LogLevelName } from '../../../src/config/types';
import { createLogging } from '../../../src/observability/logging/createLogging';
import { REDACTED_KEYS } from '../../../src/observability/logging/redactPaths';

function capture(level: LogLevelName = 'info') {
  const lines: string[] = [];
  const logging = createLogging({ level, write: (line) => lines.push(line) });
  return { ...logging, lines, records: () => lines.map((line) => JSON.parse(line)) };
}

const SECRET = 'sk_live_0123456789abcdef';

describe('createLogging', () => {
  it('writes one JSON object per line with a level name, an ISO time and msg', () => {
    const { logger, lines, records } = capture();
    logger.info({ sourceId: 'fastly' }, 'hello');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    const [record] = records();
    expect(record).toEqual({
      level: 'info',
      time: expect.any(String),
      sourceId: 'fastly',
      msg: 'hello',
    });
    expect(new Date(record.time).toISOString()).toBe(record.time);
  });

  it.each<[LogLevelName, string[]]>([
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
    ['silent', []],
  ])('at level %s writes %j', (level, expected) => {
    const { logger, records } = capture(level);
    logger.debug({}, 'd');
    logger.info({}, 'i');
    logger.warn({}, 'w');
    logger.error({}, 'e');
    expect(records().map((record) => record.level)).toEqual(expected);
  });

  describe('redaction', () => {
    it.each(REDACTED_KEYS.map((key) => [key]))(
      'never writes the value of %s, at any depth',
      (key) => {
        const { logger, lines } = capture();
        logger.info({ [key]: SECRET }, 'top');
        logger.info({ config: { [key]: SECRET } }, 'nested');
        logger.info({ request: { headers: { [key]: SECRET } } }, 'in headers');
        logger.info({ a: { b: { c: { [key]: SECRET } } } }, 'deep');
        logger.child({ [key]: SECRET }).info({}, 'in bindings');
        expect(lines.length).toBe(5);
        for (const line of lines) expect(line).not.toContain(SECRET);
      },
    );

    it('hides credentials a caller logs by mistake: a source config, headers, variables', () => {
      const { logger, lines, records } = capture();
      logger.error(
        {
          source: { id: 'cf-prod', kind: 'cloudflare-v2', token: SECRET, accountId: 'acc' },
          headers: { authorization: `Bearer ${SECRET}`, cookie: `session=${SECRET}` },
          variables: { after: `cursor-${SECRET}`, first: 10 },
          auth: { apiKeys: [{ id: 'dashboard', key: SECRET }] },
        },
        'oops',
      );
      expect(lines.join('\n')).not.toContain(SECRET);
      // What is no secret stays.
      expect(records()[0]).toMatchObject({
        source: { id: 'cf-prod', kind: 'cloudflare-v2', accountId: 'acc', token: '[Redacted]' },
        variables: { first: 10, after: '[Redacted]' },
        auth: { apiKeys: [{ id: 'dashboard', key: '[Redacted]' }] },
      });
    });

    it("redacts inside arrays and six levels down, and leaves the caller's object as it was", () => {
      const { logger, lines, records } = capture();
      const fields = {
        sources: [{ id: 'a', token: SECRET }, [{ apiKey: SECRET }]],
        a: { b: { c: { d: { e: { password: SECRET, kept: 1 } } } } },
      };
      logger.info(fields, 'nested');
      expect(lines[0]).not.toContain(SECRET);
      expect(records()[0]).toMatchObject({
        sources: [{ id: 'a', token: '[Redacted]' }, [{ apiKey: '[Redacted]' }]],
        a: { b: { c: { d: { e: { password: '[Redacted]', kept: 1 } } } } },
      });
      expect(fields.sources[0]).toEqual({ id: 'a', token: SECRET });
      expect(fields.a.b.c.d.e.password).toBe(SECRET);
    });

    it("keeps a filter's time bound, which shares the name `before` with a cursor", () => {
      const { logger, records } = capture();
      logger.info(
        { filter: { since: '2026-03-01T00:00:00.000Z', before: '2026-03-02T00:00:00Z' } },
        'audit',
      );
      logger.info({ before: `eyJ2IjoxfQ.${SECRET}` }, 'a cursor');
      expect(records()[0].filter.before).toBe('2026-03-02T00:00:00Z');
      expect(records()[1].before).toBe('[Redacted]');
    });
  });

  describe('the request scope', () => {
    it('puts the request id on every line logged inside it, across awaits and timers', async () => {
      const { logger, inRequest, records } = capture();
      logger.info({}, 'outside');
      await inRequest('req-1', async () => {
        logger.info({}, 'first');
        await new Promise((resolve) => setTimeout(resolve, 5));
        logger.child({ sourceId: 'fastly' }).warn({}, 'after a timer');
      });
      logger.info({}, 'outside again');
      expect(records().map((record) => [record.msg, record.requestId])).toEqual([
        ['outside', undefined],
        ['first', 'req-1'],
        ['after a timer', 'req-1'],
        ['outside again', undefined],
      ]);
    });

    it('loses the id in an emitter callback that was not bound to it (why the server binds)', () => {
      const { logger, inRequest, records } = capture();
      const emitter = new EventEmitter();
      inRequest('req-2', () => {
        emitter.once('close', () => logger.info({}, 'unbound'));
      });
      emitter.emit('close');
      expect(records()[0].requestId).toBeUndefined();
    });

    it('keeps two loggers of two instances apart', async () => {
      const one = capture();
      const two = capture();
      await one.inRequest('only-one', async () => {
        two.logger.info({}, 'from two');
        one.logger.info({}, 'from one');
        await Promise.resolve();
      });
      expect(one.records()[0].requestId).toBe('only-one');
      expect(two.records()[0].requestId).toBeUndefined();
    });
  });
});
