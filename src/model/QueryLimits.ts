/** How big one GraphQL document may be; every limit is checked before a resolver runs. */
export interface QueryLimits {
  /** Deepest selection, counting fragments as a level (matrix S5). */
  readonly maxDepth: number;
  /** Aliased fields per operation, fragments included (S3). */
  readonly maxAliases: number;
  /** Lexical tokens per document, checked while parsing (S6). */
  readonly maxTokens: number;
  /** Estimated cost per operation, `first` multiplying its field's selection (S10). */
  readonly maxCost: number;
  /** Directives per operation, fragments included (S6). */
  readonly maxDirectives: number;
}

export const QUERY_LIMIT_DEFAULTS: QueryLimits = {
  maxDepth: 10,
  maxAliases: 15,
  maxTokens: 2000,
  maxCost: 5000,
  maxDirectives: 50,
};
