import type { PolicyDefinition, PolicyEffect } from './policy.js';
import type { CompiledCondition } from './policy-compiler.js';
import type { Role } from './roles.js';

// The authorizer's types: the question, the answer, and the compiled rules that `decide`
// (authorizer.ts) and the inverse question (authorization-filter.ts) share. Types only, with no
// imports back: authorizer.ts imports the filter, so the filter reads these from here, not from it.

/** What the authorizer needs of a role. A stored {@link Role} fits as it is. */
export type AuthorizerRole = Pick<Role, 'id' | 'tenantId' | 'key' | 'permissions'>;

/**
 * Who is asking. `roles` are the keys of the subject's roles in the authorizer's tenant (from the
 * membership); `attributes` are membership/user attributes conditions read as
 * `subject.attributes.<name>`. Any other field is readable too (`subject.id`, `subject.email`).
 * When `tenantId` is present it must equal the authorizer's tenant.
 */
export interface AuthorizationSubject {
  id: string;
  roles: readonly string[];
  attributes?: Readonly<Record<string, unknown>>;
  tenantId?: string;
  /**
   * Permissions held directly rather than through roles: a machine credential's (an M2M client's
   * scopes mapped to permissions, an API key's own). They grant like a role does; deny policies
   * still win.
   */
  grants?: readonly string[];
  readonly [field: string]: unknown;
}

/** The thing acted upon: its type and whatever attributes the app passes (`resource.<name>`). */
export interface AuthorizationResource {
  type: string;
  readonly [attribute: string]: unknown;
}

/** One authorization question. */
export interface DecisionRequest {
  subject: AuthorizationSubject;
  /** `resource.action`, e.g. `document.update`. */
  action: string;
  /**
   * The resource; when absent, policies for the action's resource type (the part before the
   * first dot) are considered and their `resource.*` references are missing.
   */
  resource?: AuthorizationResource;
  /** Request facts conditions read as `context.<name>`: time, ip, mfa, authAgeSeconds, scopes… */
  context?: Readonly<Record<string, unknown>>;
  /** Also return every rule considered and why it matched or not (slower; for debugging/UI). */
  explain?: boolean;
}

/**
 * Why a decision came out as it did. `id` is the role's or policy's id; `key` the role's key;
 * `description` the deciding policy's own description, when it has one.
 */
export type DecisionReason =
  | { readonly kind: 'role'; readonly id: string; readonly key: string }
  | { readonly kind: 'policy'; readonly id: string; readonly description?: string }
  | { readonly kind: 'deny_policy'; readonly id: string; readonly description?: string }
  | {
      readonly kind: 'missing_attribute';
      readonly id: string;
      readonly effect: PolicyEffect;
      readonly description?: string;
    }
  | { readonly kind: 'no_rule' }
  /** A permission the subject holds directly (a machine credential's) grants it. */
  | { readonly kind: 'grant'; readonly permission: string }
  /**
   * A machine credential asked for an action its permissions do not cover: its scopes (or its
   * own permissions) bound what it may do, whatever roles or policies would allow.
   */
  | { readonly kind: 'outside_grants' }
  /** An API key's own condition (e.g. its source CIDR) is not met by this use. */
  | { readonly kind: 'key_constraint' }
  /** An API key's owner may not do this (any more): a key never does more than its owner. */
  | { readonly kind: 'owner_not_allowed' }
  /** The tenant is suspended: nothing is allowed in it. */
  | { readonly kind: 'tenant_suspended' }
  /**
   * A policy decided (allowing, or denying: `effect`), and the member asking may not read the
   * tenant's policies, so which one and why is not said (`disclosure: 'caller'`).
   */
  | { readonly kind: 'undisclosed_policy'; readonly effect: PolicyEffect };

/** One rule considered, when `explain: true`. */
export interface ExplanationEntry {
  rule: `role:${string}` | `policy:${string}` | `grant:${string}`;
  effect: PolicyEffect;
  matched: boolean;
  why: string;
  /** The policy's description, when it has one. */
  description?: string;
}

/** The answer. Results without `explain` are shared frozen objects: do not mutate them. */
export interface Decision {
  readonly allowed: boolean;
  readonly reason: DecisionReason;
  readonly explanation?: ExplanationEntry[];
}

/** A policy, compiled once per authorizer; `decide` and the filter both read it. */
export interface CompiledPolicy {
  readonly definition: PolicyDefinition;
  readonly test: CompiledCondition | undefined;
  readonly refs: readonly string[];
  readonly matched: Decision;
  readonly unknown: Decision;
}

/** A role, compiled: the decision it grants, frozen once. */
export interface CompiledRole {
  readonly role: AuthorizerRole;
  readonly granted: Decision;
}

/** Everything that applies to one action, computed once per distinct action. */
export interface ActionRules {
  /** role key → the first role (in input order) with that key granting the action. */
  readonly grantingRoles: ReadonlyMap<string, CompiledRole>;
  readonly allow: readonly CompiledPolicy[];
  readonly deny: readonly CompiledPolicy[];
  /** The resource type assumed when a request names no resource. */
  readonly impliedType: string;
  /** The action these rules decide. */
  readonly action: string;
}
