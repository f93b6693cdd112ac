import { isPortcullisClientError, type Policy, type WrittenPolicy } from '@portcullis/client';
import { type FormEvent, type ReactNode, useId, useMemo, useState } from 'react';
import { usePermissionCatalog, usePolicies } from '../../hooks/use-roles.js';
import { ConfirmButton } from '../shared/confirm-button.js';
import { ErrorMessage, fieldErrorText } from '../shared/error-message.js';
import { useAsyncAction } from '../shared/use-async-action.js';
import { FieldError } from './field-error.js';
import { GatedCard } from './gated-card.js';
import { parseJsonSource, type SourcePosition } from './json-source.js';
import { PermissionEditor } from './permission-editor.js';
import { PermissionList } from './permission-list.js';
import { useGrantablePermissions } from './use-grantable-permissions.js';

/** Visible texts of {@link PolicyEditor}. */
export interface PolicyEditorLabels {
  heading: ReactNode;
  empty: ReactNode;
  newPolicy: ReactNode;
  editPolicy: ReactNode;
  effect: ReactNode;
  allow: string;
  deny: string;
  actions: ReactNode;
  resource: ReactNode;
  resourceHint: ReactNode;
  description: ReactNode;
  condition: ReactNode;
  conditionHint: ReactNode;
  create: ReactNode;
  save: ReactNode;
  cancel: ReactNode;
  edit: string;
  delete: ReactNode;
  deleteQuestion(policy: Policy): ReactNode;
  on: ReactNode;
  saved: ReactNode;
  warnings: ReactNode;
  loading: ReactNode;
  noAccess: ReactNode;
}

const DEFAULT_LABELS: PolicyEditorLabels = {
  heading: 'Policies',
  empty: 'No policies yet: roles alone decide.',
  newPolicy: 'New policy',
  editPolicy: 'Edit policy',
  effect: 'Effect',
  allow: 'Allow',
  deny: 'Deny',
  actions: 'Actions',
  resource: 'Resource',
  resourceHint: 'A resource type, or * for every type.',
  description: 'Description',
  condition: 'Condition',
  conditionHint:
    'Optional JSON, e.g. { "eq": [{ "ref": "resource.ownerId" }, { "ref": "subject.id" }] }. Operators: and, or, not, eq, ne, lt, lte, gt, gte, in, contains, startsWith, cidr.',
  create: 'Create policy',
  save: 'Save policy',
  cancel: 'Cancel',
  edit: 'Edit',
  delete: 'Delete',
  deleteQuestion: (policy) =>
    `Delete this ${policy.effect} policy${policy.description ? ` ("${policy.description}")` : ''}?`,
  on: 'on',
  saved: 'Policy saved.',
  warnings: 'Saved, but check these references:',
  loading: 'Loading policies…',
  noAccess: 'You do not have permission to manage the policies of this organization.',
};

/** Props of {@link PolicyEditor} and {@link usePolicyEditor}. */
export interface PolicyEditorProps {
  /** Default: the active tenant. */
  tenantId?: string;
  onSaved?(policy: WrittenPolicy): void;
  onDeleted?(policy: Policy): void;
  labels?: Partial<PolicyEditorLabels>;
  className?: string;
}

/** One complaint about the condition: its words and, when known, where in the text. */
export interface ConditionProblem {
  message: string;
  /** Where it is in the textarea's text (a syntax error, or the value a server issue names). */
  position: SourcePosition | undefined;
  /** The server's path inside the condition (`and.1.eq`), for server issues. */
  path: string | undefined;
}

/** What {@link usePolicyEditor} returns. */
export interface PolicyEditorState {
  tenantId: string | null;
  policies: Policy[];
  isLoading: boolean;
  /** The list could not be read. */
  error: unknown;
  /** Resource types to suggest: the catalog's, and `*`. */
  resourceSuggestions: string[];
  /** What the user may allow (their roles' permissions), when known; deny policies take anything. */
  grantable: string[] | undefined;
  form: {
    /** The policy being replaced, or null when creating. */
    editing: Policy | null;
    effect: 'allow' | 'deny';
    actions: string[];
    resource: string;
    description: string;
    /** The condition as typed (JSON). */
    condition: string;
    setEffect(effect: 'allow' | 'deny'): void;
    setActions(actions: string[]): void;
    setResource(resource: string): void;
    setDescription(description: string): void;
    setCondition(condition: string): void;
    /** Shows the condition's syntax error, if any, before submitting (on blur). */
    checkCondition(): void;
    /** The condition's syntax error (once checked), else the server's issues about it. */
    conditionProblems: ConditionProblem[];
    submit(event?: FormEvent): Promise<WrittenPolicy | undefined>;
    /** Back to an empty "New policy" form. */
    reset(): void;
    isPending: boolean;
    /** The last save's error. */
    error: unknown;
    fieldError(field: 'effect' | 'resource' | 'description'): string | undefined;
    /** The error when no field shows it (beside the submit button). */
    formError: unknown;
    /** After a save: references the server says nothing provides (`context.weekday`). */
    warnings: ConditionProblem[];
    saved: boolean;
    ids: Record<
      'effect' | 'resource' | 'resourceList' | 'resourceHint' | 'description' | 'condition' | 'conditionHint',
      string
    > &
      Record<
        'effectError' | 'resourceError' | 'descriptionError' | 'conditionError' | 'formError' | 'heading',
        string
      >;
  };
  startEditing(policy: Policy): void;
  /** Deletes a policy (rejects with the server's error). */
  remove(policy: Policy): Promise<void>;
  labels: PolicyEditorLabels;
}

/** Thrown before sending when the condition is not JSON: the problem is already on screen. */
class ConditionSyntaxError extends Error {}

/**
 * The headless policy editor: a tenant's ABAC policies, and one form that creates a policy or
 * replaces the one being edited. The condition is typed as JSON and parsed here first (a
 * syntax error is shown with its line and column, and nothing is sent); the server's
 * `invalid_policy` issues come back next to the field they name, condition issues with the
 * line of the value they name.
 */
export function usePolicyEditor(props: PolicyEditorProps = {}): PolicyEditorState {
  const labels = useMemo(() => ({ ...DEFAULT_LABELS, ...props.labels }), [props.labels]);
  const policiesResult = usePolicies(props.tenantId);
  const catalog = usePermissionCatalog();
  const { permissions: grantable } = useGrantablePermissions(props.tenantId);
  const id = useId();

  const [editing, setEditing] = useState<Policy | null>(null);
  const [effect, setEffect] = useState<'allow' | 'deny'>('allow');
  const [actions, setActions] = useState<string[]>([]);
  const [resource, setResource] = useState('*');
  const [description, setDescription] = useState('');
  const [condition, setConditionText] = useState('');
  const [conditionChecked, setConditionChecked] = useState(false);
  const [warnings, setWarnings] = useState<ConditionProblem[]>([]);
  const [saved, setSaved] = useState(false);
  // the text the last save sent: server issues point into it, not into later edits
  const [sentCondition, setSentCondition] = useState('');

  const syntax = useMemo(() => (condition.trim() === '' ? null : parseJsonSource(condition)), [condition]);

  const save = useAsyncAction(async () => {
    setConditionChecked(true);
    if (syntax && !syntax.ok) throw new ConditionSyntaxError(syntax.message);
    const body = {
      effect,
      actions,
      resource: resource.trim(),
      ...(syntax?.ok ? { condition: syntax.value } : {}),
      ...(description.trim() ? { description: description.trim() } : {}),
    };
    setSentCondition(condition);
    setSaved(false);
    setWarnings([]);
    const written = (
      editing ? await policiesResult.replace(editing.id, body) : await policiesResult.create(body)
    ) as WrittenPolicy;
    const found = locateAll(written.warnings ?? [], condition);
    setWarnings(found);
    setSaved(true);
    // warnings usually mean a typo: keep the text on screen, now editing what was written
    if (found.length > 0) setEditing(written);
    else {
      setEditing(null);
      clear();
    }
    props.onSaved?.(written);
    return written;
  });

  function clear() {
    setEffect('allow');
    setActions([]);
    setResource('*');
    setDescription('');
    setConditionText('');
    setConditionChecked(false);
  }

  const error = save.error instanceof ConditionSyntaxError ? undefined : save.error;
  const conditionProblems: ConditionProblem[] = [];
  if (syntax && !syntax.ok && conditionChecked) {
    conditionProblems.push({ message: syntax.message, position: syntax.position, path: undefined });
  } else if (isPortcullisClientError(error) && error.issues) {
    const issues = error.issues.filter((i) => i.path === 'condition' || i.path.startsWith('condition.'));
    conditionProblems.push(...locateAll(issues, sentCondition));
  }

  const resourceSuggestions = ['*', ...(catalog.data?.resources.map((r) => r.resource) ?? [])];
  const fieldError = (field: string) => fieldErrorText(error, field);
  const namedFields = ['effect', 'resource', 'description'];
  const formError =
    isPortcullisClientError(error) &&
    error.issues?.some(
      (issue) =>
        namedFields.includes(issue.path) ||
        issue.path.startsWith('condition') ||
        issue.path.startsWith('actions'),
    )
      ? undefined
      : error;

  return {
    tenantId: policiesResult.tenantId,
    policies: policiesResult.policies,
    isLoading: policiesResult.isLoading,
    error: policiesResult.error,
    resourceSuggestions,
    grantable,
    form: {
      editing,
      effect,
      actions,
      resource,
      description,
      condition,
      setEffect,
      setActions,
      setResource,
      setDescription,
      setCondition(text) {
        setConditionText(text);
        setConditionChecked(false);
        setSaved(false);
      },
      checkCondition: () => setConditionChecked(true),
      conditionProblems,
      submit(event) {
        event?.preventDefault();
        return save.run();
      },
      reset() {
        setEditing(null);
        clear();
        save.reset();
        setWarnings([]);
        setSaved(false);
      },
      isPending: save.isPending,
      error,
      fieldError,
      formError,
      warnings,
      saved,
      ids: {
        heading: `${id}-heading`,
        effect: `${id}-effect`,
        effectError: `${id}-effect-error`,
        resource: `${id}-resource`,
        resourceList: `${id}-resource-list`,
        resourceHint: `${id}-resource-hint`,
        resourceError: `${id}-resource-error`,
        description: `${id}-description`,
        descriptionError: `${id}-description-error`,
        condition: `${id}-condition`,
        conditionHint: `${id}-condition-hint`,
        conditionError: `${id}-condition-error`,
        formError: `${id}-form-error`,
      },
    },
    startEditing(policy) {
      save.reset();
      setWarnings([]);
      setSaved(false);
      setEditing(policy);
      setEffect(policy.effect);
      setActions([...policy.actions]);
      setResource(policy.resource);
      setDescription(policy.description ?? '');
      setConditionText(policy.condition === undefined ? '' : JSON.stringify(policy.condition, null, 2));
      setConditionChecked(false);
    },
    async remove(policy) {
      await policiesResult.remove(policy.id);
      if (editing?.id === policy.id) {
        setEditing(null);
        clear();
      }
      props.onDeleted?.(policy);
    },
    labels,
  };
}

/** Server issues (or warnings) about the condition, each with where its value is in `text`. */
function locateAll(
  issues: ReadonlyArray<{ path: string; message: string }>,
  text: string,
): ConditionProblem[] {
  const source = text.trim() === '' ? null : parseJsonSource(text);
  return issues.map((issue) => {
    const path = issue.path === 'condition' ? '' : issue.path.replace(/^condition\./, '');
    return {
      message: issue.message,
      position: source?.ok ? source.locate(path) : undefined,
      path: issue.path.startsWith('condition') ? path : issue.path,
    };
  });
}

/** A condition for reading: on one line when short, indented when not. */
function conditionText(condition: unknown): string {
  const line = JSON.stringify(condition);
  return line.length <= 100 ? line : JSON.stringify(condition, null, 2);
}

/** "Line 3, column 9: …", or the message alone when the place is unknown. */
function describeProblem(problem: ConditionProblem): string {
  const message = problem.message.charAt(0).toUpperCase() + problem.message.slice(1);
  return problem.position
    ? `Line ${problem.position.line}, column ${problem.position.column}: ${message}`
    : message;
}

/**
 * A tenant's ABAC policies: the list (effect, actions, resource, description, condition), and a
 * form to create one or replace it (`effect`, `actions` with a {@link PermissionEditor},
 * `resource`, `description`, and the JSON `condition` checked as you type it). Needs
 * `policy.manage`; an allow policy may only allow what you hold.
 *
 * @example
 * <PolicyEditor onSaved={(policy) => policy.warnings.length && console.warn(policy.warnings)} />
 */
export function PolicyEditor(props: PolicyEditorProps) {
  const labels = { ...DEFAULT_LABELS, ...props.labels };
  return (
    <GatedCard
      action="policy.manage"
      tenantId={props.tenantId}
      heading={labels.heading}
      noAccess={labels.noAccess}
      loading={labels.loading}
      className={props.className ?? 'pc-card pc-policy-editor'}
    >
      <PolicyEditorBody {...props} />
    </GatedCard>
  );
}

function PolicyEditorBody(props: PolicyEditorProps) {
  const editor = usePolicyEditor(props);
  const { labels, form } = editor;
  const { ids } = form;
  const conditionDescribedBy = [
    ids.conditionHint,
    form.conditionProblems.length > 0 ? ids.conditionError : null,
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <>
      {editor.isLoading ? <p className="pc-hint">{labels.loading}</p> : null}
      <ErrorMessage error={editor.error} />
      {!editor.isLoading && editor.policies.length === 0 && !editor.error ? (
        <p className="pc-hint">{labels.empty}</p>
      ) : null}
      <ul className="pc-list pc-policy-list">
        {editor.policies.map((policy) => (
          <li key={policy.id} className="pc-policy">
            <div className="pc-policy-head">
              <span className={`pc-badge pc-admin-badge-${policy.effect}`}>
                {policy.effect === 'allow' ? labels.allow : labels.deny}
              </span>
              <PermissionList permissions={policy.actions} />
              <span className="pc-hint">{labels.on}</span> <code>{policy.resource}</code>
            </div>
            {policy.description ? <p className="pc-policy-description">{policy.description}</p> : null}
            {policy.condition !== undefined && policy.condition !== null ? (
              <pre className="pc-policy-condition">
                <code>{conditionText(policy.condition)}</code>
              </pre>
            ) : null}
            <div className="pc-admin-actions">
              <button
                type="button"
                className="pc-button"
                aria-label={`${labels.edit} ${policy.description ?? `${policy.effect} ${policy.actions.join(', ')}`}`}
                onClick={() => editor.startEditing(policy)}
              >
                {labels.edit}
              </button>
              <ConfirmButton question={labels.deleteQuestion(policy)} onConfirm={() => editor.remove(policy)}>
                {labels.delete}
              </ConfirmButton>
            </div>
          </li>
        ))}
      </ul>
      <form
        className="pc-form pc-policy-form"
        aria-labelledby={ids.heading}
        onSubmit={form.submit}
        noValidate
      >
        <h3 id={ids.heading} className="pc-admin-subtitle">
          {form.editing ? labels.editPolicy : labels.newPolicy}
        </h3>
        <div className="pc-field">
          <label className="pc-label" htmlFor={ids.effect}>
            {labels.effect}
          </label>
          <select
            id={ids.effect}
            className="pc-select"
            value={form.effect}
            aria-invalid={form.fieldError('effect') ? true : undefined}
            aria-describedby={form.fieldError('effect') ? ids.effectError : undefined}
            onChange={(event) => form.setEffect(event.target.value === 'deny' ? 'deny' : 'allow')}
          >
            <option value="allow">{labels.allow}</option>
            <option value="deny">{labels.deny}</option>
          </select>
          <FieldError id={ids.effectError} text={form.fieldError('effect')} />
        </div>
        <PermissionEditor
          value={form.actions}
          onChange={form.setActions}
          field="actions"
          error={form.error}
          grantable={form.effect === 'allow' ? editor.grantable : undefined}
          labels={{ legend: labels.actions }}
        />
        <div className="pc-field">
          <label className="pc-label" htmlFor={ids.resource}>
            {labels.resource}
          </label>
          <input
            id={ids.resource}
            className="pc-input"
            list={ids.resourceList}
            value={form.resource}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={form.fieldError('resource') ? true : undefined}
            aria-describedby={[ids.resourceHint, form.fieldError('resource') ? ids.resourceError : null]
              .filter(Boolean)
              .join(' ')}
            onChange={(event) => form.setResource(event.target.value)}
          />
          <datalist id={ids.resourceList}>
            {editor.resourceSuggestions.map((suggestion) => (
              <option key={suggestion} value={suggestion} />
            ))}
          </datalist>
          <p id={ids.resourceHint} className="pc-hint">
            {labels.resourceHint}
          </p>
          <FieldError id={ids.resourceError} text={form.fieldError('resource')} />
        </div>
        <div className="pc-field">
          <label className="pc-label" htmlFor={ids.description}>
            {labels.description}
          </label>
          <input
            id={ids.description}
            className="pc-input"
            value={form.description}
            maxLength={1000}
            aria-invalid={form.fieldError('description') ? true : undefined}
            aria-describedby={form.fieldError('description') ? ids.descriptionError : undefined}
            onChange={(event) => form.setDescription(event.target.value)}
          />
          <FieldError id={ids.descriptionError} text={form.fieldError('description')} />
        </div>
        <div className="pc-field">
          <label className="pc-label" htmlFor={ids.condition}>
            {labels.condition}
          </label>
          <textarea
            id={ids.condition}
            className="pc-textarea"
            value={form.condition}
            spellCheck={false}
            autoComplete="off"
            rows={8}
            aria-invalid={form.conditionProblems.length > 0 ? true : undefined}
            aria-describedby={conditionDescribedBy}
            onChange={(event) => form.setCondition(event.target.value)}
            onBlur={form.checkCondition}
          />
          <p id={ids.conditionHint} className="pc-hint">
            {labels.conditionHint}
          </p>
          {form.conditionProblems.length > 0 ? (
            <div role="alert" id={ids.conditionError} className="pc-error">
              {form.conditionProblems.map((problem) => (
                <p key={`${problem.path ?? ''}:${problem.message}`} className="pc-error">
                  {describeProblem(problem)}
                </p>
              ))}
            </div>
          ) : null}
          {form.warnings.length > 0 ? (
            <output className="pc-admin-warning">
              <span className="pc-admin-warning-title">{labels.warnings}</span>
              {form.warnings.map((warning) => (
                <span key={`${warning.path ?? ''}:${warning.message}`} className="pc-admin-warning-item">
                  {describeProblem(warning)}
                </span>
              ))}
            </output>
          ) : null}
        </div>
        <div className="pc-admin-actions">
          <button
            type="submit"
            className="pc-button pc-button-primary"
            disabled={form.isPending}
            aria-describedby={form.formError ? ids.formError : undefined}
          >
            {form.editing ? labels.save : labels.create}
          </button>
          {form.editing ? (
            <button type="button" className="pc-button" onClick={form.reset}>
              {labels.cancel}
            </button>
          ) : null}
        </div>
        <ErrorMessage error={form.formError} id={ids.formError} />
        {form.saved && form.warnings.length === 0 ? (
          <output className="pc-success">{labels.saved}</output>
        ) : null}
      </form>
    </>
  );
}
