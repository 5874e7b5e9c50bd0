"""RSS and CPU time of the processes under test, read with psutil.

A node's figures are its own process only (no children); PostgreSQL's are the postmaster and
its backends together (CPU of backends that already exited is lost, so it is a lower bound).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil


@dataclass(frozen=True)
class Target:
    name: str
    pid: int
    children: bool = False


@dataclass
class Snapshot:
    t: float
    rss: dict[str, int]  # bytes
    cpu: dict[str, float]  # seconds of CPU (user + system) so far
    machine_busy: float  # seconds of CPU of the whole machine so far (all cores)


def _processes(target: Target) -> list[psutil.Process]:
    try:
        proc = psutil.Process(target.pid)
        return [proc, *proc.children(recursive=True)] if target.children else [proc]
    except psutil.Error:
        return []


def _machine_busy() -> float:
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


@dataclass
class Sampler:
    targets: list[Target]
    samples: list[Snapshot] = field(default_factory=list)

    def snapshot(self) -> Snapshot:
        rss: dict[str, int] = {}
        cpu: dict[str, float] = {}
        for target in self.targets:
            total_rss, total_cpu = 0, 0.0
            for proc in _processes(target):
                with contextlib.suppress(psutil.Error):
                    total_rss += proc.memory_info().rss
                    times = proc.cpu_times()
                    total_cpu += times.user + times.system
            rss[target.name], cpu[target.name] = total_rss, total_cpu
        return Snapshot(time.monotonic(), rss, cpu, _machine_busy())

    async def run(self, interval: float = 0.5) -> None:
        while True:
            self.samples.append(await asyncio.to_thread(self.snapshot))
            await asyncio.sleep(interval)


def cpu_percent(a: Snapshot, b: Snapshot) -> dict[str, Any]:
    """CPU between two snapshots, in % of one core per process group, and of the machine."""
    wall = max(b.t - a.t, 1e-9)
    per = {name: round(100.0 * (b.cpu[name] - a.cpu.get(name, 0.0)) / wall, 1) for name in b.cpu}
    cores = psutil.cpu_count() or 1
    machine = 100.0 * (b.machine_busy - a.machine_busy) / wall
    # The machine may be shared: whatever ran besides the processes we watch.
    per["outside this benchmark"] = round(max(0.0, machine - sum(per.values())), 1)
    per["machine (% of all cores)"] = round(machine / cores, 1)
    return per


def machine_info() -> dict[str, Any]:
    import platform
    import sys

    memory = psutil.virtual_memory()
    freq = psutil.cpu_freq()
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "logical_cores": psutil.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "cpu_model": model,
        "cpu_mhz": round(freq.current) if freq else None,
        "ram_gib": round(memory.total / 2**30, 1),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }
