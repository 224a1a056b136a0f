#!/usr/bin/env bash
# --reference: deduplicating N new rows against an R-row reference whose run already embedded and
# signed it, side by side with the same N rows alone (the new rows' own cost), medians of 3, fresh
# checkpoint dirs each time (the new rows are embedded and signed every time; the reference never).
# Prints wall and CPU seconds (the machine is shared: CPU seconds are the steadier figure), peak RSS
# and each stage's seconds from the run summary.
#
# Semantic dedup uses the static model (all-MiniLM-L6-v2-static): MiniLM embeds ~230 rows/s here, so a
# 1M-row reference would take 72 hours to embed. The reference is benchmarks/data/rows_R.jsonl (read in
# place; made with generate_rows.py when missing; `ln -s /work/main/benchmarks/data benchmarks/data`
# reuses the 1M-row file), run once to the end in $work/refck (kept between invocations, with the
# reference's persisted semantic index, which the first run against it builds once: timed apart below).
# The N new rows: N/4 exact copies of reference texts (upper-cased, spacing changed), N/4 near copies
# (last word changed), N/2 rows of generate_rows.py with another seed; shuffled with a fixed seed.
#   benchmarks/reference.sh [R] [N]     (default 1000000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
r=${1:-1000000}; n=${2:-10000}
bin=${BIN:-.build/release/entropyguard}
[ -x "$bin" ] || swift build -c release --product entropyguard >&2
py=${PYTHON:-python3}
data=benchmarks/data/rows_${r}.jsonl
if [ ! -f "$data" ]; then mkdir -p benchmarks/data; $py benchmarks/generate_rows.py "$r" "$data" >&2; fi
work=benchmarks/out/reference_${r}_${n}; mkdir -p "$work"
if [ ! -f "$work/new.jsonl" ]; then
  $py benchmarks/generate_rows.py $((n / 2)) "$work/fresh.jsonl" --seed 77 >&2
  $py - "$data" "$work/fresh.jsonl" "$work/new.jsonl" "$r" "$n" <<'EOF'
import json, random, sys
data, fresh, out, r, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
copies, step = n // 2, max(1, r // (n // 2))
rows = []
with open(data, encoding="utf-8") as f:
    for i, line in enumerate(f):
        if i % step == 0 and len(rows) < copies:
            text = json.loads(line)["text"]
            if len(rows) % 2 == 0:
                text = "  " + text.upper().replace(" ", "  ", 3)                  # exact after normalisation
            else:
                words = text.split(" "); words[-1] = f"#copy{len(rows)}"; text = " ".join(words)  # near copy
            rows.append({"id": f"c{len(rows)}", "text": text, "source": "copy", "score": 0.5})
with open(fresh, encoding="utf-8") as f:
    rows += [dict(json.loads(line), id=f"f{i}") for i, line in enumerate(f)]
random.Random(15).shuffle(rows)
with open(out, "w", encoding="utf-8") as f:
    for row in rows:
        f.write(json.dumps(row) + "\n")
EOF
fi
flags=(--text-column text --model-name all-MiniLM-L6-v2-static --snapshots none --quiet --json)
if [ ! -f "$work/refck/entropyguard.sqlite" ]; then
  /usr/bin/time -f "%e %U %S %M" -o "$work/ref.time" "$bin" --input "$data" --output "$work/ref-out.jsonl" \
    --checkpoint-dir "$work/refck" "${flags[@]}" > "$work/ref.json"
  read -r w u s m < "$work/ref.time"
  echo "reference's own run ($r rows): wall $w s, CPU $(echo "$u + $s" | bc) s, peak RSS $((m / 1024)) MB"
fi
stages() {  # per-stage seconds of a --json summary, "name=s"
  $py -c 'import json,sys; s=json.load(open(sys.argv[1])); print(" ".join("%s=%.2f" % (x["name"], x["seconds"]) for x in s["stages"] if x.get("seconds") is not None), "total=%.2f" % s["seconds"])' "$1"
}
run() {  # name, extra flags...: "wall cpu rssKB" of one run in a fresh checkpoint dir
  local name=$1; shift
  rm -rf "$work/ck-$name"
  /usr/bin/time -f "%e %U %S %M" -o "$work/$name.time" "$bin" --input "$work/new.jsonl" --output "$work/out-$name.jsonl" \
    --checkpoint-dir "$work/ck-$name" --audit-log "$work/audit-$name.jsonl" "${flags[@]}" "$@" > "$work/$name.json"
  read -r w u s m < "$work/$name.time"
  echo "$w $(echo "$u + $s" | bc) $m"
}
# The first run against this reference builds its persisted semantic index (once per reference and model).
read -r w c m < <(run first --reference "$work/refck")
echo "first run against the reference (builds what it persists, or finds it): wall $w s, CPU $c s, peak RSS $((m / 1024)) MB"
echo "  stages: $(stages "$work/first.json")"
declare -A wall cpu rss per
for round in 1 2 3; do
  for name in alone reference; do
    if [ $name = reference ]; then set -- --reference "$work/refck"; else set --; fi
    read -r w c m < <(run $name "$@")
    wall[$name]+="$w "; cpu[$name]+="$c "; rss[$name]+="$m "; per[$name]+="$(stages "$work/$name.json")"$'\n'
  done
done
median() { tr ' ' '\n' | grep . | sort -n | sed -n 2p; }
for name in alone reference; do
  echo "$name: wall $(echo ${wall[$name]} | median) s (runs: ${wall[$name]}), CPU $(echo ${cpu[$name]} | median) s (runs: ${cpu[$name]})," \
       "peak RSS $(( $(echo ${rss[$name]} | median) / 1024 )) MB, dropped $(wc -l < "$work/audit-$name.jsonl") of $n," \
       "of which ref:<row> $(grep -c '"ref:' "$work/audit-$name.jsonl" || true)"
  printf '%s' "${per[$name]}" | sed 's/^/  stages: /'
done
