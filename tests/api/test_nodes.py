"""The node list on PostgreSQL (docs/nodes.md): one api node and two gateway
nodes sharing one database (started by the test, tests/include/pg_server.sh),
listed by `branchgate node list` with their roles, endpoints and heartbeats;
a node killed turns `down` after 3 missed heartbeats, and comes back `up`
when it restarts."""
import json
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bgtest import (CLI, RN, SRC, check, link_body, tenant_create, tmpdir,  # noqa: E402
                    Client, Daemon, run_tests)
from test_pg import wait_for  # noqa: E402

PG = os.path.join(SRC, "tests", "include", "pg_server.sh")
GW = ["--ike-port", "0", "--natt-port", "0", "--no-dataplane", "--heartbeat", "1"]


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
                             "--endpoint", "1=203.0.113.1"] + GW)
    c.gwb = node(c, "gw-b", ["--role", "gateway", "--node", "gw-b",
                             "--endpoint", "2=203.0.113.2"] + GW)
    c.daemons = [c.api, c.gwa, c.gwb]
    for d in c.daemons:
        d.start()
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
          {"zone1": "203.0.113.1", "zone2": "-"}, n["gw-a"])
    check(n["gw-b"]["endpoints"] == {"zone1": "-", "zone2": "203.0.113.2"}, n["gw-b"])
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


def test_api_node_serves_the_shared_store(c):
    a = Client(c.api, c.tenant["token"])
    r = a.post(RN, {"name": "Oslo", "region": "northEurope"})
    check(r.status == 201, repr(r))
    # A gateway node's own API sees the write: one database.
    b = Client(c.gwa, c.tenant["token"])
    check(b.get(RN + "/" + r.json()["id"]).status == 200)
    r = a.post(RN + "/" + r.json()["id"] + "/deviceLinks", link_body())
    check(r.status == 201, repr(r))


def test_killed_node_turns_down(c):
    c.gwb.stop(signal.SIGKILL)
    wait_for("gw-b down", lambda: nodes(c)["gw-b"]["state"] == "down", limit=30)
    n = nodes(c)
    check(n["gw-b"]["heartbeatAgeSeconds"] >= 3, n["gw-b"])
    check(n["gw-a"]["state"] == "up" and n["api-1"]["state"] == "up", n)
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
               test_api_node_serves_the_shared_store, test_killed_node_turns_down,
               test_deleted_row_comes_back], setup, teardown)
