"""Isotonic calibration, exported as the piecewise-linear map fraud-core's `calibrate()` applies."""

import numpy as np
from sklearn.isotonic import IsotonicRegression


def fit_isotonic(raw: np.ndarray, label: np.ndarray) -> IsotonicRegression:
    """Monotone map from the model's score to the observed fraud rate, fitted on a held-out slice.

    Needed because the model trains on a subsample of legitimate payments
    (its raw probabilities are inflated) and boosting is not calibrated anyway.
    """
    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True)
    model.fit(raw.astype(np.float64), label.astype(np.float64))
    return model


def export_isotonic(model: IsotonicRegression) -> dict:
    """`{method, x, y}`: interpolating linearly between these points, flat outside, is exactly `model.predict`."""
    return {"method": "isotonic", "x": model.X_thresholds_.tolist(), "y": model.y_thresholds_.tolist()}
