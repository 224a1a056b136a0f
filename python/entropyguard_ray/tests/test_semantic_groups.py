"""The grouped semantic search (dedup.semantic_map -> semantic_reduce, the job's map and reduce tasks,
run here in one process without Ray: fast) against brute force over all pairs: with the default
(exact) assignment it must find exactly the pairs whose float32 dot product reaches the threshold,
each once, with the brute-force similarity, whatever the centroids (k-means with several k, random
ones, one) and the partitions. Data: dense clusters whose pairs sit around the threshold, clusters
cut by centroid borders, rows shuffled across shards. The opt-in approximate mode finds a subset."""
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
from entropyguard_ray import dedup  # noqa: E402

THRESHOLD = 0.9


def dense_embeddings(rows=1200, dim=24, clusters=12, seed=3):
    """Unit float32 rows: clusters around random directions with spreads chosen so that many pairs
    fall within a few 1e-2 of the threshold, plus a family of clusters strung along one great circle
    (each overlapping the next: k-means borders cut through them), and some uniform noise rows."""
    rng = np.random.default_rng(seed)
    parts = []
    for c in range(clusters):
        center = rng.normal(size=dim)
        spread = rng.uniform(0.05, 0.12)
        parts.append(center / np.linalg.norm(center) + rng.normal(scale=spread, size=(rows // (2 * clusters), dim)))
    a, b = rng.normal(size=(2, dim))
    b -= a * (a @ b) / (a @ a)
    a, b = a / np.linalg.norm(a), b / np.linalg.norm(b)
    for t in np.linspace(0, 1.2, 24):
        center = np.cos(t) * a + np.sin(t) * b
        parts.append(center + rng.normal(scale=0.06, size=(rows // 60, dim)))
    parts.append(rng.normal(size=(rows // 10, dim)))
    e = np.concatenate(parts)
    e = (e / np.linalg.norm(e, axis=1, keepdims=True)).astype(np.float32)
    return e[rng.permutation(len(e))]


def brute_force(e, threshold):
    sims = e @ e.T
    i, j = np.nonzero(np.triu(sims >= np.float32(threshold), 1))
    return {(int(a), int(b)): float(sims[a, b]) for a, b in zip(i, j)}


def grouped(e, centroids, threshold, partitions, shards=3, assignments=None):
    """The job's data flow: each shard's map pieces, then one reduce per partition. ord = row index,
    gid = a different number (row + 10^6) to check the edges carry both."""
    ord = np.arange(len(e), dtype=np.int64)
    cuts = np.array_split(np.arange(len(e)), shards)
    maps = [dedup.semantic_map(ord[c], ord[c] + 10**6, e[c], centroids, threshold, partitions, assignments)
            for c in cuts]
    edges = [dedup.semantic_reduce([m[p] for m in maps], threshold, block=97) for p in range(partitions)]
    edges = np.concatenate(edges)
    fanout = sum(len(piece[0]) for m in maps for piece in m) / len(e)
    return edges, fanout


class GroupedSearchTests(unittest.TestCase):
    def setUp(self):
        self.e = dense_embeddings()
        self.expected = brute_force(self.e, THRESHOLD)

    def test_data_is_dense_at_the_threshold(self):
        sims = np.array(list(self.expected.values()))
        self.assertGreater(len(sims), 5000)
        near = np.abs((self.e @ self.e.T) - THRESHOLD) < 0.01
        self.assertGreater(int(np.triu(near, 1).sum()), 1000)   # many pairs within 0.01 of it

    def check_exact(self, centroids, partitions):
        edges, fanout = grouped(self.e, centroids, THRESHOLD, partitions)
        found = [(int(a), int(b)) for a, b in edges[:, :2]]
        self.assertEqual(len(found), len(set(found)), "a pair was compared in two groups")
        self.assertEqual(set(found), set(self.expected))
        for a, b, w, ga, gb in edges.tolist():
            self.assertLess(a, b)
            self.assertEqual((ga, gb), (a + 10**6, b + 10**6))
            self.assertEqual(np.float32(w), np.float32(self.expected[(int(a), int(b))]))
        return fanout

    def test_exact_with_kmeans_centroids(self):
        fanouts = {}
        for k in (1, 2, 5, 16, 40):
            with self.subTest(k=k):
                fanouts[k] = self.check_exact(dedup.kmeans(self.e, k), partitions=3)
        self.assertEqual(fanouts[1], 1.0)
        self.assertGreater(fanouts[40], 1.0)   # rows near borders visit other groups

    def test_exact_with_poor_centroids(self):
        rng = np.random.default_rng(5)
        for k in (3, 25):
            with self.subTest(k=k):
                c = rng.normal(size=(k, self.e.shape[1]))
                self.check_exact((c / np.linalg.norm(c, axis=1, keepdims=True)).astype(np.float32), partitions=2)
        # centroids on the data: many rows at angle ~0 to a centroid (arccos is steepest there)
        self.check_exact(self.e[::50].copy(), partitions=4)

    def test_a_row_visits_half_the_groups_within_the_margin(self):
        k = 16
        centroids = dedup.kmeans(self.e, k)
        row, centroid, role = dedup.semantic_assign(self.e, centroids, THRESHOLD)
        angles = np.arccos(np.clip(self.e.astype(np.float64) @ centroids.astype(np.float64).T, -1, 1))
        home = angles.argmin(axis=1)
        self.assertTrue(np.array_equal(row[role == dedup.HOME], np.arange(len(self.e))))
        self.assertTrue(np.array_equal(centroid[role == dedup.HOME], home))
        v_row, v_centroid = row[role == dedup.VISITOR], centroid[role == dedup.VISITOR]
        d = (home[v_row] - v_centroid) % k   # tournament: of groups h and c, only one visits the other
        self.assertTrue(np.all((d > 0) & (2 * d < k) | (2 * d == k) & (v_centroid < home[v_row])))
        self.assertTrue(np.all(angles[v_row, v_centroid] <= angles[v_row, home[v_row]] + 2 * np.arccos(THRESHOLD) + 1e-3))

    def test_chosen_centroids_keep_the_search_exact(self):
        centroids, estimates = dedup.choose_centroids(self.e[::2], 40, 2, THRESHOLD)
        self.assertEqual([k for k, _, _ in estimates], [40, 20, 10, 5, 2])
        best = min(c for _, _, c in estimates)
        chosen = [c for k, _, c in estimates if k == len(centroids)]
        self.assertEqual(len(chosen), 1)
        self.assertLessEqual(chosen[0], 1.25 * best + 1e-9)
        self.assertTrue(all(c > 1.25 * best for k, _, c in estimates if k < len(centroids)))
        self.check_exact(centroids, partitions=2)
        # a blob (every pair within 2 arccos(threshold) of another): no k prunes, the fewest are chosen
        rng = np.random.default_rng(9)
        blob = np.ones(16) + rng.normal(scale=0.15, size=(600, 16))
        blob = (blob / np.linalg.norm(blob, axis=1, keepdims=True)).astype(np.float32)
        centroids, estimates = dedup.choose_centroids(blob, 16, 2, THRESHOLD)
        self.assertEqual(len(centroids), 2)
        self.assertGreater(estimates[0][2], 0.8)

    def test_approximate_mode_finds_a_subset(self):
        edges, fanout = grouped(self.e, dedup.kmeans(self.e, 16), THRESHOLD, 2, assignments=2)
        found = {(int(a), int(b)) for a, b in edges[:, :2]}
        self.assertLessEqual(fanout, 2.0)
        self.assertTrue(found <= set(self.expected))
        self.assertGreater(len(found), len(self.expected) // 2)


if __name__ == "__main__":
    unittest.main()
