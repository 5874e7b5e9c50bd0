import { useState } from "react";

import { FormError } from "../../components/FormError";
import { errorText } from "../../lib/format";
import { oidcErrorText, startOidcLink, useOidcConfig, type OidcResult } from "../../lib/oidc";

/**
 * "Link <provider> account" for a signed-in user, when the server offers a provider: after
 * linking, signing in with that provider account reaches this account. `result` is what the
 * provider round trip ended with (shown until dismissed). A small start; account settings
 * will get a page of their own.
 */
export function OidcLink({ result }: { result: OidcResult }) {
  const config = useOidcConfig().data;
  const [shown, setShown] = useState(result);
  const [problem, setProblem] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(false);
  if (!config?.enabled) return null;
  const name = config.name ?? "provider";

  async function link() {
    setLeaving(true);
    setProblem(null);
    try {
      await startOidcLink();
    } catch (err) {
      setProblem(errorText(err));
      setLeaving(false);
    }
  }

  return (
    <div className="account-link">
      <button type="button" disabled={leaving} onClick={() => void link()}>
        Link {name} account
      </button>
      {shown && (
        <p className="notice" role={"error" in shown ? "alert" : "status"}>
          {"error" in shown ? oidcErrorText(shown.error) : `Your ${name} account is linked: you can sign in with it.`}{" "}
          <button type="button" className="link" onClick={() => setShown(null)}>
            Dismiss
          </button>
        </p>
      )}
      <FormError message={problem} />
    </div>
  );
}
