"""The distributed connected components (components.py) against union-find over all edges in one
process, and the keep-first rule run per component partition against the rule over all edges at once.
The partitions' tasks run in this process in the order the job's Ray tasks do (no cluster: fast).
Graphs: random sparse ones, cliques of copies, long chains (many rounds), edges repeated across
reducers, and none."""
import os
import random
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
from entropyguard_ray import components, dedup  # noqa: E402


def union_find_labels(edges):
    """Reference: the smallest gid of each row's component, for every row in an edge."""
    parent = {}

    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in edges[:, :2].astype(np.int64).tolist():
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    rows = sorted({int(x) for x in edges[:, :2].reshape(-1)})
    return {r: find(r) for r in rows}


def distributed(reducer_edges, partitions):
    """What job._decide does, task by task: returns (labels by row, edges by component partition, rounds)."""
    P = partitions
    scattered = [components.scatter(e, P) for e in reducer_edges]
    parts, messages = [], []
    for p in range(P):
        part, out, _ = components.init([s[p] for s in scattered], P)
        parts.append(part)
        messages.append(out)
    rounds = 0
    while True:
        stepped = [components.step(parts[p], [m[p] for m in messages], P) for p in range(P)]
        parts = [s[0] for s in stepped]
        messages = [s[1] for s in stepped]
        rounds += 1
        if sum(s[2] for s in stepped) == 0:
            break
    labels = {}
    for part in parts:
        labels.update(zip(part.rows.tolist(), part.labels.tolist()))
    by_label = [components.by_component(part, P) for part in parts]
    grouped = [np.concatenate([b[p][0] for b in by_label]) for p in range(P)]
    return labels, grouped, rounds


def random_graph(rng, rows, edges, cliques, chain):
    pairs = set()
    for _ in range(edges):
        a, b = rng.sample(range(rows), 2)
        pairs.add((min(a, b), max(a, b)))
    for _ in range(cliques):
        members = sorted(rng.sample(range(rows), rng.randint(2, 8)))
        pairs |= {(a, b) for i, a in enumerate(members) for b in members[i + 1:]}
    start = rows
    pairs |= {(start + i, start + i + 1) for i in range(chain)}   # a path: as many rounds as rows
    weights = {p: rng.randint(60, 128) for p in pairs}
    # Columns: earlier ord, later ord, weight, their gids (numbers that do not follow the ords, as chunk rows').
    return np.array([(a, b, weights[(a, b)], gid_of(a), gid_of(b)) for a, b in sorted(pairs)], dtype=np.int64).reshape(-1, 5)


def gid_of(ord):
    return 1000 + (ord * 7919) % 10007


class ComponentsTests(unittest.TestCase):
    def test_labels_and_rule_match_one_process(self):
        rng = random.Random(16)
        for trial in range(30):
            edges = random_graph(rng, rows=rng.randint(5, 400), edges=rng.randint(0, 300), cliques=rng.randint(0, 20),
                                 chain=rng.choice([0, 0, 5, 40]))
            reducers = rng.randint(1, 4)
            # Each reducer returns some of the edges, some edges several times (a pair in several bands).
            reducer_edges = [edges[[i for i in range(len(edges)) if rng.random() < 0.6 or i % reducers == r]]
                             for r in range(reducers)]
            for partitions in (1, 2, 5):
                with self.subTest(trial=trial, partitions=partitions):
                    labels, grouped, rounds = distributed(reducer_edges, partitions)
                    self.assertEqual(labels, union_find_labels(edges))
                    # Each component's edges are in exactly one partition, and no edge is lost or doubled.
                    self.assertEqual(sorted(map(tuple, np.concatenate(grouped).tolist())), sorted(map(tuple, edges.tolist())))
                    for p, g in enumerate(grouped):
                        owners = {labels[int(a)] for a in g[:, 0]}
                        self.assertTrue(all(int(dedup.partition_of(np.array([o]), partitions)[0]) == p for o in owners))
                    whole = dedup.keep_first_rule(edges)   # by ord, over all pairs at once
                    pieces = np.concatenate([dedup.keep_first_drops(g) for g in grouped])   # by gid, per partition
                    expected = sorted((gid_of(g), gid_of(d), w) for g, d, w in whole.tolist())
                    self.assertEqual(sorted(pieces.tolist()), expected)
                    if len(edges):
                        self.assertGreater(len(whole), 0)

    def test_a_path_takes_as_many_rounds_as_its_length(self):
        edges = np.array([(i, i + 1, 100, i, i + 1) for i in range(10)], dtype=np.int64)
        labels, _, rounds = distributed([edges], 3)
        self.assertEqual(set(labels.values()), {0})
        # Labels start one hop out; row 10 hears of row 0 after 9 more rounds, and one round finds no change.
        self.assertEqual(rounds, 10)
        # A clique of copies: one round (every label is final after the first hop).
        clique = np.array([(a, b, 128, a, b) for a in range(6) for b in range(a + 1, 6)], dtype=np.int64)
        self.assertEqual(distributed([clique], 2)[2], 1)

    def test_no_edges(self):
        labels, grouped, _ = distributed([dedup.empty_edges(np.int64)], 2)
        self.assertEqual(labels, {})
        self.assertEqual([len(g) for g in grouped], [0, 0])


if __name__ == "__main__":
    unittest.main()
