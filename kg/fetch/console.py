"""The progress line ``kg fetch`` draws on stderr when stderr is a terminal."""

from __future__ import annotations

import threading
import time
from typing import TextIO

from ..console import clear_line, clock, write_line
from . import FetchProgress


def describe(state: FetchProgress, elapsed: float) -> str:
    """Level, papers against the cap, requests (and those answered without asking), the rate
    and the time left if the cap is reached at this pace."""
    share = min(state.papers / state.cap, 1.0) if state.cap else 1.0
    filled = round(share * 24)
    line = (
        f"[{'#' * filled}{'.' * (24 - filled)}] level {state.level}, "
        f"{state.papers:,}/{state.cap:,} papers, {state.requests:,} requests "
        f"({state.from_cache + state.from_folder:,} already known)"
    )
    if elapsed >= 1:
        line += f", {state.requests / elapsed:.1f}/s"
        if 0 < share < 1:
            line += f", at most about {clock(elapsed * (1 - share) / share)} left"
    return line


class FetchBar:
    """Redraws one line of ``stream`` at most ten times a second; ``close`` clears it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.drawn = 0.0
        self.shown = False
        self.lock = threading.Lock()

    def __call__(self, state: FetchProgress) -> None:
        with self.lock:
            now = time.monotonic()
            if now - self.drawn >= 0.1:
                self.drawn = now
                write_line(self.stream, describe(state, now - self.started))
                self.shown = True

    def close(self) -> None:
        with self.lock:
            if self.shown:
                clear_line(self.stream)
