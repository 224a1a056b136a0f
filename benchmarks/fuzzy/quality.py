#!/usr/bin/env python3
"""Quality of fuzzy dedup on real text with planted word-level edits.

  make POOL.jsonl.gz OUT ARTICLES   writes OUT/rows.jsonl ({"id", "text"}) and OUT/pairs.jsonl
  evaluate OUT                      reads OUT/drops_<perms>.tsv (fuzzy-bench), OUT/datatrove_removed.txt,
                                    and entropyguard's audit logs OUT/audit*.jsonl when present

Articles: consecutive documents of the real-text sentence pool (Debian docs, fortunes, man pages,
licences, Python docs) joined until they reach 120 words, capped at 400. For 75% of them an edited copy is
planted: n word-level edits, each a substitution (a random pool word), deletion, insertion or swap of two
adjacent words, with n spread so that the true Jaccard of the two texts' shingle sets covers 0.2..1. The
true Jaccard is computed here on word 5-grams with the same normalisation as the MinHash module's Shingler
(lowercase; runs of characters that are not letters, digits or marks become one space; format characters
dropped). All rows are shuffled (seeded), so a copy may come before its article.
"""
import gzip
import json
import os
import random
import sys
import unicodedata

SEED = 1212


def normalize(text):
    out, word = [], []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat == "Cf":
            continue
        if cat[0] in "LMN":
            word.append(ch.lower())
        elif word:
            out.append("".join(word))
            word = []
    if word:
        out.append("".join(word))
    return out


def shingles(text, n=5):
    words = normalize(text)
    if len(words) < n:
        return {" ".join(words)}
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def jaccard(a, b):
    return len(a & b) / len(a | b)


def exact_key(text):
    # EntropyGuard's exact-dedup key: lowercase, whitespace runs collapsed, trimmed (punctuation kept).
    return " ".join(text.lower().split())


def make(pool_path, out, articles):
    rng = random.Random(SEED)
    docs = []
    with gzip.open(pool_path, "rt", encoding="utf-8") as f:
        for line in f:
            docs.append(" ".join(json.loads(line)["sents"]))
    vocabulary = [w for d in docs[:20000] for w in d.split()][:200000]
    texts, i = [], 0
    while len(texts) < articles and i < len(docs):
        words = []
        while len(words) < 120 and i < len(docs):
            words += docs[i].split()
            i += 1 + (rng.random() < 0.5)      # skip some documents: articles from all over the pool
        texts.append(" ".join(words[:400]))
    rows = [{"text": t, "base": k, "kind": "article"} for k, t in enumerate(texts)]
    pairs = []
    for k, text in enumerate(texts):
        if rng.random() >= 0.75:
            continue
        words = text.split()
        # Edit fraction log-uniform in [0.003, 0.35]: many light edits (J near 1), some heavy.
        fraction = 0.003 * (0.35 / 0.003) ** rng.random()
        edits = max(1, round(fraction * len(words)))
        kinds = []
        for _ in range(edits):
            kind = rng.choice(("substitute", "delete", "insert", "swap"))
            p = rng.randrange(len(words))
            if kind == "substitute":
                words[p] = rng.choice(vocabulary)
            elif kind == "delete" and len(words) > 10:
                del words[p]
            elif kind == "insert":
                words.insert(p, rng.choice(vocabulary))
            elif kind == "swap" and p + 1 < len(words):
                words[p], words[p + 1] = words[p + 1], words[p]
            kinds.append(kind)
        copy = " ".join(words)
        pairs.append({"base": k, "edits": edits, "jaccard": jaccard(shingles(text), shingles(copy)),
                      "exact_equal": exact_key(text) == exact_key(copy)})
        rows.append({"text": copy, "base": k, "kind": "copy"})
    order = list(range(len(rows)))
    rng.shuffle(order)
    os.makedirs(out, exist_ok=True)
    position = {}
    with open(os.path.join(out, "rows.jsonl"), "w", encoding="utf-8") as f:
        for new_id, old in enumerate(order):
            row = rows[old]
            position[(row["kind"], row["base"])] = new_id
            f.write(json.dumps({"id": new_id, "text": row["text"]}, ensure_ascii=False) + "\n")
    with open(os.path.join(out, "pairs.jsonl"), "w") as f:
        for p in pairs:
            p["article_row"], p["copy_row"] = position[("article", p["base"])], position[("copy", p["base"])]
            f.write(json.dumps(p) + "\n")
    print(f"quality: {len(texts)} articles, {len(pairs)} planted copies, {len(rows)} rows", file=sys.stderr)


def evaluate(out):
    texts = [json.loads(line)["text"] for line in open(os.path.join(out, "rows.jsonl"), encoding="utf-8")]
    pairs = [json.loads(line) for line in open(os.path.join(out, "pairs.jsonl"))]
    sets = {}

    def sh(i):
        if i not in sets:
            sets[i] = shingles(texts[i])
        return sets[i]

    buckets = [("J>=0.9", lambda j: j >= 0.9), ("0.8<=J<0.9", lambda j: 0.8 <= j < 0.9),
               ("0.5<J<0.8", lambda j: 0.5 < j < 0.8), ("J<=0.5", lambda j: j <= 0.5)]
    # The later row of each planted pair is the one keep-first may drop.
    later = {p["copy_row"]: p for p in pairs if p["copy_row"] > p["article_row"]}
    later.update({p["article_row"]: p for p in pairs if p["article_row"] > p["copy_row"]})

    def caught(dropped_rows):
        """Per J bucket: planted pairs whose later row was dropped / pairs."""
        result = {}
        for name, test in buckets:
            members = [p for p in pairs if test(p["jaccard"])]
            hit = sum(1 for p in members if max(p["article_row"], p["copy_row"]) in dropped_rows)
            result[name] = {"pairs": len(members), "caught": hit, "rate": round(hit / len(members), 4) if members else None}
        return result

    report = {"impl": "quality", "rows": len(texts), "pairs": len(pairs)}
    for name in sorted(os.listdir(out)):
        if not (name.startswith("drops_") and name.endswith(".tsv")):
            continue
        drops = {}
        for line in open(os.path.join(out, name)).read().splitlines()[1:]:
            row, of, sim = line.split("\t")
            drops[int(row)] = (int(of), float(sim))
        true_j = [jaccard(sh(r), sh(of)) for r, (of, _) in drops.items()]
        report[name[:-4]] = {
            "drops": len(drops), "caught": caught(drops),
            "drops_true_j_below_0.8": sum(1 for j in true_j if j < 0.8),
            "drops_true_j_at_most_0.5": sum(1 for j in true_j if j <= 0.5),
            "false_drop_rate_j_at_most_0.5": round(sum(1 for j in true_j if j <= 0.5) / max(1, len(drops)), 5),
            "mean_abs_estimate_error": round(sum(abs(s - j) for (_, s), j in zip(drops.values(), true_j)) / max(1, len(drops)), 4),
        }
    removed_path = os.path.join(out, "datatrove_removed.txt")
    if os.path.exists(removed_path):
        removed = {int(x) for x in open(removed_path).read().split()}
        report["datatrove"] = {"drops": len(removed), "caught": caught(removed)}
    # entropyguard's audit logs: audit.jsonl, or audit_<label>.jsonl for runs with other stages switched off.
    for name in sorted(os.listdir(out)):
        if not (name.startswith("audit") and name.endswith(".jsonl")):
            continue
        label = "entropyguard" + ("_" + name[6:-6] if name != "audit.jsonl" else "")
        by_reason = {}
        for line in open(os.path.join(out, name), encoding="utf-8"):
            entry = json.loads(line)
            by_reason.setdefault(entry.get("reason"), set()).add(int(entry["row_index"]))
        for reason, rows in sorted(by_reason.items()):
            report[f"{label}_{reason}"] = {"drops": len(rows), "caught": caught(rows)}
    report["exact_key_equal"] = {name: sum(1 for p in pairs if test(p["jaccard"]) and p["exact_equal"]) for name, test in buckets}
    print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        evaluate(sys.argv[2])
