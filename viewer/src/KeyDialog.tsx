import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Asked once per tab when the server wants a credential: an API key or a JWT, kept in session
 * storage (gone when the tab closes) and sent as a bearer token, never put in the URL.
 */
export function KeyDialog({
  refused,
  onSubmit,
}: {
  refused: boolean;
  onSubmit: (token: string) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [value, setValue] = useState('');
  useEffect(() => {
    const element = dialog.current;
    if (element !== null && !element.open) element.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="key-dialog"
      aria-labelledby="key-title"
      onCancel={(e) => e.preventDefault()}
    >
      <form
        method="dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (value.trim() !== '') onSubmit(value.trim());
        }}
      >
        <h2 id="key-title">Sign in to auditgraph</h2>
        <p>
          This auditgraph needs an API key or a JWT. It is kept in this tab only and sent as a
          bearer token.
        </p>
        {refused ? (
          <p class="field-error" role="alert">
            <code>UNAUTHENTICATED</code> The server refused that key.
          </p>
        ) : null}
        <label htmlFor="key-input">API key or JWT</label>
        <input
          id="key-input"
          type="password"
          autoComplete="off"
          required
          value={value}
          onInput={(event) => setValue(event.currentTarget.value)}
        />
        <div class="dialog-actions">
          <button type="submit" class="primary">
            Continue
          </button>
        </div>
      </form>
    </dialog>
  );
}
