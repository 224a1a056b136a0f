"""One job: per-shard work in the binary (Ray tasks), global decisions by hash-partitioned shuffles
of Ray tasks (each map task returns one object per partition; each reduce task gets one partition
from every map), per-shard output, a merged audit log.

Work dir layout (a shared filesystem on a real cluster; it is also the job's checkpoint):
  shards.json                 the shard plan (shards.py)
  shard-NNNNN/store/          the shard's working store (entropyguard --checkpoint-dir)
  shard-NNNNN/export/         rows.parquet: keys, signatures, embeddings; export.json marks it complete
  shard-NNNNN/drops.tsv       the shard's global drops (local row ids), for --global-drops
  shard-NNNNN/global.tsv      the same drops with global ids (for the merged audit)
  shard-NNNNN/audit.jsonl     the shard's audit log (local row ids)
  shard-NNNNN/applied.json    marks the shard's output written for those drops
A killed job rerun redoes only unfinished shards (their binary runs resume from their stores)."""
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import time

import numpy as np
import pyarrow.parquet as pq
import ray

from . import components, dedup
from .layout import shard_rows as layout_of
from .shards import _atomic_write

STAGES = ("exact_dedup", "fuzzy_dedup", "semantic_dedup")
GROUP_ROWS = 2_000
# The exact search compares every pair its groups cannot rule out, and on data dense at the threshold's
# scale that is nearly all pairs: the 170k benchmark rows (static model) had every row within 0.3 rad of
# its centroid against 2 arccos(0.96) = 0.57, so 4 groups compared 100% of the pairs, a reduce of 282 s
# against 26 s for the approximate assignment (README, "Running on a cluster"). All pairs of 1B rows
# is 5e17. So beyond this many estimated comparisons per cluster CPU (at ~5e7 pairs/s per CPU measured
# there, about 20 s each) the job takes the approximate assignment of APPROXIMATE_ASSIGNMENTS centroids
# instead, says so, and records it in the stats (`semantic_mode`).
EXACT_PAIRS_PER_CPU = 1_000_000_000
APPROXIMATE_ASSIGNMENTS = 3
REASONS = {"exact_dedup": "exact_duplicate", "fuzzy_dedup": "near_duplicate", "semantic_dedup": "semantic_duplicate"}


def log(message):
    print(f"entropyguard-ray: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- the binary on a worker

def _binary():
    """The binary shipped in the task's working_dir (runtime_env), else ENTROPYGUARD_BIN."""
    shipped = os.path.join(os.getcwd(), "entropyguard")
    path = shipped if os.path.exists(shipped) else os.environ.get("ENTROPYGUARD_BIN", "entropyguard")
    if os.path.exists(path) and not os.access(path, os.X_OK):
        os.chmod(path, 0o755)
    return path


def _run_binary(args):
    env = dict(os.environ)
    if "ENTROPYGUARD_HOME" in env:   # models shipped in the working_dir (cli.runtime_env)
        env["ENTROPYGUARD_HOME"] = os.path.abspath(env["ENTROPYGUARD_HOME"])
    result = subprocess.run([_binary()] + args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"entropyguard {' '.join(args)} failed with exit {result.returncode}:\n{result.stderr[-4000:]}")
    return result.stdout


@ray.remote(num_cpus=1, max_retries=3)
def prepare_shard(input_args, shard_dir, options):
    """Ingest .. validate in the shard's own store, then the export. Skipped when export.json exists."""
    export = os.path.join(shard_dir, "export")
    if not os.path.exists(os.path.join(export, "export.json")):
        os.makedirs(shard_dir, exist_ok=True)
        _run_binary(["run"] + input_args + ["--checkpoint-dir", os.path.join(shard_dir, "store"),
                     "--stop-after", "validate", "--export-rows", export, "--snapshots", "none", "--quiet"] + options)
    with open(os.path.join(export, "export.json")) as f:
        return json.load(f)


@ray.remote(num_cpus=1, max_retries=3)
def apply_shard(input_args, shard_dir, output_path, rows, chunked, options, counts, *drop_pieces):
    """Writes the shard's drops (counts[i] pieces for STAGES[i], in order) and runs the dedup stages
    as --global-drops: output + audit. Skipped when applied.json holds the same drops and options.
    `rows`: the shard's ShardRows; `chunked`: some shard made chunks, so every output record has the
    `_chunk` field, its parent numbered as in the single run."""
    local_lines, global_lines = [], []
    stage_drops = []
    index = 0
    for stage, count in zip(STAGES, counts):
        for piece in drop_pieces[index:index + count]:
            stage_drops += [(int(g), stage, int(d), float(x)) for g, d, x in piece]
        index += count
    for gid, stage, dup, sim in sorted(stage_drops):
        local_dup = rows.local(dup)
        sim_text = "-" if math.isnan(sim) else repr(sim)
        local_lines.append(f"{rows.local(gid)}\t{stage}\t{REASONS[stage]}\t{'-' if local_dup is None else local_dup}\t{sim_text}\n")
        global_lines.append(f"{gid}\t{dup}\n")
    drops_path = os.path.join(shard_dir, "drops.tsv")
    if chunked:
        options = options + ["--row-offset", str(rows.offset), "--chunk-field"]
    text = "".join(local_lines)
    digest = hashlib.sha256((text + json.dumps(input_args + options) + output_path).encode()).hexdigest()
    marker = os.path.join(shard_dir, "applied.json")
    if os.path.exists(marker) and os.path.exists(output_path):
        with open(marker) as f:
            if json.load(f).get("digest") == digest:
                return digest
    _atomic_write(drops_path, text)
    _atomic_write(os.path.join(shard_dir, "global.tsv"), "".join(global_lines))
    _run_binary(["run"] + input_args + ["--checkpoint-dir", os.path.join(shard_dir, "store"), "--global-drops", drops_path,
                 "--output", output_path, "--audit-log", os.path.join(shard_dir, "audit.jsonl"), "--snapshots", "none", "--quiet"]
                + options)
    _atomic_write(marker, json.dumps({"digest": digest}))
    return digest


# ---------------------------------------------------------------- shuffles

def _export(shard_dir):
    return os.path.join(shard_dir, "export")


def _read(shard_dir, rows, *columns):
    """The exported rows' ords and gids (layout.py; `rows`: the shard's ShardRows), then the given
    columns of rows.parquet (RowExport): int64 columns as arrays, fixed-size ones (signature uint32,
    bands uint64, embedding float32, little-endian) as matrices."""
    table = pq.read_table(os.path.join(_export(shard_dir), "rows.parquet"), columns=["row_id"] + list(columns))
    ords = rows.order_base + np.arange(table.num_rows, dtype=np.int64)
    return [ords, rows.gids(table["row_id"].to_numpy())] + [_matrix(table[name].combine_chunks(), MATRIX_TYPES.get(name))
                                                           for name in columns]


MATRIX_TYPES = {"signature": "<u4", "bands": "<u8", "embedding": "<f4"}


def _matrix(column, dtype):
    """A FIXED_LEN_BYTE_ARRAY column as a (rows, width) matrix over pyarrow's buffer (no copy); other columns as numpy."""
    if dtype is None:
        return column.to_numpy()
    width = column.type.byte_width // np.dtype(dtype).itemsize
    values = np.frombuffer(column.buffers()[1], dtype=dtype)
    return values[column.offset * width:(column.offset + len(column)) * width].reshape(len(column), width)


def _alive(gid, *drop_pieces):
    dropped = np.concatenate([d["gid"] for d in drop_pieces]) if drop_pieces else np.zeros(0, np.int64)
    return ~np.isin(gid, dropped)


@ray.remote(num_cpus=1)
def exact_map(shard_dir, rows, partitions):
    ords, gid, key_hi, key_lo = _read(shard_dir, rows, "key_hi", "key_lo")
    pieces = dedup.exact_map(ords, gid, key_hi, key_lo, partitions)
    return tuple(pieces) + (dedup.nbytes(pieces),)


@ray.remote(num_cpus=1)
def fuzzy_map(shard_dir, rows, partitions, *exact_drops):
    ords, gid, signatures, bands = _read(shard_dir, rows, "signature", "bands")
    alive = _alive(gid, *exact_drops)
    pieces = dedup.fuzzy_map(ords[alive], gid[alive], bands[alive], signatures[alive], partitions)
    return tuple(pieces) + (dedup.nbytes(pieces),)


@ray.remote(num_cpus=1)
def semantic_sample(shard_dir, rows, fraction, seed, *drops):
    _, gid, embeddings = _read(shard_dir, rows, "embedding")
    alive = np.flatnonzero(_alive(gid, *drops))
    rng = np.random.default_rng([seed, rows.offset])
    chosen = alive[rng.random(len(alive)) < fraction]
    return embeddings[chosen]


@ray.remote(num_cpus=1)
def semantic_map(shard_dir, rows, centroids, threshold, assignments, margin, partitions, *drops):
    """The P pieces, their bytes, and the rows and assignments (for the fan-out)."""
    ords, gid, embeddings = _read(shard_dir, rows, "embedding")
    alive = _alive(gid, *drops)
    pieces = dedup.semantic_map(ords[alive], gid[alive], embeddings[alive], centroids, threshold, partitions, assignments, margin)
    return tuple(pieces) + (dedup.nbytes(pieces), (int(alive.sum()), int(sum(len(p[0]) for p in pieces))))


@ray.remote(num_cpus=1)
def exact_reduce(layout, *pieces):
    return _returns(dedup.split_drops_by_shard(dedup.exact_reduce(pieces), layout))


@ray.remote(num_cpus=1)
def fuzzy_reduce(minimum_equal, *pieces):
    return dedup.fuzzy_reduce(pieces, minimum_equal)


@ray.remote(num_cpus=1)
def semantic_reduce(threshold, *pieces):
    return dedup.semantic_reduce(pieces, threshold)


@ray.remote(num_cpus=1)
def scatter_edges(partitions, edges):
    pieces = components.scatter(edges, partitions)
    return tuple(pieces) + (dedup.nbytes(pieces),)


@ray.remote(num_cpus=1)
def components_init(partitions, *pieces):
    partition, messages, labelled = components.init(pieces, partitions)
    return (partition,) + tuple(messages) + (len(partition.edges), labelled, dedup.nbytes(messages))


@ray.remote(num_cpus=1)
def components_step(partitions, partition, *messages):
    partition, messages, fell = components.step(partition, messages, partitions)
    return (partition,) + tuple(messages) + (fell, dedup.nbytes(messages))


@ray.remote(num_cpus=1)
def components_edges(partitions, partition):
    pieces = components.by_component(partition, partitions)
    return tuple(pieces) + (dedup.nbytes(pieces),)


@ray.remote(num_cpus=1)
def keep_first(layout, divisor, *pieces):
    edges = np.concatenate([p[0] for p in pieces])
    drops = dedup.keep_first_drops(edges)
    drops["similarity"] /= divisor   # fuzzy: equal entries / permutations, as the Swift stage divides
    return _returns(dedup.split_drops_by_shard(drops, layout))


def _call(task, returns, *args):
    """The task's return refs as a list (Ray gives a lone ref for num_returns=1)."""
    refs = task.options(num_returns=returns).remote(*args)
    return [refs] if returns == 1 else refs


def _decide(edge_refs, partitions, layout, divisor):
    """Verified edges (refs, one per reducer) -> connected components by min-label propagation over
    hash partitions (components.py; the driver sees only counts) -> the keep-first rule per component,
    each component whole in one task. Returns per shard the refs of its drops, and stats: the number of
    distinct edges, the propagation rounds and the bytes all the components' steps shuffled."""
    P, S = partitions, len(layout[0])
    scattered = [_call(scatter_edges, P + 1, P, ref) for ref in edge_refs]
    parts = [_call(components_init, P + 4, P, *[s[p] for s in scattered]) for p in range(P)]
    edges = int(sum(ray.get([part[P + 1] for part in parts])))
    changed = int(sum(ray.get([part[P + 2] for part in parts])))
    shuffled = sum(ray.get([s[P] for s in scattered] + [part[P + 3] for part in parts]))
    rounds = 0
    while changed:
        outgoing = [part[1:P + 1] for part in parts]
        parts = [_call(components_step, P + 3, P, parts[p][0], *[o[p] for o in outgoing]) for p in range(P)]
        changed = int(sum(ray.get([part[P + 1] for part in parts])))
        shuffled += sum(ray.get([part[P + 2] for part in parts]))
        rounds += 1
    by_label = [_call(components_edges, P + 1, P, part[0]) for part in parts]
    results = [_call(keep_first, S, layout, divisor, *[b[p] for b in by_label]) for p in range(P)]
    shuffled += sum(ray.get([b[P] for b in by_label]))
    return [[refs[s] for refs in results] for s in range(S)], {"edges": edges, "rounds": rounds, "components_bytes": int(shuffled)}


def check_text_columns(exports):
    """Each shard's binary detects the text column from its own first records: they must agree."""
    columns = sorted({e["text_column"] for e in exports})
    if len(columns) > 1:
        raise SystemExit(f"entropyguard-ray: the shards found different text columns ({', '.join(columns)}); pass --text-column")


def _returns(per_shard):
    """One return object per shard (Ray's num_returns=1 takes the value itself)."""
    return tuple(per_shard) if len(per_shard) > 1 else per_shard[0]


def _shuffle(map_refs, partitions):
    """map_refs[i] = the P+1 refs of map task i; returns (refs per partition, shuffle bytes)."""
    sizes = ray.get([refs[partitions] for refs in map_refs])
    return [[refs[p] for refs in map_refs] for p in range(partitions)], int(sum(sizes))


# ---------------------------------------------------------------- the job

def run(shards, work_dir, output_dir, options, output_format="jsonl", partitions=None,
        semantic_centroids=None, semantic_assignments=None, semantic_margin=0.1, stats=None,
        semantic_exact_pairs_per_cpu=EXACT_PAIRS_PER_CPU):
    stats = {} if stats is None else stats
    os.makedirs(output_dir, exist_ok=True)
    shard_dirs = [os.path.join(work_dir, s.name) for s in shards]
    S = len(shards)
    P = partitions or max(2, int(ray.cluster_resources().get("CPU", 2)))
    started = time.time()

    exports = ray.get([prepare_shard.remote(s.input_args(), d, options) for s, d in zip(shards, shard_dirs)])
    stats["prepare_seconds"] = time.time() - started
    check_text_columns(exports)
    shard_rows, layout = layout_of(exports)
    rows = int(sum(e["rows"] for e in exports))
    chunked = any(r.chunk_rows > 0 for r in shard_rows)
    if chunked and output_format == "parquet":
        raise SystemExit("entropyguard-ray: --chunk-size with --output-format parquet is not supported yet (use jsonl)")
    fuzzy_on = "bands" in exports[0]
    semantic_on = "dimension" in exports[0]
    log(f"{S} shards prepared, {layout[2]} records, {rows} rows to dedup ({stats['prepare_seconds']:.1f} s)")

    def multi(task, n):
        return task.options(num_returns=n)

    # exact
    t = time.time()
    maps = [multi(exact_map, P + 1).remote(d, r, P) for d, r in zip(shard_dirs, shard_rows)]
    parts, stats["exact_shuffle_bytes"] = _shuffle(maps, P)
    reduces = [_call(exact_reduce, S, layout, *part) for part in parts]
    exact_drops = [[refs[s] for refs in reduces] for s in range(S)]
    ray.wait([r for refs in exact_drops for r in refs], num_returns=S * P)
    stats["exact_seconds"] = time.time() - t
    per_stage = [exact_drops]

    if fuzzy_on:
        t = time.time()
        maps = [multi(fuzzy_map, P + 1).remote(d, r, P, *exact_drops[i]) for i, (d, r) in enumerate(zip(shard_dirs, shard_rows))]
        parts, stats["fuzzy_shuffle_bytes"] = _shuffle(maps, P)
        edges = [fuzzy_reduce.remote(exports[0]["minimum_equal"], *part) for part in parts]
        fuzzy_drops, decided = _decide(edges, P, layout, float(exports[0]["permutations"]))
        stats.update({f"fuzzy_{key}": value for key, value in decided.items()})
        stats["fuzzy_seconds"] = time.time() - t
    else:
        fuzzy_drops = [[ray.put(dedup.empty_drops())] for _ in range(S)]
    per_stage.append(fuzzy_drops)

    if semantic_on:
        t = time.time()
        earlier = [exact_drops[s] + fuzzy_drops[s] for s in range(S)]
        # Groups of ~GROUP_ROWS rows: a group costs rows^2 dot products, so the whole step is linear in
        # rows where the groups prune. (sqrt(rows)/4 centroids made groups of ~5,400 at 200k rows: 86
        # of the job's 136 s, with the approximate assignment.)
        k = semantic_centroids or max(1, math.ceil(rows * (semantic_assignments or 1) / GROUP_ROWS))
        fraction = min(1.0, max(20_000, 20 * k) / max(1, rows))
        sample = np.concatenate(ray.get([semantic_sample.remote(d, r, fraction, 0, *earlier[i])
                                         for i, (d, r) in enumerate(zip(shard_dirs, shard_rows))]))
        threshold = exports[0]["semantic_threshold"]
        if not len(sample):
            centroids = np.zeros((1, exports[0]["dimension"]), np.float32)
        elif semantic_assignments:
            centroids = dedup.kmeans(sample, k)
        else:
            # At most k; fewer where more groups would not prune comparisons (dense data, README).
            # At least 2 per partition, so every reducer has work (a given --semantic-centroids is kept).
            centroids, stats["semantic_k_estimates"] = dedup.choose_centroids(
                sample, k, k if semantic_centroids else min(k, 2 * P), threshold)
            chosen = next(e for e in stats["semantic_k_estimates"] if e[0] == len(centroids))
            stats["semantic_exact_pairs_estimate"] = pairs = chosen[2] * rows * (rows - 1) / 2
            budget = semantic_exact_pairs_per_cpu * max(1, int(ray.cluster_resources().get("CPU", 1)))
            if pairs > budget:
                semantic_assignments = APPROXIMATE_ASSIGNMENTS
                k = semantic_centroids or max(1, math.ceil(rows * semantic_assignments / GROUP_ROWS))
                centroids = dedup.kmeans(sample, k)
                log(f"semantic: the exact search would compare ~{pairs:.3g} pairs, over the budget of {budget:.3g} "
                    f"(--semantic-exact-pairs-per-cpu x CPUs): approximate instead, {semantic_assignments} of "
                    f"{len(centroids)} centroids a row, which may miss pairs")
            else:
                log(f"semantic: {len(centroids)} centroids, est. {chosen[1]:.2f} groups a row, "
                    f"{100 * chosen[2]:.1f}% of all pairs compared (exact; --semantic-assignments: approximate)")
        centroids_ref = ray.put(centroids)
        maps = [multi(semantic_map, P + 2).remote(d, r, centroids_ref, threshold, semantic_assignments, semantic_margin, P, *earlier[i])
                for i, (d, r) in enumerate(zip(shard_dirs, shard_rows))]
        parts, stats["semantic_shuffle_bytes"] = _shuffle(maps, P)
        counts = np.array(ray.get([refs[P + 1] for refs in maps])).reshape(-1, 2).sum(axis=0)
        stats["semantic_fanout"] = float(counts[1] / max(1, counts[0]))   # groups per row
        stats["semantic_mode"] = "approximate" if semantic_assignments else "exact"
        edges = [semantic_reduce.remote(threshold, *part) for part in parts]
        semantic_drops, decided = _decide(edges, P, layout, 1.0)
        stats.update({f"semantic_{key}": value for key, value in decided.items()})
        stats["semantic_centroids"] = len(centroids)
        stats["semantic_seconds"] = time.time() - t
    else:
        semantic_drops = [[ray.put(dedup.empty_drops())] for _ in range(S)]
    per_stage.append(semantic_drops)

    # apply: per shard, its drops of every stage
    t = time.time()
    outputs = [os.path.join(output_dir, f"{s.name}.{output_format}") for s in shards]
    applies = []
    for s, (shard, d) in enumerate(zip(shards, shard_dirs)):
        refs = [stage[s] for stage in per_stage]
        applies.append(apply_shard.remote(shard.input_args(), d, outputs[s], shard_rows[s], chunked, options,
                                          [len(r) for r in refs], *[r for stage_refs in refs for r in stage_refs]))
    ray.get(applies)
    stats["apply_seconds"] = time.time() - t
    merge_audit(shard_dirs, shard_rows, os.path.join(output_dir, "audit.jsonl"))
    stats["rows"] = rows
    stats["seconds"] = time.time() - started
    return outputs


AUDIT_LINE = re.compile(r'^\{"row_index": (\d+), (.*), "duplicate_of": (\d+|null), "similarity": ([^,]*)\}$')


def merge_audit(shard_dirs, shard_rows, path):
    """The shards' audit logs with the single run's row ids, in its order (by row id: every shard's
    input rows in shard order, then every shard's chunk rows; each shard's log is by row id, so two
    passes); a dedup drop's duplicate_of is the row it duplicates (in any shard). Lines are rewritten
    only in those two numbers, so they read byte for byte as the single-machine run's."""
    with open(path + ".tmp", "w") as out:
        for chunks in (False, True):
            for shard_dir, rows in zip(shard_dirs, shard_rows):
                if chunks and rows.chunk_rows == 0:
                    continue
                duplicate_of = {}
                with open(os.path.join(shard_dir, "global.tsv")) as f:
                    for line in f:
                        gid, dup = line.split("\t")
                        duplicate_of[int(gid)] = int(dup)
                with open(os.path.join(shard_dir, "audit.jsonl")) as f:
                    for line in f:
                        match = AUDIT_LINE.match(line.rstrip("\n"))
                        if not match:
                            raise RuntimeError(f"{shard_dir}/audit.jsonl: unexpected line {line[:200]!r}")
                        local = int(match.group(1))
                        if (local >= rows.input_rows) != chunks:
                            continue
                        gid = int(rows.gids(local))
                        dup = match.group(3)
                        if gid in duplicate_of:
                            dup = str(duplicate_of[gid])
                        elif dup != "null":
                            dup = str(int(rows.gids(int(dup))))
                        out.write(f'{{"row_index": {gid}, {match.group(2)}, "duplicate_of": {dup}, "similarity": {match.group(4)}}}\n')
        out.flush()
        os.fsync(out.fileno())
    os.replace(path + ".tmp", path)
