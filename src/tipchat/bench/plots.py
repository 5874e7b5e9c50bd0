"""The two PNGs of a report (matplotlib, Agg): latency CDF and throughput over time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tipchat.bench.histogram import Histogram

LATENCY_PNG = "latency_cdf.png"
THROUGHPUT_PNG = "throughput.png"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def latency_cdf(report: dict[str, Any], path: Path) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    for key, label in (("e2e", "end-to-end (send → each receiver)"), ("ack", "send → ack")):
        points = Histogram.from_wire(report["latency_histograms"][key]).cdf()
        if points:
            xs = [x * 1000.0 for x, _ in points]
            ys = [y for _, y in points]
            ax.step(xs, ys, where="post", label=label)
    for p in (0.5, 0.95, 0.99):
        ax.axhline(p, color="grey", linewidth=0.5, linestyle=":")
    ax.set_xscale("log")
    ax.set_xlabel("latency (ms, log scale)")
    ax.set_ylabel("fraction ≤ latency")
    ax.set_ylim(0, 1.01)
    ax.set_title("Latency CDF")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def throughput(report: dict[str, Any], path: Path) -> None:
    plt = _pyplot()
    rows = report["timeseries"]
    t = [r["t"] for r in rows]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), dpi=100, sharex=True)
    top.plot(t, [r["sent"] for r in rows], label="sent/s", marker=".")
    top.plot(t, [r["acked"] for r in rows], label="accepted (acked)/s", marker=".")
    top.set_ylabel("messages per second")
    top.legend(loc="lower right")
    top.grid(True, alpha=0.3)
    bottom.plot(t, [r["delivered"] for r in rows], label="deliveries/s (all rooms)", marker=".")
    bottom.plot(t, [r["delivered_big"] for r in rows], label="into big rooms", marker=".")
    bottom.set_ylabel("deliveries per second")
    bottom.set_xlabel(
        "seconds since sending started (the window ends at "
        f"{report['figures']['window_s']} s; later: drain)"
    )
    bottom.legend(loc="lower right")
    bottom.grid(True, alpha=0.3)
    for ax in (top, bottom):
        ax.axvline(report["figures"]["window_s"], color="grey", linewidth=0.8, linestyle="--")
    fig.suptitle("Throughput over time")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write(report: dict[str, Any], out: Path) -> list[str]:
    latency_cdf(report, out / LATENCY_PNG)
    throughput(report, out / THROUGHPUT_PNG)
    return [LATENCY_PNG, THROUGHPUT_PNG]
