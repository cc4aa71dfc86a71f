#!/usr/bin/python3
"""branchgated --reserved-range (issue 13 §1): the range device links may not
use for BGP addresses or static source prefixes follows the flag, and a bad
value stops the daemon before it serves anything."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import (DAEMON, RN, check, expect_error, gateway, gateway_stop,  # noqa: E402
                    link_body, run_tests)

WHY = "reserved by the gateway for tenant egress transfer networks"


def setup():
    c = gateway(extra=["--reserved-range", "172.31.0.0/20"])
    c.t = c.tenants[0]
    c.a = c.clients[0]
    c.rn = c.a.post(RN, {"name": "R", "region": "eastUS"}).json()
    c.base = RN + "/" + c.rn["id"] + "/deviceLinks"
    return c


def teardown(c):
    gateway_stop(c)


def test_default_range_is_free_with_another_flag(c):
    r = c.a.post(c.base, link_body(local="10.255.240.1", peer="10.255.240.2",
                                   staticSourcePrefixes=["10.255.248.0/24"]))
    check(r.status == 201, r)
    check(c.a.delete(c.base + "/" + r.json()["id"]).status == 204)


def test_flag_range_is_refused(c):
    e = expect_error(c.a.post(c.base, link_body(local="172.31.15.254")), 400,
                     "BadRequest",
                     ["bgpConfiguration.localIpAddress", "172.31.0.0/20", WHY])
    check(e["target"] == "bgpConfiguration.localIpAddress", e)
    expect_error(c.a.post(c.base, link_body(peer="172.31.0.9")), 400, "BadRequest",
                 ["bgpConfiguration.peerIpAddress", "172.31.0.0/20"])
    expect_error(c.a.post(c.base, link_body(staticSourcePrefixes=["172.16.0.0/12"])),
                 400, "BadRequest", ["staticSourcePrefixes[0]", "172.31.0.0/20", WHY])
    # Next to the range is fine.
    r = c.a.post(c.base, link_body(local="172.31.16.1", staticSourcePrefixes=["172.31.16.0/20"]))
    check(r.status == 201, r)
    check(c.a.delete(c.base + "/" + r.json()["id"]).status == 204)
    check(c.a.get(c.base).json()["value"] == [])


def test_bad_flag_values(c):
    for v in ("10.200.0.1/16", "10.200.0.0/7", "10.200.0.0/29", "10.200.0.0", "x/16"):
        p = subprocess.run([DAEMON, "--db", "sqlite:" + os.path.join(c.dir, "other.db"),
                            "--api", "127.0.0.1:0", "--no-dataplane",
                            "--reserved-range", v],
                           capture_output=True, text=True, timeout=30)
        check(p.returncode == 64, (v, p.returncode, p.stderr))
        check("--reserved-range" in p.stderr and v in p.stderr, p.stderr)


if __name__ == "__main__":
    run_tests([test_default_range_is_free_with_another_flag, test_flag_range_is_refused,
               test_bad_flag_values], setup, teardown)
