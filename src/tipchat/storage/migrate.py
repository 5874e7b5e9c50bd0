"""Apply Alembic migrations programmatically (called at start by every node)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from tipchat.storage.database import start_embedded_postgres

_HERE = Path(__file__).parent


def _config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str) -> None:
    """Bring the schema to head. Safe to call from several nodes at once (advisory lock)."""
    command.upgrade(_config(database_url), "head")


async def upgrade_async(database_url: str) -> None:
    # Alembic is synchronous and runs its own event loop in env.py: give it a thread.
    await asyncio.to_thread(upgrade, database_url)


def head_revision() -> str:
    """The revision a migrated database is at."""
    head = ScriptDirectory.from_config(_config("")).get_current_head()
    assert head is not None
    return head


async def ready_database(
    *, database_url: str | None, data_dir: Path
) -> tuple[str, Callable[[], None] | None]:
    """The database to use, migrated to head: database_url, or else an embedded PostgreSQL
    under data_dir. Returns its URL and, for the embedded one, the function that stops it."""
    stop: Callable[[], None] | None = None
    if database_url is not None:
        url = database_url
    else:
        url, stop = await asyncio.to_thread(start_embedded_postgres, data_dir)
    await upgrade_async(url)
    return url, stop
