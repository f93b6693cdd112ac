import { z } from 'zod';

/**
 * Response schemas published as named components of the OpenAPI document (`User`, `Session`,
 * `Tenant`, …), so clients generated from it get named types instead of anonymous inline shapes.
 */
export const openApiComponents = z.registry<{ id: string }>();

/** Registers `schema` as the component `id` and returns it unchanged. */
export function component<T extends z.ZodType>(id: string, schema: T): T {
  openApiComponents.add(schema, { id });
  return schema;
}
