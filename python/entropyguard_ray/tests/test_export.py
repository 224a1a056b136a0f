"""`run --stop-after validate --export-rows DIR` read back with pyarrow as the job reads it (job._read):
rows.parquet holds one row per row alive after validate, in input order, with the exact keys, the
MinHash signature and LSH band keys, and the embedding as FIXED_LEN_BYTE_ARRAY columns. Embeddings
equal `entropyguard embed`'s for the same texts; copies of a text have equal keys, signatures and
bands, other texts do not. No Ray: fast. ENTROPYGUARD_BIN: the binary (default: the debug build)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
from entropyguard_ray import job  # noqa: E402
from entropyguard_ray.layout import ShardRows  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BINARY = os.environ.get("ENTROPYGUARD_BIN", os.path.join(ROOT, ".build", "debug", "entropyguard"))
MODEL = ["--model-name", "all-MiniLM-L6-v2-static"]


class ExportTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="entropyguard-export-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_export_columns_read_back(self):
        words = ["river", "stone", "lamp", "cloud", "pepper", "violin", "harbor", "meadow", "copper", "falcon"]
        texts = []
        for i in range(300):
            if i % 10 == 3:
                texts.append("tiny")                        # validate drops it (shorter than 20)
            elif i % 10 == 7:
                texts.append(texts[i - 4])                  # an exact copy of an earlier text
            else:
                texts.append(" ".join(words[(i * k + k * k) % 10] for k in range(1, 12)) + f" number {i}")
        data = os.path.join(self.tmp, "in.jsonl")
        with open(data, "w") as f:
            f.write("".join(json.dumps({"text": t}) + "\n" for t in texts))
        export = os.path.join(self.tmp, "export")
        subprocess.run([BINARY, "run", "--input", data, "--checkpoint-dir", os.path.join(self.tmp, "store"), "--stop-after", "validate",
                        "--export-rows", export, "--no-sanitize", "--min-length", "20", "--snapshots", "none", "--quiet"] + MODEL, check=True)
        with open(os.path.join(export, "export.json")) as f:
            info = json.load(f)
        schema = pq.read_schema(os.path.join(export, "rows.parquet"))
        self.assertEqual(schema.names, ["row_id", "key_hi", "key_lo", "signature", "bands", "embedding"])
        self.assertEqual(schema.field("signature").type, pa.binary(4 * info["permutations"]))
        self.assertEqual(schema.field("bands").type, pa.binary(8 * info["bands"]))
        self.assertEqual(schema.field("embedding").type, pa.binary(4 * info["dimension"]))

        self.assertEqual((info["input_rows"], info["next_row"], info["text_column"]), (300, 300, "text"))
        rows = ShardRows(order_base=50, offset=1000, input_rows=300, chunk_base=5000, chunk_rows=0)
        ords, gid, key_hi, key_lo, signature, bands, embedding = job._read(self.tmp, rows, "key_hi", "key_lo", "signature", "bands", "embedding")
        alive = [i for i, t in enumerate(texts) if t != "tiny"]
        self.assertEqual(info["rows"], len(alive))
        self.assertEqual(gid.tolist(), [1000 + i for i in alive])
        self.assertEqual(ords.tolist(), list(range(50, 50 + len(alive))))
        self.assertEqual(signature.shape, (len(alive), info["permutations"]))
        self.assertEqual(bands.shape, (len(alive), info["bands"]))
        self.assertEqual((signature.dtype, bands.dtype, embedding.dtype), (np.dtype("<u4"), np.dtype("<u8"), np.dtype("<f4")))

        vectors = os.path.join(self.tmp, "embed.npy")
        subprocess.run([BINARY, "embed", "--input", data, "--text-column", "text", "--output", vectors, "--quiet"] + MODEL, check=True)
        np.testing.assert_array_equal(embedding, np.load(vectors)[alive])

        position = {i: n for n, i in enumerate(alive)}
        for i in alive:
            copy_of = i - 4 if i % 10 == 7 else None
            other = position[i] - 1
            if copy_of is not None:
                a, b = position[i], position[copy_of]
                self.assertEqual((key_hi[a], key_lo[a]), (key_hi[b], key_lo[b]))
                np.testing.assert_array_equal(signature[a], signature[b])
                np.testing.assert_array_equal(bands[a], bands[b])
            elif other >= 0 and alive[other] % 10 != 7:
                self.assertNotEqual((key_hi[position[i]], key_lo[position[i]]), (key_hi[other], key_lo[other]))
                self.assertFalse(np.array_equal(signature[position[i]], signature[other]))

    def test_shards_must_agree_on_the_text_column(self):
        job.check_text_columns([{"text_column": "text"}, {"text_column": "text"}])
        with self.assertRaises(SystemExit) as raised:
            job.check_text_columns([{"text_column": "text"}, {"text_column": "body"}, {"text_column": "text"}])
        self.assertIn("different text columns (body, text); pass --text-column", str(raised.exception))


if __name__ == "__main__":
    unittest.main()
