import {
  type ApiKey,
  type CreateApiKeyResponse,
  isPortcullisClientError,
  type RotateApiKeyResponse,
} from '@portcullis/client';
import { type FormEvent, type ReactNode, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useApiKeys } from '../../hooks/use-api-keys.js';
import { ConfirmButton } from '../shared/confirm-button.js';
import { ErrorMessage, fieldErrorText } from '../shared/error-message.js';
import { LoadMoreButton } from '../shared/load-more-button.js';
import { useAsyncAction } from '../shared/use-async-action.js';
import { useOnUserChange } from '../shared/use-on-user-change.js';
import { FieldError } from './field-error.js';
import { GatedCard } from './gated-card.js';
import { PermissionEditor } from './permission-editor.js';
import { PermissionList } from './permission-list.js';
import { useGrantablePermissions } from './use-grantable-permissions.js';

const DAY = 86_400;

/** A choice of a select: its words and its number of seconds (`null`: none). */
export interface DurationChoice {
  label: string;
  seconds: number | null;
}

/** Default expiry choices of a new key (`null`: it does not expire, or the server's maximum). */
export const DEFAULT_EXPIRY_CHOICES: readonly DurationChoice[] = [
  { label: 'Never', seconds: null },
  { label: '7 days', seconds: 7 * DAY },
  { label: '30 days', seconds: 30 * DAY },
  { label: '90 days', seconds: 90 * DAY },
  { label: '1 year', seconds: 365 * DAY },
];

/** Default choices of how long a rotated key keeps working (`null`: the server's default). */
export const DEFAULT_OVERLAP_CHOICES: readonly DurationChoice[] = [
  { label: '24 hours', seconds: DAY },
  { label: '1 hour', seconds: 3600 },
  { label: '7 days', seconds: 7 * DAY },
  { label: 'Not at all: stop it now', seconds: 0 },
];

/** Visible texts of {@link ApiKeyManager}. */
export interface ApiKeyManagerLabels {
  heading: ReactNode;
  newKey: ReactNode;
  name: ReactNode;
  environment: ReactNode;
  owner: ReactNode;
  ownerUser: string;
  ownerTenant: string;
  expires: ReactNode;
  create: ReactNode;
  secretTitle(kind: 'created' | 'rotated', key: ApiKey): ReactNode;
  secretWarning: ReactNode;
  copy: ReactNode;
  copied: ReactNode;
  copyFailed: ReactNode;
  done: ReactNode;
  columns: {
    name: ReactNode;
    environment: ReactNode;
    key: ReactNode;
    permissions: ReactNode;
    lastUsed: ReactNode;
    status: ReactNode;
    actions: ReactNode;
  };
  never: ReactNode;
  empty: ReactNode;
  rotate: ReactNode;
  overlap: ReactNode;
  rotateQuestion(key: ApiKey): ReactNode;
  confirm: ReactNode;
  cancel: ReactNode;
  revoke: ReactNode;
  revokeQuestion(key: ApiKey): ReactNode;
  status(status: ApiKeyStatus): string;
  loadMore: ReactNode;
  loading: ReactNode;
  noAccess: ReactNode;
}

const formatDate = (iso: string) =>
  new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

const DEFAULT_LABELS: ApiKeyManagerLabels = {
  heading: 'API keys',
  newKey: 'New API key',
  name: 'Key name',
  environment: 'Environment',
  owner: 'Owned by',
  ownerUser: 'Me (never more than I may do)',
  ownerTenant: 'The organization',
  expires: 'Expires',
  create: 'Create API key',
  secretTitle: (kind, key) =>
    kind === 'created' ? `Your new key "${key.name}"` : `The new key replacing "${key.name}"`,
  secretWarning:
    'Copy it now and keep it somewhere safe: it is shown only this once, and cannot be shown again.',
  copy: 'Copy',
  copied: 'Copied to the clipboard.',
  copyFailed: 'Could not copy: select the key and copy it by hand.',
  done: 'Done',
  columns: {
    name: 'Name',
    environment: 'Environment',
    key: 'Key',
    permissions: 'Permissions',
    lastUsed: 'Last used',
    status: 'Status',
    actions: 'Actions',
  },
  never: 'Never',
  empty: 'No API keys yet.',
  rotate: 'Rotate',
  overlap: 'The old key keeps working for',
  rotateQuestion: (key) => `Replace "${key.name}" with a new key?`,
  confirm: 'Confirm',
  cancel: 'Cancel',
  revoke: 'Revoke',
  revokeQuestion: (key) => `Revoke "${key.name}"? Everything using it stops working at once.`,
  status: (status) => {
    switch (status.kind) {
      case 'overlapping':
        return status.until ? `Overlapping until ${formatDate(status.until)}` : 'Overlapping';
      case 'leaked':
        return 'Leaked';
      case 'expired':
        return 'Expired';
      case 'revoked':
        return 'Revoked';
      default:
        return 'Active';
    }
  },
  loadMore: 'Show more',
  loading: 'Loading API keys…',
  noAccess: 'You do not have permission to manage the API keys of this organization.',
};

/** A key's state as the list shows it. */
export interface ApiKeyStatus {
  kind: 'active' | 'overlapping' | 'expired' | 'revoked' | 'leaked';
  /** When an overlapping key stops working (ISO). */
  until?: string;
}

/**
 * A key's state for people: `leaked` once a secret scanner reported it (whatever else it is),
 * `overlapping` (rotated, working until `until`), or the server's state.
 */
export function apiKeyStatus(key: ApiKey): ApiKeyStatus {
  if (key.leakReportedAt) return { kind: 'leaked' };
  if (key.state === 'overlapping')
    return key.overlapEndsAt ? { kind: 'overlapping', until: key.overlapEndsAt } : { kind: 'overlapping' };
  return { kind: key.state };
}

/** Props of {@link ApiKeyManager} and {@link useApiKeyManager}. */
export interface ApiKeyManagerProps {
  /** Default: the active tenant. */
  tenantId?: string;
  /** The server's environments (its `environments` option), the first being the default. Default live, test. */
  environments?: readonly string[];
  expiryChoices?: readonly DurationChoice[];
  overlapChoices?: readonly DurationChoice[];
  onCreated?(key: CreateApiKeyResponse): void;
  onRotated?(key: RotateApiKeyResponse): void;
  onRevoked?(key: ApiKey): void;
  labels?: Partial<ApiKeyManagerLabels>;
  className?: string;
}

/** A key's secret, on screen once: after a creation or a rotation, until dismissed. */
export interface ShownSecret {
  kind: 'created' | 'rotated';
  /** The key as the list shows it. */
  apiKey: ApiKey;
  /** The whole key: shown this once. */
  secret: string;
}

/** What {@link useApiKeyManager} returns. */
export interface ApiKeyManagerState {
  tenantId: string | null;
  keys: Array<ApiKey & { status: ApiKeyStatus }>;
  isLoading: boolean;
  /** The list could not be read. */
  error: unknown;
  hasMore: boolean;
  loadMore(): Promise<void>;
  environments: readonly string[];
  expiryChoices: readonly DurationChoice[];
  overlapChoices: readonly DurationChoice[];
  /** What the user may put in a key (their roles' permissions), when known. */
  grantable: string[] | undefined;
  create: {
    name: string;
    environment: string;
    owner: 'user' | 'tenant';
    permissions: string[];
    /** The index of the chosen expiry choice. */
    expiry: number;
    setName(name: string): void;
    setEnvironment(environment: string): void;
    setOwner(owner: 'user' | 'tenant'): void;
    setPermissions(permissions: string[]): void;
    setExpiry(index: number): void;
    submit(event?: FormEvent): Promise<CreateApiKeyResponse | undefined>;
    isPending: boolean;
    error: unknown;
    fieldError(field: 'name' | 'environment' | 'owner' | 'expiresInSeconds'): string | undefined;
    formError: unknown;
    ids: Record<
      | 'heading'
      | 'name'
      | 'nameError'
      | 'environment'
      | 'environmentError'
      | 'owner'
      | 'expires'
      | 'expiresError'
      | 'formError',
      string
    >;
  };
  /** The secret to show once, or null. */
  secret:
    | (ShownSecret & {
        copy(): Promise<void>;
        copied: boolean;
        copyFailed: boolean;
        dismiss(): void;
      })
    | null;
  /** The rotation being confirmed, or null. */
  rotating: {
    apiKey: ApiKey;
    /** The index of the chosen overlap choice. */
    overlap: number;
    setOverlap(index: number): void;
    confirm(): Promise<RotateApiKeyResponse | undefined>;
    cancel(): void;
    isPending: boolean;
    error: unknown;
    ids: { question: string; overlap: string; error: string };
  } | null;
  startRotating(apiKey: ApiKey): void;
  /** Revokes a key (rejects with the server's error). */
  revoke(apiKey: ApiKey): Promise<void>;
  labels: ApiKeyManagerLabels;
}

/**
 * The headless API key manager: a tenant's keys with their state and last use; creating one
 * (name, environment, owner, permissions within yours, expiry), rotating with a chosen overlap,
 * revoking. A new key's secret is in `secret` until dismissed, and nowhere else, ever.
 */
export function useApiKeyManager(props: ApiKeyManagerProps = {}): ApiKeyManagerState {
  const labels = useMemo(() => ({ ...DEFAULT_LABELS, ...props.labels }), [props.labels]);
  const environments = props.environments?.length ? props.environments : ['live', 'test'];
  const expiryChoices = props.expiryChoices?.length ? props.expiryChoices : DEFAULT_EXPIRY_CHOICES;
  const overlapChoices = props.overlapChoices?.length ? props.overlapChoices : DEFAULT_OVERLAP_CHOICES;
  const keys = useApiKeys(props.tenantId);
  const { permissions: grantable } = useGrantablePermissions(props.tenantId);
  const id = useId();

  const [name, setName] = useState('');
  const [environment, setEnvironment] = useState(environments[0] ?? 'live');
  const [owner, setOwner] = useState<'user' | 'tenant'>('user');
  const [permissions, setPermissions] = useState<string[]>([]);
  const [expiry, setExpiry] = useState(0);
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  const [copied, setCopied] = useState(false);
  const [copyFailed, setCopyFailed] = useState(false);
  const [rotatingId, setRotatingId] = useState<string | null>(null);
  const [overlap, setOverlap] = useState(0);
  useOnUserChange(() => {
    setSecret(null);
    setCopied(false);
    setCopyFailed(false);
    setRotatingId(null);
  });

  const show = (next: ShownSecret) => {
    setCopied(false);
    setCopyFailed(false);
    setSecret(next);
  };

  const createAction = useAsyncAction(async () => {
    const seconds = expiryChoices[expiry]?.seconds ?? null;
    const created = await keys.create({
      name: name.trim(),
      environment,
      owner,
      permissions,
      ...(seconds === null ? {} : { expiresInSeconds: seconds }),
    });
    const { key, ...apiKey } = created;
    show({ kind: 'created', apiKey, secret: key });
    setName('');
    setPermissions([]);
    setExpiry(0);
    props.onCreated?.(created);
    return created;
  });

  const rotateAction = useAsyncAction(async (apiKeyId: string) => {
    const seconds = overlapChoices[overlap]?.seconds ?? null;
    const rotated = await keys.rotate(apiKeyId, seconds === null ? {} : { overlapSeconds: seconds });
    const { key, previous: _previous, ...apiKey } = rotated;
    show({ kind: 'rotated', apiKey, secret: key });
    setRotatingId(null);
    props.onRotated?.(rotated);
    return rotated;
  });

  const rotatingKey = keys.items.find((key) => key.id === rotatingId);
  const fieldError = (field: string) => fieldErrorText(createAction.error, field);
  const formError =
    isPortcullisClientError(createAction.error) &&
    createAction.error.issues?.some((issue) =>
      ['name', 'environment', 'owner', 'expiresInSeconds', 'permissions'].some(
        (field) => issue.path === field || issue.path.startsWith(`${field}.`),
      ),
    )
      ? undefined
      : createAction.error;

  return {
    tenantId: keys.tenantId,
    keys: keys.items.map((key) => ({ ...key, status: apiKeyStatus(key) })),
    isLoading: keys.isLoading,
    error: keys.error,
    hasMore: keys.hasMore,
    loadMore: keys.loadMore,
    environments,
    expiryChoices,
    overlapChoices,
    grantable,
    create: {
      name,
      environment,
      owner,
      permissions,
      expiry,
      setName,
      setEnvironment,
      setOwner,
      setPermissions,
      setExpiry,
      submit(event) {
        event?.preventDefault();
        return createAction.run();
      },
      isPending: createAction.isPending,
      error: createAction.error,
      fieldError,
      formError,
      ids: {
        heading: `${id}-heading`,
        name: `${id}-name`,
        nameError: `${id}-name-error`,
        environment: `${id}-environment`,
        environmentError: `${id}-environment-error`,
        owner: `${id}-owner`,
        expires: `${id}-expires`,
        expiresError: `${id}-expires-error`,
        formError: `${id}-form-error`,
      },
    },
    secret: secret
      ? {
          ...secret,
          copied,
          copyFailed,
          async copy() {
            try {
              await navigator.clipboard.writeText(secret.secret);
              setCopied(true);
              setCopyFailed(false);
            } catch {
              // no clipboard (an insecure origin, a denied permission): the key stays selectable
              setCopied(false);
              setCopyFailed(true);
            }
          },
          dismiss() {
            setSecret(null);
            setCopied(false);
            setCopyFailed(false);
          },
        }
      : null,
    rotating: rotatingKey
      ? {
          apiKey: rotatingKey,
          overlap,
          setOverlap,
          confirm: () => rotateAction.run(rotatingKey.id),
          cancel() {
            setRotatingId(null);
            rotateAction.reset();
          },
          isPending: rotateAction.isPending,
          error: rotateAction.error,
          ids: {
            question: `${id}-rotate-question`,
            overlap: `${id}-rotate-overlap`,
            error: `${id}-rotate-error`,
          },
        }
      : null,
    startRotating(apiKey) {
      rotateAction.reset();
      setOverlap(0);
      setRotatingId(apiKey.id);
    },
    async revoke(apiKey) {
      await keys.revoke(apiKey.id);
      props.onRevoked?.(apiKey);
    },
    labels,
  };
}

/**
 * A tenant's API keys: "Create API key" (name, environment, owner, permissions within yours,
 * expiry), the new key shown once with "Copy" and a warning, the list (name, environment,
 * `start…lastFour`, permissions, last use, state), "Rotate" with a chosen overlap (the new key
 * shown once) and "Revoke" after a confirmation. Needs `api_key.manage`.
 *
 * @example
 * <ApiKeyManager environments={['live', 'test']} onCreated={(key) => track('api_key_created', key.id)} />
 */
export function ApiKeyManager(props: ApiKeyManagerProps) {
  const labels = { ...DEFAULT_LABELS, ...props.labels };
  return (
    <GatedCard
      action="api_key.manage"
      tenantId={props.tenantId}
      heading={labels.heading}
      noAccess={labels.noAccess}
      loading={labels.loading}
      className={props.className ?? 'pc-card pc-api-key-manager'}
    >
      <ApiKeyManagerBody {...props} />
    </GatedCard>
  );
}

function ApiKeyManagerBody(props: ApiKeyManagerProps) {
  const manager = useApiKeyManager(props);
  const { labels, create, secret, rotating } = manager;
  const { ids } = create;
  const more = useAsyncAction(() => manager.loadMore());
  return (
    <>
      {/* keyed by the key: a new secret is a new panel, which takes the focus */}
      {secret ? <SecretPanel key={secret.apiKey.id} secret={secret} labels={labels} /> : null}
      {manager.isLoading ? <p className="pc-hint">{labels.loading}</p> : null}
      <ErrorMessage error={manager.error} />
      {!manager.isLoading && manager.keys.length === 0 && !manager.error ? (
        <p className="pc-hint">{labels.empty}</p>
      ) : null}
      {manager.keys.length > 0 ? (
        <div className="pc-admin-table-scroll">
          <table className="pc-table pc-api-key-table">
            <thead>
              <tr>
                <th scope="col">{labels.columns.name}</th>
                <th scope="col">{labels.columns.environment}</th>
                <th scope="col">{labels.columns.key}</th>
                <th scope="col">{labels.columns.permissions}</th>
                <th scope="col">{labels.columns.lastUsed}</th>
                <th scope="col">{labels.columns.status}</th>
                <th scope="col">
                  <span className="pc-visually-hidden">{labels.columns.actions}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {manager.keys.map((key) => (
                <tr key={key.id}>
                  <th scope="row">{key.name}</th>
                  <td>
                    <span className="pc-badge">{key.environment}</span>
                  </td>
                  <td>
                    <code className="pc-api-key-hint">
                      {key.start}…{key.lastFour}
                    </code>
                  </td>
                  <td>
                    <PermissionList permissions={key.permissions} />
                  </td>
                  <td>
                    {key.lastUsedAt ? (
                      <time dateTime={key.lastUsedAt}>{formatDate(key.lastUsedAt)}</time>
                    ) : (
                      labels.never
                    )}
                  </td>
                  <td>
                    <span className={`pc-badge pc-admin-badge-${key.status.kind}`}>
                      {labels.status(key.status)}
                    </span>
                  </td>
                  <td className="pc-api-key-actions">
                    {rotating?.apiKey.id === key.id ? (
                      <RotateQuestion rotating={rotating} manager={manager} />
                    ) : (
                      <span className="pc-admin-actions">
                        {key.state === 'active' ? (
                          <button
                            type="button"
                            className="pc-button"
                            aria-label={`${labels.rotate} ${key.name}`}
                            onClick={() => manager.startRotating(key)}
                          >
                            {labels.rotate}
                          </button>
                        ) : null}
                        {key.state !== 'revoked' ? (
                          <ConfirmButton
                            question={labels.revokeQuestion(key)}
                            onConfirm={() => manager.revoke(key)}
                          >
                            {labels.revoke}
                          </ConfirmButton>
                        ) : null}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {manager.hasMore ? (
        <LoadMoreButton
          className="pc-field"
          pending={more.isPending}
          error={more.error}
          onLoadMore={() => void more.run()}
        >
          {labels.loadMore}
        </LoadMoreButton>
      ) : null}
      <form className="pc-form pc-api-key-form" aria-labelledby={ids.heading} onSubmit={create.submit}>
        <h3 id={ids.heading} className="pc-admin-subtitle">
          {labels.newKey}
        </h3>
        <div className="pc-field">
          <label className="pc-label" htmlFor={ids.name}>
            {labels.name}
          </label>
          <input
            id={ids.name}
            className="pc-input"
            value={create.name}
            required
            maxLength={100}
            autoComplete="off"
            aria-invalid={create.fieldError('name') ? true : undefined}
            aria-describedby={create.fieldError('name') ? ids.nameError : undefined}
            onChange={(event) => create.setName(event.target.value)}
          />
          <FieldError id={ids.nameError} text={create.fieldError('name')} />
        </div>
        <div className="pc-admin-field-row">
          <div className="pc-field">
            <label className="pc-label" htmlFor={ids.environment}>
              {labels.environment}
            </label>
            <select
              id={ids.environment}
              className="pc-select"
              value={create.environment}
              aria-invalid={create.fieldError('environment') ? true : undefined}
              aria-describedby={create.fieldError('environment') ? ids.environmentError : undefined}
              onChange={(event) => create.setEnvironment(event.target.value)}
            >
              {manager.environments.map((environment) => (
                <option key={environment} value={environment}>
                  {environment}
                </option>
              ))}
            </select>
            <FieldError id={ids.environmentError} text={create.fieldError('environment')} />
          </div>
          <div className="pc-field">
            <label className="pc-label" htmlFor={ids.expires}>
              {labels.expires}
            </label>
            <select
              id={ids.expires}
              className="pc-select"
              value={create.expiry}
              aria-invalid={create.fieldError('expiresInSeconds') ? true : undefined}
              aria-describedby={create.fieldError('expiresInSeconds') ? ids.expiresError : undefined}
              onChange={(event) => create.setExpiry(Number(event.target.value))}
            >
              {manager.expiryChoices.map((choice, index) => (
                <option key={choice.label} value={index}>
                  {choice.label}
                </option>
              ))}
            </select>
            <FieldError id={ids.expiresError} text={create.fieldError('expiresInSeconds')} />
          </div>
          <div className="pc-field">
            <label className="pc-label" htmlFor={ids.owner}>
              {labels.owner}
            </label>
            <select
              id={ids.owner}
              className="pc-select"
              value={create.owner}
              onChange={(event) => create.setOwner(event.target.value === 'tenant' ? 'tenant' : 'user')}
            >
              <option value="user">{labels.ownerUser}</option>
              <option value="tenant">{labels.ownerTenant}</option>
            </select>
          </div>
        </div>
        <PermissionEditor
          value={create.permissions}
          onChange={create.setPermissions}
          grantable={manager.grantable}
          error={create.error}
        />
        <div className="pc-admin-actions">
          <button
            type="submit"
            className="pc-button pc-button-primary"
            disabled={create.isPending}
            aria-describedby={create.formError ? ids.formError : undefined}
          >
            {labels.create}
          </button>
        </div>
        <ErrorMessage error={create.formError} id={ids.formError} />
      </form>
    </>
  );
}

function SecretPanel({
  secret,
  labels,
}: {
  secret: NonNullable<ApiKeyManagerState['secret']>;
  labels: ApiKeyManagerLabels;
}) {
  const panel = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const warningId = useId();
  const statusId = useId();
  // a screen reader user lands on the key: it is the one thing on the page they must act on
  useEffect(() => {
    panel.current?.focus();
  }, []);
  return (
    <section
      ref={panel}
      tabIndex={-1}
      className="pc-secret-panel"
      aria-labelledby={titleId}
      aria-describedby={warningId}
    >
      <h3 id={titleId} className="pc-admin-subtitle">
        {labels.secretTitle(secret.kind, secret.apiKey)}
      </h3>
      <p id={warningId} className="pc-admin-warning">
        {labels.secretWarning}
      </p>
      <code className="pc-secret">{secret.secret}</code>
      <div className="pc-admin-actions">
        <button
          type="button"
          className="pc-button pc-button-primary"
          aria-describedby={secret.copied || secret.copyFailed ? statusId : undefined}
          onClick={() => void secret.copy()}
        >
          {labels.copy}
        </button>
        <button type="button" className="pc-button" onClick={secret.dismiss}>
          {labels.done}
        </button>
      </div>
      {secret.copied ? (
        <output id={statusId} className="pc-success">
          {labels.copied}
        </output>
      ) : null}
      {secret.copyFailed ? (
        <p role="alert" id={statusId} className="pc-error">
          {labels.copyFailed}
        </p>
      ) : null}
    </section>
  );
}

function RotateQuestion({
  rotating,
  manager,
}: {
  rotating: NonNullable<ApiKeyManagerState['rotating']>;
  manager: ApiKeyManagerState;
}) {
  const { labels } = manager;
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    select.current?.focus();
  }, []);
  return (
    // biome-ignore lint/a11y/useSemanticElements: an inline question, not a modal dialog (as ConfirmButton)
    <span
      className="pc-confirm pc-confirm-asking"
      role="group"
      aria-labelledby={rotating.ids.question}
      onKeyDown={(event) => {
        if (event.key === 'Escape') rotating.cancel();
      }}
    >
      <span id={rotating.ids.question} className="pc-confirm-question">
        {labels.rotateQuestion(rotating.apiKey)}
      </span>
      <label className="pc-label" htmlFor={rotating.ids.overlap}>
        {labels.overlap}
      </label>
      <select
        ref={select}
        id={rotating.ids.overlap}
        className="pc-select"
        value={rotating.overlap}
        onChange={(event) => rotating.setOverlap(Number(event.target.value))}
      >
        {manager.overlapChoices.map((choice, index) => (
          <option key={choice.label} value={index}>
            {choice.label}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="pc-button pc-button-primary"
        disabled={rotating.isPending}
        aria-describedby={rotating.error ? rotating.ids.error : undefined}
        onClick={() => void rotating.confirm()}
      >
        {labels.confirm}
      </button>
      <button type="button" className="pc-button" onClick={rotating.cancel}>
        {labels.cancel}
      </button>
      <ErrorMessage error={rotating.error} id={rotating.ids.error} />
    </span>
  );
}
