import type { ExpressionBuilder, Kysely } from 'kysely';

// The tables carry a prefix chosen at run time, so no static `DB` type can name them: inside the
// adapter, queries are untyped and each store's row mapper is where types are established.

// biome-ignore lint/suspicious/noExplicitAny: table names are only known at run time
export type AnyKysely = Kysely<any>;

/** A row as the driver returns it; the store's mapper gives it its type. */
// biome-ignore lint/suspicious/noExplicitAny: row shapes are checked by the mappers, not the compiler
export type Row = Record<string, any>;

// biome-ignore lint/suspicious/noExplicitAny: see AnyKysely
export type AnyExpressionBuilder = ExpressionBuilder<any, any>;
