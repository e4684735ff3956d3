import { z } from 'zod';
import { AuditgraphError } from '../../../src/model/errors';
import { describeCause } from '../../../src/observability/logging/describeCause';

function schemaError(): z.ZodError {
  const result = z
    .object({ data: z.array(z.object({ id: z.string() })) })
    .safeParse({ data: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 4 }] });
  if (result.success) throw new Error('the payload should not parse');
  return result.error;
}

function systemError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('describeCause', () => {
  it.each<[string, AuditgraphError, string | null]>([
    [
      'an upstream status',
      new AuditgraphError('SOURCE_UNAVAILABLE', 'm', { sourceId: 's', upstreamStatus: 503 }),
      'HTTP 503',
    ],
    [
      'the system error under undici’s TypeError',
      new AuditgraphError('SOURCE_UNAVAILABLE', 'm', {
        cause: new TypeError('fetch failed', {
          cause: systemError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9?token=x'),
        }),
      }),
      'ECONNREFUSED',
    ],
    [
      'the first of an AggregateError’s errors',
      new AuditgraphError('SOURCE_UNAVAILABLE', 'm', {
        cause: new AggregateError([
          systemError('EHOSTUNREACH', 'a'),
          systemError('ECONNREFUSED', 'b'),
        ]),
      }),
      'EHOSTUNREACH',
    ],
    [
      'a schema path',
      new AuditgraphError('SOURCE_BAD_RESPONSE', 'm', { cause: schemaError() }),
      'schema at data[3].id',
    ],
    [
      'a body that is not JSON',
      new AuditgraphError('SOURCE_BAD_RESPONSE', 'm', {
        upstreamStatus: 200,
        cause: new SyntaxError('Unexpected token < in JSON at position 0'),
      }),
      'HTTP 200, invalid JSON',
    ],
    ['nothing more than the code', new AuditgraphError('SOURCE_TIMEOUT', 'm'), null],
    [
      'an error code that is not one (free text)',
      new AuditgraphError('SOURCE_UNAVAILABLE', 'm', {
        cause: systemError('see https://api.example.com/?key=1', 'x'),
      }),
      null,
    ],
  ])('names %s', (_what, error, expected) => {
    expect(describeCause(error)).toBe(expected);
  });

  it('never quotes a message', () => {
    const error = new AuditgraphError('SOURCE_UNAVAILABLE', 'm', {
      cause: new Error('GET https://api.fastly.com/events?token=SECRET failed'),
    });
    expect(describeCause(error)).toBeNull();
  });
});
