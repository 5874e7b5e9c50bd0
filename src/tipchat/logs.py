"""structlog setup. Secrets never reach the logs: any key that names one is masked."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog

_SECRET_KEY = re.compile(r"pass|token|secret|authorization|cookie|signature", re.IGNORECASE)
# Bearer tokens and JWTs inside free text (e.g. an exception message).
_SECRET_TEXT = re.compile(r"(Bearer\s+)?eyJ[\w-]+\.[\w-]+\.[\w-]+")


# The configured secrets themselves (keys, RPC URLs with API keys, passwords in URLs), masked
# wherever they appear: a library may log one in a message we do not control.
_known: re.Pattern[str] | None = None


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        value = _SECRET_TEXT.sub("[redacted]", value)
        if _known is not None:
            value = _known.sub("[redacted]", value)
    return value


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    event.pop("color_message", None)  # uvicorn's ANSI copy of the message
    for key, value in list(event.items()):
        event[key] = "[redacted]" if _SECRET_KEY.search(key) else _mask(value)
    return event


def configure(level: str = "info", json: bool = False, secrets: Iterable[str] = ()) -> None:
    global _known
    # Longest first, so that a URL is masked whole rather than around its password.
    values = sorted({v for v in secrets if len(v) >= 6}, key=len, reverse=True)
    _known = re.compile("|".join(map(re.escape, values))) if values else None
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso"),
        structlog.stdlib.ExtraAdder(),
        redact,
    ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        # Tracebacks become text before redact runs, so a token inside an exception message
        # is masked like any other.
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # uvicorn's access log prints request lines with query strings; we never put secrets in
    # URLs (the WebSocket authenticates by frame or cookie), and keep it at warning anyway.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # web3 logs every RPC URL it calls (at debug and info): URLs often carry an API key.
    for chatty in ("alembic", "pgserver", "web3"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
