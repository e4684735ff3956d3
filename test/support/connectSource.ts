import type { EmulatorServer } from '../../src/emulators/startEmulatorServer';
import { createHttpClient, type HttpClient } from '../../src/http/createHttpClient';
import type { Source } from '../../src/model/Source';

/** What a suite hands a kind to make one of its sources on the kind's emulator. */
export interface SourceOptions<E extends EmulatorServer> {
  readonly id: string;
  readonly emulator: E;
  readonly http: HttpClient;
  readonly now: () => number;
  /** A credential to present instead of the one the emulator accepts (to be refused). */
  readonly credential?: string;
}

/** Makes a source of one kind; the suites call it with the options above. */
export type CreateSource<E extends EmulatorServer> = (options: SourceOptions<E>) => Source;

export interface ConnectedSource {
  readonly source: Source;
  /** Closes the source's HTTP client (the emulator is the caller's to stop). */
  close(): Promise<void>;
}

/** A source of one kind on a started emulator, over an HTTP client of its own. */
export function connectSource<E extends EmulatorServer>(
  emulator: E,
  createSource: CreateSource<E>,
  options: {
    readonly id: string;
    readonly nowMs: number;
    /** The API's base path on the emulator (Cloudflare's `/client/v4`); none by default. */
    readonly basePath?: string | undefined;
    readonly credential?: string;
  },
): ConnectedSource {
  const http = createHttpClient({
    baseUrl: `${emulator.url}${options.basePath ?? ''}`,
    sourceId: options.id,
  });
  const source = createSource({
    id: options.id,
    emulator,
    http,
    now: () => options.nowMs,
    ...(options.credential === undefined ? {} : { credential: options.credential }),
  });
  return { source, close: () => http.close() };
}
