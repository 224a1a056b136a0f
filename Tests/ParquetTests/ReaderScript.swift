/// Python program behind the reader tests (embedded, so the test target needs no resources):
///
///   writers DIR          files from pyarrow (every codec, page v1/v2, dictionary on/off, every
///                        encoding, nested, temporal, decimal, INT96, CRCs), polars and DuckDB
///   property DIR SEED N  N files of random schemas, values and writer options (seeded)
///   compare DIR          reads every DIR/manifest.json file with pyarrow and compares it, row by
///                        row, with our reader's JSON lines in FILE.ours.jsonl
///
/// The comparison is typed: pyarrow's values are walked with their Arrow type and matched with what
/// `ParquetFieldValue.jsonText` must give (floats bit for bit, float32 through a float32 round trip,
/// decimals exactly, dates/times/timestamps as ISO 8601 text, binary as base64).
let readerScript = #"""
import base64, datetime, decimal, json, math, os, random, struct, sys
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()

def iso_date(days):
    # numpy's calendar covers any year (datetime's stops at 1..9999); ISO 8601 pads years to 4 digits.
    import numpy as np
    d = np.datetime64(days, "D")
    year = int(d.astype("datetime64[Y]").astype(np.int64)) + 1970
    month = int(d.astype("datetime64[M]").astype(np.int64)) % 12 + 1
    day = int((d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)) + 1
    return ("-" if year < 0 else "") + str(abs(year)).rjust(4, "0") + f"-{month:02d}-{day:02d}"

def frac_digits(unit): return {"s": 0, "ms": 3, "us": 6, "ns": 9}[unit]
def per_second(unit): return {"s": 1, "ms": 1000, "us": 1000000, "ns": 1000000000}[unit]

def iso_clock(seconds_of_day, frac, unit):
    h, rem = divmod(seconds_of_day, 3600); m, s = divmod(rem, 60)
    text = f"{h:02d}:{m:02d}:{s:02d}"
    if frac_digits(unit): text += "." + str(frac).rjust(frac_digits(unit), "0")
    return text

def iso_timestamp(v, unit, utc):
    secs, frac = divmod(v, per_second(unit))
    days, sod = divmod(secs, 86400)
    return iso_date(days) + "T" + iso_clock(sod, frac, unit) + ("Z" if utc else "")

def iso_time(v, unit):
    secs, frac = divmod(v, per_second(unit))
    return iso_clock(secs, frac, unit)

def canon(arr):
    """Arrow array -> list of (expected value, kind) trees matching our JSON."""
    t = arr.type
    n = len(arr)
    valid = [True] * n if arr.null_count == 0 else arr.is_valid().to_pylist()
    if pa.types.is_struct(t):
        children = [canon(c) for c in arr.flatten()]
        return [None if not valid[i] else ("record", [(t.field(k).name, children[k][i]) for k in range(t.num_fields)]) for i in range(n)]
    if pa.types.is_map(t):
        offsets = arr.offsets.to_pylist()
        keys, items = canon(arr.keys), canon(arr.items)
        base = offsets[0]
        return [None if not valid[i] else ("map", [(keys[j - base], items[j - base]) for j in range(offsets[i], offsets[i + 1])]) for i in range(n)]
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        lengths = pc.list_value_length(arr).to_pylist()
        flat = canon(arr.flatten())
        out, k = [], 0
        for i in range(n):
            if not valid[i]: out.append(None); continue
            out.append(("list", flat[k:k + lengths[i]])); k += lengths[i]
        return out
    if pa.types.is_dictionary(t):
        return canon(arr.dictionary_decode())
    if isinstance(t, pa.ExtensionType):
        if t.extension_name == "arrow.uuid":
            return [None if not valid[i] else ("str", str(__import__("uuid").UUID(bytes=b))) for i, b in enumerate(arr.storage.to_pylist())]
        return canon(arr.storage)
    if pa.types.is_timestamp(t):
        ints = arr.cast(pa.int64()).to_pylist()
        return [None if v is None else ("str", iso_timestamp(v, t.unit, t.tz is not None)) for v in ints]
    if pa.types.is_date32(t):
        return [None if v is None else ("str", iso_date(v)) for v in arr.cast(pa.int32()).to_pylist()]
    if pa.types.is_date64(t):
        return [None if v is None else ("str", iso_date(v // 86400000)) for v in arr.cast(pa.int64()).to_pylist()]
    if pa.types.is_time32(t) or pa.types.is_time64(t):
        ints = arr.cast(pa.int64() if pa.types.is_time64(t) else pa.int32()).to_pylist()
        return [None if v is None else ("str", iso_time(v, t.unit)) for v in ints]
    if pa.types.is_decimal(t):
        return [None if v is None else ("decimal", v) for v in arr.to_pylist()]
    if pa.types.is_float16(t):
        return [None if v is None else ("f32", float(v)) for v in arr.cast(pa.float32()).to_pylist()]
    if pa.types.is_float32(t):
        return [None if v is None else ("f32", v) for v in arr.to_pylist()]
    if pa.types.is_float64(t):
        return [None if v is None else ("f64", v) for v in arr.to_pylist()]
    if pa.types.is_boolean(t):
        return [None if v is None else ("bool", v) for v in arr.to_pylist()]
    if pa.types.is_integer(t):
        return [None if v is None else ("int", v) for v in arr.to_pylist()]
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return [None if v is None else ("str", v) for v in arr.to_pylist()]
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t) or pa.types.is_binary_view(t):
        return [None if v is None else ("str", base64.b64encode(v).decode()) for v in arr.to_pylist()]
    if pa.types.is_null(t):
        return [None] * n
    raise TypeError(f"no canonical form for {t}")

def key_text(expected):
    kind, v = expected
    if kind == "str": return v
    return json.dumps(v)

def nonfinite(v):
    return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")

def same(expected, got, where):
    if expected is None:
        return None if got is None else f"{where}: got {got!r:.80}, expected null"
    kind, v = expected
    if kind in ("f32", "f64"):
        if not math.isfinite(v):
            return None if got == nonfinite(v) else f"{where}: got {got!r}, expected {nonfinite(v)}"
        if not isinstance(got, decimal.Decimal): return f"{where}: got {got!r:.80}, expected number {v!r}"
        if kind == "f64":
            return None if struct.pack("<d", float(got)) == struct.pack("<d", v) else f"{where}: got {got}, expected {v!r}"
        return None if struct.pack("<f", float(got)) == struct.pack("<f", v) else f"{where}: got {got}, expected float32 {v!r}"
    if kind == "decimal":
        ok = isinstance(got, (decimal.Decimal, int)) and decimal.Decimal(got) == v
        return None if ok else f"{where}: got {got!r:.80}, expected decimal {v}"
    if kind == "bool":
        return None if got is v else f"{where}: got {got!r:.80}, expected {v!r}"
    if kind == "int":
        return None if type(got) is int and got == v else f"{where}: got {got!r:.80}, expected {v!r}"
    if kind == "str":
        return None if isinstance(got, str) and got == v else f"{where}: got {got!r:.80}, expected {v!r:.80}"
    if kind == "list":
        if not isinstance(got, list) or len(got) != len(v): return f"{where}: got {got!r:.120}, expected a list of {len(v)}"
        for k, (e, g) in enumerate(zip(v, got)):
            m = same(e, g, f"{where}[{k}]")
            if m: return m
        return None
    if kind == "record":
        if not isinstance(got, list) or [k for k, _ in got] != [k for k, _ in v]:
            return f"{where}: got {got!r:.120}, expected fields {[k for k, _ in v]}"
        for (k, e), (_, g) in zip(v, got):
            m = same(e, g, f"{where}.{k}")
            if m: return m
        return None
    if kind == "map":
        if not isinstance(got, list) or [k for k, _ in got] != [key_text(k) for k, _ in v]:
            return f"{where}: got map {got!r:.120}, expected keys {[key_text(k) for k, _ in v]!r:.120}"
        for (k, e), (_, g) in zip(v, got):
            m = same(e, g, f"{where}[{key_text(k)}]")
            if m: return m
        return None
    raise ValueError(kind)

def parse_line(line):
    # Objects as key/value lists: keeps the order and duplicate keys; numbers exact.
    return json.loads(line, parse_float=decimal.Decimal, object_pairs_hook=lambda pairs: pairs)

def compare(directory):
    manifest = json.load(open(os.path.join(directory, "manifest.json")))
    failures, rows_checked = [], 0
    for name in manifest["files"]:
        path = os.path.join(directory, name)
        try:
            table = pq.read_table(path)
            columns = [canon(table.column(k).combine_chunks()) if table.num_rows else [] for k in range(table.num_columns)]
            lines = open(path + ".ours.jsonl", encoding="utf-8").read().splitlines()
            if len(lines) != table.num_rows:
                failures.append(f"{name}: {len(lines)} rows, pyarrow reads {table.num_rows}"); continue
            for i, line in enumerate(lines):
                got = parse_line(line)
                expected = ("record", [(table.column_names[k], columns[k][i]) for k in range(table.num_columns)])
                m = same(expected, got, f"{name} row {i}")
                if m: failures.append(m); break
                rows_checked += 1
        except Exception as e:
            failures.append(f"{name}: exception {type(e).__name__}: {e}"[:400])
    print(f"compared {len(manifest['files'])} files, {rows_checked} rows, {len(failures)} failures")
    for f in failures[:40]: print(f)
    return 1 if failures else 0

# ---------------------------------------------------------------- writers

def base_table(rows, seed):
    rng = random.Random(seed)
    def maybe(v, rate=0.15): return None if rng.random() < rate else v
    return pa.table({
        "i32": pa.array([maybe(rng.randint(-2**31, 2**31 - 1)) for _ in range(rows)], pa.int32()),
        "i64": pa.array([maybe(rng.choice([rng.randint(-2**63, 2**63 - 1), rng.randint(-5, 5)])) for _ in range(rows)], pa.int64()),
        "f32": pa.array([maybe(rng.choice([rng.uniform(-1e6, 1e6), 0.1, -0.0, float("inf"), float("nan")])) for _ in range(rows)], pa.float32()),
        "f64": pa.array([maybe(rng.choice([rng.uniform(-1e300, 1e300), 1e-310, 0.1, float("-inf"), float("nan")])) for _ in range(rows)], pa.float64()),
        "flag": pa.array([maybe(rng.random() < 0.5) for _ in range(rows)], pa.bool_()),
        "text": pa.array([maybe(rng.choice(["", "é", "line\nbreak \"quoted\" \\", "emoji 😀", "a" * rng.randint(0, 300), f"v{rng.randint(0, 40)}"])) for _ in range(rows)], pa.string()),
        "label": pa.array([rng.choice(["red", "green", "blue"]) for _ in range(rows)], pa.string()),
        "blob": pa.array([maybe(bytes(rng.randrange(256) for _ in range(rng.randint(0, 20)))) for _ in range(rows)], pa.binary()),
        "fixed": pa.array([maybe(bytes(rng.randrange(256) for _ in range(4))) for _ in range(rows)], pa.binary(4)),
    })

def nested_table(rows, seed):
    rng = random.Random(seed)
    def maybe(v, rate=0.2): return None if rng.random() < rate else v
    def ints(): return maybe([maybe(rng.randint(-100, 100), 0.1) for _ in range(rng.randint(0, 4))])
    return pa.table({
        "ints": pa.array([ints() for _ in range(rows)], pa.list_(pa.int64())),
        "words": pa.array([maybe([maybe(rng.choice(["a", "", "ccc", "dé"]), 0.1) for _ in range(rng.randint(0, 3))]) for _ in range(rows)], pa.list_(pa.string())),
        "matrix": pa.array([maybe([maybe([rng.randint(0, 9) for _ in range(rng.randint(0, 3))]) for _ in range(rng.randint(0, 3))]) for _ in range(rows)],
                           pa.list_(pa.list_(pa.int32()))),
        "point": pa.array([maybe({"x": maybe(rng.random()), "y": rng.randint(0, 5), "tags": maybe(["t"] * rng.randint(0, 2))}) for _ in range(rows)],
                          pa.struct([("x", pa.float64()), ("y", pa.int32()), ("tags", pa.list_(pa.string()))])),
        "attrs": pa.array([maybe([(f"k{j}", maybe(rng.randint(0, 1000))) for j in range(rng.randint(0, 3))]) for _ in range(rows)],
                          pa.map_(pa.string(), pa.int64())),
        "items": pa.array([maybe([maybe({"id": rng.randint(0, 9), "name": maybe("n")}) for _ in range(rng.randint(0, 3))]) for _ in range(rows)],
                          pa.list_(pa.struct([("id", pa.int16()), ("name", pa.string())]))),
        "outer": pa.array([maybe({"inner": maybe({"v": maybe(rng.randint(0, 3))})}) for _ in range(rows)],
                          pa.struct([("inner", pa.struct([("v", pa.int8())]))])),
    })

def temporal_table(rows, seed):
    rng = random.Random(seed)
    def maybe(v, rate=0.1): return None if rng.random() < rate else v
    ts = lambda lo, hi: [maybe(rng.randint(lo, hi)) for _ in range(rows)]
    D = decimal.Decimal
    return pa.table({
        "ts_ms": pa.array(ts(-10**13, 10**13), pa.timestamp("ms")),
        "ts_us_utc": pa.array(ts(-10**16, 10**16), pa.timestamp("us", tz="UTC")),
        "ts_ns": pa.array(ts(-2**62, 2**62), pa.timestamp("ns")),
        "ts_ns_tz": pa.array(ts(-2**62, 2**62), pa.timestamp("ns", tz="Europe/Paris")),
        "day": pa.array(ts(-700000, 2900000), pa.date32()),
        "t_ms": pa.array(ts(0, 86399999), pa.time32("ms")),
        "t_us": pa.array(ts(0, 86399999999), pa.time64("us")),
        "t_ns": pa.array(ts(0, 86399999999999), pa.time64("ns")),
        "dec9": pa.array([maybe(D(rng.randint(-10**9 + 1, 10**9 - 1)).scaleb(-2)) for _ in range(rows)], pa.decimal128(9, 2)),
        "dec18": pa.array([maybe(D(rng.randint(-10**18 + 1, 10**18 - 1)).scaleb(-4)) for _ in range(rows)], pa.decimal128(18, 4)),
        "dec38": pa.array([maybe(D(rng.randint(-10**38 + 1, 10**38 - 1)).scaleb(-10)) for _ in range(rows)], pa.decimal128(38, 10)),
        "dec0": pa.array([maybe(D(rng.randint(-10**20, 10**20))) for _ in range(rows)], pa.decimal128(25, 0)),
        "u8": pa.array(ts(0, 255), pa.uint8()), "u16": pa.array(ts(0, 65535), pa.uint16()),
        "u32": pa.array(ts(0, 2**32 - 1), pa.uint32()), "u64": pa.array(ts(0, 2**64 - 1), pa.uint64()),
        "i8": pa.array(ts(-128, 127), pa.int8()), "i16": pa.array(ts(-32768, 32767), pa.int16()),
        "half": pa.array([maybe(rng.choice([0.5, -2.0, 65504.0, 0.0])) for _ in range(rows)], pa.float32()).cast(pa.float16()),
        "nothing": pa.nulls(rows),
    })

def writers(directory):
    files = []
    def write(name, table, **kw):
        pq.write_table(table, os.path.join(directory, name), **kw); files.append(name)
    base = base_table(600, 1)
    # pyarrow writes LZ4_RAW for "lz4" (the legacy Hadoop-framed LZ4 is PageDecompressorTests').
    for codec in ["none", "snappy", "gzip", "zstd", "lz4", "brotli"]:
        for version in ["1.0", "2.0"]:
            for dictionary in [True, False]:
                write(f"base-{codec}-v{version[0]}-{'dict' if dictionary else 'plain'}.parquet", base, compression=codec,
                      data_page_version=version, use_dictionary=dictionary, data_page_size=4096)
    enc = {"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "text": "DELTA_LENGTH_BYTE_ARRAY",
           "label": "DELTA_BYTE_ARRAY", "blob": "DELTA_BYTE_ARRAY", "f32": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT",
           "fixed": "BYTE_STREAM_SPLIT", "flag": "RLE"}
    split_ints = {"i32": "BYTE_STREAM_SPLIT", "i64": "BYTE_STREAM_SPLIT", "fixed": "DELTA_BYTE_ARRAY", "flag": "PLAIN",
                  "text": "PLAIN", "label": "PLAIN", "blob": "PLAIN", "f32": "PLAIN", "f64": "PLAIN"}
    for version in ["1.0", "2.0"]:
        for codec in ["none", "zstd"]:
            write(f"encodings-{codec}-v{version[0]}.parquet", base, compression=codec, data_page_version=version,
                  use_dictionary=False, column_encoding=enc, data_page_size=2048)
        write(f"split-ints-v{version[0]}.parquet", base, data_page_version=version, use_dictionary=False, column_encoding=split_ints)
    big = pa.table({"text": ["x" * (1 << 20), "", None, "é" * (1 << 19), "short"], "n": [1, 2, 3, 4, 5]})
    write("big-strings.parquet", big, compression="zstd")
    write("big-strings-v2.parquet", big, compression="snappy", data_page_version="2.0", use_dictionary=False)
    many = base_table(5000, 2)
    write("many-groups.parquet", many, row_group_size=97, data_page_size=512, compression="snappy")
    write("many-groups-v2.parquet", many, row_group_size=1000, data_page_size=256, data_page_version="2.0", compression="zstd")
    write("empty.parquet", base_table(0, 3))
    write("one-row.parquet", base_table(1, 4))
    nested = nested_table(800, 5)
    for version in ["1.0", "2.0"]:
        write(f"nested-v{version[0]}.parquet", nested, data_page_version=version, compression="zstd", row_group_size=300)
        write(f"nested-plain-v{version[0]}.parquet", nested, data_page_version=version, use_dictionary=False, data_page_size=1024)
    write("nested-legacy-lists.parquet", nested, use_compliant_nested_type=False)
    temporal = temporal_table(500, 6)
    for version in ["1.0", "2.0"]:
        write(f"temporal-v{version[0]}.parquet", temporal, data_page_version=version, compression="gzip")
    write("int96.parquet", temporal.select(["ts_ms", "ts_us_utc", "ts_ns"]), use_deprecated_int96_timestamps=True)
    write("crc-v1.parquet", base, write_page_checksum=True, compression="zstd")
    write("crc-v2.parquet", nested, write_page_checksum=True, data_page_version="2.0", compression="snappy")

    import polars as pl
    frame = pl.from_arrow(pa.concat_tables([base.drop_columns(["fixed"])]))
    for codec in ["zstd", "snappy", "lz4", "gzip", "brotli", "uncompressed"]:
        name = f"polars-{codec}.parquet"
        frame.write_parquet(os.path.join(directory, name), compression=codec, row_group_size=250); files.append(name)
    pl.from_arrow(nested.drop_columns(["attrs"])).write_parquet(os.path.join(directory, "polars-nested.parquet")); files.append("polars-nested.parquet")

    import duckdb
    con = duckdb.connect()
    con.execute("""CREATE TABLE t AS SELECT i, i::INTEGER % 7 AS small, 'row ' || i AS s,
        CASE WHEN i % 5 = 0 THEN NULL ELSE i * 1.5 END AS d, (i % 3 = 0) AS b,
        DATE '2020-01-01' + (i % 1000)::INTEGER AS day, TIMESTAMP '2021-06-01 12:00:00' + INTERVAL (i) SECOND AS ts,
        (i / 100)::DECIMAL(10,2) AS money, (i * 12345678901)::DECIMAL(38,6) AS wide,
        [i, i + 1] AS pair, {'a': i, 'b': 'x' || i} AS st, MAP {'k': i} AS m,
        CASE WHEN i % 4 = 0 THEN NULL ELSE repeat('z', (i % 50)::INTEGER) END AS z
        FROM range(3000) r(i)""")
    for codec in ["zstd", "snappy", "gzip", "lz4", "brotli", "uncompressed"]:
        name = f"duckdb-{codec}.parquet"
        con.execute(f"COPY t TO '{os.path.join(directory, name)}' (FORMAT parquet, COMPRESSION {codec}, ROW_GROUP_SIZE 1024)"); files.append(name)
    name = "duckdb-v2.parquet"
    con.execute(f"COPY t TO '{os.path.join(directory, name)}' (FORMAT parquet, PARQUET_VERSION v2)"); files.append(name)
    return files

# ---------------------------------------------------------------- property

PRIMITIVES = [pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint32(), pa.uint64(), pa.float32(), pa.float64(),
              pa.bool_(), pa.string(), pa.binary(), pa.binary(3), pa.date32(), pa.timestamp("ms"), pa.timestamp("us", tz="UTC"),
              pa.timestamp("ns"), pa.time64("us"), pa.decimal128(7, 3), pa.decimal128(30, 5)]

def random_type(rng, depth=0):
    r = rng.random()
    if depth < 2 and r < 0.15: return pa.list_(random_type(rng, depth + 1))
    if depth < 2 and r < 0.25:
        return pa.struct([(f"f{k}", random_type(rng, depth + 1)) for k in range(rng.randint(1, 3))])
    if depth < 2 and r < 0.3: return pa.map_(pa.string(), random_type(rng, depth + 1))
    return rng.choice(PRIMITIVES)

def random_value(rng, t, null_rate):
    if rng.random() < null_rate: return None
    if pa.types.is_list(t): return [random_value(rng, t.value_type, null_rate) for _ in range(rng.randint(0, 4))]
    if pa.types.is_map(t): return [(f"k{j}", random_value(rng, t.item_type, null_rate)) for j in range(rng.randint(0, 3))]
    if pa.types.is_struct(t): return {t.field(k).name: random_value(rng, t.field(k).type, null_rate) for k in range(t.num_fields)}
    if pa.types.is_boolean(t): return rng.random() < 0.5
    if pa.types.is_integer(t):
        bits = t.bit_width
        lo, hi = (0, 2**bits - 1) if pa.types.is_unsigned_integer(t) else (-2**(bits - 1), 2**(bits - 1) - 1)
        return rng.choice([lo, hi, 0, rng.randint(lo, hi), rng.randint(-3, 3) if lo < 0 else rng.randint(0, 3)])
    if pa.types.is_floating(t): return rng.choice([rng.uniform(-1e9, 1e9), 0.0, -0.0, float("nan"), float("inf"), 1e-300 if t.bit_width == 64 else 1e-30])
    if pa.types.is_string(t): return rng.choice(["", "ä", "x" * rng.randint(0, 60), f"s{rng.randint(0, 20)}", "tab\t\u0001"])
    if pa.types.is_fixed_size_binary(t): return bytes(rng.randrange(256) for _ in range(t.byte_width))
    if pa.types.is_binary(t): return bytes(rng.randrange(256) for _ in range(rng.randint(0, 8)))
    if pa.types.is_date32(t): return rng.randint(-100000, 100000)
    if pa.types.is_timestamp(t): return rng.randint(-2**50, 2**50)
    if pa.types.is_time64(t): return rng.randint(0, 86399999999)
    if pa.types.is_decimal(t):
        return decimal.Decimal(rng.randint(-10**t.precision + 1, 10**t.precision - 1)).scaleb(-t.scale)
    raise TypeError(t)

def property_files(directory, seed, count):
    rng = random.Random(seed)
    files, unreadable, case = [], 0, 0
    while len(files) < count:
        case += 1
        fields = [(f"c{k}", random_type(rng)) for k in range(rng.randint(1, 5))]
        rows = rng.choice([0, 1, rng.randint(2, 50), rng.randint(51, 400)])
        null_rate = rng.choice([0.0, 0.1, 0.5, 1.0])
        nullable = [rng.random() < 0.8 for _ in fields]
        columns = []
        for (name, t), can_null in zip(fields, nullable):
            columns.append(pa.array([random_value(rng, t, null_rate if can_null else 0.0) for _ in range(rows)], t))
        schema = pa.schema([pa.field(name, t, nullable=can_null or null_rate > 0) for (name, t), can_null in zip(fields, nullable)])
        table = pa.Table.from_arrays(columns, schema=schema)
        options = dict(compression=rng.choice(["none", "snappy", "gzip", "zstd", "lz4", "brotli"]),
                       data_page_version=rng.choice(["1.0", "2.0"]), use_dictionary=rng.random() < 0.6,
                       row_group_size=rng.choice([None, 7, 64]), data_page_size=rng.choice([None, 64, 1024]),
                       write_page_checksum=rng.random() < 0.3)
        if not options["use_dictionary"] and rng.random() < 0.5:
            enc = {}
            for name, t in fields:
                choices = {pa.int32(): ["DELTA_BINARY_PACKED", "BYTE_STREAM_SPLIT"], pa.int64(): ["DELTA_BINARY_PACKED", "BYTE_STREAM_SPLIT"],
                           pa.float32(): ["BYTE_STREAM_SPLIT"], pa.float64(): ["BYTE_STREAM_SPLIT"],
                           pa.string(): ["DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY"], pa.binary(): ["DELTA_BYTE_ARRAY"]}.get(t)
                if choices: enc[name] = rng.choice(choices)
            if enc: options["column_encoding"] = enc
        name = f"case-{case}.parquet"
        path = os.path.join(directory, name)
        pq.write_table(table, path, **{k: v for k, v in options.items() if v is not None})
        try:
            pq.read_table(path)
            files.append(name)
        except Exception as e:
            # pyarrow cannot read back a few of its own files (a struct of a null-only column…): with
            # no reference to compare with, such a case is left out (and counted).
            unreadable += 1
            os.remove(path)
    print(f"{unreadable} generated files pyarrow could not read back were left out")
    return files

if __name__ == "__main__":
    mode, directory = sys.argv[1], sys.argv[2]
    if mode == "compare": sys.exit(compare(directory))
    files = writers(directory) if mode == "writers" else property_files(directory, int(sys.argv[3]), int(sys.argv[4]))
    json.dump({"files": files}, open(os.path.join(directory, "manifest.json"), "w"))
    print(f"wrote {len(files)} files")
"""#
