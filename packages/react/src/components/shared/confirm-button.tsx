import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { ErrorMessage } from './error-message.js';
import { useAsyncAction } from './use-async-action.js';

/** Props of {@link ConfirmButton}. */
export interface ConfirmButtonProps {
  /** The destructive action; its error shows beside the button. */
  onConfirm(): Promise<unknown>;
  children: ReactNode;
  /** The question shown before acting, e.g. "Revoke this key? Apps using it stop working." */
  question: ReactNode;
  confirmLabel?: ReactNode;
  cancelLabel?: ReactNode;
  disabled?: boolean;
  className?: string;
}

/**
 * A destructive action that asks first: the first click shows the question with Confirm and
 * Cancel (focus moves to Cancel, Escape cancels), the second acts.
 */
export function ConfirmButton(props: ConfirmButtonProps) {
  const [asking, setAsking] = useState(false);
  const action = useAsyncAction(props.onConfirm);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const questionId = useId();
  const errorId = useId();
  // the question replaces the button: once it goes, the focus goes back to the button, or it
  // would fall to the page's start (a keyboard user loses their place, a failure its context)
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (wasAsking.current) triggerRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <span className="pc-confirm">
        <button
          ref={triggerRef}
          type="button"
          className={props.className ?? 'pc-button pc-button-danger'}
          disabled={props.disabled || action.isPending}
          aria-describedby={action.error ? errorId : undefined}
          onClick={() => setAsking(true)}
        >
          {props.children}
        </button>
        <ErrorMessage error={action.error} id={errorId} />
      </span>
    );
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: an inline question, not a modal dialog
    <span
      className="pc-confirm pc-confirm-asking"
      role="group"
      aria-labelledby={questionId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') setAsking(false);
      }}
    >
      <span id={questionId} className="pc-confirm-question">
        {props.question}
      </span>
      <button
        type="button"
        className="pc-button pc-button-danger"
        disabled={action.isPending}
        onClick={async () => {
          await action.run();
          setAsking(false);
        }}
      >
        {props.confirmLabel ?? 'Confirm'}
      </button>
      <button ref={cancelRef} type="button" className="pc-button" onClick={() => setAsking(false)}>
        {props.cancelLabel ?? 'Cancel'}
      </button>
    </span>
  );
}
