"""The live line while a run goes: phase, a bar, elapsed time, connections and counters."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class ProgressLine:
    def __init__(self, enabled: bool, console: Console | None = None) -> None:
        self.enabled = enabled
        self._progress: Progress | None = None
        self._task = None
        if enabled:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("[bold]{task.description:<22}"),
                BarColumn(bar_width=24),
                TimeElapsedColumn(),
                TextColumn("{task.fields[info]}"),
                console=console or Console(stderr=True),
                refresh_per_second=4,
            )
            self._task = self._progress.add_task("starting", total=None, info="")

    def __enter__(self) -> ProgressLine:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def phase(self, name: str, total: float | None = None, info: str = "") -> None:
        """A new phase; total (seconds or items) gives it a bar."""
        if self._progress is not None and self._task is not None:
            self._progress.reset(self._task, total=total, description=name, info=info)

    def update(self, completed: float | None = None, info: str | None = None) -> None:
        if self._progress is None or self._task is None:
            return
        if info is None:
            self._progress.update(self._task, completed=completed)
        else:
            self._progress.update(self._task, completed=completed, info=info)

    def setup(self, phase: str, done: int, total: int) -> None:
        """The callback of tipchat.bench.population."""
        if self._progress is None or self._task is None:
            return
        task = self._progress.tasks[0]
        if task.description != phase:
            self.phase(phase, total=total)
        self.update(completed=done, info=f"{done}/{total}")

    def note(self, text: str) -> None:
        if self._progress is not None:
            self._progress.console.print(text, highlight=False)
