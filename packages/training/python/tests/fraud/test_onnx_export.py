import lightgbm as lgb
import numpy as np

from fraud.onnx_export import export_onnx, float32_floor, float32_safe, onnx_probabilities


def test_when_rounded_down_to_float32_then_every_value_is_a_float32_not_above_the_original():
    values = np.array([0.1, 1 / 3, 2.5, -0.7, 1e-35, 12345.678901])

    floored = float32_floor(values)

    assert np.all(floored <= values)
    np.testing.assert_array_equal(floored.astype(np.float32).astype(np.float64), floored)
    assert np.all(np.nextafter(floored.astype(np.float32), np.float32(np.inf)).astype(np.float64) > values)


def test_when_inputs_sit_exactly_on_float32_neighbours_of_split_points_then_onnx_matches_lightgbm():
    # Amount-like values in cents: many rows equal a value adjacent to a bin boundary.
    rng = np.random.default_rng(0)
    X = (np.round(rng.gamma(2.0, 30.0, size=(20_000, 3)), 2)).astype(np.float32)
    y = ((X[:, 0] > 60.5) ^ (rng.random(20_000) < 0.1)).astype(int)
    booster = lgb.train({"objective": "binary", "verbose": -1, "num_leaves": 63, "seed": 0}, lgb.Dataset(X, y), 50)

    safe = float32_safe(booster)
    model = export_onnx(safe, X.shape[1])

    np.testing.assert_array_equal(safe.predict(X), booster.predict(X))
    assert np.abs(onnx_probabilities(model, X) - booster.predict(X)).max() < 1e-5
