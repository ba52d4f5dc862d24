import numpy as np
import pytest

from fraud.calibration import export_isotonic, fit_isotonic
from fraud.reference import reference_distribution
from fraud.thresholds import choose_thresholds, lowest_threshold_with_precision


def test_when_precision_targets_are_met_at_several_cuts_then_the_lowest_cut_is_chosen():
    probability = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    label = np.array([1, 1, 1, 0, 1, 0])

    assert lowest_threshold_with_precision(probability, label, 0.8) == 0.5  # 4 of 5 above 0.5
    assert lowest_threshold_with_precision(probability, label, 1.0) == 0.7


def test_when_scores_tie_then_a_cut_takes_the_whole_tie():
    probability = np.array([0.9, 0.5, 0.5, 0.5])
    label = np.array([1, 1, 0, 0])

    assert lowest_threshold_with_precision(probability, label, 0.6) == 0.9  # >= 0.5 would be 2/4


def test_when_no_cut_is_precise_enough_then_the_threshold_is_one_and_flags_nothing_below_it():
    probability = np.array([0.2, 0.1])
    label = np.array([0, 1])

    assert lowest_threshold_with_precision(probability, label, 0.9) == 1.0


def test_when_thresholds_are_chosen_then_review_is_never_above_decline_and_test_figures_are_reported():
    rng = np.random.default_rng(0)
    label = (rng.random(5_000) < 0.05).astype(int)
    probability = np.clip(label * 0.6 + rng.random(5_000) * 0.5, 0, 1)

    thresholds = choose_thresholds((probability, label), (probability, label))

    assert thresholds["review"]["threshold"] <= thresholds["decline"]["threshold"]
    assert thresholds["decline"]["precision"] >= 0.9
    assert 0 < thresholds["review"]["alertRate"] < 1


def test_when_isotonic_is_exported_then_linear_interpolation_of_its_points_reproduces_predict():
    rng = np.random.default_rng(1)
    raw = rng.random(2_000)
    label = (rng.random(2_000) < raw**2).astype(int)
    model = fit_isotonic(raw, label)
    exported = export_isotonic(model)

    probe = np.linspace(-0.1, 1.1, 500)
    np.testing.assert_allclose(np.interp(probe, exported["x"], exported["y"]), model.predict(probe), atol=1e-12)


def test_when_a_feature_is_a_flag_then_its_reference_has_one_edge_and_two_shares():
    values = np.array([0] * 90 + [1] * 10, dtype=float)

    edges, proportions = reference_distribution(values)

    assert edges == [1.0]
    assert proportions == pytest.approx([0.9, 0.1])


def test_when_a_feature_is_continuous_then_deciles_split_it_evenly_with_values_on_an_edge_going_up():
    values = np.arange(1000, dtype=float)

    edges, proportions = reference_distribution(values)

    assert len(edges) == 9
    assert proportions == pytest.approx([0.1] * 10, abs=0.002)
    assert np.searchsorted(edges, edges[0], side="right") == 1
