import type { AuditEvent, SourceRef } from '../../../src/model/AuditEvent';
import {
  eventLogSearchResponseWireSchema,
  eventLogWireSchema,
  type EventLogWire,
} from '../../../src/providers/fusionauth-event-log/EventLogWire';
import { toFusionAuthEventLogAuditEvent } from '../../../src/providers/fusionauth-event-log/toFusionAuthEventLogAuditEvent';

const source: SourceRef = { id: 'fa-events', kind: 'fusionauth-event-log' };

describe('toFusionAuthEventLogAuditEvent', () => {
  it('maps the providers.md example', () => {
    const record: EventLogWire = {
      id: 48213,
      insertInstant: 1772442867123,
      message: 'Webhook [https://hooks.example.com/fa] returned response code [500].',
      type: 'Error',
    };
    const expected: AuditEvent = {
      sourceId: 'fa-events',
      kind: 'fusionauth-event-log',
      provider: 'FUSIONAUTH',
      nativeId: '48213',
      occurredAtMs: 1772442867123,
      action: 'Error',
      category: 'OTHER',
      outcome: 'FAILURE',
      description: 'Webhook [https://hooks.example.com/fa] returned response code [500].',
      actor: null,
      resource: null,
      request: null,
      changes: null,
      metadata: null,
      raw: record,
    };
    expect(toFusionAuthEventLogAuditEvent(record, source)).toEqual(expected);
  });

  it.each([
    ['Information', 'UNKNOWN'],
    ['Debug', 'UNKNOWN'],
    ['Error', 'FAILURE'],
    ['Warning', 'UNKNOWN'],
  ] as const)('keeps type %s verbatim as the action, with outcome %s', (type, outcome) => {
    const event = toFusionAuthEventLogAuditEvent(
      { id: 1, insertInstant: 1, message: 'm', type },
      source,
    );
    expect(event.action).toBe(type);
    expect(event.outcome).toBe(outcome);
    expect(event.category).toBe('OTHER');
  });

  it('keeps the millisecond instant and the record verbatim, unknown keys included', () => {
    const record = eventLogWireSchema.parse({
      id: 7,
      insertInstant: 1772442867001,
      message: 'User [a@example.com] failed login.',
      type: 'Information',
      futureField: { nested: [1, 'x'] },
    });
    const event = toFusionAuthEventLogAuditEvent(record, source);
    expect(event.occurredAtMs).toBe(1772442867001);
    expect(event.raw).toEqual({
      id: 7,
      insertInstant: 1772442867001,
      message: 'User [a@example.com] failed login.',
      type: 'Information',
      futureField: { nested: [1, 'x'] },
    });
  });
});

describe('the event log wire schemas', () => {
  it.each([
    ['a string id', { id: '7', insertInstant: 1, message: 'm', type: 'Debug' }],
    ['a fractional instant', { id: 7, insertInstant: 1.5, message: 'm', type: 'Debug' }],
    [
      'an ISO instant',
      { id: 7, insertInstant: '2026-03-02T09:14:27Z', message: 'm', type: 'Debug' },
    ],
    ['no message', { id: 7, insertInstant: 1, type: 'Debug' }],
    ['no type', { id: 7, insertInstant: 1, message: 'm' }],
  ])('rejects an entry with %s', (_case, value) => {
    expect(eventLogWireSchema.safeParse(value).success).toBe(false);
  });

  it('reads a search response without a list as no entries', () => {
    expect(eventLogSearchResponseWireSchema.parse({ total: 0 })).toEqual({ total: 0 });
  });

  it('rejects a search response whose list is not a list', () => {
    expect(eventLogSearchResponseWireSchema.safeParse({ eventLogs: {}, total: 1 }).success).toBe(
      false,
    );
  });
});
