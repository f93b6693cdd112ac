import { type CreateInvitationResponse, isPortcullisClientError, type Role } from '@portcullis/client';
import { type FormEvent, useId, useState } from 'react';
import { useInvitations } from '../../hooks/use-organizations.js';
import { useRoles } from '../../hooks/use-roles.js';
import { Dialog } from '../shared/dialog.js';
import { ErrorMessage, errorText, fieldErrorText } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';
import { useOnUserChange } from '../shared/use-on-user-change.js';

/** Visible texts of {@link InviteMemberModal}. */
export interface InviteMemberModalLabels {
  /** The button that opens the dialog, and the dialog's title. */
  open: string;
  email: string;
  emailHint: string;
  role: string;
  submit: string;
  cancel: string;
  link: string;
  linkHint: string;
  copy: string;
  copied: string;
  copyFailed: string;
  done: string;
}

const DEFAULT_LABELS: InviteMemberModalLabels = {
  open: 'Invite member',
  email: 'Email',
  emailHint: 'Leave it empty to create a link anyone who has it can use.',
  role: 'Role',
  submit: 'Send invitation',
  cancel: 'Cancel',
  link: 'Invitation link',
  linkHint: 'Copy the link now: it is shown only once.',
  copy: 'Copy link',
  copied: 'Copied.',
  copyFailed: 'Could not copy: select the link and copy it yourself.',
  done: 'Done',
};

/** Options of {@link useInviteMemberModal}. */
export interface UseInviteMemberModalOptions {
  /**
   * The app's page that accepts invitations (it renders {@link AcceptInvitation}); the link is
   * this address with `?token=…`. A path is made absolute with the page's origin.
   */
  acceptUrl: string;
  /** Default: the active tenant. */
  tenantId?: string;
  /** The role chosen at first (default `member`, when the tenant has it). */
  defaultRole?: string;
  /** Called with the invitation and its link (shown once; the server keeps only a hash). */
  onInvited?(invitation: CreateInvitationResponse, link: string): void;
}

/** Props of {@link InviteMemberModal}. */
export interface InviteMemberModalProps extends UseInviteMemberModalOptions {
  labels?: Partial<InviteMemberModalLabels>;
  className?: string;
}

/** What {@link useInviteMemberModal} returns. */
export interface InviteMemberModalState {
  isOpen: boolean;
  open(): void;
  /** Closes the dialog and forgets the link. */
  close(): void;
  email: string;
  setEmail(email: string): void;
  /** The tenant's roles, each a choice. */
  availableRoles: Role[];
  /** The role keys the invitation grants. */
  roles: string[];
  setRoles(roles: string[]): void;
  submit(event?: FormEvent): Promise<CreateInvitationResponse | undefined>;
  sendAction: AsyncAction<[], CreateInvitationResponse>;
  /** The send error's text when it is about the email field. */
  emailError: string | undefined;
  /** The send error's text when it is about the roles (`unknown_role`, none chosen). */
  roleError: string | undefined;
  /** The send error when it belongs to neither field (e.g. a role you cannot grant: 403). */
  formError: unknown;
  /** The invitation link, once created. */
  link: string | null;
  invitation: CreateInvitationResponse | null;
  copy(): Promise<void>;
  copyState: 'idle' | 'copied' | 'failed';
  ids: {
    email: string;
    emailHint: string;
    emailError: string;
    role: string;
    roleError: string;
    formError: string;
    link: string;
    linkHint: string;
  };
}

/** The link a person opens to accept: `acceptUrl` with the token as `token`. */
export function invitationLink(acceptUrl: string, token: string): string {
  const base = typeof window === 'undefined' ? 'http://localhost' : window.location.href;
  const url = new URL(acceptUrl, base);
  url.searchParams.set('token', token);
  return url.href;
}

/**
 * The headless part of {@link InviteMemberModal}: the dialog's state, the invitation form, the
 * create call with each error routed to its field, and the link, shown once, with copying.
 *
 * @example
 * const invite = useInviteMemberModal({ acceptUrl: '/invitations/accept' });
 */
export function useInviteMemberModal(options: UseInviteMemberModalOptions): InviteMemberModalState {
  const invitations = useInvitations(options.tenantId);
  const { roles: availableRoles } = useRoles(options.tenantId);
  const [isOpen, setOpen] = useState(false);
  const [email, setEmail] = useState('');
  const [chosenRoles, setRoles] = useState<string[] | null>(null);
  const [invitation, setInvitation] = useState<CreateInvitationResponse | null>(null);
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useOnUserChange(() => {
    setOpen(false);
    setEmail('');
    setRoles(null);
    setInvitation(null);
    setCopyState('idle');
  });
  const preferred = options.defaultRole ?? 'member';
  const fallbackRole = availableRoles.some((role) => role.key === preferred)
    ? preferred
    : availableRoles.find((role) => role.key !== 'owner')?.key;
  const roles = chosenRoles ?? (fallbackRole ? [fallbackRole] : []);
  const link = invitation ? invitationLink(options.acceptUrl, invitation.token) : null;
  const { onInvited } = options;

  const sendAction = useAsyncAction(async () => {
    const trimmed = email.trim();
    const created = await invitations.create({ roles, ...(trimmed ? { email: trimmed } : {}) });
    setInvitation(created);
    onInvited?.(created, invitationLink(options.acceptUrl, created.token));
    return created;
  });
  const { error } = sendAction;
  const emailError = fieldErrorText(error, 'email');
  const roleError = isPortcullisClientError(error, 'unknown_role')
    ? errorText(error)
    : fieldErrorText(error, 'roles');
  const base = useId();
  const reset = () => {
    setEmail('');
    setRoles(null);
    setInvitation(null);
    setCopyState('idle');
    sendAction.reset();
  };
  return {
    isOpen,
    open() {
      reset();
      setOpen(true);
    },
    close() {
      setOpen(false);
      reset();
    },
    email,
    setEmail,
    availableRoles,
    roles,
    setRoles,
    submit(event) {
      event?.preventDefault();
      return sendAction.run();
    },
    sendAction,
    emailError,
    roleError,
    formError: emailError || roleError ? undefined : error,
    link,
    invitation,
    async copy() {
      if (!link) return;
      try {
        await navigator.clipboard.writeText(link);
        setCopyState('copied');
      } catch {
        setCopyState('failed');
      }
    },
    copyState,
    ids: {
      email: `${base}-email`,
      emailHint: `${base}-email-hint`,
      emailError: `${base}-email-error`,
      role: `${base}-role`,
      roleError: `${base}-role-error`,
      formError: `${base}-form-error`,
      link: `${base}-link`,
      linkHint: `${base}-link-hint`,
    },
  };
}

/**
 * "Invite member": a button opening a dialog with an email (empty for an open link) and a role;
 * "Send invitation" creates it and shows the link once, with "Copy link". Needs
 * `invitation.manage`: wrap it in a `PermissionGate` to show it only to those who have it.
 *
 * @example
 * <PermissionGate action="invitation.manage">
 *   <InviteMemberModal acceptUrl="/invitations/accept" />
 * </PermissionGate>
 */
export function InviteMemberModal(props: InviteMemberModalProps) {
  const labels = { ...DEFAULT_LABELS, ...props.labels };
  const invite = useInviteMemberModal(props);
  const { ids } = invite;
  return (
    <div className={props.className ? `pc-org-invite ${props.className}` : 'pc-org-invite'}>
      <button type="button" className="pc-button pc-button-primary" onClick={invite.open}>
        {labels.open}
      </button>
      <Dialog open={invite.isOpen} onClose={invite.close} title={labels.open}>
        {invite.link ? (
          <div className="pc-form">
            <div className="pc-field">
              <label className="pc-label" htmlFor={ids.link}>
                {labels.link}
              </label>
              <input
                id={ids.link}
                className="pc-input pc-secret"
                value={invite.link}
                readOnly
                onFocus={(event) => event.currentTarget.select()}
                aria-describedby={ids.linkHint}
              />
              <p id={ids.linkHint} className="pc-hint">
                {labels.linkHint}
              </p>
            </div>
            <div className="pc-org-actions">
              <button
                type="button"
                className="pc-button pc-button-primary"
                onClick={() => void invite.copy()}
              >
                {labels.copy}
              </button>
              <button type="button" className="pc-button" onClick={invite.close}>
                {labels.done}
              </button>
              <output className={invite.copyState === 'failed' ? 'pc-error' : 'pc-success'}>
                {invite.copyState === 'copied'
                  ? labels.copied
                  : invite.copyState === 'failed'
                    ? labels.copyFailed
                    : ''}
              </output>
            </div>
          </div>
        ) : (
          <form className="pc-form" onSubmit={invite.submit} noValidate>
            <div className="pc-field">
              <label className="pc-label" htmlFor={ids.email}>
                {labels.email}
              </label>
              <input
                id={ids.email}
                className="pc-input"
                type="email"
                value={invite.email}
                onChange={(event) => invite.setEmail(event.target.value)}
                autoComplete="off"
                aria-invalid={invite.emailError ? true : undefined}
                aria-describedby={invite.emailError ? `${ids.emailHint} ${ids.emailError}` : ids.emailHint}
              />
              <p id={ids.emailHint} className="pc-hint">
                {labels.emailHint}
              </p>
              {invite.emailError ? (
                <p role="alert" id={ids.emailError} className="pc-error">
                  {invite.emailError}
                </p>
              ) : null}
            </div>
            <div className="pc-field">
              <label className="pc-label" htmlFor={ids.role}>
                {labels.role}
              </label>
              <select
                id={ids.role}
                className="pc-select"
                value={invite.roles[0] ?? ''}
                onChange={(event) => invite.setRoles([event.target.value])}
                disabled={invite.availableRoles.length === 0}
                aria-invalid={invite.roleError ? true : undefined}
                aria-describedby={invite.roleError ? ids.roleError : undefined}
              >
                {invite.availableRoles.map((role) => (
                  <option key={role.key} value={role.key}>
                    {role.name}
                  </option>
                ))}
              </select>
              {invite.roleError ? (
                <p role="alert" id={ids.roleError} className="pc-error">
                  {invite.roleError}
                </p>
              ) : null}
            </div>
            <div className="pc-org-actions">
              <button
                type="submit"
                className="pc-button pc-button-primary"
                disabled={invite.sendAction.isPending}
                aria-describedby={invite.formError ? ids.formError : undefined}
              >
                {labels.submit}
              </button>
              <button type="button" className="pc-button" onClick={invite.close}>
                {labels.cancel}
              </button>
            </div>
            <ErrorMessage error={invite.formError} id={ids.formError} />
          </form>
        )}
      </Dialog>
    </div>
  );
}
