"""Helpers of scripts/bench-import.

  import-floor.py generate N FILE   writes N ServiceNow incidents as a Table API answer, shaped
                                    as the import benchmark's (five states, a fifth each; the
                                    resolved and closed ones with their times)
  import-floor.py floor DB BATCH    copies the rows an import wrote into DB (tickets, their
                                    events, peer_tickets), empties those tables, then times SQLite
                                    alone inserting the same rows again in transactions of BATCH
                                    tickets, with the connection settings Relais uses; prints
                                    the seconds
  import-floor.py floor-pg URL DIR  the same on PostgreSQL (the database URL an import wrote
                                    into), the rows copied out with psql and sent back in one
                                    transaction by COPY, the fastest way in; prints the seconds
"""
import json
import sqlite3
import sys
import time


def generate(count, path):
    states = ["1", "2", "3", "6", "7"]
    groups = ["Service Desk", "Network"]
    categories = ["Network", "Software"]
    items = []
    for index in range(count):
        day = 1 + index % 28
        state = states[index % len(states)]
        resolved = f"2026-10-{min(day + 1, 28):02d} 12:00:00" if state in ("6", "7") else ""
        closed = f"2026-10-{min(day + 2, 28):02d} 12:00:00" if state == "7" else ""
        items.append({
            "sys_id": f"{index:032x}", "number": f"INC{index:07d}",
            "short_description": f"Incident {index} reported by phone", "description": f"Details of incident {index}.",
            "state": state, "impact": str(1 + index % 3), "urgency": str(1 + index % 3), "priority": str(1 + index % 5),
            "category": categories[index % 2], "subcategory": "",
            "assignment_group": {"display_value": groups[index % 2], "value": f"g{index % 2}"},
            "contact_type": "phone", "opened_at": f"2026-10-{day:02d} 08:00:00", "sys_updated_on": "2026-10-28 08:00:00",
            "sys_updated_by": "itil", "resolved_at": resolved, "closed_at": closed,
        })
    with open(path, "w") as out:
        json.dump({"result": items}, out)


def floor(path, batch):
    db = sqlite3.connect(path, isolation_level=None)
    def rows(table):
        cursor = db.execute(f"SELECT * FROM {table} ORDER BY rowid")
        return [column[0] for column in cursor.description], cursor.fetchall()
    ticket_columns, tickets = rows("tickets")
    event_columns, events = rows("ticket_events")
    peer_columns, peers = rows("peer_tickets")
    for table in ("peer_tickets", "ticket_events", "tickets"):
        db.execute(f"DELETE FROM {table}")
    db.execute("VACUUM")
    for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "busy_timeout = 10000", "foreign_keys = ON",
                   "cache_size = -32768", "temp_store = MEMORY"):
        db.execute(f"PRAGMA {pragma}")
    events_of, peer_of = {}, {}
    ticket_of_event = event_columns.index("ticket_id")
    for event in events:
        events_of.setdefault(event[ticket_of_event], []).append(event)
    ticket_of_peer = peer_columns.index("ticket_id")
    for peer in peers:
        peer_of[peer[ticket_of_peer]] = peer

    def insert(table, columns, values):
        db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", values)

    start = time.perf_counter()
    for first in range(0, len(tickets), batch):
        chunk = tickets[first:first + batch]
        db.execute("BEGIN IMMEDIATE")
        insert("tickets", ticket_columns, chunk)
        insert("ticket_events", event_columns, [event for ticket in chunk for event in events_of.get(ticket[0], [])])
        insert("peer_tickets", peer_columns, [peer_of[ticket[0]] for ticket in chunk if ticket[0] in peer_of])
        db.execute("COMMIT")
    print(f"{time.perf_counter() - start:.3f}")


def floor_pg(url, folder):
    import subprocess
    tables = ("tickets", "ticket_events", "peer_tickets")
    def psql(*commands):
        arguments = ["psql", url, "-q", "-v", "ON_ERROR_STOP=1"]
        for command in commands:
            arguments += ["-c", command]
        subprocess.run(arguments, check=True, stdout=subprocess.DEVNULL)
    psql(*[f"\\copy {table} TO '{folder}/{table}.copy'" for table in tables])
    psql("TRUNCATE peer_tickets, ticket_events, tickets CASCADE", "VACUUM ANALYZE")
    start = time.perf_counter()
    psql("BEGIN", *[f"\\copy {table} FROM '{folder}/{table}.copy'" for table in tables], "COMMIT")
    print(f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "floor":
        floor(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "floor-pg":
        floor_pg(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
