"""The global dedup decisions as plain functions over numpy arrays (the Ray tasks in job.py call them).

A row has two numbers (job._read makes them): its place `ord` in the global order (the rows reaching
the dedup stages, shard after shard, each shard's in its store's order: input order, chunks where
their parent was), which decides who is first; and its `gid`, the single-machine run's row id over
the concatenated input, which the drops name. Without chunks the two ascend together; chunk rows are
numbered after all input rows, so their gids do not follow the global order. Every map function
returns one piece per hash partition; every reduce function sees one partition from every shard,
never all keys. Drops are (gid, duplicate_of gid, similarity or NaN). Verified pairs ("edges") are
rows (earlier ord, later ord, weight, earlier gid, later gid)."""
import numpy as np

DROP_DTYPE = [("gid", "<i8"), ("dup", "<i8"), ("similarity", "<f8")]


def empty_drops():
    return np.zeros(0, dtype=DROP_DTYPE)


def make_drops(gid, dup, similarity):
    drops = np.zeros(len(gid), dtype=DROP_DTYPE)
    drops["gid"], drops["dup"], drops["similarity"] = gid, dup, similarity
    return drops


def partition_of(keys, partitions):
    """Hash partition of uint64/int64 keys (already hashes: the low bits are uniform)."""
    return (np.asarray(keys).view(np.uint64) % np.uint64(partitions)).astype(np.int64)


def split_by(partition, partitions, *columns):
    """Columns cut by partition: a list of tuples, one per partition."""
    order = np.argsort(partition, kind="stable")
    bounds = np.searchsorted(partition[order], np.arange(partitions + 1))
    return [tuple(c[order[bounds[p]:bounds[p + 1]]] for c in columns) for p in range(partitions)]


def shard_of(gid, layout):
    """The shard owning each gid. layout = (offsets, chunk_bases, total): each shard's first input
    row's gid and first chunk row's gid (ascending), and the input rows in all (chunks come after)."""
    offsets, chunk_bases, total = layout
    return np.where(gid < total, np.searchsorted(offsets, gid, side="right"), np.searchsorted(chunk_bases, gid, side="right")) - 1


def split_drops_by_shard(drops, layout):
    """Drops cut by the shard that owns each row."""
    return [piece[0] for piece in split_by(shard_of(drops["gid"], layout), len(layout[0]), drops)]


def nbytes(pieces):
    return int(sum(a.nbytes for piece in pieces for a in piece))


# Exact dedup: group by the 128-bit key of the normalized text, keep the first in global order.

def exact_map(ord, gid, key_hi, key_lo, partitions):
    return split_by(partition_of(key_lo, partitions), partitions, ord, gid, key_hi, key_lo)


def exact_reduce(pieces):
    ord = np.concatenate([p[0] for p in pieces]) if pieces else np.zeros(0, np.int64)
    if len(ord) == 0:
        return empty_drops()
    gid = np.concatenate([p[1] for p in pieces])
    hi = np.concatenate([p[2] for p in pieces])
    lo = np.concatenate([p[3] for p in pieces])
    order = np.lexsort((ord, lo, hi))
    hi, lo, gid = hi[order], lo[order], gid[order]
    starts = np.ones(len(gid), dtype=bool)
    starts[1:] = (hi[1:] != hi[:-1]) | (lo[1:] != lo[:-1])
    first = gid[np.maximum.accumulate(np.where(starts, np.arange(len(gid)), 0))]
    dropped = ~starts
    return make_drops(gid[dropped], first[dropped], np.full(dropped.sum(), np.nan))


# Fuzzy dedup: LSH band buckets -> candidate pairs verified on the whole signature -> connected
# components -> the stage's keep-first rule without chaining, in global order, per component.
# (components.py, keep_first_rule; job._decide runs them).

def fuzzy_map(ord, gid, bands, signatures, partitions):
    """Per partition: (band index, band key, ord) of each row's bands that hash there, and the ord, gid
    and signature of the rows that have a band there (once per row and partition)."""
    rows, band_count = bands.shape
    band_index = np.tile(np.arange(band_count, dtype=np.int16), rows)
    band_key = bands.reshape(-1)
    row = np.repeat(np.arange(rows), band_count)
    part = partition_of(band_key, partitions)
    pieces = []
    for p_band, p_key, p_row in split_by(part, partitions, band_index, band_key, row):
        members = np.unique(p_row)
        pieces.append((p_band, p_key, ord[p_row], ord[members], gid[members], signatures[members]))
    return pieces


def fuzzy_reduce(pieces, minimum_equal):
    """Verified edges (with equal entries as weight) among the rows sharing a bucket."""
    if not pieces:
        return empty_edges(np.int64)
    band = np.concatenate([p[0] for p in pieces])
    key = np.concatenate([p[1] for p in pieces])
    gid = np.concatenate([p[2] for p in pieces])   # ords: the pairs are oriented by global order
    sig_ord = np.concatenate([p[3] for p in pieces])
    sig_gid = np.concatenate([p[4] for p in pieces])
    sigs = np.concatenate([p[5] for p in pieces])
    order = np.lexsort((gid, key, band))
    band, key, gid = band[order], key[order], gid[order]
    starts = np.flatnonzero(np.r_[True, (band[1:] != band[:-1]) | (key[1:] != key[:-1]), True])
    pairs = []
    for s, e in zip(starts[:-1], starts[1:]):
        if e - s < 2:
            continue
        members = gid[s:e]
        i, j = np.triu_indices(e - s, 1)
        pairs.append(np.stack([members[i], members[j]], axis=1))
    if not pairs:
        return empty_edges(np.int64)
    pairs = np.unique(np.concatenate(pairs), axis=0)
    sig_order = np.argsort(sig_ord)
    sig_sorted = sig_ord[sig_order]
    a = sig_order[np.searchsorted(sig_sorted, pairs[:, 0])]
    b = sig_order[np.searchsorted(sig_sorted, pairs[:, 1])]
    equal = (sigs[a] == sigs[b]).sum(axis=1)
    keep = equal >= minimum_equal
    return np.column_stack([pairs[keep], equal[keep], sig_gid[a][keep], sig_gid[b][keep]]).astype(np.int64)


def empty_edges(dtype=np.float64):
    return np.zeros((0, 5), dtype)


def keep_first_drops(edges):
    """keep_first_rule over edges of whole components, its drops named by gid."""
    drops = keep_first_rule(edges)
    ords = np.concatenate([edges[:, 0], edges[:, 1]]).astype(np.int64)
    gids = np.concatenate([edges[:, 3], edges[:, 4]]).astype(np.int64)
    known, first = np.unique(ords, return_index=True)
    drops["gid"] = gids[first[np.searchsorted(known, drops["gid"])]]
    drops["dup"] = gids[first[np.searchsorted(known, drops["dup"])]]
    return drops


def keep_first_rule(edges):
    """The stages' rule over verified edges (earlier row, later row, weight, ...), for whole components:
    in global order, a row with an edge to an earlier kept row is dropped, pointing at the one with the
    highest weight (the earliest among equals); only kept rows absorb others (no chaining)."""
    if len(edges) == 0:
        return empty_drops()
    order = np.lexsort((edges[:, 0], edges[:, 1]))
    edges = edges[order]
    dropped = {}
    gids, dups, weights = [], [], []
    starts = np.flatnonzero(np.r_[True, edges[1:, 1] != edges[:-1, 1], True])
    for s, e in zip(starts[:-1], starts[1:]):
        row = int(edges[s, 1])
        best = None
        for a, _, w in edges[s:e, :3].tolist():
            if int(a) not in dropped and (best is None or w > best[1]):
                best = (int(a), w)
        if best is not None:
            dropped[row] = best
            gids.append(row)
            dups.append(best[0])
            weights.append(best[1])
    return make_drops(np.array(gids, np.int64), np.array(dups, np.int64), np.array(weights, np.float64))


# Semantic dedup: spherical k-means on a sample, each row to its nearest centroids, the pairs at or
# above the threshold in each centroid group -> the same components and keep-first rule as fuzzy. A
# pair is missed only when its two rows share no centroid (the single-machine search compares all).

def kmeans(sample, k, iterations=20, seed=0):
    rng = np.random.default_rng(seed)
    k = max(1, min(k, len(sample)))
    centroids = sample[rng.choice(len(sample), k, replace=False)].copy()
    for _ in range(iterations):
        nearest = np.argmax(sample @ centroids.T, axis=1)
        for c in range(k):
            members = sample[nearest == c]
            if len(members):
                mean = members.sum(axis=0)
                norm = np.linalg.norm(mean)
                if norm > 0:
                    centroids[c] = mean / norm
    return centroids.astype(np.float32)


def semantic_map(ord, gid, embeddings, centroids, assignments, margin, partitions):
    """Each row to its nearest centroid and up to assignments-1 more within `margin` of the nearest."""
    sims = embeddings @ centroids.T
    m = min(assignments, centroids.shape[0])
    top = np.argsort(-sims, axis=1, kind="stable")[:, :m]
    top_sims = np.take_along_axis(sims, top, axis=1)
    within = top_sims >= top_sims[:, :1] - margin
    row, slot = np.nonzero(within)
    centroid = top[row, slot].astype(np.int64)
    return split_by(centroid % partitions, partitions, centroid, ord[row], gid[row], embeddings[row])


def semantic_reduce(pieces, threshold):
    """Edges (cosine as weight) of the pairs at or above the threshold in each centroid group; with
    the groups' overlap, nearly every such pair shares a group."""
    if not pieces:
        return empty_edges()
    centroid = np.concatenate([p[0] for p in pieces])
    ord = np.concatenate([p[1] for p in pieces])
    gid = np.concatenate([p[2] for p in pieces])
    vectors = np.concatenate([p[3] for p in pieces])
    order = np.lexsort((ord, centroid))
    centroid, ord, gid, vectors = centroid[order], ord[order], gid[order], vectors[order]
    starts = np.flatnonzero(np.r_[True, centroid[1:] != centroid[:-1], True])
    threshold = np.float32(threshold)
    out = []
    for s, e in zip(starts[:-1], starts[1:]):
        sims = vectors[s:e] @ vectors[s:e].T
        i, j = np.nonzero(np.triu(sims >= threshold, 1))
        if len(i):
            out.append(np.column_stack([ord[s:e][i], ord[s:e][j], sims[i, j].astype(np.float64), gid[s:e][i], gid[s:e][j]]))
    if not out:
        return empty_edges()
    return np.concatenate(out)
