import {
  type AuthorizationFilter,
  lowerAuthorizationFilter,
  type SqlFilterNode,
} from '@portcullis/core/ports';
import { type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool, sql } from 'kysely';

/**
 * Turns an authorization filter into a Kysely `where` expression over the app's own table, so
 * "the documents this user may read" is one query. `columns` maps each resource attribute the
 * policies reference (`ownerId` for `resource.ownerId`) to a column reference (`documents.owner_id`).
 *
 * Throws `AuthError('invalid_request')` listing every part of the filter without an SQL form
 * (`cidr`, array `contains`, unmapped attributes): nothing is silently dropped.
 *
 * @example
 * const filter = authorizer.authorizationFilter({ subject, action: 'document.read', resourceType: 'document' });
 * const rows = await db
 *   .selectFrom('documents')
 *   .selectAll()
 *   .where((eb) => toKyselyWhere(eb, filter, { ownerId: 'owner_id', status: 'status' }))
 *   .execute();
 */
export function toKyselyWhere<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  filter: AuthorizationFilter,
  columns: Record<string, string>,
): Expression<SqlBool> {
  const node = lowerAuthorizationFilter(filter, Object.keys(columns));
  const column = (attribute: string) => sql.ref(columns[attribute]!);
  const translate = (n: SqlFilterNode): Expression<SqlBool> | RawBuilder<SqlBool> => {
    switch (n.kind) {
      case 'true':
        return sql<SqlBool>`1 = 1`;
      case 'false':
        return sql<SqlBool>`1 = 0`;
      case 'and':
        return eb.and(n.nodes.map(translate));
      case 'or':
        return eb.or(n.nodes.map(translate));
      case 'not':
        return eb.not(translate(n.node));
      case 'isNull':
        return sql<SqlBool>`${column(n.attribute)} is null`;
      case 'isNotNull':
        return sql<SqlBool>`${column(n.attribute)} is not null`;
      case 'compare':
        return sql<SqlBool>`${column(n.attribute)} ${sql.raw(n.op)} ${n.value}`;
      case 'compareAttributes':
        return sql<SqlBool>`${column(n.left)} ${sql.raw(n.op)} ${column(n.right)}`;
      case 'in':
        return sql<SqlBool>`${column(n.attribute)} in (${sql.join(n.values)})`;
      case 'never':
        return sql<SqlBool>`${column(n.attribute)} <> ${column(n.attribute)}`;
      case 'present':
        return sql<SqlBool>`${column(n.attribute)} = ${column(n.attribute)}`;
      case 'containsText':
        return sql<SqlBool>`replace(${column(n.attribute)}, ${n.substring}, '') <> ${column(n.attribute)}`;
      case 'startsWithText':
        return sql<SqlBool>`substr(${column(n.attribute)}, 1, ${sql.lit(n.length)}) = ${n.prefix}`;
    }
  };
  return translate(node);
}
