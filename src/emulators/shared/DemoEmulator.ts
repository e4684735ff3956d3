import type { SourceConfig } from '../../providers/sourceKinds';
import type { SourceKind } from '../../model/AuditEvent';
import type { Random } from '../dataset/createRandom';
import type { Person } from '../dataset/people';
import type { EmulatorServer } from '../startEmulatorServer';

/** A source the gateway can be pointed at: a configured one, of its kind. */
export type DemoSource = SourceConfig;

/**
 * What every emulator's record generator is given: who acts, when, how many records, and what
 * else its kind needs (`Options`).
 */
export type DemoRecordGenerator<R, Options extends unknown[] = []> = (
  random: Random,
  people: readonly Person[],
  window: { readonly fromMs: number; readonly toMs: number },
  count: number,
  ...options: Options
) => R[];

/** What the demo hands each emulator it starts. */
export interface DemoContext {
  /** The demo's generator; fork it by a label, so each part of the data stands alone. */
  readonly random: Random;
  /**
   * The demo's records of `kind`, as many as the demo holds of it: `generate` run over the demo
   * company's people and month, from the demo's generator forked by `label` (default: `kind`).
   * The demo counts them as the events of its source of that kind.
   */
  generate<R>(kind: SourceKind, generate: DemoRecordGenerator<R>, label?: string): R[];
  /**
   * The secret of a credential family (the kinds' `credentialFamily`: Cloudflare's versions share
   * one): the demo's given one, else one made fresh for this start.
   */
  credential(family: string): string;
  readonly host: string;
  /** The port this emulator listens on; undefined: any free one. */
  readonly port: number | undefined;
}

/** One emulator of the demo, started, and the sources it serves (one per kind it generated). */
export interface DemoEmulator {
  readonly emulator: EmulatorServer;
  /** In the order the demo lists them. */
  readonly sources: readonly DemoSource[];
}

/** Generates one emulator's part of the demo's data and starts it: what a kind gives the demo. */
export type StartDemoEmulator = (demo: DemoContext) => Promise<DemoEmulator>;
