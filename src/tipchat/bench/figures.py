"""Raw results of a run (tipchat.bench.runner) -> the figures, the ratios to the ceilings, and
a verdict per target of issue 5. Pure: no I/O, so it is easy to check by hand.

Rates are taken over the sending window (whole seconds from t_start): what the system
sustained while the load was offered, not what trickled in during the drain afterwards.
"""

from __future__ import annotations

import itertools
from typing import Any

from tipchat.bench.config import TARGETS, BenchConfig
from tipchat.bench.histogram import Histogram
from tipchat.bench.plan import Plan
from tipchat.bench.sampler import Snapshot, cpu_percent

KIB = 1024
# "At 2,000 messages per second": the cluster kept up if it accepted this share of the offer.
KEEP_UP = 0.97


def _merge(results: list[dict[str, Any]], key: str) -> Histogram:
    h = Histogram()
    for r in results:
        h.merge(Histogram.from_wire(r[key]))
    return h


def _series(results: list[dict[str, Any]], name: str) -> list[int]:
    length = max((len(r["bins"][name]) for r in results), default=0)
    total = [0] * length
    for r in results:
        for i, n in enumerate(r["bins"][name]):
            total[i] += n
    return total


def _sum_counter(results: list[dict[str, Any]], key: str) -> dict[str, int]:
    total: dict[str, int] = {}
    for r in results:
        for k, n in r[key].items():
            total[k] = total.get(k, 0) + int(n)
    return total


def _ratio(ours: float | None, ceiling: float | None) -> float | None:
    if not ours or not ceiling:
        return None
    return round(ours / ceiling, 3)


def _memory(raw: dict[str, Any], plan: Plan) -> dict[str, Any]:
    snaps: dict[str, Snapshot] = raw["snapshots"]
    held_by_url: dict[str, int] = {}
    for info in raw["connected"]:
        for url, n in info["open_by_url"].items():
            held_by_url[url] = held_by_url.get(url, 0) + int(n)
    nodes = []
    window = [s for s in raw["samples"] if snaps["start"].t <= s.t <= snaps["end"].t]
    for i, url in enumerate(raw["node_urls"]):
        name = f"node-{i}"
        base, idle = snaps["base"].rss[name], snaps["idle"].rss[name]
        peak = max([s.rss.get(name, 0) for s in window] + [snaps["end"].rss[name]])
        held = held_by_url.get(url, 0)
        nodes.append(
            {
                "node": name,
                "connections": held,
                "rss_before_clients_mib": round(base / 2**20, 1),
                "rss_idle_mib": round(idle / 2**20, 1),
                "rss_peak_under_load_mib": round(peak / 2**20, 1),
                "kib_per_connection_idle": round((idle - base) / KIB / held, 1) if held else None,
                "kib_per_connection_under_load": round((peak - base) / KIB / held, 1)
                if held
                else None,
            }
        )
    held = sum(n["connections"] for n in nodes)
    grow_idle = sum(snaps["idle"].rss[n["node"]] - snaps["base"].rss[n["node"]] for n in nodes)
    return {
        "nodes": nodes,
        "kib_per_connection_idle": round(grow_idle / KIB / held, 1) if held else None,
        "kib_per_connection_under_load": round(
            sum((n["kib_per_connection_under_load"] or 0) * n["connections"] for n in nodes) / held,
            1,
        )
        if held
        else None,
    }


def _cpu(raw: dict[str, Any]) -> dict[str, Any]:
    snaps: dict[str, Snapshot] = raw["snapshots"]
    per = cpu_percent(snaps["start"], snaps["end"])
    nodes = {k: v for k, v in per.items() if k.startswith("node-")}
    return {
        "percent_of_one_core": per,
        "nodes_total": round(sum(nodes.values()), 1),
        "load_generators_total": round(sum(v for k, v in per.items() if k.startswith("load-")), 1),
        "outside_benchmark": per.get("outside this benchmark"),
    }


def _timeseries(raw: dict[str, Any], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    series = {
        name: _series(results, name) for name in ("sent", "acked", "delivered", "delivered_big")
    }
    t0 = raw["t_start"]
    length = max(len(s) for s in series.values())
    samples: list[Snapshot] = raw["samples"]
    rows = []
    for sec in range(length):
        row: dict[str, Any] = {"t": sec}
        for name, values in series.items():
            row[name] = values[sec] if sec < len(values) else 0
        inside = [s for s in samples if sec <= s.t - t0 < sec + 1]
        if inside:
            last = inside[-1]
            row["rss_mib"] = {
                k: round(v / 2**20, 1) for k, v in last.rss.items() if k.startswith("node-")
            }
        rows.append(row)
    # CPU per node per second, from consecutive samples.
    for a, b in itertools.pairwise(samples):
        sec = int(b.t - t0)
        if 0 <= sec < len(rows):
            cpu = cpu_percent(a, b)
            rows[sec]["cpu_nodes"] = round(
                sum(v for k, v in cpu.items() if k.startswith("node-")), 1
            )
    return rows


def _verdicts(config: BenchConfig, f: dict[str, Any]) -> list[dict[str, Any]]:
    one_node = config.nodes == 1
    acc, e2e, ack = f["accepted_per_s"], f["e2e_ms"]["p99"], f["ack_ms"]["p99"]
    held, kib = f["connections"]["held"], f["memory"]["kib_per_connection_idle"]
    big = f["big_room_deliveries_per_s"]
    offered_big = config.rate * config.effective_big_share * config.big_room_size
    out = []
    for t in TARGETS:
        if t.key == "connections":
            at_scale = one_node and config.clients >= 10_000
            measured = f"{held:,} connections held, {kib} KiB RSS each (idle)"
            met = held >= 10_000 and kib is not None and kib <= 50
        elif t.key == "durable":
            at_scale = one_node and config.rate >= 5_000
            measured = f"{acc:,.0f} msg/s accepted, send→ack p99 {ack} ms"
            met = acc >= 5_000 and ack is not None and ack <= 50
        elif t.key == "fanout":
            at_scale = one_node and config.big_rooms >= 1 and config.big_room_size >= 1_000
            at_scale = at_scale and offered_big >= 100_000
            measured = (
                f"{big:,.0f} deliveries/s into {config.big_rooms} room(s) of "
                f"{config.big_room_size} (offered {offered_big:,.0f}/s)"
            )
            met = big >= 100_000
        else:
            at_scale = config.nodes >= 3 and config.rate >= 2_000
            measured = f"e2e p99 {e2e} ms at {acc:,.0f} msg/s accepted on {config.nodes} node(s)"
            met = e2e is not None and e2e <= 100 and acc >= KEEP_UP * 2_000
        status = ("met" if met else "missed") if at_scale else "not tested at this scale"
        out.append({"key": t.key, "target": t.text, "measured": measured, "status": status})
    return out


def compute(raw: dict[str, Any]) -> dict[str, Any]:
    config: BenchConfig = raw["config"]
    plan: Plan = raw["plan"]
    results: list[dict[str, Any]] = raw["results"]
    counters = {
        k: sum(int(r["counters"].get(k, 0)) for r in results)
        for k in (
            "offered",
            "sent",
            "acked",
            "send_errors",
            "send_failed",
            "unsent_no_socket",
            "delivered",
            "delivered_big",
            "open_at_end",
        )
    }
    window = max(1, int(config.seconds))
    acked_s, delivered_s = _series(results, "acked"), _series(results, "delivered")
    big_s, sent_s = _series(results, "delivered_big"), _series(results, "sent")
    e2e, ack, lag = _merge(results, "e2e"), _merge(results, "ack"), _merge(results, "lag")
    room_acked: dict[int, int] = {}
    for r in results:
        for room, n in r["counters"].get("room_acked", {}).items():
            room_acked[int(room)] = room_acked.get(int(room), 0) + int(n)
    expected = sum(n * raw["room_subs"].get(room, 0) for room, n in room_acked.items())
    held = sum(int(i["open"]) for i in raw["connected"])
    f: dict[str, Any] = {
        "window_s": window,
        "connections": {
            "wanted": config.clients,
            "held": held,
            "failed": sum(int(i["failed"]) for i in raw["connected"]),
            "held_at_end": counters["open_at_end"],
            "connect_s": round(raw["connect_s"], 2),
        },
        "messages": {
            "offered": counters["offered"],
            "sent": counters["sent"],
            "acked": counters["acked"],
            "rejected": counters["send_errors"],
            "send_failed": counters["send_failed"] + counters["unsent_no_socket"],
            "unacked": counters["sent"] - counters["acked"] - counters["send_errors"],
        },
        "deliveries": {
            "received": counters["delivered"],
            "into_big_rooms": counters["delivered_big"],
            "expected": expected,
            "complete": round(counters["delivered"] / expected, 4) if expected else None,
        },
        "offered_per_s": round(config.rate, 1),
        # Did the nodes keep up with the offer? If not, the rates are the system's capacity.
        "kept_up": sum(acked_s[:window]) >= KEEP_UP * config.rate * window,
        "sent_per_s": round(sum(sent_s[:window]) / window, 1),
        "accepted_per_s": round(sum(acked_s[:window]) / window, 1),
        "deliveries_per_s": round(sum(delivered_s[:window]) / window, 1),
        "big_room_deliveries_per_s": round(sum(big_s[:window]) / window, 1),
        "e2e_ms": e2e.summary_ms(),
        "ack_ms": ack.summary_ms(),
        "load_generator_loop_lag_ms": lag.summary_ms(),
        "memory": _memory(raw, plan),
        "cpu": _cpu(raw),
        "drain_s": round(raw["drain_s"], 2),
        "setup_s": {k: round(v, 2) for k, v in raw["setup"].items()},
        "errors": _sum_counter(results, "errors"),
        "close_codes": _sum_counter(results, "close_codes"),
        "connect_errors": _sum_counter(results, "connect_errors"),
        "other_frames": _sum_counter(results, "other_frames"),
        "node_exits": raw.get("node_exits", {}),
    }
    ceilings = raw.get("ceilings", {})
    pg = ceilings.get("postgres", {}).get("rows_per_s")
    rd = ceilings.get("redis", {}).get("received_per_s")
    ws = ceilings.get("ws_broadcast", {}).get("deliveries_per_s")
    ratios = {
        "accepted_per_s / postgres_rows_per_s": _ratio(f["accepted_per_s"], pg),
        "accepted_per_s / redis_received_per_s": _ratio(f["accepted_per_s"], rd),
        "deliveries_per_s / ws_broadcast_deliveries_per_s": _ratio(f["deliveries_per_s"], ws),
        "big_room_deliveries_per_s / ws_broadcast_deliveries_per_s": _ratio(
            f["big_room_deliveries_per_s"], ws
        ),
    }
    return {
        "tipchat_bench": 1,
        "started_at": raw["started_at"],
        "run_s": round(raw["run_s"], 1),
        "settings": config.public(),
        "plan": {
            "small_rooms": sum(1 for r in plan.rooms if not r.big),
            "small_room_members_min": min(
                (len(r.members) for r in plan.rooms if not r.big), default=0
            ),
            "big_rooms": [len(r.members) for r in plan.rooms if r.big],
            "workers": plan.workers,
        },
        "machine": raw["machine"],
        "versions": raw.get("versions", {}),
        "figures": f,
        "ceilings": ceilings,
        "ratios": ratios,
        "targets": _verdicts(config, f),
        "timeseries": _timeseries(raw, results),
        "latency_histograms": {"e2e": e2e.to_wire(), "ack": ack.to_wire()},
    }
