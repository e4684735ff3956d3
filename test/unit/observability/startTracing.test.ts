import { trace } from '@opentelemetry/api';
import { isTracingEnabled, startTracing } from '../../../src/observability/tracing/startTracing';

const ENDPOINT = 'http://collector:4318';

describe('isTracingEnabled, without a tracing config, decides as the OpenTelemetry SDK would', () => {
  it.each<[string, Record<string, string>, boolean]>([
    ['nothing set', {}, false],
    ['an OTLP endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT }, true],
    ['the traces endpoint alone', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: ENDPOINT }, true],
    ['an empty endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, false],
    ['an exporter named, no endpoint', { OTEL_TRACES_EXPORTER: 'otlp' }, true],
    ['the console exporter', { OTEL_TRACES_EXPORTER: 'console' }, true],
    [
      'exporter none beside an endpoint',
      { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT },
      false,
    ],
    ['none after another exporter', { OTEL_TRACES_EXPORTER: 'otlp,none' }, true],
    [
      'the SDK disabled',
      { OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT },
      false,
    ],
    ['only the protocol', { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, false],
  ])('%s → %s', (_name, env, enabled) => {
    expect(isTracingEnabled(undefined, env)).toBe(enabled);
  });

  it('follows the tracing config when there is one, whatever the environment says', () => {
    const config = {
      enabled: false,
      exporter: 'otlp',
      endpoint: ENDPOINT,
      protocol: 'http/json',
      serviceName: 'auditgraph',
    } as const;
    expect(isTracingEnabled(config, { OTEL_EXPORTER_OTLP_ENDPOINT: ENDPOINT })).toBe(false);
    expect(isTracingEnabled({ ...config, enabled: true }, {})).toBe(true);
  });
});

describe('startTracing', () => {
  it('registers nothing when tracing is off: spans are not recorded, so none can be exported', async () => {
    const tracing = startTracing(undefined, {});
    expect(tracing.enabled).toBe(false);
    const span = trace.getTracer('auditgraph').startSpan('probe');
    expect(span.isRecording()).toBe(false);
    span.end();
    await tracing.shutdown();
  });
});
