#!/usr/bin/python3
"""The security policy commands of the branchgate CLI (docs/cli.md
"Security policy") against a real branchgated: policy create / rule add /
show / delete, security-profile link / unlink / show (the baseline by the
name 'baseline'), firewall rule add (which creates and links the baseline's
cloud firewall policy) / enable / disable / list / delete, checked against
the API; deletes refused without a terminal (exit 64) and the server's
refusals (exit 1)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import CLI, check, gateway, gateway_stop, run_tests  # noqa: E402

PROF = "/networkAccess/filteringProfiles"
FW = "/networkAccess/cloudFirewallPolicies"
FP = "/networkAccess/filteringPolicies"


def setup():
    c = gateway(("cli-pol",))
    c.t = c.tenants[0]
    c.a = c.clients[0]
    return c


def teardown(c):
    gateway_stop(c)


def bg(c, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHGATE_")}
    env.update(BRANCHGATE_URL=c.d.url, BRANCHGATE_TOKEN=c.t["token"])
    r = subprocess.run([CLI] + list(args), env=env, input="", capture_output=True,
                       text=True, timeout=60)
    return r


def ok(r):
    check(r.returncode == 0, (r.returncode, r.stdout, r.stderr))
    return r


def baseline(c):
    return [p for p in c.a.get(PROF).json()["value"] if p["priority"] == 65000][0]


def test_policy_and_rules(c):
    r = ok(bg(c, "policy", "create", "Block social", "--action", "block"))
    check(r.stdout.startswith("created filtering policy "), r.stdout)
    pid = r.stdout.split()[3]
    ok(bg(c, "policy", "rule", "add", "Block social", "Names", "--fqdn", "*.Social.example",
          "--fqdn", "bad.example"))
    r = c.a.get(FP + "/" + pid + "?$expand=policyRules").json()
    check([d["value"] for d in r["policyRules"][0]["destinations"]] ==
          ["*.social.example", "bad.example"], r)
    r = ok(bg(c, "policy", "show", pid))
    check("Names" in r.stdout and "*.social.example,bad.example" in r.stdout, r.stdout)
    # The server's validation message, exit 1.
    r = bg(c, "policy", "rule", "add", pid, "Bad", "--fqdn", "192.0.2.1")
    check(r.returncode == 1 and "IP address" in r.stderr, (r.returncode, r.stderr))
    r = bg(c, "policy", "rule", "add", pid, "Both", "--fqdn", "a.example", "--category", "X")
    check(r.returncode == 64, r.stderr)
    r = ok(bg(c, "--json", "policy", "list"))
    check(any(p["id"] == pid for p in json.loads(r.stdout)["value"]), r.stdout)
    c.pid = pid


def test_profile_links(c):
    base = baseline(c)
    r = ok(bg(c, "security-profile", "link", "baseline", "Block social", "--priority", "100"))
    check(r.stdout.startswith("created policy link "), r.stdout)
    links = c.a.get(PROF + "/" + base["id"] + "/policies").json()["value"]
    check([(x["priority"], x["policy"]["id"]) for x in links] == [(100, c.pid)], links)
    r = ok(bg(c, "security-profile", "show", "baseline"))
    check("Baseline Profile" in r.stdout and "Block social" in r.stdout, r.stdout)
    r = bg(c, "security-profile", "link", "baseline", "Block social")
    check(r.returncode == 64 and "--priority" in r.stderr, r.stderr)
    # Linked: the server refuses the delete; no terminal, no --yes: 64.
    check(bg(c, "policy", "delete", "Block social").returncode == 64)
    r = bg(c, "policy", "delete", "Block social", "--yes")
    check(r.returncode == 1 and "delete the link first" in r.stderr, r.stderr)
    r = bg(c, "security-profile", "delete", "baseline", "--yes")
    check(r.returncode == 1 and "cannot be deleted" in r.stderr, r.stderr)
    ok(bg(c, "security-profile", "unlink", "baseline", "Block social", "--yes"))
    check(c.a.get(PROF + "/" + base["id"] + "/policies").json()["value"] == [])
    ok(bg(c, "policy", "delete", "Block social", "--yes"))
    check(c.a.get(FP + "/" + c.pid).status == 404)
    r = ok(bg(c, "security-profile", "create", "Finance", "--priority", "10"))
    ok(bg(c, "security-profile", "delete", "Finance", "--yes"))


def test_firewall_rules(c):
    r = bg(c, "firewall", "rule", "list")
    check(r.returncode == 1 and "no cloud firewall policy" in r.stderr, r.stderr)
    r = ok(bg(c, "firewall", "rule", "add", "Block 8080", "--priority", "100",
              "--dst", "203.0.113.0/24", "--dport", "8080", "--protocol", "tcp"))
    check("linked to the baseline profile" in r.stdout and "disabled" in r.stdout, r.stdout)
    links = c.a.get(PROF + "/" + baseline(c)["id"] + "/policies").json()["value"]
    check(len(links) == 1 and links[0]["@odata.type"].endswith("cloudFirewallPolicyLink"), links)
    fwid = links[0]["policy"]["id"]
    rules = c.a.get(FW + "/" + fwid + "/policyRules").json()["value"]
    check(len(rules) == 1 and rules[0]["settings"]["status"] == "disabled", rules)
    d = rules[0]["matchingConditions"]["destinations"]
    check(d["ports"] == ["8080"] and d["protocols"] == "tcp" and
          d["addresses"][0]["values"] == ["203.0.113.0/24"], d)
    ok(bg(c, "firewall", "rule", "enable", "Block 8080"))
    check(c.a.get(FW + "/" + fwid + "/policyRules").json()["value"][0]["settings"]["status"]
          == "enabled")
    # A second rule goes into the same policy; priorities stay unique.
    ok(bg(c, "firewall", "rule", "add", "Allow DNS", "--priority", "200", "--action", "allow",
          "--dport", "53", "--protocol", "both", "--enabled"))
    r = bg(c, "firewall", "rule", "add", "Dup", "--priority", "200")
    check(r.returncode == 1 and "priority 200" in r.stderr, r.stderr)
    r = ok(bg(c, "firewall", "rule", "list"))
    check(r.stdout.index("Block 8080") < r.stdout.index("Allow DNS"), r.stdout)
    ok(bg(c, "firewall", "rule", "disable", "Block 8080"))
    check(c.a.get(FW + "/" + fwid + "/policyRules").json()["value"][0]["settings"]["status"]
          == "disabled")
    ok(bg(c, "firewall", "rule", "delete", "Block 8080", "--yes"))
    check([x["name"] for x in c.a.get(FW + "/" + fwid + "/policyRules").json()["value"]] ==
          ["Allow DNS"])
    r = ok(bg(c, "firewall", "list"))
    check("Baseline firewall" in r.stdout, r.stdout)


if __name__ == "__main__":
    run_tests([test_policy_and_rules, test_profile_links, test_firewall_rules],
              setup, teardown)
