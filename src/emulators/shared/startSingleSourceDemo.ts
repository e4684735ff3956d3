import type { DemoContext, DemoEmulator, DemoRecordGenerator, DemoSource } from './DemoEmulator';
import type { EmulatorServer } from '../startEmulatorServer';

export interface SingleSourceDemo<R, Key extends 'token' | 'apiKey'> {
  /** The kind, which is also the id of its source in the demo. */
  readonly kind: 'fastly' | 'nirvana';
  readonly generate: DemoRecordGenerator<R>;
  /** The emulator's option, and the source's config key, that carries the credential. */
  readonly credentialKey: Key;
  readonly start: (
    options: { readonly records: R[]; readonly host: string; readonly port?: number } & Readonly<
      Record<Key, string>
    >,
  ) => Promise<EmulatorServer>;
}

/** An emulator that serves one source of its kind, behind a credential made for this start. */
export async function startSingleSourceDemo<R, Key extends 'token' | 'apiKey'>(
  demo: DemoContext,
  entry: SingleSourceDemo<R, Key>,
): Promise<DemoEmulator> {
  const credential = demo.credential(entry.kind);
  const records = demo.generate(entry.kind, entry.generate);
  const options = {
    records,
    host: demo.host,
    ...(demo.port === undefined ? {} : { port: demo.port }),
    [entry.credentialKey]: credential,
  };
  const emulator = await entry.start(options as Parameters<typeof entry.start>[0]);
  // The credential under the key of the kind's config: `token` for Fastly, `apiKey` for Nirvana.
  const source = {
    id: entry.kind,
    kind: entry.kind,
    baseUrl: emulator.url,
    [entry.credentialKey]: credential,
  } as unknown as DemoSource;
  return { emulator, sources: [source] };
}
