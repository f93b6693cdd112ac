import { isPortcullisClientError, type Role } from '@portcullis/client';
import { type ChangeEvent, type FormEvent, type ReactNode, useId, useMemo, useState } from 'react';
import { useRoles } from '../../hooks/use-roles.js';
import { ConfirmButton } from '../shared/confirm-button.js';
import { ErrorMessage, fieldErrorText } from '../shared/error-message.js';
import { PermissionGate } from '../shared/gates.js';
import { useAsyncAction } from '../shared/use-async-action.js';
import { FieldError } from './field-error.js';
import { GatedCard } from './gated-card.js';
import { PermissionEditor } from './permission-editor.js';
import { PermissionList } from './permission-list.js';
import { useGrantablePermissions } from './use-grantable-permissions.js';

/** The roles every tenant starts with (core's default roles): shown read-only. */
export const BUILT_IN_ROLES: readonly string[] = ['owner', 'admin', 'member', 'viewer'];

/** Visible texts of {@link RoleManager}. */
export interface RoleManagerLabels {
  heading: ReactNode;
  builtIn: ReactNode;
  noPermissions: ReactNode;
  newRole: ReactNode;
  name: ReactNode;
  key: ReactNode;
  keyHint: ReactNode;
  create: ReactNode;
  edit: ReactNode;
  save: ReactNode;
  cancel: ReactNode;
  delete: ReactNode;
  deleteQuestion(role: Role): ReactNode;
  loading: ReactNode;
  noAccess: ReactNode;
}

const DEFAULT_LABELS: RoleManagerLabels = {
  heading: 'Roles',
  builtIn: 'Built-in',
  noPermissions: 'No permissions',
  newRole: 'New role',
  name: 'Name',
  key: 'Key',
  keyHint: 'What invitations and the API call the role; it cannot change later.',
  create: 'Create role',
  edit: 'Edit',
  save: 'Save role',
  cancel: 'Cancel',
  delete: 'Delete',
  deleteQuestion: (role) => `Delete the role "${role.name}"? Only a role no member holds can go.`,
  loading: 'Loading roles…',
  noAccess: 'You do not have permission to see the roles of this organization.',
};

/** Props of {@link RoleManager} and {@link useRoleManager}. */
export interface RoleManagerProps {
  /** Default: the active tenant. */
  tenantId?: string;
  /** Role keys shown read-only (default owner, admin, member, viewer: the default roles). */
  builtInRoles?: readonly string[];
  onCreated?(role: Role): void;
  onSaved?(role: Role): void;
  onDeleted?(role: Role): void;
  labels?: Partial<RoleManagerLabels>;
  className?: string;
}

/** A role as the manager shows it. */
export interface ManagedRole extends Role {
  /** One of `builtInRoles`: shown read-only. */
  builtIn: boolean;
}

/** What {@link useRoleManager} returns. */
export interface RoleManagerState {
  tenantId: string | null;
  roles: ManagedRole[];
  isLoading: boolean;
  /** The list could not be read. */
  error: unknown;
  /** What the user may grant (their roles' permissions), when known. */
  grantable: string[] | undefined;
  /** The "New role" form. */
  create: {
    name: string;
    key: string;
    permissions: string[];
    setName(name: string): void;
    /** Once set by hand, the key no longer follows the name. */
    setKey(key: string): void;
    setPermissions(permissions: string[]): void;
    submit(event?: FormEvent): Promise<Role | undefined>;
    isPending: boolean;
    error: unknown;
    /** The error's words for one field (`name`, `key`), when it names that field. */
    fieldError(field: 'name' | 'key'): string | undefined;
    /** The error when it belongs to no field (shown beside the submit button). */
    formError: unknown;
    ids: {
      name: string;
      key: string;
      keyHint: string;
      nameError: string;
      keyError: string;
      formError: string;
    };
  };
  /** The role being edited, with its form. */
  editing: {
    role: ManagedRole;
    name: string;
    permissions: string[];
    setName(name: string): void;
    setPermissions(permissions: string[]): void;
    save(event?: FormEvent): Promise<Role | undefined>;
    cancel(): void;
    isPending: boolean;
    error: unknown;
    fieldError(field: 'name'): string | undefined;
    formError: unknown;
    ids: { name: string; nameError: string; formError: string };
  } | null;
  startEditing(role: ManagedRole): void;
  /** Deletes a custom role (rejects with the server's error: a role members hold cannot go). */
  remove(role: ManagedRole): Promise<void>;
  labels: RoleManagerLabels;
}

/** A role key from a name: lower-case letters, digits, `_` and `-`, starting with a letter. */
function keyFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 63);
}

/** The error's words for a field: its issue, or a taken key (409 on create names the key). */
function fieldErrorOf(error: unknown, field: string): string | undefined {
  const issue = fieldErrorText(error, field);
  if (issue) return issue;
  if (field === 'key' && isPortcullisClientError(error, 'conflict'))
    return capitalize(error.detail ?? 'Taken');
  return undefined;
}

/** The error unless a field or the permission editor shows it. */
function formErrorOf(error: unknown, fields: string[]): unknown {
  if (!isPortcullisClientError(error)) return error;
  if (fields.some((field) => fieldErrorOf(error, field))) return undefined;
  if (error.issues?.some((issue) => issue.path.startsWith('permissions'))) return undefined;
  return error;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The headless role manager: a tenant's roles (built-in ones read-only), a form to create a
 * custom role, editing and deleting custom ones, each control with its own pending state and
 * server error.
 */
export function useRoleManager(props: RoleManagerProps = {}): RoleManagerState {
  const labels = useMemo(() => ({ ...DEFAULT_LABELS, ...props.labels }), [props.labels]);
  const builtIn = props.builtInRoles ?? BUILT_IN_ROLES;
  const rolesResult = useRoles(props.tenantId);
  const { permissions: grantable } = useGrantablePermissions(props.tenantId);
  const id = useId();

  const [name, setName] = useState('');
  const [key, setKeyText] = useState('');
  const [keyEdited, setKeyEdited] = useState(false);
  const [permissions, setPermissions] = useState<string[]>([]);
  const createAction = useAsyncAction(async () => {
    const role = await rolesResult.create({ key: keyEdited ? key : keyFromName(name), name, permissions });
    setName('');
    setKeyText('');
    setKeyEdited(false);
    setPermissions([]);
    props.onCreated?.(role);
    return role;
  });

  const [editingId, setEditingId] = useState<string | null>(null);
  const [editName, setEditName] = useState('');
  const [editPermissions, setEditPermissions] = useState<string[]>([]);
  const saveAction = useAsyncAction(async (roleId: string) => {
    const role = await rolesResult.update(roleId, { name: editName, permissions: editPermissions });
    setEditingId(null);
    props.onSaved?.(role);
    return role;
  });

  const roles = rolesResult.roles.map((role) => ({ ...role, builtIn: builtIn.includes(role.key) }));
  const editingRole = roles.find((role) => role.id === editingId && !role.builtIn);

  return {
    tenantId: rolesResult.tenantId,
    roles,
    isLoading: rolesResult.isLoading,
    error: rolesResult.error,
    grantable,
    create: {
      name,
      key: keyEdited ? key : keyFromName(name),
      permissions,
      setName,
      setKey(next) {
        setKeyEdited(true);
        setKeyText(next);
      },
      setPermissions,
      submit(event) {
        event?.preventDefault();
        return createAction.run();
      },
      isPending: createAction.isPending,
      error: createAction.error,
      fieldError: (field) => fieldErrorOf(createAction.error, field),
      formError: formErrorOf(createAction.error, ['name', 'key']),
      ids: {
        name: `${id}-name`,
        key: `${id}-key`,
        keyHint: `${id}-key-hint`,
        nameError: `${id}-name-error`,
        keyError: `${id}-key-error`,
        formError: `${id}-form-error`,
      },
    },
    editing: editingRole
      ? {
          role: editingRole,
          name: editName,
          permissions: editPermissions,
          setName: setEditName,
          setPermissions: setEditPermissions,
          save(event) {
            event?.preventDefault();
            return saveAction.run(editingRole.id);
          },
          cancel() {
            setEditingId(null);
            saveAction.reset();
          },
          isPending: saveAction.isPending,
          error: saveAction.error,
          fieldError: (field) => fieldErrorOf(saveAction.error, field),
          formError: formErrorOf(saveAction.error, ['name']),
          ids: {
            name: `${id}-edit-name`,
            nameError: `${id}-edit-name-error`,
            formError: `${id}-edit-form-error`,
          },
        }
      : null,
    startEditing(role) {
      saveAction.reset();
      setEditName(role.name);
      setEditPermissions([...role.permissions]);
      setEditingId(role.id);
    },
    async remove(role) {
      await rolesResult.remove(role.id);
      props.onDeleted?.(role);
    },
    labels,
  };
}

/**
 * A tenant's roles: the built-in ones read-only with their permissions, custom ones editable
 * ("Save role") and deletable (with a confirmation), and "Create role" with a
 * {@link PermissionEditor}. Reading needs `member.read`; changing needs `role.manage`, and the
 * server lets nobody grant what they do not hold.
 *
 * @example
 * <RoleManager onCreated={(role) => toast(`${role.name} created`)} />
 */
export function RoleManager(props: RoleManagerProps) {
  const labels = { ...DEFAULT_LABELS, ...props.labels };
  return (
    <GatedCard
      action="member.read"
      tenantId={props.tenantId}
      heading={labels.heading}
      noAccess={labels.noAccess}
      loading={labels.loading}
      className={props.className ?? 'pc-card pc-role-manager'}
    >
      <RoleManagerBody {...props} />
    </GatedCard>
  );
}

function RoleManagerBody(props: RoleManagerProps) {
  const manager = useRoleManager(props);
  const { labels, create, editing } = manager;
  const gate = props.tenantId ? { tenantId: props.tenantId } : {};
  return (
    <>
      {manager.isLoading ? <p className="pc-hint">{labels.loading}</p> : null}
      <ErrorMessage error={manager.error} />
      <ul className="pc-list pc-role-list">
        {manager.roles.map((role) => (
          <li key={role.id} className="pc-role">
            {editing?.role.id === role.id ? (
              <form
                className="pc-form pc-role-edit"
                aria-label={`${labels.edit} ${role.name}`}
                onSubmit={editing.save}
              >
                <div className="pc-field">
                  <label className="pc-label" htmlFor={editing.ids.name}>
                    {labels.name}
                  </label>
                  <input
                    id={editing.ids.name}
                    className="pc-input"
                    value={editing.name}
                    required
                    maxLength={100}
                    aria-invalid={editing.fieldError('name') ? true : undefined}
                    aria-describedby={editing.fieldError('name') ? editing.ids.nameError : undefined}
                    onChange={(event: ChangeEvent<HTMLInputElement>) => editing.setName(event.target.value)}
                  />
                  <FieldError id={editing.ids.nameError} text={editing.fieldError('name')} />
                </div>
                <PermissionEditor
                  value={editing.permissions}
                  onChange={editing.setPermissions}
                  grantable={manager.grantable}
                  error={editing.error}
                />
                <div className="pc-admin-actions">
                  <button
                    type="submit"
                    className="pc-button pc-button-primary"
                    disabled={editing.isPending}
                    aria-describedby={editing.formError ? editing.ids.formError : undefined}
                  >
                    {labels.save}
                  </button>
                  <button type="button" className="pc-button" onClick={editing.cancel}>
                    {labels.cancel}
                  </button>
                </div>
                <ErrorMessage error={editing.formError} id={editing.ids.formError} />
              </form>
            ) : (
              <>
                <div className="pc-role-head">
                  <span className="pc-role-name">{role.name}</span>{' '}
                  <code className="pc-role-key">{role.key}</code>
                  {role.builtIn ? <span className="pc-badge">{labels.builtIn}</span> : null}
                </div>
                <PermissionList permissions={role.permissions} empty={labels.noPermissions} />
                {role.builtIn ? null : (
                  <PermissionGate action="role.manage" {...gate}>
                    <div className="pc-admin-actions">
                      <button
                        type="button"
                        className="pc-button"
                        aria-label={`${labels.edit} ${role.name}`}
                        onClick={() => manager.startEditing(role)}
                      >
                        {labels.edit}
                      </button>
                      <ConfirmButton
                        question={labels.deleteQuestion(role)}
                        onConfirm={() => manager.remove(role)}
                      >
                        {labels.delete}
                      </ConfirmButton>
                    </div>
                  </PermissionGate>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
      <PermissionGate action="role.manage" {...gate}>
        <form
          className="pc-form pc-role-create"
          aria-labelledby={`${create.ids.name}-heading`}
          onSubmit={create.submit}
        >
          <h3 id={`${create.ids.name}-heading`} className="pc-admin-subtitle">
            {labels.newRole}
          </h3>
          <div className="pc-field">
            <label className="pc-label" htmlFor={create.ids.name}>
              {labels.name}
            </label>
            <input
              id={create.ids.name}
              className="pc-input"
              value={create.name}
              required
              maxLength={100}
              autoComplete="off"
              aria-invalid={create.fieldError('name') ? true : undefined}
              aria-describedby={create.fieldError('name') ? create.ids.nameError : undefined}
              onChange={(event) => create.setName(event.target.value)}
            />
            <FieldError id={create.ids.nameError} text={create.fieldError('name')} />
          </div>
          <div className="pc-field">
            <label className="pc-label" htmlFor={create.ids.key}>
              {labels.key}
            </label>
            <input
              id={create.ids.key}
              className="pc-input"
              value={create.key}
              required
              maxLength={63}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={create.fieldError('key') ? true : undefined}
              aria-describedby={[create.ids.keyHint, create.fieldError('key') ? create.ids.keyError : null]
                .filter(Boolean)
                .join(' ')}
              onChange={(event) => create.setKey(event.target.value)}
            />
            <p id={create.ids.keyHint} className="pc-hint">
              {labels.keyHint}
            </p>
            <FieldError id={create.ids.keyError} text={create.fieldError('key')} />
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
              aria-describedby={create.formError ? create.ids.formError : undefined}
            >
              {labels.create}
            </button>
          </div>
          <ErrorMessage error={create.formError} id={create.ids.formError} />
        </form>
      </PermissionGate>
    </>
  );
}
