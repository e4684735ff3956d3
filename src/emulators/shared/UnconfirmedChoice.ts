/**
 * A question about an upstream API that no official source settles (providers.md marks it
 * UNCONFIRMED), and what an emulator does about it. A real provider may answer it otherwise; the
 * adapters are written not to depend on the answer, and say so where they do.
 */
export interface UnconfirmedChoice {
  /** What no official source settles. */
  readonly question: string;
  /** What the emulator does about it (Markdown inline text). */
  readonly choice: string;
  /** Why; empty when the question and the choice say it all. */
  readonly reason: string;
}

/** One emulator's choices, as its UNCONFIRMED.md shows them: a title, an intro, the table. */
export interface UnconfirmedChoiceTable {
  readonly title: string;
  /** Markdown inline text: which section of providers.md, and what the adapter relies on. */
  readonly intro: string;
  readonly choices: readonly UnconfirmedChoice[];
}
