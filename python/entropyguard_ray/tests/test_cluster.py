"""entropyguard-ray on a local Ray cluster (2 CPUs) against the single-machine run over the
concatenated input: 3 shards, sanitize, exact, fuzzy and semantic dedup on (static model).
Exact and fuzzy decisions, and their audit lines, must be identical; semantic decisions agree on
at least 99% of the rows that reach the stage, and on dense data (most rows near-threshold
duplicates) equal the single run's `--search exact` (the exact assignment). A job killed mid-way (a shard's binary killed),
then rerun, gives the same result without redoing the shards it had finished. With --chunk-size,
the chunk rows (numbered after all input rows in the single run) get the same decisions, audit
lines and output records (_chunk's parent included). One Parquet file cut into row group ranges
(shards the binary reads in place) gives the single run's result over that file.

Run by scripts/run-tests (make test) with the project venv, which has ray (scripts/setup-venv).
ENTROPYGUARD_BIN: the binary (default: the debug build)."""
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PACKAGE = os.path.join(ROOT, "python", "entropyguard_ray")
BINARY = os.environ.get("ENTROPYGUARD_BIN", os.path.join(ROOT, ".build", "debug", "entropyguard"))
MODEL = "all-MiniLM-L6-v2-static"
OPTIONS = ["--model-name", MODEL, "--min-length", "20"]
# 8 centroids for ~1,300 rows (the default would make one group): rows meet group boundaries.
JOB_OPTIONS = ["--semantic-centroids", "8"]
SHARDS = 3
# Texts are 30-300 characters: about half are split, some chunks are copies of others' (exact or near).
CHUNKING = ["--chunk-size", "120", "--chunk-overlap", "20"]


def make_records(count=1500, seed=7):
    """Texts from a 2,000-word vocabulary with planted exact copies (some differing in case and
    spaces), near copies (a word or two changed: fuzzy), reordered copies (same words: semantic with
    a static model), emails and HTML for sanitize, and short texts for validate."""
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "pe", "da", "gu", "ho", "ze", "bi", "fa", "wu"]
    vocabulary = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(2600)})[:2000]
    texts = []
    for i in range(count):
        r = rng.random()
        if texts and r < 0.10:
            t = rng.choice(texts)
            t = t.upper() if rng.random() < 0.3 else "  " + t.replace(" ", "  ")
        elif texts and r < 0.22:
            words = rng.choice(texts).split()
            for _ in range(rng.randint(1, 2)):
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
            t = " ".join(words)
        elif texts and r < 0.30:
            words = rng.choice(texts).split()
            rng.shuffle(words)
            t = " ".join(words)
        elif r < 0.33:
            t = "short " + rng.choice(vocabulary)
        else:
            t = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(15, 40)))
            if rng.random() < 0.1:
                t = f"<p>{t}</p> write to user{i}@example.com"
        texts.append(t)
    return [json.dumps({"id": i, "text": t}) for i, t in enumerate(texts)]


def audit(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def record_key(line):
    """A kept record's place: its input id and, for a chunk, its index (records of one input share an id)."""
    record = json.loads(line)
    return record["id"], (record.get("_chunk") or {}).get("index", -1)


def lines(paths):
    out = []
    for path in paths:
        with open(path) as f:
            out += f.read().splitlines()
    return out


class RayClusterTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="entropyguard-ray-test-")
        records = make_records()
        cls.inputs = os.path.join(cls.tmp, "in")
        os.makedirs(cls.inputs)
        size = (len(records) + SHARDS - 1) // SHARDS
        for s in range(SHARDS):
            with open(os.path.join(cls.inputs, f"part-{s}.jsonl"), "w") as f:
                f.write("\n".join(records[s * size:(s + 1) * size]) + "\n")
        with open(os.path.join(cls.tmp, "all.jsonl"), "w") as f:
            f.write("\n".join(records) + "\n")
        cls.records = records
        cls.single = cls.single_run("single", [])
        cls.single_chunked = cls.single_run("single-chunked", CHUNKING)

    @classmethod
    def single_run(cls, name, extra, input_path=None):
        """(kept records, audit) of the binary over the concatenated input."""
        single = os.path.join(cls.tmp, name)
        os.makedirs(single)
        subprocess.run([BINARY, "--input", input_path or os.path.join(cls.tmp, "all.jsonl"), "--output", os.path.join(single, "out.jsonl"),
                        "--audit-log", os.path.join(single, "audit.jsonl"), "--quiet"] + OPTIONS + extra, check=True)
        return lines([os.path.join(single, "out.jsonl")]), audit(os.path.join(single, "audit.jsonl"))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def job(self, name, wait=True, extra=(), inputs=None, job_options=JOB_OPTIONS):
        command = [sys.executable, "-m", "entropyguard_ray.cli", "--input", inputs or os.path.join(self.inputs, "*.jsonl"),
                   "--output", os.path.join(self.tmp, name, "out"), "--work-dir", os.path.join(self.tmp, name, "work"),
                   "--num-cpus", "2", "--binary", BINARY, "--stats", os.path.join(self.tmp, name, "stats.json")] + job_options + OPTIONS + list(extra)
        env = dict(os.environ, PYTHONPATH=PACKAGE, RAY_AUTH_MODE="disabled")
        log = open(os.path.join(self.tmp, f"{name}.log"), "a")
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
        log.close()   # the child has its own descriptor
        if wait:
            self.assertEqual(process.wait(timeout=600), 0, self.read(log.name))
        return process

    @staticmethod
    def read(path):
        with open(path) as f:
            return f.read()[-3000:]

    def check_result(self, name, single_run=None, stages=("validate", "exact_dedup", "fuzzy_dedup")):
        single_out, single_audit = single_run or self.single
        out = os.path.join(self.tmp, name, "out")
        shard_files = sorted(glob.glob(os.path.join(out, "shard-*.jsonl")))
        cluster_audit = audit(os.path.join(out, "audit.jsonl"))
        single = {(a["row_index"]): a for a in single_audit}
        cluster = {(a["row_index"]): a for a in cluster_audit}
        for stage in stages:
            want = [a for a in single_audit if a["stage"] == stage]
            got = [a for a in cluster_audit if a["stage"] == stage]
            self.assertTrue(want, f"the test data has no {stage} drops")
            self.assertEqual(got, want, stage)
        self.assertEqual([a["row_index"] for a in cluster_audit], sorted(a["row_index"] for a in cluster_audit), "audit by row id")
        # Semantic: the rows that reach the stage are the same (the earlier stages agree), so the
        # decisions compare row by row.
        single_sem = {r for r, a in single.items() if a["stage"] == "semantic_dedup"}
        reaching = len(single_out) + len(single_sem)
        cluster_sem = {r for r, a in cluster.items() if a["stage"] == "semantic_dedup"}
        self.assertGreater(len(single_sem), 20)
        differing = len(single_sem ^ cluster_sem)
        agreement = 1 - differing / reaching
        print(f"\n{name}: semantic drops single {len(single_sem)}, cluster {len(cluster_sem)}, "
              f"{differing} of {reaching} decisions differ ({agreement:.2%} agree)", file=sys.stderr)
        self.assertGreaterEqual(agreement, 0.99)
        # Kept records: unchanged, in order, the single run's except where a semantic decision differs.
        kept = lines(shard_files)
        self.assertEqual(len(kept), len(single_out) - len(cluster_sem) + len(single_sem))
        by_key = {record_key(line): line for line in single_out}
        for line in kept:
            if record_key(line) in by_key:
                self.assertEqual(line, by_key[record_key(line)])
        self.assertEqual([record_key(line) for line in kept], sorted(record_key(line) for line in kept))
        return kept, cluster_audit

    def test_parquet_row_group_shards_match_single_machine(self):
        import pyarrow as pa
        import pyarrow.parquet as pq
        rows = [json.loads(r) for r in self.records]
        path = os.path.join(self.tmp, "all.parquet")
        pq.write_table(pa.table({"id": [r["id"] for r in rows], "text": [r["text"] for r in rows]}), path, row_group_size=100)
        single = self.single_run("single-parquet", [], input_path=path)
        self.job("parquet", inputs=path, extra=["--shard-bytes", str(os.path.getsize(path) // 3)])
        with open(os.path.join(self.tmp, "parquet", "work", "shards.json")) as f:
            ranges = [s["row_groups"] for s in json.load(f)["shards"]]
        self.assertGreaterEqual(len(ranges), 3)
        self.assertEqual((ranges[0][0], ranges[-1][1]), (0, 15))
        self.check_result("parquet", single)

    def test_chunked_job_matches_single_machine(self):
        single_out, single_audit = self.single_chunked
        split = [a for a in single_audit if a["stage"] == "chunk"]
        chunk_rows = [a for a in single_audit if a["row_index"] >= 1500]
        self.assertGreater(len(split), 300, "texts split into chunks")
        self.assertTrue(any(a["stage"] == "exact_dedup" for a in chunk_rows) and any(a["stage"] == "fuzzy_dedup" for a in chunk_rows),
                        "chunk rows among the exact and fuzzy drops")
        self.job("chunked", extra=CHUNKING)
        kept, _ = self.check_result("chunked", self.single_chunked, stages=("chunk", "validate", "exact_dedup", "fuzzy_dedup"))
        self.assertTrue(any(json.loads(line)["_chunk"] is None for line in kept) and any(json.loads(line)["_chunk"] for line in kept))

    def test_dense_semantic_equals_exact_search(self):
        """Dense data (6,000 rows made as above: with the static model about half the rows reaching
        semantic dedup duplicate others, most pairs near the threshold; the k-means groups cannot
        separate them), default semantic settings (exact assignment, centroids chosen): the semantic
        drops and their duplicate_of equal the single run's `--search exact`."""
        dense = os.path.join(self.tmp, "dense-in")
        os.makedirs(dense)
        records = make_records(6000, seed=11)
        size = (len(records) + SHARDS - 1) // SHARDS
        for s in range(SHARDS):
            with open(os.path.join(dense, f"part-{s}.jsonl"), "w") as f:
                f.write("\n".join(records[s * size:(s + 1) * size]) + "\n")
        with open(os.path.join(self.tmp, "dense.jsonl"), "w") as f:
            f.write("\n".join(records) + "\n")
        single_out, single_audit = self.single_run("single-dense", ["--search", "exact"], os.path.join(self.tmp, "dense.jsonl"))
        self.job("dense", inputs=os.path.join(dense, "*.jsonl"), job_options=[])
        cluster_audit = audit(os.path.join(self.tmp, "dense", "out", "audit.jsonl"))
        single = {a["row_index"]: a.get("duplicate_of") for a in single_audit if a["stage"] == "semantic_dedup"}
        cluster = {a["row_index"]: a.get("duplicate_of") for a in cluster_audit if a["stage"] == "semantic_dedup"}
        with open(os.path.join(self.tmp, "dense", "stats.json")) as f:
            stats = json.load(f)
        print(f"\ndense: semantic drops single --search exact {len(single)}, cluster {len(cluster)} of "
              f"{len(single_out) + len(single)} rows; {stats['semantic_edges']} pairs, {stats['semantic_centroids']} centroids, "
              f"{stats['semantic_fanout']:.2f} groups a row", file=sys.stderr)
        self.assertGreater(len(single), 0.3 * (len(single_out) + len(single)))
        self.assertEqual(stats["semantic_mode"], "exact")
        self.assertGreater(stats["semantic_centroids"], 1)
        self.assertGreater(stats["semantic_fanout"], 1.0)   # rows visit other groups
        self.assertEqual(set(cluster), set(single))
        # duplicate_of: the kept row with the highest similarity; rows with equal embeddings (reordered
        # words, static model) tie, and the single run's BLAS and numpy may round such ties apart.
        elsewhere = [r for r in single if cluster[r] != single[r]]
        print(f"dense: {len(elsewhere)} drops point at another kept row", file=sys.stderr)
        self.assertLessEqual(len(elsewhere), 0.01 * len(single))

    def test_cluster_job_matches_single_machine(self):
        self.job("plain")
        self.check_result("plain")
        with open(os.path.join(self.tmp, "plain", "stats.json")) as f:
            self.assertEqual(json.load(f)["semantic_mode"], "exact")

    def test_over_the_exact_budget_the_job_is_approximate(self):
        """An exact search estimated above --semantic-exact-pairs-per-cpu x CPUs takes the approximate
        assignment (what dense data or a very large job gets): it says so in the stats, and still
        agrees with one machine within the target on the test data."""
        self.job("budget", extra=["--semantic-exact-pairs-per-cpu", "1"])
        with open(os.path.join(self.tmp, "budget", "stats.json")) as f:
            stats = json.load(f)
        self.assertEqual(stats["semantic_mode"], "approximate")
        self.assertGreater(stats["semantic_exact_pairs_estimate"], 2)
        self.check_result("budget")

    def test_killed_job_resumes_with_the_same_result(self):
        process = self.job("killed", wait=False)
        work = os.path.join(self.tmp, "killed", "work")
        victim = None
        deadline = time.time() + 120
        while victim is None and time.time() < deadline and process.poll() is None:
            victim = self.shard_binary(work)
            time.sleep(0.02)
        self.assertIsNotNone(victim, "no shard binary seen running")
        os.kill(victim, signal.SIGKILL)
        self.assertNotEqual(process.wait(timeout=600), 0, "the job should fail when a shard's binary is killed")
        finished = {d: os.path.getmtime(os.path.join(work, d, "export", "export.json"))
                    for d in os.listdir(work) if os.path.exists(os.path.join(work, d, "export", "export.json"))}
        self.assertLess(len(finished), SHARDS, "the kill came after every shard was prepared")
        self.job("killed")
        for d, mtime in finished.items():
            self.assertEqual(os.path.getmtime(os.path.join(work, d, "export", "export.json")), mtime, f"{d} was redone")
        self.check_result("killed")

    @staticmethod
    def shard_binary(work):
        """The pid of an entropyguard process preparing a shard of this job's work dir."""
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if argv and argv[0].endswith(b"entropyguard") and b"--stop-after" in argv and any(work.encode() in a for a in argv):
                return int(pid)
        return None


if __name__ == "__main__":
    unittest.main()
