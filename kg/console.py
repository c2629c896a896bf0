"""The progress bar ``kg build`` draws on stderr when stderr is a terminal."""

from __future__ import annotations

import shutil
import time
from typing import TextIO

from .pipeline import Progress

_WIDTH = 24  # characters of the bar itself


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def describe(state: Progress, elapsed: float) -> str:
    """One line: the bar, files and records read, the rate and the time left (reading); the
    stage after that."""
    if state.stage != "reading":
        return f"{state.stage} {state.records:,} records from {state.files_total:,} files…"
    share = state.done_bytes / state.total_bytes if state.total_bytes else 1.0
    filled = round(share * _WIDTH)
    line = (
        f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {state.files:,}/{state.files_total:,} files, "
        f"{state.records:,} records"
    )
    if elapsed >= 1:  # a rate and a forecast from less than a second mean nothing
        line += f", {state.records / elapsed:,.0f} records/s"
        if 0 < share < 1:
            line += f", about {_clock(elapsed * (1 - share) / share)} left"
    return line


class ProgressBar:
    """Redraws one line of ``stream`` at most ten times a second; ``close`` clears it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.drawn = 0.0
        self.shown = False

    def __call__(self, state: Progress) -> None:
        now = time.monotonic()
        last_file = state.stage == "reading" and state.files == state.files_total
        if now - self.drawn < 0.1 and state.stage == "reading" and not last_file:
            return
        self.drawn = now
        width = shutil.get_terminal_size((100, 20)).columns - 1
        self.stream.write("\r" + describe(state, now - self.started)[:width].ljust(width))
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            width = shutil.get_terminal_size((100, 20)).columns - 1
            self.stream.write("\r" + " " * width + "\r")
            self.stream.flush()
