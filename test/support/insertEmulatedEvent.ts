import { randomBytes, randomUUID } from 'node:crypto';
import type { CloudflareEmulator } from '../../src/emulators/cloudflare-shared/startCloudflareEmulator';
import type { FastlyEmulator } from '../../src/emulators/fastly/startFastlyEmulator';
import type { FusionAuthEmulator } from '../../src/emulators/fusionauth/startFusionAuthEmulator';
import type { NirvanaEmulator } from '../../src/emulators/nirvana/startNirvanaEmulator';
import type { Demo } from '../../src/emulators/startDemoEmulators';

/** Inserts one event into a demo source's emulator, stamped `occurredAtMs`; returns its provider id. */
export type InsertEmulatedEvent = (sourceId: string, occurredAtMs: number) => string;

/**
 * Events as each API would show them, for tests and the tail bench: a copy of one of the demo's
 * records of that kind with a fresh id and the given time, to the precision the API stamps
 * (whole seconds, FusionAuth milliseconds). The demo's sources are named after their kinds.
 */
export function createEventInserter(demo: Demo): InsertEmulatedEvent {
  const byName = (name: string) => {
    const emulator = demo.emulators.find((candidate) => candidate.name === name);
    if (emulator === undefined) throw new Error(`the demo has no ${name} emulator`);
    return emulator;
  };
  const fastly = byName('fastly') as FastlyEmulator;
  const cloudflareV1 = byName('cloudflare-v1') as CloudflareEmulator<any>;
  const cloudflareV2 = byName('cloudflare-v2') as CloudflareEmulator<any>;
  const fusionAuth = byName('fusionauth') as FusionAuthEmulator;
  const nirvana = byName('nirvana') as NirvanaEmulator;
  const seconds = (ms: number) =>
    new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const template = <T>(records: readonly T[]): T => {
    const first = records[0];
    if (first === undefined) throw new Error('the emulator holds no record to copy');
    return structuredClone(first);
  };
  let nextFusionAuthId = 1_000_000_000;

  return (sourceId, occurredAtMs) => {
    switch (sourceId) {
      case 'fastly': {
        const record = template(fastly.records);
        const id = randomBytes(11).toString('base64url');
        fastly.insert({
          ...record,
          id,
          attributes: { ...record.attributes, created_at: seconds(occurredAtMs) },
        });
        return id;
      }
      case 'cloudflare-v1': {
        const id = randomUUID();
        cloudflareV1.insert({ ...template(cloudflareV1.records), id, when: seconds(occurredAtMs) });
        return id;
      }
      case 'cloudflare-v2': {
        const record = template(cloudflareV2.records);
        const id = randomBytes(16).toString('hex');
        cloudflareV2.insert({
          ...record,
          id,
          action: { ...record.action, time: seconds(occurredAtMs) },
        });
        return id;
      }
      case 'fusionauth-event-log': {
        nextFusionAuthId += 1;
        fusionAuth.insertEventLog({
          ...template(fusionAuth.eventLogs),
          id: nextFusionAuthId,
          insertInstant: occurredAtMs,
        });
        return String(nextFusionAuthId);
      }
      case 'fusionauth-audit-log': {
        nextFusionAuthId += 1;
        fusionAuth.insertAuditLog({
          ...template(fusionAuth.auditLogs),
          id: nextFusionAuthId,
          insertInstant: occurredAtMs,
        });
        return String(nextFusionAuthId);
      }
      case 'nirvana': {
        const id = randomUUID();
        nirvana.insertRecord({
          ...template(nirvana.records),
          id,
          created_at: seconds(occurredAtMs),
        });
        return id;
      }
      default:
        throw new Error(`no inserter for source ${sourceId}`);
    }
  };
}
