// The grammar and coverage rule of permissions, as the server applies them (core's
// authorization/permissions.ts and policy-schema.ts): the editors check locally what the server
// would refuse, and show what a wildcard already grants.

const NAME = '[A-Za-z0-9_-]+';
const PATTERN = new RegExp(`^(\\*|${NAME}\\.(\\*|${NAME}(\\.${NAME})*))$`);

/** Whether `text` is a permission pattern: `document.read`, `document.*` or `*`. */
export function isPermissionPattern(text: string): boolean {
  return text.length <= 200 && PATTERN.test(text);
}

/** Whether a granted pattern covers the required one: `*` covers all, `doc.*` every action on `doc`. */
export function permissionCovers(granted: string, required: string): boolean {
  if (granted === '*' || granted === required) return true;
  if (granted.endsWith('.*')) return required.startsWith(granted.slice(0, -1));
  return false;
}

/** Whether any of `granted` covers `required`. */
export function isCovered(granted: readonly string[], required: string): boolean {
  return granted.some((pattern) => permissionCovers(pattern, required));
}
