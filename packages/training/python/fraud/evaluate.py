"""The Fraud Detection Handbook's evaluation protocol on the replayed features.

python -m fraud.evaluate --features DIR --rules-scores FILE --out FILE --settings JSON

Train on one week, skip `delayDays` (the time labels take to arrive), test on
the following week; each test day drops the cards already known to be
compromised (frauds in the training week and in the delay days before it),
as `get_train_test_set` does in the Handbook. Reports AUC ROC, average
precision and card precision@100 for:
- LightGBM trained on the true labels (the Handbook's assumption: every fraud of the training week known),
- LightGBM trained on the chargebacks reported by the start of the test week (what a bank really knows),
- the rules-only baseline (scores computed by TypeScript, rules-baseline.ts),
- the Handbook's own 15 features (handbook_features.py, labels known exactly 7 days later) with
  logistic regression and a random forest, its baselines reproduced on this data,
- an oracle scoring the truth (CP@100 cannot exceed it: some days have fewer than 100 compromised cards).
"""

import argparse
import json

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from shared.progress import Progress

from .dataset import FeatureSet, load_features
from .handbook_features import handbook_features
from .metrics import ranking_metrics
from .model import fit_lightgbm

DAY_MS = 86_400_000


def handbook_test_rows(data: FeatureSet, train: np.ndarray, first_test_day: int, train_end_day: int, test_days: int):
    """Test rows of each test day minus the cards known compromised by then (the Handbook's rule)."""
    known = set(data.card[train][data.is_fraud[train] == 1].tolist())
    kept = []
    for d in range(test_days):
        delay_day = data.day == train_end_day + d - 1
        known.update(data.card[delay_day & (data.is_fraud == 1)].tolist())
        rows = np.flatnonzero(data.day == first_test_day + d)
        kept.append(rows[~np.isin(data.card[rows], np.fromiter(known, dtype=np.int64, count=len(known)))])
    return np.concatenate(kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--features", required=True)
    parser.add_argument("--rules-scores", required=True, help="float32 score per feature row")
    parser.add_argument("--out", required=True)
    parser.add_argument("--settings", required=True, help="FraudTrainingSettings as JSON")
    parser.add_argument("--label", default="fraud evaluate")
    args = parser.parse_args()
    settings = json.loads(args.settings)
    protocol = settings["protocol"]
    progress = Progress(args.label)

    data = load_features(args.features)
    rules_scores = np.fromfile(args.rules_scores, dtype="<f4")
    start = protocol["trainStartDay"]
    train_end = start + protocol["trainDays"]
    first_test_day = train_end + protocol["delayDays"]
    train = data.days(start, train_end)
    test = handbook_test_rows(data, train, first_test_day, train_end, protocol["testDays"])
    label, day, card = data.is_fraud[test], data.day[test], data.card[test]
    deployed_at = data.start_time + first_test_day * DAY_MS
    params = {**settings["lightgbm"], "legitSampleRate": 1.0}

    scores = {}
    for name, train_label in (
        ("lightgbm", data.is_fraud),
        ("lightgbm_chargeback_labels", data.known_by(deployed_at)),
    ):
        booster = fit_lightgbm(data.X, train_label, train, params, Progress(f"{args.label} {name}"), seed=0)
        scores[name] = booster.predict(np.asarray(data.X[test]))
    scores["rules"] = rules_scores[test].astype(np.float64)
    reference, _ = handbook_features(data)
    for name, model in (
        ("handbook_features_logistic_regression", make_pipeline(StandardScaler(), LogisticRegression(max_iter=1_000))),
        ("handbook_features_random_forest", RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=2)),
    ):
        progress.note(f"fitting {name}")
        model.fit(reference[train], data.is_fraud[train])
        scores[name] = model.predict_proba(reference[test])[:, 1]

    results = {name: ranking_metrics(label, score, day, card) for name, score in scores.items()}
    oracle = ranking_metrics(label, label.astype(np.float64), day, card)
    names = data.scenarios
    report = {
        "protocol": {
            **protocol,
            "trainDays": [int(start), int(train_end)],
            "testDays": [int(first_test_day), int(first_test_day + protocol["testDays"])],
            "trainRows": int(train.size),
            "trainFrauds": int(data.is_fraud[train].sum()),
            "trainFraudsKnownByChargeback": int(data.known_by(deployed_at)[train].sum()),
            "testRows": int(test.size),
            "testFrauds": int(label.sum()),
            "testFraudsByScenario": {
                names[s - 1]: int((data.scenario[test] == s).sum()) for s in range(1, len(names) + 1)
            },
        },
        "models": results,
        "oracleCardPrecisionAt100": oracle["card_precision_at_100"],
    }
    with open(args.out, "w") as out:
        json.dump(report, out, indent=2)
    for name, metrics in results.items():
        progress.note(
            f"{name}: AUC {metrics['auc_roc']:.3f}, AP {metrics['average_precision']:.3f}, "
            f"CP@100 {metrics['card_precision_at_100']:.3f}"
        )


if __name__ == "__main__":
    main()
