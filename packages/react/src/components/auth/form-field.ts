import { isPortcullisClientError } from '@portcullis/client';
import { type ChangeEvent, useId, useState } from 'react';
import { errorText, fieldErrorText } from '../shared/error-message.js';

/** The props a headless hook hands to an `<input>`: the value and the ARIA wiring of its error. */
export interface FieldInputProps {
  id: string;
  name: string;
  value: string;
  onChange(event: ChangeEvent<HTMLInputElement>): void;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

/** One text field of a form: its value, the server's complaint about it, and prop getters. */
export interface FormField {
  name: string;
  value: string;
  setValue(value: string): void;
  /** The server's complaint about this field, as words; undefined when it has none. */
  error: string | undefined;
  /** For the `<label>`. */
  labelProps: { htmlFor: string };
  /** For the `<input>`: id, name, value, onChange, `aria-invalid`, `aria-describedby`. */
  inputProps: FieldInputProps;
  /** For the element showing {@link FormField.error} (`role="alert"`, the id the input points at). */
  errorProps: { id: string; role: 'alert' };
  /** For a hint under the field, when there is one (the input points at it too). */
  hintProps: { id: string };
}

/**
 * Which error codes belong to a field, with the words to show for each (`null`: the usual
 * `errorText`, i.e. the server's detail). A code claimed here shows next to the field and marks
 * it `aria-invalid`; an `invalid_request` naming the field does too.
 */
export type FieldCodes = Partial<Record<string, string | null>>;

/** The password policy's refusals, shown next to the password field with the server's detail. */
export const PASSWORD_POLICY_CODES = {
  password_too_short: null,
  password_too_long: null,
  password_too_common: null,
  password_reused: null,
} as const satisfies FieldCodes;

/**
 * A text field whose errors come from the server: `error` is the last answer's error of the
 * control that submits the field (a `useAsyncAction`'s `error`).
 */
export function useFormField(
  name: string,
  options: { error: unknown; codes?: FieldCodes; initialValue?: string; hint?: boolean },
): FormField {
  const [value, setValue] = useState(options.initialValue ?? '');
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const error = fieldError(options.error, name, options.codes);
  const describedBy = [options.hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ');
  return {
    name,
    value,
    setValue,
    error,
    labelProps: { htmlFor: id },
    inputProps: {
      id,
      name,
      value,
      onChange: (event) => setValue(event.target.value),
      'aria-invalid': error ? true : undefined,
      'aria-describedby': describedBy || undefined,
    },
    errorProps: { id: errorId, role: 'alert' },
    hintProps: { id: hintId },
  };
}

function fieldError(error: unknown, name: string, codes: FieldCodes = {}): string | undefined {
  if (!isPortcullisClientError(error)) return undefined;
  if (Object.hasOwn(codes, error.code)) return codes[error.code] ?? errorText(error);
  return fieldErrorText(error, name);
}

/**
 * The error to show beside the submit button: `error`, unless one of `fields` already shows it.
 * Never both places, never neither.
 */
export function unclaimedError(error: unknown, fields: readonly FormField[]): unknown {
  return fields.some((field) => field.error !== undefined) ? undefined : error;
}
