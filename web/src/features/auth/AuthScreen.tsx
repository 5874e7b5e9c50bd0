import { useId, useState, type FormEvent } from "react";

import { FormError } from "../../components/FormError";
import { errorText } from "../../lib/format";
import { oidcErrorText, startOidcSignIn, useOidcConfig, type OidcResult } from "../../lib/oidc";
import { session } from "../../lib/session";

type Mode = "signIn" | "signUp";

/**
 * Sign in and sign up share one form; a switch below it flips between them. When the server
 * offers an OIDC provider, a button signs in (or up) with it; `oidc` is the result of a
 * provider sign-in that came back here.
 */
export function AuthScreen({ notice, oidc = null }: { notice: string | null; oidc?: OidcResult }) {
  const [mode, setMode] = useState<Mode>("signIn");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const userId = useId();
  const passwordId = useId();
  const hintId = useId();
  const signUp = mode === "signUp";
  const title = signUp ? "Sign up" : "Sign in";

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (signUp) await session.signUp(username.trim(), password);
      else await session.signIn(username.trim(), password);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }

  function switchMode() {
    setMode(signUp ? "signIn" : "signUp");
    setError(null);
  }

  return (
    <main className="auth">
      <h1 className="auth__brand">tipchat</h1>
      <form className="auth__form card" onSubmit={submit} aria-labelledby="auth-title">
        <h2 id="auth-title">{title}</h2>
        {notice && <p className="notice">{notice}</p>}
        {oidc && "error" in oidc && (
          <p className="notice" role="alert">
            {oidcErrorText(oidc.error)}
          </p>
        )}
        <label htmlFor={userId}>Username</label>
        <input
          id={userId}
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        <label htmlFor={passwordId}>Password</label>
        <input
          id={passwordId}
          name="password"
          type="password"
          autoComplete={signUp ? "new-password" : "current-password"}
          required
          aria-describedby={signUp ? hintId : undefined}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {signUp && (
          <p id={hintId} className="hint">
            At least 10 characters; a passphrase works well.
          </p>
        )}
        <FormError message={error} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? `${title}…` : title}
        </button>
      </form>
      <ProviderSignIn />
      <p className="auth__switch">
        {signUp ? "Already have an account?" : "New here?"}{" "}
        <button type="button" className="link" onClick={switchMode}>
          {signUp ? "Sign in instead" : "Create an account"}
        </button>
      </p>
    </main>
  );
}

function ProviderSignIn() {
  const config = useOidcConfig().data;
  const [leaving, setLeaving] = useState(false);
  if (!config?.enabled) return null;
  const label = `Sign in with ${config.name ?? "your provider"}`;
  return (
    <button
      type="button"
      className="auth__provider"
      disabled={leaving}
      onClick={() => {
        setLeaving(true);
        startOidcSignIn();
      }}
    >
      {leaving ? `${label}…` : label}
    </button>
  );
}
