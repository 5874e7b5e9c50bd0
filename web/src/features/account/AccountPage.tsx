import { useEffect, useRef } from "react";

import { FormError } from "../../components/FormError";
import { errorText, longTime } from "../../lib/format";
import { useAccount } from "./api";
import { ChangePassword } from "./ChangePassword";
import { DeleteAccount } from "./DeleteAccount";
import { SecurityActivity } from "./SecurityActivity";
import "./account.css";

/** My account: password, security log, deletion. */
export function AccountPage() {
  const account = useAccount();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const me = account.data;

  return (
    <section className="panel account" aria-labelledby="account-title">
      <h2 id="account-title" ref={heading} tabIndex={-1}>
        Account
      </h2>
      {account.isPending && <p className="muted">Loading…</p>}
      <FormError message={account.error ? errorText(account.error) : null} />
      {me && (
        <>
          <p className="muted">
            Signed in as <strong>{me.username}</strong>, member since {longTime(me.created_at)}.
          </p>
          {me.has_password ? (
            <ChangePassword />
          ) : (
            <p className="hint">You sign in with an external account, so there is no password to change.</p>
          )}
          <SecurityActivity meId={me.id} />
          <DeleteAccount account={me} />
        </>
      )}
    </section>
  );
}
