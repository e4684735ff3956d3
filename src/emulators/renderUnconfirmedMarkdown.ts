import { unconfirmedChoiceTableOf, type EmulatorKind } from './unconfirmedChoices';

export const UNCONFIRMED_MARKDOWN_NOTE =
  "Generated from the table in this folder's `…UnconfirmedChoices.ts` by `npm run unconfirmed:write`: change the table, not this file.";

/** One emulator's UNCONFIRMED.md (before Prettier aligns its table). */
export function renderUnconfirmedMarkdown(kind: EmulatorKind): string {
  const { title, intro, choices } = unconfirmedChoiceTableOf(kind);
  const rows = choices.map(
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
