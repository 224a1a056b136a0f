#!/usr/bin/env python3
"""Scores an EntropyGuard run on the real-text benchmark set against its ground truth.

usage: realtext_eval.py TRUTH.jsonl AUDIT.jsonl SUMMARY.json
Per planted kind: rows, how many were dropped as duplicates (exact or semantic) of their group,
and drops of rows that are the first of their group (false duplicates)."""
import collections
import json
import sys


def score(truth_path, audit_path):
    """Per planted kind: Counter of rows, planted, caught, drops by reason; and false drops per kind."""
    truth = [json.loads(l) for l in open(truth_path)]
    audit = {}
    for line in open(audit_path):
        a = json.loads(line)
        audit[a["row_index"]] = a

    by_id = {t["id"]: t for t in truth}
    kinds = collections.OrderedDict()
    false_dups = collections.Counter()
    for t in truth:
        k = kinds.setdefault(t["kind"], collections.Counter())
        k["rows"] += 1
        a = audit.get(t["id"])
        is_copy = t["id"] != t["first_id"]
        if is_copy:
            k["planted"] += 1
        if a and a["reason"] in ("exact_duplicate", "semantic_duplicate"):
            k[a["reason"]] += 1
            other = by_id.get(a["duplicate_of"])
            same_group = other is not None and other["group"] == t["group"]
            if is_copy and same_group:
                k["caught"] += 1
            else:
                false_dups[t["kind"]] += 1
        elif a:
            k[a["reason"]] += 1

    return kinds, false_dups


def main():
    kinds, false_dups = score(sys.argv[1], sys.argv[2])
    summary = json.load(open(sys.argv[3]))
    print(f"{'kind':<13}{'rows':>7}{'planted':>9}{'caught':>8}{'rate':>7}{'exact':>7}{'semantic':>9}{'false':>7}  other drops")
    for kind, k in kinds.items():
        rate = f"{100 * k['caught'] / k['planted']:.1f}%" if k["planted"] else "-"
        other = {r: n for r, n in k.items() if r not in ("rows", "planted", "caught", "exact_duplicate", "semantic_duplicate")}
        print(f"{kind:<13}{k['rows']:>7}{k['planted']:>9}{k['caught']:>8}{rate:>7}{k['exact_duplicate']:>7}{k['semantic_duplicate']:>9}{false_dups[kind]:>7}  {other or ''}")
    print(f"rows in {summary['rows_in']}, rows out {summary['rows_out']}, {summary['seconds']:.1f} s")
    for st in summary["stages"]:
        if st.get("seconds"):
            print(f"  {st['name']:<15} {st['rows_in']:>7} -> {st['rows_out']:>7}  {st['seconds']:7.1f} s  {st.get('rows_per_second', 0):>9.0f} rows/s  {st.get('notes', {})}")


if __name__ == "__main__":
    main()
