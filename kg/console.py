"""The progress bar ``kg build`` draws on stderr when stderr is a terminal."""

from __future__ import annotations

import shutil
import threading
import time
from typing import TextIO

from .pipeline import Progress

_WIDTH = 24  # characters of the bar itself


def clock(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def describe(state: Progress, elapsed: float) -> str:
    """One line: the bar, files and records read, the rate and the time left (reading); then
    each stage with how long it has taken so far (``elapsed``: since the stage began)."""
    shown = clock(elapsed)
    if state.stage == "merging":
        return f"merging {state.records:,} records from {state.files_total:,} files… {shown}"
    if state.stage == "loading":
        rate = f", {state.quads / elapsed:,.0f} quads/s" if elapsed >= 1 else ""
        return f"loading the store: {state.quads:,} quads{rate}… {shown}"
    if state.stage == "writing":
        return f"writing graph.ttl, graph.trig and the map ({state.quads:,} quads)… {shown}"
    if state.stage != "reading":
        return f"{state.stage}… {shown}"
    share = state.done_bytes / state.total_bytes if state.total_bytes else 1.0
    filled = round(share * _WIDTH)
    line = (
        f"[{'#' * filled}{'.' * (_WIDTH - filled)}] {state.files:,}/{state.files_total:,} files, "
        f"{state.records:,} records"
    )
    if elapsed >= 1:  # a rate and a forecast from less than a second mean nothing
        line += f", {state.records / elapsed:,.0f} records/s"
        if 0 < share < 1:
            line += f", about {clock(elapsed * (1 - share) / share)} left"
    return line


def write_line(stream: TextIO, text: str) -> None:
    """Draw ``text`` over the terminal line ``stream``'s cursor is on, cut to its width."""
    width = shutil.get_terminal_size((100, 20)).columns - 1
    stream.write("\r" + text[:width].ljust(width))
    stream.flush()


def clear_line(stream: TextIO) -> None:
    width = shutil.get_terminal_size((100, 20)).columns - 1
    stream.write("\r" + " " * width + "\r")
    stream.flush()


class ProgressBar:
    """Redraws one line of ``stream`` at most ten times a second; ``close`` clears it. After
    reading, the line is redrawn every ``tick`` seconds too, so that its clock moves while a
    long stage gives no news. It may be called from any thread of the build."""

    def __init__(self, stream: TextIO, tick: float = 1.0) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.drawn = 0.0
        self.shown = False
        self.state: Progress | None = None
        self.stage_started = self.started
        self.lock = threading.Lock()
        self.closed = threading.Event()
        self.ticker = threading.Thread(target=self._tick, args=(tick,), daemon=True)
        self.ticker.start()

    def __call__(self, state: Progress) -> None:
        with self.lock:
            now = time.monotonic()
            if self.state is None or state.stage != self.state.stage:
                self.stage_started = now
            self.state = state
            last_file = state.stage == "reading" and state.files == state.files_total
            if now - self.drawn < 0.1 and state.stage in ("reading", "loading") and not last_file:
                return
            self._draw(now)

    def _draw(self, now: float) -> None:
        state = self.state
        if state is None:
            return
        since = self.started if state.stage == "reading" else self.stage_started
        self.drawn = now
        write_line(self.stream, describe(state, now - since))
        self.shown = True

    def _tick(self, every: float) -> None:
        while not self.closed.wait(every):
            with self.lock:
                if self.state and self.state.stage != "reading":
                    self._draw(time.monotonic())

    def close(self) -> None:
        self.closed.set()
        self.ticker.join()
        with self.lock:
            if self.shown:
                clear_line(self.stream)
