"""Builds an HNSW index (hnswlib 0.8, inner-product space) over float32 vectors, with several threads.

hnswlib-node bundles the same hnswlib version and reads the saved file as is; it can only
insert on one thread, so the offline build happens here. With --check-queries, the script
also searches those queries and writes the neighbours, so the caller can prove that
hnswlib-node returns the same results from the same file.
"""

import argparse
import os

import hnswlib
import numpy as np

from shared.progress import Progress

CHUNK = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vectors", required=True)
    parser.add_argument("--dim", type=int, required=True)
    parser.add_argument("--m", type=int, required=True)
    parser.add_argument("--ef-construction", type=int, required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=100)
    parser.add_argument("--out", required=True)
    parser.add_argument("--check-queries")
    parser.add_argument("--check-k", type=int, default=100)
    parser.add_argument("--check-ef", type=int, default=200)
    parser.add_argument("--check-out")
    parser.add_argument("--label", default="hnsw")
    args = parser.parse_args()

    vectors = np.fromfile(args.vectors, dtype="<f4").reshape(-1, args.dim)
    count = vectors.shape[0]
    index = hnswlib.Index(space="ip", dim=args.dim)
    index.init_index(max_elements=count, M=args.m, ef_construction=args.ef_construction, random_seed=args.seed)
    progress = Progress(args.label)
    for start in range(0, count, CHUNK):
        end = min(count, start + CHUNK)
        index.add_items(vectors[start:end], np.arange(start, end), num_threads=args.threads)
        progress.update(end / count, f"{end:,}/{count:,} songs")
    index.save_index(args.out)

    if args.check_queries:
        queries = np.fromfile(args.check_queries, dtype="<f4").reshape(-1, args.dim)
        index.set_ef(args.check_ef)
        labels, _ = index.knn_query(queries, k=min(args.check_k, count), num_threads=1)
        labels.astype("<i4").tofile(args.check_out)


if __name__ == "__main__":
    main()
