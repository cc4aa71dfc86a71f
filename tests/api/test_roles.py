"""branchgated --role api (docs/nodes.md): the store, the REST API, the
console and /metrics only. It must serve the API while holding no UDP socket
(no IKE on 500 or 4500, nothing for ESP or BGP), no TUN and no tenant
namespace, and it must run without root: when the test runs as root, the
daemon runs as nobody."""
import os
import re
import shutil
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from bgtest import (CLI, RN, check, link_body, request, tenant_create,  # noqa: E402
                    tmpdir, Client, Daemon, run_tests)
import subprocess  # noqa: E402

NOBODY = 65534


def drop_root():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def sockets(pid):
    """Socket inodes of the process, and whether it holds /dev/net/tun."""
    inodes, tun = set(), False
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            t = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if t.startswith("socket:["):
            inodes.add(t[8:-1])
        tun = tun or t == "/dev/net/tun"
    return inodes, tun


def udp_ports(inodes):
    ports = set()
    for path in ("/proc/net/udp", "/proc/net/udp6", "/proc/net/raw"):
        with open(path) as f:
            for row in f.read().splitlines()[1:]:
                col = row.split()
                if col[9] in inodes:
                    ports.add((path, int(col[1].rsplit(":", 1)[1], 16)))
    return ports


class Ctx:
    pass


def setup():
    c = Ctx()
    c.dir = tmpdir()
    os.chmod(c.dir, 0o777)
    c.db = "sqlite:" + os.path.join(c.dir, "bg.db")
    c.tenant = tenant_create(c.db, "Contoso")
    for f in os.listdir(c.dir):
        os.chmod(os.path.join(c.dir, f), 0o666)
    c.d = Daemon(c.dir, c.db, base=["--role", "api", "--endpoint", "1=203.0.113.1",
                                    "--endpoint", "2=203.0.113.2"],
                 extra=["--metrics", "127.0.0.1:0"],
                 preexec=drop_root if os.geteuid() == 0 else None).start()
    c.api = Client(c.d, c.tenant["token"])
    return c


def teardown(c):
    if c.d.proc is not None:
        c.d.stop()
    shutil.rmtree(c.dir, ignore_errors=True)


def test_runs_unprivileged(c):
    with open("/proc/%d/status" % c.d.proc.pid) as f:
        uid = re.search(r"^Uid:\s+(\d+)", f.read(), re.M).group(1)
    check(os.geteuid() != 0 or uid == str(NOBODY), "daemon uid %s" % uid)


def test_serves_the_api(c):
    r = c.api.post(RN, {"name": "Oslo", "region": "northEurope"})
    check(r.status == 201, repr(r))
    rn = r.json()["id"]
    # An api node places links on gateway nodes: with none, it refuses,
    # naming the zone (docs/nodes.md "Placement").
    r = c.api.post(RN + "/" + rn + "/deviceLinks", link_body())
    check(r.status == 409 and "no gateway node" in r.body and "zone 1" in r.body, repr(r))
    r = c.api.get(RN + "/" + rn + "/deviceLinks")
    check(r.status == 200 and r.json()["value"] == [], repr(r))
    r = c.api.get(RN + "/" + rn + "/connectivityConfiguration")
    check(r.status == 200 and r.json()["links"] == [], repr(r))
    check(c.api.get(RN).status == 200)
    check(request(c.d.url, "GET", RN, token="nope").status == 401)


def test_metrics(c):
    port = int(re.findall(r"metrics listening on http://127\.0\.0\.1:(\d+)/metrics",
                          c.d.log())[-1])
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=30) as r:
        body = r.read().decode()
    check("branchgate_build_info" in body, body[:500])
    # No tunnels on an api node: no data plane, no links carried.
    check(re.search(r"^branchgate_dataplane 0$", body, re.M), body[:800])
    check(re.search(r"^branchgate_links 0$", body, re.M), body[:800])


def test_no_tunnel_side(c):
    inodes, tun = sockets(c.d.proc.pid)
    check(not tun, "holds /dev/net/tun")
    check(udp_ports(inodes) == set(), "UDP/raw sockets: %r" % udp_ports(inodes))
    check(inodes, "no socket at all: the API's TCP listener is missing")
    check("api node" in c.d.log(), c.d.log()[-2000:])


def test_the_check_sees_a_gateway(c):
    """The same check on a gateway (IKE without a data plane) finds its UDP
    sockets: the test above can fail."""
    d = Daemon(os.path.join(c.dir, "gw"), "sqlite:" + os.path.join(c.dir, "gw.db"))
    os.makedirs(d.workdir)
    d.start()
    try:
        inodes, _ = sockets(d.proc.pid)
        check(len(udp_ports(inodes)) >= 2, "gateway UDP: %r" % udp_ports(inodes))
    finally:
        d.stop()


def test_refuses_tunnel_options(c):
    out = subprocess.run([c.d.proc.args[0], "--role", "api", "--db", c.db,
                          "--ike-port", "500"], capture_output=True, text=True, timeout=30)
    check(out.returncode == 64 and "ike-port" in out.stderr, out.stderr)
    check(os.path.exists(CLI))


if __name__ == "__main__":
    run_tests([test_runs_unprivileged, test_serves_the_api, test_metrics,
               test_no_tunnel_side, test_the_check_sees_a_gateway,
               test_refuses_tunnel_options], setup, teardown)
