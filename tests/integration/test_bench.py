"""`tipchat bench` end to end, small: its own PostgreSQL (or DATABASE_URL), one node as a real
process, a load-generator process, the ceilings, and both reports."""

from __future__ import annotations

import json
from pathlib import Path

from tipchat.bench.cli import execute
from tipchat.bench.config import TARGETS, BenchConfig


def _ordered(h: dict[str, float]) -> bool:
    return 0 <= h["p50"] <= h["p95"] <= h["p99"] <= h["max"]


async def test_a_small_run_writes_sane_reports(tmp_path: Path):
    config = BenchConfig(
        out=tmp_path / "report",
        nodes=1,
        clients=30,
        rooms=3,
        big_rooms=1,
        big_room_size=20,
        big_share=0.2,
        rate=100,
        seconds=3,
        workers=1,
        ceiling_seconds=0.5,
        drain_timeout=5,
        progress=False,
    )
    paths = await execute(config)

    for name in ("report.json", "report.md", "latency_cdf.png", "throughput.png"):
        assert (config.out / name).stat().st_size > 0, name
    report = json.loads(paths["json"].read_text())
    f = report["figures"]
    assert f["connections"]["held"] == 30
    assert f["messages"]["acked"] > 0
    assert f["messages"]["rejected"] == 0
    # Every member follows its rooms, the sender's own socket included.
    assert f["deliveries"]["received"] >= f["messages"]["acked"]
    assert f["deliveries"]["received"] == f["deliveries"]["expected"]
    assert f["accepted_per_s"] > 0 and f["deliveries_per_s"] > 0
    assert _ordered(f["e2e_ms"]) and _ordered(f["ack_ms"])
    assert f["memory"]["kib_per_connection_idle"] is not None
    assert report["ceilings"]["postgres"]["rows_per_s"] > 0
    assert report["ceilings"]["ws_broadcast"]["deliveries_per_s"] > 0
    assert all(r is None or r > 0 for r in report["ratios"].values())
    assert len(report["timeseries"]) >= 3
    # Honest verdicts: nothing at the targets' scale was run, so nothing is "met".
    assert {t["status"] for t in report["targets"]} == {"not tested at this scale"}

    markdown = paths["markdown"].read_text()
    for target in TARGETS:
        assert target.text in markdown
    assert "![latency_cdf.png](latency_cdf.png)" in markdown
