import type { Tenant } from '@portcullis/client';
import {
  type ButtonHTMLAttributes,
  type HTMLAttributes,
  type KeyboardEvent,
  type RefObject,
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { useOrganizations } from '../../hooks/use-organizations.js';
import { useResource } from '../../hooks/use-resource.js';
import { usePortcullis } from '../../portcullis-provider.js';
import { Dialog } from '../shared/dialog.js';
import { ErrorMessage } from '../shared/error-message.js';
import { CreateOrganization } from './create-organization.js';

/** Visible texts of {@link OrganizationSwitcher}. */
export interface OrganizationSwitcherLabels {
  /** The button's text while no organization is active. */
  placeholder: string;
  /** Read before the active organization's name by screen readers ("Organization: Acme"). */
  buttonPrefix: string;
  /** The menu's accessible name. */
  menu: string;
  /** The entry that loads the next page of organizations. */
  more: string;
  create: string;
  loading: string;
}

const DEFAULT_LABELS: OrganizationSwitcherLabels = {
  placeholder: 'Choose an organization',
  buttonPrefix: 'Organization: ',
  menu: 'Organizations',
  more: 'More organizations',
  create: 'Create organization',
  loading: 'Loading…',
};

/** One entry of the switcher's menu. */
export type OrganizationSwitcherEntry =
  | { kind: 'tenant'; key: string; label: string; tenant: Tenant; active: boolean }
  | { kind: 'more'; key: 'more'; label: string }
  | { kind: 'create'; key: 'create'; label: string };

/** Options of {@link useOrganizationSwitcher}. */
export interface UseOrganizationSwitcherOptions {
  /** Called after the active organization changed (the provider's `onActiveTenantChange` runs first). */
  onSwitch?(tenant: Tenant): void;
  /**
   * The "Create organization" entry calls this (e.g. to navigate to a page). Without it the
   * entry opens a dialog with {@link CreateOrganization}, and the new organization becomes active.
   */
  onCreateOrganization?(): void;
  /** Leaves the "Create organization" entry out. */
  hideCreate?: boolean;
  /** Organizations per page (default 50). */
  pageSize?: number;
  labels?: Partial<OrganizationSwitcherLabels>;
}

/** Props of {@link OrganizationSwitcher}. */
export interface OrganizationSwitcherProps extends UseOrganizationSwitcherOptions {
  className?: string;
}

/** What {@link useOrganizationSwitcher} returns. */
export interface OrganizationSwitcherState {
  labels: OrganizationSwitcherLabels;
  activeTenantId: string | null;
  /** The active organization, once known. */
  activeTenant: Tenant | undefined;
  entries: OrganizationSwitcherEntry[];
  isOpen: boolean;
  isLoading: boolean;
  /** Loading the list or its next page failed. */
  error: unknown;
  /** The entry that has focus while the menu is open. */
  highlightedIndex: number;
  /** Opens the menu and focuses its first (or last) entry. */
  open(focus?: 'first' | 'last'): void;
  close(options?: { restoreFocus?: boolean }): void;
  /** Acts on an entry: switch, load more, or create. */
  choose(entry: OrganizationSwitcherEntry): Promise<void>;
  /** Whether the built-in create dialog is open. */
  isCreating: boolean;
  closeCreate(): void;
  /** For the built-in create dialog's `onCreated`. */
  handleCreated(tenant: Tenant): void;
  getRootProps(): { ref: RefObject<HTMLDivElement | null> };
  getButtonProps(): ButtonHTMLAttributes<HTMLButtonElement> & { ref: RefObject<HTMLButtonElement | null> };
  getMenuProps(): HTMLAttributes<HTMLUListElement>;
  getItemProps(index: number): HTMLAttributes<HTMLLIElement> & { ref(element: HTMLLIElement | null): void };
}

/**
 * The headless part of {@link OrganizationSwitcher}: the organizations (a page at a time), the
 * active one, and a WAI-ARIA menu button (Enter, Space or ↓ opens on the first entry, ↑ on the
 * last; ↑ ↓ Home End move; a letter jumps to the next entry starting with it; Enter or Space
 * chooses; Escape closes and returns focus to the button; Tab closes).
 *
 * @example
 * const switcher = useOrganizationSwitcher();
 * <button {...switcher.getButtonProps()}>{switcher.activeTenant?.name}</button>
 * <ul {...switcher.getMenuProps()}>
 *   {switcher.entries.map((entry, i) => <li key={entry.key} {...switcher.getItemProps(i)}>{entry.label}</li>)}
 * </ul>
 */
export function useOrganizationSwitcher(
  options: UseOrganizationSwitcherOptions = {},
): OrganizationSwitcherState {
  const labels = { ...DEFAULT_LABELS, ...options.labels };
  const { client, activeTenantId, setActiveTenant } = usePortcullis();
  const organizations = useOrganizations({ limit: options.pageSize ?? 50 });
  const listed = organizations.items.find((tenant) => tenant.id === activeTenantId);
  // the active tenant may be on a page not loaded yet: then ask for it alone
  const single = useResource(
    activeTenantId && !listed && !organizations.isLoading ? `tenant:${activeTenantId}` : null,
    () => client.tenants.get(activeTenantId as string),
  );
  const activeTenant = listed ?? single.data;

  const [isOpen, setOpen] = useState(false);
  const [highlightedIndex, setHighlightedIndex] = useState(0);
  const [isCreating, setCreating] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const itemRefs = useRef<Array<HTMLLIElement | null>>([]);
  const menuId = useId();
  const buttonId = useId();

  const entries: OrganizationSwitcherEntry[] = organizations.items.map((tenant) => ({
    kind: 'tenant',
    key: tenant.id,
    label: tenant.name,
    tenant,
    active: tenant.id === activeTenantId,
  }));
  if (organizations.hasMore) entries.push({ kind: 'more', key: 'more', label: labels.more });
  if (!options.hideCreate) entries.push({ kind: 'create', key: 'create', label: labels.create });
  const count = entries.length;

  const open = useCallback(
    (focus: 'first' | 'last' = 'first') => {
      setHighlightedIndex(focus === 'first' ? 0 : Math.max(count - 1, 0));
      setOpen(true);
    },
    [count],
  );
  const close = useCallback(({ restoreFocus = true } = {}) => {
    setOpen(false);
    if (restoreFocus) buttonRef.current?.focus();
  }, []);

  // roving focus: the highlighted entry holds the focus while the menu is open
  useEffect(() => {
    if (isOpen) itemRefs.current[highlightedIndex]?.focus();
  }, [isOpen, highlightedIndex]);

  // a press outside closes the menu without taking the focus back
  useEffect(() => {
    if (!isOpen) return;
    const onPointerDown = (event: Event) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [isOpen]);

  const { loadMore } = organizations;
  const { onSwitch, onCreateOrganization } = options;
  const choose = useCallback(
    async (entry: OrganizationSwitcherEntry) => {
      if (entry.kind === 'tenant') {
        close();
        if (!entry.active) {
          setActiveTenant(entry.tenant.id);
          onSwitch?.(entry.tenant);
        }
        return;
      }
      if (entry.kind === 'create') {
        close({ restoreFocus: false });
        if (onCreateOrganization) onCreateOrganization();
        else setCreating(true);
        return;
      }
      const firstNew = organizations.items.length;
      setMoreError(undefined);
      try {
        await loadMore();
        // the focus goes to the first organization the page brought
        setHighlightedIndex(firstNew);
      } catch (error) {
        setMoreError(error);
      }
    },
    [close, setActiveTenant, onSwitch, onCreateOrganization, loadMore, organizations.items.length],
  );

  const onMenuKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const move = (index: number) => {
      event.preventDefault();
      if (count > 0) setHighlightedIndex((index + count) % count);
    };
    switch (event.key) {
      case 'ArrowDown':
        return move(highlightedIndex + 1);
      case 'ArrowUp':
        return move(highlightedIndex - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(count - 1);
      case 'Escape':
        event.preventDefault();
        return close();
      case 'Tab':
        return close({ restoreFocus: false });
      case 'Enter':
      case ' ': {
        event.preventDefault();
        const entry = entries[highlightedIndex];
        if (entry) void choose(entry);
        return;
      }
      default: {
        if (event.key.length !== 1 || event.ctrlKey || event.metaKey || event.altKey) return;
        const letter = event.key.toLowerCase();
        for (let step = 1; step <= count; step++) {
          const index = (highlightedIndex + step) % count;
          if (entries[index]?.label.toLowerCase().startsWith(letter)) return move(index);
        }
      }
    }
  };

  return {
    labels,
    activeTenantId,
    activeTenant,
    entries,
    isOpen,
    isLoading: organizations.isLoading,
    error: moreError ?? organizations.error,
    highlightedIndex,
    open,
    close,
    choose,
    isCreating,
    closeCreate() {
      setCreating(false);
      buttonRef.current?.focus();
    },
    handleCreated(tenant) {
      setCreating(false);
      buttonRef.current?.focus();
      onSwitch?.(tenant);
    },
    getRootProps: () => ({ ref: rootRef }),
    getButtonProps: () => ({
      ref: buttonRef,
      id: buttonId,
      type: 'button',
      'aria-haspopup': 'menu',
      'aria-expanded': isOpen,
      'aria-controls': menuId,
      onClick: () => (isOpen ? close() : open('first')),
      onKeyDown(event) {
        if (event.key === 'ArrowDown' || event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          open('first');
        } else if (event.key === 'ArrowUp') {
          event.preventDefault();
          open('last');
        }
      },
    }),
    getMenuProps: () => ({
      id: menuId,
      role: 'menu',
      'aria-label': labels.menu,
      hidden: !isOpen,
      onKeyDown: onMenuKeyDown,
    }),
    getItemProps(index) {
      const entry = entries[index];
      return {
        ref(element) {
          itemRefs.current[index] = element;
        },
        role: entry?.kind === 'tenant' ? 'menuitemradio' : 'menuitem',
        'aria-checked': entry?.kind === 'tenant' ? entry.active : undefined,
        tabIndex: -1,
        onClick: () => {
          if (entry) void choose(entry);
        },
      };
    },
  };
}

/**
 * The active organization as a menu button, in an app's header: the user's organizations (more
 * on demand), switching with `setActiveTenant`, and "Create organization".
 *
 * @example
 * <PortcullisProvider client={client} activeTenantId={params.tenantId}
 *   onActiveTenantChange={(id) => router.push(`/orgs/${id}`)}>
 *   <header><OrganizationSwitcher onCreateOrganization={() => router.push('/orgs/new')} /></header>
 * </PortcullisProvider>
 */
export function OrganizationSwitcher(props: OrganizationSwitcherProps) {
  const switcher = useOrganizationSwitcher(props);
  const { labels, activeTenant, activeTenantId } = switcher;
  const current = activeTenant?.name ?? (activeTenantId ? labels.loading : labels.placeholder);
  return (
    <div
      className={props.className ? `pc-org-switcher ${props.className}` : 'pc-org-switcher'}
      {...switcher.getRootProps()}
    >
      <button className="pc-button pc-org-switcher-button" {...switcher.getButtonProps()}>
        <OrganizationAvatar name={activeTenant?.name ?? ''} />
        <span className="pc-visually-hidden">{labels.buttonPrefix}</span>
        <span className="pc-org-switcher-current">{current}</span>
        <span aria-hidden="true" className="pc-org-switcher-chevron">
          ▾
        </span>
      </button>
      <ul className="pc-org-menu" {...switcher.getMenuProps()}>
        {switcher.entries.map((entry, index) => (
          <li
            key={entry.key}
            className={`pc-org-menu-item pc-org-menu-${entry.kind}`}
            {...switcher.getItemProps(index)}
          >
            {entry.kind === 'tenant' ? (
              <>
                <OrganizationAvatar name={entry.tenant.name} />
                <span className="pc-org-menu-label">
                  <span>{entry.tenant.name}</span>
                  <span className="pc-org-menu-slug">{entry.tenant.slug}</span>
                </span>
                <span aria-hidden="true" className="pc-org-menu-check">
                  {entry.active ? '✓' : ''}
                </span>
              </>
            ) : (
              entry.label
            )}
          </li>
        ))}
      </ul>
      <ErrorMessage error={switcher.error} />
      {props.onCreateOrganization ? null : (
        <Dialog open={switcher.isCreating} onClose={switcher.closeCreate} title={labels.create}>
          <CreateOrganization
            labels={{ title: null }}
            onCreated={switcher.handleCreated}
            onCancel={switcher.closeCreate}
          />
        </Dialog>
      )}
    </div>
  );
}

/** The first letters of an organization's name in a square, beside it (decorative). */
function OrganizationAvatar({ name }: { name: string }) {
  const initials = name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word.charAt(0).toUpperCase())
    .join('');
  return (
    <span aria-hidden="true" className="pc-org-avatar">
      {initials || '·'}
    </span>
  );
}
