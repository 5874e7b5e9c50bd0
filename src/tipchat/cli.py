"""The `tipchat` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from tipchat import logs
from tipchat.bench.cli import app as bench_app
from tipchat.config import Settings
from tipchat.tips.cli import app as chain_app

app = typer.Typer(
    help="tipchat: real-time chat with non-custodial crypto tipping.", no_args_is_help=True
)
app.add_typer(bench_app, name="bench", help="Load benchmark: bounded, loopback only.")
app.add_typer(chain_app, name="chain", help="Chains for tips: deploy the router, a dev chain.")
console = Console()


@app.callback()
def main() -> None:
    """tipchat"""


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port (0 picks a free one).")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Where the embedded PostgreSQL keeps its data.")
    ] = None,
) -> None:
    """Run the server: API, WebSocket, and (without DATABASE_URL) an embedded PostgreSQL."""
    given: dict[str, Any] = {"host": host, "port": port, "data_dir": data_dir}
    settings = Settings(**{k: v for k, v in given.items() if v is not None})
    logs.configure(settings.log_level, settings.log_json, secrets=settings.secret_values())

    from tipchat.server import build_server  # after logging is set up

    server = build_server(settings)
    storage = (
        "external PostgreSQL"
        if settings.database_url
        else f"embedded PostgreSQL in {settings.data_dir.resolve() / 'postgres'}"
    )

    def announce(url: str) -> None:
        console.print(
            f"[bold green]tipchat[/] is running at {url}/  ({storage})",
            highlight=False,
            soft_wrap=True,
        )

    server.announce = announce
    server.run()


@app.command()
def worker() -> None:
    """Run the chain watchers that verify tips (next to `serve` nodes that run with
    TIPCHAT_WATCHER=false; chains from TIPCHAT_CHAINS) and the attachment sweep, without the
    HTTP server. Stop with Ctrl-C or SIGTERM."""
    import asyncio
    import contextlib

    settings = Settings()
    logs.configure(settings.log_level, settings.log_json, secrets=settings.secret_values())
    from tipchat.tips.worker import run_worker

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_worker(settings))


@app.command()
def openapi() -> None:
    """Print the OpenAPI document (the REST contract the web client's types come from)."""
    import json

    from tipchat.app import create_app

    typer.echo(json.dumps(create_app(Settings()).openapi(), indent=2, sort_keys=True))
