import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { FormError } from "../../components/FormError";
import { accountErrorText, auditKey, changePassword } from "./api";
import { PasswordField } from "./PasswordField";

const EMPTY = { current: "", next: "", confirm: "" };

/** Current password, the new one twice; the server signs out my other devices. */
export function ChangePassword() {
  const queryClient = useQueryClient();
  const [fields, setFields] = useState(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof EMPTY) => (value: string) => setFields((f) => ({ ...f, [key]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    if (fields.next !== fields.confirm) {
      setError("The new passwords do not match. Type the same new password twice.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await changePassword(fields.current, fields.next);
      setFields(EMPTY);
      setDone(true);
      void queryClient.invalidateQueries({ queryKey: auditKey });
    } catch (err) {
      setError(accountErrorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="account-section" aria-labelledby="change-password-title">
      <h3 id="change-password-title">Change password</h3>
      <form className="stack" onSubmit={submit}>
        <PasswordField
          label="Current password"
          autoComplete="current-password"
          value={fields.current}
          onChange={set("current")}
        />
        <PasswordField
          label="New password"
          autoComplete="new-password"
          hint="At least 10 characters; a passphrase works well."
          value={fields.next}
          onChange={set("next")}
        />
        <PasswordField
          label="Confirm new password"
          autoComplete="new-password"
          value={fields.confirm}
          onChange={set("confirm")}
        />
        <FormError message={error} />
        <div role="status">
          {done && (
            <p className="notice">
              Password changed. Your other devices were signed out; this one stays signed in.
            </p>
          )}
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Changing password…" : "Change password"}
        </button>
      </form>
    </section>
  );
}
