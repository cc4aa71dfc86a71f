#!/usr/bin/python3
"""The forwarding rule commands of the branchgate CLI (docs/cli.md
"Forwarding profiles") against a real branchgated: profile rules (the
table), profile rule RULE forward|bypass and profile group LINK
enable|disable checked against the API, profile bypass add with each
destination form / list / delete, the server's refusals (exit 1) and
usage errors (exit 64)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import CLI, check, gateway, gateway_stop, run_tests  # noqa: E402

FP = "/networkAccess/forwardingPolicies"
PROF = "/networkAccess/forwardingProfiles"


def setup():
    c = gateway(("cli-fwd",))
    c.t = c.tenants[0]
    c.a = c.clients[0]
    pols = c.a.get(FP).json()["value"]
    c.m365 = [p for p in pols if p["trafficForwardingType"] == "m365"]
    c.cb = [p for p in pols if p["name"] == "Custom Bypass"][0]
    c.prof = {p["trafficForwardingType"]: p for p in c.a.get(PROF).json()["value"]}
    return c


def teardown(c):
    gateway_stop(c)


def bg(c, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHGATE_")}
    env.update(BRANCHGATE_URL=c.d.url, BRANCHGATE_TOKEN=c.t["token"])
    return subprocess.run([CLI] + list(args), env=env, input="", capture_output=True,
                          text=True, timeout=60)


def ok(r):
    check(r.returncode == 0, (r.returncode, r.stdout, r.stderr))
    return r


def test_rules_table(c):
    r = ok(bg(c, "profile", "rules", "m365"))
    lines = r.stdout.splitlines()
    check(lines[0].split() == ["RULE", "GROUP", "KIND", "PROTOCOL", "PORTS", "ACTION"], lines[0])
    nrules = sum(len(p["policyRules"]) for p in c.m365)
    check(len(lines) == 1 + nrules, (len(lines), nrules))
    rule = c.m365[0]["policyRules"][0]
    row = [x for x in lines if x.startswith(rule["id"])]
    check(len(row) == 1 and c.m365[0]["name"] in row[0] and ",".join(rule["ports"]) in row[0]
          and row[0].split()[-1] == "forward", row)
    # By name and by id, the same table; the Internet Access defaults too.
    check(ok(bg(c, "profile", "rules", c.prof["m365"]["id"])).stdout == r.stdout)
    check(ok(bg(c, "profile", "rules", c.prof["m365"]["name"])).stdout == r.stdout)
    r = ok(bg(c, "profile", "rules", "internet"))
    check("Default Bypass" in r.stdout and "Default Acquire" in r.stdout, r.stdout)
    r = ok(bg(c, "--json", "profile", "rules", "m365"))
    check(len(json.loads(r.stdout)) == len(c.m365), r.stdout[:200])
    r = bg(c, "profile", "rules", "nosuch")
    check(r.returncode == 1 and "no forwarding profile" in r.stderr, (r.returncode, r.stderr))


def test_rule_action(c):
    pol = c.m365[1]
    rule = pol["policyRules"][0]
    url = "%s/%s/policyRules/%s" % (FP, pol["id"], rule["id"])
    r = ok(bg(c, "profile", "rule", rule["id"], "bypass"))
    check(r.stdout.strip() == "rule %s: action bypass" % rule["id"], r.stdout)
    check(c.a.get(url).json()["action"] == "bypass")
    r = ok(bg(c, "profile", "rules", "m365"))
    row = [x for x in r.stdout.splitlines() if x.startswith(rule["id"])][0]
    check(row.split()[-1] == "bypass", row)
    ok(bg(c, "profile", "rule", rule["id"], "forward"))
    check(c.a.get(url).json()["action"] == "forward")
    r = bg(c, "profile", "rule", rule["id"], "drop")
    check(r.returncode == 64, (r.returncode, r.stderr))
    r = bg(c, "profile", "rule", "00000000-0000-4000-8000-000000000000", "bypass")
    check(r.returncode == 1 and "no forwarding rule" in r.stderr, (r.returncode, r.stderr))
    # The server's refusal: an Internet Access default is not editable.
    ia = [p for p in c.a.get(FP).json()["value"] if p["name"] == "Default Bypass"][0]
    r = bg(c, "profile", "rule", ia["policyRules"][0]["id"], "forward")
    check(r.returncode == 1 and "not editable" in r.stderr, (r.returncode, r.stderr))


def test_group(c):
    pol = c.m365[0]
    links = c.a.get(PROF + "/" + c.prof["m365"]["id"] + "/policies").json()["value"]
    link = [x for x in links if x["policy"]["id"] == pol["id"]][0]
    url = PROF + "/" + c.prof["m365"]["id"] + "/policies/" + link["id"]
    r = ok(bg(c, "profile", "group", link["id"], "disable"))
    check(r.stdout.strip() == "group %s: disabled" % pol["name"], r.stdout)
    check(c.a.get(url).json()["state"] == "disabled")
    r = ok(bg(c, "profile", "rules", "m365"))
    check(pol["name"] + " (disabled)" in r.stdout, r.stdout[:500])
    # By the group's name.
    ok(bg(c, "profile", "group", pol["name"], "enable"))
    check(c.a.get(url).json()["state"] == "enabled")
    r = bg(c, "profile", "group", link["id"], "off")
    check(r.returncode == 64, r.stderr)
    r = bg(c, "profile", "group", "Custom Bypass", "disable")
    check(r.returncode == 1 and "only the Microsoft 365" in r.stderr, (r.returncode, r.stderr))


def test_bypass(c):
    path = FP + "/" + c.cb["id"] + "/policyRules"
    r = ok(bg(c, "profile", "bypass", "add", "Printers", "192.0.2.10", "198.51.100.0/24",
              "203.0.113.5-203.0.113.9"))
    check(r.stdout.startswith("created bypass rule "), r.stdout)
    rid = r.stdout.split()[3]
    o = c.a.get(path + "/" + rid).json()
    check([(d["@odata.type"].split(".")[-1], d.get("value"), d.get("beginAddress"),
            d.get("endAddress")) for d in o["destinations"]] ==
          [("ipAddress", "192.0.2.10", None, None), ("ipSubnet", "198.51.100.0/24", None, None),
           ("ipRange", None, "203.0.113.5", "203.0.113.9")], o)
    check(o["name"] == "Printers" and o["action"] == "bypass", o)
    r = ok(bg(c, "profile", "bypass", "list"))
    check(r.stdout.splitlines()[0].split() == ["RULE", "NAME", "DESTINATIONS"], r.stdout)
    check(rid in r.stdout and "192.0.2.10 198.51.100.0/24 203.0.113.5-203.0.113.9" in r.stdout,
          r.stdout)
    r = ok(bg(c, "-q", "profile", "bypass", "add", "One", "192.0.2.20"))
    rid2 = r.stdout.strip()
    check(c.a.get(path + "/" + rid2).status == 200, rid2)
    # The server's checks, exit 1; the CLI's own, exit 64.
    r = bg(c, "profile", "bypass", "add", "Bad", "198.51.100.1/24")
    check(r.returncode == 1 and "host bits" in r.stderr, (r.returncode, r.stderr))
    r = bg(c, "profile", "bypass", "add", "Bad", "203.0.113.9-203.0.113.5")
    check(r.returncode == 1 and "after" in r.stderr, (r.returncode, r.stderr))
    r = bg(c, "profile", "bypass", "add", "NoDest")
    check(r.returncode == 64, r.stderr)
    r = bg(c, "profile", "bypass", "frobnicate")
    check(r.returncode == 64, r.stderr)
    # Delete: refused without a terminal or --yes, then done.
    r = bg(c, "profile", "bypass", "delete", rid)
    check(r.returncode == 64 and "--yes" in r.stderr, (r.returncode, r.stderr))
    check(c.a.get(path + "/" + rid).status == 200)
    r = ok(bg(c, "profile", "bypass", "delete", rid, "--yes"))
    check(r.stdout.strip() == "deleted bypass rule " + rid, r.stdout)
    check(c.a.get(path + "/" + rid).status == 404)
    r = bg(c, "profile", "bypass", "delete", rid, "--yes")
    check(r.returncode == 1, r.stderr)
    r = ok(bg(c, "--json", "profile", "bypass", "list"))
    check([x["id"] for x in json.loads(r.stdout)] == [rid2], r.stdout)


if __name__ == "__main__":
    run_tests([test_rules_table, test_rule_action, test_group, test_bypass], setup, teardown)
