#!/usr/bin/python3
"""GET /networkAccess/logs/remoteNetworks (system-facts §2.5): the shape of
the collection, $top / $skiptoken / $filter / $select validation, keyset
paging through @odata.nextLink and tenant isolation. Only the gateway writes
health events, so the paging tests plant rows with a second SQLite connection
to the daemon's database (WAL lets it write while the daemon runs)."""
import os
import re
import sqlite3
import subprocess
import sys
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import (DAEMON, RN, Client, check, expect_error, gateway, gateway_stop,  # noqa: E402
                    request, run_tests, tenant_create)

LOGS = "/networkAccess/logs/remoteNetworks"
FIELDS = {"id", "remoteNetworkId", "createdDateTime", "sourceIp", "destinationIp",
          "status", "description", "bgpRoutesAdvertisedCount", "sentBytes",
          "receivedBytes"}


def setup():
    # Kernel-picked UDP ports: the test needs no privileges and no free 500.
    c = gateway(("logs-a", "logs-b"), extra=["--ike-port", "0", "--natt-port", "0"])
    c.a, c.b = c.tenants
    c.ca, c.cb = c.clients
    return c


def teardown(c):
    gateway_stop(c)


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
    # Absolute, as Graph's; without --public-url on the --api address.
    check(j == {"@odata.context": c.d.url + "/$metadata#networkAccess/logs/remoteNetworks",
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
    for q in ("$skip=10", "$orderby=status", "$expand=x", "foo=bar", "$search=x",
              "skip=10", "search=x"):
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
    # A percent-decoded byte that is not UTF-8, quoted in the message:
    # still a Graph error body (the quote is made printable first).
    for q in ("$filter=status%20eq%20%27%FF%27", "$top=%FF", "$orderby=%FE%FF"):
        expect_error(c.ca.get(LOGS + "?" + q), 400, "BadRequest")


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


def fresh_tenant(c, name):
    t = tenant_create(c.d.db, name)
    return t, Client(c.d, t["token"])


def page_all(cl, url, base):
    """Follow @odata.nextLink from url; the events and the pages' JSON."""
    events, pages = [], []
    while url:
        r = cl.get(url)
        check(r.status == 200, r)
        j = r.json()
        pages.append(j)
        events += j["value"]
        url = j.get("@odata.nextLink")
        if url:
            check(url.startswith(base + LOGS + "?"), url)
            url = url[len(base):]
    return events, pages


def test_orderby(c):
    t, cl = fresh_tenant(c, "logs-order")
    rn = str(uuid.uuid4())
    base = 1767225600000            # 2026-01-01T00:00:00Z
    ids = [plant(c, t, rn, base + (i // 2) * 1000) for i in range(7)]
    newest = cl.get(LOGS).json()["value"]
    keys = [(e["createdDateTime"], e["id"]) for e in newest]
    check(len(keys) == 7 and keys == sorted(keys, reverse=True), keys)
    for o, rev in (("createdDateTime desc", True), ("createdDateTime  DESC", True),
                   ("createdDateTime asc", False), ("createdDateTime", False)):
        v = cl.get(LOGS + "?$orderby=" + urllib.parse.quote(o)).json()["value"]
        got = [(e["createdDateTime"], e["id"]) for e in v]
        check(got == sorted(keys, reverse=rev), (o, got))
    # Paging oldest first: nextLink keeps $orderby, no row twice or missed.
    ev, pages = page_all(cl, LOGS + "?$top=3&$orderby=" + urllib.parse.quote("createdDateTime asc"),
                         c.d.url)
    check(len(pages) == 3 and [e["id"] for e in ev] ==
          [e["id"] for e in reversed(newest)], (len(pages), ev))
    check(sorted(ids) == sorted(e["id"] for e in ev))
    for bad in ("status", "createdDateTime up", "createdDateTime desc,id desc",
                "createdDateTime asc desc", "createddatetime", " ", "id desc"):
        expect_error(cl.get(LOGS + "?$orderby=" + urllib.parse.quote(bad)), 400, "BadRequest",
                     "$orderby")


def test_created_filter(c):
    t, cl = fresh_tenant(c, "logs-time")
    rn, other = str(uuid.uuid4()), str(uuid.uuid4())
    base = 1767225600000            # 2026-01-01T00:00:00Z
    e0 = plant(c, t, rn, base)                               # 00:00:00.000
    e1 = plant(c, t, rn, base + 1500, "bgpConnected")       # 00:00:01.500
    e2 = plant(c, t, rn, base + 3600000)                     # 01:00:00.000
    e3 = plant(c, t, other, base + 86400000)                 # next day
    plant(c, c.b, rn, base + 1500)                           # another tenant

    def ids(f, extra=""):
        r = cl.get(LOGS + "?$filter=" + urllib.parse.quote(f) + extra)
        check(r.status == 200, (f, r))
        return [e["id"] for e in r.json()["value"]]

    d = "2026-01-01T"
    check(ids("createdDateTime ge 2026-01-01T00:00:00Z") == [e3, e2, e1, e0])
    check(ids("createdDateTime ge %s00:00:00Z and createdDateTime le %s01:00:00Z" % (d, d))
          == [e2, e1, e0])
    check(ids("createdDateTime gt %s00:00:00Z and createdDateTime lt %s01:00:00Z" % (d, d))
          == [e1])
    # The brief's own example: ge and le, with the other filters.
    check(ids("createdDateTime ge 2026-01-01T00:00:00Z and createdDateTime le "
              "2026-01-01T23:59:59Z and remoteNetworkId eq '%s'" % rn) == [e2, e1, e0])
    check(ids("status eq 'bgpConnected' and createdDateTime le %s00:00:02Z" % d) == [e1])
    # Fractions and offsets, down to the millisecond (events carry ms).
    check(ids("createdDateTime ge %s00:00:01.5Z and createdDateTime le %s00:00:01.500Z"
              % (d, d)) == [e1])
    check(ids("createdDateTime ge %s00:00:01.5000001Z" % d) == [e3, e2])
    check(ids("createdDateTime le %s00:00:01.4999999Z" % d) == [e0])
    check(ids("createdDateTime lt %s00:00:01.5000001Z" % d) == [e1, e0])
    check(ids("createdDateTime le 2026-01-01T02:00:00+01:00") == [e2, e1, e0])
    check(ids("createdDateTime lt 2026-01-01T02:00:00+01:00") == [e1, e0])
    check(ids("createdDateTime ge 2025-12-31T23:00:00-01:00") == [e3, e2, e1, e0])
    check(ids("createdDateTime ge 2025-12-31T19:00:01.5-05:00") == [e3, e2, e1])
    # Seconds are optional in OData's literal.
    check(ids("createdDateTime ge 2026-01-01T00:00Z and createdDateTime le "
              "2026-01-01T00:00Z") == [e0])
    check(ids("createdDateTime ge 2027-01-01T00:00:00Z") == [])
    check(ids("createdDateTime ge 2026-01-02T00:00:00Z and createdDateTime le "
              "2026-01-01T00:00:00Z") == [])
    # Paging inside a range; the nextLink keeps the filter.
    ev, pages = page_all(cl, LOGS + "?$top=1&$filter=" + urllib.parse.quote(
        "createdDateTime le %s01:00:00Z" % d), c.d.url)
    check([e["id"] for e in ev] == [e2, e1, e0] and len(pages) == 3, ev)
    for bad in ("'2026-01-01T00:00:00Z'", "2026-01-01", "2026-01-01T00:00:00",
                "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                "2026-01-01T24:00:00Z", "2026-01-01T00:00:60Z", "2026-01-01T00:00:00.Z",
                "2026-01-01T00:00:00+1:00", "2026-01-01T00:00:00Zx", "yesterday"):
        expect_error(cl.get(LOGS + "?$filter=" + urllib.parse.quote("createdDateTime ge " + bad)),
                     400, "BadRequest", ["createdDateTime", "2026-01-01T00:00:00Z"])
    for bad in ("createdDateTime eq 2026-01-01T00:00:00Z",
                "createdDateTime ge 2026-01-01T00:00:00Z and createdDateTime gt "
                "2026-01-01T00:00:00Z",
                "createdDateTime le 2026-01-01T00:00:00Z and createdDateTime lt "
                "2026-01-01T00:00:00Z",
                "createdDateTime ge 2026-01-01T00:00:00Z or status eq 'bgpConnected'",
                "createdDateTime ge"):
        expect_error(cl.get(LOGS + "?$filter=" + urllib.parse.quote(bad)), 400, "BadRequest",
                     ["$filter", "createdDateTime ge"])
    # A '+' left unencoded is a space in a query string: refused, not misread.
    expect_error(cl.get(LOGS + "?$filter=createdDateTime%20ge%202026-01-01T00:00:00+01:00"),
                 400, "BadRequest")


def test_count_and_next_link(c):
    t, cl = fresh_tenant(c, "logs-count")
    rn, other = str(uuid.uuid4()), str(uuid.uuid4())
    for i in range(5):
        plant(c, t, rn, 1767225600000 + i * 1000)
    plant(c, t, other, 1767225600000)
    r = cl.get(LOGS + "?$count=true&$top=2&$filter=" +
               urllib.parse.quote("remoteNetworkId eq '%s'" % rn))
    j = r.json()
    # The total of the whole filtered collection, on every page.
    check(j["@odata.count"] == 5 and len(j["value"]) == 2, j)
    check(list(j)[:2] == ["@odata.context", "@odata.count"], list(j))
    nl = j["@odata.nextLink"]
    check(nl.startswith(c.d.url + LOGS + "?") and "$count=true" in nl, nl)
    ev, pages = page_all(cl, nl[len(c.d.url):], c.d.url)
    check(len(ev) == 3 and all(p["@odata.count"] == 5 for p in pages), pages)
    check(cl.get(LOGS + "?$count=true").json()["@odata.count"] == 6)
    check("@odata.count" not in cl.get(LOGS + "?$count=false").json())
    check("@odata.count" not in cl.get(LOGS).json())
    expect_error(cl.get(LOGS + "?$count=maybe"), 400, "BadRequest", "$count")


def test_next_link_ignores_host(c):
    """nextLink is on the configured public URL (here the default, the --api
    address), never on the Host header the client chose to send."""
    t, cl = fresh_tenant(c, "logs-host")
    for i in range(2):
        plant(c, t, str(uuid.uuid4()), 1767225600000 + i)
    for host in ("evil.example:666", "127.0.0.1:1", "[::1]:80"):
        j = cl.get(LOGS + "?$top=1", headers={"Host": host}).json()
        nl = j["@odata.nextLink"]
        check(nl.startswith(c.d.url + LOGS + "?$top=1&$skiptoken="), (host, nl))
        check(j["@odata.context"].startswith(c.d.url + "/$metadata#"), (host, j))


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
               test_select_validation, test_events_paging, test_orderby,
               test_created_filter, test_count_and_next_link, test_next_link_ignores_host,
               test_config_change_survives,
               test_port_flags],
              setup, teardown)
