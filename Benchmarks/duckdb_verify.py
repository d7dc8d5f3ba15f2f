#!/usr/bin/env python3
"""The batch re-verification in DuckDB, for comparison with `jiuzhu bench verify`.

Reads the CSV files that `jiuzhu bench verify --export-csv DIR` writes (the
same households, members, records, policy and source statuses the Swift
batch reads), computes every household's outcome with the rules of
shared/cases/FORMAT.md written as one SQL query (counted members, window
income, per-capita income, latest balance per account, flags, conclusion,
benefit with top-ups), times it, and checks the result against the Swift
batch's (DIR/swift_results.csv, DIR/swift_summary.json): conclusion counts,
and conclusion, benefit and per-capita income household by household.

Not part of CI. Run it with DuckDB from PyPI in a throwaway virtualenv:

    python3 -m venv /tmp/duckdb-venv && /tmp/duckdb-venv/bin/pip install duckdb
    /tmp/duckdb-venv/bin/python Benchmarks/duckdb_verify.py DIR [--threads 2]

This is a second copy of the rules, on purpose and only here: it is the
yardstick for the one implementation (JiuzhuCore's calculator), never used by
the application.
"""

import argparse
import csv
import json
import os
import sys
import time

import duckdb


def quoted(items):
    """A SQL list of string literals (the values are codes: letters only)."""
    values = [item for item in items if item]
    for value in values:
        if not value.isalnum():
            raise SystemExit(f"unexpected code in policy.csv: {value!r}")
    return "(" + ", ".join(f"'{value}'" for value in values) + ")" if values else "('')"


def month_add(text, months):
    year, month = int(text[:4]), int(text[5:7])
    ordinal = year * 12 + (month - 1) + months
    return f"{ordinal // 12:04d}-{ordinal % 12 + 1:02d}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2, the benchmark machine's cores)")
    args = parser.parse_args()
    d = args.directory

    with open(os.path.join(d, "policy.csv"), newline="") as f:
        p = next(csv.DictReader(f))
    with open(os.path.join(d, "sources.csv"), newline="") as f:
        statuses = {row["source"]: row["status"] for row in csv.DictReader(f)}
    required = [s for s in p["required_sources"].split("|") if s]
    missing = sorted(s for s in required if statuses.get(s) != "returned")
    as_of = p["as_of"]
    months = int(p["reference_months"])
    first, last = month_add(as_of[:7], -months), month_add(as_of[:7], -1)
    counted_kinds = ["wage", "business", "property", "transferIn", "pension", "unemployment", "other"]
    excluded = p["excluded_income_kinds"].split("|")
    deductible = p["deductible_kinds"].split("|")
    exempt = p["exempt_vehicle_types"].split("|")
    counted_kinds = [k for k in counted_kinds if k not in excluded]
    transfer_out = "transferOut" not in excluded
    truth = lambda name: "TRUE" if p[name] == "true" else "FALSE"

    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")

    started = time.perf_counter()
    con.execute(f"""
        CREATE TABLE households AS SELECT * FROM read_csv('{d}/households.csv', header = true,
            columns = {{'household_id': 'VARCHAR', 'region_code': 'VARCHAR', 'residence': 'VARCHAR'}});
        CREATE TABLE members AS SELECT * FROM read_csv('{d}/members.csv', header = true,
            columns = {{'household_id': 'VARCHAR', 'position': 'INTEGER', 'member_index': 'VARCHAR', 'birth_date': 'DATE',
                        'relation': 'VARCHAR', 'co_resident': 'BOOLEAN', 'status': 'VARCHAR', 'disability_type': 'VARCHAR',
                        'disability_grade': 'INTEGER', 'serious_illness': 'BOOLEAN'}});
        CREATE TABLE records AS SELECT * FROM read_csv('{d}/records.csv', header = true,
            columns = {{'row_id': 'BIGINT', 'member_index': 'VARCHAR', 'source': 'VARCHAR', 'type': 'VARCHAR', 'kind': 'VARCHAR',
                        'period': 'VARCHAR', 'amount': 'BIGINT', 'active': 'BOOLEAN', 'area': 'VARCHAR', 'account_index': 'VARCHAR'}});
    """)
    loaded = time.perf_counter()

    std = f"CASE WHEN h.residence = 'urban' THEN {int(p['standard_urban'])} ELSE {int(p['standard_rural'])} END"
    query = f"""
    CREATE TABLE outcome AS
    WITH deaths AS (
        SELECT DISTINCT member_index FROM records WHERE type = 'death' AND period <= '{as_of}'
    ), counted AS (
        SELECT m.* FROM members m
        WHERE m.co_resident AND m.status = 'normal' AND m.member_index NOT IN (SELECT member_index FROM deaths)
    ), n AS (
        SELECT household_id, count(*) AS n FROM counted GROUP BY household_id
    ), rec AS (
        SELECT c.household_id, r.* FROM records r JOIN counted c USING (member_index)
    ), income AS (
        SELECT household_id, sum(CASE
            WHEN type = 'income' AND kind IN {quoted(counted_kinds)} THEN amount
            WHEN type = 'income' AND kind = 'transferOut' AND {str(transfer_out).upper()} THEN -amount
            WHEN type = 'expense' AND kind IN {quoted(deductible)} THEN -amount
            ELSE 0 END) AS i
        FROM rec WHERE type IN ('income', 'expense') AND period BETWEEN '{first}' AND '{last}'
        GROUP BY household_id
    ), latest AS (
        SELECT household_id, amount,
               row_number() OVER (PARTITION BY household_id, account_index ORDER BY period DESC, row_id DESC) AS k
        FROM rec WHERE type = 'financialAsset' AND period <= '{as_of}'
    ), assets AS (
        SELECT household_id, sum(amount) AS a FROM latest WHERE k = 1 GROUP BY household_id
    ), things AS (
        SELECT household_id,
            bool_or(type = 'vehicle' AND amount > {int(p['vehicle_value_cap'])} AND kind NOT IN {quoted(exempt)}) AS vehicle,
            count(*) FILTER (WHERE type = 'property' AND kind = 'residential') AS homes,
            bool_or(type = 'property' AND kind = 'nonResidential') AND {truth('non_residential_disqualifies')} AS non_residential,
            bool_or(type = 'company' AND active AND kind IN ('legalRepresentative', 'director', 'shareholder'))
                AND {truth('company_role_disqualifies')} AS company
        FROM rec WHERE type IN ('vehicle', 'property', 'company') GROUP BY household_id
    ), topups AS (
        SELECT c.household_id,
            greatest(
                CASE WHEN age >= 60 THEN {int(p['topup_elderly'])} ELSE 0 END,
                CASE WHEN age < 18 THEN {int(p['topup_minor'])} ELSE 0 END,
                CASE WHEN disability_grade <= 2 OR (disability_grade = 3 AND disability_type IN ('intellectual', 'mental'))
                     THEN {int(p['topup_severe_disability'])} ELSE 0 END,
                CASE WHEN serious_illness THEN {int(p['topup_serious_illness'])} ELSE 0 END) AS pct
        FROM (SELECT *, year(DATE '{as_of}') - year(birth_date)
                        - CASE WHEN (month(DATE '{as_of}'), day(DATE '{as_of}')) < (month(birth_date), day(birth_date)) THEN 1 ELSE 0 END AS age
              FROM counted) c
    ), topup_sum AS (
        SELECT t.household_id, sum(({std}) * t.pct // 100)::BIGINT AS amount
        FROM topups t JOIN households h USING (household_id) GROUP BY t.household_id
    ), figures AS (
        SELECT h.household_id, h.residence, {std} AS std, coalesce(n.n, 0) AS n,
            CASE WHEN coalesce(n.n, 0) = 0 THEN NULL
                 ELSE greatest(coalesce(income.i, 0), 0)::BIGINT // ({months} * n.n) END AS p,
            CASE WHEN coalesce(n.n, 0) = 0 THEN NULL ELSE coalesce(assets.a, 0)::BIGINT // n.n END AS pa,
            coalesce(things.vehicle, FALSE) AS vehicle,
            coalesce(things.homes, 0) > {int(p['max_homes'])} AS homes,
            coalesce(things.non_residential, FALSE) AS non_residential,
            coalesce(things.company, FALSE) AS company, coalesce(topup_sum.amount, 0) AS topup
        FROM households h LEFT JOIN n USING (household_id) LEFT JOIN income USING (household_id)
             LEFT JOIN topup_sum USING (household_id)
             LEFT JOIN assets USING (household_id) LEFT JOIN things USING (household_id)
    ), concluded AS (
        SELECT f.*,
            CASE WHEN n = 0 THEN 'error'
                 WHEN {len(missing)} > 0 THEN 'undetermined'
                 WHEN vehicle OR homes OR non_residential OR company
                      OR pa > {int(p['financial_asset_months'])} * std THEN 'ineligible'
                 WHEN p < std THEN 'dibao'
                 WHEN p * {int(p['edge_denominator'])} < {int(p['edge_numerator'])} * std THEN 'edge'
                 ELSE 'ineligible' END AS conclusion
        FROM figures f
    )
    SELECT c.household_id, c.conclusion, c.p AS per_capita_income,
        CASE WHEN c.conclusion = 'dibao' THEN (c.std - c.p) * c.n + c.topup ELSE 0 END AS monthly_benefit
    FROM concluded c
    """
    con.execute(query)
    computed = time.perf_counter()

    counts = dict(con.execute("SELECT conclusion, count(*) FROM outcome GROUP BY conclusion ORDER BY 1").fetchall())
    total_benefit = con.execute("SELECT coalesce(sum(monthly_benefit), 0) FROM outcome").fetchone()[0]
    load_s, compute_s = loaded - started, computed - loaded
    print(f"DuckDB {duckdb.__version__}, {args.threads} threads")
    print(f"households {sum(counts.values())}, members {con.execute('SELECT count(*) FROM members').fetchone()[0]}, "
          f"records {con.execute('SELECT count(*) FROM records').fetchone()[0]}")
    print(f"CSV load: {load_s:.2f} s; outcome query: {compute_s:.2f} s; together {load_s + compute_s:.2f} s")
    print("conclusions: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + f"; monthly total {total_benefit} fen")

    summary_path = os.path.join(d, "swift_summary.json")
    results_path = os.path.join(d, "swift_results.csv")
    if not (os.path.exists(summary_path) and os.path.exists(results_path)):
        print("no swift_summary.json / swift_results.csv: nothing to compare")
        return 0
    with open(summary_path) as f:
        swift = json.load(f)
    swift_counts = {k: v for k, v in swift["summary"]["conclusions"].items() if v}
    if swift["summary"]["errors"]:
        swift_counts["error"] = swift["summary"]["errors"]
    ok = swift_counts == counts
    print(f"Swift conclusions: " + ", ".join(f"{k} {v}" for k, v in sorted(swift_counts.items()))
          + (" — equal" if ok else " — DIFFERENT"))
    con.execute(f"""CREATE TABLE swift AS SELECT * FROM read_csv('{results_path}', header = true,
        columns = {{'household_id': 'VARCHAR', 'conclusion': 'VARCHAR', 'monthly_benefit': 'BIGINT', 'per_capita_income': 'BIGINT'}})""")
    differ = con.execute("""
        SELECT count(*) FROM outcome o FULL JOIN swift s USING (household_id)
        WHERE o.conclusion IS DISTINCT FROM s.conclusion AND NOT (o.conclusion = 'error' AND s.conclusion IS NULL)
           OR (o.conclusion <> 'error' AND (o.monthly_benefit IS DISTINCT FROM s.monthly_benefit
                                            OR o.per_capita_income IS DISTINCT FROM s.per_capita_income))
    """).fetchone()[0]
    print(f"households whose conclusion, benefit or per-capita income differ from Swift's: {differ}")
    swift_seconds = float(swift["seconds"])
    print(f"Swift batch ({swift['database']}): {swift_seconds:.2f} s; ratio Swift / DuckDB query = {swift_seconds / compute_s:.1f}; "
          f"Swift / DuckDB load+query = {swift_seconds / (load_s + compute_s):.1f}")
    return 0 if ok and differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
