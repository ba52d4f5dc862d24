"""LightGBM -> ONNX (onnxmltools), and the check that both score alike."""

import re

import lightgbm as lgb
import numpy as np
import onnxruntime as ort
from onnxmltools import convert_lightgbm
from onnxmltools.convert.common.data_types import FloatTensorType

INPUT_NAME = "input"
#: onnxmltools' name for the [batch, 2] probability tensor when zipmap is off.
PROBABILITIES_OUTPUT = "probabilities"
#: The newest opset this onnxmltools converts LightGBM to; onnxruntime-node 1.30 runs it.
TARGET_OPSET = 15


def float32_floor(values: np.ndarray) -> np.ndarray:
    """The largest float32 <= each value, as float64."""
    rounded = values.astype(np.float32)
    above = rounded.astype(np.float64) > values
    rounded[above] = np.nextafter(rounded[above], np.float32(-np.inf))
    return rounded.astype(np.float64)


def float32_safe(booster: lgb.Booster) -> lgb.Booster:
    """The same model with every split threshold moved down to the largest float32 below it.

    LightGBM compares in float64 (`x <= threshold`), ONNX's TreeEnsemble in
    float32; a threshold between two float32 values rounds to one of them,
    and rows holding that value then go the other way (measured: 2e-3 of
    probability on the tiny profile). For a float32 input x, `x <= t` and
    `x <= float32_floor(t)` agree, so the rewritten model predicts exactly
    as before on float32 data, and ONNX stores its thresholds without loss.
    """

    def rewrite(match: re.Match) -> str:
        values = np.array([float(v) for v in match.group(1).split()])
        return "threshold=" + " ".join(repr(float(v)) for v in float32_floor(values))

    text = re.sub(r"^threshold=(.*)$", rewrite, booster.model_to_string(), flags=re.MULTILINE)
    # The header's byte offsets of each tree no longer hold; without them LightGBM parses tree by tree.
    text = re.sub(r"^tree_sizes=.*\n", "", text, flags=re.MULTILINE)
    return lgb.Booster(model_str=text)


def export_onnx(booster: lgb.Booster, n_features: int) -> bytes:
    """ONNX of a float32-safe booster (see `float32_safe`): P(fraud) in column 1 of `probabilities`."""
    model = convert_lightgbm(
        booster,
        name="fraud-lightgbm",
        initial_types=[(INPUT_NAME, FloatTensorType([None, n_features]))],
        zipmap=False,
        target_opset=TARGET_OPSET,
    )
    return model.SerializeToString()


def onnx_probabilities(model: bytes, X: np.ndarray) -> np.ndarray:
    """P(fraud) from onnxruntime (Python), column 1 of the probabilities output."""
    options = ort.SessionOptions()
    options.log_severity_level = 3  # the unused `label` output's shape warning is noise
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    (probabilities,) = session.run([PROBABILITIES_OUTPUT], {INPUT_NAME: np.ascontiguousarray(X, dtype=np.float32)})
    return probabilities[:, 1]
