"""Progress lines in the pipeline's format (`▸ label: detail 45% (12.3s)`), at most one every 2 s.

The TypeScript side prints the same format (packages/training/src/shared/progress.ts), so a
pipeline's output reads as one log whichever language runs the step.
"""

import sys
import time


class Progress:
    def __init__(self, label: str, every_seconds: float = 2.0):
        self.label = label
        self.every = every_seconds
        self.start = time.monotonic()
        self.last = float("-inf")

    def update(self, fraction: float, detail: str = "") -> None:
        now = time.monotonic()
        if now - self.last < self.every and fraction < 1:
            return
        self.last = now
        what = f"{self.label}: {detail}" if detail else self.label
        print(f"▸ {what} {fraction * 100:.0f}% ({now - self.start:.1f}s)", file=sys.stderr, flush=True)

    def note(self, message: str) -> None:
        """Text that needs no throttling (a result worth reading)."""
        print(f"  {self.label}: {message}", file=sys.stderr, flush=True)

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def lightgbm_callback(self, rounds: int, what: str = "boosting"):
        """A LightGBM callback reporting the boosting round."""

        def callback(env) -> None:
            self.update((env.iteration + 1) / rounds, f"{what} round {env.iteration + 1}/{rounds}")

        return callback
