"""Choosing shards: each input file in sorted glob order is a shard; a JSONL file larger than
`shard_bytes` is cut at line boundaries into row ranges (pieces written to the work dir once).
Global row order is (shard index, row within shard), so the job's result is the single-machine
result over the files concatenated in that order."""
import glob
import json
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Shard:
    index: int
    path: str          # the file the binary reads (an input file, or a piece of one)
    source: str        # the input file it comes from
    name: str          # shard-00000: its store, export and output file are named after it


def expand_inputs(patterns):
    paths = []
    for pattern in patterns:
        found = sorted(glob.glob(pattern))
        if not found:
            raise SystemExit(f"entropyguard-ray: --input {pattern}: no such file")
        paths += found
    return paths


def plan(patterns, work_dir, shard_bytes):
    """The shards, recorded in work_dir/shards.json: a rerun with the same inputs reuses the plan (and
    the pieces); other inputs are an error rather than a silent mix of two jobs."""
    inputs = [os.path.abspath(p) for p in expand_inputs(patterns)]
    record = os.path.join(work_dir, "shards.json")
    identity = {"inputs": [[p, os.path.getsize(p), int(os.path.getmtime(p))] for p in inputs], "shard_bytes": shard_bytes}
    if os.path.exists(record):
        with open(record) as f:
            saved = json.load(f)
        if saved["identity"] != identity:
            raise SystemExit(f"entropyguard-ray: {work_dir} holds another job (other inputs or --shard-bytes); use a new --work-dir")
        return [Shard(**s) for s in saved["shards"]]
    shards = []
    for path in inputs:
        if path.endswith(".jsonl") and os.path.getsize(path) > shard_bytes:
            for piece in _split_jsonl(path, work_dir, len(shards), shard_bytes):
                shards.append(Shard(len(shards), piece, path, f"shard-{len(shards):05d}"))
        else:
            shards.append(Shard(len(shards), path, path, f"shard-{len(shards):05d}"))
    _atomic_write(record, json.dumps({"identity": identity, "shards": [s.__dict__ for s in shards]}, indent=1))
    return shards


def _split_jsonl(path, work_dir, first_index, shard_bytes):
    """Cuts a JSONL file into pieces of about shard_bytes at line ends."""
    pieces_dir = os.path.join(work_dir, "pieces")
    os.makedirs(pieces_dir, exist_ok=True)
    pieces = []
    with open(path, "rb") as source:
        while True:
            data = source.read(shard_bytes)
            if not data:
                break
            data += source.readline()
            piece = os.path.join(pieces_dir, f"piece-{first_index + len(pieces):05d}.jsonl")
            with open(piece + ".tmp", "wb") as out:
                out.write(data)
            os.replace(piece + ".tmp", piece)
            pieces.append(piece)
    return pieces


def _atomic_write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(path + ".tmp", path)
