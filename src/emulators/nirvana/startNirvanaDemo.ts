import type { DemoContext, DemoEmulator } from '../shared/DemoEmulator';
import { generateNirvanaRecords } from './generateNirvanaRecords';
import { startNirvanaEmulator } from './startNirvanaEmulator';

/** The demo company's Nirvana Labs organisation: its audit log, behind a fresh API key. */
export async function startNirvanaDemo(demo: DemoContext): Promise<DemoEmulator> {
  const apiKey = demo.credential('nirvana');
  const records = demo.generate('nirvana', generateNirvanaRecords);
  const emulator = await startNirvanaEmulator({ records, apiKey, host: demo.host });
  return {
    emulator,
    sources: [{ id: 'nirvana', kind: 'nirvana', baseUrl: emulator.url, apiKey }],
  };
}
