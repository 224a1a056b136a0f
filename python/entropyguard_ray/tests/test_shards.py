"""Shards of one large file (shards.py) read as the whole file: the binary's output over the pieces,
concatenated in shard order, is its output over the file. CSV pieces are cut at record ends found
with the reader's rules (quoted newlines, doubled quotes, quotes inside unquoted fields, CRLF, blank
lines, a byte-order mark), each piece with the header; Parquet shards are runs of row groups the
binary reads in place (--row-groups). No Ray: fast.
ENTROPYGUARD_BIN: the binary (default: the debug build)."""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
from entropyguard_ray import shards  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BINARY = os.environ.get("ENTROPYGUARD_BIN", os.path.join(ROOT, ".build", "debug", "entropyguard"))
OPTIONS = ["--no-semantic-dedup", "--no-fuzzy-dedup", "--min-length", "1", "--snapshots", "none", "--quiet"]


def csv_text(rows, seed=3):
    """A CSV whose texts are all distinct (exact dedup drops nothing), many spanning lines."""
    rng = random.Random(seed)
    words = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta"]
    out = ["\ufeffid,text,note\r\n", "\n"]
    for i in range(rows):
        body = " ".join(rng.choice(words) for _ in range(rng.randint(3, 12))) + f" {i}"
        kind = i % 7
        if kind == 0:
            text = '"' + body.replace(" ", "\n", 2) + '"'          # newlines inside quotes
        elif kind == 1:
            text = '"' + body + ', with ""quotes"" and,commas"'   # doubled quotes, commas
        elif kind == 2:
            text = body.replace(" ", '"', 1)                        # a quote inside an unquoted field
        elif kind == 3:
            text = '"' + body + '\n"'                               # a newline just before the closing quote
        else:
            text = body
        note = '"a\nb"' if i % 5 == 0 else "n"
        out.append(f"{i},{text},{note}" + ("\r\n" if i % 3 == 0 else "\n"))
        if i % 11 == 0:
            out.append("\n")   # a blank line: skipped, not a record
    return "".join(out).encode()


def run_binary(tmp, name, input_args, output_format="jsonl"):
    output = os.path.join(tmp, f"{name}.{output_format}")
    subprocess.run([BINARY, "run"] + input_args + ["--output", output, "--checkpoint-dir", os.path.join(tmp, name + ".store")]
                   + OPTIONS, check=True)
    return read(output)


def read(path):
    with open(path, "rb") as f:
        return f.read()


class ShardTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="entropyguard-shards-test-")
        os.makedirs(os.path.join(self.tmp, "work"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_csv_pieces_read_as_the_whole_file(self):
        data = csv_text(400)
        path = os.path.join(self.tmp, "big.csv")
        with open(path, "wb") as f:
            f.write(data)
        plan = shards.plan([path], os.path.join(self.tmp, "work"), shard_bytes=1500)
        self.assertGreaterEqual(len(plan), 10)
        header = data[:data.index(b"\r\n") + 2]
        bodies = []
        for shard in plan:
            piece = read(shard.path)
            self.assertTrue(piece.startswith(header), shard.path)
            bodies.append(piece[len(header):])
        self.assertEqual(header + b"".join(bodies), data, "the pieces hold the file's bytes, in order")
        # Cutting at the first newline after each target would cut inside quoted fields here.
        naive, at = [], len(header)
        while at + 1500 < len(data):
            at = data.index(b"\n", at + 1500) + 1
            naive.append(at)
        cuts, at = [], len(header)
        for body in bodies[:-1]:
            at += len(body)
            cuts.append(at)
        self.assertNotEqual(cuts, naive[:len(cuts)])

        whole = run_binary(self.tmp, "whole", ["--input", path])
        self.assertEqual(len(whole.splitlines()), 400)
        pieces = b"".join(run_binary(self.tmp, f"piece{s.index}", s.input_args()) for s in plan)
        self.assertEqual(pieces, whole)

    def test_csv_with_a_quote_open_to_the_end_is_cut_before_it(self):
        data = b"id,text\n" + b"".join(b"%d,row number %d\n" % (i, i) for i in range(200)) + b'200,"open quote\n201,x\n'
        path = os.path.join(self.tmp, "open.csv")
        with open(path, "wb") as f:
            f.write(data)
        plan = shards.plan([path], os.path.join(self.tmp, "work"), shard_bytes=400)
        self.assertGreater(len(plan), 3)
        self.assertTrue(read(plan[-1].path).endswith(b'200,"open quote\n201,x\n'))
        self.assertEqual(b"".join(read(s.path)[len(b"id,text\n"):] for s in plan), data[len(b"id,text\n"):])

    def test_parquet_row_group_ranges_read_as_the_whole_file(self):
        import pyarrow as pa
        import pyarrow.parquet as pq
        rows = 1000
        table = pa.table({"id": pa.array(range(rows), pa.int64()),
                          "text": [None if i % 97 == 0 else f"text number {i} " + "word " * (i % 13) for i in range(rows)],
                          "tags": [[f"t{i % 3}"] * (i % 4) for i in range(rows)],
                          "score": [i / 7 if i % 5 else None for i in range(rows)]})
        path = os.path.join(self.tmp, "big.parquet")
        pq.write_table(table, path, row_group_size=64)
        plan = shards.plan([path], os.path.join(self.tmp, "work"), shard_bytes=3000)
        self.assertGreaterEqual(len(plan), 3)
        ranges = [s.row_groups for s in plan]
        self.assertEqual(ranges[0][0], 0)
        self.assertEqual(ranges[-1][1], pq.ParquetFile(path).metadata.num_row_groups)
        self.assertTrue(all(a[1] == b[0] for a, b in zip(ranges, ranges[1:])), ranges)
        self.assertTrue(all(s.path == path for s in plan), "no copies")
        groups = pq.ParquetFile(path).metadata.num_row_groups
        beyond = subprocess.run([BINARY, "run", "--input", path, "--row-groups", f"1:{groups + 1}", "--output", os.path.join(self.tmp, "x.jsonl")]
                                + OPTIONS, stderr=subprocess.PIPE, text=True)
        self.assertEqual(beyond.returncode, 64, beyond.stderr)
        self.assertIn(f"--row-groups 1:{groups + 1}: {path} has {groups} row groups", beyond.stderr)
        for output_format in ("jsonl", "parquet"):
            whole = run_binary(self.tmp, "whole-" + output_format, ["--input", path], output_format)
            parts = [run_binary(self.tmp, f"range{s.index}-{output_format}", s.input_args(), output_format) for s in plan]
            if output_format == "jsonl":
                self.assertEqual(len(whole.splitlines()), rows - len(range(0, rows, 97)))
                self.assertEqual(b"".join(parts), whole)
            else:
                tables = [pq.read_table(os.path.join(self.tmp, f"range{s.index}-parquet.parquet")) for s in plan]
                self.assertTrue(pa.concat_tables(tables).equals(pq.read_table(os.path.join(self.tmp, "whole-parquet.parquet"))))


if __name__ == "__main__":
    unittest.main()
