import type { DemoContext, DemoEmulator } from '../shared/DemoEmulator';
import { startSingleSourceDemo } from '../shared/startSingleSourceDemo';
import { generateFastlyRecords } from './generateFastlyRecords';
import { startFastlyEmulator } from './startFastlyEmulator';

/** The demo company's Fastly account: its event log, served behind a fresh Fastly-Key. */
export function startFastlyDemo(demo: DemoContext): Promise<DemoEmulator> {
  return startSingleSourceDemo(demo, {
    kind: 'fastly',
    generate: generateFastlyRecords,
    credentialKey: 'token',
    start: startFastlyEmulator,
  });
}
