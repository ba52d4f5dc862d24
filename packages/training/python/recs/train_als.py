"""Song and user embeddings from implicit feedback: ALS (implicit 0.7) on listen counts.

Input: a binary file of (u32 user, u32 song, f32 listen count) records, little-endian.
Output: user-factors.f32 (users x factors) and song-factors.f32 (songs x factors), float32 little-endian.
"""

import argparse
import os

# implicit's solver runs its own threads; a threaded BLAS underneath only
# oversubscribes the cores (implicit warns about it). Must be set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from scipy.sparse import csr_matrix  # noqa: E402

from shared.progress import Progress  # noqa: E402

RECORD = np.dtype([("user", "<u4"), ("song", "<u4"), ("count", "<f4")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--interactions", required=True)
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--songs", type=int, required=True)
    parser.add_argument("--factors", type=int, default=64)
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--regularization", type=float, default=0.05)
    parser.add_argument("--alpha", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--label", default="als")
    args = parser.parse_args()

    from implicit.cpu.als import AlternatingLeastSquares

    records = np.fromfile(args.interactions, dtype=RECORD)
    user_items = csr_matrix(
        (records["count"], (records["user"], records["song"])), shape=(args.users, args.songs), dtype=np.float32
    )
    progress = Progress(args.label)
    model = AlternatingLeastSquares(
        factors=args.factors,
        regularization=args.regularization,
        alpha=args.alpha,
        iterations=args.iterations,
        num_threads=args.threads,
        random_state=args.seed,
    )
    model.fit(
        user_items,
        show_progress=False,
        callback=lambda iteration, _elapsed, _loss: progress.update(
            (iteration + 1) / args.iterations, f"iteration {iteration + 1}/{args.iterations}"
        ),
    )

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    np.ascontiguousarray(model.user_factors, dtype="<f4").tofile(out / "user-factors.f32")
    np.ascontiguousarray(model.item_factors, dtype="<f4").tofile(out / "song-factors.f32")


if __name__ == "__main__":
    main()
