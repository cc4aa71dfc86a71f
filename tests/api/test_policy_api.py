#!/usr/bin/python3
"""Security policy API (system-facts §3.6-3.7, docs/api.md "Security
policy") against a real daemon: filteringPolicies with fqdn and webCategory
rules, cloudFirewallPolicies with cloudFirewallRules, filteringProfiles with
filteringPolicyLink / cloudFirewallPolicyLink, the baseline profile, the
web category list, validation messages, the tenant limits (409), tenant
isolation, and the schema migration that gives old tenants their baseline.
Runs on PostgreSQL too (tests/api/test_pg.py sets BG_TEST_DB)."""
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import (DAEMON, Client, Daemon, check, expect_error, gateway,  # noqa: E402
                    gateway_stop, run_tests, tenant_create)

NA = "#microsoft.graph.networkaccess."
FP = "/networkAccess/filteringPolicies"
FW = "/networkAccess/cloudFirewallPolicies"
PROF = "/networkAccess/filteringProfiles"
CATS = "/networkAccess/connectivity/webCategories"

WEBCAT = """# test categories
!category\tSocialNetworking\tSocial Networking\tSocial
!category\tGambling\tGambling\tLiability
social.example\tSocialNetworking
bet.example\tGambling
"""


def setup():
    c = type("Ctx", (), {})()
    import tempfile
    c.webcat = tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False)
    c.webcat.write(WEBCAT)
    c.webcat.close()
    c.g = gateway(("pol-a", "pol-b", "pol-limits-p", "pol-limits-r", "pol-limits-f",
                   "pol-limits-prof"),
                  extra=["--webcat-file", c.webcat.name])
    c.a, c.b, c.lp, c.lr, c.lf, c.lprof = c.g.clients
    return c


def teardown(c):
    gateway_stop(c.g)
    os.unlink(c.webcat.name)


def fqdn_rule(name, *values):
    return {"@odata.type": NA + "fqdnFilteringRule", "name": name, "ruleType": "fqdn",
            "destinations": [{"@odata.type": NA + "fqdn", "value": v} for v in values]}


def fw_rule(name, prio, **over):
    """The Graph create example's rule (networkaccess-cloudfirewallpolicy-post-policyrules)."""
    b = {"@odata.type": NA + "cloudFirewallRule", "name": name, "priority": prio,
         "action": "block",
         "matchingConditions": {
             "sources": {"addresses": [{"@odata.type": NA + "cloudFirewallSourceIpAddress",
                                        "values": ["192.0.2.1", "192.0.2.0/24",
                                                   "198.51.100.0-198.51.100.127"]}],
                         "ports": ["80", "443", "445-447"]},
             "destinations": {"addresses": [{"@odata.type": NA + "cloudFirewallDestinationIpAddress",
                                             "values": ["203.0.113.1"]}],
                              "ports": ["80", "443", "445-447"], "protocols": "tcp"}}}
    b.update(over)
    return b


def baseline(cl):
    r = cl.get(PROF)
    check(r.status == 200, r)
    base = [p for p in r.json()["value"] if p["priority"] == 65000]
    check(len(base) == 1, r.json())
    return base[0]


def new_policy(cl, name, rules=(), action="block"):
    r = cl.post(FP, {"name": name, "action": action, "policyRules": list(rules)})
    check(r.status == 201, r)
    return r.json()


def test_baseline_profile(c):
    r = c.a.get(PROF)
    check(r.status == 200, r)
    v = r.json()["value"]
    check(len(v) == 1, v)
    b = v[0]
    check(b["@odata.type"] == NA + "filteringProfile", b)
    check(b["priority"] == 65000 and b["name"] == "Baseline Profile" and
          b["state"] == "enabled", b)
    for k in ("id", "description", "version", "createdDateTime", "lastModifiedDateTime"):
        check(k in b, (k, b))
    expect_error(c.a.delete(PROF + "/" + b["id"]), 409, "Conflict", "cannot be deleted")
    expect_error(c.a.patch(PROF + "/" + b["id"], {"priority": 100}), 400, "BadRequest",
                 "priority")
    r = c.a.patch(PROF + "/" + b["id"], {"description": "all branches"})
    check(r.status == 204, r)
    r = c.a.get(PROF + "/" + b["id"])
    check(r.json()["description"] == "all branches" and r.json()["priority"] == 65000, r)
    # Each tenant has its own.
    check(baseline(c.b)["id"] != b["id"])


def test_filtering_policy_crud(c):
    body = {"@odata.type": NA + "filteringPolicy", "name": "Block Social",
            "description": "Block social sites", "action": "block",
            "policyRules": [fqdn_rule("Social", "*.Contoso.COM", "fabrikam.example."),
                            {"@odata.type": NA + "webCategoryFilteringRule",
                             "name": "Cats", "ruleType": "webCategory",
                             "destinations": [{"@odata.type": NA + "webCategory",
                                               "name": "socialnetworking"}]}]}
    r = c.a.post(FP, body)
    check(r.status == 201, r)
    p = r.json()
    check(r.headers.get("Location") == FP + "/" + p["id"], r.headers)
    check(p["@odata.type"] == NA + "filteringPolicy" and p["action"] == "block", p)
    check(p["@odata.context"].endswith("$metadata#networkAccess/filteringPolicies/$entity"), p)
    rules = {x["name"]: x for x in p["policyRules"]}
    # Lower-cased, trailing dot dropped (DNS names compare case-insensitively).
    check([d["value"] for d in rules["Social"]["destinations"]] ==
          ["*.contoso.com", "fabrikam.example"], rules)
    check(rules["Social"]["destinations"][0]["@odata.type"] == NA + "fqdn", rules)
    cat = rules["Cats"]["destinations"][0]
    # The category list's spelling, displayName and group.
    check(cat == {"@odata.type": NA + "webCategory", "name": "SocialNetworking",
                  "displayName": "Social Networking", "group": "Social"}, cat)

    r = c.a.get(FP + "/" + p["id"])
    check(r.status == 200 and "policyRules" not in r.json(), r)
    r = c.a.get(FP + "/" + p["id"] + "?$expand=policyRules")
    check(len(r.json()["policyRules"]) == 2, r)
    r = c.a.get(FP + "?$select=name")
    check(r.status == 200, r)
    check(any(x == {"@odata.type": NA + "filteringPolicy", "id": p["id"],
                    "name": "Block Social"} for x in r.json()["value"]), r.json())

    r = c.a.patch(FP + "/" + p["id"], {"name": "Block Social 2", "action": "allow"})
    check(r.status == 204, r)
    r = c.a.get(FP + "/" + p["id"])
    check(r.json()["name"] == "Block Social 2" and r.json()["action"] == "allow", r)
    expect_error(c.a.patch(FP + "/" + p["id"], {"policyRules": []}), 400, "BadRequest",
                 "policyRules")
    expect_error(c.a.patch(FP + "/" + p["id"], {"@odata.type": NA + "cloudFirewallPolicy"}),
                 400, "BadRequest", "@odata.type")
    # A filtering policy is not in the cloud firewall collection.
    expect_error(c.a.get(FW + "/" + p["id"]), 404, "NotFound")
    # Names are unique in the tenant.
    expect_error(c.a.post(FP, {"name": "Block Social 2"}), 409, "Conflict", "already exists")

    r = c.a.delete(FP + "/" + p["id"])
    check(r.status == 204, r)
    expect_error(c.a.get(FP + "/" + p["id"]), 404, "NotFound")
    expect_error(c.a.delete(FP + "/" + p["id"]), 404, "NotFound")


def test_rule_crud(c):
    p = new_policy(c.a, "Rules")
    path = FP + "/" + p["id"] + "/policyRules"
    r = c.a.post(path, fqdn_rule("One", "one.example"))
    check(r.status == 201, r)
    rule = r.json()
    check(r.headers.get("Location") == path + "/" + rule["id"], r.headers)
    check(rule["ruleType"] == "fqdn" and rule["@odata.type"] == NA + "fqdnFilteringRule", rule)
    # ruleType alone is enough.
    r = c.a.post(path, {"name": "Two", "ruleType": "fqdn",
                        "destinations": [{"value": "two.example"}]})
    check(r.status == 201, r)
    two = r.json()["id"]
    r = c.a.get(path)
    check([x["name"] for x in r.json()["value"]] == ["One", "Two"], r)
    r = c.a.patch(path + "/" + rule["id"], {"destinations": [{"value": "*.uno.example"}]})
    check(r.status == 204, r)
    r = c.a.get(path + "/" + rule["id"])
    check(r.json()["destinations"] == [{"@odata.type": NA + "fqdn", "value": "*.uno.example"}], r)
    r = c.a.patch(path + "/" + rule["id"], {"name": "Uno"},
                  headers={"Prefer": "return=representation"})
    check(r.status == 200 and r.json()["name"] == "Uno", r)
    expect_error(c.a.patch(path + "/" + rule["id"], {"name": "Two"}), 409, "Conflict",
                 "already exists in this policy")
    # A rule's type cannot change.
    expect_error(c.a.patch(path + "/" + rule["id"], {"ruleType": "webCategory"}), 400)
    check(c.a.delete(path + "/" + two).status == 204)
    expect_error(c.a.get(path + "/" + two), 404, "NotFound")
    check(c.a.delete(FP + "/" + p["id"]).status == 204)


def test_validation_messages(c):
    cases = [
        ({"name": "", "action": "block"}, ["name must not be empty"]),
        ({"name": "x", "action": "bypass"}, ["action 'bypass'", "does not support"]),
        ({"name": "x", "colour": "red"}, ["unknown property 'colour'"]),
        ({"name": "x", "policyRules": [fqdn_rule("r", "192.0.2.7")]},
         ["policyRules[0].destinations[0].value", "IP address"]),
        ({"name": "x", "policyRules": [fqdn_rule("r", "a.*.example")]},
         ["destinations[0].value", "wildcard"]),
        ({"name": "x", "policyRules": [fqdn_rule("r", "ok.example", "OK.example")]},
         ["listed twice"]),
        ({"name": "x", "policyRules": [fqdn_rule("r", "-bad-.example" * 30)]},
         ["destinations[0].value"]),
        ({"name": "x", "policyRules": [{"name": "r", "destinations": []}]},
         ["ruleType is required"]),
        ({"name": "x", "policyRules": [{"name": "r", "ruleType": "webCategory",
                                        "destinations": [{"name": "Cooking"}]}]},
         ["destinations[0].name", "not a known web category"]),
        ({"name": "x", "policyRules": [{"@odata.type": NA + "fqdnFilteringRule",
                                        "ruleType": "webCategory", "name": "r",
                                        "destinations": []}]},
         ["does not match @odata.type"]),
    ]
    for body, words in cases:
        expect_error(c.a.post(FP, body), 400, "BadRequest", words)
    fw = c.a.post(FW, {"name": "Validation FW"})
    check(fw.status == 201, fw)
    path = FW + "/" + fw.json()["id"] + "/policyRules"
    mc = fw_rule("x", 100)["matchingConditions"]
    src = mc["sources"]
    dst = mc["destinations"]
    fcases = [
        (fw_rule("x", 99), ["priority 99 is out of range (100"]),
        (fw_rule("x", "100"), ["priority must be a JSON integer"]),
        (fw_rule("x", 100, action="drop"), ["action 'drop' is not one of: block, allow"]),
        (fw_rule("x", 100, settings={"status": "reportOnly"}), ["settings.status 'reportOnly'"]),
        (fw_rule("x", 100, matchingConditions={}), ["needs sources or destinations"]),
        (fw_rule("x", 100, matchingConditions={"sources": dict(src, ports=["0"])}),
         ["matchingConditions.sources.ports[0] '0'"]),
        (fw_rule("x", 100, matchingConditions={"sources": dict(src, ports=["2048-1024"])}),
         ["ports[0] '2048-1024'"]),
        (fw_rule("x", 100, matchingConditions={"sources": dict(src, ports=["70000"])}),
         ["ports[0] '70000'"]),
        (fw_rule("x", 100, matchingConditions={"destinations": dict(dst, protocols="icmp")}),
         ["matchingConditions.destinations.protocols 'icmp'"]),
        (fw_rule("x", 100, matchingConditions={"sources": {"addresses": [
            {"@odata.type": NA + "cloudFirewallSourceIpAddress", "values": ["10.0.0.1/8"]}]}}),
         ["addresses[0].values[0] '10.0.0.1/8' has host bits"]),
        (fw_rule("x", 100, matchingConditions={"sources": {"addresses": [
            {"@odata.type": NA + "cloudFirewallSourceIpAddress",
             "values": ["10.0.0.9-10.0.0.1"]}]}}),
         ["first address is above its last"]),
        (fw_rule("x", 100, matchingConditions={"destinations": {"addresses": [
            {"@odata.type": NA + "cloudFirewallDestinationFqdnAddress",
             "values": ["a.example"]}]}}),
         ["FQDN destinations are not supported"]),
        (fw_rule("x", 100, matchingConditions={"sources": {"addresses": [
            {"@odata.type": NA + "cloudFirewallSourceIpAddress",
             "values": ["10.0.%d.1" % i for i in range(65)]}]}}),
         ["at most 64 addresses"]),
        (fqdn_rule("x", "a.example"), ["unknown property 'ruleType'",
                                       "@odata.type '" + NA + "fqdnFilteringRule'"]),
    ]
    for body, words in fcases:
        expect_error(c.a.post(path, body), 400, "BadRequest", words)
    # Every problem at once, each naming its field.
    e = expect_error(c.a.post(path, {"name": "", "priority": 5, "action": "x"}), 400)
    targets = {d["target"] for d in e["details"]}
    check({"name", "priority", "action", "matchingConditions"} <= targets, e)
    expect_error(c.a.post(FW, {"name": "bad", "settings": {"defaultAction": "block"}}), 400,
                 "BadRequest", "settings.defaultAction 'block'")
    check(c.a.delete(FW + "/" + fw.json()["id"]).status == 204)


def test_firewall_rules(c):
    r = c.a.post(FW, {"@odata.type": NA + "cloudFirewallPolicy", "name": "Branch FW",
                      "settings": {"defaultAction": "allow"}})
    check(r.status == 201, r)
    fw = r.json()
    check(fw["settings"] == {"defaultAction": "allow"} and "action" not in fw, fw)
    path = FW + "/" + fw["id"] + "/policyRules"
    r = c.a.post(path, fw_rule("Block web", 100))
    check(r.status == 201, r)
    rule = r.json()
    # New rules start disabled (system-facts §3.7); addresses canonical.
    check(rule["settings"] == {"status": "disabled"}, rule)
    mc = rule["matchingConditions"]
    check(mc["sources"]["addresses"] == [{"@odata.type": NA + "cloudFirewallSourceIpAddress",
                                          "values": ["192.0.2.1", "192.0.2.0/24",
                                                     "198.51.100.0/25"]}], mc)
    check(mc["sources"]["ports"] == ["80", "443", "445-447"], mc)
    check(mc["destinations"]["protocols"] == "tcp" and
          mc["destinations"]["addresses"][0]["values"] == ["203.0.113.1"], mc)
    check(rule["priority"] == 100 and rule["action"] == "block", rule)
    # Priorities are unique within the policy.
    expect_error(c.a.post(path, fw_rule("Other", 100)), 409, "Conflict", "priority 100")
    r = c.a.post(path, fw_rule("Range", 200, settings={"status": "enabled"},
                               matchingConditions={"destinations": {
                                   "addresses": [], "ports": ["1024-2048"],
                                   "protocols": "tcp,udp"}}))
    check(r.status == 201, r)
    r2 = r.json()
    check(r2["settings"]["status"] == "enabled", r2)
    check(r2["matchingConditions"]["sources"] is None and
          r2["matchingConditions"]["destinations"]["protocols"] == "tcp,udp", r2)
    # Enable, then a patch without settings keeps the state.
    check(c.a.patch(path + "/" + rule["id"], {"settings": {"status": "enabled"}}).status == 204)
    check(c.a.patch(path + "/" + rule["id"], {"description": "web"}).status == 204)
    r = c.a.get(path + "/" + rule["id"])
    check(r.json()["settings"]["status"] == "enabled" and r.json()["description"] == "web", r)
    expect_error(c.a.patch(path + "/" + rule["id"], {"priority": 200}), 409, "Conflict",
                 "priority 200")
    r = c.a.get(path)
    check([x["priority"] for x in r.json()["value"]] == [100, 200], r)
    c.fw_policy = fw["id"]


def test_links_and_priorities(c):
    base = baseline(c.a)
    lp = PROF + "/" + base["id"] + "/policies"
    ps = [new_policy(c.a, "Links %d" % i, [fqdn_rule("r", "l%d.example" % i)]) for i in range(3)]
    for p, prio in zip(ps, (300, 100, 200)):
        r = c.a.post(lp, {"@odata.type": NA + "filteringPolicyLink", "priority": prio,
                          "state": "enabled", "loggingState": "enabled",
                          "policy": {"id": p["id"]}})
        check(r.status == 201, r)
        link = r.json()
        check(link["@odata.type"] == NA + "filteringPolicyLink" and link["priority"] == prio, link)
        # The policy is expanded.
        check(link["policy"]["id"] == p["id"] and link["policy"]["name"] == p["name"], link)
    r = c.a.get(lp)
    check([x["priority"] for x in r.json()["value"]] == [100, 200, 300], r)
    check([x["policy"]["id"] for x in r.json()["value"]] == [ps[1]["id"], ps[2]["id"],
                                                           ps[0]["id"]], r)
    first = r.json()["value"][0]
    expect_error(c.a.post(lp, {"priority": 100, "policy": {"id": ps[0]["id"]}}), 409, "Conflict")
    expect_error(c.a.post(lp, {"priority": 400, "policy": {"id": ps[0]["id"]}}), 409,
                 "Conflict", "already linked")
    expect_error(c.a.post(lp, {"priority": 500, "policy": {"id": ps[0]["id"][::-1]}}), 400,
                 "BadRequest", "policy.id")
    expect_error(c.a.post(lp, {"policy": {"id": ps[0]["id"]}}), 400, "BadRequest", "priority")
    # Reorder: the first goes last.
    check(c.a.patch(lp + "/" + first["id"], {"priority": 900}).status == 204)
    r = c.a.get(lp)
    check([x["priority"] for x in r.json()["value"]] == [200, 300, 900], r)
    expect_error(c.a.patch(lp + "/" + first["id"], {"policy": {"id": ps[0]["id"]}}), 400,
                 "BadRequest", "policy cannot be changed")
    # $expand=policies($expand=policy) on the profiles.
    r = c.a.get(PROF + "?$expand=policies($expand=policy)")
    check(r.status == 200, r)
    b = [p for p in r.json()["value"] if p["id"] == base["id"]][0]
    check(len(b["policies"]) >= 3 and all("name" in x["policy"] for x in b["policies"]), b)
    # One cloud firewall policy per profile.
    r = c.a.post(lp, {"@odata.type": NA + "cloudFirewallPolicyLink", "state": "enabled",
                      "policy": {"id": c.fw_policy}})
    check(r.status == 201, r)
    check(r.json()["@odata.type"] == NA + "cloudFirewallPolicyLink" and
          "priority" not in r.json(), r)
    fw2 = c.a.post(FW, {"name": "Second FW"}).json()
    expect_error(c.a.post(lp, {"policy": {"id": fw2["id"]}}), 409, "Conflict",
                 "at most one cloud firewall policy")
    # A linked policy cannot be deleted; unlinked, it can.
    expect_error(c.a.delete(FP + "/" + ps[1]["id"]), 409, "Conflict", "delete the link first")
    check(c.a.delete(lp + "/" + first["id"]).status == 204)
    expect_error(c.a.get(lp + "/" + first["id"]), 404)
    check(c.a.delete(FP + "/" + ps[1]["id"]).status == 204)


def test_user_profiles(c):
    r = c.a.post(PROF, {"@odata.type": NA + "filteringProfile", "name": "Finance",
                        "priority": 100, "state": "enabled"})
    check(r.status == 201, r)
    p = r.json()
    check(p["priority"] == 100 and p["name"] == "Finance", p)
    expect_error(c.a.post(PROF, {"name": "Other", "priority": 65000}), 400, "BadRequest",
                 "baseline")
    expect_error(c.a.post(PROF, {"name": "Finance", "priority": 200}), 409, "Conflict")
    expect_error(c.a.post(PROF, {"name": "No priority"}), 400, "BadRequest",
                 "priority is required")
    pol = new_policy(c.a, "Finance rules")
    r = c.a.post(PROF + "/" + p["id"] + "/policies",
                 {"priority": 100, "policy": {"id": pol["id"]}})
    check(r.status == 201, r)
    # Deleting the profile deletes its links; then the policy can go.
    check(c.a.delete(PROF + "/" + p["id"]).status == 204)
    check(c.a.delete(FP + "/" + pol["id"]).status == 204)


def test_tenant_isolation(c):
    p = new_policy(c.a, "A only", [fqdn_rule("r", "a-only.example")])
    rid = p["policyRules"][0]["id"]
    base_a = baseline(c.a)
    for m, path in (("get", FP + "/" + p["id"]), ("delete", FP + "/" + p["id"]),
                    ("get", FP + "/" + p["id"] + "/policyRules"),
                    ("get", FP + "/" + p["id"] + "/policyRules/" + rid),
                    ("delete", FP + "/" + p["id"] + "/policyRules/" + rid),
                    ("get", PROF + "/" + base_a["id"]),
                    ("get", PROF + "/" + base_a["id"] + "/policies")):
        expect_error(getattr(c.b, m)(path), 404, "NotFound")
    expect_error(c.b.patch(FP + "/" + p["id"], {"name": "mine"}), 404, "NotFound")
    expect_error(c.b.post(FP + "/" + p["id"] + "/policyRules", fqdn_rule("x", "x.example")),
                 404)
    # B cannot link A's policy into its own baseline.
    base_b = baseline(c.b)
    expect_error(c.b.post(PROF + "/" + base_b["id"] + "/policies",
                          {"priority": 100, "policy": {"id": p["id"]}}), 400, "BadRequest")
    check(all(x["id"] != p["id"] for x in c.b.get(FP).json()["value"]))
    # Names are per tenant.
    check(c.b.post(FP, {"name": "A only"}).status == 201)
    r = c.a.get(FP + "/" + p["id"])
    check(r.status == 200 and r.json()["name"] == "A only", r)


def test_web_categories(c):
    r = c.a.get(CATS)
    check(r.status == 200, r)
    v = r.json()["value"]
    check({x["name"] for x in v} == {"SocialNetworking", "Gambling"}, v)
    check({"@odata.type": NA + "webCategory", "name": "Gambling", "displayName": "Gambling",
           "group": "Liability"} in v, v)
    r = c.a.get(CATS + "?$count=true")
    check(r.json()["@odata.count"] == 2, r)


def test_limit_policies(c):
    for i in range(100):
        r = c.lp.post(FW if i % 2 else FP, {"name": "P%03d" % i})
        check(r.status == 201, (i, r))
    # Filtering and cloud firewall policies count together.
    for path in (FP, FW):
        expect_error(c.lp.post(path, {"name": "P100"}), 409, "Conflict",
                     "at most 100 policies")
    check(len(c.lp.get(FP).json()["value"]) == 50)


def test_limit_rules(c):
    rules = [fqdn_rule("R%04d" % i, "r%d.example" % i) for i in range(1000)]
    r = c.lr.post(FP, {"name": "Thousand", "policyRules": rules})
    check(r.status == 201, r)
    pid = r.json()["id"]
    check(len(r.json()["policyRules"]) == 1000)
    expect_error(c.lr.post(FP + "/" + pid + "/policyRules", fqdn_rule("R1000", "x.example")),
                 409, "Conflict", "at most 1000 policy rules")
    # The limit is the tenant's, in all its policies.
    fw = c.lr.post(FW, {"name": "FW"}).json()
    expect_error(c.lr.post(FW + "/" + fw["id"] + "/policyRules", fw_rule("x", 100)), 409,
                 "Conflict", "1000")
    # An over-limit create changes nothing.
    expect_error(c.lr.post(FP, {"name": "More", "policyRules": [fqdn_rule("a", "a.example")]}),
                 409, "Conflict", "policyRules[0]")
    check(all(x["name"] != "More" for x in c.lr.get(FP).json()["value"]))
    r = c.lr.get(FP + "/" + pid + "/policyRules?$count=true")
    check(r.json()["@odata.count"] == 1000, r.json().get("@odata.count"))


def test_limit_fqdns(c):
    p = new_policy(c.lf, "FQDNs")
    path = FP + "/" + p["id"] + "/policyRules"
    for k in range(8):
        r = c.lf.post(path, fqdn_rule("F%d" % k, *["h%d.n%d.example" % (i, k)
                                                  for i in range(1000)]))
        check(r.status == 201, (k, r))
    e = expect_error(c.lf.post(path, fqdn_rule("F8", "one-more.example")), 409, "Conflict",
                     "at most 8000 FQDN")
    check("8000" in e["message"], e)
    # Web-category rules do not count.
    r = c.lf.post(path, {"name": "Cat", "ruleType": "webCategory",
                         "destinations": [{"name": "Gambling"}]})
    check(r.status == 201, r)
    # Shrinking a rule makes room.
    first = [x for x in c.lf.get(path).json()["value"] if x["name"] == "F0"][0]
    check(c.lf.patch(path + "/" + first["id"],
                     {"destinations": [{"value": "only.example"}]}).status == 204)
    check(c.lf.post(path, fqdn_rule("F9", "one-more.example")).status == 201)


def test_limit_profiles(c):
    for i in range(255):
        r = c.lprof.post(PROF, {"name": "Prof %d" % i, "priority": i})
        check(r.status == 201, (i, r))
    expect_error(c.lprof.post(PROF, {"name": "Prof 255", "priority": 300}), 409, "Conflict",
                 "at most 256 filtering profiles")


def test_migration_gives_baseline(c):
    """A schema-3 database (before security policy) gets the tables and a
    baseline profile per tenant when a new build opens it."""
    if os.environ.get("BG_TEST_DB"):
        return  # SQLite surgery: not on PostgreSQL
    import tempfile
    d = tempfile.mkdtemp(prefix="bgtest-")
    db = os.path.join(d, "old.db")
    t = tenant_create("sqlite:" + db, "Old tenant")
    con = sqlite3.connect(db)
    for tbl in ("link_status", "link_nodes", "nodes", "forwarding_options", "forwarding_rules", "filtering_policy_links", "policy_rules",
                "filtering_profiles", "security_policies"):
        con.execute("DROP TABLE " + tbl)
    con.execute("ALTER TABLE health_events DROP COLUMN node")
    con.execute("PRAGMA user_version = 3")
    con.commit()
    con.close()
    dm = Daemon(d, "sqlite:" + db).start()
    try:
        cl = Client(dm, t["token"])
        b = baseline(cl)
        check(b["name"] == "Baseline Profile", b)
        con = sqlite3.connect(db)
        check(con.execute("PRAGMA user_version").fetchone()[0] >= 4)
        con.close()
    finally:
        dm.stop()
    subprocess.run(["rm", "-rf", d])
    check(os.path.exists(DAEMON))


if __name__ == "__main__":
    run_tests([test_baseline_profile, test_filtering_policy_crud, test_rule_crud,
               test_validation_messages, test_firewall_rules, test_links_and_priorities,
               test_user_profiles, test_tenant_isolation, test_web_categories,
               test_limit_policies, test_limit_rules, test_limit_fqdns, test_limit_profiles,
               test_migration_gives_baseline],
              setup, teardown)
