"""The node list and placement on PostgreSQL (docs/nodes.md): one api node and
two gateway nodes sharing one database (started by the test,
tests/include/pg_server.sh), each gateway serving both zones on its own
addresses. Listed by `branchgate node list` with their roles, endpoints and
heartbeats; links placed by the rule (zone 2 of a zone-redundant link on the
other node, then the least-loaded node), connectivityConfiguration showing the
placed nodes' endpoints, each gateway carrying only its links (its
/metrics); a node killed turns `down` after 3 missed heartbeats, gets no new
zone, and comes back `up` when it restarts."""
import json
import os
import re
import urllib.request
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bgtest import (CLI, RN, SRC, check, link_body, tenant_create, tmpdir,  # noqa: E402
                    Client, Daemon, run_tests)
from test_pg import wait_for  # noqa: E402

PG = os.path.join(SRC, "tests", "include", "pg_server.sh")
GW = ["--ike-port", "0", "--natt-port", "0", "--no-dataplane", "--heartbeat", "1",
      "--metrics", "127.0.0.1:0"]
A1, A2, B1, B2 = "203.0.113.1", "203.0.113.11", "203.0.113.12", "203.0.113.2"
ZR = {"redundancyTier": "zoneRedundancy"}


def pg(*args):
    out = subprocess.run(["sh", PG] + list(args), capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    return out.stdout.split("\n")


def nodes(c):
    out = subprocess.run([CLI, "node", "list", "--db", c.url, "--json"],
                         capture_output=True, text=True, timeout=30)
    check(out.returncode == 0, out.stderr)
    return {n["name"]: n for n in json.loads(out.stdout)["value"]}


class Ctx:
    pass


def node(c, name, base):
    d = os.path.join(c.work, name)
    os.makedirs(d, exist_ok=True)
    return Daemon(d, c.url, base=base)


def setup():
    c = Ctx()
    c.daemons = []
    c.dir, c.url = pg("start")[:2]
    c.work = tmpdir()
    c.tenant = tenant_create(c.url, "Fabrikam")
    c.api = node(c, "api-1", ["--role", "api", "--node", "api-1", "--heartbeat", "1",
                              "--endpoint", "1=203.0.113.1", "--endpoint", "2=203.0.113.2"])
    c.gwa = node(c, "gw-a", ["--role", "gateway", "--node", "gw-a",
                             "--endpoint", "1=" + A1, "--endpoint", "2=" + A2] + GW)
    c.gwb = node(c, "gw-b", ["--role", "gateway", "--node", "gw-b",
                             "--endpoint", "1=" + B1, "--endpoint", "2=" + B2] + GW)
    c.daemons = [c.api, c.gwa, c.gwb]
    try:
        for d in c.daemons:
            d.start()
    except Exception:
        # run_tests calls no teardown when setup fails: leave nothing behind.
        for d in c.daemons:
            if d.proc is not None and d.proc.poll() is None:
                d.proc.kill()
                d.proc.wait()
        pg("stop", c.dir)
        raise
    return c


def teardown(c):
    for d in c.daemons:
        if d.proc is not None:
            d.stop()
    pg("stop", c.dir)


def test_three_nodes_listed(c):
    n = nodes(c)
    check(set(n) == {"api-1", "gw-a", "gw-b"}, n)
    check(n["api-1"]["role"] == "api" and n["api-1"]["endpoints"] ==
          {"zone1": "-", "zone2": "-"}, n["api-1"])
    check(n["gw-a"]["role"] == "gateway" and n["gw-a"]["endpoints"] ==
          {"zone1": A1, "zone2": A2}, n["gw-a"])
    check(n["gw-b"]["endpoints"] == {"zone1": B1, "zone2": B2}, n["gw-b"])
    check(all(v["state"] == "up" and v["heartbeatIntervalSeconds"] == 1
              for v in n.values()), n)
    # The table form has the same rows.
    out = subprocess.run([CLI, "node", "list", "--db", c.url], capture_output=True,
                         text=True, timeout=30)
    rows = [ln.split() for ln in out.stdout.splitlines()]
    check(rows[0][:3] == ["NAME", "ROLE", "STATE"] and [r[0] for r in rows[1:]] ==
          ["api-1", "gw-a", "gw-b"], out.stdout)


def test_heartbeats_advance(c):
    first = {k: v["lastHeartbeatDateTime"] for k, v in nodes(c).items()}
    wait_for("a heartbeat from every node",
             lambda: all(v["lastHeartbeatDateTime"] > first[k]
                         for k, v in nodes(c).items()), limit=30)


def endpoints(cl, rn):
    """{link name: [zone endpoints]} from connectivityConfiguration."""
    r = cl.get(RN + "/" + rn + "/connectivityConfiguration")
    check(r.status == 200, repr(r))
    return {ln["displayName"]: [x["endpoint"] for x in ln["localConfigurations"]]
            for ln in r.json()["links"]}


def metric_links(d):
    port = int(re.findall(r"metrics listening on http://127\.0\.0\.1:(\d+)/metrics",
                          d.log())[-1])
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=30) as r:
        m = re.search(r"^branchgate_links (\d+)$", r.read().decode(), re.M)
    return int(m.group(1))


def test_placement(c):
    a = Client(c.api, c.tenant["token"])
    r = a.post(RN, {"name": "Oslo", "region": "northEurope"})
    check(r.status == 201, repr(r))
    c.rn = rn = r.json()["id"]
    # A gateway node's own API sees the write: one database.
    b = Client(c.gwa, c.tenant["token"])
    check(b.get(RN + "/" + rn).status == 200)
    # Zone-redundant: zone 1 on the first by name (no load yet), zone 2 on
    # the other node although gw-a serves zone 2 too.
    r = a.post(RN + "/" + rn + "/deviceLinks",
               link_body("ZR", redundancyConfiguration=dict(ZR, zoneLocalIpAddress="10.1.1.12")))
    check(r.status == 201, repr(r))
    check(endpoints(a, rn) == {"ZR": [A1, B2]}, endpoints(a, rn))
    # Load now 1 and 1: the tie goes by name, then the less loaded node.
    for name, ip, local, peer in (("L2", "198.51.100.11", "10.1.2.11", "10.6.6.7"),
                                  ("L3", "198.51.100.12", "10.1.3.11", "10.6.6.8")):
        r = a.post(RN + "/" + rn + "/deviceLinks",
                   link_body(name, ip=ip, local=local, peer=peer))
        check(r.status == 201, repr(r))
    e = endpoints(a, rn)
    check(e == {"ZR": [A1, B2], "L2": [A1], "L3": [B1]}, e)
    # Every node's API shows the same placement.
    check(endpoints(b, rn) == e, endpoints(b, rn))
    # Each gateway carries only its links: gw-a ZR and L2, gw-b ZR and L3.
    wait_for("gw-a carries 2 links", lambda: metric_links(c.gwa) == 2, limit=30)
    wait_for("gw-b carries 2 links", lambda: metric_links(c.gwb) == 2, limit=30)
    # The branch router's configuration dials the placed nodes too.
    for x in a.get(RN + "/" + rn + "/deviceLinks").json()["value"]:
        if x["name"] in ("ZR", "L3"):
            r = a.get(RN + "/" + rn + "/deviceLinks/" + x["id"] + "/cpeConfiguration?format=swanctl",
                      headers={"Accept": "text/plain"})
            check(r.status == 200, repr(r))
            want = {"ZR": [A1, B2], "L3": [B1]}[x["name"]]
            ips = set(re.findall(r"\b203\.0\.113\.\d+\b", r.body))
            check(ips == set(want), "%s: %r in\n%s" % (x["name"], ips, r.body[:1500]))
    # A placed link stays put when it is written again.
    lid = [x for x in a.get(RN + "/" + rn + "/deviceLinks").json()["value"]
           if x["name"] == "L3"][0]["id"]
    r = a.patch(RN + "/" + rn + "/deviceLinks/" + lid, {"bandwidthCapacityInMbps": "mbps500"})
    check(r.status in (200, 204), repr(r))
    check(endpoints(a, rn)["L3"] == [B1], endpoints(a, rn))


def test_killed_node_turns_down(c):
    c.gwb.stop(signal.SIGKILL)
    wait_for("gw-b down", lambda: nodes(c)["gw-b"]["state"] == "down", limit=30)
    n = nodes(c)
    check(n["gw-b"]["heartbeatAgeSeconds"] >= 3, n["gw-b"])
    check(n["gw-a"]["state"] == "up" and n["api-1"]["state"] == "up", n)
    # A down node gets no new zone: both zones on gw-a, the only one up.
    a = Client(c.api, c.tenant["token"])
    r = a.post(RN + "/" + c.rn + "/deviceLinks",
               link_body("ZR2", ip="198.51.100.13", local="10.1.4.11", peer="10.6.6.9",
                         redundancyConfiguration=dict(ZR, zoneLocalIpAddress="10.1.4.12")))
    check(r.status == 201, repr(r))
    check(endpoints(a, c.rn)["ZR2"] == [A1, A2], endpoints(a, c.rn))
    c.gwb.start()
    wait_for("gw-b up again", lambda: nodes(c)["gw-b"]["state"] == "up", limit=30)


def test_deleted_row_comes_back(c):
    out = subprocess.run([CLI, "node", "delete", "gw-a", "--db", c.url],
                         capture_output=True, text=True, timeout=30)
    check(out.returncode == 0, out.stderr)
    wait_for("gw-a registered again", lambda: "gw-a" in nodes(c), limit=30)
    out = subprocess.run([CLI, "node", "delete", "nope", "--db", c.url],
                         capture_output=True, text=True, timeout=30)
    check(out.returncode == 1 and "no node 'nope'" in out.stderr, out.stderr)


if __name__ == "__main__":
    run_tests([test_three_nodes_listed, test_heartbeats_advance,
               test_placement, test_killed_node_turns_down,
               test_deleted_row_comes_back], setup, teardown)
