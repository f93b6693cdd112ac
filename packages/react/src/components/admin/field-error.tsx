/** A field's complaint beside it, announced, with the id the field's `aria-describedby` names. */
export function FieldError({ id, text }: { id: string; text: string | undefined }) {
  if (!text) return null;
  return (
    <p role="alert" id={id} className="pc-error">
      {text}
    </p>
  );
}
