import numpy as np
import pytest

from fraud.metrics import card_precision_top_k, reliability


def test_when_top_cards_are_compromised_then_card_precision_counts_cards_not_payments():
    # Day 0: card 1 has two frauds (counts once), card 2 is legit, card 3 fraud but scored low.
    day = np.array([0, 0, 0, 0, 0])
    card = np.array([1, 1, 2, 3, 4])
    label = np.array([1, 1, 0, 1, 0])
    score = np.array([0.9, 0.8, 0.7, 0.1, 0.2])

    mean, per_day = card_precision_top_k(day, card, label, score, k=2)

    assert per_day == [0.5]  # top 2 cards: 1 (fraud), 2 (legit)
    assert mean == 0.5


def test_when_a_card_was_caught_on_an_earlier_day_then_it_no_longer_counts():
    day = np.array([0, 0, 1, 1])
    card = np.array([1, 2, 1, 2])
    label = np.array([1, 0, 1, 1])
    score = np.array([0.9, 0.1, 0.9, 0.5])

    _, per_day = card_precision_top_k(day, card, label, score, k=1)

    assert per_day == [1.0, 1.0]  # day 1: card 1 already caught, so card 2 is the top card


def test_when_fewer_compromised_cards_than_k_then_even_a_perfect_score_stays_below_one():
    day = np.zeros(4, dtype=int)
    card = np.arange(4)
    label = np.array([1, 0, 0, 0])

    mean, _ = card_precision_top_k(day, card, label, label.astype(float), k=100)

    assert mean == pytest.approx(0.01)


def test_when_probabilities_match_observed_rates_then_calibration_error_is_zero():
    probability = np.array([0.25] * 4 + [0.75] * 4)
    label = np.array([1, 0, 0, 0, 1, 1, 1, 0])

    result = reliability(probability, label)

    assert result["ece"] == pytest.approx(0.0)
    assert [b["count"] for b in result["bins"]] == [4, 4]


def test_when_probabilities_are_overconfident_then_calibration_error_is_the_weighted_gap():
    probability = np.array([0.95, 0.95, 0.05, 0.05])
    label = np.array([1, 0, 0, 0])

    assert reliability(probability, label)["ece"] == pytest.approx(0.5 * 0.45 + 0.5 * 0.05)
