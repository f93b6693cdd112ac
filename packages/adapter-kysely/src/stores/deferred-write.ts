// Types only, with no imports: the store context holds a `WriteBehind`, write-behind.ts
// implements it and imports the context, so these live apart from both.

/**
 * A write a PostgreSQL transaction may hold back: one or more data-modifying CTEs of a later
 * statement. Written as SQL text, not built with Kysely: this is sign-in's hot path, and the
 * text only depends on the table names (checked identifiers) while every value is a parameter.
 */
export interface DeferredWrite {
  /** Writes with the same key cannot share a statement (two upserts of one chain head). */
  exclusiveKey?: string;
  /** The CTEs (`"name" as (...)`, comma-separated), numbering parameters from `firstParameter`. */
  ctes(name: string, firstParameter: number): string;
  parameters: readonly unknown[];
}

/** Where a transaction's stores hold back their blind writes. */
export interface WriteBehind {
  defer(write: DeferredWrite): Promise<void>;
}
