/// Python program that checks a report page against its store (read with Python's sqlite3, the numbers
/// recomputed here, not taken from our SQL), and renders. Prints `ok ...` or one line per mismatch (exit 1).
///   check.py page <report.html> <ckdir>     parses strictly with html5lib (any parse error fails),
///                                           no http:/https:, every data-fact equals the store's value
///   check.py png <shot.png> <width> <height> the screenshot's size, and that it is not blank
let reportCheckScript = #"""
import json, math, re, sqlite3, struct, sys, zlib

failures = []
def fail(msg):
    failures.append(str(msg)[:400])

def check_page(page_path, ck):
    raw = open(page_path, "rb").read()
    if re.search(rb"https?:", raw, re.I): fail("the page holds an http(s) reference")
    if len(raw) > 2 * 1024 * 1024: fail(f"page is {len(raw)} bytes")
    import html5lib
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        doc = parser.parse(raw.decode("utf-8"))
    except Exception as e:
        fail(f"invalid HTML: {e} at {parser.errors[:3]}")
        return
    if doc.find(".//script") is not None: fail("the page has a script")
    facts = {}
    for el in doc.iter():
        if "data-fact" in el.attrib:
            name = el.attrib["data-fact"]
            if name in facts: fail(f"fact {name} twice")
            facts[name] = el.attrib.get("data-value", (el.text or "").strip())

    db = sqlite3.connect(f"file:{ck}/entropyguard.sqlite?mode=ro", uri=True)
    stages = [n for _, n in db.execute("select generation, name from stages order by generation")]
    gen = {n: i + 1 for i, n in enumerate(stages)}
    settings = dict(db.execute("select s.name, c.settings from checkpoint_settings c join stages s using (generation)"))
    rows = db.execute("select row_id, generation, born, dropped_by, drop_reason, duplicate_of, similarity, text_length, text_state, parent_row from rows").fetchall()
    expected = {}
    expected["rows.in"] = sum(1 for r in rows if r[2] == 1)
    def alive(g): return sum(1 for r in rows if r[1] >= g and r[2] <= g)
    for s in stages:
        expected[f"alive.{s}"] = alive(gen[s])
        expected[f"dropped.{s}"] = sum(1 for r in rows if r[3] == gen[s])
    expected["rows.out"] = alive(len(stages))
    for r in rows:
        if r[3] is not None:
            key = f"drop.{stages[r[3] - 1]}.{r[4]}"
            expected[key] = expected.get(key, 0) + 1
    for c in db.execute("select s.name, c.row_count from checkpoints c join stages s using (generation)"):
        expected[f"checkpoint.{c[0]}"] = c[1]

    # Dedup scores: drops' similarities and near misses, in 0.01 bands; what-ifs at +-0.01/0.02.
    for stage, float32 in (("fuzzy_dedup", False), ("semantic_dedup", True)):
        st = settings.get(stage, "off")
        if st == "off": continue
        threshold = float(re.search(r"(?:^|;)threshold=([0-9.]+)", st).group(1))
        expected[f"threshold.{stage}"] = threshold
        scores = [(r[6], 1) for r in rows if r[3] == gen[stage] and r[6] is not None]
        scores += [(s, 0) for (s,) in db.execute("select similarity from near_misses where generation = ?", (gen[stage],))]
        lowest = int(math.floor((threshold - 0.05) * 100 + 1e-4))
        bins = {}
        for s, dropped in scores:
            b = int(math.floor(s * 100 + 1e-4))
            k = bins.setdefault(b, [0, 0]); k[dropped] += 1
        for b in range(min([lowest] + list(bins)), 101):
            expected[f"scores.{stage}.{b}.kept"] = bins.get(b, [0, 0])[0]
            expected[f"scores.{stage}.{b}.dropped"] = bins.get(b, [0, 0])[1]
        misses = db.execute("select count(*) from near_misses where generation = ?", (gen[stage],)).fetchone()[0]
        expected[f"below.{stage}"] = alive(gen[stage]) - misses
        import numpy as np
        for step in (-2, -1, 0, 1, 2):
            t = round(threshold * 100 + step) / 100 if step else threshold
            bound = float(np.float32(t)) if float32 else t
            expected[f"whatif.{stage}.{step}"] = sum(1 for s, _ in scores if s >= bound)
        if int(facts.get(f"whatif.{stage}.0", -1)) != expected[f"dropped.{stage}"]:
            fail(f"{stage}: the what-if at the run's threshold is not the stage's drops")

    # Biggest groups: every row shown with the count of rows that name it as duplicate_of.
    absorbed = {}
    for r in rows:
        if r[3] is not None and r[5] is not None: absorbed[r[5]] = absorbed.get(r[5], 0) + 1
    top = sorted(absorbed.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    for row, n in top: expected[f"group.{row}"] = n

    # Sanitize: changed input rows, rows with HTML, masks added per kind.
    changed = db.execute("select c.text_original, t.text from sanitized_text t join row_content c using (row_id) join rows r using (row_id) where r.parent_row is null").fetchall()
    expected["sanitize.changed"] = len(changed)
    tag = re.compile(r"<(p|b|i|div|span|br|em|strong|a)(\s[^<>]*)?/?>|</(p|b|i|div|span|em|strong|a)>", re.I)
    expected["sanitize.html"] = sum(1 for o, _ in changed if o and tag.search(o)) if "html=true" in settings.get("sanitize", "") else 0
    for kind in ("email", "phone", "ssn", "credit_card", "ip", "iban"):
        token = f"[{kind.upper()}_REMOVED]"
        expected[f"sanitize.pii.{kind}"] = sum(t.count(token) - (o or "").count(token) for o, t in changed)

    # Validate: lengths of the rows that reached it, in the page's bins.
    st = settings.get("validate", "off")
    if st != "off":
        minimum = int(st.split("min_length=")[1].split(";")[0])
        expected["min_length"] = minimum
        edges = sorted(set([0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, minimum]))
        g = gen["validate"] - 1
        reached = [r for r in rows if r[1] >= g and r[2] <= g]
        expected["length.none"] = sum(1 for r in reached if r[7] is None or r[8] != "ok")
        for i, e in enumerate(edges):
            hi = edges[i + 1] if i + 1 < len(edges) else float("inf")
            expected[f"length.{e}"] = sum(1 for r in reached if r[7] is not None and r[8] == "ok" and e <= r[7] < hi)

    expected["input.path"] = db.execute("select value from meta where key = 'input_path'").fetchone()[0]
    expected["input.hash"] = db.execute("select input_hash from checkpoints where generation = 1").fetchone()[0]
    for name, value in facts.items():
        if name not in expected:
            fail(f"fact {name} = {value} is not checked")
            continue
        want = expected[name]
        got = value if isinstance(want, str) else (float(value) if isinstance(want, float) else int(value))
        if got != want: fail(f"{name}: page {got} != store {want}")
    for name, want in expected.items():
        if name.startswith(("length.", "scores.")) and want == 0: continue   # bins past the last used one may be left out
        if name not in facts: fail(f"{name} (= {want}) missing from the page")
    print(f"ok {len(facts)} facts")

def check_png(path, width, height):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n": return fail("not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR": header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT": idat += body
        pos += 12 + length
    w, h, depth, colour = header[:4]
    if (w, h) != (width, height): fail(f"screenshot is {w}x{h}, expected {width}x{height}")
    channels = {2: 3, 6: 4}.get(colour)
    if depth != 8 or channels is None: return fail(f"unexpected PNG format depth {depth} colour {colour}")
    raw = zlib.decompress(idat)
    stride = w * channels
    previous = bytearray(stride)
    colours = set()
    dark = 0
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        previous = line
        if y % 4 == 0:
            for x in range(0, stride, channels * 4):
                pixel = bytes(line[x:x + 3])
                colours.add(pixel)
                if sum(pixel) < 200: dark += 1
    # A rendered page: text (dark pixels) and the palette's colours, not one flat background.
    if len(colours) < 8: fail(f"screenshot looks blank: {len(colours)} colours")
    if dark < 200: fail(f"screenshot has almost no text: {dark} dark samples")
    print(f"ok {w}x{h}, {len(colours)} colours, {dark} dark samples")

mode = sys.argv[1]
if mode == "page": check_page(sys.argv[2], sys.argv[3])
elif mode == "png": check_png(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
if failures:
    print("\n".join(failures))
    sys.exit(1)
"""#
