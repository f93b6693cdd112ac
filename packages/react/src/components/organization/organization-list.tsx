import type { Tenant } from '@portcullis/client';
import { useId } from 'react';
import { useOrganizations } from '../../hooks/use-organizations.js';
import { usePortcullis } from '../../portcullis-provider.js';
import { ErrorMessage } from '../shared/error-message.js';
import { LoadMoreButton } from '../shared/load-more-button.js';
import { useAsyncAction } from '../shared/use-async-action.js';

/** Visible texts of {@link OrganizationList}. */
export interface OrganizationListLabels {
  title: string;
  empty: string;
  loading: string;
  loadMore: string;
  suspended: string;
  current: string;
}

const DEFAULT_LABELS: OrganizationListLabels = {
  title: 'Organizations',
  empty: 'You are not a member of any organization yet.',
  loading: 'Loading organizations…',
  loadMore: 'Load more',
  suspended: 'Suspended',
  current: 'Current',
};

/** Options of {@link useOrganizationList}. */
export interface UseOrganizationListOptions {
  /**
   * Called when an organization is opened; by default opening also makes it the active one
   * (the provider's `onActiveTenantChange` can navigate).
   */
  onOpen?(tenant: Tenant): void;
  /** Render each organization as a link to this address instead of a button. */
  getHref?(tenant: Tenant): string;
  /** Organizations per page (default 50). */
  pageSize?: number;
}

/** Props of {@link OrganizationList}. */
export interface OrganizationListProps extends UseOrganizationListOptions {
  labels?: Partial<OrganizationListLabels>;
  className?: string;
}

/** What {@link useOrganizationList} returns. */
export interface OrganizationListState {
  organizations: Array<{ tenant: Tenant; isActive: boolean; href: string | undefined }>;
  isLoading: boolean;
  /** Loading the list failed. */
  error: unknown;
  hasMore: boolean;
  loadMore(): Promise<void>;
  isLoadingMore: boolean;
  /** Loading the next page failed. */
  loadMoreError: unknown;
  /** Makes `tenant` active and calls `onOpen`. */
  open(tenant: Tenant): void;
}

/**
 * The headless part of {@link OrganizationList}: the user's organizations a page at a time,
 * which one is active, and opening one.
 *
 * @example
 * const { organizations, open } = useOrganizationList();
 */
export function useOrganizationList(options: UseOrganizationListOptions = {}): OrganizationListState {
  const { activeTenantId, setActiveTenant } = usePortcullis();
  const list = useOrganizations({ limit: options.pageSize ?? 50 });
  const more = useAsyncAction(() => list.loadMore());
  return {
    organizations: list.items.map((tenant) => ({
      tenant,
      isActive: tenant.id === activeTenantId,
      href: options.getHref?.(tenant),
    })),
    isLoading: list.isLoading,
    error: list.error,
    hasMore: list.hasMore,
    async loadMore() {
      await more.run();
    },
    isLoadingMore: more.isPending,
    loadMoreError: more.error,
    open(tenant) {
      setActiveTenant(tenant.id);
      options.onOpen?.(tenant);
    },
  };
}

/**
 * The organizations the signed-in user belongs to, as rows with name and slug; choosing one
 * opens it.
 *
 * @example
 * <OrganizationList getHref={(tenant) => `/orgs/${tenant.id}`} />
 */
export function OrganizationList(props: OrganizationListProps) {
  const labels = { ...DEFAULT_LABELS, ...props.labels };
  const list = useOrganizationList(props);
  const titleId = useId();
  return (
    <section
      className={props.className ? `pc-card pc-org-list ${props.className}` : 'pc-card pc-org-list'}
      aria-labelledby={titleId}
    >
      <h2 id={titleId} className="pc-card-title">
        {labels.title}
      </h2>
      <ErrorMessage error={list.error} />
      {list.isLoading ? <p className="pc-hint">{labels.loading}</p> : null}
      {!list.isLoading && !list.error && list.organizations.length === 0 ? (
        <p className="pc-hint">{labels.empty}</p>
      ) : null}
      {list.organizations.length > 0 ? (
        <ul className="pc-list">
          {list.organizations.map(({ tenant, isActive, href }) => (
            <li key={tenant.id} className="pc-list-item pc-org-list-item">
              <span className="pc-org-list-main">
                {href ? (
                  <a
                    className="pc-org-list-name"
                    href={href}
                    aria-current={isActive ? 'page' : undefined}
                    onClick={() => list.open(tenant)}
                  >
                    {tenant.name}
                  </a>
                ) : (
                  <button
                    type="button"
                    className="pc-org-list-name pc-org-link-button"
                    aria-current={isActive ? 'true' : undefined}
                    onClick={() => list.open(tenant)}
                  >
                    {tenant.name}
                  </button>
                )}
                <span className="pc-org-list-slug">{tenant.slug}</span>
              </span>
              <span className="pc-org-list-badges">
                {isActive ? <span className="pc-badge">{labels.current}</span> : null}
                {tenant.status === 'suspended' ? (
                  <span className="pc-badge pc-org-badge-warning">{labels.suspended}</span>
                ) : null}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {list.hasMore ? (
        <LoadMoreButton
          className="pc-org-actions"
          pending={list.isLoadingMore}
          error={list.loadMoreError}
          onLoadMore={() => void list.loadMore()}
        >
          {labels.loadMore}
        </LoadMoreButton>
      ) : null}
    </section>
  );
}
