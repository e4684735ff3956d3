import { unconfirmedChoicesOf, type EmulatorKind } from './unconfirmedChoices';

/** What heads each emulator's UNCONFIRMED.md; its table comes from unconfirmedChoices.ts. */
const DOCUMENTS: Readonly<
  Record<EmulatorKind, { readonly title: string; readonly intro: string }>
> = {
  fastly: {
    title: 'Fastly emulator',
    intro:
      'providers.md §1 marks these UNCONFIRMED. The adapter (`src/providers/fastly/`) depends on none of them beyond what it states.',
  },
  'cloudflare-v1': {
    title: 'Cloudflare audit logs v1 emulator',
    intro:
      'providers.md §2 marks these UNCONFIRMED. The adapter (`src/providers/cloudflare-v1/`) widens its time bounds and ignores `result_info` totals, so it depends on none of them beyond what it states.',
  },
  'cloudflare-v2': {
    title: 'Cloudflare audit logs v2 emulator',
    intro:
      'providers.md §3 marks these UNCONFIRMED. The adapter (`src/providers/cloudflare-v2/`) widens its time bounds and accepts every documented end-of-list variant, so it depends on none of them beyond what it states.',
  },
  fusionauth: {
    title: 'FusionAuth emulator',
    intro:
      'providers.md §4 marks these UNCONFIRMED. A real FusionAuth may differ on any of them; the adapters (`src/providers/fusionauth-*`) are written not to depend on them beyond what they state.',
  },
  nirvana: {
    title: 'Nirvana Labs emulator',
    intro:
      'providers.md §5 marks these UNCONFIRMED. The real API may differ on any of them; the adapter (`src/providers/nirvana`) is written not to depend on them beyond what it states.',
  },
};

export const UNCONFIRMED_MARKDOWN_NOTE =
  'Generated from the table in `src/emulators/unconfirmedChoices.ts` by `npm run unconfirmed:write`: change the table, not this file.';

/** One emulator's UNCONFIRMED.md (before Prettier aligns its table). */
export function renderUnconfirmedMarkdown(kind: EmulatorKind): string {
  const { title, intro } = DOCUMENTS[kind];
  const rows = unconfirmedChoicesOf(kind).map(
    ({ question, choice, reason }, index) =>
      `| ${index + 1} | ${[question, choice, reason].map(toCell).join(' | ')} |`,
  );
  return [
    `# ${title} — choices where no official source decides`,
    '',
    intro,
    '',
    UNCONFIRMED_MARKDOWN_NOTE,
    '',
    '| # | question | our choice | why |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

function toCell(text: string): string {
  if (/[\r\n]/.test(text)) throw new Error(`a table cell cannot hold a line break: ${text}`);
  return text.replace(/\|/g, '\\|');
}
