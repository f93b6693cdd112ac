import { z } from 'zod';
import { PORTCULLIS_VERSION } from '../version.js';
import { openApiComponents } from './openapi-components.js';
import { problemSchema } from './response-schemas.js';
import type { RouteDefinition } from './route.js';

export interface OpenApiOptions {
  title: string;
  version: string;
  /** Absolute URL of the mount point, e.g. `https://app.example.com/auth`. */
  serverUrl: string;
  sessionCookieName: string;
}

const toSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;

/**
 * A response schema with its registered parts (`openApiComponents`) moved into `components`, each
 * referenced as `#/components/schemas/<id>`. A component must come out the same wherever it is used.
 */
function toResponseSchema(schema: z.ZodType, components: Record<string, unknown>): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
    metadata: openApiComponents,
  }) as Record<string, unknown>;
  const { $defs, ...rest } = stripDialect(json) as { $defs?: Record<string, unknown> };
  for (const [id, definition] of Object.entries($defs ?? {})) {
    const local = relinked(definition);
    const known = components[id];
    if (known !== undefined && JSON.stringify(known) !== JSON.stringify(local)) {
      throw new Error(`OpenAPI component ${id} has two shapes`);
    }
    components[id] = local;
  }
  return relinked(rest) as Record<string, unknown>;
}

function relinked(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'));
}

function stripDialect(schema: Record<string, unknown>) {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

/** OpenAPI 3.1 for the mounted routes, generated from the same declarations the router uses. */
export function buildOpenApiDocument(routes: RouteDefinition[], options: OpenApiOptions) {
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Record<string, unknown> = {};
  toResponseSchema(problemSchema, components);
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', route.params],
      ['query', route.query],
    ] as const) {
      if (!schema) continue;
      const json = toSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, property] of Object.entries(json.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (json.required ?? []).includes(name),
          schema: property,
        });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema
          ? {
              content: {
                [Number(status) >= 400 ? 'application/problem+json' : 'application/json']: {
                  schema: toResponseSchema(response.schema, components),
                },
              },
            }
          : {}),
      };
    }
    responses.default = {
      description: 'Error',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
    if (route.rateLimited && !responses['429']) {
      responses['429'] = {
        description: 'Rate limited',
        headers: {
          'Retry-After': { schema: { type: 'integer' } },
          // draft-ietf-httpapi-ratelimit-headers: structured-field lists, one item per policy
          'RateLimit-Policy': {
            description:
              'The policies that counted the request: "name";q=<limit>;w=<seconds>;pk=:<partition>:',
            schema: { type: 'string' },
          },
          RateLimit: {
            description: 'Their state: "name";r=<remaining>;t=<seconds to reset>;pk=:<partition>:',
            schema: { type: 'string' },
          },
        },
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    const jsonBody = route.body ?? route.rawJsonBody;
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(jsonBody
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: stripDialect(toSchema(jsonBody, 'input')) } },
            },
          }
        : {}),
      ...(route.form
        ? {
            requestBody: {
              required: true,
              content: {
                'application/x-www-form-urlencoded': { schema: stripDialect(toSchema(route.form, 'input')) },
              },
            },
          }
        : {}),
      responses,
      // a session route takes the cookie or a bearer access token (token mode)
      ...(route.auth === 'session'
        ? { security: [{ sessionCookie: [] }, { bearerAccessToken: [] }] }
        : { security: [] }),
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: options.title, version: options.version },
    servers: [{ url: options.serverUrl }],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: options.sessionCookieName },
        bearerAccessToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'An access token (RFC 9068) from token mode or POST /oauth/token',
        },
      },
    },
  };
}

/**
 * The OpenAPI document of `routes` as served under `basePath` of `baseURL`, built on first use
 * (it walks every schema) and kept.
 */
export function lazyOpenApiDocument(
  routes: RouteDefinition[],
  mount: { baseURL: URL; basePath: string },
  sessionCookieName: string,
): () => Record<string, unknown> {
  const serverUrl = new URL(mount.basePath, mount.baseURL).toString().replace(/\/$/, '');
  const options = { title: 'Portcullis', version: PORTCULLIS_VERSION, serverUrl, sessionCookieName };
  let document: Record<string, unknown> | undefined;
  return () => (document ??= buildOpenApiDocument(routes, options));
}
