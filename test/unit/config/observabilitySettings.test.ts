import { describeConfig } from '../../../src/describeConfig';
import { FASTLY, load, loadJson, messageOf, type Env } from './configTestKit';

const TOKEN = 'metrics-token-0123456789';

describe('loadConfig: log level', () => {
  it('logs at info unless told otherwise', () => {
    expect(load({ secured: false }).log).toEqual({ level: 'info' });
  });

  it('takes log.level from the file and LOG_LEVEL over it', () => {
    expect(loadJson({ log: { level: 'debug' } }).log).toEqual({ level: 'debug' });
    expect(loadJson({ log: { level: 'debug' } }, { LOG_LEVEL: 'silent' }).log).toEqual({
      level: 'silent',
    });
  });

  it.each([
    ['LOG_LEVEL', () => load({ env: { LOG_LEVEL: 'verbose' } })],
    ['config file config.json: log.level', () => loadJson({ log: { level: 'INFO' } })],
  ])('refuses a level pino does not have, naming %s', (name, run) => {
    expect(messageOf(run)).toContain(
      `${name} must be one of trace, debug, info, warn, error, fatal, silent`,
    );
  });
});

describe('loadConfig: metrics', () => {
  it('serves /metrics on the main port, without a token, by default', () => {
    expect(load({ secured: false }).metrics).toEqual({ enabled: true, port: null, token: null });
  });

  it('reads a port and a token from the file, and the environment over it', () => {
    const file = { metrics: { enabled: true, port: 9464, token: TOKEN } };
    expect(loadJson(file).metrics).toEqual({ enabled: true, port: 9464, token: TOKEN });
    const env: Env = {
      AUDITGRAPH_METRICS: 'false',
      AUDITGRAPH_METRICS_PORT: '9100',
      AUDITGRAPH_METRICS_TOKEN: `${TOKEN}-env`,
    };
    expect(loadJson(file, env).metrics).toEqual({
      enabled: false,
      port: 9100,
      token: `${TOKEN}-env`,
    });
  });

  it.each([
    [
      { AUDITGRAPH_METRICS_PORT: '70000' },
      'AUDITGRAPH_METRICS_PORT must be an integer from 0 to 65535',
    ],
    [{ AUDITGRAPH_METRICS: 'yes' }, 'AUDITGRAPH_METRICS must be true or false'],
    [
      { AUDITGRAPH_METRICS_TOKEN: 'short-token' },
      'AUDITGRAPH_METRICS_TOKEN must be at least 16 characters (it guards /metrics)',
    ],
    [
      { AUDITGRAPH_METRICS_TOKEN: 'a token with spaces in it' },
      'AUDITGRAPH_METRICS_TOKEN must be letters, digits and -._~+/ (a bearer token), optionally ending in =',
    ],
    [
      { AUDITGRAPH_METRICS_PORT: '4000' },
      'AUDITGRAPH_METRICS_PORT (4000) must differ from the main port, or be left unset to serve /metrics on the main port',
    ],
  ])('refuses %j', (env, message) => {
    expect(messageOf(() => load({ env }))).toBe(message);
  });

  it('never repeats a refused token in its message', () => {
    const token = 'a secret token with spaces';
    const message = messageOf(() => loadJson({ metrics: { token } }));
    expect(message).toContain('metrics.token must be letters, digits');
    expect(message).not.toContain(token);
  });

  it('says how /metrics is served in the banner, never the token', () => {
    const lines = describeConfig(
      loadJson({ sources: [FASTLY], metrics: { port: 9464, token: TOKEN } }),
    );
    expect(lines).toContain('metrics: /metrics on port 9464, bearer token required');
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(describeConfig(load({ secured: false }))).toContain(
      'metrics: /metrics on the main port, open (no token)',
    );
    expect(describeConfig(load({ env: { AUDITGRAPH_METRICS: 'false' } }))).toContain(
      'metrics: off',
    );
  });
});

describe('loadConfig: traces, from the OpenTelemetry variables', () => {
  it('keeps traces off when no variable turns them on', () => {
    expect(load({ env: { OTEL_SERVICE_NAME: 'audit-gw' } }).tracing).toEqual({
      enabled: false,
      exporter: 'none',
      endpoint: null,
      protocol: 'http/protobuf',
      serviceName: 'audit-gw',
    });
  });

  it.each<[string, Env, object]>([
    [
      'an endpoint alone: OTLP',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
      { enabled: true, exporter: 'otlp', endpoint: 'http://collector:4318' },
    ],
    [
      'the traces endpoint over the base one, and its protocol over the base one',
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/v1/traces',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      },
      { enabled: true, endpoint: 'https://traces.example.com/v1/traces', protocol: 'http/json' },
    ],
    [
      'an exporter alone',
      { OTEL_TRACES_EXPORTER: 'console' },
      { enabled: true, exporter: 'console', endpoint: null, serviceName: 'auditgraph' },
    ],
    [
      'none, which wins over an endpoint',
      { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
      { enabled: false, exporter: 'none', endpoint: 'http://collector:4318' },
    ],
  ])('reads %s', (_name, env, expected) => {
    expect(load({ env }).tracing).toMatchObject(expected);
  });

  it.each<[Env, string]>([
    [{ OTEL_TRACES_EXPORTER: 'zipkin' }, 'OTEL_TRACES_EXPORTER must be one of otlp, console, none'],
    [
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'http' },
      'OTEL_EXPORTER_OTLP_PROTOCOL must be one of http/protobuf, http/json, grpc',
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL',
    ],
    [
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://user:pw@collector.example.com' },
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must not contain a user name or password (use OTEL_EXPORTER_OTLP_HEADERS)',
    ],
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.example.com/?key=abc' },
      'OTEL_EXPORTER_OTLP_ENDPOINT must not contain a query string or fragment (use OTEL_EXPORTER_OTLP_HEADERS)',
    ],
    [
      { OTEL_EXPORTER_OTLP_HEADERS: 'Authorization Bearer abc' },
      'OTEL_EXPORTER_OTLP_HEADERS must be name=value pairs separated by commas',
    ],
  ])('refuses %j', (env, message) => {
    expect(messageOf(() => load({ env }))).toBe(message);
  });

  it('takes well-formed headers without putting them in the config', () => {
    const headers = 'authorization=Bearer collector-secret-123,x-team=audit';
    const config = load({ env: { OTEL_EXPORTER_OTLP_HEADERS: headers } });
    expect(JSON.stringify(config)).not.toContain('collector-secret-123');
  });

  it('says where traces go in the banner', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(describeConfig(load({ env }))).toContain(
      'traces: OTLP http/protobuf to http://collector:4318, service auditgraph',
    );
    expect(describeConfig(load({ secured: false }))).toContain('traces: off');
  });
});
