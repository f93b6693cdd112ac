#!/usr/bin/env node
// Writes src/generated/routes.ts: the request and response types of every route and the client's
// method tree, from the OpenAPI document that @portcullis/core builds out of its route
// declarations (the same declarations its router and validation read). Plain generated types keep
// the type checker fast however many routes there are; no deep generic inference.
//
//   node scripts/generate-client.mjs          write the file
//   node scripts/generate-client.mjs --check  exit 1 when the committed file is stale
//   ... --out <file>                          another file than src/generated/routes.ts
//
// A route without a name in METHOD_NAMES fails the generation, so a new route cannot ship
// without its client method.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUTH_ERROR_CODES } from '@portcullis/core';
import { openApiDocument } from './openapi-document.mjs';

/**
 * operationId → where the method lives on the client (`tenants.members.list`). Path parameters
 * become positional arguments in path order, then the body (or the query of a GET), then options.
 */
export const METHOD_NAMES = {
  signUp: 'signUp',
  signIn: 'signIn',
  signOut: 'signOut',
  getSession: 'getSession',
  changePassword: 'password.change',
  reauthenticate: 'reauthenticate',
  listSessions: 'sessions.list',
  revokeSession: 'sessions.revoke',
  revokeOtherSessions: 'sessions.revokeOthers',
  createTenant: 'tenants.create',
  listTenants: 'tenants.list',
  getTenant: 'tenants.get',
  updateTenant: 'tenants.update',
  listMembers: 'tenants.members.list',
  updateMember: 'tenants.members.update',
  removeMember: 'tenants.members.remove',
  authorize: 'tenants.authorize',
  checkPermissions: 'tenants.permissions.check',
  listRoles: 'tenants.roles.list',
  createRole: 'tenants.roles.create',
  updateRole: 'tenants.roles.update',
  deleteRole: 'tenants.roles.delete',
  listPolicies: 'tenants.policies.list',
  createPolicy: 'tenants.policies.create',
  replacePolicy: 'tenants.policies.replace',
  deletePolicy: 'tenants.policies.delete',
  listPermissions: 'permissions.list',
  createInvitation: 'tenants.invitations.create',
  listInvitations: 'tenants.invitations.list',
  revokeInvitation: 'tenants.invitations.revoke',
  acceptInvitation: 'invitations.accept',
  previewInvitation: 'invitations.preview',
  requestEmailVerification: 'email.requestVerification',
  verifyEmail: 'email.verify',
  requestPasswordReset: 'password.requestReset',
  resetPassword: 'password.reset',
  requestMagicLink: 'magicLink.request',
  verifyMagicLink: 'magicLink.verify',
  getMfaStatus: 'mfa.status',
  setupTotp: 'mfa.totp.setup',
  confirmTotp: 'mfa.totp.confirm',
  disableTotp: 'mfa.totp.disable',
  regenerateRecoveryCodes: 'mfa.recoveryCodes.regenerate',
  verifyMfa: 'mfa.verify',
  passkeyRegistrationOptions: 'passkeys.registrationOptions',
  registerPasskey: 'passkeys.verifyRegistration',
  passkeyAuthenticationOptions: 'passkeys.authenticationOptions',
  authenticateWithPasskey: 'passkeys.verifyAuthentication',
  listPasskeys: 'passkeys.list',
  renamePasskey: 'passkeys.rename',
  deletePasskey: 'passkeys.delete',
  listOAuthProviders: 'oauth.providers',
  listOAuthAccounts: 'oauth.accounts.list',
  unlinkOAuthAccount: 'oauth.accounts.unlink',
  startOAuth: 'oauth.startUrl',
  completeOAuth: 'oauth.callbackUrl',
  getJwks: 'wellKnown.jwks',
  getTenantJwks: 'tenants.jwks',
  refreshTokens: 'tokens.refresh',
  createClient: 'tenants.clients.create',
  listClients: 'tenants.clients.list',
  rotateClientSecret: 'tenants.clients.rotateSecret',
  deleteClient: 'tenants.clients.delete',
  createApiKey: 'tenants.apiKeys.create',
  listApiKeys: 'tenants.apiKeys.list',
  rotateApiKey: 'tenants.apiKeys.rotate',
  revokeApiKey: 'tenants.apiKeys.revoke',
  receiveGitHubLeakReport: 'secretScanning.github',
  oauthToken: 'oauth.token',
  oauthIntrospect: 'oauth.introspect',
  oauthRevoke: 'oauth.revoke',
  oauthAuthorizationServerMetadata: 'wellKnown.authorizationServer',
  oauthTenantAuthorizationServerMetadata: 'tenants.authorizationServer',
  getLiveness: 'health.live',
  getReadiness: 'health.ready',
};

const pascal = (id) => id[0].toUpperCase() + id.slice(1);
const quoteKey = (key) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key));
const doc = (text, indent) =>
  text ? `${indent}/** ${String(text).replaceAll('*/', '*\\/').replaceAll('\n', ' ')} */\n` : '';

/** A JSON Schema (the subset zod's toJSONSchema writes) as a TypeScript type. */
function toType(schema, indent = '') {
  if (schema === true || schema === undefined || Object.keys(schema).length === 0) return 'unknown';
  if (schema === false) return 'never';
  if (schema.$ref) return schema.$ref.replace('#/components/schemas/', '');
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map((s) => wrap(toType(s, indent))).join(' | ');
  if (schema.allOf) return schema.allOf.map((s) => wrap(toType(s, indent))).join(' & ');
  if (Array.isArray(schema.type)) {
    return schema.type.map((type) => wrap(toType({ ...schema, type }, indent))).join(' | ');
  }
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return schema.prefixItems
        ? `[${schema.prefixItems.map((s) => toType(s, indent)).join(', ')}]`
        : `${wrap(toType(schema.items, indent))}[]`;
    case 'object':
      return objectType(schema, indent);
    default:
      return 'unknown';
  }
}

function wrap(type) {
  return /[|&]/.test(type) && !/^[{[]/.test(type) ? `(${type})` : type;
}

function objectType(schema, indent) {
  const inner = `${indent}  `;
  const required = new Set(schema.required ?? []);
  const lines = Object.entries(schema.properties ?? {}).map(
    ([key, property]) =>
      `${doc(property.description, inner)}${inner}${quoteKey(key)}${required.has(key) ? '' : '?'}: ${toType(property, inner)};`,
  );
  const extra = schema.additionalProperties;
  if (extra !== undefined && extra !== false) {
    if (lines.length === 0) return `Record<string, ${toType(extra, indent)}>`;
    lines.push(`${inner}[key: string]: unknown;`);
  }
  if (lines.length === 0) return extra === false ? 'Record<string, never>' : 'Record<string, unknown>';
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** One entry per route: what the runtime needs to call it, and the names of its types. */
function describeOperations(document) {
  const operations = [];
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const id = operation.operationId;
      if (!METHOD_NAMES[id])
        throw new Error(`route ${id} (${method.toUpperCase()} ${path}) has no client method name`);
      const parameters = operation.parameters ?? [];
      const content = operation.requestBody?.content ?? {};
      const [contentType] = Object.keys(content);
      const successes = Object.entries(operation.responses).filter(([status]) => /^[23]\d\d$/.test(status));
      const redirect = successes.length > 0 && successes.every(([status]) => status.startsWith('3'));
      operations.push({
        id,
        name: METHOD_NAMES[id],
        method: method.toUpperCase(),
        path: path.replace(/\{([^}]+)\}/g, ':$1'),
        summary: operation.summary,
        params: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query'),
        body: contentType ? content[contentType].schema : undefined,
        bodyRequired: operation.requestBody?.required === true,
        // a sign-in: its body takes `delivery` (`token` answers a token pair instead of a cookie)
        tokenDelivery: Boolean(content[contentType]?.schema?.properties?.delivery),
        encoding:
          contentType === 'application/x-www-form-urlencoded' ? 'form' : redirect ? 'redirect' : 'json',
        successes,
        auth: (operation.security ?? []).length > 0 ? 'session' : 'none',
      });
    }
  }
  const unused = Object.keys(METHOD_NAMES).filter((id) => !operations.some((op) => op.id === id));
  if (unused.length > 0) throw new Error(`METHOD_NAMES names routes that do not exist: ${unused.join(', ')}`);
  return operations;
}

function queryType(query) {
  return objectType(
    {
      type: 'object',
      properties: Object.fromEntries(query.map((p) => [p.name, { ...p.schema, description: p.description }])),
      required: query.filter((p) => p.required).map((p) => p.name),
    },
    '',
  );
}

function responseType(successes) {
  const types = successes.map(([, response]) => {
    const json = response.content?.['application/json'];
    return json ? toType(json.schema) : 'undefined';
  });
  return [...new Set(types)].join(' | ');
}

/** The input object's type name and whether it may be left out, or null when there is none. */
function inputOf(op) {
  if (op.body) {
    const required = op.bodyRequired && (op.body.required ?? []).length > 0;
    return { type: `${pascal(op.id)}Body`, optional: !required };
  }
  if (op.query.length > 0)
    return { type: `${pascal(op.id)}Query`, optional: !op.query.some((p) => p.required) };
  return null;
}

function signature(op) {
  const args = op.params.map((name) => `${name}: string`);
  const input = inputOf(op);
  if (input) args.push(`${op.body ? 'body' : 'query'}${input.optional ? '?' : ''}: ${input.type}`);
  args.push('options?: RequestOptions');
  const result = op.encoding === 'redirect' ? 'string' : `Promise<${pascal(op.id)}Response>`;
  return `(${args.join(', ')}) => ${result}`;
}

/** Nested `{ tenants: { members: { list: … } } }` from the dotted names. */
function methodTree(operations) {
  const root = {};
  for (const op of operations) {
    const parts = op.name.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= {};
      if (typeof node[part] === 'string') throw new Error(`${op.name}: ${part} is already a method`);
      node = node[part];
    }
    const leaf = parts.at(-1);
    if (node[leaf] !== undefined) throw new Error(`two routes are named ${op.name}`);
    node[leaf] = op;
  }
  return root;
}

function treeInterface(node, indent) {
  const inner = `${indent}  `;
  return `{\n${Object.entries(node)
    .map(([key, value]) =>
      value.id
        ? `${doc(`\`${value.method} ${value.path}\`: ${value.summary}`, inner)}${inner}${key}: ${signature(value)};`
        : `${inner}${key}: ${treeInterface(value, inner)};`,
    )
    .join('\n')}\n${indent}}`;
}

function render(document) {
  const operations = describeOperations(document);
  const out = [
    '// Generated by packages/client/scripts/generate-client.mjs from the route declarations of',
    '// @portcullis/core (through its OpenAPI document). Do not edit: run `pnpm --filter',
    '// @portcullis/client generate`.',
    '/* eslint-disable */',
    '',
    "import type { RequestOptions } from '../request-options.js';",
    '',
  ];
  for (const [name, schema] of Object.entries(document.components.schemas)) {
    out.push(`${doc(schema.description, '')}export type ${name} = ${toType(schema)};`, '');
  }
  for (const op of operations) {
    const id = pascal(op.id);
    if (op.body) out.push(`export type ${id}Body = ${toType(op.body)};`, '');
    if (op.query.length > 0) out.push(`export type ${id}Query = ${queryType(op.query)};`, '');
    if (op.encoding !== 'redirect')
      out.push(`export type ${id}Response = ${responseType(op.successes)};`, '');
  }
  out.push(
    '/** Every `code` a problem+json answer of the server can carry (`AUTH_ERROR_CODES`). */',
    `export type ServerErrorCode =\n${AUTH_ERROR_CODES.map((code) => `  | '${code}'`).join('\n')};`,
    '',
    '/** The operationId of every route. */',
    `export type OperationId =\n${operations.map((op) => `  | '${op.id}'`).join('\n')};`,
    '',
    '/** How the client calls each route: method, path, path parameters in order, and encoding. */',
    'export interface OperationSpec {',
    '  method: string;',
    '  path: string;',
    '  params: readonly string[];',
    "  input: 'body' | 'query' | null;",
    "  encoding: 'json' | 'form' | 'redirect';",
    '}',
    '',
    'export const operations: Record<OperationId, OperationSpec> = {',
    ...operations.map(
      (op) =>
        `  ${op.id}: { method: '${op.method}', path: '${op.path}', params: [${op.params.map((p) => `'${p}'`).join(', ')}], input: ${
          op.body ? "'body'" : op.query.length > 0 ? "'query'" : 'null'
        }, encoding: '${op.encoding}' },`,
    ),
    '};',
    '',
    '/** The sign-ins: routes whose body takes `delivery` (token mode asks them for a token pair). */',
    `export const tokenDeliveryOperations: readonly OperationId[] = [${operations
      .filter((op) => op.tokenDelivery)
      .map((op) => `'${op.id}'`)
      .join(', ')}];`,
    '',
    '/** Where each route lives on the client, as a dotted path. */',
    'export const methodNames: Record<OperationId, string> = {',
    ...operations.map((op) => `  ${op.id}: '${op.name}',`),
    '};',
    '',
    '/** Every route as a typed method. */',
    `export interface RouteMethods ${treeInterface(methodTree(operations), '')}`,
    '',
  );
  return out.join('\n');
}

const outAt = process.argv.indexOf('--out');
const target =
  outAt > 0
    ? resolve(process.argv[outAt + 1])
    : fileURLToPath(new URL('../src/generated/routes.ts', import.meta.url));
const text = render(await openApiDocument());
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== text) {
    console.error(`${target} is stale: run \`pnpm --filter @portcullis/client generate\``);
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
}
