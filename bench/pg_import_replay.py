"""The PostgreSQL server's CPU for an import's writes, under variants of the schema.

    createdb -h 127.0.0.1 -U postgres -T SOURCE TARGET
    python bench/pg_import_replay.py SOURCE TARGET base no_search_gin lazy [--rows 20000]
        [--perf] [--onetx] [--finishlz4] [--finishpending]

SOURCE is a database an import filled (`bench/write_bench.py --db postgres`, at migration
0007: the variants' DDL is written against that schema); TARGET a copy of it. For each
variant (best one per process: a second run in the same connection measured twice the
CPU) the record tables are emptied, the variant's DDL applied, and the rows of SOURCE
written again as `aigak import` writes them: a transaction per 100 rows (the run's beat,
lz4, the existing-id query, COPY of persons, records, versions and coded rows), then the
last step's UPDATE that makes them live, then `VACUUM (ANALYZE)`. Printed: the CPU of
the server backend (from /proc) for the steps, the last step and the vacuum. `--perf`
records the backend with `perf record -g` (perf-VARIANT.data); `--onetx` writes the rows
live in one transaction; `--finishlz4` and `--finishpending` set lz4 and a 64 MB GIN
pending list for the last step. `lazy` is migration 0008's schema.
"""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

SRC, DST = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
ROWS = 20000
PERF = "--perf" in args
if "--rows" in args:
    ROWS = int(args[args.index("--rows") + 1])
    del args[args.index("--rows") : args.index("--rows") + 2]
variants = [a for a in args if not a.startswith("--")]
URL = "postgresql://postgres@127.0.0.1:5432/"
STEP = 100

src = psycopg.connect(URL + SRC)
records = src.execute(
    "select r.id, r.record_id, p.display_name, r.answers::text, r.search_text, r.search_private, "
    "r.search_choices from records_record r left join records_person p on p.id = r.person_id "
    "order by r.id limit %s",
    [ROWS],
).fetchall()
coded = {
    rid: (stamp, data, texts)
    for rid, stamp, data, texts in src.execute(
        "select record_id, stamp, data, texts from reports_coded"
    ).fetchall()
}
src.close()

VARIANTS = {
    "base": ([], []),
    "no_search_gin": (
        ["drop index records_search_gin"],
        ["create index records_search_gin on records_record using gin (search_vector)"],
    ),
    "no_choices_gin": (
        ["drop index records_choices_gin"],
        [
            "create index records_choices_gin on records_record using gin "
            "((string_to_array(search_choices, ' ')))"
        ],
    ),
    "fastupdate_off": (
        [
            "alter index records_search_gin set (fastupdate = off)",
            "alter index records_choices_gin set (fastupdate = off)",
        ],
        [
            "alter index records_search_gin reset (fastupdate)",
            "alter index records_choices_gin reset (fastupdate)",
        ],
    ),
    "pending_64mb": (
        [
            "alter index records_search_gin set (gin_pending_list_limit = 65536)",
            "alter index records_choices_gin set (gin_pending_list_limit = 65536)",
        ],
        [
            "alter index records_search_gin reset (gin_pending_list_limit)",
            "alter index records_choices_gin reset (gin_pending_list_limit)",
        ],
    ),
    "no_gins": (
        ["drop index records_search_gin", "drop index records_choices_gin"],
        [
            "create index records_search_gin on records_record using gin (search_vector)",
            "create index records_choices_gin on records_record using gin "
            "((string_to_array(search_choices, ' ')))",
        ],
    ),
    "no_vector": (
        ["drop index records_search_gin", "alter table records_record drop column search_vector"],
        [
            "ALTER TABLE records_record ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
            "(setweight(to_tsvector('simple'::regconfig, search_text), 'A') || "
            "setweight(to_tsvector('simple'::regconfig, search_private), 'B')) STORED",
            "create index records_search_gin on records_record using gin (search_vector)",
        ],
    ),
    "lazy": (
        [
            "drop index records_search_gin",
            "drop index records_choices_gin",
            "alter table records_record drop column search_vector",
            "ALTER TABLE records_record ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
            "(CASE WHEN import_run_id IS NULL THEN setweight(to_tsvector('simple'::regconfig, search_text), 'A') || "
            "setweight(to_tsvector('simple'::regconfig, search_private), 'B') END) STORED",
            "create index records_search_gin on records_record using gin (search_vector) where search_vector is not null",
            "create index records_choices_gin on records_record using gin "
            "((string_to_array(search_choices, ' '))) where import_run_id is null",
        ],
        [],
    ),
    "toast4k": (
        ["alter table records_record set (toast_tuple_target = 4000)"],
        ["alter table records_record reset (toast_tuple_target)"],
    ),
    "no_btrees": (
        [
            "drop index records_rec_status_4b157d_idx",
            "drop index records_record_author_id_40eb89e7",
            "drop index records_record_deleted_by_id_928a1122",
            "drop index records_record_form_version_id_6b5c26bf",
            "drop index records_record_questionnaire_id_42d21927",
            "drop index records_record_team_id_9c7bc284",
            "drop index records_recordversion_author_id_7ea6e6d5",
            "drop index records_recordversion_form_version_id_9adf2fb4",
        ],
        [
            "create index records_rec_status_4b157d_idx on records_record (status)",
            "create index records_record_author_id_40eb89e7 on records_record (author_id)",
            "create index records_record_deleted_by_id_928a1122 on records_record (deleted_by_id)",
            "create index records_record_form_version_id_6b5c26bf on records_record (form_version_id)",
            "create index records_record_questionnaire_id_42d21927 on records_record (questionnaire_id)",
            "create index records_record_team_id_9c7bc284 on records_record (team_id)",
            "create index records_recordversion_author_id_7ea6e6d5 on records_recordversion (author_id)",
            "create index records_recordversion_form_version_id_9adf2fb4 on records_recordversion (form_version_id)",
        ],
    ),
    "json_not_jsonb": (
        [
            "alter table records_record alter column answers type json",
            "alter table records_recordversion alter column answers type json",
        ],
        [
            "alter table records_record alter column answers type jsonb",
            "alter table records_recordversion alter column answers type jsonb",
        ],
    ),
    "no_fks": (
        [
            "alter table records_record drop constraint records_record_form_version_id_6b5c26bf_fk_questionn",
            "alter table records_record drop constraint records_record_questionnaire_id_42d21927_fk_questionn",
            "alter table records_record drop constraint records_record_person_id_0b3953d5_fk_records_person_id",
            "alter table records_recordversion drop constraint records_recordversio_form_version_id_9adf2fb4_fk_questionn",
            "alter table records_recordversion drop constraint records_recordversion_record_id_664541c0_fk_records_record_id",
            "alter table reports_coded drop constraint reports_coded_record_id_d8ea22d8_fk_records_record_id",
        ],
        [],  # not restored: run last
    ),
}


def backend_cpu(conn):
    pid = conn.info.backend_pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


ONETX = "--onetx" in sys.argv


def replay(conn, compression="lz4", extra=None):
    now = datetime.now(UTC)
    run = conn.execute(
        "insert into records_importrun (source, host, pid, started_at, beat_at, questionnaire_id) "
        "values ('x', 'h', 1, %s, %s, 1) returning id",
        [now, now],
    ).fetchone()[0]
    conn.commit()
    cur = conn.cursor()
    for start in range(0, len(records), STEP):
        rows = records[start : start + STEP]
        cur.execute("update records_importrun set beat_at = %s where id = %s", [now, run])
        if compression:
            cur.execute(f"set local default_toast_compression = '{compression}'")
        for sql in extra or []:
            cur.execute(sql)
        marks = ", ".join(["%s"] * len(rows))
        cur.execute(
            f"select record_id from records_record where questionnaire_id = 1 and record_id in ({marks})",
            [r[1] for r in rows],
        )
        cur.fetchall()
        named = [r for r in rows if r[2]]
        cur.execute(
            "select nextval(pg_get_serial_sequence('records_person', 'id')) from generate_series(1, %s)",
            [len(named)],
        )
        pids = [p for (p,) in cur.fetchall()]
        with cur.copy(
            "COPY records_person (id, display_name, created_at, merged_into_id, import_run_id) FROM STDIN"
        ) as copy:
            for pid, r in zip(pids, named, strict=True):
                copy.write_row([pid, r[2], now, None, None if ONETX else run])
        persons = {id(r): p for r, p in zip(named, pids, strict=True)}
        cur.execute(
            "select nextval(pg_get_serial_sequence('records_record', 'id')) from generate_series(1, %s)",
            [len(rows)],
        )
        ids = [p for (p,) in cur.fetchall()]
        with cur.copy(
            "COPY records_record (id, record_id, person_id, answers, search_text, search_private, "
            "search_choices, questionnaire_id, form_version_id, status, author_id, team_id, version, "
            "created_at, updated_at, deleted_at, deleted_reason, deleted_by_id, import_run_id) FROM STDIN"
        ) as copy:
            for pk, r in zip(ids, rows, strict=True):
                copy.write_row(
                    [
                        pk,
                        r[1],
                        persons.get(id(r)),
                        r[3],
                        r[4],
                        r[5],
                        r[6],
                        1,
                        1,
                        "submitted",
                        None,
                        None,
                        1,
                        now,
                        now,
                        None if ONETX else now,
                        "",
                        None,
                        None if ONETX else run,
                    ]
                )
        with cur.copy(
            "COPY records_recordversion (record_id, answers, number, status, form_version_id, "
            "author_id, note, created_at) FROM STDIN"
        ) as copy:
            for pk, r in zip(ids, rows, strict=True):
                copy.write_row([pk, r[3], 1, "submitted", 1, None, "imported from bench", now])
        cur.execute(f"delete from reports_coded where record_id in ({marks})", ids)
        with cur.copy(
            "COPY reports_coded (record_id, stamp, version, data, texts) FROM STDIN"
        ) as copy:
            for pk, r in zip(ids, rows, strict=True):
                c = coded.get(r[0])
                if c:
                    copy.write_row([pk, c[0], 1, c[1], c[2]])
        if not ONETX:
            conn.commit()
    global STEPS_CPU
    STEPS_CPU = backend_cpu(conn)
    if "--finishlz4" in sys.argv:
        cur.execute("set local default_toast_compression = 'lz4'")
    if "--finishpending" in sys.argv:
        cur.execute("set local gin_pending_list_limit = '64MB'")
    cur.execute(
        "update records_record set deleted_at = null, import_run_id = null where import_run_id = %s",
        [run],
    )
    if "--finishpending" in sys.argv:
        cur.execute(
            "select gin_clean_pending_list('records_search_gin'), gin_clean_pending_list('records_choices_gin')"
        )
    cur.execute("update records_person set import_run_id = null where import_run_id = %s", [run])
    cur.execute("delete from records_importrun where id = %s", [run])
    conn.commit()


def main():
    conn = psycopg.connect(URL + DST)
    conn.autocommit = False
    for name in variants:
        key, _, opt = name.partition(":")
        before, after = VARIANTS[key]
        conn.execute(
            "truncate records_record, records_recordversion, records_person, reports_coded, "
            "records_importrun cascade"
        )
        for sql in before:
            conn.execute(sql)
        conn.commit()
        conn.autocommit = True
        conn.execute("checkpoint")
        conn.autocommit = False
        perf = None
        if PERF:
            perf = subprocess.Popen(
                [
                    "perf",
                    "record",
                    "-g",
                    "-o",
                    f"perf-{name}.data",
                    "-p",
                    str(conn.info.backend_pid),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1)
        cpu, wall = backend_cpu(conn), time.monotonic()
        replay(conn, compression=None if opt == "pglz" else "lz4")
        steps = STEPS_CPU - cpu
        conn.commit()
        finish = backend_cpu(conn) - STEPS_CPU
        conn.autocommit = True
        conn.execute("vacuum (analyze) records_record, records_recordversion, records_person")
        conn.autocommit = False
        cpu, wall = backend_cpu(conn) - cpu, time.monotonic() - wall
        if perf:
            perf.send_signal(2)
            perf.wait()
        size = conn.execute(
            "select pg_size_pretty(pg_total_relation_size('records_record'))"
        ).fetchone()[0]
        print(
            f"{name:16} {len(records)} rows: server {cpu:.2f} s CPU (steps {steps:.2f}, finish {finish:.2f}, vacuum {cpu - steps - finish:.2f}), {wall:.1f} s wall, record table {size} "
            f"[load {os.getloadavg()[0]:.1f}]",
            flush=True,
        )
        for sql in after:
            conn.execute(sql)
        conn.commit()


main()
