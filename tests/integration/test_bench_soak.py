"""`tipchat bench soak`, a few seconds of it: its own PostgreSQL (or DATABASE_URL), one node
as a real process, a handful of churning clients, and the reports."""

from __future__ import annotations

import json
from pathlib import Path

from tipchat.bench.soak import SoakConfig, execute


async def test_a_short_soak_churns_and_reports(tmp_path: Path):
    config = SoakConfig(
        out=tmp_path / "soak",
        clients=6,
        room_size=3,
        minutes=8 / 60,
        send_interval_s=0.5,
        lifetime_s=(1.0, 2.5),
        sample_every_s=1.0,
        progress=False,
    )
    paths = await execute(config)

    for name in ("report.json", "report.md", "soak_memory.png", "soak_sockets.png"):
        assert (config.out / name).stat().st_size > 0, name
    report = json.loads(paths["json"].read_text())
    c = report["clients"]
    assert c["connects"] > config.clients  # churned: more lives than slots
    assert c["connected"] >= config.clients
    assert c["resumes"] > 0 and c["fresh_subscribes"] >= config.clients
    assert c["acked"] > 0 and c["acked"] == c["sent"]
    assert c["send_errors"] == 0 and c["unacked_at_close"] == 0
    assert c["unexpected_closes"] == 0 and c["seq_gaps"] == 0
    assert c["delivered"] >= c["acked"]  # rooms of 3: at least the sender's own copy
    node = report["nodes"][0]
    assert node["rss_mib"]["max"] > 10 and node["fds"]["max"] > 10
    assert node["sockets"]["max"] >= 1 and node["sockets"]["after_clients_left"] == 0
    assert node["trend"]["rss_mib_per_min_second_half"] is not None
    assert node["trend"]["verdict"] in (
        "no growth trend",
        "growth (RSS)",
        "growth (fds)",
        "growth (RSS, fds)",
    )
    assert len(report["timeseries"]) >= 5
    assert "## Verdict" in paths["markdown"].read_text()
