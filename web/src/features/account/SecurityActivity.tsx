import { FormError } from "../../components/FormError";
import { errorText, longTime } from "../../lib/format";
import { useAuditLog } from "./api";
import { describeAuditEvent } from "./auditText";

/** What happened to my account, newest first: sign-ins, password changes, wallets, roles. */
export function SecurityActivity({ meId }: { meId: number }) {
  const log = useAuditLog();
  const events = log.data?.pages.flatMap((page) => page.events) ?? [];

  return (
    <section className="account-section" aria-labelledby="security-activity-title">
      <h3 id="security-activity-title">Security activity</h3>
      {log.isPending && <p className="muted">Loading…</p>}
      <FormError message={log.error ? errorText(log.error) : null} />
      {log.data && events.length === 0 && <p className="muted">Nothing yet.</p>}
      {events.length > 0 && (
        <ul className="audit-list" aria-label="Security activity">
          {events.map((event) => (
            <li key={event.id} className="audit-event">
              <span className="audit-event__what">{describeAuditEvent(event, meId)}</span>
              <span className="audit-event__when muted">
                <time dateTime={event.at}>{longTime(event.at)}</time>
                {event.ip && <> · from {event.ip}</>}
              </span>
            </li>
          ))}
        </ul>
      )}
      {log.hasNextPage && (
        <button type="button" disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
          {log.isFetchingNextPage ? "Loading…" : "Load older"}
        </button>
      )}
    </section>
  );
}
