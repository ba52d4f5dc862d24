"""Trains the production fraud model.

python -m fraud.train --features DIR --artifacts DIR --work DIR --settings JSON

LightGBM on the replayed features (days of `split.train`, legitimate payments
subsampled), isotonic calibration on the validation days, thresholds picked
on validation and measured on the test days, reference distributions for
drift, ONNX export checked against LightGBM, and a parity sample for the
TypeScript side (onnxruntime-node) to check too.
"""

import argparse
import json
from pathlib import Path

import lightgbm as lgb
import numpy as np

from shared.progress import Progress

from .calibration import export_isotonic, fit_isotonic
from .dataset import load_features
from .metrics import ranking_metrics, reliability
from .model import fit_lightgbm
from .onnx_export import INPUT_NAME, PROBABILITIES_OUTPUT, export_onnx, float32_safe, onnx_probabilities
from .reference import reference_distributions
from .thresholds import choose_thresholds

#: Reference distributions are quantiles: a sample this large pins them to well under a percentile.
REFERENCE_SAMPLE = 200_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--features", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--settings", required=True, help="FraudTrainingSettings as JSON")
    parser.add_argument("--label", default="fraud train")
    args = parser.parse_args()
    settings = json.loads(args.settings)
    split = settings["split"]
    artifacts, work = Path(args.artifacts), Path(args.work)
    progress = Progress(args.label)

    data = load_features(args.features)
    train = data.days(split["trainFrom"], split["trainTo"])
    validation = data.days(split["validationFrom"], split["validationTo"])
    test = data.days(split["testFrom"], split["testTo"])
    progress.note(f"{train.size} training rows, {validation.size} validation, {test.size} test")

    booster = float32_safe(fit_lightgbm(data.X, data.is_fraud, train, settings["lightgbm"], progress, seed=0))
    raw = {name: booster.predict(np.asarray(data.X[rows])) for name, rows in (("validation", validation), ("test", test))}
    isotonic = fit_isotonic(raw["validation"], data.is_fraud[validation])
    calibrated = {name: isotonic.predict(scores) for name, scores in raw.items()}

    onnx_model = export_onnx(booster, len(data.names))
    (artifacts / "model.onnx").write_bytes(onnx_model)
    parity_rows = parity_sample(data.is_fraud, test, settings["parityRows"])
    parity_X = np.ascontiguousarray(data.X[parity_rows], dtype=np.float32)
    parity_lightgbm = booster.predict(parity_X)
    python_onnx_diff = float(np.abs(onnx_probabilities(onnx_model, parity_X) - parity_lightgbm).max())
    progress.note(f"ONNX (onnxruntime, Python) vs LightGBM: max |diff| = {python_onnx_diff:.2e} on {parity_rows.size} rows")
    parity_X.tofile(work / "parity-input.f32")
    (work / "parity.json").write_text(json.dumps({
        "rows": int(parity_rows.size),
        "features": len(data.names),
        "inputName": INPUT_NAME,
        "probabilitiesOutput": PROBABILITIES_OUTPUT,
        "lightgbm": parity_lightgbm.tolist(),
        "calibrated": isotonic.predict(parity_lightgbm).tolist(),
    }))

    sample = np.sort(np.random.default_rng(0).choice(train, size=min(REFERENCE_SAMPLE, train.size), replace=False))
    (artifacts / "reference.json").write_text(json.dumps(reference_distributions(np.asarray(data.X[sample]), data.names)))
    booster.save_model(str(work / "lightgbm.txt"))

    test_label = data.is_fraud[test]
    report = {
        "calibration": export_isotonic(isotonic),
        "thresholds": choose_thresholds(
            (calibrated["validation"], data.is_fraud[validation]), (calibrated["test"], test_label)
        ),
        "metrics": {
            **{
                f"test_{k}": v
                for k, v in ranking_metrics(test_label, calibrated["test"], data.day[test], data.card[test]).items()
                if not k.endswith("per_day")
            },
            "test_ece_raw": reliability(raw["test"], test_label)["ece"],
            "test_ece_calibrated": reliability(calibrated["test"], test_label)["ece"],
            "test_fraud_share": float(test_label.mean()),
            "onnx_python_max_abs_diff": python_onnx_diff,
            "train_rows": int(train.size),
        },
        "reliability": reliability(calibrated["test"], test_label)["bins"],
        "featureImportance": feature_importance(booster, data.names),
    }
    (work / "training-report.json").write_text(json.dumps(report, indent=2))
    progress.update(1, f"test AUC {report['metrics']['test_auc_roc']:.4f}, AP {report['metrics']['test_average_precision']:.4f}")


def parity_sample(is_fraud: np.ndarray, rows: np.ndarray, size: int) -> np.ndarray:
    """Every fraud of the slice (up to half the sample) and random legitimate rows: both ends of the score range."""
    rng = np.random.default_rng(1)
    frauds = rows[is_fraud[rows] == 1]
    frauds = rng.choice(frauds, size=min(frauds.size, size // 2), replace=False)
    legit = rows[is_fraud[rows] == 0]
    legit = rng.choice(legit, size=min(legit.size, size - frauds.size), replace=False)
    return np.sort(np.concatenate([frauds, legit]))


def feature_importance(booster: lgb.Booster, names: list[str]) -> list[dict]:
    gain = booster.feature_importance("gain")
    share = gain / max(gain.sum(), 1e-12)
    return [{"feature": names[j], "gainShare": float(share[j])} for j in np.argsort(-share) if share[j] > 0]


if __name__ == "__main__":
    main()
