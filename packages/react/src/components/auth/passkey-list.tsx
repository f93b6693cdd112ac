import type { Passkey } from '@portcullis/client';
import {
  type FormEvent,
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import { usePasskeys } from '../../hooks/use-account.js';
import { usePortcullis } from '../../portcullis-provider.js';
import { ConfirmButton } from '../shared/confirm-button.js';
import { ErrorMessage } from '../shared/error-message.js';
import { type AsyncAction, useAsyncAction } from '../shared/use-async-action.js';
import { useOnUserChange } from '../shared/use-on-user-change.js';
import { Field } from './field.js';
import { type FormField, unclaimedError, useFormField } from './form-field.js';
import { formatRelative } from './format-relative.js';
import { isCeremonyCancelled, registerPasskey, usePasskeySupport } from './passkey-ceremonies.js';
import { RecoveryCodes, type RecoveryCodesLabels } from './recovery-codes.js';
import { type StepUp, StepUpDialog, useStepUp } from './use-step-up.js';

/** Props of {@link usePasskeyList} and {@link PasskeyList}. */
export interface PasskeyListProps {
  /** Called after a passkey was added. */
  onAdded?(passkey: { id?: string; name?: string }): void;
  labels?: Partial<PasskeyListLabels>;
  className?: string;
}

/** What {@link usePasskeyList} returns. */
export interface PasskeyListState {
  passkeys: Passkey[];
  isLoading: boolean;
  /** The list's load error. */
  error: unknown;
  /** Whether "Add a passkey" applies (a browser with WebAuthn; false while rendering on the server). */
  canAdd: boolean;
  /** "Add a passkey": the browser's ceremony through the client's WebAuthn helper. */
  add: AsyncAction<[], unknown>;
  /** The add's error (a dismissed browser prompt is not one). */
  addError: unknown;
  /** The passkey being renamed, or null. */
  renaming: string | null;
  startRename(passkey: Passkey): void;
  cancelRename(): void;
  /** The rename form's "Passkey name" field. */
  name: FormField;
  /** For the rename `<form>`: Enter saves, Escape cancels. */
  renameFormProps: {
    onSubmit(event: FormEvent<HTMLFormElement>): void;
    onKeyDown(event: KeyboardEvent<HTMLFormElement>): void;
    noValidate: true;
  };
  rename: AsyncAction<[], unknown>;
  renameError: unknown;
  /** Deletes a passkey (for a `ConfirmButton`); asks for fresh authentication when the server does. */
  remove(passkeyId: string): Promise<void>;
  /** Recovery codes the server made with a first second factor, shown once. */
  recoveryCodes: string[] | null;
  dismissRecoveryCodes(): void;
  /** Where focus goes back after a rename: the row's "Rename" button registers itself here. */
  renameButtonRef(passkeyId: string): (element: HTMLButtonElement | null) => void;
  stepUp: StepUp;
}

/** The signed-in user's passkeys (`GET /passkeys`): add, rename, remove. */
export function usePasskeyList(props: PasskeyListProps = {}): PasskeyListState {
  const { client, cache } = usePortcullis();
  const list = usePasskeys();
  const stepUp = useStepUp();
  const canAdd = usePasskeySupport();
  const { onAdded } = props;
  const [renaming, setRenaming] = useState<string | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  useOnUserChange(() => setRecoveryCodes(null));
  const renameButtons = useRef(new Map<string, HTMLButtonElement>());

  const add = useAsyncAction(async () => {
    const added = await stepUp.run(() => registerPasskey(client));
    await list.invalidate();
    // a first second factor comes with recovery codes, and the MFA status changed
    await cache.invalidate('mfa');
    if (added.recoveryCodes?.length) setRecoveryCodes(added.recoveryCodes);
    onAdded?.(added);
  });
  const rename = useAsyncAction(async () => {
    if (!renaming) return;
    await list.rename(renaming, name.value.trim());
    closeRename(renaming);
  });
  const name = useFormField('name', { error: rename.error });
  const { setValue: setName } = name;
  const { reset: resetRename } = rename;

  const focusAfterRename = useRef<string | null>(null);
  const closeRename = useCallback(
    (passkeyId: string) => {
      focusAfterRename.current = passkeyId;
      setRenaming(null);
      resetRename();
    },
    [resetRename],
  );
  useEffect(() => {
    // the form replaced the row's buttons: once they are back, focus returns where it started
    if (renaming !== null || !focusAfterRename.current) return;
    renameButtons.current.get(focusAfterRename.current)?.focus();
    focusAfterRename.current = null;
  });

  return {
    passkeys: list.passkeys,
    isLoading: list.isLoading,
    error: list.error,
    canAdd,
    add,
    addError: isCeremonyCancelled(add.error) ? undefined : add.error,
    renaming,
    startRename(passkey) {
      resetRename();
      setName(passkey.name);
      setRenaming(passkey.id);
    },
    cancelRename() {
      if (renaming) closeRename(renaming);
    },
    name,
    renameFormProps: {
      noValidate: true,
      onSubmit(event) {
        event.preventDefault();
        void rename.run();
      },
      onKeyDown(event) {
        if (event.key === 'Escape' && renaming) {
          event.preventDefault();
          closeRename(renaming);
        }
      },
    },
    rename,
    renameError: unclaimedError(rename.error, [name]),
    async remove(passkeyId) {
      await stepUp.run(() => list.remove(passkeyId));
      await cache.invalidate('mfa');
    },
    recoveryCodes,
    dismissRecoveryCodes: () => setRecoveryCodes(null),
    renameButtonRef: (passkeyId) => (element) => {
      if (element) renameButtons.current.set(passkeyId, element);
      else renameButtons.current.delete(passkeyId);
    },
    stepUp,
  };
}

/** Visible texts of {@link PasskeyList}. */
export interface PasskeyListLabels {
  title: string;
  description: string;
  loading: string;
  empty: string;
  add: string;
  synced: string;
  added(at: Date): ReactNode;
  lastUsed(at: Date | null): ReactNode;
  rename: string;
  name: string;
  save: string;
  cancel: string;
  remove: string;
  removeQuestion(name: string): ReactNode;
  recoveryCodes?: Partial<RecoveryCodesLabels>;
}

const PASSKEY_LIST_LABELS: PasskeyListLabels = {
  title: 'Passkeys',
  description: 'Sign in with your fingerprint, face or screen lock instead of a password.',
  loading: 'Loading passkeys…',
  empty: 'No passkeys yet.',
  add: 'Add a passkey',
  synced: 'Synced',
  added: (at) => <>Added {at.toLocaleDateString()}</>,
  lastUsed: (at) => (at ? <>Last used {formatRelative(at)}</> : 'Never used'),
  rename: 'Rename',
  name: 'Passkey name',
  save: 'Save',
  cancel: 'Cancel',
  remove: 'Remove',
  removeQuestion: (name) => <>Remove “{name}”? You can no longer sign in with it.</>,
};

/**
 * The signed-in user's passkeys: each with its name, when it was added and last used, "Rename"
 * and "Remove"; "Add a passkey" where the browser can. Asks for the password first when the
 * server wants a fresh sign-in.
 *
 * Adding needs the client's WebAuthn helper: `withWebAuthn(createPortcullisClient(…))` from
 * `@portcullis/client/webauthn`.
 *
 * @example
 * <PasskeyList />
 */
export function PasskeyList(props: PasskeyListProps) {
  const labels = { ...PASSKEY_LIST_LABELS, ...props.labels };
  const state = usePasskeyList(props);
  const titleId = useId();
  const addErrorId = useId();
  const renameErrorId = useId();
  return (
    <section className={props.className ?? 'pc-card pc-auth-passkeys'} aria-labelledby={titleId}>
      <h2 id={titleId} className="pc-card-title">
        {labels.title}
      </h2>
      <p className="pc-hint">{labels.description}</p>
      {state.isLoading ? <p className="pc-hint">{labels.loading}</p> : null}
      <ErrorMessage error={state.error} />
      {!state.isLoading && state.passkeys.length === 0 ? <p className="pc-hint">{labels.empty}</p> : null}
      <ul className="pc-list">
        {state.passkeys.map((passkey) => (
          <li key={passkey.id} className="pc-list-item">
            {state.renaming === passkey.id ? (
              <form className="pc-auth-inline-form" {...state.renameFormProps}>
                <Field field={state.name} label={labels.name} required maxLength={100} autoFocus />
                <div className="pc-auth-actions">
                  <button
                    type="submit"
                    className="pc-button pc-button-primary"
                    disabled={state.rename.isPending}
                    aria-describedby={state.renameError ? renameErrorId : undefined}
                  >
                    {labels.save}
                  </button>
                  <button type="button" className="pc-button" onClick={state.cancelRename}>
                    {labels.cancel}
                  </button>
                </div>
                <ErrorMessage error={state.renameError} id={renameErrorId} />
              </form>
            ) : (
              <>
                <div className="pc-auth-item-text">
                  <strong>{passkey.name}</strong>
                  {passkey.backedUp ? <span className="pc-badge">{labels.synced}</span> : null}
                  <span className="pc-hint">
                    {labels.added(new Date(passkey.createdAt))} ·{' '}
                    {labels.lastUsed(passkey.lastUsedAt ? new Date(passkey.lastUsedAt) : null)}
                  </span>
                </div>
                <div className="pc-auth-actions">
                  <button
                    ref={state.renameButtonRef(passkey.id)}
                    type="button"
                    className="pc-button"
                    aria-label={`${labels.rename} ${passkey.name}`}
                    onClick={() => state.startRename(passkey)}
                  >
                    {labels.rename}
                  </button>
                  <ConfirmButton
                    question={labels.removeQuestion(passkey.name)}
                    onConfirm={() => state.remove(passkey.id)}
                  >
                    {labels.remove}
                  </ConfirmButton>
                </div>
              </>
            )}
          </li>
        ))}
      </ul>
      {state.recoveryCodes ? (
        <RecoveryCodes
          codes={state.recoveryCodes}
          onDone={state.dismissRecoveryCodes}
          {...(labels.recoveryCodes ? { labels: labels.recoveryCodes } : {})}
        />
      ) : null}
      {state.canAdd ? (
        <div className="pc-auth-alternative">
          <button
            type="button"
            className="pc-button pc-button-primary"
            disabled={state.add.isPending}
            aria-describedby={state.addError ? addErrorId : undefined}
            onClick={() => void state.add.run()}
          >
            {labels.add}
          </button>
          <ErrorMessage error={state.addError} id={addErrorId} />
        </div>
      ) : null}
      <StepUpDialog stepUp={state.stepUp} />
    </section>
  );
}
