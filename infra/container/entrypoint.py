#!/usr/bin/env python3
"""Container entrypoint: assemble DATABASE_URL and REDIS_URL from parts, then exec the command.

tipchat reads whole URLs (DATABASE_URL, REDIS_URL: src/tipchat/config.py). On AWS the parts
come from different places: the RDS-managed secret holds the user and password as JSON fields
that ECS injects one by one (DB_USER, DB_PASSWORD), the endpoint is plain task environment
(DB_HOST, DB_PORT, DB_NAME), and the ElastiCache auth token is its own secret
(REDIS_AUTH_TOKEN, with REDIS_HOST and REDIS_PORT). This script joins them, percent-encoding the
credentials, removes the parts from the environment, and replaces itself with the command
(exec, so SIGTERM reaches tipchat directly and its graceful drain runs).

A URL that is already set wins: outside AWS, set DATABASE_URL / REDIS_URL and this does nothing.
Standard library only; it runs before anything else in the image.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import quote

_DB_PARTS = ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "DB_SSLMODE")
_REDIS_PARTS = ("REDIS_HOST", "REDIS_PORT", "REDIS_AUTH_TOKEN")


def database_url(env: dict[str, str]) -> str | None:
    if "DB_HOST" not in env:
        return None
    user = quote(env["DB_USER"], safe="")
    password = quote(env["DB_PASSWORD"], safe="")
    # RDS for PostgreSQL 15+ refuses unencrypted connections (rds.force_ssl). "require"
    # encrypts without checking the server certificate; "verify-full" also needs the RDS CA
    # bundle in the image (sslrootcert=...): set DB_SSLMODE when it is there.
    sslmode = env.get("DB_SSLMODE", "require")
    return (
        f"postgresql://{user}:{password}@{env['DB_HOST']}:{env.get('DB_PORT', '5432')}"
        f"/{quote(env.get('DB_NAME', 'tipchat'), safe='')}?sslmode={quote(sslmode, safe='-')}"
    )


def redis_url(env: dict[str, str]) -> str | None:
    if "REDIS_HOST" not in env:
        return None
    # rediss: ElastiCache has encryption in transit on, so TLS is not optional.
    token = env.get("REDIS_AUTH_TOKEN")
    auth = f":{quote(token, safe='')}@" if token else ""
    return f"rediss://{auth}{env['REDIS_HOST']}:{env.get('REDIS_PORT', '6379')}/0"


def assemble(env: dict[str, str]) -> dict[str, str]:
    """The environment to exec with: URLs added (unless already set), parts removed."""
    out = dict(env)
    for name, build, parts in (
        ("DATABASE_URL", database_url, _DB_PARTS),
        ("REDIS_URL", redis_url, _REDIS_PARTS),
    ):
        if not out.get(name):
            url = build(env)
            if url is not None:
                out[name] = url
        for part in parts:
            out.pop(part, None)
    return out


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: tipchat-entrypoint COMMAND [ARG...]")
    os.execvpe(argv[0], argv, assemble(dict(os.environ)))  # noqa: S606 - exec is the point


if __name__ == "__main__":
    main(sys.argv[1:])
