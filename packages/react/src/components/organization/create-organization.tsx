import { isPortcullisClientError, type Tenant } from '@portcullis/client';
import { type FormEvent, useId, useState } from 'react';
import { useOrganizations } from '../../hooks/use-organizations.js';
import { usePortcullis } from '../../portcullis-provider.js';
import { ErrorMessage, errorText, fieldErrorText } from '../shared/error-message.js';
import { useAsyncAction } from '../shared/use-async-action.js';

/** Visible texts of {@link CreateOrganization}. */
export interface CreateOrganizationLabels {
  /** The heading; `null` leaves it out (inside a dialog that has its own title). */
  title: string | null;
  name: string;
  slug: string;
  slugHint: string;
  submit: string;
  cancel: string;
}

const DEFAULT_LABELS: CreateOrganizationLabels = {
  title: 'Create organization',
  name: 'Organization name',
  slug: 'Slug',
  slugHint: 'Lower-case letters, digits and hyphens. It names the organization in addresses.',
  submit: 'Create organization',
  cancel: 'Cancel',
};

/** Options of {@link useCreateOrganization}. */
export interface UseCreateOrganizationOptions {
  /** Called with the new tenant (the caller is its owner). */
  onCreated?(tenant: Tenant): void;
  /** Make the new organization the active one (default true). */
  activate?: boolean;
}

/** Props of {@link CreateOrganization}. */
export interface CreateOrganizationProps extends UseCreateOrganizationOptions {
  /** Shows a Cancel button that calls it. */
  onCancel?(): void;
  labels?: Partial<CreateOrganizationLabels>;
  className?: string;
}

/** What {@link useCreateOrganization} returns. */
export interface CreateOrganizationState {
  name: string;
  slug: string;
  setName(name: string): void;
  /** Editing the slug stops it following the name. */
  setSlug(slug: string): void;
  /** Whether the slug was typed rather than suggested. */
  slugEdited: boolean;
  submit(event?: FormEvent): Promise<Tenant | undefined>;
  isPending: boolean;
  /** The last error, whichever control it belongs to. */
  error: unknown;
  /** The error's text when it is about the name field. */
  nameError: string | undefined;
  /** The error's text when it is about the slug (`slug_taken`, an invalid slug). */
  slugError: string | undefined;
  /** The error when it belongs to neither field (shown by the submit button). */
  formError: unknown;
  ids: {
    name: string;
    slug: string;
    slugHint: string;
    nameError: string;
    slugError: string;
    formError: string;
  };
}

/**
 * A slug suggested by an organization's name: accents dropped, lower case, words joined by
 * hyphens, at most 63 characters ("Émile & Co." → `emile-co`).
 *
 * @example
 * suggestSlug('Acme Research Ltd'); // 'acme-research-ltd'
 */
export function suggestSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/**
 * The headless part of {@link CreateOrganization}: name and slug state (the slug follows the name
 * until edited), the create call, and each error routed to the field it is about.
 *
 * @example
 * const form = useCreateOrganization({ onCreated: (tenant) => router.push(`/orgs/${tenant.id}`) });
 */
export function useCreateOrganization(options: UseCreateOrganizationOptions = {}): CreateOrganizationState {
  const { setActiveTenant } = usePortcullis();
  const { create } = useOrganizations();
  const [name, setNameState] = useState('');
  const [typedSlug, setTypedSlug] = useState<string | null>(null);
  const slug = typedSlug ?? suggestSlug(name);
  const action = useAsyncAction(async () => {
    const tenant = await create({ name, slug });
    if (options.activate ?? true) setActiveTenant(tenant.id);
    options.onCreated?.(tenant);
    return tenant;
  });
  const base = useId();
  const ids = {
    name: `${base}-name`,
    slug: `${base}-slug`,
    slugHint: `${base}-slug-hint`,
    nameError: `${base}-name-error`,
    slugError: `${base}-slug-error`,
    formError: `${base}-form-error`,
  };
  const { error } = action;
  const slugError = isPortcullisClientError(error, 'slug_taken')
    ? errorText(error)
    : fieldErrorText(error, 'slug');
  const nameError = fieldErrorText(error, 'name');
  return {
    name,
    slug,
    setName: setNameState,
    setSlug: setTypedSlug,
    slugEdited: typedSlug !== null,
    submit(event) {
      event?.preventDefault();
      return action.run();
    },
    isPending: action.isPending,
    error,
    nameError,
    slugError,
    formError: slugError || nameError ? undefined : error,
    ids,
  };
}

/**
 * A form that creates an organization: its name, and a slug suggested from the name (editable).
 * A taken slug is reported beside the slug field. The new organization becomes the active one.
 *
 * @example
 * <CreateOrganization onCreated={(tenant) => router.push(`/orgs/${tenant.id}`)} />
 */
export function CreateOrganization(props: CreateOrganizationProps) {
  const labels = { ...DEFAULT_LABELS, ...props.labels };
  const form = useCreateOrganization(props);
  const { ids } = form;
  return (
    <form
      className={props.className ? `pc-form pc-org-create ${props.className}` : 'pc-form pc-org-create'}
      onSubmit={form.submit}
      noValidate
    >
      {labels.title === null ? null : <h2 className="pc-card-title">{labels.title}</h2>}
      <div className="pc-field">
        <label className="pc-label" htmlFor={ids.name}>
          {labels.name}
        </label>
        <input
          id={ids.name}
          className="pc-input"
          value={form.name}
          onChange={(event) => form.setName(event.target.value)}
          autoComplete="organization"
          required
          aria-invalid={form.nameError ? true : undefined}
          aria-describedby={form.nameError ? ids.nameError : undefined}
        />
        {form.nameError ? (
          <p role="alert" id={ids.nameError} className="pc-error">
            {form.nameError}
          </p>
        ) : null}
      </div>
      <div className="pc-field">
        <label className="pc-label" htmlFor={ids.slug}>
          {labels.slug}
        </label>
        <input
          id={ids.slug}
          className="pc-input pc-org-slug-input"
          value={form.slug}
          onChange={(event) => form.setSlug(event.target.value)}
          autoCapitalize="none"
          autoComplete="off"
          spellCheck={false}
          required
          aria-invalid={form.slugError ? true : undefined}
          aria-describedby={form.slugError ? `${ids.slugHint} ${ids.slugError}` : ids.slugHint}
        />
        <p id={ids.slugHint} className="pc-hint">
          {labels.slugHint}
        </p>
        {form.slugError ? (
          <p role="alert" id={ids.slugError} className="pc-error">
            {form.slugError}
          </p>
        ) : null}
      </div>
      <div className="pc-org-actions">
        <button
          type="submit"
          className="pc-button pc-button-primary"
          disabled={form.isPending}
          aria-describedby={form.formError ? ids.formError : undefined}
        >
          {labels.submit}
        </button>
        {props.onCancel ? (
          <button type="button" className="pc-button" onClick={props.onCancel}>
            {labels.cancel}
          </button>
        ) : null}
      </div>
      <ErrorMessage error={form.formError} id={ids.formError} />
    </form>
  );
}
