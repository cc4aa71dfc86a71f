#!/usr/bin/python3
"""The branchgate CLI against a real branchgated on loopback (docs/cli.md):
logs (filters, client-side time window, paging through @odata.nextLink),
link status, --version, RN and LINK by id or by name (unknown and ambiguous
names), delete confirmation (terminal, --yes, BRANCHGATE_YES; refused with
no terminal), and errors as JSON under --json. Health events and a duplicate name (which
the API refuses to create) are planted with a second SQLite connection to
the daemon's database, as test_logs.py does. The fully populated link status
(tunnels up, BGP with rejected prefixes) needs a data plane and a branch
router, so its rendering is checked against a canned answer from a local
HTTP server instead."""
import http.server
import json
import os
import pty
import re
import sqlite3
import subprocess
import sys
import threading
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import (CLI, RN, SRC, Client, check, gateway, gateway_stop, link_body,  # noqa: E402
                    run_tests, tenant_create)

LOGS = "/networkAccess/logs/remoteNetworks"
BASE_MS = 1763835886137          # 2025-11-22T18:24:46.137Z


def setup():
    c = gateway(("cli-a",        # names, deletes, status, errors
                 "cli-b",        # the duplicate name
                 "cli-logs"))    # only planted health events
    c.ta, c.tb, c.tl = c.tenants
    c.a, c.b = c.clients[:2]
    c.psk = os.path.join(c.dir, "psk")
    with open(c.psk, "w") as f:
        f.write("correct horse battery staple\n")
    os.chmod(c.psk, 0o600)
    return c


def teardown(c):
    gateway_stop(c)


class Out:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return "<exit %d\n--- stdout\n%s\n--- stderr\n%s>" % (self.rc, self.out[-3000:],
                                                            self.err[-3000:])


def env_for(c, tenant=None, url=None, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHGATE_")}
    env["BRANCHGATE_URL"] = url or c.d.url
    env["BRANCHGATE_TOKEN"] = (tenant or c.ta)["token"]
    env.update(extra)
    return env


def bg(c, *args, tenant=None, url=None, stdin=None, **extra):
    """The CLI with stdin not a terminal (/dev/null unless text is given)."""
    r = subprocess.run([CLI] + list(args), env=env_for(c, tenant, url, **extra),
                       input=stdin if stdin is not None else "", capture_output=True,
                       text=True, timeout=60)
    return Out(r.returncode, r.stdout, r.stderr)


def bg_tty(c, *args, answer=None, tenant=None, **extra):
    """The CLI with stdin a terminal; answer is typed into it."""
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen([CLI] + list(args), env=env_for(c, tenant, **extra),
                             stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        os.close(slave)
        slave = -1
        if answer is not None:
            os.write(master, answer.encode())
        out, err = p.communicate(timeout=60)
        return Out(p.returncode, out, err)
    finally:
        if slave != -1:
            os.close(slave)
        os.close(master)


def ok(r):
    check(r.rc == 0, r)
    return r


def mk_rn(cl, name, region="westEurope"):
    r = cl.post(RN, {"name": name, "region": region})
    check(r.status == 201, r)
    return r.json()["id"]


def mk_link(cl, rn, name, n, **over):
    r = cl.post(RN + "/" + rn + "/deviceLinks",
                link_body(name=name, ip="198.51.100.%d" % n, local="10.%d.0.1" % n,
                          peer="10.%d.0.2" % n, **over))
    check(r.status == 201, r)
    return r.json()["id"]


def exists(cl, path):
    r = cl.get(path)
    check(r.status in (200, 404), r)
    return r.status == 200


def db(c):
    return sqlite3.connect(c.db[len("sqlite:"):], timeout=10)


# --- version ------------------------------------------------------------------

def test_version(c):
    with open(os.path.join(SRC, "src", "base", "version.h")) as f:
        want = re.search(r'#define BRANCHGATE_VERSION\s+"([^"]+)"', f.read()).group(1)
    for args in (["--version"], ["version"], ["rn", "list", "--version"]):
        r = ok(bg(c, *args, url="http://127.0.0.1:9"))   # no server needed
        check(r.out == "branchgate %s\n" % want and r.err == "", r)
    r = ok(bg(c, "--json", "version"))
    check(r.json() == {"version": want}, r)
    check(bg(c, "version", "extra").rc == 64)
    r = ok(bg(c, "help"))
    check("--version" in r.out and "logs [RN]" in r.out and "link status" in r.out, r)


# --- RN and LINK by id or by name ---------------------------------------------

def test_lookup_by_name_and_id(c):
    rn = mk_rn(c.a, "Lookup Oslo")
    lk = mk_link(c.a, rn, "wan one", 11)
    other = mk_rn(c.a, "Lookup Bergen")
    mk_link(c.a, other, "wan one", 12)      # the same link name elsewhere
    for r_arg in (rn, "Lookup Oslo"):
        r = ok(bg(c, "rn", "get", r_arg))
        check(re.search(r"^id +%s$" % rn, r.out, re.M), r)
        r = ok(bg(c, "link", "list", r_arg))
        check(re.search(r"^%s +wan one " % lk, r.out, re.M), r)
        check(ok(bg(c, "config", r_arg)).out.startswith("Remote network Lookup Oslo (%s)" % rn))
        for l_arg in (lk, "wan one"):
            r = ok(bg(c, "link", "get", r_arg, l_arg))
            check(re.search(r"^id +%s$" % lk, r.out, re.M), r)
            r = ok(bg(c, "cpe-config", r_arg, l_arg, "--format", "bird"))
            check("10.11.0.2" in r.out or "10.11.0.1" in r.out, r)
            r = ok(bg(c, "--json", "link", "status", r_arg, l_arg))
            check(r.json()["linkId"] == lk, r)
    # An id in upper case is still an id (the server answers for it).
    r = bg(c, "rn", "get", rn.upper())
    check(r.rc == 1 and "is named" not in r.err, r)
    # Writes print the id the name stood for.
    r = ok(bg(c, "link", "create", "Lookup Oslo", "--name", "wan two", "--ip",
              "198.51.100.13", "--vendor", "other", "--asn", "65013", "--local-bgp",
              "10.13.0.1", "--peer-bgp", "10.13.0.2", "--psk-file", c.psk))
    check(re.match(r"created device link [0-9a-f-]{36} on remote network %s$" % rn, r.out),
          r)
    r = ok(bg(c, "link", "update", "Lookup Oslo", "wan two", "--name", "wan 2"))
    check(re.search(r"^name +wan 2$", r.out, re.M), r)
    r = ok(bg(c, "rn", "update", "Lookup Bergen", "--name", "Lookup Trondheim"))
    check(r.out == "updated remote network %s\n" % other, r)
    check(c.a.get(RN + "/" + other).json()["name"] == "Lookup Trondheim")
    # Unknown names: the server's kind of answer (exit 1), nothing guessed.
    r = bg(c, "rn", "get", "lookup oslo")                  # names match exactly
    check(r.rc == 1 and r.out == "" and
          "no remote network is named 'lookup oslo'" in r.err, r)
    r = bg(c, "link", "get", "Lookup Oslo", "wan three")
    check(r.rc == 1 and "no device link of remote network %s is named 'wan three'" % rn
          in r.err, r)
    r = bg(c, "--json", "link", "get", "Lookup Oslo", "wan three")
    check(r.rc == 1 and r.json()["error"]["code"] == "NotFound", r)
    # The CLI's own checks come before any lookup.
    r = bg(c, "link", "create", "No Such Branch", "--name", "x", "--ip", "198.51.100.99",
           "--vendor", "other", "--local-bgp", "10.99.0.1", "--peer-bgp", "10.99.0.2")
    check(r.rc == 64 and "--asn" in r.err, r)
    check(bg(c, "rn", "update", "No Such Branch").rc == 64)
    check(bg(c, "logs", "No Such Branch", "--top", "0").rc == 64)
    # Another tenant's names are not this tenant's.
    r = bg(c, "rn", "get", "Lookup Oslo", tenant=c.tb)
    check(r.rc == 1 and "no remote network is named" in r.err, r)


def test_lookup_ambiguous_name(c):
    """The API keeps names unique; a store from before the rule may not."""
    first = mk_rn(c.b, "Twin")
    dup = str(uuid.uuid4())
    con = db(c)
    con.execute("INSERT INTO remote_networks (id, tenant_id, name, region, version,"
                " modified_ms) VALUES (?, ?, 'Twin', 'westEurope', '1.0.0', ?)",
                (dup, c.tb["id"], BASE_MS))
    con.commit()
    con.close()
    check(sorted(x["id"] for x in c.b.get(RN).json()["value"] if x["name"] == "Twin")
          == sorted([first, dup]))
    for args in (["rn", "get", "Twin"], ["link", "list", "Twin"], ["logs", "Twin"],
                 ["rn", "delete", "--yes", "Twin"]):
        r = bg(c, *args, tenant=c.tb)
        check(r.rc == 1 and "2 remote networks are named 'Twin'" in r.err and
              first in r.err and dup in r.err and "give the id" in r.err, (args, r))
    r = bg(c, "--json", "rn", "get", "Twin", tenant=c.tb)
    e = r.json()["error"]
    check(r.rc == 1 and e["code"] == "AmbiguousName" and first in e["message"] and
          dup in e["message"], r)
    check(exists(c.b, RN + "/" + first) and exists(c.b, RN + "/" + dup))
    # By id each one is reachable.
    for i in (first, dup):
        r = ok(bg(c, "rn", "get", i, tenant=c.tb))
        check(re.search(r"^id +%s$" % i, r.out, re.M), r)
    ok(bg(c, "rn", "delete", "--yes", dup, tenant=c.tb))
    ok(bg(c, "rn", "get", "Twin", tenant=c.tb))     # one left: the name works again
    ok(bg(c, "rn", "delete", "--yes", "Twin", tenant=c.tb))
    check(not exists(c.b, RN + "/" + first))


# --- delete confirmation ------------------------------------------------------

def test_delete_confirmation_without_terminal(c):
    rn = mk_rn(c.a, "Del Stavanger")
    l1 = mk_link(c.a, rn, "d1", 21)
    l2 = mk_link(c.a, rn, "d2", 22)
    l3 = mk_link(c.a, rn, "d3", 23)
    lpath = RN + "/" + rn + "/deviceLinks/"
    # No terminal and no --yes: refused as a usage error that names --yes,
    # by id or by name, whatever BRANCHGATE_YES says other than 1.
    for args, env in (([rn, l1], {}), ([rn, "d1"], {}), (["Del Stavanger", l1],
                                                         {"BRANCHGATE_YES": "0"})):
        r = bg(c, "link", "delete", *args, **env)
        check(r.rc == 64 and r.out == "" and "no terminal" in r.err and "--yes" in r.err,
              (args, r))
        check(exists(c.a, lpath + l1), "deleted without confirmation")
    r = bg(c, "rn", "delete", "Del Stavanger")
    check(r.rc == 64 and "pass --yes" in r.err, r)
    r = bg(c, "--json", "rn", "delete", rn)
    check(r.rc == 64 and r.json()["error"]["code"] == "NotConfirmed" and
          "--yes" in r.json()["error"]["message"], r)
    check(exists(c.a, RN + "/" + rn) and exists(c.a, lpath + l1), "rn deleted unconfirmed")
    # Refused before anything is sent: with no server at all, still 64, not 2.
    r = bg(c, "rn", "delete", rn, url="http://127.0.0.1:9")
    check(r.rc == 64 and "no terminal" in r.err and "cannot reach" not in r.err, r)
    # --yes, -y and BRANCHGATE_YES=1 confirm; nothing is asked or warned.
    r = ok(bg(c, "link", "delete", rn, l1, "--yes", BRANCHGATE_YES="0"))
    check(r.out == "deleted device link %s\n" % l1 and r.err == "", r)
    r = ok(bg(c, "link", "delete", "-y", rn, "d2"))
    check(r.out == "deleted device link %s\n" % l2 and r.err == "", r)
    check(not exists(c.a, lpath + l1) and not exists(c.a, lpath + l2))
    r = ok(bg(c, "link", "delete", rn, l3, BRANCHGATE_YES="1"))
    check(r.err == "" and not exists(c.a, lpath + l3), r)
    r = ok(bg(c, "rn", "delete", "Del Stavanger", "--yes"))
    check(r.err == "" and not exists(c.a, RN + "/" + rn), r)
    # --yes belongs to deletes only.
    check(bg(c, "rn", "list", "--yes").rc == 64)


def test_delete_confirmation_on_terminal(c):
    rn = mk_rn(c.a, "Del Tromso")
    lk = mk_link(c.a, rn, "t1", 31)
    lpath = RN + "/" + rn + "/deviceLinks/" + lk
    for no in ("n\n", "\n", "nope\n", "\x04"):       # ^D: end of input
        r = bg_tty(c, "rn", "delete", "Del Tromso", answer=no)
        check(r.rc == 2 and "not deleted" in r.err, (no, r))
        check(re.search(r"Delete remote network 'Del Tromso' \(%s\) and its 1 device "
                        r"link\? \[y/N\]" % rn, r.err), r)
        check(exists(c.a, RN + "/" + rn), "deleted though the answer was %r" % no)
    r = bg_tty(c, "--json", "link", "delete", rn, "t1", answer="n\n")
    check(r.rc == 2 and r.json()["error"]["code"] == "NotConfirmed", r)
    check("Delete device link 't1' (%s)" % lk in r.err, r)
    # An unknown object is reported before anything is asked.
    r = bg_tty(c, "link", "delete", rn, str(uuid.uuid4()), answer="y\n")
    check(r.rc == 1 and "Delete" not in r.err and "not found" in r.err, r)
    r = bg_tty(c, "link", "delete", rn, "t1", answer="YES\n")
    check(r.rc == 0 and r.out == "deleted device link %s\n" % lk, r)
    check(not exists(c.a, lpath))
    # BRANCHGATE_YES=0 does not stop the question on a terminal.
    r = bg_tty(c, "rn", "delete", rn, answer="y\n", BRANCHGATE_YES="0")
    check(r.rc == 0 and "and its 0 device links?" in r.err, r)
    check(not exists(c.a, RN + "/" + rn))
    rn = mk_rn(c.a, "Del Bodo")
    r = bg_tty(c, "rn", "delete", "--yes", rn)        # nothing typed, nothing asked
    check(r.rc == 0 and "Delete" not in r.err and r.err == "", r)
    check(not exists(c.a, RN + "/" + rn))


# --- logs ---------------------------------------------------------------------

def plant_events(c, tenant, rows):
    """rows: (rn_id, ms, status, description); returns the event ids."""
    con = db(c)
    ids = []
    for rn_id, ms, status, desc in rows:
        eid = str(uuid.uuid4())
        ids.append(eid)
        con.execute("INSERT INTO health_events (tenant_id, id, remote_network_id, created_ms,"
                    " source_ip, destination_ip, status, description) VALUES"
                    " (?, ?, ?, ?, '198.51.100.7', '203.0.113.1', ?, ?)",
                    (tenant["id"], eid, rn_id, ms, status, desc))
    con.commit()
    con.close()
    return ids


def api_events(c, tenant):
    cl = Client(c.d, tenant["token"])
    out, url = [], LOGS + "?$top=1000"
    while url:
        j = cl.get(url).json()
        out += j["value"]
        url = j.get("@odata.nextLink")
        url = url[len(c.d.url):] if url else None
    return out


def test_logs(c):
    cl = Client(c.d, c.tl["token"])
    r = ok(bg(c, "logs", tenant=c.tl))
    check(r.out.split() == ["TIME", "REMOTE", "NETWORK", "STATUS", "SOURCE", "DESTINATION",
                            "DESCRIPTION"], r)
    oslo = mk_rn(cl, "Logs Oslo")
    gone = str(uuid.uuid4())                  # a deleted remote network's events stay
    stat = ["tunnelConnected", "bgpConnected", "tunnelDisconnected", "bgpDisconnected"]
    rows = [(oslo if i % 2 == 0 else gone, BASE_MS + i * 60000, stat[i % 4],
             "event %d" % i if i != 5 else None) for i in range(10)]
    ids = plant_events(c, c.tl, rows)

    r = ok(bg(c, "logs", tenant=c.tl))
    lines = r.out.splitlines()
    check(re.match(r"TIME +REMOTE NETWORK +STATUS +SOURCE +DESTINATION +DESCRIPTION$",
                   lines[0]), r)
    check(len(lines) == 11, r)
    # Newest first; the name where the remote network exists, else its id.
    check(re.match(r"2025-11-22T18:33:46\.137Z +%s +bgpConnected +198\.51\.100\.7 +"
                   r"203\.0\.113\.1 +event 9$" % gone, lines[1]), lines[1])
    check(re.match(r"2025-11-22T18:32:46\.137Z +Logs Oslo +tunnelConnected .* event 8$",
                   lines[2]), lines[2])
    check(re.search(r" bgpConnected +198\.51\.100\.7 +203\.0\.113\.1 +-$", lines[5]),
          lines[5])                            # no description
    check(lines[-1].startswith("2025-11-22T18:24:46.137Z"), lines[-1])

    # --json: the events as the API gives them, in one collection.
    r = ok(bg(c, "--json", "logs", tenant=c.tl))
    j = r.json()
    check(j["@odata.context"] == "$metadata#networkAccess/logs/remoteNetworks", j)
    check(j["value"] == api_events(c, c.tl), j)

    def logged(*args):
        r = ok(bg(c, "--json", "logs", *args, tenant=c.tl))
        return [e["id"] for e in r.json()["value"]]

    newest_first = ids[::-1]
    # RN by name or id (an API $filter), status (an API $filter), both.
    check(logged("Logs Oslo") == [i for i in newest_first if ids.index(i) % 2 == 0])
    check(logged(gone) == [i for i in newest_first if ids.index(i) % 2 == 1])
    check(logged("--status", "tunnelDisconnected") == [ids[6], ids[2]])
    check(logged("Logs Oslo", "--status", "tunnelDisconnected") == [ids[6], ids[2]])
    check(logged(gone, "--status", "tunnelDisconnected") == [])
    # --top: the newest N.
    check(logged("--top", "3") == newest_first[:3])
    check(logged("--top", "1", "--status", "bgpDisconnected") == [ids[7]])
    # --since (at or after) and --until (before), in any ISO 8601 form.
    check(logged("--since", "2025-11-22T18:30:46.137Z") == newest_first[:4])
    check(logged("--since", "2025-11-22T19:30:46.137+01:00") == newest_first[:4])
    check(logged("--since", "2025-11-22T18:30:46.138Z") == newest_first[:3])
    check(logged("--until", "2025-11-22T18:26:46.137Z") == [ids[1], ids[0]])
    check(logged("--since", "2025-11-22T18:25", "--until", "2025-11-22T18:28") ==
          [ids[3], ids[2], ids[1]])
    check(logged("--since", "2025-11-22", "--until", "2025-11-23") == newest_first)
    check(logged("--since", "2025-11-23") == [])
    check(logged("--until", "2025-11-22T18:30:00Z", "--top", "2", "--status",
                 "tunnelConnected") == [ids[4], ids[0]])
    # Refusals: the CLI's own (64), the server's (1).
    for bad in (["--top", "0"], ["--top", "x"], ["--since", "yesterday"],
                ["--since", "2025-02-30"], ["--until", "2025-11-22T25:00Z"],
                ["--since", "2025-11-23", "--until", "2025-11-22"], ["a", "b"]):
        r = bg(c, "logs", *bad, tenant=c.tl)
        check(r.rc == 64 and r.out == "", (bad, r))
    r = bg(c, "logs", "--status", "up", tenant=c.tl)
    check(r.rc == 1 and "not a remoteNetworkStatus" in r.err, r)
    r = bg(c, "logs", "No Such Branch", tenant=c.tl)
    check(r.rc == 1 and "no remote network is named" in r.err, r)


def test_logs_paging(c):
    """More events than one page (the API's $top is at most 1000)."""
    t = tenant_create(c.db, "cli-logs-paging")
    rn = str(uuid.uuid4())
    plant_events(c, t, [(rn, BASE_MS + i, "remoteNetworkAlive", None) for i in range(1150)])
    want = [e["id"] for e in api_events(c, t)]
    check(len(want) == 1150)
    r = ok(bg(c, "--json", "logs", tenant=t))
    check([e["id"] for e in r.json()["value"]] == want[:100], "default --top is 100")
    for top in (1000, 1001, 1149, 1150, 5000):
        r = ok(bg(c, "--json", "logs", "--top", str(top), tenant=t))
        check([e["id"] for e in r.json()["value"]] == want[:top], top)
    # A time window that starts on the second page.
    r = ok(bg(c, "--json", "logs", "--until", "2025-11-22T18:24:46.200Z", "--top", "2000",
              tenant=t))
    check([e["id"] for e in r.json()["value"]] == want[1150 - 63:], r.out[:300])
    r = ok(bg(c, "logs", "--top", "1001", tenant=t))
    check(len(r.out.splitlines()) == 1002, len(r.out.splitlines()))


# --- link status --------------------------------------------------------------

def test_link_status_real_daemon(c):
    rn = mk_rn(c.a, "Status Narvik")
    lk = mk_link(c.a, rn, "zr", 41, redundancyConfiguration={
        "redundancyTier": "zoneRedundancy", "zoneLocalIpAddress": "10.41.0.9"},
        tunnelConfiguration={"@odata.type": "#microsoft.graph.networkaccess."
                             "tunnelConfigurationIKEv2Default",
                             "preSharedKey": "Detective5OutgrowDiligence",
                             "zoneRedundancyPreSharedKey": "Detective5OutgrowZone"})
    r = ok(bg(c, "link", "status", "Status Narvik", "zr"))
    lines = r.out.splitlines()
    api = c.a.get(RN + "/" + rn + "/deviceLinks/" + lk + "/status").json()
    # Why it passes no traffic comes first.
    check(re.match(r"health +%s: \S" % api["health"]["reason"], lines[0]), r)
    check(re.search(r"^link +%s$" % lk, r.out, re.M), r)
    check(re.search(r"^tunnel +disconnected, 0 child SA\(s\), data plane off$", r.out, re.M),
          r)
    check(re.search(r"^zone 1 +disconnected", r.out, re.M) and
          re.search(r"^zone 2 +disconnected", r.out, re.M), r)
    check(re.search(r"^ESP drops +replay 0, authentication 0, malformed 0, spoofed source 0$",
                    r.out, re.M), r)
    check(re.search(r"^BGP +none \(no data plane", r.out, re.M), r)
    r = ok(bg(c, "--json", "link", "status", rn, lk))
    j = r.json()
    check(set(j) == set(api) and j["linkId"] == lk and j["tunnels"] == api["tunnels"], j)
    r = bg(c, "link", "status", rn, str(uuid.uuid4()))
    check(r.rc == 1 and "not found" in r.err, r)
    check(bg(c, "link", "status", rn).rc == 64)


CANNED_STATUS = {
    "linkId": "5d1e8c2e-0000-4000-8000-00000000c0de",
    "tunnelState": "connected", "dataPlane": True, "childSecurityAssociations": 2,
    "esp": {"inboundPackets": 1200, "inboundBytes": 901234, "outboundPackets": 1100,
            "outboundBytes": 800321, "replayDrops": 3, "authenticationFailures": 4,
            "malformedDrops": 5, "spoofedSourceDrops": 17},
    "health": {"reason": "noRoutesAccepted",
               "detail": "zone 1: 2 prefixes received, all refused by the import policy"},
    "tunnels": [
        {"zone": 1, "tunnelState": "connected", "childSecurityAssociations": 1,
         "localEndpoint": "203.0.113.1", "remoteEndpoint": "198.51.100.7",
         "remotePort": 4500, "encapsulation": "udp",
         "ikeSuite": "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384",
         "espSuite": "AES_GCM_16_256/NO_EXT_SEQ", "establishedDateTime":
         "2025-11-22T18:24:46.137Z"},
        {"zone": 2, "tunnelState": "disconnected", "childSecurityAssociations": 0}],
    "bgp": {"state": "established", "localAddress": "10.2.0.8", "peerAddress": "10.1.255.2",
            "peerAsn": 65010, "receivedPrefixes": 2, "learnedPrefixes": 0,
            "advertisedPrefixes": 1, "establishedDateTime": "2025-11-22T18:24:50.000Z",
            "lastError": None, "rejectedPrefixes": 2,
            "rejectReasons": {"martian": 1, "tooLong": 1}},
    "zoneRedundancyBgp": {"state": "active", "localAddress": "10.2.0.9",
                          "peerAddress": "10.1.255.2", "peerAsn": 65010,
                          "receivedPrefixes": 0, "learnedPrefixes": 0,
                          "advertisedPrefixes": 0, "rejectedPrefixes": 0,
                          "rejectReasons": {},
                          "lastError": "path to the peer down: IPsec tunnel down (peer "
                                       "deleted)"},
    "localEndpoint": "203.0.113.1",
}


class Canned:
    """A stand-in server: fixed answers by path, every request recorded."""

    def __init__(self, routes):
        self.routes, self.seen = routes, []
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                outer.seen.append((self.path, self.headers.get("Authorization")))
                body = outer.routes.get(self.path)
                code = 200 if body is not None else 404
                if body is None:
                    body = {"error": {"code": "NotFound", "message": "canned: no " +
                                      self.path}}
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d" % self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def test_link_status_all_fields(c):
    rn, lk = str(uuid.uuid4()), CANNED_STATUS["linkId"]
    srv = Canned({RN + "/" + rn + "/deviceLinks/" + lk + "/status": CANNED_STATUS})
    try:
        r = ok(bg(c, "link", "status", rn, lk, url=srv.url))
        r_json = ok(bg(c, "--json", "link", "status", rn, lk, url=srv.url))
    finally:
        srv.close()
    check(r_json.json() == CANNED_STATUS, r_json)
    want = [
        r"health +noRoutesAccepted: zone 1: 2 prefixes received, all refused by the "
        r"import policy",
        r"link +%s" % lk,
        r"tunnel +connected, 2 child SA\(s\), data plane on",
        r"zone 1 +connected, 1 child SA\(s\)",
        r"  endpoints +gateway 203\.0\.113\.1, branch 198\.51\.100\.7:4500 "
        r"\(encapsulation udp\)",
        r"  IKE suite +AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384",
        r"  ESP suite +AES_GCM_16_256/NO_EXT_SEQ",
        r"  since +2025-11-22T18:24:46\.137Z",
        r"zone 2 +disconnected, 0 child SA\(s\)",
        r"ESP in +1200 packets, 901234 bytes",
        r"ESP out +1100 packets, 800321 bytes",
        r"ESP drops +replay 3, authentication 4, malformed 5, spoofed source 17",
        r"BGP zone 1 +established, gateway 10\.2\.0\.8, branch 10\.1\.255\.2 \(AS 65010\)",
        r"  since +2025-11-22T18:24:50\.000Z",
        r"  prefixes +received 2, learned 0, rejected 2, advertised 1",
        r"  rejected for +martian 1, tooLong 1",
        r"  last error +-",
        r"BGP zone 2 +active, gateway 10\.2\.0\.9, branch 10\.1\.255\.2 \(AS 65010\)",
        r"  prefixes +received 0, learned 0, rejected 0, advertised 0",
        r"  last error +path to the peer down: IPsec tunnel down \(peer deleted\)",
    ]
    lines = r.out.splitlines()
    check(len(lines) == len(want), r)
    for pat, line in zip(want, lines):
        check(re.fullmatch(pat, line), "%r !~ %r" % (line, pat))


def test_logs_next_link_stays_on_url(c):
    """A nextLink naming another host is followed on --url: the token goes
    nowhere else."""
    page2 = LOGS + "?$top=100&$skiptoken=1_x"
    ev = {"id": "e1", "remoteNetworkId": "r1", "createdDateTime": "2025-11-22T18:24:46.137Z",
          "sourceIp": "198.51.100.7", "destinationIp": "203.0.113.1",
          "status": "tunnelConnected", "description": "one"}
    routes = {
        LOGS + "?$top=100": {"value": [ev], "@odata.nextLink":
                             "http://203.0.113.99:9" + page2},
        page2: {"value": [dict(ev, id="e2", description="two")]},
        RN + "?$select=id,name": {"value": [{"id": "r1", "name": "Canned Branch"}]},
    }
    srv = Canned(routes)
    try:
        r = ok(bg(c, "logs", url=srv.url))
    finally:
        srv.close()
    check([p for p, _ in srv.seen] == [LOGS + "?$top=100", page2, RN + "?$select=id,name"],
          srv.seen)
    check(all(a == "Bearer " + c.ta["token"] for _, a in srv.seen), srv.seen)
    check(re.search(r"Canned Branch +tunnelConnected .* one$", r.out, re.M) and
          re.search(r" two$", r.out, re.M), r)


# --- errors as JSON -----------------------------------------------------------

def test_json_errors(c):
    rn = mk_rn(c.a, "Json Lillehammer")
    # The API's own error body, as it sent it (innerError has its request-id).
    r = bg(c, "--json", "rn", "get", str(uuid.uuid4()))
    j = r.json()
    check(r.rc == 1 and j["error"]["code"] == "NotFound" and
          "request-id" in j["error"]["innerError"], r)
    check(r.err.startswith("error: "), r)       # people still read stderr
    r = bg(c, "--json", "link", "create", rn, "--name", "bad", "--ip", "198.51.100.51",
           "--vendor", "other", "--asn", "65476", "--local-bgp", "10.51.0.1",
           "--peer-bgp", "10.51.0.2", "--psk-file", c.psk)
    j = r.json()
    check(r.rc == 1 and j["error"]["code"] == "BadRequest" and "65476" in json.dumps(j), r)
    r = bg(c, "--json", "rn", "list", tenant={"token": "bgt_0000000000000000.bogus"})
    check(r.rc == 1 and r.json()["error"]["code"] == "Unauthorized", r)
    # The CLI's own refusals: usage (64), unreachable (2); --json anywhere.
    for args in (["--json", "rn", "list", "--frobnicate"], ["rn", "get", "--json"],
                 ["--json"], ["--json", "link"], ["rn", "list", "--asn", "1", "--json"],
                 ["--json", "link", "create", rn, "--name", "x", "--body", "/nonexistent"],
                 ["--json", "link", "update", rn, str(uuid.uuid4()), "--asn", "sixty"],
                 ["--json", "nosuch"]):
        r = bg(c, *args)
        j = r.json()
        check(r.rc == 64 and j["error"]["code"] == "UsageError" and j["error"]["message"],
              (args, r))
        check(set(j) == {"error"} and set(j["error"]) == {"code", "message"}, j)
    r = bg(c, "--json", "rn", "list", url="http://127.0.0.1:9")
    check(r.rc == 2 and r.json()["error"]["code"] == "ServiceUnreachable" and
          "cannot reach branchgated" in r.json()["error"]["message"], r)
    # Without --json stdout stays empty on errors.
    for args in (["rn", "get", str(uuid.uuid4())], ["rn", "list", "--frobnicate"], ["nosuch"]):
        r = bg(c, *args)
        check(r.rc != 0 and r.out == "", (args, r))
    r = bg(c, "rn", "list", url="http://127.0.0.1:9")
    check(r.rc == 2 and r.out == "", r)
    # A JSON error is the whole of stdout: one document, even after a lookup.
    r = bg(c, "--json", "link", "delete", "--yes", "Json Lillehammer", "nope")
    check(r.rc == 1 and r.json()["error"]["code"] == "NotFound", r)


if __name__ == "__main__":
    run_tests([test_version, test_lookup_by_name_and_id, test_lookup_ambiguous_name,
               test_delete_confirmation_without_terminal, test_delete_confirmation_on_terminal,
               test_logs, test_logs_paging, test_link_status_real_daemon,
               test_link_status_all_fields, test_logs_next_link_stays_on_url,
               test_json_errors], setup, teardown)
