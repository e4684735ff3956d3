import type {
  Actor,
  AuditCategory,
  AuditEvent,
  AuditOutcome,
  Changes,
  Json,
  Provider,
  RequestInfo,
  Resource,
  SourceKind,
} from './AuditEvent';

/** What the feed needs of an event to place it: who it is and when. */
export interface EventHead {
  readonly sourceId: string;
  readonly kind: SourceKind;
  readonly provider: Provider;
  readonly nativeId: string;
  readonly occurredAtMs: number;
}

/**
 * An upstream record read lazily: its head (id and time) checked when its page arrives, the rest
 * checked and mapped only when something reads it. A page asks each source for more records than
 * it delivers (room for ties, and a sixth of a page is the usual share of six sources), so most
 * records are placed, passed over and never mapped.
 *
 * Reading any other field settles the event: the build runs once, and its result (or its error)
 * is kept. An error is the source's SOURCE_BAD_RESPONSE, thrown from the reading field: whoever
 * delivers events settles them first (`settleAuditEvent`), inside the code that turns a source's
 * error into its outcome, so no resolver meets it.
 */
class LazyAuditEvent implements AuditEvent {
  readonly sourceId: string;
  readonly kind: SourceKind;
  readonly provider: Provider;
  readonly nativeId: string;
  readonly occurredAtMs: number;
  #build: (() => AuditEvent) | null;
  #event: AuditEvent | null = null;
  #error: unknown = null;

  constructor(head: EventHead, build: () => AuditEvent) {
    this.sourceId = head.sourceId;
    this.kind = head.kind;
    this.provider = head.provider;
    this.nativeId = head.nativeId;
    this.occurredAtMs = head.occurredAtMs;
    this.#build = build;
  }

  settle(): AuditEvent {
    if (this.#event !== null) return this.#event;
    if (this.#build === null) throw this.#error;
    const build = this.#build;
    this.#build = null;
    try {
      const event = build();
      if (event.nativeId !== this.nativeId || event.occurredAtMs !== this.occurredAtMs) {
        throw new Error('a lazy event built another id or time than its head');
      }
      this.#event = event;
      return event;
    } catch (error) {
      this.#error = error;
      throw error;
    }
  }

  get action(): string {
    return this.settle().action;
  }
  get category(): AuditCategory {
    return this.settle().category;
  }
  get outcome(): AuditOutcome {
    return this.settle().outcome;
  }
  get description(): string | null {
    return this.settle().description;
  }
  get actor(): Actor | null {
    return this.settle().actor;
  }
  get resource(): Resource | null {
    return this.settle().resource;
  }
  get request(): RequestInfo | null {
    return this.settle().request;
  }
  get changes(): Changes | null {
    return this.settle().changes;
  }
  get metadata(): Json {
    return this.settle().metadata;
  }
  get raw(): Json {
    return this.settle().raw;
  }
  /** Serialised (the page cache), an event is its settled value. */
  toJSON(): AuditEvent {
    return this.settle();
  }
}

export function createLazyAuditEvent(head: EventHead, build: () => AuditEvent): AuditEvent {
  return new LazyAuditEvent(head, build);
}

/**
 * The event as a plain, fully checked value: a lazy one is built (or throws its source's error);
 * any other is itself.
 */
export function settleAuditEvent(event: AuditEvent): AuditEvent {
  return event instanceof LazyAuditEvent ? event.settle() : event;
}
