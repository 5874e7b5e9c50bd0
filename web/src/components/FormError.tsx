/** An error announced as soon as it appears; renders nothing without one. */
export function FormError({ message, id }: { message: string | null; id?: string }) {
  if (!message) return null;
  return (
    <p role="alert" className="form-error" id={id}>
      {message}
    </p>
  );
}
