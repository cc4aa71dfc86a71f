#!/usr/bin/python3
"""A tenant's forwarding options over the API and the CLI (docs/api.md
"Forwarding options"): branch-to-branch transit is the daemon's default
until the tenant sets it (off, or on with --branch-transit), a PATCH sets
it per tenant and survives a restart, bad values and unknown or read-only
properties are 400s naming the field, and `branchgate transit` shows and
sets it."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import CLI, check, expect_error, gateway, gateway_stop, run_tests  # noqa: E402

OPT = "/networkAccess/settings/forwardingOptions"


def setup():
    c = gateway(("opt-a", "opt-b"))
    c.a, c.b = c.clients
    return c


def teardown(c):
    gateway_stop(c)


def test_default_off(c):
    r = c.a.get(OPT)
    check(r.status == 200, r)
    o = r.json()
    check(o["branchTransitState"] == "disabled", o)
    check("lastModifiedDateTime" not in o, o)
    check(o["@odata.context"].endswith("networkAccess/settings/forwardingOptions/$entity"), o)


def test_patch(c):
    r = c.a.patch(OPT, {"branchTransitState": "enabled"})
    check(r.status == 200, r)
    check(r.json()["branchTransitState"] == "enabled", r)
    o = c.a.get(OPT).json()
    check(o["branchTransitState"] == "enabled" and "lastModifiedDateTime" in o, o)
    # Per tenant: B still has the default.
    check(c.b.get(OPT).json()["branchTransitState"] == "disabled")
    # An empty PATCH changes nothing.
    check(c.a.patch(OPT, {}).json()["branchTransitState"] == "enabled")


def test_refused(c):
    expect_error(c.a.patch(OPT, {"branchTransitState": "on"}), 400, "BadRequest",
                 "branchTransitState must be")
    expect_error(c.a.patch(OPT, {"branchTransitState": True}), 400, "BadRequest",
                 "branchTransitState")
    expect_error(c.a.patch(OPT, {"skipDnsLookupState": "enabled"}), 400, "BadRequest",
                 "unknown property 'skipDnsLookupState'")
    expect_error(c.a.patch(OPT, {"lastModifiedDateTime": "2026-01-01T00:00:00Z"}), 400,
                 "BadRequest", "read-only")
    expect_error(c.a.get(OPT + "?$top=1"), 400)
    check(c.a.get(OPT).json()["branchTransitState"] == "enabled")


def cli(c, token, *args):
    env = dict(os.environ, BRANCHGATE_URL=c.d.url, BRANCHGATE_TOKEN=token)
    return subprocess.run([CLI] + list(args), capture_output=True, text=True, env=env,
                          timeout=30)


def test_cli(c):
    tok = c.tenants[1]["token"]
    out = cli(c, tok, "transit")
    check(out.returncode == 0 and "disabled" in out.stdout and "default" in out.stdout, out)
    out = cli(c, tok, "transit", "enable")
    check(out.returncode == 0 and "enabled" in out.stdout, out)
    check(c.b.get(OPT).json()["branchTransitState"] == "enabled")
    out = cli(c, tok, "--json", "transit", "disable")
    check(out.returncode == 0 and '"disabled"' in out.stdout, out)
    check(c.b.get(OPT).json()["branchTransitState"] == "disabled")
    out = cli(c, tok, "transit", "sideways")
    check(out.returncode != 0, out)


def test_restart(c):
    c.d.stop()
    c.d.start()
    check(c.a.get(OPT).json()["branchTransitState"] == "enabled")
    check(c.b.get(OPT).json()["branchTransitState"] == "disabled")


def test_daemon_default():
    g = gateway(("opt-default",), extra=("--branch-transit",))
    try:
        a = g.clients[0]
        check(a.get(OPT).json()["branchTransitState"] == "enabled")
        check(a.patch(OPT, {"branchTransitState": "disabled"}).status == 200)
        check(a.get(OPT).json()["branchTransitState"] == "disabled")
    finally:
        gateway_stop(g)


def test_daemon_default_of(c):
    test_daemon_default()


if __name__ == "__main__":
    run_tests([test_default_off, test_patch, test_refused, test_cli, test_restart,
               test_daemon_default_of], setup, teardown)
