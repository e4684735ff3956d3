/**
 * `npm run bench:tail`: how long the live tail takes from an event's insertion upstream to its
 * delivery, per source kind. Starts the six demo emulators and auditgraph in this process, opens
 * one graphql-ws subscription per source (`filter: { sources: [id] }`, so each delay is its own
 * source's and not held back by a slower one), inserts events into each emulator one after
 * another, and records when each arrives. Expected: about the source's `lateArrivalSeconds` plus
 * the wait for the second it lies in to end (the tail delivers whole seconds, 0.5 s on average)
 * plus up to one poll interval.
 *
 * Options: --poll-ms <ms> (tail.pollIntervalMs, default 1000), --cf-v2-late <s> (Cloudflare v2's
 * lateArrivalSeconds, default its kind's 300; the others' is 0), --events <n> per source
 * (default 10), --gap-ms <ms> between insertions (default 700).
 */
import { parseArgs } from 'node:util';
import { generateApiKey } from '../src/auth/generateApiKey';
import { hashApiKey } from '../src/auth/hashApiKey';
import { startDemoEmulators } from '../src/emulators/startDemoEmulators';
import { startAuditgraph } from '../src/startAuditgraph';
import { DEMO_CONFIG } from '../test/support/demoConfig';
import { createEventInserter } from '../test/support/insertEmulatedEvent';
import { subscribeOverWebSocket, waitFor } from '../test/support/tailClients';
import { percentile } from './stats';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'poll-ms': { type: 'string', default: '1000' },
      'cf-v2-late': { type: 'string' },
      events: { type: 'string', default: '10' },
      'gap-ms': { type: 'string', default: '700' },
    },
  });
  const pollIntervalMs = Number(values['poll-ms']);
  const events = Number(values.events);
  const gapMs = Number(values['gap-ms']);
  const cfV2Late = values['cf-v2-late'] === undefined ? undefined : Number(values['cf-v2-late']);

  const apiKey = generateApiKey();
  const demo = await startDemoEmulators({ seed: 3, nowMs: Date.now() - 60_000 });
  const insert = createEventInserter(demo);
  const app = await startAuditgraph(
    {
      ...DEMO_CONFIG,
      mode: 'live',
      sources: demo.sources.map((source) =>
        source.kind === 'cloudflare-v2' && cfV2Late !== undefined
          ? { ...source, lateArrivalSeconds: cfV2Late }
          : source,
      ),
      cursorSecret: 'a-bench-cursor-secret-of-32-characters',
      auth: {
        apiKeys: [
          { id: 'bench', sha256: hashApiKey(apiKey), sources: ['*'], permissions: ['pii'] },
        ],
        jwt: null,
        allowUnauthenticated: false,
      },
      tail: { pollIntervalMs, maxSubscriptionsPerClient: 10, maxSubscriptions: 10 },
    },
    { log: () => undefined },
  );
  const sourceIds = demo.sources.map((source) => source.id);
  const tails = new Map(
    sourceIds.map((id) => [
      id,
      subscribeOverWebSocket(
        app.url,
        apiKey,
        { filter: { sources: [id] } },
        `subscription($filter: AuditEventFilter) {
        auditEventAdded(filter: $filter) { nativeId }
      }`,
      ),
    ]),
  );
  await waitFor('the subscriptions', () => app.tail.stats().subscriptions === sourceIds.length);
  const insertedAt = new Map<string, number>();
  for (let round = 0; round < events; round += 1) {
    for (const id of sourceIds) insertedAt.set(`${id}/${insert(id, Date.now())}`, Date.now());
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  const deliveredAt = new Map<string, number>();
  const late = Math.max(0, cfV2Late ?? 300);
  await waitFor(
    'every delivery',
    () => {
      for (const [id, tail] of tails) {
        tail.events.forEach((event, index) => {
          deliveredAt.set(`${id}/${event.nativeId}`, tail.arrivals[index] ?? Number.NaN);
        });
      }
      return deliveredAt.size >= insertedAt.size;
    },
    (late + 10) * 1000 + events * gapMs,
  );
  console.log(
    `tail delay from insertion to delivery, ${events} events per source, poll ${pollIntervalMs} ms`,
  );
  console.log('| source kind | lateArrivalSeconds | median (s) | p95 (s) | max (s) |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const source of demo.sources) {
    const delays = [...insertedAt]
      .filter(([key]) => key.startsWith(`${source.id}/`))
      .map(([key, at]) => ((deliveredAt.get(key) ?? Number.NaN) - at) / 1000)
      .sort((a, b) => a - b);
    const lateness = source.kind === 'cloudflare-v2' ? (cfV2Late ?? 300) : 0;
    const fmt = (value: number) => value.toFixed(2);
    console.log(
      `| ${source.kind} | ${lateness} | ${fmt(percentile(delays, 50))} | ${fmt(percentile(delays, 95))} | ${fmt(delays[delays.length - 1] ?? Number.NaN)} |`,
    );
  }
  await Promise.all([...tails.values()].map((tail) => tail.stop()));
  await app.close();
  await demo.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
