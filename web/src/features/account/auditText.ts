/**
 * One security event as a sentence. The server stores stable event names with a few
 * details (storage/audit.py and the rules that write them); names this client does not
 * know yet still read as words rather than disappearing.
 */
import type { AuditEvent } from "./api";

/** `0x1234…abcd`: enough to recognise a wallet without the whole address. */
export function shortAddress(address: string): string {
  return address.length > 12 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

function text(details: AuditEvent["details"], key: string): string | null {
  const value = details[key];
  return typeof value === "string" || typeof value === "number" ? String(value) : null;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** Who did it, when that is someone else: the server gives ids only. */
function by(event: AuditEvent, meId: number): string {
  if (event.actor_id === null || event.actor_id === meId) return "";
  return ` by user ${event.actor_id}`;
}

function inRoom(details: AuditEvent["details"]): string {
  const room = text(details, "room_id");
  return room === null ? "" : ` in room ${room}`;
}

export function describeAuditEvent(event: AuditEvent, meId: number): string {
  const { details } = event;
  switch (event.event) {
    case "registered":
      return "Signed up";
    case "login_succeeded":
      return "Signed in";
    case "login_failed":
      return "Failed sign-in attempt";
    case "oidc_login_succeeded": {
      const provider = text(details, "provider");
      return provider ? `Signed in with ${provider}` : "Signed in with an external account";
    }
    case "oidc_identity_linked": {
      const provider = text(details, "provider");
      return provider ? `${provider} account linked` : "External account linked";
    }
    case "refresh_token_reused":
      return "A sign-in was ended because its token was used twice (it may have been copied)";
    case "password_changed": {
      const revoked = details.sessions_revoked;
      return typeof revoked === "number" && revoked > 0
        ? `Password changed; ${plural(revoked, "other session", "other sessions")} signed out`
        : "Password changed";
    }
    case "wallet_linked":
    case "wallet_unlinked": {
      const address = text(details, "address");
      const verb = event.event === "wallet_linked" ? "linked" : "unlinked";
      return address ? `Wallet ${shortAddress(address)} ${verb}` : `Wallet ${verb}`;
    }
    case "role_changed": {
      const role = text(details, "role") ?? "member";
      const change = role === "member" ? "Made a plain member" : `Made ${role}`;
      return `${change}${inRoom(details)}${by(event, meId)}`;
    }
    case "member_removed": {
      const room = text(details, "room_id");
      return `Removed from ${room === null ? "a room" : `room ${room}`}${by(event, meId)}`;
    }
    case "message_deleted_by_moderator":
      return `A message of yours was deleted${inRoom(details)}${by(event, meId)}`;
    case "account_deleted":
      return "Account deleted";
    default: {
      const words = event.event.replaceAll("_", " ");
      return words.charAt(0).toUpperCase() + words.slice(1);
    }
  }
}
