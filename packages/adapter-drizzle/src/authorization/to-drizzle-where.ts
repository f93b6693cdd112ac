import {
  type AuthorizationFilter,
  lowerAuthorizationFilter,
  type SqlFilterNode,
} from '@portcullis/core/ports';
import { type AnyColumn, and, inArray, isNotNull, isNull, not, or, type SQL, sql } from 'drizzle-orm';

/**
 * Turns an authorization filter into a Drizzle `where` over the app's own table, so "the
 * documents this user may read" is one query. `columns` maps each resource attribute the policies
 * reference (`ownerId` for `resource.ownerId`) to a Drizzle column (`documents.ownerId`).
 *
 * Throws `AuthError('invalid_request')` listing every part of the filter without an SQL form
 * (`cidr`, array `contains`, unmapped attributes): nothing is silently dropped.
 *
 * @example
 * const filter = authorizer.authorizationFilter({ subject, action: 'document.read', resourceType: 'document' });
 * const rows = await db.select().from(documents)
 *   .where(toDrizzleWhere(filter, { ownerId: documents.ownerId, status: documents.status }));
 */
export function toDrizzleWhere(filter: AuthorizationFilter, columns: Record<string, AnyColumn>): SQL {
  const node = lowerAuthorizationFilter(filter, Object.keys(columns));
  const column = (attribute: string) => columns[attribute]!;
  const translate = (n: SqlFilterNode): SQL => {
    switch (n.kind) {
      case 'true':
        return sql`1 = 1`;
      case 'false':
        return sql`1 = 0`;
      case 'and':
        return and(...n.nodes.map(translate))!;
      case 'or':
        return or(...n.nodes.map(translate))!;
      case 'not':
        return not(translate(n.node));
      case 'isNull':
        return isNull(column(n.attribute));
      case 'isNotNull':
        return isNotNull(column(n.attribute));
      case 'compare':
        // the value goes through the column's driver mapping (booleans, timestamps)
        return sql`${column(n.attribute)} ${sql.raw(n.op)} ${sql.param(n.value, column(n.attribute))}`;
      case 'compareAttributes':
        return sql`${column(n.left)} ${sql.raw(n.op)} ${column(n.right)}`;
      case 'in':
        return inArray(column(n.attribute), n.values);
      case 'never':
        return sql`${column(n.attribute)} <> ${column(n.attribute)}`;
      case 'present':
        return sql`${column(n.attribute)} = ${column(n.attribute)}`;
      case 'containsText':
        return sql`replace(${column(n.attribute)}, ${n.substring}, '') <> ${column(n.attribute)}`;
      case 'startsWithText':
        return sql`substr(${column(n.attribute)}, 1, ${sql.raw(String(n.length))}) = ${n.prefix}`;
    }
  };
  return translate(node);
}
