"""`tipchat bench run` and `tipchat bench soak` (mount `app` in tipchat.cli), or
`python -m tipchat.bench.cli run` / `soak`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from tipchat.bench.config import BenchConfig

app = typer.Typer(
    help="Load benchmark: bounded, loopback only; starts and stops its own processes.",
    no_args_is_help=True,
)


@app.callback()
def main() -> None:
    """tipchat load benchmark"""


def _default_out() -> Path:
    return Path("bench/reports") / datetime.now().strftime("%Y%m%d-%H%M%S")


async def execute(config: BenchConfig) -> dict[str, Path]:
    """Run, compute, write: the paths of the report files."""
    from tipchat.bench import figures, report, runner

    raw = await runner.run(config)
    return report.write(figures.compute(raw), config.out)


@app.command()
def run(
    nodes: Annotated[int, typer.Option(help="tipchat nodes (> 1: Valkey fan-out).")] = 1,
    clients: Annotated[int, typer.Option(help="WebSocket clients, one user each.")] = 200,
    rooms: Annotated[int, typer.Option(help="Small rooms; every client is in one.")] = 20,
    big_rooms: Annotated[int, typer.Option(help="Big rooms.")] = 1,
    big_room_size: Annotated[int, typer.Option(help="Members of each big room.")] = 100,
    big_share: Annotated[float, typer.Option(help="Share of messages sent to big rooms.")] = 0.05,
    rate: Annotated[float, typer.Option(help="Messages per second offered, in total.")] = 500.0,
    seconds: Annotated[float, typer.Option(help="Sending time.")] = 10.0,
    body_bytes: Annotated[int, typer.Option(help="Message body length.")] = 100,
    workers: Annotated[int, typer.Option(help="Load-generator processes (0: cores - 1).")] = 0,
    accounts: Annotated[
        str, typer.Option(help="rest: register over REST (Argon2id, slow); seeded: insert + mint.")
    ] = "rest",
    ceilings: Annotated[bool, typer.Option(help="Measure this machine's ceilings too.")] = True,
    ceiling_seconds: Annotated[float, typer.Option(help="Duration of each ceiling.")] = 3.0,
    ceiling_ws_clients: Annotated[
        int, typer.Option(help="Clients of the bare broadcast (0: the big-room size).")
    ] = 0,
    drain_timeout: Annotated[float, typer.Option(help="Longest wait for late acks.")] = 10.0,
    out: Annotated[Path | None, typer.Option(help="Report directory.")] = None,
    progress: Annotated[bool, typer.Option(help="Show the live progress line.")] = True,
) -> None:
    """Start PostgreSQL (or use DATABASE_URL), Valkey for several nodes (or REDIS_URL), the
    nodes, then drive the load and write report.json, report.md and plots."""
    import warnings

    import uvloop

    # pgserver asks platformdirs for a runtime dir, which warns when XDG_RUNTIME_DIR is unset.
    warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs")
    if accounts not in ("rest", "seeded"):
        raise typer.BadParameter("--accounts must be rest or seeded")
    mode: Literal["rest", "seeded"] = "seeded" if accounts == "seeded" else "rest"
    try:
        config = BenchConfig(
            out=out or _default_out(),
            nodes=nodes,
            clients=clients,
            rooms=rooms,
            big_rooms=big_rooms,
            big_room_size=big_room_size,
            big_share=big_share,
            rate=rate,
            seconds=seconds,
            body_bytes=body_bytes,
            workers=workers,
            accounts=mode,
            ceilings=ceilings,
            ceiling_seconds=ceiling_seconds,
            ceiling_ws_clients=ceiling_ws_clients,
            drain_timeout=drain_timeout,
            progress=progress,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        paths = uvloop.run(execute(config))
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted: every process the benchmark started is stopped")
        raise typer.Exit(130) from None
    _summary(paths["json"])


@app.command()
def soak(
    nodes: Annotated[int, typer.Option(help="tipchat nodes (> 1: Valkey fan-out).")] = 1,
    clients: Annotated[int, typer.Option(help="Concurrent client slots, one user each.")] = 300,
    minutes: Annotated[float, typer.Option(help="Length of the soak (≤ 180).")] = 10.0,
    room_size: Annotated[int, typer.Option(help="Members per room.")] = 10,
    send_interval: Annotated[
        float, typer.Option(help="Mean seconds between one client's messages.")
    ] = 5.0,
    min_life: Annotated[float, typer.Option(help="Shortest socket lifetime (s).")] = 5.0,
    max_life: Annotated[float, typer.Option(help="Longest socket lifetime (s).")] = 60.0,
    resume_share: Annotated[
        float, typer.Option(help="Share of reconnects that resume from the last seq.")
    ] = 0.5,
    sample_every: Annotated[float, typer.Option(help="Seconds between samples.")] = 5.0,
    workers: Annotated[int, typer.Option(help="Load-generator processes.")] = 1,
    out: Annotated[Path | None, typer.Option(help="Report directory.")] = None,
    progress: Annotated[bool, typer.Option(help="Show the live progress line.")] = True,
) -> None:
    """Soak: clients connect, chat and leave for --minutes while the node's RSS, descriptors
    and sockets are sampled; report.json, report.md, plots and a growth-trend verdict."""
    import warnings

    import uvloop

    from tipchat.bench import soak as soak_run

    warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs")
    try:
        config = soak_run.SoakConfig(
            out=out or _default_out().with_name("soak-" + _default_out().name),
            nodes=nodes,
            clients=clients,
            minutes=minutes,
            room_size=room_size,
            send_interval_s=send_interval,
            lifetime_s=(min_life, max_life),
            resume_share=resume_share,
            sample_every_s=sample_every,
            workers=workers,
            progress=progress,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        paths = uvloop.run(soak_run.execute(config))
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted: every process the soak started is stopped")
        raise typer.Exit(130) from None
    _soak_summary(paths["json"])


def _soak_summary(json_path: Path) -> None:
    import json

    r = json.loads(json_path.read_text())
    c = r["clients"]
    console = Console()
    for node in r["nodes"]:
        t, rss, fds = node["trend"], node["rss_mib"], node["fds"]
        console.print(
            f"[bold]{node['node']}[/] RSS {rss['first_sample']} → {rss['last_sample']} MiB "
            f"(slope {t['rss_mib_per_min_second_half']} MiB/min)  fds {fds['first_sample']} → "
            f"{fds['last_sample']} (slope {t['fds_per_min_second_half']}/min)  "
            f"[bold]{t['verdict']}[/]",
            highlight=False,
        )
    console.print(
        f"connects {c.get('connects', 0):,}  sent {c.get('sent', 0):,}  acked "
        f"{c.get('acked', 0):,}  unacked {c.get('unacked_at_close', 0)}  unexpected closes "
        f"{c.get('unexpected_closes', 0)}  errors {sum(c['errors'].values())}",
        highlight=False,
    )
    console.print(f"report: {json_path.parent / 'report.md'}", highlight=False)


def _summary(json_path: Path) -> None:
    import json

    r = json.loads(json_path.read_text())
    f = r["figures"]
    e2e = f["e2e_ms"]
    console = Console()
    console.print(
        f"[bold]connections[/] {f['connections']['held']:,}  "
        f"[bold]accepted[/] {f['accepted_per_s']:,.0f}/s  "
        f"[bold]deliveries[/] {f['deliveries_per_s']:,.0f}/s  "
        f"[bold]e2e p50/p95/p99[/] {e2e['p50']}/{e2e['p95']}/{e2e['p99']} ms  "
        f"[bold]ack p99[/] {f['ack_ms']['p99']} ms  "
        f"[bold]RSS/conn[/] {f['memory']['kib_per_connection_idle']} KiB  "
        f"[bold]node CPU[/] {f['cpu']['nodes_total']}%",
        highlight=False,
    )
    for t in r["targets"]:
        console.print(f"  {t['status']:>24}  {t['target']}  ({t['measured']})", highlight=False)
    console.print(f"report: {json_path.parent / 'report.md'}", highlight=False)


if __name__ == "__main__":
    app()
