"""Decision thresholds (approve / review / decline) on calibrated probabilities."""

import numpy as np

#: Precision an automatic decline must reach: 1 false decline for 9 frauds stopped.
DECLINE_PRECISION = 0.9
#: Precision that makes an analyst's review worth it: 3 in 10 reviewed payments are fraud.
REVIEW_PRECISION = 0.3


def operating_point(probability: np.ndarray, label: np.ndarray, threshold: float) -> dict:
    flagged = probability >= threshold
    frauds = max(1, int(label.sum()))
    caught = int(label[flagged].sum())
    return {
        "threshold": float(threshold),
        "precision": caught / max(1, int(flagged.sum())),
        "recall": caught / frauds,
        "alertRate": float(flagged.mean()),
    }


def lowest_threshold_with_precision(probability: np.ndarray, label: np.ndarray, target: float) -> float:
    """The lowest cut-off t such that payments scoring >= t reach `target` precision (1.0 when none does).

    Lowest, because among the cut-offs that are precise enough it flags the most fraud.
    Candidates are the distinct scores; precision at t counts every payment scoring >= t.
    """
    order = np.argsort(-probability, kind="stable")
    scores = probability[order]
    hits = np.cumsum(label[order])
    # Only the last position of each run of equal scores is a valid cut: ">= t" takes all of them.
    last_of_run = np.r_[scores[1:] != scores[:-1], True]
    precision = hits / np.arange(1, scores.size + 1)
    valid = np.flatnonzero(last_of_run & (precision >= target) & (hits > 0))
    return float(scores[valid[-1]]) if valid.size else 1.0


def choose_thresholds(validation: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]) -> dict:
    """Picks the cut-offs on the validation slice (probability, label) and measures them on the test slice."""
    decline = lowest_threshold_with_precision(*validation, DECLINE_PRECISION)
    review = min(decline, lowest_threshold_with_precision(*validation, REVIEW_PRECISION))
    return {
        "review": operating_point(*test, review),
        "decline": operating_point(*test, decline),
        "basis": (
            f"lowest calibrated probability reaching precision {REVIEW_PRECISION} (review) and "
            f"{DECLINE_PRECISION} (decline) on the validation slice; precision, recall and alert rate "
            "measured on the test slice"
        ),
    }
