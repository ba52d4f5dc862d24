"""The Fraud Detection Handbook's own 15 features, computed offline, to reproduce its baselines on this data.

Not stream features: the terminal risk counts *every* fraud of the window
shifted by a fixed 7-day delay, i.e. it assumes every label is known exactly
7 days after the payment. Real chargebacks (and the stream features) know
fewer frauds and some sooner. The point is a yardstick: the Handbook's
features and models on this simulator's data, next to its published table.
"""

import numpy as np

from .dataset import FeatureSet

DAY_MS = 86_400_000
DELAY_DAYS = 7
WINDOWS_DAYS = (1, 7, 30)


def window_sum(group: np.ndarray, time: np.ndarray, values: np.ndarray, back_from: int, back_to: int) -> np.ndarray:
    """Per row, the sum of `values` over rows of the same group with time in (t - back_from, t - back_to].

    pandas' `rolling('Nd')` on the payment time, as the Handbook uses it (back_to = 0 includes the row itself).
    """
    order = np.lexsort((time, group))
    g, t = group[order], time[order]
    cumulative = np.concatenate([[0.0], np.cumsum(values[order], dtype=np.float64)])
    # One sorted key per (group, time): searches never cross into a neighbouring group.
    span = float(t.max() - t.min() + 2 * (back_from + DAY_MS))
    key = g * span + (t - t.min())
    upper = np.searchsorted(key, key - back_to, side="right")
    lower = np.searchsorted(key, key - back_from, side="right")
    out = np.empty(time.size)
    out[order] = cumulative[upper] - cumulative[lower]
    return out


def handbook_features(data: FeatureSet) -> tuple[np.ndarray, list[str]]:
    """TX_AMOUNT, TX_DURING_WEEKEND, TX_DURING_NIGHT, customer count and mean amount over 1/7/30 days,
    terminal count and fraud ratio over 1/7/30 days ending 7 days before the payment."""
    time = data.event_time
    amount = np.asarray(data.X[:, data.names.index("amount")], dtype=np.float64)
    weekday = (time // DAY_MS + 4) % 7  # 1970-01-01 was a Thursday; Sunday = 0
    columns = [amount, np.isin(weekday, (0, 6)).astype(float), ((time % DAY_MS) // 3_600_000 <= 6).astype(float)]
    names = ["TX_AMOUNT", "TX_DURING_WEEKEND", "TX_DURING_NIGHT"]
    ones = np.ones(time.size)
    for days in WINDOWS_DAYS:
        count = window_sum(data.card, time, ones, days * DAY_MS, 0)
        columns += [count, window_sum(data.card, time, amount, days * DAY_MS, 0) / np.maximum(count, 1)]
        names += [f"CUSTOMER_ID_NB_TX_{days}DAY_WINDOW", f"CUSTOMER_ID_AVG_AMOUNT_{days}DAY_WINDOW"]
    fraud = data.is_fraud.astype(np.float64)
    for days in WINDOWS_DAYS:
        back_from, back_to = (DELAY_DAYS + days) * DAY_MS, DELAY_DAYS * DAY_MS
        count = window_sum(data.terminal, time, ones, back_from, back_to)
        columns += [count, window_sum(data.terminal, time, fraud, back_from, back_to) / np.maximum(count, 1)]
        names += [f"TERMINAL_ID_NB_TX_{days}DAY_WINDOW", f"TERMINAL_ID_RISK_{days}DAY_WINDOW"]
    return np.column_stack(columns), names
