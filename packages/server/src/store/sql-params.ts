/**
 * Parameters of SQL assembled at run time (optional filters): the one thing
 * the two dialects write differently in the shared query builders. SQLite
 * binds `?` in the order they appear, PostgreSQL numbers them `$1`, `$2`…
 * A builder calls add() in the order its placeholders appear in the text.
 */
export interface SqlParams {
  readonly values: unknown[];
  /** Binds `value`; answers its placeholder. */
  add(value: unknown): string;
}

/** SQLite's placeholders: `?`, bound in order. */
export class OrderedParams implements SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return '?';
  }
}

/** PostgreSQL's placeholders: `$n`. */
export class NumberedParams implements SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** `WHERE …` of the terms, or nothing when there are none. */
export const whereOf = (terms: readonly string[]): string =>
  terms.length > 0 ? `WHERE ${terms.join(' AND ')}` : '';
