import type { Member, Role } from '@portcullis/client';
import { type FormEvent, useId, useState } from 'react';
import { useOrganizationMembers } from '../../hooks/use-organizations.js';
import { useRoles } from '../../hooks/use-roles.js';
import { ErrorMessage, errorText, fieldErrorText } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';

/** Visible texts of {@link MemberRoleManager}. */
export interface MemberRoleManagerLabels {
  /** The legend of the role checkboxes. */
  roles: string;
  save: string;
  saved: string;
  cancel: string;
  loading: string;
}

const DEFAULT_LABELS: MemberRoleManagerLabels = {
  roles: 'Roles',
  save: 'Save',
  saved: 'Roles saved.',
  cancel: 'Cancel',
  loading: 'Loading roles…',
};

/** Options of {@link useMemberRoleManager}. */
export interface UseMemberRoleManagerOptions {
  /** The member whose roles change (an item of `useOrganizationMembers()`). */
  member: Member;
  /** Default: the active tenant. */
  tenantId?: string;
  /** Called with the saved role keys. */
  onSaved?(roles: string[]): void;
}

/** Props of {@link MemberRoleManager}. */
export interface MemberRoleManagerProps extends UseMemberRoleManagerOptions {
  /** Shows a Cancel button that calls it. */
  onCancel?(): void;
  labels?: Partial<MemberRoleManagerLabels>;
  className?: string;
}

/** What {@link useMemberRoleManager} returns. */
export interface MemberRoleManagerState {
  /** The tenant's roles, each a choice. */
  roles: Role[];
  isLoading: boolean;
  /** Loading the roles failed. */
  error: unknown;
  /** The role keys chosen (the member's until changed). */
  selected: string[];
  isSelected(key: string): boolean;
  toggle(key: string, checked?: boolean): void;
  isDirty: boolean;
  /** Replaces the member's roles with the chosen ones. */
  save(event?: FormEvent): Promise<string[] | undefined>;
  saveAction: AsyncAction<[], string[]>;
  saved: boolean;
  ids: { group: string; error: string };
}

/**
 * The headless part of {@link MemberRoleManager}: the tenant's roles as choices, the member's
 * current ones chosen, and saving. The server decides what the caller may grant: a role beyond
 * their own permissions is `forbidden`, demoting the last owner `last_owner`.
 *
 * @example
 * const manager = useMemberRoleManager({ member });
 * manager.toggle('admin', true);
 * await manager.save();
 */
export function useMemberRoleManager(options: UseMemberRoleManagerOptions): MemberRoleManagerState {
  const { member } = options;
  const roles = useRoles(options.tenantId);
  const members = useOrganizationMembers(options.tenantId);
  const [draft, setDraft] = useState<string[] | null>(null);
  const [saved, setSaved] = useState(false);
  const selected = draft ?? member.roles;
  const { onSaved } = options;
  const saveAction = useAsyncAction(async () => {
    await members.update(member.userId, { roles: selected });
    setDraft(null);
    setSaved(true);
    onSaved?.(selected);
    return selected;
  });
  const base = useId();
  return {
    roles: roles.roles,
    isLoading: roles.isLoading,
    error: roles.error,
    selected,
    isSelected: (key) => selected.includes(key),
    toggle(key, checked = !selected.includes(key)) {
      // keep the tenant's order, whatever order the boxes are ticked in
      const next = new Set(selected);
      if (checked) next.add(key);
      else next.delete(key);
      const order = roles.roles.map((role) => role.key);
      setDraft([...next].sort((a, b) => rank(order, a) - rank(order, b)));
      setSaved(false);
      saveAction.reset();
    },
    isDirty: draft !== null && !sameKeys(draft, member.roles),
    save(event) {
      event?.preventDefault();
      return saveAction.run();
    },
    saveAction,
    saved,
    ids: { group: `${base}-roles`, error: `${base}-error` },
  };
}

function rank(order: string[], key: string): number {
  const index = order.indexOf(key);
  return index === -1 ? order.length : index;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key) => b.includes(key));
}

/**
 * Changes a member's roles: a checkbox per role of the tenant, and Save. Refusals (a role you
 * cannot grant, the last owner) show beside the Save button with the server's words.
 *
 * @example
 * <MemberRoleManager member={member} onSaved={() => setEditing(null)} />
 */
export function MemberRoleManager(props: MemberRoleManagerProps) {
  const labels = { ...DEFAULT_LABELS, ...props.labels };
  const manager = useMemberRoleManager(props);
  const { ids } = manager;
  const error = manager.saveAction.error;
  return (
    <form
      className={
        props.className ? `pc-form pc-org-role-manager ${props.className}` : 'pc-form pc-org-role-manager'
      }
      onSubmit={manager.save}
      noValidate
    >
      <fieldset className="pc-org-fieldset" aria-describedby={error ? ids.error : undefined}>
        <legend className="pc-label">{labels.roles}</legend>
        {manager.isLoading ? <p className="pc-hint">{labels.loading}</p> : null}
        <ErrorMessage error={manager.error} />
        {manager.roles.map((role) => (
          <label key={role.key} className="pc-org-check">
            <input
              type="checkbox"
              checked={manager.isSelected(role.key)}
              onChange={(event) => manager.toggle(role.key, event.target.checked)}
            />
            <span>{role.name}</span>
          </label>
        ))}
      </fieldset>
      <div className="pc-org-actions">
        <button
          type="submit"
          className="pc-button pc-button-primary"
          disabled={manager.saveAction.isPending || !manager.isDirty}
          aria-describedby={error ? ids.error : undefined}
        >
          {labels.save}
        </button>
        {props.onCancel ? (
          <button type="button" className="pc-button" onClick={props.onCancel}>
            {labels.cancel}
          </button>
        ) : null}
        <output className="pc-success">{manager.saved ? labels.saved : ''}</output>
      </div>
      {error ? (
        <p role="alert" id={ids.error} className="pc-error">
          {fieldErrorText(error, 'roles') ?? errorText(error)}
        </p>
      ) : null}
    </form>
  );
}
