import { isPortcullisClientError } from '@portcullis/client';
import {
  type ChangeEvent,
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from 'react';
import { usePermissionCatalog } from '../../hooks/use-roles.js';
import { ErrorMessage } from '../shared/error-message.js';
import { isCovered, isPermissionPattern, permissionCovers } from './permission-patterns.js';

/** Visible texts of {@link PermissionEditor}. */
export interface PermissionEditorLabels {
  legend: ReactNode;
  everything: ReactNode;
  allOf(resource: string): ReactNode;
  other: ReactNode;
  addField: ReactNode;
  addButton: ReactNode;
  loading: ReactNode;
  notHeld: string;
}

const DEFAULT_LABELS: PermissionEditorLabels = {
  legend: 'Permissions',
  everything: 'Everything',
  allOf: (resource) => `all ${resource} actions`,
  other: 'Other permissions',
  addField: 'Add a permission',
  addButton: 'Add',
  loading: 'Loading permissions…',
  notHeld: 'You do not hold this permission, so you cannot grant it.',
};

/** Props of {@link PermissionEditor} and {@link usePermissionEditor}. */
export interface PermissionEditorProps {
  /** The permissions chosen: `resource.action`, `resource.*` or `*` (controlled). */
  value: readonly string[];
  onChange(next: string[]): void;
  /**
   * What the user may grant (their own permissions, see `useGrantablePermissions`): anything it
   * does not cover is shown disabled. Default: no limit (the server decides).
   */
  grantable?: readonly string[] | undefined;
  disabled?: boolean;
  /**
   * A failed save: its issues naming `field` (`permissions.2`) show inside the editor and mark
   * that permission's checkbox invalid.
   */
  error?: unknown;
  /** The body field the value is sent as (default `permissions`; a policy's is `actions`). */
  field?: string;
  /** Offer `*` (default true). */
  allowEverything?: boolean;
  /**
   * Offer a text field for permissions the catalog does not list (default: when the install
   * configured no catalog, so its own permissions are not listed).
   */
  allowCustom?: boolean;
  labels?: Partial<PermissionEditorLabels>;
  className?: string;
}

/** One checkbox of the editor. */
export interface PermissionOption {
  permission: string;
  /** What follows the resource (`read`), or `*`. */
  action: string;
  /** In the value, or covered by a wildcard in it. */
  checked: boolean;
  /** Covered by a wider wildcard in the value (shown checked and disabled). */
  covered: boolean;
  /** Not grantable by this user (and not already chosen). */
  notHeld: boolean;
  /** Named by the last failed save's issues. */
  invalid: boolean;
  disabled: boolean;
  toggle(): void;
  /** Props for the `<input type="checkbox">`. */
  inputProps: {
    id: string;
    type: 'checkbox';
    checked: boolean;
    disabled: boolean;
    onChange(event: ChangeEvent<HTMLInputElement>): void;
    'aria-invalid': true | undefined;
    'aria-describedby': string | undefined;
  };
}

/** One resource of the catalog: its `resource.*` toggle and an option per action. */
export interface PermissionGroup {
  resource: string;
  /** The `resource.*` toggle; `indeterminate` when some of its actions are chosen one by one. */
  wildcard: PermissionOption & { indeterminate: boolean };
  actions: PermissionOption[];
}

/** What {@link usePermissionEditor} returns. */
export interface PermissionEditorState {
  isLoading: boolean;
  /** The catalog could not be read. */
  catalogError: unknown;
  /** The `*` option (null when not offered). */
  everything: PermissionOption | null;
  groups: PermissionGroup[];
  /** Chosen permissions the catalog does not list. */
  others: PermissionOption[];
  /** The field for adding a permission by name (null when not offered). */
  custom: {
    inputProps: {
      id: string;
      value: string;
      disabled: boolean;
      onChange(event: ChangeEvent<HTMLInputElement>): void;
      onKeyDown(event: KeyboardEvent<HTMLInputElement>): void;
      'aria-invalid': true | undefined;
      'aria-describedby': string | undefined;
    };
    /** Adds the typed permission; false (and `problem` set) when it is not one. */
    add(): boolean;
    problem: string | undefined;
    problemId: string;
  } | null;
  /** The messages of the failed save's issues naming the field, e.g. `document.publish: …`. */
  issues: string[];
  ids: { legend: string; issues: string };
  labels: PermissionEditorLabels;
}

/**
 * The headless permission editor: the catalog (`GET /permissions`) grouped by resource, an option
 * per `resource.action`, a `resource.*` toggle per group and `*`, for a controlled value.
 * Choosing a wildcard drops the permissions it covers; what the user may not grant is disabled.
 */
export function usePermissionEditor(props: PermissionEditorProps): PermissionEditorState {
  const { value, onChange, grantable, error } = props;
  const field = props.field ?? 'permissions';
  const labels = useMemo(() => ({ ...DEFAULT_LABELS, ...props.labels }), [props.labels]);
  const catalog = usePermissionCatalog();
  const baseId = useId();
  const issuesId = `${baseId}-issues`;
  const [customText, setCustomText] = useState('');
  const [customProblem, setCustomProblem] = useState<string | undefined>(undefined);

  const latest = useRef(value);
  latest.current = value;
  const set = useCallback((next: string[]) => onChange([...new Set(next)]), [onChange]);

  const { issues, invalidPermissions } = useMemo(() => issuesOf(error, field, value), [error, field, value]);

  return useMemo(() => {
    const chosen = value;
    const disabledAll = props.disabled === true;
    const option = (permission: string, action: string, extra: { coveredBy?: readonly string[] } = {}) => {
      const inValue = chosen.includes(permission);
      const wider = (extra.coveredBy ?? chosen).filter((p) => p !== permission);
      const covered = !inValue && isCovered(wider, permission);
      const notHeld = !inValue && grantable !== undefined && !isCovered(grantable, permission);
      const invalid = invalidPermissions.has(permission);
      const disabled = disabledAll || covered || notHeld;
      const toggle = () => {
        if (disabled) return;
        const current = latest.current;
        if (current.includes(permission)) set(current.filter((p) => p !== permission));
        // a wildcard replaces what it covers: the value says the same with fewer words
        else set([...current.filter((p) => !permissionCovers(permission, p)), permission]);
      };
      const describedBy = [invalid ? issuesId : null].filter(Boolean).join(' ') || undefined;
      return {
        permission,
        action,
        checked: inValue || covered,
        covered,
        notHeld,
        invalid,
        disabled,
        toggle,
        inputProps: {
          id: `${baseId}-${permission}`,
          type: 'checkbox' as const,
          checked: inValue || covered,
          disabled,
          onChange: toggle,
          'aria-invalid': invalid ? (true as const) : undefined,
          'aria-describedby': describedBy,
        },
      };
    };

    const resources = catalog.data?.resources ?? [];
    const listed = new Set<string>();
    const groups: PermissionGroup[] = resources.map(({ resource, actions }) => {
      const all = `${resource}.*`;
      listed.add(all);
      const actionOptions = actions.map((action) => {
        listed.add(`${resource}.${action}`);
        return option(`${resource}.${action}`, action);
      });
      const some = actionOptions.some((o) => chosen.includes(o.permission));
      const wildcard = option(all, '*');
      return {
        resource,
        wildcard: { ...wildcard, indeterminate: !wildcard.checked && some },
        actions: actionOptions,
      };
    });
    const offerEverything = props.allowEverything !== false;
    const everything = offerEverything ? option('*', '*', { coveredBy: [] }) : null;
    // until the catalog is known every permission would look unlisted
    const others = (catalog.data ? chosen : [])
      .filter((permission) => permission !== '*' && !listed.has(permission))
      .map((permission) => {
        const dot = permission.indexOf('.');
        return option(permission, dot < 0 ? permission : permission.slice(dot + 1));
      });

    const allowCustom = props.allowCustom ?? (catalog.data ? !catalog.data.enforced : false);
    const customId = `${baseId}-custom`;
    const customProblemId = `${baseId}-custom-problem`;
    const add = () => {
      const text = customText.trim();
      if (!isPermissionPattern(text)) {
        setCustomProblem('A permission is "resource.action", "resource.*" or "*".');
        return false;
      }
      if (grantable !== undefined && !isCovered(grantable, text)) {
        setCustomProblem(labels.notHeld);
        return false;
      }
      setCustomProblem(undefined);
      setCustomText('');
      const current = latest.current;
      if (!isCovered(current, text)) set([...current.filter((p) => !permissionCovers(text, p)), text]);
      return true;
    };
    const custom = allowCustom
      ? {
          inputProps: {
            id: customId,
            value: customText,
            disabled: disabledAll,
            onChange: (event: ChangeEvent<HTMLInputElement>) => {
              setCustomText(event.target.value);
              setCustomProblem(undefined);
            },
            // Enter adds the permission instead of submitting the form around the editor
            onKeyDown: (event: KeyboardEvent<HTMLInputElement>) => {
              if (event.key === 'Enter') {
                event.preventDefault();
                add();
              }
            },
            'aria-invalid': customProblem ? (true as const) : undefined,
            'aria-describedby': customProblem ? customProblemId : undefined,
          },
          add,
          problem: customProblem,
          problemId: customProblemId,
        }
      : null;

    return {
      isLoading: catalog.isLoading,
      catalogError: catalog.error,
      everything,
      groups,
      others,
      custom,
      issues,
      ids: { legend: `${baseId}-legend`, issues: issuesId },
      labels,
    };
  }, [
    value,
    props.disabled,
    props.allowEverything,
    props.allowCustom,
    grantable,
    invalidPermissions,
    issues,
    catalog.data,
    catalog.isLoading,
    catalog.error,
    customText,
    customProblem,
    baseId,
    issuesId,
    set,
    labels,
  ]);
}

/** The issues of a failed save that name `field`, and the permissions they name. */
function issuesOf(error: unknown, field: string, value: readonly string[]) {
  const issues: string[] = [];
  const invalidPermissions = new Set<string>();
  if (!isPortcullisClientError(error) || !error.issues) return { issues, invalidPermissions };
  for (const issue of error.issues) {
    if (issue.path !== field && !issue.path.startsWith(`${field}.`)) continue;
    const index = Number(issue.path.slice(field.length + 1).split('.')[0]);
    const permission = Number.isInteger(index) && issue.path !== field ? value[index] : undefined;
    if (permission !== undefined) invalidPermissions.add(permission);
    issues.push(permission !== undefined ? `${permission}: ${issue.message}` : capitalize(issue.message));
  }
  return { issues, invalidPermissions };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Chooses permissions from the install's catalog: a checkbox per `resource.action`, grouped by
 * resource, with a `resource.*` toggle per group and `*` for everything. Controlled: pass
 * `value` and `onChange`. What the user cannot grant (`grantable`) is disabled.
 *
 * @example
 * const [permissions, setPermissions] = useState<string[]>([]);
 * const { permissions: mine } = useGrantablePermissions();
 * <PermissionEditor value={permissions} onChange={setPermissions} grantable={mine} />
 */
export function PermissionEditor(props: PermissionEditorProps) {
  const editor = usePermissionEditor(props);
  const { labels } = editor;
  return (
    <fieldset
      className={props.className ?? 'pc-permission-editor'}
      aria-describedby={editor.issues.length > 0 ? editor.ids.issues : undefined}
    >
      <legend id={editor.ids.legend} className="pc-label">
        {labels.legend}
      </legend>
      {editor.isLoading ? <p className="pc-hint">{labels.loading}</p> : null}
      <ErrorMessage error={editor.catalogError} />
      {editor.everything ? (
        <div className="pc-permission-everything">
          <OptionCheckbox option={editor.everything} labels={labels}>
            <code>*</code> {labels.everything}
          </OptionCheckbox>
        </div>
      ) : null}
      <div className="pc-permission-groups">
        {editor.groups.map((group) => (
          <fieldset key={group.resource} className="pc-permission-group">
            <legend className="pc-permission-resource">{group.resource}</legend>
            <OptionCheckbox
              option={group.wildcard}
              labels={labels}
              indeterminate={group.wildcard.indeterminate}
            >
              <code>{group.wildcard.permission}</code>{' '}
              <span className="pc-hint">{labels.allOf(group.resource)}</span>
            </OptionCheckbox>
            {group.actions.map((option) => (
              <OptionCheckbox key={option.permission} option={option} labels={labels}>
                <code>{option.permission}</code>
              </OptionCheckbox>
            ))}
          </fieldset>
        ))}
        {editor.others.length > 0 ? (
          <fieldset className="pc-permission-group">
            <legend className="pc-permission-resource">{labels.other}</legend>
            {editor.others.map((option) => (
              <OptionCheckbox key={option.permission} option={option} labels={labels}>
                <code>{option.permission}</code>
              </OptionCheckbox>
            ))}
          </fieldset>
        ) : null}
      </div>
      {editor.custom ? (
        <div className="pc-permission-custom">
          <label className="pc-label" htmlFor={editor.custom.inputProps.id}>
            {labels.addField}
          </label>
          <div className="pc-permission-custom-row">
            <input
              className="pc-input"
              placeholder="document.read"
              autoComplete="off"
              spellCheck={false}
              {...editor.custom.inputProps}
            />
            <button
              type="button"
              className="pc-button"
              disabled={editor.custom.inputProps.disabled}
              onClick={() => editor.custom?.add()}
            >
              {labels.addButton}
            </button>
          </div>
          {editor.custom.problem ? (
            <p role="alert" id={editor.custom.problemId} className="pc-error">
              {editor.custom.problem}
            </p>
          ) : null}
        </div>
      ) : null}
      {editor.issues.length > 0 ? (
        <div role="alert" id={editor.ids.issues} className="pc-error">
          {editor.issues.map((issue) => (
            <p key={issue} className="pc-error">
              {issue}
            </p>
          ))}
        </div>
      ) : null}
    </fieldset>
  );
}

function OptionCheckbox({
  option,
  labels,
  indeterminate = false,
  children,
}: {
  option: PermissionOption;
  labels: PermissionEditorLabels;
  indeterminate?: boolean;
  children: ReactNode;
}) {
  const ref = useRef<HTMLInputElement>(null);
  // indeterminate is a DOM property only: the mixed state of a group toggle (WAI-ARIA APG checkbox)
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate;
  }, [indeterminate]);
  return (
    <label
      className="pc-permission-option"
      htmlFor={option.inputProps.id}
      title={option.notHeld ? labels.notHeld : undefined}
    >
      <input ref={ref} {...option.inputProps} />
      <span>{children}</span>
      {option.notHeld ? <span className="pc-visually-hidden"> ({labels.notHeld})</span> : null}
    </label>
  );
}
