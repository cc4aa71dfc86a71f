#!/usr/bin/python3
"""GET /networkAccess/logs/traffic (system-facts §3.8) and the reports over
it, against a real daemon whose traffic log is filled by tests/tools/
traffic_fill (the store_traffic writes the gateway's drain makes): the
record shape, $filter eq on every property, $orderby on every property
with @odata.nextLink paging to the end, Graph error bodies for bad
queries, the summaries, and tenant isolation."""
import ipaddress
import json
import os
import random
import subprocess
import sys
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import (BIN, SRC, check, expect_error, gateway, gateway_stop,  # noqa: E402
                    request, run_tests)

LOGS = "/networkAccess/logs/traffic"
FILL = os.path.join(BIN, "tests", "traffic_fill")
FIELDS = ["transactionId", "createdDateTime", "tenantId", "connectionId", "sessionId",
          "trafficType", "deviceCategory", "sourceIp", "sourcePort", "destinationIp",
          "destinationPort", "destinationFQDN", "transportProtocol", "networkProtocol",
          "action", "policyId", "policyRuleId", "description", "sentBytes",
          "receivedBytes", "remoteNetworkId", "deviceLinkId"]
PROTO = {"tcp": 6, "udp": 17, "icmp": 1}
NA, NB = 45, 5


def records(tenant, n, seed):
    rnd = random.Random(seed)
    rns = [str(uuid.UUID(int=rnd.getrandbits(128))) for _ in range(3)]
    out = []
    for i in range(n):
        block = i % 3 == 1
        r = {
            "tenantId": tenant, "transactionId": str(uuid.UUID(int=rnd.getrandbits(128))),
            "connectionId": str(uuid.UUID(int=rnd.getrandbits(128))),
            "sessionId": "ike-%d" % (i % 4),
            "createdDateTime": "2026-11-%02dT10:%02d:00.000Z" % (1 + i % 9, i % 7),
            "trafficType": "microsoft365" if i % 5 == 0 else "internet",
            "sourceIp": "10.1.0.%d" % (2 + i % 6), "sourcePort": 40000 + i % 13,
            "destinationIp": "203.0.113.%d" % (1 + i % 11),
            "destinationPort": [443, 80, 8443][i % 3],
            "protocol": [6, 17, 1][i % 3 if i % 3 != 1 else 0],
            "action": "block" if block else "allow",
            "sentBytes": 1000 * i + i % 7, "receivedBytes": (5000 - 10 * i) % 100003,
            "remoteNetworkId": rns[i % 3], "deviceLinkId": rns[(i + 1) % 3],
        }
        if i % 4:
            r["destinationFQDN"] = "www%d.example.com" % (i % 5)
        if block:
            r["policyId"] = rns[i % 2]
            r["policyRuleId"] = rns[2]
            r["description"] = ["fqdn", "webCategory", "firewall"][i % 3]
        out.append(r)
    return out


def fill(c, recs):
    out = subprocess.run([FILL, "--db", c.db, "--batch", "16"], input=json.dumps(recs),
                         capture_output=True, text=True, timeout=60)
    check(out.returncode == 0, out.stderr)
    check(out.stdout.strip() == str(len(recs)), out.stdout)


def setup():
    c = gateway(("traffic-a", "traffic-b"))
    c.a, c.b = c.tenants
    c.ca, c.cb = c.clients
    c.recs_a = records(c.a["id"], NA, 1)
    c.recs_b = records(c.b["id"], NB, 2)
    fill(c, c.recs_a)
    fill(c, c.recs_b)
    r = c.ca.get(LOGS + "?$top=1000")
    check(r.status == 200, r)
    c.all_a = r.json()["value"]
    check(len(c.all_a) == NA, len(c.all_a))
    return c


def teardown(c):
    gateway_stop(c)


def get(client, path, **params):
    q = "&".join("%s=%s" % (k, urllib.parse.quote(str(v), safe="$,")) for k, v in params.items())
    return client.get(path + ("?" + q if q else ""))


def follow(c, client, first):
    """Every page from first through @odata.nextLink; the rows in order."""
    rows, r, pages = [], first, 0
    while True:
        check(r.status == 200, r)
        j = r.json()
        rows += j["value"]
        pages += 1
        nxt = j.get("@odata.nextLink")
        if not nxt:
            return rows, pages
        check(nxt.startswith(c.d.url + LOGS + "?"), nxt)
        r = request(c.d.url, "GET", nxt[len(c.d.url):], token=client.token)


def literal(field, v):
    if v is None:
        return "null"
    if field in ("sourcePort", "destinationPort", "sentBytes", "receivedBytes",
                 "createdDateTime"):
        return str(v)
    return "'%s'" % str(v).replace("'", "''")


def sort_key(field, row):
    v = row[field]
    if field in ("tenantId", "deviceCategory", "networkProtocol"):
        return (row["transactionId"],)
    if field in ("sourceIp", "destinationIp"):
        v = int(ipaddress.IPv4Address(v))
    elif field == "transportProtocol":
        v = PROTO[v]
    elif v is None:
        v = ""
    return (v, row["transactionId"])


def test_shape(c):
    r = c.ca.get(LOGS + "?$top=2")
    check(r.status == 200, r)
    j = r.json()
    check(j["@odata.context"] == c.d.url + "/$metadata#networkAccess/logs/traffic", j)
    check(len(j["value"]) == 2 and "@odata.nextLink" in j, j)
    for row in c.all_a:
        check(list(row) == FIELDS, list(row))
        check(row["tenantId"] == c.a["id"] and row["deviceCategory"] == "remoteNetwork" and
              row["networkProtocol"] == "ipv4", row)
    by_id = {x["transactionId"]: x for x in c.all_a}
    for rec in c.recs_a:
        row = by_id[rec["transactionId"]]
        for k in ("connectionId", "sessionId", "trafficType", "sourceIp", "sourcePort",
                  "destinationIp", "destinationPort", "action", "sentBytes",
                  "receivedBytes", "remoteNetworkId", "deviceLinkId", "createdDateTime"):
            check(row[k] == rec[k], (k, row, rec))
        for k in ("destinationFQDN", "policyId", "policyRuleId", "description"):
            check(row[k] == rec.get(k), (k, row, rec))
        check(PROTO[row["transportProtocol"]] == rec["protocol"], row)
    # Default order: createdDateTime desc, then transactionId desc.
    check(c.all_a == sorted(c.all_a, key=lambda x: sort_key("createdDateTime", x),
                            reverse=True))
    one = c.all_a[3]
    r = c.ca.get(LOGS + "/" + one["transactionId"])
    check(r.status == 200 and r.json()["transactionId"] == one["transactionId"], r)
    check(r.json()["@odata.context"].endswith("#networkAccess/logs/traffic/$entity"), r)
    r = c.ca.get(LOGS + "('%s')" % one["transactionId"])
    check(r.status == 200 and r.json()["sentBytes"] == one["sentBytes"], r)
    expect_error(c.ca.get(LOGS + "/" + str(uuid.uuid4())), 404, "NotFound")
    r = get(c.ca, LOGS, **{"$select": "action,destinationFQDN", "$top": 1})
    check(set(r.json()["value"][0]) == {"action", "destinationFQDN"}, r)


def test_auth_and_methods(c):
    expect_error(request(c.d.url, "GET", LOGS), 401, "Unauthorized")
    r = c.ca.post(LOGS, {})
    expect_error(r, 405, "MethodNotAllowed")
    check(r.headers.get("Allow") == "GET", r.headers)


def test_filter_action_block(c):
    r = get(c.ca, LOGS, **{"$filter": "action eq 'block'", "$count": "true", "$top": 1000})
    j = r.json()
    want = [x for x in c.recs_a if x["action"] == "block"]
    check(len(j["value"]) == len(want) == j["@odata.count"] and len(want) > 0, j)
    check(all(x["action"] == "block" for x in j["value"]), j)
    check({x["transactionId"] for x in j["value"]} == {x["transactionId"] for x in want})


def test_every_field_filterable(c):
    for field in FIELDS:
        for row in (c.all_a[1], c.all_a[4], c.all_a[8]):
            f = "%s eq %s" % (field, literal(field, row[field]))
            r = get(c.ca, LOGS, **{"$filter": f, "$top": 1000, "$count": "true"})
            check(r.status == 200, (f, r))
            got = r.json()["value"]
            want = [x for x in c.all_a if x[field] == row[field]]
            check(len(got) == len(want) == r.json()["@odata.count"] and len(got) > 0,
                  (f, len(got), len(want)))
            check(all(x[field] == row[field] for x in got), f)
    # and: two fields at once, and values no record has.
    f = "action eq 'block' and destinationPort eq 443"
    got = get(c.ca, LOGS, **{"$filter": f, "$top": 1000}).json()["value"]
    want = [x for x in c.all_a if x["action"] == "block" and x["destinationPort"] == 443]
    check(len(got) == len(want), (f, got))
    for f in ("sourceIp eq '192.0.2.1'", "trafficType eq 'private'",
              "deviceCategory eq 'client'", "networkProtocol eq 'ipv6'",
              "transportProtocol eq 'ipx'", "destinationFQDN eq 'none.example'",
              "createdDateTime eq 2020-01-01T00:00:00Z", "sentBytes eq 1",
              "createdDateTime ge 2026-11-05T00:00:00Z and createdDateTime lt 2026-11-05T00:00:00Z"):
        r = get(c.ca, LOGS, **{"$filter": f})
        check(r.status == 200 and r.json()["value"] == [], (f, r))
    # createdDateTime bounds.
    f = "createdDateTime ge 2026-11-03T00:00:00Z and createdDateTime le 2026-11-05T10:03:00Z"
    got = get(c.ca, LOGS, **{"$filter": f, "$top": 1000}).json()["value"]
    want = [x for x in c.all_a
            if "2026-11-03T00:00:00.000Z" <= x["createdDateTime"] <= "2026-11-05T10:03:00.000Z"]
    check(len(got) == len(want) and len(want) > 0, (len(got), len(want)))


def test_orderby_and_paging(c):
    for field in FIELDS:
        for d in ("asc", "desc"):
            first = get(c.ca, LOGS, **{"$orderby": "%s %s" % (field, d), "$top": 7})
            rows, pages = follow(c, c.ca, first)
            check(len(rows) == NA and pages == (NA + 6) // 7, (field, d, len(rows), pages))
            check(len({x["transactionId"] for x in rows}) == NA, (field, d))
            want = sorted(c.all_a, key=lambda x: sort_key(field, x), reverse=d == "desc")
            check([x["transactionId"] for x in rows] == [x["transactionId"] for x in want],
                  (field, d))
    # No suffix is ascending; the options ride along the nextLink.
    first = get(c.ca, LOGS, **{"$orderby": "sentBytes", "$top": 4,
                               "$filter": "action eq 'allow'", "$select": "sentBytes,action",
                               "$count": "true"})
    rows, _ = follow(c, c.ca, first)
    want = sorted(x["sentBytes"] for x in c.all_a if x["action"] == "allow")
    check([x["sentBytes"] for x in rows] == want, rows)
    check(all(set(x) == {"sentBytes", "action"} for x in rows), rows[0])


def test_paging_is_stable(c):
    """Records written between two pages neither repeat nor shift rows."""
    first = get(c.ca, LOGS, **{"$top": 10})
    j = first.json()
    newer = records(c.a["id"], 3, 99)
    for x in newer:
        x["createdDateTime"] = "2026-12-01T00:00:00.000Z"
    fill(c, newer)
    nxt = j["@odata.nextLink"]
    rest, _ = follow(c, c.ca, request(c.d.url, "GET", nxt[len(c.d.url):], token=c.ca.token))
    ids = [x["transactionId"] for x in j["value"] + rest]
    check(len(ids) == NA and len(set(ids)) == NA, len(ids))
    # The later tests look at November only (filters, report windows).
    c.all_a = get(c.ca, LOGS, **{"$top": 1000,
                                 "$filter": "createdDateTime lt 2026-12-01T00:00:00Z"}
                  ).json()["value"]
    check(len(c.all_a) == NA)


def test_bad_queries(c):
    cases = [
        ({"$filter": "nosuch eq 'x'"}, ["nosuch", "transactionId"]),
        ({"$filter": "action ne 'block'"}, "eq"),
        ({"$filter": "action eq 'drop'"}, "allow, block"),
        ({"$filter": "action eq block"}, "quotes"),
        ({"$filter": "sourcePort eq '80'"}, "without quotes"),
        ({"$filter": "sourcePort eq 70000"}, "65535"),
        ({"$filter": "sourceIp eq '10.1.0.300'"}, "IPv4"),
        ({"$filter": "transportProtocol eq 'tcpx'"}, "networkingProtocol"),
        ({"$filter": "deviceCategory eq 'phone'"}, "deviceCategory"),
        ({"$filter": "createdDateTime eq '2026-01-01'"}, "date and time"),
        ({"$filter": "action eq 'block' or action eq 'allow'"}, "joined by 'and'"),
        ({"$filter": "action eq 'block' and action eq 'allow'"}, "more than once"),
        ({"$filter": "action eq 'block"}, "not supported"),
        ({"$filter": ""}, "not supported"),
        ({"$orderby": "nosuch"}, "nosuch"),
        ({"$orderby": "action sideways"}, "asc or desc"),
        ({"$orderby": "action,sentBytes"}, "one property"),
        ({"$top": "0"}, "$top"), ({"$top": "1001"}, "$top"), ({"$top": "x"}, "$top"),
        ({"$skiptoken": "garbage"}, "@odata.nextLink"),
        ({"$skiptoken": "1.a.7431.5"}, "@odata.nextLink"),
        ({"$select": "nosuch"}, "nosuch"),
        ({"$expand": "x"}, "not supported"), ({"$skip": "3"}, "not supported"),
        ({"$count": "maybe"}, "$count"),
    ]
    for params, contains in cases:
        expect_error(get(c.ca, LOGS, **params), 400, "BadRequest", contains)
    # A token is tied to the order it was issued for.
    j = get(c.ca, LOGS, **{"$top": 3}).json()
    tok = urllib.parse.parse_qs(urllib.parse.urlparse(j["@odata.nextLink"]).query)["$skiptoken"][0]
    expect_error(get(c.ca, LOGS, **{"$skiptoken": tok, "$orderby": "sentBytes"}), 400,
                 "BadRequest", "$orderby")
    check(get(c.ca, LOGS, **{"$skiptoken": tok}).status == 200)


def test_tenant_isolation(c):
    r = get(c.cb, LOGS, **{"$top": 1000, "$count": "true"})
    rows = r.json()["value"]
    check(len(rows) == NB == r.json()["@odata.count"], r)
    check(all(x["tenantId"] == c.b["id"] for x in rows), rows)
    check({x["transactionId"] for x in rows} == {x["transactionId"] for x in c.recs_b})
    a_id = c.all_a[0]["transactionId"]
    expect_error(c.cb.get(LOGS + "/" + a_id), 404)
    for f in ("transactionId eq '%s'" % a_id, "tenantId eq '%s'" % c.a["id"],
              "remoteNetworkId eq '%s'" % c.all_a[0]["remoteNetworkId"]):
        r = get(c.cb, LOGS, **{"$filter": f})
        check(r.status == 200 and r.json()["value"] == [], (f, r))
    r = get(c.cb, LOGS, **{"$filter": "tenantId eq '%s'" % c.b["id"], "$top": 1000})
    check(len(r.json()["value"]) == NB, r)
    # Paging B to the end never reaches A's rows.
    rows, _ = follow(c, c.cb, get(c.cb, LOGS, **{"$top": 2, "$orderby": "sentBytes"}))
    check(len(rows) == NB and all(x["tenantId"] == c.b["id"] for x in rows))
    # Summaries too.
    w = "(startDateTime=2026-01-01T00:00:00Z,endDateTime=2027-01-01T00:00:00Z)"
    r = c.cb.get("/networkAccess/reports/trafficSummary" + w)
    check(sum(x["count"] for x in r.json()["actions"]) == NB, r)


WINDOW = "startDateTime=2026-11-01T00:00:00Z,endDateTime=2026-11-30T00:00:00Z"


def test_reports(c):
    r = c.ca.get("/networkAccess/reports/transactionSummaries(%s)" % WINDOW)
    check(r.status == 200, r)
    got = {x["trafficType"]: x for x in r.json()["value"]}
    check(set(got) == {"internet", "private", "microsoft365"}, got)
    for tt in ("internet", "microsoft365"):
        rows = [x for x in c.all_a if x["trafficType"] == tt]
        check(got[tt]["totalCount"] == len(rows), got)
        check(got[tt]["blockedCount"] == sum(x["action"] == "block" for x in rows), got)
    check(got["private"] == {"trafficType": "private", "totalCount": 0, "blockedCount": 0})

    r = get(c.ca, "/networkAccess/reports/getDestinationSummaries(%s,aggregatedBy='transactions')"
            % WINDOW, **{"$top": 3})
    check(r.status == 200, r)
    v = r.json()["value"]
    counts = {}
    for x in c.all_a:
        d = x["destinationFQDN"] or x["destinationIp"]
        counts[d] = counts.get(d, 0) + 1
    best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    check(len(v) == 3 and [x["count"] for x in v] == [n for _, n in best[:3]], (v, best))
    for x in v:
        check(counts[x["destination"]] == x["count"], x)

    r = c.ca.get("/networkAccess/reports/trafficSummary(%s)" % WINDOW)
    check(r.status == 200, r)
    j = r.json()
    acts = {x["action"]: x for x in j["actions"]}
    for a in ("allow", "block"):
        rows = [x for x in c.all_a if x["action"] == a]
        check(acts[a]["count"] == len(rows), acts)
        check(acts[a]["sentBytes"] == sum(x["sentBytes"] for x in rows), acts)
        check(acts[a]["receivedBytes"] == sum(x["receivedBytes"] for x in rows), acts)
    pol = {x["policyId"]: x["count"] for x in j["policies"]}
    for p in {x["policyId"] for x in c.all_a}:
        check(pol[p] == sum(x["policyId"] == p for x in c.all_a), (p, pol))
    # A narrower window counts fewer.
    r = c.ca.get("/networkAccess/reports/trafficSummary(startDateTime=2026-11-01T00:00:00Z,"
                 "endDateTime=2026-11-01T23:59:59Z)")
    n = sum(x["count"] for x in r.json()["actions"])
    check(n == sum(x["createdDateTime"].startswith("2026-11-01") for x in c.all_a) and 0 < n < NA)

    bad = [("transactionSummaries(startDateTime=2026-11-01T00:00:00Z)", "endDateTime"),
           ("transactionSummaries(startDateTime=x,endDateTime=2026-11-30T00:00:00Z)",
            "startDateTime"),
           ("transactionSummaries(startDateTime=2026-11-30T00:00:00Z,"
            "endDateTime=2026-11-01T00:00:00Z)", "before"),
           ("transactionSummaries(%s,color=red)" % WINDOW, "color"),
           ("getDestinationSummaries(%s,aggregatedBy='users')" % WINDOW, "transactions"),
           ("transactionSummaries", "function call")]
    for path, contains in bad:
        expect_error(c.ca.get("/networkAccess/reports/" + path), 400, "BadRequest", contains)
    expect_error(c.ca.get("/networkAccess/reports/nosuch(%s)" % WINDOW), 404, "NotFound")


def test_kill9_loses_no_committed_batch(c):
    """traffic_fill killed with SIGKILL mid-run: every batch is all there or
    not at all, and the log still opens (SQLite WAL; docs/store.md)."""
    if not c.db.startswith("sqlite:"):
        return
    import signal
    import sqlite3
    import time
    tenant = str(uuid.uuid4())      # no API tenant: nothing else sees it
    recs = records(tenant, 20000, 5)
    path = c.db[len("sqlite:"):] + "-traffic"

    def count():
        db = sqlite3.connect(path, timeout=10)
        try:
            return db.execute("SELECT count(*) FROM traffic_logs WHERE tenant_id = ?",
                              (tenant,)).fetchone()[0]
        finally:
            db.close()
    p = subprocess.Popen([FILL, "--db", c.db, "--batch", "100"], stdin=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    p.stdin.write(json.dumps(recs).encode())
    p.stdin.close()
    end = time.time() + 120
    while count() == 0 and p.poll() is None and time.time() < end:
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.wait()
    n = count()
    check(n % 100 == 0 and 0 < n <= 20000, n)
    check(c.ca.get(LOGS + "?$top=1").status == 200)


def on_postgresql():
    """The same tests on a throwaway PostgreSQL (the traffic_logs table on
    its own connection), in a child run with BG_TEST_DB; its exit code."""
    pg = os.path.join(SRC, "tests", "include", "pg_server.sh")
    out = subprocess.run(["sh", pg, "start"], capture_output=True, text=True, timeout=180)
    if out.returncode != 0:
        print("FAIL pg_server.sh start: " + out.stderr, flush=True)
        return 1
    pdir, url = out.stdout.split("\n")[:2]
    try:
        print("== on PostgreSQL", flush=True)
        child = subprocess.run([sys.executable, os.path.abspath(__file__)],
                               env=dict(os.environ, BG_TEST_DB=url), timeout=600)
        return child.returncode
    finally:
        subprocess.run(["sh", pg, "stop", pdir], capture_output=True, timeout=180)


if __name__ == "__main__":
    pg_rc = 0 if os.environ.get("BG_TEST_DB") else on_postgresql()
    if not os.environ.get("BG_TEST_DB"):
        print("== on SQLite", flush=True)
    try:
        run_tests([test_shape, test_auth_and_methods, test_filter_action_block,
                   test_every_field_filterable, test_orderby_and_paging,
                   test_paging_is_stable,
                   test_bad_queries, test_tenant_isolation, test_reports,
                   test_kill9_loses_no_committed_batch],
                  setup=setup, teardown=teardown)
    except SystemExit as e:
        sys.exit(e.code or pg_rc)
