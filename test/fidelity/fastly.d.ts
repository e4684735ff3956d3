/**
 * The part of the official `fastly` SDK (fastly-js, plain JavaScript without typings) that the
 * fidelity tests use, typed from its `dist/ApiClient.js`, `dist/api/EventsApi.js` and
 * `dist/model/Event*.js`.
 */
declare module 'fastly' {
  /** The superagent request each plugin is handed before it is sent. */
  export interface FastlyPluginRequest {
    url: string;
    on(event: 'response', listener: (response: { req: { path: string } }) => void): unknown;
  }

  export class ApiClient {
    /** Ignored by every operation of fastly-js 13, which passes its own server URL. */
    basePath: string;
    plugins: ((request: FastlyPluginRequest) => void)[] | null;
    authenticate(token: string): void;
  }

  export interface EventAttributes {
    admin?: boolean;
    /** Parsed into a Date by the SDK's model. */
    created_at?: Date;
    customer_id?: string | null;
    description?: string;
    event_type?: string;
    ip?: string | null;
    metadata?: Record<string, unknown>;
    service_id?: string | null;
    user_id?: string | null;
    token_id?: string | null;
  }

  export interface Event {
    id?: string;
    type?: string;
    attributes?: EventAttributes;
  }

  export interface EventsResponse {
    data?: Event[];
    links?: { first?: string; last?: string; prev?: string; next?: string };
    meta?: {
      current_page?: number;
      per_page?: number;
      record_count?: number;
      total_pages?: number;
    };
  }

  export interface EventResponse {
    data?: Event;
  }

  export interface ListEventsOptions {
    filter_customer_id?: string;
    filter_event_type?: string;
    filter_service_id?: string;
    filter_user_id?: string;
    filter_token_id?: string;
    filter_created_at?: string;
    filter_created_at_lte?: string;
    filter_created_at_lt?: string;
    filter_created_at_gte?: string;
    filter_created_at_gt?: string;
    page_number?: number;
    page_size?: number;
    sort?: 'created_at' | '-created_at';
  }

  export interface HttpInfo<T> {
    data: T;
    response: { status: number; headers: Record<string, string> };
  }

  /** What a failed call rejects with (ApiClient.callApi). */
  export interface FastlyCallError {
    status?: number;
    body?: unknown;
    error: Error;
  }

  export class EventsApi {
    constructor(apiClient?: ApiClient);
    listEvents(options?: ListEventsOptions): Promise<EventsResponse>;
    listEventsWithHttpInfo(options?: ListEventsOptions): Promise<HttpInfo<EventsResponse>>;
    getEvent(options: { event_id: string }): Promise<EventResponse>;
  }
}
