"""The PostgreSQL store (docs/store.md) against a real server that this test
starts (tests/include/pg_server.sh): the API tests on it, two API nodes
racing for the same limits, a database outage, and the change push between
two daemons."""
import concurrent.futures
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from bgtest import (RN, SRC, check, expect_error, link_body, tenant_create,  # noqa: E402
                    tmpdir, Client, Daemon, run_tests)

PG = os.path.join(SRC, "tests", "include", "pg_server.sh")


def pg(*args):
    out = subprocess.run(["sh", PG] + list(args), capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    return out.stdout.split("\n")


def wait_for(what, fn, limit=60):
    """Polls fn until it is true; the limit only ends a hung run."""
    end = time.time() + limit
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("gave up waiting for " + what)


class Ctx:
    pass


def setup():
    c = Ctx()
    c.dir, c.url = pg("start")[:2]
    c.work = tmpdir()
    return c


def teardown(c):
    for d in getattr(c, "daemons", []):
        if d.proc is not None:
            d.stop()
    pg("stop", c.dir)


def start_pair(c):
    if getattr(c, "daemons", None):
        return
    c.tenant = tenant_create(c.url, "Fabrikam")
    c.daemons = [Daemon(os.path.join(c.work, n), c.url).start()
                 for n in ("a", "b") if not os.makedirs(os.path.join(c.work, n))]
    c.a, c.b = [Client(d, c.tenant["token"]) for d in c.daemons]


def test_api_suites_on_postgresql(c):
    env = dict(os.environ, BG_TEST_DB=c.url)
    # test_logs.py plants rows through SQLite itself: not here.
    # test_odata.py: its logs query fails on PostgreSQL (open defect).
    for t in ("test_api.py", "test_tenants.py", "test_policy_api.py", "test_fwd_api.py"):
        out = subprocess.run([sys.executable, os.path.join(SRC, "tests", "api", t)],
                             env=env, capture_output=True, text=True, timeout=600)
        check(out.returncode == 0, "%s on PostgreSQL:\n%s%s" % (t, out.stdout[-4000:],
                                                              out.stderr[-2000:]))


def race(posts):
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as ex:
        return list(ex.map(lambda f: f(), posts))


def test_two_nodes_link_limit(c):
    start_pair(c)
    r = c.a.post(RN, {"name": "Race", "region": "northEurope"})
    check(r.status == 201, r)
    rn = r.json()["id"]
    path = RN + "/" + rn + "/deviceLinks"
    posts = []
    for i in range(50):
        body = link_body(name="L%d" % i, ip="198.51.100.%d" % (i + 1),
                         local="10.9.%d.1" % i, peer="10.9.%d.2" % i)
        cl = c.a if i % 2 == 0 else c.b
        posts.append(lambda cl=cl, body=body: cl.post(path, body))
    res = race(posts)
    codes = sorted(r.status for r in res)
    check(codes.count(201) == 4 and codes.count(409) == 46, codes)
    for r in res:
        if r.status == 409:
            expect_error(r, 409, "Conflict")
    got = c.b.get(path).json()["value"]
    check(len(got) == 4, got)
    c.race_links = sorted(x["id"] for x in got)


def test_two_nodes_bgp_address_unique(c):
    start_pair(c)
    rns = []
    for n in ("Bgp 1", "Bgp 2"):
        r = c.b.post(RN, {"name": n, "region": "northEurope"})
        check(r.status == 201, r)
        rns.append(r.json()["id"])
    posts = []
    for i in range(8):
        body = link_body(name="B%d" % i, ip="203.0.113.%d" % (i + 1),
                         local="10.77.0.1", peer="10.77.%d.2" % (i + 1))
        cl = c.a if i % 2 == 0 else c.b
        path = RN + "/" + rns[i % 2] + "/deviceLinks"
        posts.append(lambda cl=cl, body=body, path=path: cl.post(path, body))
    codes = sorted(r.status for r in race(posts))
    check(codes.count(201) == 1 and codes.count(409) == 7, codes)


def test_two_nodes_custom_bypass_limit(c):
    """The 100 Custom Bypass rules are counted inside the write (store_fwd.c)."""
    start_pair(c)
    fp = "/networkAccess/forwardingPolicies"
    cb = [p for p in c.a.get(fp).json()["value"] if p["name"] == "Custom Bypass"][0]
    path = fp + "/" + cb["id"] + "/policyRules"

    def body(i):
        return {"name": "cb%d" % i, "destinations": [
            {"@odata.type": "#microsoft.graph.networkaccess.ipAddress",
             "value": "203.0.113.%d" % i}]}
    for i in range(90):
        check(c.a.post(path, body(i)).status == 201, i)
    posts = [lambda i=i, cl=(c.a if i % 2 == 0 else c.b): cl.post(path, body(i))
             for i in range(90, 120)]
    codes = sorted(r.status for r in race(posts))
    check(codes.count(201) == 10 and codes.count(409) == 20, codes)
    check(len(c.b.get(path).json()["value"]) == 100)


def test_change_reaches_other_node(c):
    start_pair(c)
    r = c.a.post(RN, {"name": "Pushed", "region": "northEurope"})
    check(r.status == 201, r)
    r = c.a.post(RN + "/" + r.json()["id"] + "/deviceLinks",
                 link_body(name="P", ip="192.0.2.77", local="10.55.0.1", peer="10.55.0.2"))
    check(r.status == 201, r)
    lid = r.json()["id"]
    # Daemon B's gateway hears of it and reloads its link cache.
    b = c.daemons[1]
    wait_for("the change in daemon B", lambda: ("deviceLink/" + lid) in b.log())
    wait_for("daemon B's reload", lambda: "added" in b.log().split("deviceLink/" + lid, 1)[1])


def test_two_nodes_policy(c):
    """Security policy on two nodes: the unique firewall priority and the
    100-policy limit hold under racing writes, and a policy change reaches
    the other daemon's gateway (pg_notify covers the policy tables)."""
    start_pair(c)
    fw = "/networkAccess/cloudFirewallPolicies"
    r = c.a.post(fw, {"name": "Race FW"})
    check(r.status == 201, r)
    path = fw + "/" + r.json()["id"] + "/policyRules"
    body = {"name": "R%d", "priority": 100, "action": "block",
            "matchingConditions": {"destinations": {"ports": ["8080"]}}}
    posts = [lambda i=i: (c.a if i % 2 else c.b).post(path, dict(body, name="R%d" % i))
             for i in range(12)]
    codes = sorted(r.status for r in race(posts))
    check(codes.count(201) == 1 and codes.count(409) == 11, codes)
    rid = c.b.get(path).json()["value"][0]["id"]
    wait_for("the rule in daemon B", lambda: ("policyRule/" + rid) in c.daemons[1].log())
    have = len(c.a.get("/networkAccess/filteringPolicies").json()["value"]) + \
        len(c.a.get(fw).json()["value"])
    for i in range(98 - have + 1):
        check(c.a.post("/networkAccess/filteringPolicies",
                       {"name": "Fill %d" % i}).status == 201)
    # One slot left, 10 racers.
    posts = [lambda i=i: (c.a if i % 2 else c.b).post("/networkAccess/filteringPolicies",
                                                      {"name": "Last %d" % i})
             for i in range(10)]
    codes = sorted(r.status for r in race(posts))
    check(codes.count(201) == 1 and codes.count(409) == 9, codes)


def test_outage_503_then_recovery(c):
    start_pair(c)
    r = c.a.post(RN, {"name": "Before outage", "region": "northEurope"})
    check(r.status == 201, r)
    acked = r.json()["id"]
    pg("pause", c.dir)
    try:
        for cl in (c.a, c.b):
            r = wait_for("503", lambda cl=cl: (lambda r: r if r.status == 503 else None)(cl.get(RN)))
            expect_error(r, 503, "ServiceUnavailable")
            expect_error(cl.post(RN, {"name": "During", "region": "northEurope"}), 503)
        for d in c.daemons:
            check(d.proc.poll() is None, "a daemon died with the database")
    finally:
        pg("resume", c.dir)
    for cl in (c.a, c.b):
        wait_for("the API back", lambda cl=cl: cl.get(RN).status == 200)
    names = [x["name"] for x in c.b.get(RN).json()["value"]]
    check("Before outage" in names and "During" not in names, names)
    check(c.a.get(RN + "/" + acked).status == 200)
    got = sorted(x["id"] for x in c.a.get(RN + "/" + [x["id"] for x in c.a.get(RN).json()["value"]
                                                     if x["name"] == "Race"][0] + "/deviceLinks").json()["value"])
    check(got == c.race_links, (got, c.race_links))
    # The gateways resynchronised in full after the reconnect.
    for d in c.daemons:
        wait_for("resync", lambda d=d: "re-reading the configuration" in d.log())
    r = c.b.post(RN, {"name": "After outage", "region": "northEurope"})
    check(r.status == 201, r)


if __name__ == "__main__":
    run_tests([test_api_suites_on_postgresql, test_two_nodes_link_limit,
               test_two_nodes_bgp_address_unique, test_two_nodes_custom_bypass_limit,
               test_change_reaches_other_node,
               test_two_nodes_policy, test_outage_503_then_recovery], setup, teardown)
