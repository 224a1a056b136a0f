/// Python program that reads files back with pyarrow, duckdb and polars and compares them with a
/// manifest of expected values written by `ReadBackManifest`. Prints one line per mismatch and
/// exits 1 if there is any. Embedded here so the test target needs no resource declaration.
let readBackScript = #"""
import json, math, struct, sys
import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

PA_TYPES = {"boolean": pa.bool_(), "int64": pa.int64(), "double": pa.float64(), "string": pa.string()}
PL_TYPES = {"boolean": pl.Boolean, "int64": pl.Int64, "double": pl.Float64, "string": pl.String}
DUCK_TYPES = {"boolean": "BOOLEAN", "int64": "BIGINT", "double": "DOUBLE", "string": "VARCHAR"}
failures = []

def fail(path, msg):
    failures.append(f"{path}: {msg}"[:600])

def decode(t, v):
    if v is None: return None
    if t == "boolean": return v
    if t == "int64": return int(v)
    if t == "double": return struct.unpack("<d", bytes.fromhex(v))[0]
    return bytes.fromhex(v).decode("utf-8")

def same(t, want, got):
    if want is None or got is None: return want is None and got is None
    if t == "double":
        if type(got) is not float: return False
        if math.isnan(want): return math.isnan(got)
        return struct.pack("<d", want) == struct.pack("<d", got)
    if t == "boolean": return type(got) is bool and got == want
    if t == "int64": return type(got) is int and got == want
    return type(got) is str and got == want

def compare_column(path, reader, t, name, want, got):
    if len(got) != len(want):
        fail(path, f"{reader} {name}: {len(got)} values, expected {len(want)}"); return
    for i, (w, g) in enumerate(zip(want, got)):
        if not same(t, w, g):
            fail(path, f"{reader} {name} row {i}: got {g!r:.80}, expected {w!r:.80}"); return

def sort_key(t, v):
    return v.encode("utf-8") if t == "string" else v

def expected_stats(t, values):
    present = [v for v in values if v is not None and not (t == "double" and math.isnan(v))]
    nulls = sum(1 for v in values if v is None)
    if not present: return None, None, nulls
    return min(present, key=lambda v: sort_key(t, v)), max(present, key=lambda v: sort_key(t, v)), nulls

def same_bound(t, want, got):
    if t == "double": return type(got) is float and got == want  # -0.0 == 0.0 on purpose
    return same(t, want, got)

def parse_duck_bound(t, s):
    if s is None: return None
    if t == "int64": return int(s)
    if t == "double": return float(s)
    if t == "boolean": return s.lower() in ("true", "1")
    return s

# Minimal Thrift compact reader: enough to walk page headers and report page kinds.
def read_varint(b, i):
    shift = result = 0
    while True:
        byte = b[i]; i += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80: return result, i
        shift += 7

def zigzag(n): return (n >> 1) ^ -(n & 1)

def read_value(b, i, t):
    if t in (1, 2): return t == 1, i
    if t == 3: return b[i], i + 1
    if t in (4, 5, 6):
        v, i = read_varint(b, i); return zigzag(v), i
    if t == 7: return None, i + 8
    if t == 8:
        n, i = read_varint(b, i); return b[i:i + n], i + n
    if t in (9, 10):
        h = b[i]; i += 1
        n, et = h >> 4, h & 0x0F
        if n == 15: n, i = read_varint(b, i)
        out = []
        for _ in range(n):
            v, i = read_value(b, i, et); out.append(v)
        return out, i
    if t == 12: return read_struct(b, i)
    raise ValueError(f"thrift type {t}")

def read_struct(b, i):
    fields, last = {}, 0
    while True:
        h = b[i]; i += 1
        if h == 0: return fields, i
        delta, t = h >> 4, h & 0x0F
        if delta: fid = last + delta
        else:
            v, i = read_varint(b, i); fid = zigzag(v)
        last = fid
        fields[fid], i = read_value(b, i, t)

def data_page_kinds(raw, start, length):
    kinds, i, end = [], start, start + length
    while i < end:
        header, i = read_struct(raw, i)
        if header[1] == 0:
            kinds.append({0: "PLAIN", 8: "RLE_DICTIONARY"}.get(header[5][2], str(header[5][2])))
        i += header[3]
    return kinds

def page_kind_ok(expect, kinds):
    if expect == "plain": return bool(kinds) and all(k == "PLAIN" for k in kinds)
    if expect == "dictionary": return bool(kinds) and all(k == "RLE_DICTIONARY" for k in kinds)
    if expect == "fallback":
        if "PLAIN" not in kinds or "RLE_DICTIONARY" not in kinds: return False
        first_plain = kinds.index("PLAIN")
        return all(k == "PLAIN" for k in kinds[first_plain:])
    raise ValueError(expect)

def check(entry):
    path, cols = entry["path"], entry["columns"]
    want = {c["name"]: [decode(c["type"], v) for v in vals] for c, vals in zip(cols, entry["values"])}
    rows = len(entry["values"][0]) if entry["values"] else 0

    # pyarrow: schema, values, footer metadata, statistics
    table = pq.read_table(path)
    if table.num_rows != rows: fail(path, f"pyarrow rows {table.num_rows} != {rows}")
    if table.schema.names != [c["name"] for c in cols]: fail(path, f"pyarrow names {table.schema.names}")
    for c in cols:
        field = table.schema.field(c["name"])
        if field.type != PA_TYPES[c["type"]] or field.nullable != c["optional"]:
            fail(path, f"pyarrow field {field} for {c}")
        compare_column(path, "pyarrow", c["type"], c["name"], want[c["name"]], table.column(c["name"]).to_pylist())
    meta = pq.ParquetFile(path).metadata
    if meta.created_by != entry["created_by"]: fail(path, f"created_by {meta.created_by!r}")
    if meta.num_row_groups != entry["row_groups"]:
        fail(path, f"{meta.num_row_groups} row groups, expected {entry['row_groups']}")
    raw = open(path, "rb").read()
    bounds, start = [], 0
    for g in range(meta.num_row_groups):
        rg = meta.row_group(g)
        if entry["max_row_group_bytes"] is not None and rg.total_byte_size > entry["max_row_group_bytes"]:
            fail(path, f"row group {g} holds {rg.total_byte_size} bytes, limit {entry['max_row_group_bytes']}")
        bounds.append((start, start + rg.num_rows)); start += rg.num_rows
        for j, c in enumerate(cols):
            cc = rg.column(j)
            if cc.compression != entry["codec"]: fail(path, f"pyarrow codec {cc.compression}")
            lo, hi, nulls = expected_stats(c["type"], want[c["name"]][bounds[-1][0]:bounds[-1][1]])
            st = cc.statistics
            if st is None or st.null_count != nulls: fail(path, f"pyarrow null_count rg{g} {c['name']}")
            elif lo is None:
                if st.has_min_max: fail(path, f"pyarrow unexpected min/max rg{g} {c['name']}")
            elif not (st.has_min_max and same_bound(c["type"], lo, st.min) and same_bound(c["type"], hi, st.max)):
                fail(path, f"pyarrow stats rg{g} {c['name']}: {st.min!r:.60}..{st.max!r:.60} expected {lo!r:.60}..{hi!r:.60}")
            expect_pages = entry["data_pages"].get(c["name"])
            if expect_pages:
                kinds = data_page_kinds(raw, cc.data_page_offset,
                                        cc.total_compressed_size - (cc.data_page_offset - (cc.dictionary_page_offset or cc.data_page_offset)))
                if not page_kind_ok(expect_pages, kinds):
                    fail(path, f"rg{g} {c['name']}: data pages {kinds[:6]}... expected {expect_pages}")
    if start != rows: fail(path, f"row groups hold {start} rows, expected {rows}")

    # duckdb: types, values (in file order), parquet_metadata() statistics and codec
    con = duckdb.connect()
    rel = con.sql(f"SELECT * FROM read_parquet('{path}', file_row_number=true) ORDER BY file_row_number")
    types = dict(zip(rel.columns, [str(t) for t in rel.types]))
    for c in cols:
        if types.get(c["name"]) != DUCK_TYPES[c["type"]]: fail(path, f"duckdb type {types.get(c['name'])} for {c}")
    fetched = rel.fetchall()
    for j, c in enumerate(cols):
        compare_column(path, "duckdb", c["type"], c["name"], want[c["name"]], [r[j] for r in fetched])
    md = con.execute("SELECT row_group_id, column_id, stats_min_value, stats_max_value, stats_null_count, compression "
                     f"FROM parquet_metadata('{path}') ORDER BY row_group_id, column_id").fetchall()
    if len(md) != meta.num_row_groups * len(cols): fail(path, f"duckdb parquet_metadata has {len(md)} rows")
    for g, j, smin, smax, snull, codec in md:
        c = cols[j]
        lo, hi, nulls = expected_stats(c["type"], want[c["name"]][bounds[g][0]:bounds[g][1]])
        if codec != entry["codec"]: fail(path, f"duckdb codec {codec}")
        if snull != nulls: fail(path, f"duckdb null_count rg{g} {c['name']}: {snull} expected {nulls}")
        got_lo, got_hi = parse_duck_bound(c["type"], smin), parse_duck_bound(c["type"], smax)
        # duckdb's parquet_metadata() shows no bound when it is infinite (same for pyarrow-written files).
        if c["type"] == "double" and lo is not None:
            if math.isinf(lo) and got_lo is None: got_lo = lo
            if math.isinf(hi) and got_hi is None: got_hi = hi
        if lo is None:
            if got_lo is not None or got_hi is not None: fail(path, f"duckdb unexpected min/max rg{g} {c['name']}")
        elif not (same_bound(c["type"], lo, got_lo) and same_bound(c["type"], hi, got_hi)):
            fail(path, f"duckdb stats rg{g} {c['name']}: {smin!r:.60}..{smax!r:.60} expected {lo!r:.60}..{hi!r:.60}")
    con.close()

    # polars
    df = pl.read_parquet(path)
    if df.columns != [c["name"] for c in cols]: fail(path, f"polars columns {df.columns}")
    for c in cols:
        if df.schema[c["name"]] != PL_TYPES[c["type"]]: fail(path, f"polars type {df.schema[c['name']]} for {c}")
        compare_column(path, "polars", c["type"], c["name"], want[c["name"]], df[c["name"]].to_list())

manifest = json.load(open(sys.argv[1]))
for entry in manifest["files"]:
    try:
        check(entry)
    except Exception as e:
        fail(entry["path"], f"exception {type(e).__name__}: {e}")
print(f"checked {len(manifest['files'])} files, {len(failures)} failures")
for f in failures[:50]: print(f)
sys.exit(1 if failures else 0)
"""#
