import type { DemoContext, DemoEmulator } from '../shared/DemoEmulator';
import { generateFastlyRecords } from './generateFastlyRecords';
import { startFastlyEmulator } from './startFastlyEmulator';

/** The demo company's Fastly account: its event log, served behind a fresh Fastly-Key. */
export async function startFastlyDemo(demo: DemoContext): Promise<DemoEmulator> {
  const token = demo.credential('fastly');
  const records = demo.generate('fastly', generateFastlyRecords);
  const emulator = await startFastlyEmulator({ records, token, host: demo.host });
  return {
    emulator,
    sources: [{ id: 'fastly', kind: 'fastly', baseUrl: emulator.url, token }],
  };
}
