#!/usr/bin/python3
"""Per-tenant forwarding rules over the API (docs/api.md "Forwarding
policies"): the shapes of /networkAccess/forwardingPolicies and their
policyRules, a Microsoft 365 rule's action PATCHed to bypass and back (seen
in the rule, the policy and the profile's expanded policies), a Microsoft
365 policy link disabled, Custom Bypass rules created with each destination
type, patched and deleted, the 400s naming their field, the 404s and 405,
the 409 at the 101st Custom Bypass rule, tenant isolation, and the rows
surviving a daemon restart."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import check, expect_error, gateway, gateway_stop, run_tests  # noqa: E402

FP = "/networkAccess/forwardingPolicies"
PROF = "/networkAccess/forwardingProfiles"
NS = "#microsoft.graph.networkaccess."
EXPAND_ALL = "?$expand=policies($expand=policy($expand=policyRules))"
MISSING = "00000000-0000-4000-8000-000000000000"


def setup():
    c = gateway(("fwd-a", "fwd-b", "fwd-c"))
    c.a, c.b, c.lim = c.clients
    pols = c.a.get(FP).json()["value"]
    c.m365 = [p for p in pols if p["trafficForwardingType"] == "m365"]
    c.inet = {p["name"]: p for p in pols if p["trafficForwardingType"] == "internet"}
    c.cb = c.inet["Custom Bypass"]
    profs = c.a.get(PROF).json()["value"]
    c.prof = {p["trafficForwardingType"]: p for p in profs}
    # An IP rule of the first Microsoft 365 group, and that group's link.
    c.pol = c.m365[0]
    c.rule = [r for r in c.pol["policyRules"] if r["ruleType"] == "ipSubnet"][0]
    links = c.a.get(PROF + "/" + c.prof["m365"]["id"] + "/policies").json()["value"]
    c.link = [x for x in links if x["policy"]["id"] == c.pol["id"]][0]
    return c


def teardown(c):
    gateway_stop(c)


def rule_url(c, pol, rid):
    return "%s/%s/policyRules/%s" % (FP, pol["id"], rid)


def subnet(v):
    return {"@odata.type": NS + "ipSubnet", "value": v}


def custom(name, *dst):
    return {"@odata.type": NS + "internetAccessForwardingRule", "name": name,
            "action": "bypass", "destinations": list(dst)}


def profile_rule(c, client, traffic, rid):
    """The rule rid as the profile's expanded policies show it, and its link."""
    pid = [p["id"] for p in client.get(PROF).json()["value"]
           if p["trafficForwardingType"] == traffic][0]
    p = client.get(PROF + "/" + pid + EXPAND_ALL).json()
    for link in p["policies"]:
        for r in link["policy"]["policyRules"]:
            if r["id"] == rid:
                return r, link
    return None, None


def test_shapes(c):
    r = c.a.get(FP)
    check(r.status == 200, r)
    pols = r.json()["value"]
    check(len(c.m365) >= 4 and set(c.inet) == {"Custom Bypass", "Default Bypass",
                                                "Default Acquire"}, [p["name"] for p in pols])
    for p in pols:
        check(p["@odata.type"] == NS + "forwardingPolicy", p)
        check({"id", "name", "trafficForwardingType", "version", "policyRules"} <= set(p), p)
        for rule in p["policyRules"]:
            check(rule["action"] in ("forward", "bypass"), rule)
            check(rule["destinations"], rule)
    check(c.cb["policyRules"] == [], c.cb)
    check(c.rule["@odata.type"] == NS + "m365ForwardingRule" and c.rule["action"] == "forward"
          and c.rule["protocol"] in ("tcp", "udp") and c.rule["ports"], c.rule)
    # One policy, its rules, one rule: the same objects as the list.
    g = c.a.get(FP + "/" + c.pol["id"])
    check(g.status == 200 and g.json()["policyRules"] == c.pol["policyRules"], g)
    check(g.json()["@odata.context"].endswith("$metadata#networkAccess/forwardingPolicies/$entity"), g)
    rl = c.a.get(FP + "/" + c.pol["id"] + "/policyRules").json()
    check(rl["value"] == c.pol["policyRules"], rl)
    one = c.a.get(rule_url(c, c.pol, c.rule["id"])).json()
    check({k: v for k, v in one.items() if k != "@odata.context"} == c.rule, one)
    # $select and $expand as the other collections take them.
    s = c.a.get(FP + "?$select=name").json()["value"]
    check(all(set(p) <= {"@odata.type", "id", "name"} and "name" in p for p in s), s[0])
    s = c.a.get(FP + "?$select=name&$expand=policyRules").json()["value"]
    check(all("policyRules" in p for p in s), s[0])
    s = c.a.get(rule_url(c, c.pol, c.rule["id"]) + "?$select=action").json()
    check(s["action"] == "forward" and "destinations" not in s, s)
    expect_error(c.a.get(FP + "?$select=bogus"), 400, contains="bogus")
    expect_error(c.a.get(FP + "?$expand=policy"), 400)
    expect_error(c.a.get(FP + "?$filter=name%20eq%20'x'"), 400)
    check(c.a.get(FP + "?$count=true").json()["@odata.count"] == len(pols))


def test_not_found(c):
    for path in (FP + "/" + MISSING, FP + "/not-a-guid", FP + "/" + MISSING + "/policyRules",
                 rule_url(c, c.pol, MISSING), rule_url(c, c.pol, "x"),
                 # A rule under another policy than its own.
                 rule_url(c, c.m365[1], c.rule["id"]),
                 # A link id is not a policy id, nor a profile's link elsewhere.
                 FP + "/" + c.link["id"],
                 PROF + "/" + c.prof["m365"]["id"] + "/policies/" + MISSING,
                 PROF + "/" + c.prof["internet"]["id"] + "/policies/" + c.link["id"],
                 PROF + "/" + MISSING + "/policies/" + c.link["id"]):
        expect_error(c.a.get(path), 404, "NotFound")
    expect_error(c.a.patch(rule_url(c, c.pol, MISSING), {"action": "bypass"}), 404)
    expect_error(c.a.delete(rule_url(c, c.cb, MISSING)), 404)
    expect_error(c.a.post(FP + "/" + MISSING + "/policyRules", custom("x", subnet("192.0.2.0/24"))),
                 404)


def test_rule_action(c):
    url = rule_url(c, c.pol, c.rule["id"])
    r = c.a.patch(url, {"action": "bypass"})
    check(r.status == 204, r)
    check(c.a.get(url).json()["action"] == "bypass")
    pol = c.a.get(FP + "/" + c.pol["id"]).json()
    check([x["action"] for x in pol["policyRules"] if x["id"] == c.rule["id"]] == ["bypass"], pol)
    # The profile shows the tenant's state, expanded and as its policies.
    pr, _ = profile_rule(c, c.a, "m365", c.rule["id"])
    check(pr is not None and pr["action"] == "bypass", pr)
    links = c.a.get(PROF + "/" + c.prof["m365"]["id"] + "/policies").json()["value"]
    got = [x for link in links for x in link["policy"]["policyRules"] if x["id"] == c.rule["id"]]
    check([x["action"] for x in got] == ["bypass"], got)
    lst = c.a.get(PROF + EXPAND_ALL).json()["value"]
    got = [x for p in lst for link in p.get("policies", []) for x in link["policy"]["policyRules"]
           if x["id"] == c.rule["id"]]
    check([x["action"] for x in got] == ["bypass"], got)
    # Only that rule changed.
    other = [x for x in pol["policyRules"] if x["id"] != c.rule["id"]]
    check(all(x["action"] == "forward" for x in other), other)
    # Back to forward, answered with the rule on request; the GET body back
    # as it was read is accepted (read-only members ignored).
    r = c.a.patch(url, {"action": "forward", "id": c.rule["id"]},
                  headers={"Prefer": "return=representation"})
    check(r.status == 200 and r.json()["action"] == "forward", r)
    check(c.a.get(url).json()["action"] == "forward")
    c.a.patch(url, {"action": "bypass"})


def test_rule_patch_refused(c):
    url = rule_url(c, c.pol, c.rule["id"])
    for body, field in (({"name": "mine"}, "name"), ({"destinations": []}, "destinations"),
                        ({"ports": ["1"]}, "ports"), ({"protocol": "udp"}, "protocol"),
                        ({"category": "allow"}, "category")):
        e = expect_error(c.a.patch(url, body), 400, "BadRequest", contains="read-only")
        check(e["details"][0]["target"] == field, e)
    e = expect_error(c.a.patch(url, {"action": "drop"}), 400, contains="'forward' or 'bypass'")
    check(e["details"][0]["target"] == "action", e)
    e = expect_error(c.a.patch(url, {"bogus": 1}), 400, contains="unknown property")
    check(e["details"][0]["target"] == "bogus", e)
    expect_error(c.a.patch(url, {}), 400, contains="action is required")
    expect_error(c.a.patch(url, {"@odata.type": NS + "internetAccessForwardingRule",
                                 "action": "bypass"}), 400, contains="@odata.type")
    # Nothing of those was stored.
    check(c.a.get(url).json()["action"] == "bypass")
    # Internet Access defaults are not editable; built-in rules not deletable.
    for name in ("Default Bypass", "Default Acquire"):
        p = c.inet[name]
        rid = p["policyRules"][0]["id"]
        expect_error(c.a.patch(rule_url(c, p, rid), {"action": "forward"}), 400,
                     contains="not editable")
        expect_error(c.a.delete(rule_url(c, p, rid)), 400, contains="not editable")
    expect_error(c.a.delete(url), 400, contains="PATCH its action")
    # New rules go to Custom Bypass only.
    r = c.a.post(FP + "/" + c.pol["id"] + "/policyRules", custom("x", subnet("192.0.2.0/24")))
    expect_error(r, 405, "MethodNotAllowed", contains="Custom Bypass")
    check(r.headers.get("Allow") == "GET", r.headers)
    expect_error(c.a.post(FP + "/" + c.inet["Default Bypass"]["id"] + "/policyRules",
                          custom("x", subnet("192.0.2.0/24"))), 405)


def test_link_state(c):
    url = PROF + "/" + c.prof["m365"]["id"] + "/policies/" + c.link["id"]
    g = c.a.get(url)
    check(g.status == 200 and g.json()["state"] == "enabled"
          and g.json()["policy"]["id"] == c.pol["id"], g)
    check(g.json()["@odata.type"] == NS + "forwardingPolicyLink", g)
    r = c.a.patch(url, {"state": "disabled"})
    check(r.status == 204, r)
    check(c.a.get(url).json()["state"] == "disabled")
    _, link = profile_rule(c, c.a, "m365", c.rule["id"])
    check(link["id"] == c.link["id"] and link["state"] == "disabled", link)
    # The other groups keep their state.
    links = c.a.get(PROF + "/" + c.prof["m365"]["id"] + "/policies").json()["value"]
    check(sorted(x["state"] for x in links) == ["disabled"] + ["enabled"] * (len(links) - 1), links)
    r = c.a.patch(url, {"state": "enabled"}, headers={"Prefer": "return=representation"})
    check(r.status == 200 and r.json()["state"] == "enabled", r)
    c.a.patch(url, {"state": "disabled"})
    e = expect_error(c.a.patch(url, {"state": "off"}), 400, contains="'enabled' or 'disabled'")
    check(e["details"][0]["target"] == "state", e)
    expect_error(c.a.patch(url, {}), 400, contains="state is required")
    e = expect_error(c.a.patch(url, {"state": "enabled", "policy": {"id": MISSING}}), 400,
                     contains="read-only")
    check(e["details"][0]["target"] == "policy", e)
    expect_error(c.a.patch(url, {"state": "enabled", "priority": 1}), 400,
                 contains="unknown property")
    # Internet Access links cannot be disabled.
    ilinks = c.a.get(PROF + "/" + c.prof["internet"]["id"] + "/policies").json()["value"]
    expect_error(c.a.patch(PROF + "/" + c.prof["internet"]["id"] + "/policies/" +
                           ilinks[0]["id"], {"state": "disabled"}), 400,
                 contains="only the Microsoft 365")
    check(c.a.get(url).json()["state"] == "disabled")


def test_custom_bypass(c):
    base = FP + "/" + c.cb["id"] + "/policyRules"
    made = {}
    for kind, dst in (("ipAddress", {"@odata.type": NS + "ipAddress", "value": "192.0.2.10"}),
                      ("ipRange", {"@odata.type": NS + "ipRange", "beginAddress": "198.51.100.5",
                                   "endAddress": "198.51.100.9"}),
                      ("ipSubnet", subnet("203.0.113.0/25"))):
        r = c.a.post(base, custom("printers " + kind, dst))
        check(r.status == 201, r)
        o = r.json()
        check(o["@odata.type"] == NS + "internetAccessForwardingRule" and o["action"] == "bypass"
              and o["name"] == "printers " + kind and o["ruleType"] == kind, o)
        check(o["destinations"] == [dst], o)
        check(r.headers.get("Location", "").endswith(base + "/" + o["id"]), r.headers)
        made[kind] = o
    # Several destinations, no action given (bypass is the only one).
    body = custom("mixed", subnet("192.0.2.128/25"),
                  {"@odata.type": NS + "ipAddress", "value": "198.51.100.77"})
    del body["action"]
    body["description"] = "lab"
    r = c.a.post(base, body)
    check(r.status == 201 and len(r.json()["destinations"]) == 2 and
          r.json()["description"] == "lab", r)
    made["mixed"] = r.json()
    rules = c.a.get(base).json()["value"]
    check(sorted(x["id"] for x in rules) == sorted(x["id"] for x in made.values()), rules)
    one = c.a.get(base + "/" + made["ipRange"]["id"]).json()
    check(one["destinations"] == made["ipRange"]["destinations"], one)
    pr, link = profile_rule(c, c.a, "internet", made["ipSubnet"]["id"])
    check(pr is not None and link["policy"]["id"] == c.cb["id"], (pr, link))
    # PATCH: name and destinations; the kind stays.
    url = base + "/" + made["mixed"]["id"]
    r = c.a.patch(url, {"name": "lab printers", "destinations": [subnet("203.0.113.128/26")]})
    check(r.status == 204, r)
    o = c.a.get(url).json()
    check(o["name"] == "lab printers" and o["description"] == "lab" and
          o["destinations"] == [subnet("203.0.113.128/26")] and o["action"] == "bypass", o)
    e = expect_error(c.a.patch(url, {"action": "forward"}), 400, contains="bypass")
    check(e["details"][0]["target"] == "action", e)
    e = expect_error(c.a.patch(url, {"destinations": [subnet("203.0.113.1/24")]}), 400)
    check(e["details"][0]["target"].startswith("destinations[0]"), e)
    # DELETE: 204, then gone.
    r = c.a.delete(url)
    check(r.status == 204, r)
    expect_error(c.a.get(url), 404)
    expect_error(c.a.delete(url), 404)
    c.custom = made


def test_custom_refused(c):
    base = FP + "/" + c.cb["id"] + "/policyRules"
    cases = (
        (custom("bad cidr", subnet("198.51.100.1/24")), "destinations[0]", "host bits"),
        (custom("bad len", subnet("198.51.100.0/33")), "destinations[0]", "subnet"),
        (custom("all", subnet("0.0.0.0/0")), "destinations[0]", "all internet traffic"),
        (custom("range", {"@odata.type": NS + "ipRange", "beginAddress": "198.51.100.9",
                          "endAddress": "198.51.100.5"}), "destinations[0]", "after"),
        (custom("bad ip", {"@odata.type": NS + "ipAddress", "value": "192.0.2.300"}),
         "destinations[0]", "IPv4 address"),
        (custom("fqdn", subnet("192.0.2.0/24"), {"@odata.type": NS + "fqdn",
                                                  "value": "a.example"}),
         "destinations[1]", "cannot carry a name"),
        (custom("url", {"@odata.type": NS + "url", "value": "https://a.example/"}),
         "destinations[0]", "cannot carry a name"),
        (custom("none"), "destinations", "destinations"),
        (dict(custom("fwd", subnet("192.0.2.0/24")), action="forward"), "action", "bypass"),
        (dict(custom("x", subnet("192.0.2.0/24")), color="red"), "color", "unknown property"),
        (dict(custom("x", subnet("192.0.2.0/24")), **{"@odata.type": NS + "m365ForwardingRule"}),
         "@odata.type", "internetAccessForwardingRule"),
        ({"destinations": [subnet("192.0.2.0/24")]}, "name", "name is required"),
        (custom("", subnet("192.0.2.0/24")), "name", "empty"),
        (custom("n" * 300, subnet("192.0.2.0/24")), "name", "at most"),
        (custom("many", *[subnet("192.0.2.%d/32" % i) for i in range(65)]), "destinations",
         "at most 64"),
    )
    for body, target, text in cases:
        e = expect_error(c.a.post(base, body), 400, "BadRequest", contains=text)
        check(any(d["target"] == target for d in e["details"]), (target, e))
    # Nothing of those was stored.
    rules = c.a.get(base).json()["value"]
    check(sorted(x["id"] for x in rules) == sorted(
        x["id"] for k, x in c.custom.items() if k != "mixed"), rules)


def test_limit(c):
    base = FP + "/" + c.cb["id"] + "/policyRules"
    for i in range(100):
        r = c.lim.post(base, custom("r%d" % i, subnet("198.51.100.%d/32" % i)))
        check(r.status == 201, (i, r))
    expect_error(c.lim.post(base, custom("r100", subnet("192.0.2.0/24"))), 409, "Conflict",
                 contains="at most 100")
    rules = c.lim.get(base).json()["value"]
    check(len(rules) == 100, len(rules))
    # Overrides do not count; a delete makes room again.
    check(c.lim.patch(rule_url(c, c.pol, c.rule["id"]), {"action": "bypass"}).status == 204)
    check(c.lim.delete(base + "/" + rules[0]["id"]).status == 204)
    check(c.lim.post(base, custom("r100", subnet("192.0.2.0/24"))).status == 201)


def test_isolation(c):
    base = FP + "/" + c.cb["id"] + "/policyRules"
    # Tenant B sees the built-in defaults, none of A's changes.
    check(c.b.get(rule_url(c, c.pol, c.rule["id"])).json()["action"] == "forward")
    check(c.b.get(PROF + "/" + c.prof["m365"]["id"] + "/policies/" + c.link["id"]).status == 404)
    bprof = {p["trafficForwardingType"]: p for p in c.b.get(PROF).json()["value"]}
    bl = c.b.get(PROF + "/" + bprof["m365"]["id"] + "/policies/" + c.link["id"])
    check(bl.status == 200 and bl.json()["state"] == "enabled", bl)
    check(c.b.get(base).json()["value"] == [])
    rid = c.custom["ipAddress"]["id"]
    expect_error(c.b.get(base + "/" + rid), 404)
    expect_error(c.b.patch(base + "/" + rid, {"name": "stolen"}), 404)
    expect_error(c.b.delete(base + "/" + rid), 404)
    pr, _ = profile_rule(c, c.b, "m365", c.rule["id"])
    check(pr["action"] == "forward", pr)
    # B's own override leaves A's alone.
    check(c.b.patch(rule_url(c, c.pol, c.rule["id"]), {"action": "bypass"}).status == 204)
    check(c.b.patch(rule_url(c, c.pol, c.rule["id"]), {"action": "forward"}).status == 204)
    check(c.a.get(rule_url(c, c.pol, c.rule["id"])).json()["action"] == "bypass")
    check(c.a.get(base + "/" + rid).json()["name"] == "printers ipAddress")


def test_restart(c):
    base = FP + "/" + c.cb["id"] + "/policyRules"
    before = c.a.get(FP).json()["value"]
    c.d.stop()
    c.d.start()
    after = c.a.get(FP).json()["value"]
    check(after == before, "forwarding policies changed across a restart")
    check(c.a.get(rule_url(c, c.pol, c.rule["id"])).json()["action"] == "bypass")
    link = c.a.get(PROF + "/" + c.prof["m365"]["id"] + "/policies/" + c.link["id"]).json()
    check(link["state"] == "disabled", link)
    check(len(c.a.get(base).json()["value"]) == 3)
    check(len(c.lim.get(base).json()["value"]) == 100)


if __name__ == "__main__":
    run_tests([test_shapes, test_not_found, test_rule_action, test_rule_patch_refused,
               test_link_state, test_custom_bypass, test_custom_refused, test_limit,
               test_isolation, test_restart], setup, teardown)
