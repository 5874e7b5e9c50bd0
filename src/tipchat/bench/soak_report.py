"""The soak's raw samples (tipchat.bench.soak) -> trend figures and a verdict, report.json,
report.md and three plots: memory and descriptors, sockets, messages per second.

The verdict is a figure, not an assertion: a least-squares slope of the node's RSS and of its
open descriptors over the second half of the run (the first half is warm-up: caches, pools and
the allocator's arenas fill up), compared with the thresholds below.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tipchat.bench.figures import _merge, _series, _sum_counter
from tipchat.bench.plots import _pyplot
from tipchat.bench.report import _n, _table
from tipchat.bench.soak_load import COUNTER_KEYS

# "No growth trend" below these slopes over the second half. 1 MiB/min is 10 MiB over a
# 10-minute soak, beyond the noise of a Python heap holding ~300 sockets; 1 fd/min means a
# leaked descriptor every minute, which at hundreds of reconnects a minute is far fewer than one
# per reconnect (a leak per socket or per subscription would show up as tens per minute).
RSS_LIMIT_MIB_PER_MIN = 1.0
FDS_LIMIT_PER_MIN = 1.0

MEMORY_PNG = "soak_memory.png"
SOCKETS_PNG = "soak_sockets.png"
MESSAGES_PNG = "soak_messages.png"


def slope_per_min(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, value) points, per minute."""
    if len(points) < 3:
        return None
    n = len(points)
    mx = sum(t for t, _ in points) / n
    my = sum(v for _, v in points) / n
    sxx = sum((t - mx) ** 2 for t, _ in points)
    if sxx == 0:
        return None
    sxy = sum((t - mx) * (v - my) for t, v in points)
    return round(60.0 * sxy / sxx, 3)


def _points(samples: list[dict[str, Any]], node: int, key: str, since: float) -> list[Any]:
    return [
        (s["t"], s["nodes"][node][key])
        for s in samples
        if s["t"] >= since and s["nodes"][node].get(key) is not None
    ]


def _trend(samples: list[dict[str, Any]], node: int, seconds: float) -> dict[str, Any]:
    half = seconds / 2.0
    rss_half = slope_per_min(_points(samples, node, "rss_mib", half))
    fds_half = slope_per_min(_points(samples, node, "fds", half))
    growth = []
    if rss_half is None or fds_half is None:
        verdict = "too few samples"
    else:
        if rss_half >= RSS_LIMIT_MIB_PER_MIN:
            growth.append("RSS")
        if fds_half >= FDS_LIMIT_PER_MIN:
            growth.append("fds")
        verdict = "growth (" + ", ".join(growth) + ")" if growth else "no growth trend"
    return {
        "rss_mib_per_min_second_half": rss_half,
        "fds_per_min_second_half": fds_half,
        "sockets_per_min_second_half": slope_per_min(_points(samples, node, "sockets", half)),
        "rss_mib_per_min_whole_run": slope_per_min(_points(samples, node, "rss_mib", 0.0)),
        "fds_per_min_whole_run": slope_per_min(_points(samples, node, "fds", 0.0)),
        "second_half_from_s": half,
        "limits": {"rss_mib_per_min": RSS_LIMIT_MIB_PER_MIN, "fds_per_min": FDS_LIMIT_PER_MIN},
        "verdict": verdict,
    }


def _node_figures(raw: dict[str, Any], node: int) -> dict[str, Any]:
    samples = raw["samples"]
    before, after = raw["before"]["nodes"][node], raw["after"]["nodes"][node]
    during = [s["nodes"][node] for s in samples]

    def span(key: str) -> dict[str, Any]:
        values = [d[key] for d in during if d.get(key) is not None]
        return {
            "before_clients": before.get(key),
            "first_sample": values[0] if values else None,
            "last_sample": values[-1] if values else None,
            "min": min(values, default=None),
            "max": max(values, default=None),
            "after_clients_left": after.get(key),
        }

    return {
        "node": f"node-{node}",
        "rss_mib": span("rss_mib"),
        "fds": span("fds"),
        "threads": span("threads"),
        "sockets": span("sockets"),
        "fd_kinds_before": before.get("fd_kinds", {}),
        "fd_kinds_at_end": during[-1].get("fd_kinds", {}) if during else {},
        "fd_kinds_after": after.get("fd_kinds", {}),
        "socket_kinds_before": before.get("socket_kinds", {}),
        "socket_kinds_at_end": during[-1].get("socket_kinds", {}) if during else {},
        "socket_kinds_after": after.get("socket_kinds", {}),
        "metrics_after": after.get("metrics", {}),
        "trend": _trend(samples, node, raw["settings"]["minutes"] * 60.0),
    }


def _timeseries(raw: dict[str, Any]) -> list[dict[str, Any]]:
    rows, prev = [], None
    for s in raw["samples"]:
        n0 = s["nodes"][0]
        row = {
            "t": s["t"],
            "rss_mib": n0.get("rss_mib"),
            "fds": n0.get("fds"),
            "threads": n0.get("threads"),
            "sockets": n0.get("sockets"),
            "client_open": s["clients"]["open"],
            "connects": s["clients"]["connects"],
            "node_cpu_percent": None,
        }
        if prev is not None and n0.get("cpu_s") is not None and prev[1] is not None:
            row["node_cpu_percent"] = round(100 * (n0["cpu_s"] - prev[1]) / (s["t"] - prev[0]), 1)
        prev = (s["t"], n0.get("cpu_s"))
        rows.append(row)
    return rows


def compute(raw: dict[str, Any]) -> dict[str, Any]:
    results = raw.get("results", [])
    counters = _totals(results)
    seconds = raw["settings"]["minutes"] * 60.0
    per_second = {name: _series(results, name) for name in ("sent", "acked", "delivered")}
    whole = max(1, int(seconds))
    return {
        "kind": "soak",
        "started_at": raw["started_at"],
        "settings": raw["settings"],
        "rooms": raw["rooms"],
        "machine": raw["machine"],
        "versions": raw.get("versions", {}),
        "setup_s": raw.get("setup_s", {}),
        "run_s": raw.get("run_s"),
        "nodes": [_node_figures(raw, i) for i in range(len(raw["before"]["nodes"]))],
        "clients": {
            **counters,
            "errors": _sum_counter(results, "errors"),
            "close_codes": _sum_counter(results, "close_codes"),
            "connect_errors": _sum_counter(results, "connect_errors"),
            "other_frames": _sum_counter(results, "other_frames"),
            "acked_per_s": round(counters.get("acked", 0) / whole, 2),
            "deliveries_per_s": round(counters.get("delivered", 0) / whole, 2),
            "connects_per_min": round(60 * counters.get("connects", 0) / whole, 1),
        },
        "e2e_ms": _merge(results, "e2e").summary_ms() if results else None,
        "ack_ms": _merge(results, "ack").summary_ms() if results else None,
        "cpu_percent_of_one_core": raw.get("cpu", {}),
        "node_exits": raw.get("node_exits", {}),
        "per_second": per_second,
        "timeseries": _timeseries(raw),
        "samples": raw["samples"],
    }


def _totals(results: list[dict[str, Any]]) -> dict[str, int]:
    total = dict.fromkeys(COUNTER_KEYS, 0)
    for r in results:
        for k, v in r["counters"].items():
            if isinstance(v, int):
                total[k] = total.get(k, 0) + v
    return total


# -- plots -------------------------------------------------------------------------------------


def _fit_line(ax: Any, points: list[tuple[float, float]], slope: float | None, label: str) -> None:
    if slope is None or len(points) < 3:
        return
    ts = [t for t, _ in points]
    mt = sum(ts) / len(ts)
    mv = sum(v for _, v in points) / len(points)
    xs = [ts[0] / 60, ts[-1] / 60]
    ax.plot(xs, [mv + slope * (x - mt / 60) for x in xs], "--", color="black", label=label)


def plot_memory(report: dict[str, Any], path: Path) -> None:
    plt = _pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6), dpi=100, sharex=True)
    half = report["nodes"][0]["trend"]["second_half_from_s"]
    for i, node in enumerate(report["nodes"]):
        trend = node["trend"]
        for ax, key, unit, slope_key in (
            (top, "rss_mib", "MiB/min", "rss_mib_per_min_second_half"),
            (bottom, "fds", "fds/min", "fds_per_min_second_half"),
        ):
            pts = _points(report["samples"], i, key, 0.0)
            ax.plot([t / 60 for t, _ in pts], [v for _, v in pts], marker=".", label=node["node"])
            second = [(t, v) for t, v in pts if t >= half]
            _fit_line(ax, second, trend[slope_key], f"fit, 2nd half: {trend[slope_key]} {unit}")
    top.set_ylabel("RSS (MiB)")
    bottom.set_ylabel("open file descriptors")
    bottom.set_xlabel("minutes since the soak started")
    for ax in (top, bottom):
        ax.axvline(half / 60, color="grey", linewidth=0.8, linestyle=":")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="lower right")
    fig.suptitle(f"Node memory and descriptors: {report['nodes'][0]['trend']['verdict']}")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_sockets(report: dict[str, Any], path: Path) -> None:
    plt = _pyplot()
    rows = report["timeseries"]
    fig, ax = plt.subplots(figsize=(9, 4), dpi=100)
    t = [r["t"] / 60 for r in rows]
    ax.plot(t, [r["sockets"] for r in rows], marker=".", label="tipchat_open_sockets (node-0)")
    ax.plot(t, [r["client_open"] for r in rows], label="sockets open, clients' count (all)")
    ax.set_xlabel("minutes since the soak started")
    ax.set_ylabel("open WebSockets")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    ax.set_title(f"Open sockets ({report['clients'].get('connects', 0):,} connects in all)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_messages(report: dict[str, Any], path: Path) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 4), dpi=100)
    for name, label in (("sent", "sent/s"), ("acked", "acked/s"), ("delivered", "deliveries/s")):
        series = report["per_second"][name]
        ax.plot([i / 60 for i in range(len(series))], series, linewidth=0.7, label=label)
    ax.set_xlabel("minutes since the soak started")
    ax.set_ylabel("per second")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right")
    ax.set_title("Messages per second")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


# -- report.md ---------------------------------------------------------------------------------


def _span_row(name: str, span: dict[str, Any], unit: str = "") -> tuple[str, ...]:
    return (
        name,
        *(
            _n(span[k], unit, 1) if isinstance(span[k], float) else _n(span[k], unit)
            for k in ("before_clients", "first_sample", "last_sample", "min", "max",
                      "after_clients_left")
        ),
    )  # fmt: skip


def _ms3(h: dict[str, Any]) -> str:
    return f"{h.get('p50')} / {h.get('p99')} / {h.get('max')} ms"


def markdown(r: dict[str, Any], images: list[str]) -> str:
    s, c = r["settings"], r["clients"]
    low, high = s["lifetime_s"]
    out = [
        f"# tipchat soak, {r['started_at']}",
        "",
        f"{s['nodes']} node(s), {s['minutes']:g} minutes, {s['clients']:,} client slots in "
        f"{r['rooms']} rooms of ~{s['room_size']}. Each slot connects, authenticates, follows "
        f"its room (`resume` from its last seq on {s['resume_share']:.0%} of reconnects, else "
        f"`subscribe`), sends a message every {s['send_interval_s']:g} s on average, and closes "
        f"after a lifetime of {low:g}-{high:g} s; another socket takes its place. PostgreSQL: "
        f"{s['database_url']}; bus: {s['redis_url']}. Samples every {s['sample_every_s']:g} s.",
        "",
        "## Verdict",
        "",
    ]
    for node in r["nodes"]:
        t = node["trend"]
        out += [
            f"**{node['node']}: {t['verdict']}.** Least-squares slope over the second half "
            f"(from {t['second_half_from_s'] / 60:g} min): RSS "
            f"{t['rss_mib_per_min_second_half']} MiB/min, open descriptors "
            f"{t['fds_per_min_second_half']}/min (sockets {t['sockets_per_min_second_half']}/min)."
            f" Over the whole run, warm-up included: RSS {t['rss_mib_per_min_whole_run']} MiB/min,"
            f' descriptors {t["fds_per_min_whole_run"]}/min. "No growth trend" means both '
            f"second-half slopes are below {t['limits']['rss_mib_per_min']:g} MiB/min and "
            f"{t['limits']['fds_per_min']:g} fd/min.",
            "",
        ]
    out += ["## The node over the run", ""]
    for node in r["nodes"]:
        out += _table(
            [
                _span_row("RSS (MiB)", node["rss_mib"]),
                _span_row("open descriptors", node["fds"]),
                _span_row("threads", node["threads"]),
                _span_row("open sockets (/metrics)", node["sockets"]),
            ],
            (node["node"], "before clients", "first sample", "last sample", "min", "max",
             "after clients left"),
        )  # fmt: skip
        out += [
            "",
            "Descriptors by kind: before clients "
            f"{json.dumps(node['fd_kinds_before'])}; at the last sample "
            f"{json.dumps(node['fd_kinds_at_end'])}; after the clients left "
            f"{json.dumps(node['fd_kinds_after'])}.",
            "",
            "Sockets by kind: before clients "
            f"{json.dumps(node['socket_kinds_before'])}; at the last sample "
            f"{json.dumps(node['socket_kinds_at_end'])}; after the clients left "
            f"{json.dumps(node['socket_kinds_after'])}.",
            "",
        ]
    cpu = r["cpu_percent_of_one_core"]
    e2e, ack = r["e2e_ms"] or {}, r["ack_ms"] or {}
    rows = [
        ("connects (attempted / authenticated and following)",
         f"{c.get('connects', 0):,} / {c.get('connected', 0):,} ({c['connects_per_min']}/min)"),
        ("reconnects with resume / fresh subscribes",
         f"{c.get('resumes', 0):,} / {c.get('fresh_subscribes', 0):,}"),
        ("closed by the client / unexpected closes",
         f"{c.get('closed_by_client', 0):,} / {c.get('unexpected_closes', 0):,}"),
        ("messages sent / acked", f"{c.get('sent', 0):,} / {c.get('acked', 0):,} "
         f"({c['acked_per_s']}/s)"),
        ("failed sends: error frames / unacked when the socket closed / not sent",
         f"{c.get('send_errors', 0)} / {c.get('unacked_at_close', 0)} / "
         f"{c.get('send_failed', 0)}"),
        ("deliveries live / replayed by resume",
         f"{c.get('delivered', 0):,} ({c['deliveries_per_s']}/s) / {c.get('replayed', 0):,}"),
        ("seq gaps / duplicates seen by clients",
         f"{c.get('seq_gaps', 0)} / {c.get('seq_duplicates', 0)}"),
        ("send → ack p50 / p99 / max", _ms3(ack)),
        ("end-to-end p50 / p99 / max", _ms3(e2e)),
        ("error frames by code", json.dumps(c["errors"]) if c["errors"] else "none"),
        ("unexpected close codes", json.dumps(c["close_codes"]) if c["close_codes"] else "none"),
        ("connect failures", json.dumps(c["connect_errors"]) if c["connect_errors"] else "none"),
        ("CPU over the soak (% of one core)",
         ", ".join(f"{k} {v}%" for k, v in cpu.items())),
        ("setup", ", ".join(f"{k} {v} s" for k, v in r["setup_s"].items())
         + f"; whole run {r['run_s']} s"),
    ]  # fmt: skip
    out += ["## The clients", "", *_table(rows, ("figure", "value"))]
    if r["node_exits"]:
        out += ["", f"**Nodes that exited before the end:** {json.dumps(r['node_exits'])}"]
    if images:
        out += ["", "## Plots", ""] + [f"![{name}]({name})" for name in images]
    m = r["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in r["versions"].items())
    out += [
        "",
        "## How this was measured",
        "",
        "- RSS, descriptors (`num_fds()`, and their kinds from `/proc/PID/fd`), threads and CPU "
        "of the node process with psutil; open sockets from the node's `/metrics` "
        "(`tipchat_open_sockets`); client counters from the load generator every 0.5 s.",
        '- "Before clients" is sampled after setup (users seeded, rooms made over REST), '
        '"after clients left" a few seconds after the last socket closed.',
        "- A slot waits up to 5 s for the acks of what it sent before it closes: an ack missing "
        "then counts as unacked. Seq gaps and duplicates are checked per room on every socket, "
        "replay included.",
        '- "Processes outside the benchmark" in the CPU line is the machine\'s busy time minus '
        "ours: other work on a shared machine.",
        "",
        f"Machine: {m['logical_cores']} logical cores ({m['cpu_model']}), {m['ram_gib']} GiB RAM, "
        f"Python {m['python']}, {m['platform']}. Versions: {versions}.",
        "",
        "Every sample (with /metrics and descriptor kinds) is in `report.json`.",
    ]
    return "\n".join(out) + "\n"


def write(report: dict[str, Any], out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    images = []
    if report["samples"]:
        plot_memory(report, out / MEMORY_PNG)
        plot_sockets(report, out / SOCKETS_PNG)
        plot_messages(report, out / MESSAGES_PNG)
        images = [MEMORY_PNG, SOCKETS_PNG, MESSAGES_PNG]
    json_path, md_path = out / "report.json", out / "report.md"
    json_path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    md_path.write_text(markdown(report, images))
    return {"json": json_path, "markdown": md_path, **{name: out / name for name in images}}
