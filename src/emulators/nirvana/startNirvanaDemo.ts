import type { DemoContext, DemoEmulator } from '../shared/DemoEmulator';
import { startSingleSourceDemo } from '../shared/startSingleSourceDemo';
import { generateNirvanaRecords } from './generateNirvanaRecords';
import { startNirvanaEmulator } from './startNirvanaEmulator';

/** The demo company's Nirvana Labs organisation: its audit log, behind a fresh API key. */
export function startNirvanaDemo(demo: DemoContext): Promise<DemoEmulator> {
  return startSingleSourceDemo(demo, {
    kind: 'nirvana',
    generate: generateNirvanaRecords,
    credentialKey: 'apiKey',
    start: startNirvanaEmulator,
  });
}
