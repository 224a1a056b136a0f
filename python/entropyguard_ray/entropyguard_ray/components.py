"""Connected components of the verified pairs, hash-partitioned: no process holds all pairs.

Partition p owns the rows whose ord (dedup.py) hashes to p (dedup.partition_of), each owned row's neighbours, and
the edges whose earlier row it owns. Labels start as the smallest ord among a row and its neighbours;
each round, the rows whose label fell send it to their neighbours' partitions, which keep the minimum
(min-label propagation). A round is one Ray task per partition; the driver only adds up how many labels
fell. When none did, every row's label is the smallest ord of its component. The rounds are about the
components' diameter: near-duplicate clusters are dense (copies of one text are all pairwise similar),
so a few rounds (2 fuzzy, 6 semantic on 30k test-like rows; job stats "*_rounds"). Then each owned edge goes, with its
earlier row's label, to the label's partition: every component lands whole in one partition, where the
keep-first rule runs (dedup.keep_first_rule).

The functions are plain numpy (job.py's Ray tasks call them); a partition's state is a `Partition`."""
from dataclasses import dataclass

import numpy as np

from .dedup import partition_of, split_by


@dataclass
class Partition:
    edges: np.ndarray      # (n, 5): earlier ord, later ord, weight, their gids; the earlier row is owned here
    src: np.ndarray        # adjacency: owned row ...
    dst: np.ndarray        # ... and a neighbour (both directions of every edge touching an owned row)
    src_index: np.ndarray  # index of src in rows
    rows: np.ndarray       # owned rows, ascending
    labels: np.ndarray     # their labels (smallest ord seen so far in the component)


def scatter(edges, partitions):
    """One reducer's verified edges to the partitions owning their rows: the edge itself to the earlier
    row's partition, the pair (later, earlier) to the later row's partition, so both rows know each other."""
    a = edges[:, 0].astype(np.int64)
    b = edges[:, 1].astype(np.int64)
    owned = split_by(partition_of(a, partitions), partitions, edges)
    back = split_by(partition_of(b, partitions), partitions, b, a)
    return [(owned[p][0], back[p][0], back[p][1]) for p in range(partitions)]


def _messages(partition, which, partitions):
    """(neighbour, label) for the neighbours of the owned rows selected by `which`, by the neighbour's partition."""
    sending = which[partition.src_index]
    dst = partition.dst[sending]
    return split_by(partition_of(dst, partitions), partitions, dst, partition.labels[partition.src_index[sending]])


def init(pieces, partitions):
    """A partition from its pieces of every reducer's scatter: returns it, its first messages and the
    number of labels set (all its rows)."""
    edges = np.concatenate([p[0] for p in pieces])
    edges = np.unique(edges, axis=0) if len(edges) else edges
    ends = edges[:, :2].astype(np.int64)
    src = np.concatenate([ends[:, 0]] + [p[1] for p in pieces])
    dst = np.concatenate([ends[:, 1]] + [p[2] for p in pieces])
    if len(src):
        pairs = np.unique(np.stack([src, dst], axis=1), axis=0)
        src, dst = pairs[:, 0], pairs[:, 1]
    rows = np.unique(src)
    src_index = np.searchsorted(rows, src)
    labels = rows.copy()
    np.minimum.at(labels, src_index, dst)
    partition = Partition(edges, src, dst, src_index, rows, labels)
    return partition, _messages(partition, np.ones(len(rows), bool), partitions), len(rows)


def step(partition, message_pieces, partitions):
    """One round: the smallest label received for each owned row; the rows whose label fell tell
    their neighbours. Returns the partition, its messages and how many labels fell."""
    if message_pieces:
        target = np.concatenate([m[0] for m in message_pieces])
        label = np.concatenate([m[1] for m in message_pieces])
    else:
        target = label = np.zeros(0, np.int64)
    labels = partition.labels.copy()
    np.minimum.at(labels, np.searchsorted(partition.rows, target), label)
    fell = labels < partition.labels
    partition.labels = labels
    return partition, _messages(partition, fell, partitions), int(fell.sum())


def by_component(partition, partitions):
    """The owned edges, by the partition of their component's label (a component's edges all meet there)."""
    a = partition.edges[:, 0].astype(np.int64)
    label = partition.labels[np.searchsorted(partition.rows, a)]
    return split_by(partition_of(label, partitions), partitions, partition.edges)
