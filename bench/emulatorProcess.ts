/**
 * The bench's upstreams: the six emulated sources in their own process, every response delayed
 * by a fixed latency, so the gateway and the reference client share the machine but not the
 * emulators' event loop.
 */
import type { Demo } from '../src/emulators/startDemoEmulators';
import { startDemoEmulators } from '../src/emulators/startDemoEmulators';
import type { SourceKind } from '../src/model/AuditEvent';
import { serve } from './ipc';

export interface EmulatorStart {
  readonly seed: number;
  readonly nowMs: number;
  readonly counts: Partial<Record<SourceKind, number>>;
  readonly latencyMs: number;
}

let demo: Demo | null = null;

serve({
  start: async (body) => {
    const options = body as EmulatorStart;
    demo = await startDemoEmulators({
      seed: options.seed,
      nowMs: options.nowMs,
      counts: options.counts,
    });
    for (const emulator of demo.emulators) emulator.knobs.latencyMs = options.latencyMs;
    return { sources: demo.sources, counts: demo.counts };
  },
  close: async () => {
    await demo?.close();
    setImmediate(() => process.exit(0));
  },
});
