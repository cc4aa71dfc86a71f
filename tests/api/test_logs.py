#!/usr/bin/python3
"""GET /networkAccess/logs/remoteNetworks (system-facts §2.5): the shape of
the collection, $top / $skiptoken / $filter / $select validation, keyset
paging through @odata.nextLink and tenant isolation. Only the gateway writes
health events, so the paging tests plant rows with a second SQLite connection
to the daemon's database (WAL lets it write while the daemon runs)."""
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import (DAEMON, RN, Client, Daemon, check, expect_error,  # noqa: E402
                    request, run_tests, tenant_create, tmpdir)

LOGS = "/networkAccess/logs/remoteNetworks"
FIELDS = {"id", "remoteNetworkId", "createdDateTime", "sourceIp", "destinationIp",
          "status", "description", "bgpRoutesAdvertisedCount", "sentBytes",
          "receivedBytes"}


class Ctx:
    pass


def setup():
    c = Ctx()
    c.dir = tmpdir()
    # Kernel-picked UDP ports: the test needs no privileges and no free 500.
    c.d = Daemon(c.dir, extra=["--ike-port", "0", "--natt-port", "0"]).start()
    c.a = tenant_create(c.d.db, "logs-a")
    c.b = tenant_create(c.d.db, "logs-b")
    c.ca = Client(c.d, c.a["token"])
    c.cb = Client(c.d, c.b["token"])
    return c


def teardown(c):
    c.d.stop()
    shutil.rmtree(c.dir, ignore_errors=True)


def plant(c, tenant, rn_id, ms, status="tunnelConnected", desc=None):
    """One health event row, as the gateway writes it."""
    eid = str(uuid.uuid4())
    db = sqlite3.connect(c.d.db[len("sqlite:"):], timeout=10)
    db.execute("INSERT INTO health_events (tenant_id, id, remote_network_id, created_ms,"
               " source_ip, destination_ip, status, description) VALUES"
               " (?, ?, ?, ?, '198.51.100.7', '203.0.113.1', ?, ?)",
               (tenant["id"], eid, rn_id, ms, status, desc))
    db.commit()
    db.close()
    return eid


def test_empty_collection(c):
    r = c.ca.get(LOGS)
    check(r.status == 200, r)
    j = r.json()
    check(j == {"@odata.context": "$metadata#networkAccess/logs/remoteNetworks",
                "value": []}, j)
    # Graph's version prefix and case-insensitive segments, as elsewhere.
    check(c.ca.get("/beta/networkaccess/Logs/RemoteNetworks").status == 200)


def test_auth_and_methods(c):
    expect_error(request(c.d.url, "GET", LOGS), 401, "Unauthorized")
    expect_error(request(c.d.url, "GET", LOGS, token="bgt_0123456789abcdef.x"), 401)
    r = c.ca.post(LOGS, {})
    expect_error(r, 405, "MethodNotAllowed")
    check(r.headers.get("Allow") == "GET", r.headers)
    expect_error(c.ca.delete(LOGS), 405)
    expect_error(c.ca.get(LOGS + "/" + str(uuid.uuid4())), 404, "NotFound")


def test_top(c):
    for bad in ("0", "1001", "-1", "abc", "1.5", "", "+5", " 5"):
        expect_error(c.ca.get(LOGS + "?$top=" + urllib.parse.quote(bad)), 400,
                     "BadRequest", "$top")
    for ok in ("1", "100", "1000"):
        check(c.ca.get(LOGS + "?$top=" + ok).status == 200, ok)
    expect_error(c.ca.get(LOGS + "?$top=1&$top=2"), 400, contains="more than once")


def test_unknown_options(c):
    for q in ("$skip=10", "$orderby=createdDateTime", "$count=true", "$expand=x",
              "foo=bar", "$search=x"):
        expect_error(c.ca.get(LOGS + "?" + q), 400, "BadRequest", "not supported")


def test_skiptoken(c):
    for bad in ("x", "123", "123_", "_" + str(uuid.uuid4()), "abc_" + str(uuid.uuid4()),
                "1_not-a-guid", "1_" + str(uuid.uuid4()).upper()):
        expect_error(c.ca.get(LOGS + "?$skiptoken=" + urllib.parse.quote(bad)), 400,
                     "BadRequest", "$skiptoken")
    r = c.ca.get(LOGS + "?$skiptoken=1700000000000_" + str(uuid.uuid4()))
    check(r.status == 200 and r.json()["value"] == [], r)


def test_filter_validation(c):
    rn = str(uuid.uuid4())
    good = ["remoteNetworkId eq '%s'" % rn, "status eq 'tunnelConnected'",
            "status eq 'remoteNetworkAlive'",
            "remoteNetworkId eq '%s' and status eq 'bgpConnected'" % rn,
            "status  eq  'tunnelDisconnected'  and  remoteNetworkId eq '%s'" % rn,
            "status EQ 'bgpDisconnected'"]
    for f in good:
        r = c.ca.get(LOGS + "?$filter=" + urllib.parse.quote(f))
        check(r.status == 200 and r.json()["value"] == [], (f, r))
    expect_error(c.ca.get(LOGS + "?$filter=" + urllib.parse.quote("status eq 'up'")),
                 400, "BadRequest", ["status 'up'", "tunnelConnected"])
    expect_error(c.ca.get(LOGS + "?$filter=" +
                          urllib.parse.quote("remoteNetworkId eq 'nope'")),
                 400, "BadRequest", "not a GUID")
    for f in ("sourceIp eq '198.51.100.7'", "status ne 'tunnelConnected'",
              "status eq tunnelConnected", "status eq 'tunnelConnected' or status eq "
              "'bgpConnected'", "status eq 'tunnelConnected' and",
              "status eq 'tunnelConnected' and status eq 'bgpConnected'",
              "contains(description,'x')", "", "status eq 'tunnelConnected"):
        expect_error(c.ca.get(LOGS + "?$filter=" + urllib.parse.quote(f)), 400,
                     "BadRequest", "$filter")


def test_select_validation(c):
    check(c.ca.get(LOGS + "?$select=status,createdDateTime").status == 200)
    check(c.ca.get(LOGS + "?$select=" + ",".join(sorted(FIELDS))).status == 200)
    expect_error(c.ca.get(LOGS + "?$select=status,bogus"), 400, "BadRequest", "bogus")


def test_events_paging(c):
    rn1, rn2 = str(uuid.uuid4()), str(uuid.uuid4())
    base = 1700000000000
    ids = []
    for i in range(7):
        ids.append(plant(c, c.a, rn1 if i % 2 else rn2, base + (i // 2) * 1000,
                         "tunnelConnected" if i % 3 else "tunnelDisconnected",
                         "detail %d" % i if i != 4 else None))
    other = plant(c, c.b, rn1, base + 99000)

    r = c.ca.get(LOGS)
    check(r.status == 200, r)
    v = r.json()["value"]
    check(len(v) == 7 and "@odata.nextLink" not in r.json(), r)
    check(other not in [e["id"] for e in v], "tenant B's event leaked to A")
    for e in v:
        check(set(e) == FIELDS, e)
        check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", e["createdDateTime"]), e)
        check(e["sourceIp"] == "198.51.100.7" and e["destinationIp"] == "203.0.113.1", e)
        check(e["bgpRoutesAdvertisedCount"] == 0 and e["sentBytes"] == 0
              and e["receivedBytes"] == 0, e)
    # Newest first.
    keys = [(e["createdDateTime"], e["id"]) for e in v]
    check(keys == sorted(keys, reverse=True), keys)
    check(v[-1]["createdDateTime"] == "2023-11-14T22:13:20.000Z", v[-1])
    nodesc = [e for e in v if e["id"] == ids[4]][0]
    check(nodesc["description"] is None, nodesc)

    # Keyset paging through nextLink, keeping $filter / $select.
    seen, url, pages = [], LOGS + "?$top=2&$select=status", 0
    while url:
        r = c.ca.get(url)
        check(r.status == 200, r)
        j = r.json()
        for e in j["value"]:
            check(set(e) == {"id", "status"}, e)
        seen += [e["id"] for e in j["value"]]
        pages += 1
        url = j.get("@odata.nextLink")
        if url:
            check(url.startswith(c.d.url + LOGS + "?"), url)
            check("%24select=status" in url or "$select=status" in url, url)
            url = url[len(c.d.url):]
    check(pages == 4 and seen == [e["id"] for e in v], (pages, seen))

    # Filters.
    r = c.ca.get(LOGS + "?$filter=" + urllib.parse.quote("remoteNetworkId eq '%s'" % rn1))
    check(sorted(e["id"] for e in r.json()["value"]) == sorted(ids[1::2]), r)
    f = "status eq 'tunnelDisconnected' and remoteNetworkId eq '%s'" % rn2
    r = c.ca.get(LOGS + "?$filter=" + urllib.parse.quote(f) + "&$top=1")
    j = r.json()
    check([e["id"] for e in j["value"]] == [ids[6]] and "@odata.nextLink" in j, j)
    r = c.ca.get(j["@odata.nextLink"][len(c.d.url):])
    j = r.json()
    check([e["id"] for e in j["value"]] == [ids[0]] and "@odata.nextLink" not in j, j)

    # Tenant B sees only its own, even filtering on A's remote network.
    r = c.cb.get(LOGS + "?$filter=" + urllib.parse.quote("remoteNetworkId eq '%s'" % rn1))
    check([e["id"] for e in r.json()["value"]] == [other], r)


def test_config_change_survives(c):
    """A write through the API wakes the gateway, which reloads without harm."""
    r = c.ca.post(RN, {"name": "logs-rn", "region": "eastUS"})
    check(r.status == 201, r)
    r = c.ca.delete(RN + "/" + r.json()["id"])
    check(r.status == 204, r)
    check(c.ca.get(LOGS + "?$top=1").status == 200)
    check("device links (" in c.d.log(), "no gateway reload logged")


def test_port_flags(c):
    for bad in (["--ike-port", "70000"], ["--natt-port", "x"], ["--ike-port", "-1"]):
        out = subprocess.run([DAEMON] + bad, capture_output=True, text=True, timeout=20)
        check(out.returncode == 64 and "want 0..65535" in out.stderr, (bad, out))
    out = subprocess.run([DAEMON, "--ike-port", "4500", "--natt-port", "4500"],
                         capture_output=True, text=True, timeout=20)
    check(out.returncode == 64 and "must differ" in out.stderr, out)


if __name__ == "__main__":
    run_tests([test_empty_collection, test_auth_and_methods, test_top,
               test_unknown_options, test_skiptoken, test_filter_validation,
               test_select_validation, test_events_paging, test_config_change_survives,
               test_port_flags],
              setup, teardown)
