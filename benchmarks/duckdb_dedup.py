#!/usr/bin/env python3
"""DuckDB doing the core job on the same file: drop texts shorter than 10 characters, keep the first
row of each normalized text (lowercase, whitespace runs collapsed, trimmed), write JSONL in input order."""
import sys
import duckdb

src, dst = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute("SET threads = 2")
con.execute(f"""
COPY (
  WITH t AS (
    SELECT *, row_number() OVER () AS rn FROM read_json('{src}', format = 'newline_delimited')
  ), k AS (
    SELECT *, lower(trim(regexp_replace(text, '\\s+', ' ', 'g'))) AS nk FROM t WHERE length(trim(text)) >= 10
  )
  SELECT id, text, source, score FROM (
    SELECT *, row_number() OVER (PARTITION BY nk ORDER BY rn) AS dup FROM k
  ) WHERE dup = 1 ORDER BY rn
) TO '{dst}' (FORMAT json)
""")
