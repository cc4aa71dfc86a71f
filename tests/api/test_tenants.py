#!/usr/bin/python3
"""Tenants see nothing of each other (issue 13 §1): a device link's ipAddress
is unique within its tenant only, so a second tenant neither learns that an
address is in use (no 409 naming it) nor can squat it first; the gateway
tells such links apart in IKE by policy and pre-shared key (unit-tested in
test_ike_engine: test_shared_address)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import (RN, check, expect_error, gateway, gateway_stop, link_body,  # noqa: E402
                    run_tests)


def setup():
    c = gateway(("Contoso", "Fabrikam"))
    c.a, c.b = c.clients
    c.base = {}
    for k, cl in (("a", c.a), ("b", c.b)):
        rn = cl.post(RN, {"name": "Branch", "region": "eastUS"}).json()
        c.base[k] = RN + "/" + rn["id"] + "/deviceLinks"
    return c


def teardown(c):
    gateway_stop(c)


def test_same_address_other_tenant(c):
    ra = c.a.post(c.base["a"], link_body(ip="203.0.113.77"))
    check(ra.status == 201, ra)
    # The same address, the same BGP addresses, another tenant: accepted.
    rb = c.b.post(c.base["b"], link_body(ip="203.0.113.77"))
    check(rb.status == 201, rb)
    # Neither sees the other's link.
    va = c.a.get(c.base["a"]).json()["value"]
    vb = c.b.get(c.base["b"]).json()["value"]
    check([x["id"] for x in va] == [ra.json()["id"]], va)
    check([x["id"] for x in vb] == [rb.json()["id"]], vb)
    # Within one tenant the address still names one link, and the error
    # names that tenant's own link only.
    e = expect_error(c.b.post(c.base["b"], link_body(name="Link 2", ip="203.0.113.77",
                                                     local="10.1.1.21", peer="10.6.6.16")),
                     409, None, ["203.0.113.77", rb.json()["id"]])
    check(ra.json()["id"] not in e["message"], e)
    # Moving a link onto the other tenant's address by PATCH: fine too.
    r2 = c.a.post(c.base["a"], link_body(name="Link 2", ip="203.0.113.78",
                                          local="10.1.1.31", peer="10.6.6.26"))
    check(r2.status == 201, r2)
    rp = c.b.patch(c.base["b"] + "/" + rb.json()["id"], {"ipAddress": "203.0.113.78"})
    check(rp.status in (200, 204), rp)


if __name__ == "__main__":
    run_tests([test_same_address_other_tenant], setup, teardown)
