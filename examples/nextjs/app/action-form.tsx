'use client';

import { type ReactNode, useActionState } from 'react';
import type { FormState } from './actions';

/** A form posting to a server action, showing the error it returns. Works before hydration too. */
export function ActionForm(props: {
  action: (state: FormState, form: FormData) => Promise<FormState>;
  submitLabel: string;
  className?: string;
  children: ReactNode;
}) {
  const [state, formAction, pending] = useActionState(props.action, {});
  return (
    <form action={formAction} className={props.className}>
      {props.children}
      <button type="submit" disabled={pending}>
        {props.submitLabel}
      </button>
      {state.error ? (
        <p role="alert" className="error">
          {state.error}
        </p>
      ) : null}
    </form>
  );
}
