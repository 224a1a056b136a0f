"""Choosing shards: each input file in sorted glob order is a shard; a file larger than `shard_bytes`
is cut into row ranges: JSONL at line ends and CSV at record ends (pieces written to the work dir once,
a CSV piece with the header), Parquet by row groups (the binary reads the range, `--row-groups`; no
copy). Global row order is (shard index, row within shard), so the job's result is the single-machine
result over the files concatenated in that order."""
import glob
import json
import mmap
import os
import re
from dataclasses import dataclass
from typing import Optional, Tuple


@dataclass(frozen=True)
class Shard:
    index: int
    path: str          # the file the binary reads (an input file, or a piece of one)
    source: str        # the input file it comes from
    name: str          # shard-00000: its store, export and output file are named after it
    row_groups: Optional[Tuple[int, int]] = None   # Parquet: row groups start..<end of `path`

    def input_args(self):
        """The binary's options that name the shard's rows."""
        extra = ["--row-groups", f"{self.row_groups[0]}:{self.row_groups[1]}"] if self.row_groups else []
        return ["--input", self.path] + extra


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
        return [Shard(**{**s, "row_groups": tuple(s["row_groups"]) if s.get("row_groups") else None}) for s in saved["shards"]]
    shards = []
    for path in inputs:
        splitter = {".jsonl": _split_jsonl, ".csv": _split_csv}.get(os.path.splitext(path)[1].lower())
        if splitter and os.path.getsize(path) > shard_bytes:
            for piece in splitter(path, work_dir, len(shards), shard_bytes):
                shards.append(Shard(len(shards), piece, path, f"shard-{len(shards):05d}"))
        elif _is_parquet(path) and os.path.getsize(path) > shard_bytes:
            for groups in _parquet_ranges(path, shard_bytes):
                shards.append(Shard(len(shards), path, path, f"shard-{len(shards):05d}", groups))
        else:
            shards.append(Shard(len(shards), path, path, f"shard-{len(shards):05d}"))
    _atomic_write(record, json.dumps({"identity": identity, "shards": [s.__dict__ for s in shards]}, indent=1))
    return shards


def _split_jsonl(path, work_dir, first_index, shard_bytes):
    """Cuts a JSONL file into pieces of about shard_bytes at line ends."""
    pieces = []
    with open(path, "rb") as source:
        while True:
            data = source.read(shard_bytes)
            if not data:
                break
            data += source.readline()
            pieces.append(_write_piece(work_dir, first_index + len(pieces), ".jsonl", [data]))
    return pieces


# One CSV field as the binary's reader (CSVRecordSplitter) scans it: a quote at the start of a field
# opens a quoted span (doubled quotes inside, newlines allowed) and whatever follows its closing quote
# up to a comma or newline belongs to the field; a field not starting with a quote runs to the next
# comma or newline, quotes in it being plain characters. A record is fields joined by commas up to a
# newline. The regex is unambiguous, so it matches what the reader reads (and fails only on a quote
# left open at the end of the file, where the reader takes the rest of the file as one bad record).
_CSV_FIELD = rb'(?:"[^"]*(?:""[^"]*)*"[^,\n]*|[^,\n"][^,\n]*|)'
_CSV_RECORD = re.compile(_CSV_FIELD + rb'(?:,' + _CSV_FIELD + rb')*\n')


def _split_csv(path, work_dir, first_index, shard_bytes):
    """Cuts a CSV file into pieces of about shard_bytes at record ends, each piece starting with the
    file's header record. Record ends are found by reading the records from the start with the reader's
    rules (_CSV_RECORD), never by guessing from a newline: a quoted field may hold newlines. Stretches
    without a quote are skipped whole (every newline there ends a record), so the regex reads only the
    records that hold quotes. Cutting stops at a quote left open (the rest is the last piece, whose run
    reports it as the single run would)."""
    pieces = []
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        start = 3 if data[:3] == b"\xef\xbb\xbf" else 0
        header = _CSV_RECORD.match(data, start)
        while header is not None and not data[header.start():header.end()].strip(b"\r\n"):
            header = _CSV_RECORD.match(data, header.end())   # blank lines before the header are skipped
        if header is None:
            return [path]
        head, begin, end = data[:header.end()], header.end(), len(data)
        while begin < end:
            at, target = begin, begin + shard_bytes
            if target >= end:
                at = end
            while at < target:
                # Before the first quote from a record end, every newline ends a record: the record
                # holding that quote (or the target) starts after the last of them, and is read whole.
                quote = data.find(b'"', at, target)
                inside = quote if quote >= 0 else target
                record = _CSV_RECORD.match(data, data.rfind(b"\n", at, inside) + 1 or at)
                if record is None:   # a quote open to the end of the file (or no newline at its end)
                    at = end
                    break
                at = record.end()
            at = min(at, end)
            pieces.append(_write_piece(work_dir, first_index + len(pieces), ".csv", [head, data[begin:at]]))
            begin = at
    return pieces


def _is_parquet(path):
    with open(path, "rb") as f:
        return path.lower().endswith(".parquet") or f.read(4) == b"PAR1"


def _parquet_ranges(path, shard_bytes):
    """Runs of whole row groups of about shard_bytes (their compressed size in the footer)."""
    import pyarrow.parquet as pq
    metadata = pq.ParquetFile(path).metadata
    ranges, start, size = [], 0, 0
    for group in range(metadata.num_row_groups):
        size += sum(metadata.row_group(group).column(c).total_compressed_size for c in range(metadata.num_columns))
        if size >= shard_bytes or group == metadata.num_row_groups - 1:
            ranges.append((start, group + 1))
            start, size = group + 1, 0
    return ranges or [None]


def _write_piece(work_dir, index, extension, parts):
    pieces_dir = os.path.join(work_dir, "pieces")
    os.makedirs(pieces_dir, exist_ok=True)
    piece = os.path.join(pieces_dir, f"piece-{index:05d}{extension}")
    with open(piece + ".tmp", "wb") as out:
        for part in parts:
            out.write(part)
    os.replace(piece + ".tmp", piece)
    return piece


def _atomic_write(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(path + ".tmp", path)
