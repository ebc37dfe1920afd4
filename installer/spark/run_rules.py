#!/usr/bin/env python3
"""Runs MAMS's audit rules over a lake (`mams lake export`) on Spark, or on DuckDB for the
comparison, and writes the suspects as Parquet in MAMS's suspect format.

    python3 run_rules.py --rules assets/rules --lake LAKE --from 2025-01 --to 2025-12 \
        --out SUSPECTS [--engine spark|duckdb] [--master local[2]] [--rule ID ...]

The rule files are read as they are: the same text MAMS runs, with its parameters put in
the same way (numbers in parentheses, the months as DATE literals). The suspects folder holds
`suspects/*.parquet` (rule_id, entity_type, entity_id, unit_id, period, amount, confidence,
evidence) and `suspects.json` (what ran: the engine, the months, each rule's version, which
rules failed and why), which `mams audit import` checks. See docs/province-scale.md.
"""

import argparse
import hashlib
import json
import os
import re
import sys
import time
from datetime import date

LAKE_FORMAT, LAKE_VERSION = "mams-lake", 1
SUSPECTS_FORMAT, SUSPECTS_VERSION = "mams-suspects", 1
PARTITIONS = ("lake_month", "lake_city")
SUSPECT_COLUMNS = ("rule_id", "entity_type", "entity_id", "unit_id", "period", "amount", "confidence", "evidence")
REQUIRED = ("entity_type", "entity_id", "unit_id", "period", "amount", "confidence")


def fail(msg):
    print(f"run_rules: {msg}", file=sys.stderr)
    sys.exit(2)


def month(text, what):
    m = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        fail(f"{what} must be YYYY-MM, not {text!r}")
    return date(int(m.group(1)), int(m.group(2)), 1)


def read_lake(lake):
    path = os.path.join(lake, "lake.json")
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{lake} is not a MAMS lake: {path} cannot be read ({e})")
    if manifest.get("format") != LAKE_FORMAT:
        fail(f"{path}: the format is {manifest.get('format')!r}, not {LAKE_FORMAT}")
    if manifest.get("version", 0) > LAKE_VERSION:
        fail(f"{path}: lake version {manifest['version']} is newer than this runner reads ({LAKE_VERSION})")
    for t in manifest["tables"]:
        if not os.path.isdir(os.path.join(lake, t["name"])):
            fail(f"{os.path.join(lake, t['name'])}: the table {t['name']} is listed in the manifest but missing")
    return manifest


def read_rules(folder, only):
    rules = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        rid = name[:-5]
        sql_path = os.path.join(folder, rid + ".sql")
        if not os.path.exists(sql_path):
            continue
        with open(os.path.join(folder, name), "rb") as f:
            meta_bytes = f.read()
        with open(sql_path, "rb") as f:
            sql_bytes = f.read()
        meta, sql = json.loads(meta_bytes.decode("utf-8")), sql_bytes.decode("utf-8")
        # As MAMS computes it (audit::rules::version_of): the files' bytes, not their meaning.
        version = hashlib.sha256(meta_bytes + b"\n" + sql_bytes).hexdigest()[:16]
        rules.append({"id": meta.get("id", rid), "meta": meta, "sql": sql, "version": version})
    if only:
        unknown = set(only) - {r["id"] for r in rules}
        if unknown:
            fail(f"no rule {', '.join(sorted(unknown))} in {folder}")
        rules = [r for r in rules if r["id"] in only]
    return rules


def sql_number(v):
    """As MAMS writes a parameter: whole numbers without a decimal point."""
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


def bind(rule, values, first, last):
    def put(m):
        name = m.group(1)
        if name == "from":
            return f"DATE '{first.isoformat()}'"
        if name == "to":
            return f"DATE '{last.isoformat()}'"
        if name not in values:
            raise ValueError(f"no value for parameter {name}")
        return f"({sql_number(values[name])})"

    return re.sub(r"\$\{([^}]*)\}", put, rule["sql"])


def parameter_values(rules):
    """Each rule's parameters at their defaults, by name and as `rule.name` for the others."""
    every = {}
    for r in rules:
        for p in r["meta"].get("params", []):
            every[f"{r['id']}.{p['name']}"] = p["default"]
    out = {}
    for r in rules:
        values = dict(every)
        for p in r["meta"].get("params", []):
            values[p["name"]] = p["default"]
        out[r["id"]] = values
    return out


def wrapped(sql, first, last):
    """The run's months, as MAMS's own audit keeps them (the whole lake is the unit)."""
    return (
        f"SELECT q.* FROM (\n{sql}\n) AS q\n"
        f"WHERE (q.period IS NULL OR q.period BETWEEN DATE '{first.isoformat()}' AND DATE '{last.isoformat()}')"
    )


def json_value(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return v if v == v and v not in (float("inf"), float("-inf")) else None
    if hasattr(v, "isoformat"):
        return v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
    try:
        from decimal import Decimal

        if isinstance(v, Decimal):
            return float(v)
    except ImportError:
        pass
    return str(v)


def number(v, default):
    try:
        x = float(v)
    except (TypeError, ValueError):
        return default
    return x if x == x and x not in (float("inf"), float("-inf")) else default


def suspects_of(rule, columns, rows):
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ValueError(f"the query lacks the columns {', '.join(missing)}")
    at = {c: i for i, c in enumerate(columns)}
    kept = [i for i, c in enumerate(columns) if c not in ("entity_type", "entity_id", "unit_id", "period", "confidence")]
    out = []
    for n, row in enumerate(rows):
        entity_id = row[at["entity_id"]]
        if entity_id is None or str(entity_id) == "":
            raise ValueError(f"row {n + 1}: entity_id is empty")
        period = row[at["period"]]
        if period is not None:
            period = date(period.year, period.month, 1)
        out.append(
            {
                "rule_id": rule["id"],
                "entity_type": str(row[at["entity_type"]] or rule["meta"].get("entity", "")),
                "entity_id": str(entity_id),
                "unit_id": "" if row[at["unit_id"]] is None else str(row[at["unit_id"]]),
                "period": period,
                "amount": max(0.0, number(row[at["amount"]], 0.0)),
                "confidence": min(1.0, max(0.0, number(row[at["confidence"]], 0.5))),
                "evidence": json.dumps(
                    [[columns[i], json_value(row[i])] for i in kept], ensure_ascii=False, separators=(",", ":")
                ),
            }
        )
    return out


class Spark:
    def __init__(self, master, lake, manifest):
        from pyspark.sql import SparkSession

        self.spark = (
            SparkSession.builder.master(master)
            .appName("mams-rules")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.log.structuredLogging.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            # Partition values stay text ("2025-03", "C01"), as written.
            .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.ansi.enabled", "true")
            .getOrCreate()
        )
        # A rule that fails is reported here in one line; Spark's own stack traces say no more.
        self.spark.sparkContext.setLogLevel("OFF")
        for t in manifest["tables"]:
            df = self.spark.read.option("basePath", os.path.join(lake, t["name"])).parquet(os.path.join(lake, t["name"]))
            df.drop(*[c for c in PARTITIONS if c in df.columns]).createOrReplaceTempView(t["name"])

    def query(self, sql):
        df = self.spark.sql(sql)
        return df.columns, [tuple(r) for r in df.collect()]

    def write(self, folder, suspects):
        from pyspark.sql.types import DateType, DoubleType, StringType, StructField, StructType

        schema = StructType(
            [StructField(c, DateType() if c == "period" else DoubleType() if c in ("amount", "confidence") else StringType()) for c in SUSPECT_COLUMNS]
        )
        rows = [tuple(s[c] for c in SUSPECT_COLUMNS) for s in suspects]
        self.spark.createDataFrame(rows, schema).coalesce(1).write.mode("error").parquet(folder)

    def close(self):
        self.spark.stop()


class DuckDB:
    def __init__(self, lake, manifest):
        import duckdb

        self.conn = duckdb.connect()
        self.conn.execute("SET TimeZone = 'UTC'")
        for t in manifest["tables"]:
            glob = os.path.join(lake, t["name"], *(["*"] * len(t["partitioned_by"])), "*.parquet")
            drop = f" EXCLUDE ({', '.join(t['partitioned_by'])})" if t["partitioned_by"] else ""
            self.conn.execute(
                f"CREATE VIEW {t['name']} AS SELECT *{drop} FROM read_parquet('{glob}', hive_partitioning = true, hive_types_autocast = false)"
            )

    def query(self, sql):
        cur = self.conn.execute(sql)
        columns = [d[0] for d in cur.description]
        return columns, cur.fetchall()

    def write(self, folder, suspects):
        self.conn.execute(
            "CREATE TABLE suspects (rule_id VARCHAR, entity_type VARCHAR, entity_id VARCHAR, unit_id VARCHAR, "
            "period DATE, amount DOUBLE, confidence DOUBLE, evidence VARCHAR)"
        )
        self.conn.executemany(
            "INSERT INTO suspects VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [[s[c] for c in SUSPECT_COLUMNS] for s in suspects]
        )
        os.makedirs(folder)
        self.conn.execute(f"COPY suspects TO '{os.path.join(folder, 'part-0.parquet')}' (FORMAT parquet)")

    def close(self):
        self.conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", required=True)
    ap.add_argument("--lake", required=True)
    ap.add_argument("--from", dest="first", required=True)
    ap.add_argument("--to", dest="last", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--engine", choices=("spark", "duckdb"), default="spark")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--rule", action="append", default=[])
    a = ap.parse_args()
    first, last = month(a.first, "--from"), month(a.last, "--to")
    if first > last:
        fail(f"--from {a.first} is after --to {a.last}")
    manifest = read_lake(a.lake)
    months = manifest.get("months")
    if months and (a.first > months[1] or a.last < months[0]):
        fail(f"the months {a.first}..{a.last} are outside the lake's data ({months[0]}..{months[1]})")
    if os.path.exists(a.out) and os.listdir(a.out):
        fail(f"{a.out} already exists and is not empty")
    os.makedirs(a.out, exist_ok=True)
    rules = read_rules(a.rules, a.rule)
    values = parameter_values(read_rules(a.rules, []))
    engine = Spark(a.master, a.lake, manifest) if a.engine == "spark" else DuckDB(a.lake, manifest)
    suspects, ran = [], []
    started = time.time()
    for r in rules:
        t = time.time()
        try:
            columns, rows = engine.query(wrapped(bind(r, values[r["id"]], first, last), first, last))
            found = suspects_of(r, columns, rows)
            suspects.extend(found)
            ran.append({"rule_id": r["id"], "version": r["version"], "suspects": len(found), "seconds": round(time.time() - t, 2)})
            print(f"{r['id']:<24} {len(found):>7} suspects {time.time() - t:6.1f} s", flush=True)
        except Exception as e:  # a rule that fails is reported, the others go on (as in MAMS)
            first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            ran.append({"rule_id": r["id"], "version": r["version"], "error": first_line[:500]})
            print(f"{r['id']:<24} FAILED: {first_line[:200]}", flush=True)
    engine.write(os.path.join(a.out, "suspects"), suspects)
    engine.close()
    with open(os.path.join(a.out, "suspects.json"), "w", encoding="utf-8") as f:
        json.dump(
            {
                "format": SUSPECTS_FORMAT,
                "version": SUSPECTS_VERSION,
                "engine": a.engine,
                "lake": os.path.abspath(a.lake),
                "lake_exported_at": manifest.get("exported_at"),
                "from": a.first,
                "to": a.last,
                "seconds": round(time.time() - started, 1),
                "rules": ran,
            },
            f,
            indent=2,
            ensure_ascii=False,
        )
    failed = [r for r in ran if "error" in r]
    print(f"{len(suspects)} suspects from {len(ran) - len(failed)} rules, {len(failed)} failed, in {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
