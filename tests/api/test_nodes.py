"""The node list and placement on PostgreSQL (docs/nodes.md): one api node and
two gateway nodes sharing one database (started by the test,
tests/include/pg_server.sh), each gateway serving both zones on its own
addresses. Listed by `branchgate node list` with their roles, endpoints and
heartbeats; links placed by the rule (zone 2 of a zone-redundant link on the
other node, then the least-loaded node), connectivityConfiguration showing the
placed nodes' endpoints, each gateway carrying only its links (its
/metrics); a node killed turns `down` after 3 missed heartbeats, gets no new
zone, and comes back `up` when it restarts.

Data from the nodes: a link's status on the api node (and on a gateway node's
own API) is the one the gateway node holding each zone wrote, tagged with that
node, and reads as stale/unknown while that node is down. The operator API
(/operator/nodes, --operator-token-file): 401 without, with a wrong and with a
tenant token, the node list, 404; drain moves a node's zones by the placement
rule (409 and nothing moved with no other node), activate, delete (409 while
zones are placed); `branchgate node` through it with --token."""
import json
import os
import re
import urllib.request
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bgtest import (CLI, RN, SRC, check, link_body, request, tenant_create,  # noqa: E402
                    tmpdir, Client, Daemon, run_tests)
from test_pg import wait_for  # noqa: E402

PG = os.path.join(SRC, "tests", "include", "pg_server.sh")
GW = ["--ike-port", "0", "--natt-port", "0", "--no-dataplane", "--heartbeat", "1",
      "--metrics", "127.0.0.1:0"]
A1, A2, B1, B2 = "203.0.113.1", "203.0.113.11", "203.0.113.12", "203.0.113.2"
ZR = {"redundancyTier": "zoneRedundancy"}
OP_TOKEN = "op-" + "7f3c9a1e5b2d4c6a8e0f1b3d5c7a9e2f"


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
    c.opfile = os.path.join(c.work, "operator.token")
    with open(os.open(c.opfile, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(OP_TOKEN + "\n")
    c.api = node(c, "api-1", ["--role", "api", "--node", "api-1", "--heartbeat", "1",
                              "--operator-token-file", c.opfile,
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


def link_ids(cl, rn):
    return {x["name"]: x["id"] for x in cl.get(RN + "/" + rn + "/deviceLinks").json()["value"]}


def status(cl, rn, lid):
    r = cl.get(RN + "/" + rn + "/deviceLinks/" + lid + "/status")
    check(r.status == 200, repr(r))
    return r.json()


def test_status_from_nodes(c):
    a = Client(c.api, c.tenant["token"])
    ids = link_ids(a, c.rn)
    # The api node has no tunnel of its own: what it shows is what gw-b
    # (L3's node) wrote: its reason names the branch address it waits for.
    wait_for("L3's status from gw-b", lambda: status(a, c.rn, ids["L3"])["tunnels"][0]
             .get("statusDateTime") is not None, limit=30)
    st = status(a, c.rn, ids["L3"])
    t = st["tunnels"][0]
    check(t["gatewayNode"] == "gw-b" and t["gatewayNodeState"] == "up" and
          t["stale"] is False and t["tunnelState"] == "disconnected", st)
    check(st["tunnelState"] == "disconnected" and st["health"]["reason"] == "noTunnel" and
          "198.51.100.12" in st["health"]["detail"], st)
    check(st["esp"]["inboundBytes"] == 0 and st["bgp"] is None, st)
    # A zone-redundant link: each zone from its own node.
    wait_for("ZR's zones written", lambda: all(
        x.get("statusDateTime") for x in status(a, c.rn, ids["ZR"])["tunnels"]), limit=30)
    st = status(a, c.rn, ids["ZR"])
    check([(x["zone"], x["gatewayNode"], x["stale"]) for x in st["tunnels"]] ==
          [(1, "gw-a", False), (2, "gw-b", False)], st)
    # `branchgate link status` names the node.
    out = subprocess.run([CLI, "--url", c.api.url, "--token", c.tenant["token"], "link",
                          "status", c.rn, ids["L3"]], capture_output=True, text=True, timeout=30)
    check(out.returncode == 0 and "gw-b (up)" in out.stdout, out.stdout + out.stderr)
    # A gateway node's own API merges the same way: L3 is not gw-a's.
    st = status(Client(c.gwa, c.tenant["token"]), c.rn, ids["L3"])
    check(st["tunnels"][0]["gatewayNode"] == "gw-b" and not st["tunnels"][0]["stale"], st)


def test_killed_node_turns_down(c):
    a = Client(c.api, c.tenant["token"])
    ids = link_ids(a, c.rn)
    c.gwb.stop(signal.SIGKILL)
    wait_for("gw-b down", lambda: nodes(c)["gw-b"]["state"] == "down", limit=30)
    # Its links' status is unknown now, not its last word.
    st = status(a, c.rn, ids["L3"])
    t = st["tunnels"][0]
    check(t["gatewayNode"] == "gw-b" and t["gatewayNodeState"] == "down" and
          t["stale"] is True and t["tunnelState"] == "unknown", st)
    check(st["tunnelState"] == "unknown" and st["health"]["reason"] == "nodeDown" and
          "gw-b" in st["health"]["detail"], st)
    st = status(a, c.rn, ids["ZR"])
    check([(x["gatewayNode"], x["stale"]) for x in st["tunnels"]] ==
          [("gw-a", False), ("gw-b", True)], st)
    check(st["health"]["reason"] == "noTunnel", st)
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
    wait_for("L3 fresh again", lambda: not status(a, c.rn, ids["L3"])["tunnels"][0]["stale"],
             limit=30)


def op(c, method, path, token=OP_TOKEN, d=None):
    return request((d or c.api).url, method, "/operator/nodes" + path, None, token)


def test_operator_auth(c):
    for tok in (None, "wrong-" + OP_TOKEN, c.tenant["token"], OP_TOKEN + "x"):
        r = op(c, "GET", "", token=tok)
        check(r.status == 401 and r.json()["error"]["code"] == "Unauthorized", (tok, r))
        check(OP_TOKEN not in r.body, r.body)
    # The operator token is no tenant's.
    r = request(c.api.url, "GET", RN, None, OP_TOKEN)
    check(r.status == 401, repr(r))
    # A daemon started without the file has no operator API at all.
    r = op(c, "GET", "", d=c.gwa)
    check(r.status == 401 and "--operator-token-file" in r.body, repr(r))
    r = op(c, "GET", "")
    check(r.status == 200, repr(r))
    check(sorted(n["name"] for n in r.json()["value"]) == ["api-1", "gw-a", "gw-b"], r.body)
    r = op(c, "GET", "/gw-a")
    check(r.status == 200 and r.json()["endpoints"] == {"zone1": A1, "zone2": A2} and
          r.json()["state"] == "up", r.body)
    for path in ("/nope", "/Bad_Name", "/nope/drain"):
        r = op(c, "GET" if "drain" not in path else "POST", path)
        check(r.status == 404 and r.json()["error"]["code"] == "NotFound", (path, r))
    r = op(c, "PATCH", "/gw-a")
    check(r.status == 405, repr(r))
    # Nothing of the token in the daemon's log.
    check(OP_TOKEN not in c.api.log(), "token logged")


def test_drain(c):
    a = Client(c.api, c.tenant["token"])
    before = endpoints(a, c.rn)
    check(before["L3"] == [B1] and before["ZR"] == [A1, B2], before)
    # gw-b's zones go to gw-a, the only other gateway: ZR's zone 2 too.
    r = op(c, "POST", "/gw-b/drain")
    check(r.status == 200, repr(r))
    body = r.json()
    check(body["state"] == "draining" and body["storedState"] == "draining", body)
    ids = link_ids(a, c.rn)
    moved = sorted((m["deviceLinkId"], m["zone"], m["toNode"]) for m in body["movedZones"])
    check(moved == sorted([(ids["L3"], 1, "gw-a"), (ids["ZR"], 2, "gw-a")]), body)
    e = endpoints(a, c.rn)
    check(e["L3"] == [A1] and e["ZR"] == [A1, A2] and e["L2"] == [A1], e)
    # The notification reaches the gateways: gw-b drops its links, gw-a has all.
    wait_for("gw-b carries no link", lambda: metric_links(c.gwb) == 0, limit=30)
    wait_for("gw-a carries every link", lambda: metric_links(c.gwa) == len(ids), limit=30)
    # Their status now comes from gw-a (once it has written it).
    wait_for("L3's status from gw-a", lambda: status(a, c.rn, ids["L3"])["tunnels"][0]
             ["gatewayNode"] == "gw-a" and not status(a, c.rn, ids["L3"])["tunnels"][0]["stale"],
             limit=30)
    check("moved off this node" in c.gwb.log(), "gw-b did not drop the links")
    # A draining node gets no new link (Oslo has its 4: a second network).
    r = a.post(RN, {"name": "Bergen", "region": "northEurope"})
    check(r.status == 201, repr(r))
    c.rn2 = r.json()["id"]
    r = a.post(RN + "/" + c.rn2 + "/deviceLinks",
               link_body("L5", ip="198.51.100.15", local="10.1.5.11", peer="10.6.6.10"))
    check(r.status == 201, repr(r))
    check(endpoints(a, c.rn2)["L5"] == [A1], endpoints(a, c.rn2))
    # gw-a now has nowhere to send its zones: 409, and nothing moved.
    r = op(c, "POST", "/gw-a/drain")
    check(r.status == 409 and r.json()["error"]["code"] == "Conflict", repr(r))
    check(op(c, "GET", "/gw-a").json()["state"] == "up", "gw-a's state changed")
    check(endpoints(a, c.rn) == e and endpoints(a, c.rn2) == {"L5": [A1]},
          endpoints(a, c.rn))
    # Delete: refused while zones are placed on the node.
    r = op(c, "DELETE", "/gw-a")
    check(r.status == 409, repr(r))
    # Activate: gw-b is a candidate again (nothing moves back).
    r = op(c, "POST", "/gw-b/activate")
    check(r.status == 200 and r.json()["state"] == "up", repr(r))
    check(endpoints(a, c.rn)["L3"] == [A1], endpoints(a, c.rn))
    r = a.post(RN + "/" + c.rn2 + "/deviceLinks",
               link_body("L6", ip="198.51.100.16", local="10.1.6.11", peer="10.6.6.11"))
    check(r.status == 201, repr(r))
    check(endpoints(a, c.rn2)["L6"] == [B1], endpoints(a, c.rn2))


def cli_op(c, *args):
    return subprocess.run([CLI, "--url", c.api.url, "--token", OP_TOKEN] + list(args),
                          capture_output=True, text=True, timeout=30)


def test_cli_operator_mode(c):
    out = cli_op(c, "node", "list", "--json")
    check(out.returncode == 0, out.stderr)
    names = sorted(n["name"] for n in json.loads(out.stdout)["value"])
    check(names == ["api-1", "gw-a", "gw-b"], out.stdout)
    out = cli_op(c, "node", "get", "gw-b")
    check(out.returncode == 0 and "gw-b" in out.stdout and B1 in out.stdout, out.stdout)
    # A tenant token is refused by the operator API (exit 1, the server's error).
    out = subprocess.run([CLI, "--url", c.api.url, "--token", c.tenant["token"],
                          "node", "list"], capture_output=True, text=True, timeout=30)
    check(out.returncode == 1 and "invalid operator token" in out.stderr, out.stderr)
    # Draining gw-a through the CLI: its zones go to gw-b; back with activate.
    out = cli_op(c, "node", "drain", "gw-a")
    check(out.returncode == 0 and "draining" in out.stdout, out.stdout + out.stderr)
    a = Client(c.api, c.tenant["token"])
    for rn in (c.rn, c.rn2):
        check(set(sum(endpoints(a, rn).values(), [])) <= {B1, B2}, "zones left on gw-a")
    out = cli_op(c, "node", "activate", "gw-a")
    check(out.returncode == 0, out.stderr)


def test_deleted_row_comes_back(c):
    out = subprocess.run([CLI, "node", "delete", "gw-a", "--db", c.url],
                         capture_output=True, text=True, timeout=30)
    check(out.returncode == 0, out.stderr)
    wait_for("gw-a registered again", lambda: "gw-a" in nodes(c), limit=30)
    out = subprocess.run([CLI, "node", "delete", "nope", "--db", c.url],
                         capture_output=True, text=True, timeout=30)
    check(out.returncode == 1 and "no node 'nope'" in out.stderr, out.stderr)


def psql(c, sql):
    out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", c.url, "-c", sql],
                         capture_output=True, text=True, timeout=30)
    check(out.returncode == 0, out.stderr)


def test_status_connected_row(c):
    """What a gateway node writes for a connected zone is what the API shows: a
    row written here for a node of our own (gw-x, draining so that placement
    leaves it alone), its fields, then stale once gw-x's heartbeat is old."""
    a = Client(c.api, c.tenant["token"])
    lid = link_ids(a, c.rn)["L2"]
    now = "(extract(epoch from now()) * 1000)::bigint"
    psql(c, "INSERT INTO nodes VALUES ('gw-x', 'gateway', 3405803777, 0, 'draining', 60, "
         + now + ", " + now + ")")
    psql(c, "UPDATE link_nodes SET node = 'gw-x' WHERE link_id = '%s' AND zone = 1" % lid)
    psql(c, "INSERT INTO link_status VALUES ('%s', 1, 'gw-x', '%s', %s, 1, 1, 3405803777, "
         "3325256711, 4500, 1, 'AES_GCM_16_256/PRF_HMAC_SHA2_256/ECP_256', 'AES_GCM_16_256', "
         "1700000000000, 2, 10, 1000, 20, 2000, 1, 2, 3, 4, 1, 'established', 167838219, "
         "168035591, 65000, 1700000001000, 3, 2, 5, 1, 0, '', 'up', 900, 300, 'ok', "
         "'tunnel, BGP and routes up')" % (lid, c.tenant["id"], now))
    try:
        st = status(a, c.rn, lid)
        t = st["tunnels"][0]
        check(st["tunnelState"] == "connected" and st["dataPlane"] is True and
              st["childSecurityAssociations"] == 2, st)
        check(t["gatewayNode"] == "gw-x" and t["gatewayNodeState"] == "draining" and
              not t["stale"] and t["localEndpoint"] == "203.0.113.1" and
              t["remoteEndpoint"] == "198.51.100.7" and t["remotePort"] == 4500 and
              t["encapsulation"] == "udp" and t["espSuite"] == "AES_GCM_16_256", st)
        check(st["esp"] == {"inboundPackets": 10, "inboundBytes": 1000, "outboundPackets": 20,
                            "outboundBytes": 2000, "replayDrops": 1,
                            "authenticationFailures": 2, "malformedDrops": 3,
                            "spoofedSourceDrops": 4}, st["esp"])
        b = st["bgp"]
        check(b["state"] == "established" and b["localAddress"] == "10.1.2.11" and
              b["peerAddress"] == "10.4.5.7" and b["receivedPrefixes"] == 3 and
              b["learnedPrefixes"] == 2 and b["advertisedPrefixes"] == 5 and
              b["bfd"]["state"] == "up" and b["lastError"] is None, b)
        check(st["health"] == {"reason": "ok", "detail": "tunnel, BGP and routes up"}, st)
        # gw-x's heartbeat 10 minutes old: down, and its word no longer shown.
        psql(c, "UPDATE nodes SET heartbeat_ms = heartbeat_ms - 600000 WHERE name = 'gw-x'")
        st = status(a, c.rn, lid)
        check(st["tunnelState"] == "unknown" and st["tunnels"][0]["stale"] and
              st["tunnels"][0]["gatewayNodeState"] == "down" and st["bgp"] is None and
              st["esp"]["inboundBytes"] == 0 and st["health"]["reason"] == "nodeDown", st)
    finally:
        psql(c, "UPDATE link_nodes SET node = 'gw-b' WHERE link_id = '%s' AND zone = 1" % lid)
        psql(c, "DELETE FROM link_status WHERE node = 'gw-x'; DELETE FROM nodes WHERE name = 'gw-x'")


if __name__ == "__main__":
    run_tests([test_three_nodes_listed, test_heartbeats_advance,
               test_placement, test_status_from_nodes, test_killed_node_turns_down,
               test_operator_auth, test_drain, test_cli_operator_mode,
               test_status_connected_row, test_deleted_row_comes_back], setup, teardown)
