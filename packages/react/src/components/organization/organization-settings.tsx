import type { Tenant } from '@portcullis/client';
import { type FormEvent, useId, useState } from 'react';
import { useOrganizations } from '../../hooks/use-organizations.js';
import { usePermission } from '../../hooks/use-permission.js';
import { useResource } from '../../hooks/use-resource.js';
import { useTenantId } from '../../hooks/use-tenant.js';
import { usePortcullis } from '../../portcullis-provider.js';
import { ConfirmButton } from '../shared/confirm-button.js';
import { ErrorMessage, fieldErrorText } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';

/** Visible texts of {@link OrganizationSettings}. */
export interface OrganizationSettingsLabels {
  title: string;
  name: string;
  save: string;
  saved: string;
  slug: string;
  id: string;
  status: string;
  active: string;
  suspended: string;
  suspend: string;
  suspendQuestion(tenant: Tenant): string;
  reactivate: string;
  suspendedHint: string;
  noTenant: string;
  loading: string;
}

const DEFAULT_LABELS: OrganizationSettingsLabels = {
  title: 'Organization settings',
  name: 'Organization name',
  save: 'Save',
  saved: 'Saved.',
  slug: 'Slug',
  id: 'ID',
  status: 'Status',
  active: 'Active',
  suspended: 'Suspended',
  suspend: 'Suspend organization',
  suspendQuestion: (tenant) =>
    `Suspend ${tenant.name}? Its members are signed out of it and nothing in it works until it is reactivated.`,
  reactivate: 'Reactivate',
  suspendedHint: 'This organization is suspended. Members allowed to suspend it can reactivate it.',
  noTenant: 'No organization is selected.',
  loading: 'Loading…',
};

/** Options of {@link useOrganizationSettings}. */
export interface UseOrganizationSettingsOptions {
  /** Default: the active tenant. */
  tenantId?: string;
  /** Called with the tenant after each change. */
  onUpdated?(tenant: Tenant): void;
}

/** Props of {@link OrganizationSettings}. */
export interface OrganizationSettingsProps extends UseOrganizationSettingsOptions {
  labels?: Partial<OrganizationSettingsLabels>;
  className?: string;
}

/** What {@link useOrganizationSettings} returns. */
export interface OrganizationSettingsState {
  tenantId: string | null;
  tenant: Tenant | undefined;
  isLoading: boolean;
  /** Loading the tenant failed. */
  error: unknown;
  /** The name being edited (the tenant's name until changed). */
  name: string;
  setName(name: string): void;
  isDirty: boolean;
  /** Saves the name. */
  save(event?: FormEvent): Promise<Tenant | undefined>;
  saveAction: AsyncAction<[], Tenant>;
  /** The save error's text when it is about the name. */
  nameError: string | undefined;
  /** True after a save until the name is edited again. */
  saved: boolean;
  /** May rename (`tenant.update`); `undefined` until the server answered. */
  canUpdate: boolean | undefined;
  /** May suspend (`tenant.suspend`); `undefined` until the server answered. */
  canSuspend: boolean | undefined;
  suspend(): Promise<Tenant>;
  reactivate: AsyncAction<[], Tenant>;
  ids: { name: string; nameError: string; saveError: string; reactivateError: string };
}

/**
 * The headless part of {@link OrganizationSettings}: the tenant, renaming it, and suspending or
 * reactivating it, with what the caller may do (`tenant.update`, `tenant.suspend`) asked of the
 * server as a UI hint.
 *
 * @example
 * const settings = useOrganizationSettings();
 * settings.setName('Acme Research');
 * await settings.save();
 */
export function useOrganizationSettings(
  options: UseOrganizationSettingsOptions = {},
): OrganizationSettingsState {
  const { client } = usePortcullis();
  const tenantId = useTenantId(options.tenantId);
  const tenant = useResource(tenantId ? `tenant:${tenantId}` : null, () =>
    client.tenants.get(tenantId as string),
  );
  const { update } = useOrganizations();
  const canUpdate = usePermission('tenant.update', undefined, { tenantId: tenantId ?? undefined });
  const canSuspend = usePermission('tenant.suspend', undefined, { tenantId: tenantId ?? undefined });
  const [draft, setDraft] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const name = draft ?? tenant.data?.name ?? '';
  const { onUpdated } = options;

  const saveAction = useAsyncAction(async () => {
    const updated = await update(tenantId as string, { name });
    setDraft(null);
    setSaved(true);
    onUpdated?.(updated);
    return updated;
  });
  const setStatus = async (status: 'active' | 'suspended') => {
    const updated = await update(tenantId as string, { status });
    onUpdated?.(updated);
    return updated;
  };
  const reactivate = useAsyncAction(() => setStatus('active'));
  const base = useId();
  return {
    tenantId,
    tenant: tenant.data,
    isLoading: tenant.isLoading,
    error: tenant.error,
    name,
    setName(next) {
      setDraft(next);
      setSaved(false);
    },
    isDirty: draft !== null && draft !== tenant.data?.name,
    save(event) {
      event?.preventDefault();
      return saveAction.run();
    },
    saveAction,
    nameError: fieldErrorText(saveAction.error, 'name'),
    saved,
    canUpdate: canUpdate.allowed,
    canSuspend: canSuspend.allowed,
    suspend: () => setStatus('suspended'),
    reactivate,
    ids: {
      name: `${base}-name`,
      nameError: `${base}-name-error`,
      saveError: `${base}-save-error`,
      reactivateError: `${base}-reactivate-error`,
    },
  };
}

/**
 * An organization's settings: rename it (for those with `tenant.update`), see its slug, id and
 * status, and suspend it (for those with `tenant.suspend`, owners by default) or reactivate it.
 *
 * @example
 * <OrganizationSettings />
 */
export function OrganizationSettings(props: OrganizationSettingsProps) {
  const labels = { ...DEFAULT_LABELS, ...props.labels };
  const settings = useOrganizationSettings(props);
  const { tenant, ids } = settings;
  const titleId = useId();
  const className = props.className
    ? `pc-card pc-org-settings ${props.className}`
    : 'pc-card pc-org-settings';
  const title = (
    <h2 id={titleId} className="pc-card-title">
      {labels.title}
    </h2>
  );
  if (!settings.tenantId || !tenant) {
    return (
      <section className={className} aria-labelledby={titleId}>
        {title}
        <ErrorMessage error={settings.error} />
        {settings.error ? null : (
          <p className="pc-hint">{settings.tenantId ? labels.loading : labels.noTenant}</p>
        )}
      </section>
    );
  }
  const saveError = settings.nameError ? undefined : settings.saveAction.error;
  return (
    <section className={className} aria-labelledby={titleId}>
      {title}
      {settings.canUpdate ? (
        <form className="pc-form" onSubmit={settings.save} noValidate>
          <div className="pc-field">
            <label className="pc-label" htmlFor={ids.name}>
              {labels.name}
            </label>
            <input
              id={ids.name}
              className="pc-input"
              value={settings.name}
              onChange={(event) => settings.setName(event.target.value)}
              autoComplete="organization"
              required
              aria-invalid={settings.nameError ? true : undefined}
              aria-describedby={settings.nameError ? ids.nameError : undefined}
            />
            {settings.nameError ? (
              <p role="alert" id={ids.nameError} className="pc-error">
                {settings.nameError}
              </p>
            ) : null}
          </div>
          <div className="pc-org-actions">
            <button
              type="submit"
              className="pc-button pc-button-primary"
              disabled={settings.saveAction.isPending || !settings.isDirty}
              aria-describedby={saveError ? ids.saveError : undefined}
            >
              {labels.save}
            </button>
            <output className="pc-success">{settings.saved ? labels.saved : ''}</output>
          </div>
          <ErrorMessage error={saveError} id={ids.saveError} />
        </form>
      ) : null}
      <dl className="pc-org-details">
        {settings.canUpdate ? null : (
          <div>
            <dt>{labels.name}</dt>
            <dd>{tenant.name}</dd>
          </div>
        )}
        <div>
          <dt>{labels.slug}</dt>
          <dd>
            <code>{tenant.slug}</code>
          </dd>
        </div>
        <div>
          <dt>{labels.id}</dt>
          <dd>
            <code>{tenant.id}</code>
          </dd>
        </div>
        <div>
          <dt>{labels.status}</dt>
          <dd>
            <span className={tenant.status === 'suspended' ? 'pc-badge pc-org-badge-warning' : 'pc-badge'}>
              {tenant.status === 'suspended' ? labels.suspended : labels.active}
            </span>
          </dd>
        </div>
      </dl>
      {tenant.status === 'active' && settings.canSuspend ? (
        <div className="pc-org-danger-zone">
          <ConfirmButton question={labels.suspendQuestion(tenant)} onConfirm={settings.suspend}>
            {labels.suspend}
          </ConfirmButton>
        </div>
      ) : null}
      {tenant.status === 'suspended' ? (
        // a suspended tenant answers every permission check with "no", tenant.suspend included:
        // the button shows, and the server decides who may press it
        <div className="pc-org-danger-zone">
          <p className="pc-hint">{labels.suspendedHint}</p>
          <div className="pc-org-actions">
            <button
              type="button"
              className="pc-button"
              disabled={settings.reactivate.isPending}
              aria-describedby={settings.reactivate.error ? ids.reactivateError : undefined}
              onClick={() => void settings.reactivate.run()}
            >
              {labels.reactivate}
            </button>
          </div>
          <ErrorMessage error={settings.reactivate.error} id={ids.reactivateError} />
        </div>
      ) : null}
    </section>
  );
}
