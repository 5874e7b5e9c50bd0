"""Secrets never reach the logs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import structlog

from tipchat import logs
from tipchat.logs import redact

JWT = (
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiIsInR5cCI6ImFjY2VzcyJ9"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
)


def run(event: dict[str, Any]) -> dict[str, Any]:
    return dict(redact(None, "info", dict(event)))


# -- the processor -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "new_password",
        "Password",
        "access_token",
        "refresh_token",
        "TOKEN",
        "jwt_secret",
        "client_secret",
        "authorization",
        "Authorization",
        "cookie",
        "set_cookie",
    ],
)
def test_keys_naming_a_secret_are_redacted(key: str) -> None:
    assert run({"event": "login", key: "hunter2-value"})[key] == "[redacted]"


def test_secret_keys_are_redacted_whatever_the_value_type() -> None:
    out = run({"event": "x", "token": 12345, "cookies": {"a": "b"}, "secret": None})
    assert out["token"] == out["cookies"] == out["secret"] == "[redacted]"


def test_jwt_inside_free_text_is_masked() -> None:
    out = run({"event": f"could not decode {JWT} for user 42"})
    assert JWT not in out["event"]
    assert out["event"] == "could not decode [redacted] for user 42"


def test_bearer_jwt_inside_free_text_is_masked_with_its_prefix() -> None:
    out = run({"event": "request", "detail": f"header was Bearer {JWT}, rejected"})
    assert out["detail"] == "header was [redacted], rejected"


def test_ordinary_values_are_untouched() -> None:
    event = {
        "event": "message sent in room 4",
        "user_id": 42,
        "username": "alice",
        "path": "/api/rooms/4/messages",
        "ratio": 0.5,
        "flags": ["a", "b"],
        "note": "eyJ alone is not a token",
    }
    assert run(event) == event


# -- end to end through configure() -------------------------------------------------------


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    named = {n: logging.getLogger(n).level for n in ("uvicorn.access", "alembic", "pgserver")}
    config = structlog.get_config()
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, named_level in named.items():
            logging.getLogger(name).setLevel(named_level)
        structlog.configure(**config)


@pytest.fixture
def json_log(restore_logging: None) -> io.StringIO:
    """configure(json=True), with the handler it installs writing into a buffer."""
    logs.configure(level="debug", json=True)
    buffer = io.StringIO()
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    return buffer


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_stdlib_log_record_is_redacted_end_to_end(json_log: io.StringIO) -> None:
    logging.getLogger("tipchat.test").warning(
        "auth failed for Bearer %s", JWT, extra={"password": "hunter2-secret-xyz", "user_id": 7}
    )
    output = json_log.getvalue()
    assert "hunter2-secret-xyz" not in output
    assert JWT not in output
    (record,) = lines(json_log)
    assert record["password"] == "[redacted]"
    assert record["event"] == "auth failed for [redacted]"
    assert record["user_id"] == 7
    assert record["level"] == "warning"


def test_structlog_call_is_redacted_end_to_end(json_log: io.StringIO) -> None:
    structlog.get_logger("tipchat.test").info(
        "refresh", refresh_token="opaque-refresh-value", note=f"saw {JWT}"
    )
    output = json_log.getvalue()
    assert "opaque-refresh-value" not in output
    assert JWT not in output
    (record,) = lines(json_log)
    assert record["event"] == "refresh"


def test_jwt_in_a_logged_exception_message_is_masked(json_log: io.StringIO) -> None:
    # logs.py promises JWTs are masked inside free text "e.g. an exception message".
    try:
        raise ValueError(f"bad token {JWT}")
    except ValueError:
        logging.getLogger("tipchat.test").exception("frame handler failed")
    output = json_log.getvalue()
    assert "frame handler failed" in output
    assert JWT not in output


def test_configured_secrets_are_masked_wherever_they_appear() -> None:
    from tipchat.config import Settings

    rpc = "https://base-mainnet.example/v2/apikey0123456789"
    settings = Settings(
        jwt_secret="k" * 40,
        chains=[
            {
                "chain_id": 8453,
                "name": "Base",
                "rpc_urls": [rpc, "https://user:hunter2hunter2@rpc.example/"],
                "router": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
                "tokens": [{"symbol": "ETH", "decimals": 18}],
                "confirmations": 3,
            }
        ],
    )
    logs.configure("info", secrets=settings.secret_values())
    try:
        out = run({"event": f"connecting to {rpc} and https://rpc.example/ as hunter2hunter2"})
        assert "apikey0123456789" not in out["event"] and "hunter2hunter2" not in out["event"]
        assert out["event"].startswith("connecting to [redacted]")
        assert run({"event": "the key is " + "k" * 40})["event"] == "the key is [redacted]"
    finally:
        logs.configure("info")
