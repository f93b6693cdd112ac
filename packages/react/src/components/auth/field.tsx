import type { InputHTMLAttributes, ReactNode } from 'react';
import type { FormField } from './form-field.js';

/** Props of {@link Field}. */
export interface FieldProps
  extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'name' | 'value' | 'onChange'> {
  field: FormField;
  label: ReactNode;
  hint?: ReactNode;
}

/** The default look of one {@link FormField}: label, input, hint, and the server's complaint. */
export function Field({ field, label, hint, className, ...input }: FieldProps) {
  // what is rendered below decides what the input points at
  const describedBy = [hint ? field.hintProps.id : null, field.error ? field.errorProps.id : null]
    .filter(Boolean)
    .join(' ');
  return (
    <div className="pc-field">
      <label className="pc-label" htmlFor={field.labelProps.htmlFor}>
        {label}
      </label>
      <input
        className={className ?? 'pc-input'}
        {...input}
        {...field.inputProps}
        aria-describedby={describedBy || undefined}
      />
      {hint ? (
        <p className="pc-hint" {...field.hintProps}>
          {hint}
        </p>
      ) : null}
      {field.error ? (
        <p className="pc-error" {...field.errorProps}>
          {field.error}
        </p>
      ) : null}
    </div>
  );
}
