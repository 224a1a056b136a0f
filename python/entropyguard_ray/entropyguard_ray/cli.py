"""entropyguard-ray --input 'data/*.jsonl' --output out/ --work-dir work/ [--address auto] [entropyguard run options]"""
import argparse
import json
import os
import shutil
import sys
import tempfile

import ray

from . import job, shards

# Options the job sets itself for each shard's binary run.
RESERVED = {"--input", "--row-groups", "--row-offset", "--chunk-field", "--output", "--checkpoint-dir", "--audit-log", "--stop-after", "--export-rows", "--global-drops",
            "--snapshots", "--annotate", "--dry-run", "--json"}


def parse(argv):
    parser = argparse.ArgumentParser(
        prog="entropyguard-ray",
        description="Run the EntropyGuard pipeline on a Ray cluster (or a local one). Other options are entropyguard run's; "
                    "they are passed to every shard's run.")
    parser.add_argument("--input", action="append", required=True, help="input file or glob (repeatable); sorted, each file a shard (large ones cut into row ranges, see --shard-bytes)")
    parser.add_argument("--output", required=True, help="output directory: shard-NNNNN.<format> per shard, audit.jsonl")
    parser.add_argument("--work-dir", required=True, help="the job's working stores and exports (shared by all nodes)")
    parser.add_argument("--address", help="Ray cluster address (auto: the running cluster); omitted: a local ray.init()")
    parser.add_argument("--num-cpus", type=int, help="CPUs of the local cluster (without --address)")
    parser.add_argument("--binary", help="the entropyguard binary to ship to the workers (default: ENTROPYGUARD_BIN, then PATH)")
    parser.add_argument("--models-dir", help="models folder to ship to the workers (default: each node's ~/.cache/entropyguard/models)")
    parser.add_argument("--output-format", choices=["jsonl", "parquet"], default="jsonl")
    parser.add_argument("--shard-bytes", type=int, default=256 << 20, help="JSONL, CSV and Parquet files larger than this are cut into row ranges")
    parser.add_argument("--partitions", type=int, help="hash partitions of each shuffle (default: the cluster's CPUs)")
    parser.add_argument("--semantic-centroids", type=int, help="k-means centroids (default: rows / 2,000, x assignments if given)")
    parser.add_argument("--semantic-assignments", type=int,
                        help="approximate semantic dedup (opt-in): a row joins at most this many centroids' groups, "
                             "which may miss pairs; default: exact, every pair at or above the threshold is compared")
    parser.add_argument("--semantic-margin", type=float, default=0.1,
                        help="with --semantic-assignments: extra centroids must be this close (cosine) to the nearest")
    parser.add_argument("--semantic-exact-pairs-per-cpu", type=float, default=job.EXACT_PAIRS_PER_CPU,
                        help="the exact semantic search's budget: beyond this many estimated comparisons per cluster "
                             "CPU (dense data, or very many rows) the job takes the approximate assignment and says so")
    parser.add_argument("--stats", help="write the job's timings and shuffle bytes here (JSON)")
    args, passthrough = parser.parse_known_args(argv)
    for item in passthrough:
        if item.split("=")[0] in RESERVED:
            parser.error(f"{item.split('=')[0]} is set by entropyguard-ray itself")
    return args, passthrough


def runtime_env(args):
    """The binary (and the models, if given) in the tasks' working_dir, unpacked on every node."""
    binary = args.binary or os.environ.get("ENTROPYGUARD_BIN") or shutil.which("entropyguard")
    if not binary or not os.path.exists(binary):
        raise SystemExit("entropyguard-ray: no entropyguard binary: pass --binary or set ENTROPYGUARD_BIN")
    staging = tempfile.mkdtemp(prefix="entropyguard-ray-")
    shutil.copy2(binary, os.path.join(staging, "entropyguard"))
    # The package itself too: workers need not have it installed.
    env = {"working_dir": staging, "py_modules": [os.path.dirname(os.path.abspath(__file__))], "env_vars": {}}
    if args.models_dir:
        shutil.copytree(args.models_dir, os.path.join(staging, "home", "models"), symlinks=False)
        env["env_vars"]["ENTROPYGUARD_HOME"] = "home"
    return env, staging


def main(argv=None):
    args, options = parse(sys.argv[1:] if argv is None else argv)
    work_dir = os.path.abspath(args.work_dir)
    output_dir = os.path.abspath(args.output)
    os.makedirs(work_dir, exist_ok=True)
    plan = shards.plan(args.input, work_dir, args.shard_bytes)
    env, staging = runtime_env(args)
    try:
        if args.address:
            ray.init(address=args.address, runtime_env=env, log_to_driver=False)
        else:
            ray.init(num_cpus=args.num_cpus, runtime_env=env, log_to_driver=False, include_dashboard=False)
        stats = {}
        job.run(plan, work_dir, output_dir, options, output_format=args.output_format, partitions=args.partitions,
                semantic_centroids=args.semantic_centroids, semantic_assignments=args.semantic_assignments,
                semantic_margin=args.semantic_margin, stats=stats,
                semantic_exact_pairs_per_cpu=args.semantic_exact_pairs_per_cpu)
        job.log(f"done in {stats['seconds']:.1f} s: {len(plan)} shard outputs and audit.jsonl in {output_dir}")
        if args.stats:
            with open(args.stats, "w") as f:
                json.dump(stats, f, indent=1)
    finally:
        ray.shutdown()
        shutil.rmtree(staging, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
