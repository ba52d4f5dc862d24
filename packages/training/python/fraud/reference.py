"""Per-feature training distributions for the drift monitor's PSI (see fraud-core reference.ts)."""

import numpy as np


def reference_distribution(values: np.ndarray, bins: int = 10) -> tuple[list[float], list[float]]:
    """Decile cut points (duplicates merged, so a 0/1 flag gets one edge) and the share of values per bin.

    A value falls in bin `searchsorted(edges, value, side="right")`, the rule
    fraud-core's `referenceBin` applies online.
    """
    values = np.asarray(values, dtype=np.float64)
    edges = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)[1:-1], method="higher"))
    # A cut at the minimum would leave bin 0 empty by construction: drop it.
    edges = edges[edges > values.min()]
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=edges.size + 1)
    return edges.tolist(), (counts / values.size).tolist()


def reference_distributions(X: np.ndarray, names: list[str], bins: int = 10) -> dict:
    features = []
    for j, name in enumerate(names):
        edges, proportions = reference_distribution(X[:, j], bins)
        features.append({"name": name, "edges": edges, "proportions": proportions})
    return {"formatVersion": 1, "features": features}
