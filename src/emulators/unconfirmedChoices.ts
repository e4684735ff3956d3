import { CLOUDFLARE_V1_UNCONFIRMED_CHOICES } from './cloudflare-v1/cloudflareV1UnconfirmedChoices';
import { CLOUDFLARE_V2_UNCONFIRMED_CHOICES } from './cloudflare-v2/cloudflareV2UnconfirmedChoices';
import { FASTLY_UNCONFIRMED_CHOICES } from './fastly/fastlyUnconfirmedChoices';
import { FUSIONAUTH_UNCONFIRMED_CHOICES } from './fusionauth/fusionAuthUnconfirmedChoices';
import { NIRVANA_UNCONFIRMED_CHOICES } from './nirvana/nirvanaUnconfirmedChoices';
import type { UnconfirmedChoice, UnconfirmedChoiceTable } from './shared/UnconfirmedChoice';

/**
 * Every choice the emulators make where no official source decides, gathered from the table in
 * each emulator's folder (`<kind>/…UnconfirmedChoices.ts`, Cloudflare's shared rows in
 * `cloudflare-shared/`). Each emulator's UNCONFIRMED.md is generated from its table
 * (`npm run unconfirmed:write`) and a test checks that it lists exactly those entries, so the two
 * cannot drift.
 */

/** The emulators, by folder: FusionAuth's one emulator serves both of its logs. */
export const EMULATOR_KINDS = [
  'fastly',
  'cloudflare-v1',
  'cloudflare-v2',
  'fusionauth',
  'nirvana',
] as const;
export type EmulatorKind = (typeof EMULATOR_KINDS)[number];

const TABLES: Readonly<Record<EmulatorKind, UnconfirmedChoiceTable>> = {
  fastly: FASTLY_UNCONFIRMED_CHOICES,
  'cloudflare-v1': CLOUDFLARE_V1_UNCONFIRMED_CHOICES,
  'cloudflare-v2': CLOUDFLARE_V2_UNCONFIRMED_CHOICES,
  fusionauth: FUSIONAUTH_UNCONFIRMED_CHOICES,
  nirvana: NIRVANA_UNCONFIRMED_CHOICES,
};

/** A choice with the emulator that makes it. */
export interface EmulatorUnconfirmedChoice extends UnconfirmedChoice {
  readonly kind: EmulatorKind;
}

export const UNCONFIRMED_CHOICES: readonly EmulatorUnconfirmedChoice[] = EMULATOR_KINDS.flatMap(
  (kind) => TABLES[kind].choices.map((choice) => ({ kind, ...choice })),
);

/** One emulator's table: its title, intro and choices. */
export function unconfirmedChoiceTableOf(kind: EmulatorKind): UnconfirmedChoiceTable {
  return TABLES[kind];
}

/** The choices of one emulator, in the order of its table. */
export function unconfirmedChoicesOf(kind: EmulatorKind): readonly EmulatorUnconfirmedChoice[] {
  return UNCONFIRMED_CHOICES.filter((choice) => choice.kind === kind);
}
