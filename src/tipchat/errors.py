"""Stable error codes, in one place. Clients branch on `code`; `message` is for people."""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    # input
    invalid_request = "invalid_request"
    invalid_json = "invalid_json"
    invalid_frame = "invalid_frame"
    unknown_frame_type = "unknown_frame_type"
    frame_too_large = "frame_too_large"
    body_too_large = "body_too_large"
    invalid_limit = "invalid_limit"
    message_too_long = "message_too_long"
    message_empty = "message_empty"
    room_name_invalid = "room_name_invalid"
    username_invalid = "username_invalid"
    password_too_short = "password_too_short"
    password_too_common = "password_too_common"
    # auth
    not_authenticated = "not_authenticated"
    invalid_token = "invalid_token"
    token_expired = "token_expired"
    invalid_credentials = "invalid_credentials"
    refresh_token_invalid = "refresh_token_invalid"
    refresh_token_reused = "refresh_token_reused"
    csrf_failed = "csrf_failed"
    origin_not_allowed = "origin_not_allowed"
    already_authenticated = "already_authenticated"
    rate_limited = "rate_limited"
    too_many_sockets = "too_many_sockets"
    session_revoked = "session_revoked"
    # account
    wrong_password = "wrong_password"
    confirmation_mismatch = "confirmation_mismatch"
    # conflicts
    username_taken = "username_taken"
    client_msg_id_conflict = "client_msg_id_conflict"
    already_member = "already_member"
    # rooms and messages
    room_not_found = "room_not_found"
    user_not_found = "user_not_found"
    message_not_found = "message_not_found"
    not_a_member = "not_a_member"
    forbidden = "forbidden"
    owner_cannot_leave = "owner_cannot_leave"
    reply_not_found = "reply_not_found"
    message_deleted = "message_deleted"
    # reactions, search, blocks
    emoji_invalid = "emoji_invalid"
    too_many_reactions = "too_many_reactions"
    search_query_invalid = "search_query_invalid"
    cursor_invalid = "cursor_invalid"
    cannot_message_user = "cannot_message_user"
    # attachments
    attachment_invalid = "attachment_invalid"
    attachment_type_not_allowed = "attachment_type_not_allowed"
    attachment_too_large = "attachment_too_large"
    attachment_not_found = "attachment_not_found"
    attachment_not_uploaded = "attachment_not_uploaded"
    attachment_content_mismatch = "attachment_content_mismatch"
    attachment_rejected = "attachment_rejected"
    resume_too_far = "resume_too_far"
    invalid_seq = "invalid_seq"
    # chains and tips
    invalid_address = "invalid_address"
    no_dev_chain = "no_dev_chain"
    chain_unavailable = "chain_unavailable"
    # wallets (SIWE)
    siwe_message_invalid = "siwe_message_invalid"
    siwe_domain_mismatch = "siwe_domain_mismatch"
    siwe_uri_mismatch = "siwe_uri_mismatch"
    siwe_chain_not_allowed = "siwe_chain_not_allowed"
    siwe_nonce_invalid = "siwe_nonce_invalid"
    siwe_issued_at_invalid = "siwe_issued_at_invalid"
    siwe_expired = "siwe_expired"
    siwe_not_yet_valid = "siwe_not_yet_valid"
    siwe_signature_invalid = "siwe_signature_invalid"
    siwe_origin_not_configured = "siwe_origin_not_configured"
    wallet_linked_elsewhere = "wallet_linked_elsewhere"
    wallet_not_found = "wallet_not_found"
    # tips
    tip_not_found = "tip_not_found"
    tip_to_self = "tip_to_self"
    tip_chain_unknown = "tip_chain_unknown"
    tip_token_unknown = "tip_token_unknown"
    tip_amount_invalid = "tip_amount_invalid"
    recipient_not_member = "recipient_not_member"
    recipient_has_no_wallet = "recipient_has_no_wallet"
    sender_has_no_wallet = "sender_has_no_wallet"
    tx_hash_invalid = "tx_hash_invalid"
    tip_finished = "tip_finished"
    # sign-in with an OIDC provider (these arrive as /?oidc_error=<code>)
    oidc_not_configured = "oidc_not_configured"
    oidc_state_invalid = "oidc_state_invalid"  # unknown, already used or expired
    oidc_browser_mismatch = "oidc_browser_mismatch"  # finished in another browser than began
    oidc_denied = "oidc_denied"  # the person declined at the provider
    oidc_provider_error = "oidc_provider_error"  # the provider answered with another error
    oidc_provider_unavailable = "oidc_provider_unavailable"
    oidc_code_rejected = "oidc_code_rejected"  # the token endpoint refused the code
    oidc_id_token_invalid = "oidc_id_token_invalid"
    oidc_id_token_expired = "oidc_id_token_expired"
    oidc_audience_mismatch = "oidc_audience_mismatch"
    oidc_nonce_mismatch = "oidc_nonce_mismatch"
    oidc_identity_taken = "oidc_identity_taken"  # linked to another account already
    account_deleted = "account_deleted"
    # server
    unavailable = "unavailable"
    internal_error = "internal_error"


class TipchatError(Exception):
    """A failure the caller can act on; the edges turn it into an HTTP error or an error frame."""

    def __init__(self, code: Code, message: str, **extra: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra

    def to_dict(self) -> dict[str, object]:
        return {"code": self.code.value, "message": self.message, **self.extra}


def storage_unavailable() -> TipchatError:
    """PostgreSQL cannot be reached right now: retriable (HTTP 503 with Retry-After)."""
    return TipchatError(Code.unavailable, "storage is unavailable; retry shortly")
