import numpy as np

from fraud.dataset import FeatureSet
from fraud.evaluate import handbook_test_rows


def feature_set(day, card, is_fraud) -> FeatureSet:
    n = len(day)
    return FeatureSet(
        names=["amount"],
        scenarios=["high-amount"],
        X=np.zeros((n, 1), dtype=np.float32),
        event_time=np.zeros(n, dtype=np.int64),
        day=np.array(day),
        card=np.array(card),
        terminal=np.zeros(n, dtype=np.int64),
        is_fraud=np.array(is_fraud, dtype=np.int8),
        scenario=np.array(is_fraud, dtype=np.int8),
        reported_at=np.full(n, np.inf),
        start_time=0,
    )


def test_when_a_card_was_defrauded_in_training_or_the_delay_before_a_test_day_then_that_day_drops_it():
    # train day 0, delay day 1, test days 2-3 (delta_train=1, delta_delay=1, delta_test=2)
    data = feature_set(
        day=[0, 1, 2, 2, 2, 3, 3, 3],
        card=[7, 8, 7, 8, 9, 7, 8, 9],
        is_fraud=[1, 1, 0, 0, 1, 0, 0, 0],
    )
    train = data.days(0, 1)

    rows = handbook_test_rows(data, train, first_test_day=2, train_end_day=1, test_days=2)

    # Test day 2 knows the training week's frauds (card 7) and, as the Handbook counts it, the
    # frauds of the day before the delay (the last training day): card 8's fraud on day 1 is not known yet.
    # Test day 3 knows one more day of the delay period: day 1, so card 8 is dropped too.
    assert [(int(data.day[r]), int(data.card[r])) for r in rows] == [(2, 8), (2, 9), (3, 9)]


def test_when_windows_are_summed_per_group_then_each_row_sees_only_its_group_and_its_time_range():
    from fraud.handbook_features import DAY_MS, window_sum

    group = np.array([1, 1, 1, 2, 2])
    time = np.array([0, 1, 8, 0, 8]) * DAY_MS
    values = np.array([1.0, 2.0, 4.0, 8.0, 16.0])

    same_day = window_sum(group, time, values, DAY_MS, 0)  # (t - 1 day, t]: the row itself
    delayed = window_sum(group, time, values, 8 * DAY_MS, 7 * DAY_MS)  # (t - 8, t - 7]

    np.testing.assert_array_equal(same_day, [1, 2, 4, 8, 16])
    np.testing.assert_array_equal(delayed, [0, 0, 2, 0, 0])  # day 8 sees day 1 of its own group only
