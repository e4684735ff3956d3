import type { DemoContext, DemoEmulator } from '../shared/DemoEmulator';
import { generateFusionAuthAuditLogRecords } from './generateFusionAuthAuditLogRecords';
import { generateFusionAuthEventLogRecords } from './generateFusionAuthEventLogRecords';
import { startFusionAuthEmulator } from './startFusionAuthEmulator';

/**
 * The demo company's FusionAuth instance: one emulator, behind one fresh API key, serving both of
 * its logs as two sources.
 */
export async function startFusionAuthDemo(demo: DemoContext): Promise<DemoEmulator> {
  const apiKey = demo.credential('fusionauth');
  const eventLogs = demo.generate(
    'fusionauth-event-log',
    generateFusionAuthEventLogRecords,
    'fa-event',
  );
  const auditLogs = demo.generate(
    'fusionauth-audit-log',
    generateFusionAuthAuditLogRecords,
    'fa-audit',
  );
  const emulator = await startFusionAuthEmulator({
    eventLogs,
    auditLogs,
    apiKey,
    host: demo.host,
    ...(demo.port === undefined ? {} : { port: demo.port }),
  });
  const baseUrl = emulator.url;
  return {
    emulator,
    sources: [
      { id: 'fusionauth-event-log', kind: 'fusionauth-event-log', baseUrl, apiKey },
      { id: 'fusionauth-audit-log', kind: 'fusionauth-audit-log', baseUrl, apiKey },
    ],
  };
}
