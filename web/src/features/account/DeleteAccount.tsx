import { useEffect, useId, useRef, useState, type FormEvent } from "react";

import { FormError } from "../../components/FormError";
import { navigate } from "../../lib/route";
import { session } from "../../lib/session";
import { accountErrorText, deleteAccount, type Account } from "./api";

type Messages = "keep" | "erase";

/**
 * The danger zone: what deletion does, a choice about my messages, proof that it is me
 * (my password, or my username for an account without one), then a last confirmation.
 */
export function DeleteAccount({ account }: { account: Account }) {
  const [messages, setMessages] = useState<Messages>("keep");
  const [proof, setProof] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const proofId = useId();
  const tombstone = `deleted-${account.id}`;

  function review(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setConfirming(true);
  }

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await deleteAccount(
        account.has_password ? { password: proof, messages } : { confirm_username: proof, messages },
      );
    } catch (err) {
      setError(accountErrorText(err));
      setConfirming(false);
      setBusy(false);
      return;
    }
    // The server has ended every session and cleared the cookies; sign this tab out the
    // usual way so the app forgets me too.
    await session.signOut("Your account was deleted.");
    navigate({ name: "home" });
  }

  return (
    <section className="account-section danger-zone" aria-labelledby="delete-account-title">
      <h3 id="delete-account-title">Delete account</h3>
      <p>Deleting your account cannot be undone. When you delete it:</p>
      <ul>
        <li>
          your name is replaced by <strong>{tombstone}</strong> everywhere, and nobody can sign in
          as you again;
        </li>
        <li>your messages are kept under that name, or erased, as you choose below;</li>
        <li>you leave every room, and every device where you are signed in is signed out;</li>
        <li>your linked wallets are unlinked.</li>
      </ul>
      <form className="stack" onSubmit={review}>
        <fieldset className="radio-group" disabled={confirming}>
          <legend>Your messages</legend>
          <MessagesChoice value="keep" current={messages} onChange={setMessages}>
            Keep them, shown as sent by {tombstone}
          </MessagesChoice>
          <MessagesChoice value="erase" current={messages} onChange={setMessages}>
            Erase them (they show as deleted)
          </MessagesChoice>
        </fieldset>
        <label htmlFor={proofId}>{account.has_password ? "Your password" : "Type your username to confirm"}</label>
        <input
          id={proofId}
          type={account.has_password ? "password" : "text"}
          autoComplete={account.has_password ? "current-password" : "off"}
          required
          readOnly={confirming}
          value={proof}
          onChange={(e) => setProof(e.target.value)}
        />
        <FormError message={error} />
        {!confirming && (
          <button type="submit" className="danger">
            Delete account…
          </button>
        )}
      </form>
      {confirming && (
        <FinalConfirm busy={busy} onConfirm={() => void confirm()} onCancel={() => setConfirming(false)} />
      )}
    </section>
  );
}

function MessagesChoice({
  value,
  current,
  onChange,
  children,
}: {
  value: Messages;
  current: Messages;
  onChange: (value: Messages) => void;
  children: string | string[];
}) {
  const id = useId();
  return (
    <div className="radio">
      <input
        id={id}
        type="radio"
        name="messages"
        value={value}
        checked={current === value}
        onChange={() => onChange(value)}
      />
      <label htmlFor={id}>{children}</label>
    </div>
  );
}

/** The last step; focus moves to its question so a keyboard or screen reader user hears it. */
function FinalConfirm({ busy, onConfirm, onCancel }: { busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const question = useRef<HTMLParagraphElement>(null);
  useEffect(() => question.current?.focus(), []);
  return (
    <div className="final-confirm" role="group" aria-label="Confirm deletion">
      <p ref={question} tabIndex={-1}>
        <strong>Delete your account for good?</strong> This cannot be undone.
      </p>
      <div className="final-confirm__actions">
        <button type="button" className="danger" disabled={busy} onClick={onConfirm}>
          {busy ? "Deleting…" : "Yes, delete my account"}
        </button>
        <button type="button" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
