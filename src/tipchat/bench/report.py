"""report.json (every figure, the settings, the machine) and report.md (for people)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tipchat.bench import plots

# Design §2 (docs: shared design brief), for comparison with what this run measured.
DESIGN_CEILINGS = {
    "postgres": "6,000-13,500/s (per-room last_seq update, 100 rooms)",
    "redis": "~80,000 msg/s (pipelined ×100)",
    "ws_broadcast": "~80,000/s (sansio, 1,000 clients)",
}


_BIG_WS = "big_room_deliveries_per_s / ws_broadcast_deliveries_per_s"


def _n(value: float | None, unit: str = "", digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}{unit}"


def _lat(h: dict[str, Any]) -> str:
    return f"{_n(h['p50'], digits=1)} / {_n(h['p95'], digits=1)} / {_n(h['p99'], digits=1)} ms"


def _table(rows: Sequence[Sequence[str]], head: tuple[str, ...]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def markdown(r: dict[str, Any], images: list[str]) -> str:
    s, f, c, ratios = r["settings"], r["figures"], r["ceilings"], r["ratios"]
    conns, msgs, dl, mem, cpu = (
        f["connections"],
        f["messages"],
        f["deliveries"],
        f["memory"],
        f["cpu"],
    )
    plan = r["plan"]
    out = [
        f"# tipchat benchmark, {r['started_at']}",
        "",
        f"{s['nodes']} node(s), {s['clients']:,} WebSocket clients, {plan['small_rooms']} small "
        f"rooms (≥ {plan['small_room_members_min']} members) and "
        f"{len(plan['big_rooms'])} big room(s) of "
        f"{', '.join(str(n) for n in plan['big_rooms']) or '–'} members; "
        f"{s['rate']:,.0f} messages/s offered for {s['seconds']:g} s "
        f"({s['big_share']:.0%} of them to big rooms), {s['body_bytes']}-byte bodies. "
        f"PostgreSQL: {s['database_url']}; bus: {s['redis_url']}; accounts: {s['accounts']}. "
        f"{plan['workers']} load-generator process(es). Everything on 127.0.0.1 of one "
        f"{r['machine']['logical_cores']}-core machine: servers, PostgreSQL and clients share "
        "the cores.",
        "",
        "## Targets of issue 5",
        "",
        "A target counts as met or missed only when this run had its scale; otherwise the "
        "figure of this run is shown for reference.",
        "",
    ]
    out += _table(
        [(t["target"], t["measured"], f"**{t['status']}**") for t in r["targets"]],
        ("target", "this run", "status"),
    )
    out += ["", "## Figures", ""]
    if f["kept_up"]:
        out += [
            "The nodes kept up with the offered rate (≥ 97% accepted in the window): the "
            "rates below are the offered load, not the capacity of the system.",
            "",
        ]
    else:
        out += [
            "**The nodes did not keep up with the offered rate** (< 97% accepted in the "
            "window): the rates below are what this machine sustained under this mix.",
            "",
        ]
    rows = [
        (
            "connections held",
            f"{conns['held']:,} of {conns['wanted']:,} "
            f"({conns['failed']} failed; {conns['held_at_end']:,} still open at the end)",
        ),
        (
            "messages offered / sent / accepted",
            f"{msgs['offered']:,} / {msgs['sent']:,} / "
            f"{msgs['acked']:,} (rejected {msgs['rejected']}, unacked {msgs['unacked']}, "
            f"not sent {msgs['send_failed']})",
        ),
        (
            "messages accepted per second",
            _n(f["accepted_per_s"], "/s", 1)
            + f" (offered {_n(f['offered_per_s'], '/s')}, sent {_n(f['sent_per_s'], '/s', 1)})",
        ),
        (
            "deliveries per second",
            _n(f["deliveries_per_s"], "/s", 1)
            + f" (into big rooms: {_n(f['big_room_deliveries_per_s'], '/s', 1)})",
        ),
        (
            "deliveries received / expected",
            f"{dl['received']:,} / {dl['expected']:,} ({_n((dl['complete'] or 0) * 100, '%', 2)})",
        ),
        (
            "end-to-end latency p50 / p95 / p99",
            _lat(f["e2e_ms"])
            + f" (max {_n(f['e2e_ms']['max'], ' ms', 1)}, {f['e2e_ms']['count']:,} samples)",
        ),
        (
            "send → ack latency p50 / p95 / p99",
            _lat(f["ack_ms"])
            + f" (max {_n(f['ack_ms']['max'], ' ms', 1)}, {f['ack_ms']['count']:,} samples)",
        ),
        ("server RSS per connection, idle", _n(mem["kib_per_connection_idle"], " KiB", 1)),
        (
            "server RSS per connection, peak under load",
            _n(mem["kib_per_connection_under_load"], " KiB", 1),
        ),
        ("server CPU over the window", f"{cpu['nodes_total']}% of one core (all nodes)"),
        (
            "load generators' CPU",
            f"{cpu['load_generators_total']}% of one core; loop lag p99 "
            f"{_n(f['load_generator_loop_lag_ms']['p99'], ' ms', 1)}",
        ),
        (
            "machine CPU",
            f"{cpu['percent_of_one_core'].get('machine (% of all cores)')}% of all cores; "
            f"processes outside the benchmark: {cpu.get('outside_benchmark')}% of one core",
        ),
        (
            "setup",
            ", ".join(f"{k} {v} s" for k, v in f["setup_s"].items())
            + f", connect {conns['connect_s']} s, drain {f['drain_s']} s; whole run {r['run_s']} s",
        ),
    ]
    out += _table(rows, ("figure", "value"))
    out += ["", "Per node:", ""]
    out += _table(
        [
            (
                n["node"],
                f"{n['connections']:,}",
                f"{n['rss_before_clients_mib']}",
                f"{n['rss_idle_mib']}",
                f"{n['rss_peak_under_load_mib']}",
                _n(n["kib_per_connection_idle"], "", 1),
                _n(n["kib_per_connection_under_load"], "", 1),
                f"{cpu['percent_of_one_core'].get(n['node'])}%",
            )
            for n in mem["nodes"]
        ],
        (
            "node",
            "connections",
            "RSS before clients (MiB)",
            "RSS idle (MiB)",
            "RSS peak (MiB)",
            "KiB/conn idle",
            "KiB/conn peak",
            "CPU",
        ),
    )
    other = {k: v for k, v in cpu["percent_of_one_core"].items() if not k.startswith("node-")}
    out += [
        "",
        "CPU of the other processes over the window (% of one core): "
        + ", ".join(f"{k} {v}%" for k, v in other.items())
        + ".",
    ]

    out += ["", "## Ceilings of this machine, measured in the same run", ""]
    crow = []
    if "postgres" in c:
        pg = c["postgres"]
        crow.append(
            (
                "PostgreSQL " + str(pg.get("server_version", "")),
                pg["what"]
                + f"; {pg['connections']} connections, {pg['rooms']} rooms, {pg['seconds']} s",
                _n(pg["rows_per_s"], "/s") + f" (p99 {pg['txn_ms']['p99']} ms)",
                DESIGN_CEILINGS["postgres"],
                f"accepted/s ÷ this = {_n(ratios['accepted_per_s / postgres_rows_per_s'], '', 3)}",
            )
        )
    if "redis" in c:
        rd = c["redis"]
        crow.append(
            (
                f"Redis pub/sub ({rd['server']})",
                rd["what"] + f", {rd['seconds']} s",
                _n(rd["received_per_s"], "/s received")
                + f" ({_n(rd['published_per_s'], '/s')} published)",
                DESIGN_CEILINGS["redis"],
                f"accepted/s ÷ this = {_n(ratios['accepted_per_s / redis_received_per_s'], '', 3)}",
            )
        )
    if "ws_broadcast" in c:
        ws = c["ws_broadcast"]
        crow.append(
            (
                "bare WebSocket broadcast",
                ws["what"] + f"; {ws['clients']} clients, "
                f"{ws['seconds']} s; server CPU {ws['server_cpu_percent']}%, clients' CPU "
                f"{ws['load_cpu_percent']}%, processes outside the benchmark "
                f"{ws.get('outside_cpu_percent')}%",
                _n(ws["deliveries_per_s"], " deliveries/s"),
                DESIGN_CEILINGS["ws_broadcast"],
                "deliveries/s ÷ this = "
                f"{_n(ratios['deliveries_per_s / ws_broadcast_deliveries_per_s'], '', 3)}"
                " (big rooms only: "
                f"{_n(ratios[_BIG_WS], '', 3)})",
            )
        )
    if crow:
        out += [
            "A ratio is the share of the ceiling that our figure reached. It measures our own "
            "overhead only when the run was driven to capacity (see above); at a lower offered "
            "load it is only the utilisation. The bare broadcast uses the same client code and "
            "processes, so the client side's cost is in both figures.",
            "",
        ]
        out += _table(
            crow, ("ceiling", "what was measured", "this run", "design §2", "our figure as a ratio")
        )
    else:
        out += ["Not measured in this run (--no-ceilings)."]
    if "redis" not in c:
        out += ["", "Redis was not measured: a single node fans out in-process."]

    if images:
        out += ["", "## Plots", ""] + [f"![{name}]({name})" for name in images]

    problems = []
    if f["errors"]:
        problems.append("error frames by code: " + json.dumps(f["errors"]))
    if f["close_codes"]:
        problems.append(
            "sockets closed during the run, by close code: " + json.dumps(f["close_codes"])
        )
    if f["connect_errors"]:
        problems.append("connection failures: " + json.dumps(f["connect_errors"]))
    if f.get("node_exits"):
        problems.append(
            "nodes that exited before the end (their CPU and RSS figures are wrong): "
            + json.dumps(f["node_exits"])
        )
    if f["e2e_ms"]["negative"] or f["ack_ms"]["negative"]:
        problems.append("negative latencies (clock trouble), counted as 0")
    out += ["", "## Anomalies", ""] + ([f"- {p}" for p in problems] or ["None seen."])

    versions = ", ".join(f"{k} {v}" for k, v in r["versions"].items())
    m = r["machine"]
    out += [
        "",
        "## How this was measured",
        "",
        "- Clients are `websockets` asyncio connections in separate load-generator processes "
        "(uvloop), spread round-robin over the nodes; each authenticates with a token and "
        "subscribes to its rooms. Senders are random members of the chosen room; a token bucket "
        "per process keeps the total offered rate.",
        "- The send time (`time.monotonic()`, one clock for all processes on Linux) is written "
        "into the message body: every receiver, the sender's own socket included, records "
        "receive − send (end-to-end); the sender records ack − send.",
        "- Rates are counted over the sending window only (whole seconds); expected deliveries "
        "are the acked messages × the sockets that follow their room.",
        "- RSS per connection: (node RSS after every client subscribed − RSS before the first "
        "client connected) ÷ connections; the node process only, not PostgreSQL or Valkey.",
        '- CPU: psutil CPU time over the sending window, in % of one core. "Processes outside '
        "the benchmark\" is the machine's busy time minus ours: other work on a shared machine "
        "that competed for the same cores.",
        "- Client and server share the cores: when the load generators' CPU is near 100% or their "
        "loop lag is high, latencies and delivery rates include client-side queueing and are a "
        "bound of this machine, not of the server alone.",
        "",
        f"Machine: {m['logical_cores']} logical cores ({m['cpu_model']}), {m['ram_gib']} GiB RAM, "
        f"Python {m['python']}, {m['platform']}. Versions: {versions}.",
        "",
        "Raw figures, settings and the per-second series are in `report.json`.",
    ]
    return "\n".join(out) + "\n"


def write(report: dict[str, Any], out: Path, *, with_plots: bool = True) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    images = plots.write(report, out) if with_plots else []
    json_path, md_path = out / "report.json", out / "report.md"
    json_path.write_text(json.dumps(report, indent=2, sort_keys=False, default=str) + "\n")
    md_path.write_text(markdown(report, images))
    return {"json": json_path, "markdown": md_path, **{name: out / name for name in images}}
