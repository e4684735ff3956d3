import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UNCONFIRMED_MARKDOWN_NOTE } from '../../src/emulators/renderUnconfirmedMarkdown';
import {
  EMULATOR_KINDS,
  UNCONFIRMED_CHOICES,
  unconfirmedChoicesOf,
  type EmulatorKind,
} from '../../src/emulators/unconfirmedChoices';
import { FRAGMENT_PATCHES } from './loadUpstreamSchemas';

/**
 * Each emulator's UNCONFIRMED choices live in the table in its folder, gathered by
 * src/emulators/unconfirmedChoices.ts; its UNCONFIRMED.md is generated from that table. These
 * tests fail when a file and its table drift apart — a row edited, added or dropped by hand —
 * until `npm run unconfirmed:write` is run.
 */

const EMULATORS_DIR = path.resolve(__dirname, '../../src/emulators');

interface Row {
  readonly number: string;
  readonly question: string;
  readonly choice: string;
  readonly reason: string;
}

/** Every table row of a Markdown file; throws unless it holds exactly the one choices table. */
function readChoiceRows(markdown: string): Row[] {
  const lines = markdown.split('\n').filter((line) => line.trimStart().startsWith('|'));
  const [header, separator, ...rows] = lines.map(toCells);
  expect(header).toEqual(['#', 'question', 'our choice', 'why']);
  expect(separator?.every((cell) => /^:?-+:?$/.test(cell))).toBe(true);
  return rows.map((cells) => {
    expect(cells).toHaveLength(4);
    const [number = '', question = '', choice = '', reason = ''] = cells;
    return { number, question, choice, reason };
  });
}

function toCells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

function readMarkdown(kind: EmulatorKind): string {
  return readFileSync(path.join(EMULATORS_DIR, kind, 'UNCONFIRMED.md'), 'utf8');
}

describe('the UNCONFIRMED choices table', () => {
  it.each(EMULATOR_KINDS)('%s/UNCONFIRMED.md lists exactly the entries of its kind', (kind) => {
    const markdown = readMarkdown(kind);
    expect(markdown).toContain(UNCONFIRMED_MARKDOWN_NOTE);
    expect(readChoiceRows(markdown)).toEqual(
      unconfirmedChoicesOf(kind).map(({ question, choice, reason }, index) => ({
        number: String(index + 1),
        question,
        choice,
        reason,
      })),
    );
  });

  it('has, for every emulator, choices with a question and an answer, each question once', () => {
    for (const kind of EMULATOR_KINDS) {
      const choices = unconfirmedChoicesOf(kind);
      expect(choices.length).toBeGreaterThan(0);
      const questions = choices.map((choice) => choice.question);
      expect(new Set(questions).size).toBe(questions.length);
    }
    for (const { question, choice } of UNCONFIRMED_CHOICES) {
      expect(question.trim()).not.toBe('');
      expect(choice.trim()).not.toBe('');
    }
  });

  it('holds every choice the schema validation admits in place of the upstream schema', () => {
    const named = FRAGMENT_PATCHES.flatMap((patch) => (patch.choice ? [patch.choice] : []));
    expect(named.length).toBeGreaterThan(0);
    for (const { kind, question } of named) {
      expect(unconfirmedChoicesOf(kind).map((choice) => choice.question)).toContain(question);
    }
  });
});
