/**
 * The authorization model the three engines are compared on, generated deterministically, and its
 * translation into each engine: Portcullis authorizers (one per tenant), CASL abilities (one per
 * member of a tenant) and casbin enforcers (one for all tenants, RBAC with domains).
 *
 * Every tenant has 10 roles: `admin` (`*`), `member` (50 permissions, never `document.update` or
 * `document.delete`) and `r2`…`r9` (50 permissions each: 4 resource wildcards `<type>.*` and 46
 * exact permissions) over a catalog of 25 resource types × 8 actions. Each tenant has 20 members:
 * the first is `admin`, every other one `member` plus 0–2 of `r2`…`r9`. A tenant's data depends
 * only on its index, so the 10-tenant model is the first 10 tenants of the 1,000-tenant one.
 *
 * The ownership rule (case 2): a subject holding `member` may update and delete documents whose
 * `ownerId` is its id; a role granting `document.update` / `document.delete` (admin's `*`, or a
 * custom role's `document.*` or exact permission) grants it on any document.
 */
import { subject as caslSubject, createMongoAbility } from '@casl/ability';
import { createAuthorizer } from '@portcullis/core/authorization';
import { newEnforcer, newModelFromString } from 'casbin';

export const RESOURCE_TYPES = [
  'document',
  ...Array.from({ length: 24 }, (_, i) => `res${String(i + 1).padStart(2, '0')}`),
];
export const ACTIONS = ['read', 'create', 'update', 'delete', 'list', 'share', 'export', 'archive'];
export const ROLES_PER_TENANT = 10;
export const PERMISSIONS_PER_ROLE = 50;
export const MEMBERS_PER_TENANT = 20;
const WILDCARDS_PER_CUSTOM_ROLE = 4;
const ALL_PERMISSIONS = RESOURCE_TYPES.flatMap((t) => ACTIONS.map((a) => `${t}.${a}`));
const OWNED_ACTIONS = ['update', 'delete'];

/** mulberry32: a small deterministic PRNG. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (random, list) => list[Math.floor(random() * list.length)];

function sample(random, list, count) {
  const copy = list.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}

/**
 * Tenant `index`: its roles (key → permissions) and its members ({ id, roles }).
 * @returns {{ id: string, roles: { key: string, permissions: string[] }[], members: { id: string, roles: string[] }[] }}
 */
export function generateTenant(index) {
  const random = prng(0x9e3779b9 ^ (index * 2654435761));
  const id = `t${index}`;
  const memberPool = ALL_PERMISSIONS.filter((p) => p !== 'document.update' && p !== 'document.delete');
  const roles = [
    { key: 'admin', permissions: ['*'] },
    { key: 'member', permissions: sample(random, memberPool, PERMISSIONS_PER_ROLE) },
  ];
  for (let r = 2; r < ROLES_PER_TENANT; r++) {
    const wildcards = sample(random, RESOURCE_TYPES, WILDCARDS_PER_CUSTOM_ROLE).map((t) => `${t}.*`);
    const exact = sample(random, ALL_PERMISSIONS, PERMISSIONS_PER_ROLE - WILDCARDS_PER_CUSTOM_ROLE);
    roles.push({ key: `r${r}`, permissions: [...wildcards, ...exact] });
  }
  const custom = roles.slice(2).map((r) => r.key);
  const members = [];
  for (let m = 0; m < MEMBERS_PER_TENANT; m++) {
    const memberRoles = m === 0 ? ['admin'] : ['member', ...sample(random, custom, Math.floor(random() * 3))];
    members.push({ id: `u${index}-${m}`, roles: memberRoles });
  }
  return { id, roles, members };
}

export function generateTenants(count) {
  return Array.from({ length: count }, (_, i) => generateTenant(i));
}

// ---------------------------------------------------------------------------------------------
// the reference: a plain evaluation of the rules above, which every engine must agree with

const covers = (granted, required) =>
  granted === '*' ||
  granted === required ||
  (granted.endsWith('.*') && required.startsWith(granted.slice(0, -1)));

export function referenceDecision(tenant, member, action, resource, withOwnership) {
  for (const key of member.roles) {
    const role = tenant.roles.find((r) => r.key === key);
    if (role.permissions.some((p) => covers(p, action))) return true;
  }
  if (!withOwnership) return false;
  const [type, verb] = action.split('.');
  return (
    type === 'document' &&
    OWNED_ACTIONS.includes(verb) &&
    member.roles.includes('member') &&
    resource !== undefined &&
    resource.ownerId === member.id
  );
}

// ---------------------------------------------------------------------------------------------
// requests: generated once in a neutral form, then translated into each engine's call arguments

/**
 * Case 1 (RBAC only): a random member of a random tenant asks for a random `type.action` of the
 * catalog. Case 2 (ownership): `document.update`, `document.delete` or `document.read` on a
 * document owned by the subject (half the time) or by another member of the tenant.
 */
export function generateRequests(tenants, count, { ownership, seed }) {
  const random = prng(seed);
  const requests = new Array(count);
  for (let i = 0; i < count; i++) {
    const tenant = pick(random, tenants);
    const member = pick(random, tenant.members);
    if (!ownership) {
      const action = pick(random, ALL_PERMISSIONS);
      requests[i] = {
        tenant,
        member,
        action,
        type: action.slice(0, action.indexOf('.')),
        resource: undefined,
      };
    } else {
      const verb = pick(random, ['update', 'delete', 'read']);
      const owner = random() < 0.5 ? member : pick(random, tenant.members);
      const resource = { id: `d${i}`, ownerId: owner.id };
      requests[i] = { tenant, member, action: `document.${verb}`, type: 'document', resource };
    }
    requests[i].expected = referenceDecision(
      tenant,
      member,
      requests[i].action,
      requests[i].resource,
      ownership,
    );
  }
  return requests;
}

// ---------------------------------------------------------------------------------------------
// Portcullis: one compiled authorizer per tenant, built once

export const OWNERSHIP_POLICY = Object.freeze({
  id: 'own-documents',
  tenantId: null,
  effect: 'allow',
  actions: ['document.update', 'document.delete'],
  resource: 'document',
  condition: {
    and: [
      { contains: [{ ref: 'subject.roles' }, 'member'] },
      { eq: [{ ref: 'resource.ownerId' }, { ref: 'subject.id' }] },
    ],
  },
  description: 'Members may update and delete their own documents',
});

/** tenantId → Authorizer */
export function buildPortcullis(tenants, { ownership }) {
  const authorizers = new Map();
  for (const tenant of tenants) {
    authorizers.set(
      tenant.id,
      createAuthorizer({
        tenantId: tenant.id,
        roles: tenant.roles.map((r) => ({
          id: `${tenant.id}:${r.key}`,
          tenantId: tenant.id,
          key: r.key,
          permissions: r.permissions,
        })),
        policies: ownership ? [OWNERSHIP_POLICY] : [],
      }),
    );
  }
  return authorizers;
}

/** One subject object per membership, as a membership cache would hold it. */
export function portcullisSubjects(tenants) {
  const subjects = new Map();
  for (const tenant of tenants)
    for (const m of tenant.members) subjects.set(`${tenant.id}:${m.id}`, { id: m.id, roles: m.roles });
  return subjects;
}

/** [{ tenantId, request }] with the request object built in advance (the app builds it per call). */
export function portcullisCalls(requests, subjects) {
  return requests.map((r) => {
    const subject = subjects.get(`${r.tenant.id}:${r.member.id}`);
    const request = r.resource
      ? { subject, action: r.action, resource: { type: r.type, ...r.resource } }
      : { subject, action: r.action };
    return { tenantId: r.tenant.id, request };
  });
}

// ---------------------------------------------------------------------------------------------
// CASL: one Ability per member of a tenant (its roles' rules in that tenant), built once

/** The CASL rules of one membership. `*` → manage all; `type.*` → manage type; `type.action` → action type. */
export function caslRules(tenant, member, ownership) {
  const rules = [];
  for (const key of member.roles) {
    const role = tenant.roles.find((r) => r.key === key);
    for (const p of role.permissions) {
      if (p === '*') rules.push({ action: 'manage', subject: 'all' });
      else {
        const dot = p.indexOf('.');
        const type = p.slice(0, dot);
        const verb = p.slice(dot + 1);
        rules.push({ action: verb === '*' ? 'manage' : verb, subject: type });
      }
    }
  }
  if (ownership && member.roles.includes('member'))
    rules.push({ action: OWNED_ACTIONS, subject: 'document', conditions: { ownerId: member.id } });
  return rules;
}

/** `${tenantId}:${userId}` → Ability */
export function buildCasl(tenants, { ownership }) {
  const abilities = new Map();
  for (const tenant of tenants)
    for (const m of tenant.members)
      abilities.set(`${tenant.id}:${m.id}`, createMongoAbility(caslRules(tenant, m, ownership)));
  return abilities;
}

/** [{ key, action, type | doc }] ; `doc` is a plain object passed through `subject('document', doc)` per call. */
export function caslCalls(requests) {
  return requests.map((r) => ({
    key: `${r.tenant.id}:${r.member.id}`,
    action: r.action.slice(r.action.indexOf('.') + 1),
    type: r.type,
    doc: r.resource ? { ...r.resource } : undefined,
  }));
}

export { caslSubject };

// ---------------------------------------------------------------------------------------------
// casbin: ONE enforcer holding every tenant's policies, RBAC with domains

// casbin's documented rbac_with_domains matcher is `g(r.sub, p.sub, r.dom) && r.dom == p.dom &&
// r.obj == p.obj && r.act == p.act`. The domain test is moved first: it rejects the lines of other
// tenants before the role lookup, which made enforce about 1.8× faster here. keyMatch gives `*`.
const RBAC_MODEL = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.dom == p.dom && g(r.sub, p.sub, r.dom) && keyMatch(r.obj, p.obj) && keyMatch(r.act, p.act)
`;

// ABAC: the request object is { type, ownerId }; the ownership clause reads its attributes
const ABAC_MODEL = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.dom == p.dom && g(r.sub, p.sub, r.dom) && keyMatch(r.obj.type, p.obj) && keyMatch(r.act, p.act) || r.obj.type == "document" && (r.act == "update" || r.act == "delete") && r.obj.ownerId == r.sub && g(r.sub, "member", r.dom)
`;

/** casbin policy lines for a tenant: `p, role, tenant, type|*, action|*` and `g, user, role, tenant`. */
export function casbinLines(tenant) {
  const p = [];
  for (const role of tenant.roles) {
    for (const perm of role.permissions) {
      if (perm === '*') p.push([role.key, tenant.id, '*', '*']);
      else {
        const dot = perm.indexOf('.');
        p.push([role.key, tenant.id, perm.slice(0, dot), perm.slice(dot + 1)]);
      }
    }
  }
  const g = [];
  for (const m of tenant.members) for (const key of m.roles) g.push([m.id, key, tenant.id]);
  return { p, g };
}

/**
 * Loads the policy lines as a storage adapter does (casbin's `Helper.loadPolicyLine` pushes each
 * parsed line onto the model; this one skips the CSV parsing). `enforcer.addPolicies` is not used
 * for loading: it checks each new line against every existing one (`hasPolicy` is a linear scan),
 * which took 90 s for the second batch of 200 tenants.
 */
class ArrayAdapter {
  constructor(tenants) {
    this.tenants = tenants;
    this.policyLines = 0;
    this.groupingLines = 0;
  }
  async loadPolicy(model) {
    const p = model.model.get('p').get('p').policy;
    const g = model.model.get('g').get('g').policy;
    for (const tenant of this.tenants) {
      const lines = casbinLines(tenant);
      for (const line of lines.p) p.push(line);
      for (const line of lines.g) g.push(line);
      this.policyLines += lines.p.length;
      this.groupingLines += lines.g.length;
    }
  }
  async savePolicy() {
    return false;
  }
  async addPolicy() {}
  async removePolicy() {}
  async removeFilteredPolicy() {}
}

export async function buildCasbin(tenants, { ownership }) {
  const adapter = new ArrayAdapter(tenants);
  // newEnforcer loads the policy through the adapter and builds the role links
  const enforcer = await newEnforcer(newModelFromString(ownership ? ABAC_MODEL : RBAC_MODEL), adapter);
  return { enforcer, policyLines: adapter.policyLines, groupingLines: adapter.groupingLines };
}

/** [sub, dom, obj, act] for enforceSync. */
export function casbinCalls(requests) {
  return requests.map((r) => {
    const verb = r.action.slice(r.action.indexOf('.') + 1);
    return r.resource
      ? [r.member.id, r.tenant.id, { type: r.type, ownerId: r.resource.ownerId }, verb]
      : [r.member.id, r.tenant.id, r.type, verb];
  });
}
