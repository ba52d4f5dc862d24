"""The recs training scripts end to end on small synthetic inputs, as the pipeline calls them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import hnswlib
import numpy as np
import onnxruntime

PYTHON_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = PYTHON_ROOT / "recs"


def run_script(name: str, *args: str) -> None:
    # As src/recs/python.ts runs them: the package's python folder on PYTHONPATH, for `shared`.
    env = {**os.environ, "PYTHONPATH": str(PYTHON_ROOT)}
    subprocess.run([sys.executable, str(SCRIPTS / name), *args], cwd=SCRIPTS, check=True, env=env)


def write_ranking_split(directory: Path, split: str, rng: np.random.Generator, queries: int, width: int) -> None:
    sizes = rng.integers(20, 40, size=queries)
    features = rng.normal(size=(int(sizes.sum()), width)).astype("<f4")
    # The first feature carries the signal, so the model has something to learn.
    labels = (features[:, 0] + 0.3 * rng.normal(size=len(features)) > 1.2).astype("<f4")
    features.tofile(directory / f"{split}-features.f32")
    labels.tofile(directory / f"{split}-labels.f32")
    sizes.astype("<i4").tofile(directory / f"{split}-groups.i32")


def test_when_the_ranker_is_trained_then_the_onnx_model_scores_like_lightgbm(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    names = ["signal", "noise_a", "noise_b"]
    write_ranking_split(tmp_path, "train", rng, 300, len(names))
    write_ranking_split(tmp_path, "valid", rng, 60, len(names))

    run_script(
        "train_ranker.py", "--data-dir", str(tmp_path), "--feature-names", ",".join(names),
        "--trees", "40", "--min-data-in-leaf", "20", "--out-dir", str(tmp_path),
    )

    summary = json.loads((tmp_path / "ranker-summary.json").read_text())
    assert summary["inputName"] == "features"
    assert summary["featureGain"]["signal"] > summary["featureGain"]["noise_a"]
    sample = np.fromfile(tmp_path / "parity-features.f32", dtype="<f4").reshape(-1, len(names))
    expected = np.fromfile(tmp_path / "parity-expected.f64", dtype="<f8")
    session = onnxruntime.InferenceSession(str(tmp_path / "ranker.onnx"))
    scores = session.run([summary["outputName"]], {"features": sample})[0].reshape(-1)
    assert np.max(np.abs(scores - expected)) <= 1e-5


def test_when_an_index_is_built_then_the_check_neighbours_are_the_saved_index_answers(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    vectors = rng.normal(size=(2_000, 8)).astype("<f4")
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    queries = vectors[:5] + 0.01
    vectors.tofile(tmp_path / "vectors.f32")
    queries.astype("<f4").tofile(tmp_path / "queries.f32")

    run_script(
        "build_hnsw.py", "--vectors", str(tmp_path / "vectors.f32"), "--dim", "8", "--m", "8",
        "--ef-construction", "50", "--out", str(tmp_path / "index.bin"),
        "--check-queries", str(tmp_path / "queries.f32"), "--check-k", "10", "--check-ef", "50",
        "--check-out", str(tmp_path / "labels.i32"),
    )

    index = hnswlib.Index(space="ip", dim=8)
    index.load_index(str(tmp_path / "index.bin"))
    index.set_ef(50)
    labels, _ = index.knn_query(queries, k=10)
    written = np.fromfile(tmp_path / "labels.i32", dtype="<i4").reshape(5, 10)
    assert index.get_current_count() == 2_000
    assert np.array_equal(written, labels)
    assert list(written[:, 0]) == [0, 1, 2, 3, 4]


def test_when_listens_are_factorised_then_every_user_and_song_gets_a_vector(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    records = np.zeros(600, dtype=[("user", "<u4"), ("song", "<u4"), ("count", "<f4")])
    records["user"] = np.repeat(np.arange(60), 10)
    records["song"] = rng.integers(0, 40, size=600)
    records["count"] = 1
    records.tofile(tmp_path / "interactions.bin")

    run_script(
        "train_als.py", "--interactions", str(tmp_path / "interactions.bin"), "--users", "60",
        "--songs", "40", "--factors", "8", "--iterations", "3", "--out-dir", str(tmp_path),
    )

    users = np.fromfile(tmp_path / "user-factors.f32", dtype="<f4")
    songs = np.fromfile(tmp_path / "song-factors.f32", dtype="<f4")
    assert users.shape == (60 * 8,)
    assert songs.shape == (40 * 8,)
    assert np.isfinite(users).all() and np.abs(users).sum() > 0
