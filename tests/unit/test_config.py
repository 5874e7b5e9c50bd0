"""Production refuses to start with the development defaults."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from tipchat.config import DEV_JWT_SECRET, Settings

REAL_KEY = "k" * 40
DB = "postgresql://tipchat@db.internal/tipchat"


def refusal(**values: object) -> str:
    with pytest.raises(SystemExit) as info:
        Settings(env="production", **values).check_production()
    return str(info.value)


def test_the_dev_jwt_key_is_refused() -> None:
    assert "TIPCHAT_JWT_SECRET" in refusal(jwt_secret=DEV_JWT_SECRET, database_url=DB)


def test_a_short_jwt_key_is_refused() -> None:
    assert "TIPCHAT_JWT_SECRET" in refusal(jwt_secret="short", database_url=DB)


def test_the_embedded_database_is_refused() -> None:
    assert "DATABASE_URL" in refusal(jwt_secret=REAL_KEY, database_url=None)


def test_a_weak_previous_key_is_refused() -> None:
    message = refusal(jwt_secret=REAL_KEY, database_url=DB, jwt_previous_secrets=["old"])
    assert "TIPCHAT_JWT_PREVIOUS_SECRETS" in message


def test_real_settings_pass_and_development_keeps_its_defaults() -> None:
    Settings(env="production", jwt_secret=REAL_KEY, database_url=DB).check_production()
    Settings(env="development").check_production()


def test_unsent_uploads_outlive_their_upload_urls() -> None:
    # Else the sweep could delete a slot whose URL still takes an upload (a file no row knows).
    with pytest.raises(ValidationError, match="attachment_unused_ttl_s"):
        Settings(attachment_url_ttl_s=600, attachment_unused_ttl_s=600)
    Settings(attachment_url_ttl_s=600, attachment_unused_ttl_s=601)


OIDC = {"oidc_issuer": "https://accounts.google.com", "oidc_client_id": "id.apps"}


def test_oidc_in_production_needs_a_public_origin_and_https() -> None:
    base = {"jwt_secret": REAL_KEY, "database_url": DB}
    assert "TIPCHAT_PUBLIC_ORIGIN" in refusal(**base, **OIDC)
    plain = {**OIDC, "oidc_issuer": "http://idp.internal"}
    assert "https" in refusal(**base, **plain, public_origin="https://chat.example.com")
    Settings(
        env="production", **base, **OIDC, public_origin="https://chat.example.com"
    ).check_production()


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"oidc_issuer": "https://idp.example.com"}, "TIPCHAT_OIDC_CLIENT_ID"),
        ({**OIDC, "oidc_scopes": "profile email"}, "openid"),
        ({**OIDC, "oidc_issuer": "idp.example.com"}, "http(s) URL"),
        ({**OIDC, "oidc_issuer": "https://idp.example.com/?tenant=x"}, "http(s) URL"),
    ],
)
def test_incomplete_oidc_settings_are_refused(values: dict[str, str], problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)):
        Settings(**values)


def test_the_oidc_client_secret_is_masked_in_logs() -> None:
    assert (
        "oidc-client-secret"
        in Settings(**OIDC, oidc_client_secret="oidc-client-secret").secret_values()
    )
