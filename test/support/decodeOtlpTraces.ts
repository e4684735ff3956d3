import protobuf from 'protobufjs';

/** An attribute's value as OTLP carries it, arrays included. */
export type OtlpValue = string | number | boolean | null | readonly OtlpValue[];

/** One exported span, the same whether it came as OTLP/JSON or OTLP/protobuf. */
export interface ExportedSpan {
  /** Lowercase hex, as in a `traceparent`. */
  readonly traceId: string;
  readonly spanId: string;
  /** Null for a root span. */
  readonly parentSpanId: string | null;
  readonly name: string;
  /** OTLP's numbers: 1 internal, 2 server, 3 client. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, OtlpValue>>;
  readonly events: readonly {
    readonly name: string;
    readonly attributes: Readonly<Record<string, OtlpValue>>;
  }[];
  /** OTLP's numbers: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message: string | null };
  readonly scope: string;
  readonly resource: Readonly<Record<string, OtlpValue>>;
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;
export const STATUS_CODE = { unset: 0, ok: 1, error: 2 } as const;

/**
 * The part of OTLP's trace protocol (opentelemetry-proto, `trace/v1/trace.proto` and
 * `common/v1/common.proto`) that the tests read; fields it leaves out are skipped on decoding.
 * The field numbers are the protocol's.
 */
const TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message Resource { repeated KeyValue attributes = 1; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message InstrumentationScope { string name = 1; string version = 2; }
message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  bytes parent_span_id = 4;
  string name = 5;
  int32 kind = 6;
  repeated KeyValue attributes = 9;
  repeated Event events = 11;
  Status status = 15;
}
message Event { string name = 2; repeated KeyValue attributes = 3; }
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;

const requestType = protobuf
  .parse(TRACE_PROTO, { keepCase: false })
  .root.lookupType('otlp.ExportTraceServiceRequest');

/** The spans of one `POST /v1/traces` body, by its content type. */
export function decodeOtlpTraces(contentType: string, body: Buffer): ExportedSpan[] {
  if (contentType.startsWith('application/json')) {
    return toSpans(JSON.parse(body.toString('utf8')), 'hex');
  }
  if (contentType.startsWith('application/x-protobuf')) {
    const message = requestType.decode(body);
    const plain = requestType.toObject(message, { longs: Number, bytes: String });
    return toSpans(plain, 'base64');
  }
  throw new Error(`not an OTLP content type: ${contentType}`);
}

type Json = Record<string, unknown>;

/**
 * Both encodings have the same shape in camelCase (OTLP/JSON is the protobuf's JSON mapping),
 * except ids: hex in JSON, bytes (here base64) in protobuf.
 */
function toSpans(request: unknown, ids: 'hex' | 'base64'): ExportedSpan[] {
  const toId = (value: unknown): string | null => {
    if (typeof value !== 'string' || value === '') return null;
    return ids === 'hex' ? value.toLowerCase() : Buffer.from(value, 'base64').toString('hex');
  };
  const spans: ExportedSpan[] = [];
  for (const resourceSpans of list((request as Json).resourceSpans)) {
    const resource = toAttributes((resourceSpans.resource as Json | undefined)?.attributes);
    for (const scopeSpans of list(resourceSpans.scopeSpans)) {
      const scopeName = (scopeSpans.scope as Json | undefined)?.name;
      const scope = typeof scopeName === 'string' ? scopeName : '';
      for (const span of list(scopeSpans.spans)) {
        const status = (span.status ?? {}) as Json;
        spans.push({
          traceId: toId(span.traceId) ?? '',
          spanId: toId(span.spanId) ?? '',
          parentSpanId: toId(span.parentSpanId),
          name: String(span.name),
          kind: Number(span.kind ?? 0),
          attributes: toAttributes(span.attributes),
          events: list(span.events).map((event) => ({
            name: String(event.name),
            attributes: toAttributes(event.attributes),
          })),
          status: {
            code: Number(status.code ?? 0),
            message: typeof status.message === 'string' ? status.message : null,
          },
          scope,
          resource,
        });
      }
    }
  }
  return spans;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

function toAttributes(value: unknown): Record<string, OtlpValue> {
  return Object.fromEntries(
    list(value).map((pair) => [String(pair.key), toValue(pair.value as Json | undefined)]),
  );
}

function toValue(value: Json | undefined): OtlpValue {
  if (value === undefined) return null;
  if ('stringValue' in value) return String(value.stringValue);
  if ('boolValue' in value) return Boolean(value.boolValue);
  // int64 is a string in OTLP/JSON when it does not fit a double; ours always do.
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('arrayValue' in value) {
    return list((value.arrayValue as Json | undefined)?.values).map((item) => toValue(item));
  }
  return null;
}
