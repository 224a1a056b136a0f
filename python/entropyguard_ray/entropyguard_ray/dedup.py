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


# Semantic dedup: spherical k-means on a sample, each row a "home" member of its nearest centroid's
# group and a "visitor" of the groups it may have a pair in; per group the pairs at or above the
# threshold among its homes and between its visitors and homes -> the same components and keep-first
# rule as fuzzy.
#
# Exact by construction (the default). Angles on the unit sphere obey the triangle inequality. Let
# d = arccos(threshold) and c_u be u's nearest centroid. For a pair with angle(u, v) <= d:
#   angle(v, c_u) <= d + angle(u, c_u) <= d + angle(u, c_v) <= 2d + angle(v, c_v),
# so v lies within 2d of c_u beyond its own nearest centroid's angle, and u likewise of c_v. A row
# therefore visits every centroid within its nearest angle + 2d; of the two symmetric visits between
# homes h and c only one is sent, as in a round-robin tournament: a row of home h visits c when
# (h - c) mod k is in 1..(k-1)/2, or is k/2 and c < h. So each pair is compared in exactly one group
# (its rows' common home, or one of their homes), and each group is visited from about half of the
# others (the lower-numbered groups would otherwise get most of the work).
# Float rounding: the assignment angles come from float64 unit vectors (error ~1e-8 rad, covered by
# ANGLE_SLACK), and d is taken for threshold - THRESHOLD_SLACK, so every pair whose float32 dot
# product (the decision, as in a brute-force float32 search) reaches the threshold shares a group,
# even if its exact cosine is ~1e-6 below it. The cost on data that is dense at the threshold's scale
# (all rows within a few d of each other) is that rows visit most groups: the search becomes a blocked
# all-pairs search, still exact, with the work of the single machine's exact search (README).
#
# Approximate (opt-in, `assignments`): each row joins its nearest centroid and up to assignments-1
# more within `margin` (cosine) of it, all as homes; a pair is missed when its rows share no centroid.

THRESHOLD_SLACK = 1e-4
ANGLE_SLACK = 1e-6
HOME, VISITOR = 0, 1


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


def semantic_assign(embeddings, centroids, threshold, assignments=None, margin=0.1):
    """(row, centroid, role) of every assignment: exact (assignments None) as described above, else
    the approximate top-`assignments` within `margin`."""
    if assignments:
        sims = embeddings @ centroids.T
        m = min(assignments, centroids.shape[0])
        top = np.argsort(-sims, axis=1, kind="stable")[:, :m]
        top_sims = np.take_along_axis(sims, top, axis=1)
        row, slot = np.nonzero(top_sims >= top_sims[:, :1] - margin)
        return row, top[row, slot].astype(np.int64), np.full(len(row), HOME, np.int8)
    unit = embeddings.astype(np.float64)
    unit /= np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-300)
    c64 = centroids.astype(np.float64)
    c64 /= np.maximum(np.linalg.norm(c64, axis=1, keepdims=True), 1e-300)
    angles = np.arccos(np.clip(unit @ c64.T, -1.0, 1.0))
    home = np.argmin(angles, axis=1)
    nearest = angles[np.arange(len(home)), home]
    reach = 2 * np.arccos(max(-1.0, float(threshold) - THRESHOLD_SLACK)) + ANGLE_SLACK
    k = centroids.shape[0]
    d = (home[:, None] - np.arange(k)[None, :]) % k
    visits = (angles <= (nearest + reach)[:, None]) & ((2 * d < k) & (d > 0) | (2 * d == k) & (np.arange(k)[None, :] < home[:, None]))
    v_row, v_centroid = np.nonzero(visits)
    row = np.concatenate([np.arange(len(home)), v_row])
    centroid = np.concatenate([home, v_centroid]).astype(np.int64)
    role = np.concatenate([np.full(len(home), HOME, np.int8), np.full(len(v_row), VISITOR, np.int8)])
    return row, centroid, role


def choose_centroids(sample, k_max, k_min, threshold, slack=1.25):
    """Spherical k-means centroids for the exact search, k from k_max down by halves to k_min: the
    fewest whose comparisons (estimated on the sample: home pairs + visitor x home) stay within
    `slack` x the fewest comparisons seen. Where the data is spread out at the threshold's scale, more
    groups prune comparisons and k stays high; where it is dense (every row within a few
    arccos(threshold) of the others) every k compares nearly all pairs, and fewer groups mean fewer
    visits (fan-out ~ (k+1)/2), so less shuffle. Returns (centroids, estimates: [(k, fan-out, compared
    fraction of all pairs)])."""
    m = len(sample)
    candidates, k = [], max(1, min(k_max, m))
    while True:
        candidates.append(k)
        if k <= k_min or k == 1:
            break
        k = max(k_min, k // 2, 1)
    trained, estimates = {}, []
    for k in candidates:
        centroids = kmeans(sample, k)
        _, centroid, role = semantic_assign(sample, centroids, threshold)
        homes = np.bincount(centroid[role == HOME], minlength=len(centroids)).astype(np.float64)
        visitors = np.bincount(centroid[role == VISITOR], minlength=len(centroids)).astype(np.float64)
        compared = float((homes * (homes - 1) / 2 + visitors * homes).sum() / max(1.0, m * (m - 1) / 2))
        trained[k] = centroids
        estimates.append((k, len(centroid) / max(1, m), compared))
    best = min(c for _, _, c in estimates)
    chosen = min(k for k, _, c in estimates if c <= slack * best + 1e-9)
    return trained[chosen], estimates


def semantic_map(ord, gid, embeddings, centroids, threshold, partitions, assignments=None, margin=0.1):
    """Each row's assignments (semantic_assign), cut by the centroid's partition."""
    row, centroid, role = semantic_assign(embeddings, centroids, threshold, assignments, margin)
    return split_by(centroid % partitions, partitions, centroid, role, ord[row], gid[row], embeddings[row])


def semantic_reduce(pieces, threshold, block=2048):
    """Edges (cosine as weight) of the pairs at or above the threshold in each centroid group: among its
    homes, and between its visitors and its homes (visitors in blocks, so memory stays block x homes)."""
    if not pieces:
        return empty_edges()
    centroid = np.concatenate([p[0] for p in pieces])
    role = np.concatenate([p[1] for p in pieces])
    ord = np.concatenate([p[2] for p in pieces])
    gid = np.concatenate([p[3] for p in pieces])
    vectors = np.concatenate([p[4] for p in pieces])
    if len(ord) == 0:
        return empty_edges()
    order = np.lexsort((ord, role, centroid))
    centroid, role, ord, gid, vectors = centroid[order], role[order], ord[order], gid[order], vectors[order]
    starts = np.flatnonzero(np.r_[True, centroid[1:] != centroid[:-1], True])
    threshold = np.float32(threshold)
    out = []

    def emit(a, b, sims):
        i, j = np.nonzero(sims >= threshold)
        if len(i):
            first = ord[a][i] < ord[b][j]
            x, y = np.where(first, a[i], b[j]), np.where(first, b[j], a[i])
            out.append(np.column_stack([ord[x], ord[y], sims[i, j].astype(np.float64), gid[x], gid[y]]))

    for s, e in zip(starts[:-1], starts[1:]):
        h = s + int(np.searchsorted(role[s:e], VISITOR))   # homes s..h, visitors h..e
        homes = np.arange(s, h)
        for b in range(s, h, block):
            rows = np.arange(b, min(b + block, h))
            sims = vectors[rows] @ vectors[b:h].T
            sims[np.tril_indices(len(rows), 0, sims.shape[1])] = -np.inf   # each home pair once
            emit(rows, np.arange(b, h), sims)
        for b in range(h, e, block):
            rows = np.arange(b, min(b + block, e))
            emit(rows, homes, vectors[rows] @ vectors[s:h].T)
    if not out:
        return empty_edges()
    return np.concatenate(out)
