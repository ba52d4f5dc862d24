"""The replayed feature matrix written by packages/training/src/fraud/replay.ts (see feature-matrix.ts)."""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class FeatureSet:
    names: list[str]
    scenarios: list[str]
    X: np.ndarray  # float32, rows x features (memory-mapped)
    event_time: np.ndarray  # int64 ms
    day: np.ndarray  # int64, days since the first simulated day
    card: np.ndarray  # int64 card index
    terminal: np.ndarray  # int64 terminal index
    is_fraud: np.ndarray  # int8
    scenario: np.ndarray  # int8, 0 = legit, i = scenarios[i - 1]
    reported_at: np.ndarray  # float64 ms, +inf when never charged back
    start_time: int  # ms, midnight UTC of day 0

    def days(self, start: int, end: int) -> np.ndarray:
        """Row indexes of days [start, end)."""
        return np.flatnonzero((self.day >= start) & (self.day < end))

    def known_by(self, time_ms: float) -> np.ndarray:
        """Labels as a bank knows them at `time_ms`: fraud only once its chargeback was reported."""
        return (self.reported_at <= time_ms).astype(np.int8)


def load_features(directory: str | Path) -> FeatureSet:
    directory = Path(directory)
    description = json.loads((directory / "features.json").read_text())
    names = description["featureNames"]
    rows = description["rows"]
    X = np.memmap(directory / "features.f32", dtype="<f4", mode="r", shape=(rows, len(names)))
    meta = np.loadtxt(directory / "rows.csv", delimiter=",", skiprows=1, usecols=(1, 2, 3, 4, 5, 6), dtype=np.int64, ndmin=2)
    if meta.shape[0] != rows:
        raise ValueError(f"{directory}/rows.csv has {meta.shape[0]} rows, features.json says {rows}; re-run the replay")
    reported = np.loadtxt(directory / "reported.csv", delimiter=",", skiprows=1, dtype=np.int64, ndmin=2)
    reported_at = np.full(rows, np.inf)
    if reported.size:
        reported_at[reported[:, 0]] = reported[:, 1]
    return FeatureSet(
        names=names,
        scenarios=description["scenarios"],
        X=X,
        event_time=meta[:, 0],
        day=meta[:, 1],
        card=meta[:, 2],
        terminal=meta[:, 3],
        is_fraud=meta[:, 4].astype(np.int8),
        scenario=meta[:, 5].astype(np.int8),
        reported_at=reported_at,
        start_time=int(description["startTime"]),
    )
