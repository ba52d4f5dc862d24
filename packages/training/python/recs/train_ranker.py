"""LightGBM LambdaRank on the cross features, exported to ONNX.

Input (a directory written by the pipeline): {train,valid}-features.f32 (rows x features),
{train,valid}-labels.f32 (one graded label per row) and {train,valid}-groups.i32 (rows per
query, queries contiguous). Output: the ONNX model, a JSON summary, and a parity sample
(features and LightGBM's own scores) for the onnxruntime-node check.
"""

import argparse
import json
import os
from pathlib import Path

import lightgbm as lgb
import numpy as np

from shared.progress import Progress


def load(directory: Path, split: str, width: int):
    features = np.fromfile(directory / f"{split}-features.f32", dtype="<f4").reshape(-1, width)
    labels = np.fromfile(directory / f"{split}-labels.f32", dtype="<f4")
    groups = np.fromfile(directory / f"{split}-groups.i32", dtype="<i4")
    return features, labels, groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--feature-names", required=True, help="comma-separated, in column order")
    parser.add_argument("--trees", type=int, default=300)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--leaves", type=int, default=31)
    parser.add_argument("--min-data-in-leaf", type=int, default=50)
    parser.add_argument("--early-stopping", type=int, default=30)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--parity-rows", type=int, default=2000)
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--label", default="ranker")
    args = parser.parse_args()

    names = args.feature_names.split(",")
    data_dir = Path(args.data_dir)
    x_train, y_train, g_train = load(data_dir, "train", len(names))
    x_valid, y_valid, g_valid = load(data_dir, "valid", len(names))

    params = {
        "objective": "lambdarank",
        "metric": "ndcg",
        "eval_at": [10],
        "learning_rate": args.learning_rate,
        "num_leaves": args.leaves,
        "min_data_in_leaf": args.min_data_in_leaf,
        "num_threads": args.threads,
        "seed": args.seed,
        "deterministic": True,
        "force_row_wise": True,
        "verbosity": -1,
    }
    train_set = lgb.Dataset(x_train, y_train, group=g_train, feature_name=names, free_raw_data=False)
    valid_set = lgb.Dataset(x_valid, y_valid, group=g_valid, reference=train_set, free_raw_data=False)
    progress = Progress(args.label)
    history: dict = {}

    def report(env: lgb.callback.CallbackEnv) -> None:
        ndcg = env.evaluation_result_list[0][2] if env.evaluation_result_list else float("nan")
        progress.update((env.iteration + 1) / args.trees, f"tree {env.iteration + 1}/{args.trees}, valid ndcg@10 {ndcg:.4f}")

    booster = lgb.train(
        params,
        train_set,
        num_boost_round=args.trees,
        valid_sets=[valid_set],
        valid_names=["valid"],
        callbacks=[report, lgb.record_evaluation(history), lgb.early_stopping(args.early_stopping, verbose=False)],
    )
    best = booster.best_iteration or booster.current_iteration()
    # Keep only the trees up to the best validation score; the ONNX graph then matches what was chosen.
    booster = lgb.Booster(model_str=booster.model_to_string(num_iteration=best))

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    input_name, output_name = export_onnx(booster, len(names), out / "ranker.onnx")

    sample = x_valid[: args.parity_rows]
    np.ascontiguousarray(sample, dtype="<f4").tofile(out / "parity-features.f32")
    booster.predict(sample).astype("<f8").tofile(out / "parity-expected.f64")

    gain = booster.feature_importance(importance_type="gain")
    summary = {
        "trees": int(best),
        "inputName": input_name,
        "outputName": output_name,
        "validNdcgAt10": float(history["valid"]["ndcg@10"][best - 1]),
        "trainRows": int(x_train.shape[0]),
        "trainQueries": int(g_train.shape[0]),
        "validRows": int(x_valid.shape[0]),
        "validQueries": int(g_valid.shape[0]),
        "featureGain": {name: round(float(value), 2) for name, value in zip(names, gain)},
        "seconds": round(progress.elapsed(), 2),
    }
    (out / "ranker-summary.json").write_text(json.dumps(summary, indent=2) + "\n")


def export_onnx(booster: lgb.Booster, width: int, path: Path):
    import onnxmltools
    from onnxmltools.convert.common.data_types import FloatTensorType

    model = onnxmltools.convert_lightgbm(booster, initial_types=[("features", FloatTensorType([None, width]))])
    path.write_bytes(model.SerializeToString())
    return model.graph.input[0].name, model.graph.output[0].name


if __name__ == "__main__":
    main()
