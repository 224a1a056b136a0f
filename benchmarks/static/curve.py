#!/usr/bin/env python3
"""Recall per planted kind and false drops, one line per (model, threshold) run on the real-text set.

usage: curve.py TRUTH.jsonl LABEL=AUDIT.jsonl [LABEL=AUDIT.jsonl ...]
Recall counts a planted copy as caught when it is dropped (exact or semantic) pointing into its own
group; a false drop is any other dedup drop (a first-of-group row, or a copy pointed at another group)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from realtext_eval import score  # noqa: E402

KINDS = ["exact", "near_exact", "pii_variant", "html_variant", "semantic", "long_tail"]
truth = sys.argv[1]
print(f"{'run':<22}" + "".join(f"{k:>13}" for k in KINDS) + f"{'false drops':>13}")
for arg in sys.argv[2:]:
    label, audit = arg.split("=", 1)
    kinds, false_dups = score(truth, audit)
    cells = []
    for kind in KINDS:
        k = kinds.get(kind)
        cells.append(f"{100 * k['caught'] / k['planted']:.1f}%" if k and k["planted"] else "-")
    print(f"{label:<22}" + "".join(f"{c:>13}" for c in cells) + f"{sum(false_dups.values()):>13}")
