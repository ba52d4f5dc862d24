/** Scored ids, best first. */
export interface ScoredIds {
  ids: Int32Array;
  scores: Float32Array;
}

/**
 * Exact top-k by inner product over a row-major matrix: the ground truth the
 * HNSW recall is measured against, and the "no ANN" reference. O(rows x dim)
 * per query; meant for evaluation samples, not for serving.
 */
export function exactTopK(
  matrix: Float32Array,
  dim: number,
  query: ArrayLike<number>,
  k: number,
  exclude?: ReadonlySet<number>,
): ScoredIds {
  const rows = matrix.length / dim;
  const size = Math.min(k, rows);
  // A min-heap of the best `size` seen so far: its root is the one to beat.
  const heapIds = new Int32Array(size);
  const heapScores = new Float32Array(size);
  let filled = 0;
  for (let r = 0; r < rows; r++) {
    if (exclude?.has(r)) continue;
    let score = 0;
    const offset = r * dim;
    for (let d = 0; d < dim; d++) score += matrix[offset + d]! * query[d]!;
    if (filled < size) {
      heapIds[filled] = r;
      heapScores[filled] = score;
      siftUp(heapIds, heapScores, filled++);
    } else if (size > 0 && score > heapScores[0]!) {
      heapIds[0] = r;
      heapScores[0] = score;
      siftDown(heapIds, heapScores, filled);
    }
  }
  const order = Array.from({ length: filled }, (_, i) => i).sort(
    (a, b) => heapScores[b]! - heapScores[a]! || heapIds[a]! - heapIds[b]!,
  );
  return {
    ids: Int32Array.from(order, (i) => heapIds[i]!),
    scores: Float32Array.from(order, (i) => heapScores[i]!),
  };
}

function siftUp(ids: Int32Array, scores: Float32Array, index: number): void {
  let i = index;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (scores[parent]! <= scores[i]!) return;
    swap(ids, scores, i, parent);
    i = parent;
  }
}

function siftDown(ids: Int32Array, scores: Float32Array, size: number): void {
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < size && scores[left]! < scores[smallest]!) smallest = left;
    if (right < size && scores[right]! < scores[smallest]!) smallest = right;
    if (smallest === i) return;
    swap(ids, scores, i, smallest);
    i = smallest;
  }
}

function swap(ids: Int32Array, scores: Float32Array, a: number, b: number): void {
  const id = ids[a]!;
  ids[a] = ids[b]!;
  ids[b] = id;
  const score = scores[a]!;
  scores[a] = scores[b]!;
  scores[b] = score;
}
