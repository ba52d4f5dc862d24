"""Offline quality measures: the Fraud Detection Handbook's card precision@k, and calibration error."""

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score


def card_precision_top_k(day: np.ndarray, card: np.ndarray, label: np.ndarray, score: np.ndarray, k: int = 100):
    """The Handbook's CP@k (`card_precision_top_k`, remove_detected_compromised_cards=True).

    Each day, every card gets the highest score and the highest label of its
    payments that day; cards already caught on an earlier day are dropped; the
    k cards with the highest score are what investigators can check, and the
    day's precision is the share of them that are compromised. Returns the mean
    over days and the per-day values. Ties keep card order (a stable sort).
    """
    detected: set[int] = set()
    per_day = []
    for d in np.unique(day):
        rows = day == d
        cards, inverse = np.unique(card[rows], return_inverse=True)
        best_score = np.full(cards.size, -np.inf)
        best_label = np.zeros(cards.size, dtype=np.int8)
        np.maximum.at(best_score, inverse, score[rows])
        np.maximum.at(best_label, inverse, label[rows].astype(np.int8))
        keep = ~np.isin(cards, np.fromiter(detected, dtype=cards.dtype, count=len(detected)))
        cards, best_score, best_label = cards[keep], best_score[keep], best_label[keep]
        top = np.argsort(-best_score, kind="stable")[:k]
        caught = cards[top][best_label[top] == 1]
        per_day.append(caught.size / k)
        detected.update(int(c) for c in caught)
    return float(np.mean(per_day)), per_day


def ranking_metrics(label: np.ndarray, score: np.ndarray, day: np.ndarray, card: np.ndarray, k: int = 100) -> dict:
    """AUC ROC, average precision and CP@k, the three figures of the Handbook's tables."""
    cp, per_day = card_precision_top_k(day, card, label, score, k)
    return {
        "auc_roc": float(roc_auc_score(label, score)),
        "average_precision": float(average_precision_score(label, score)),
        f"card_precision_at_{k}": cp,
        f"card_precision_at_{k}_per_day": per_day,
    }


def reliability(probability: np.ndarray, label: np.ndarray, bins: int = 10) -> dict:
    """Equal-width reliability bins and the expected calibration error (share-weighted |predicted - observed|)."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.searchsorted(edges, probability, side="right") - 1, 0, bins - 1)
    table = []
    ece = 0.0
    for b in range(bins):
        rows = which == b
        n = int(rows.sum())
        if n == 0:
            continue
        predicted = float(probability[rows].mean())
        observed = float(label[rows].mean())
        ece += n / probability.size * abs(predicted - observed)
        table.append({"from": float(edges[b]), "to": float(edges[b + 1]), "count": n, "predicted": predicted, "observed": observed})
    return {"ece": ece, "bins": table}
