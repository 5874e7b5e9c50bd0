"""Production refuses to start with the development defaults."""

from __future__ import annotations

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
