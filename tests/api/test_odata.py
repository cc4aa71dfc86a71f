#!/usr/bin/python3
"""Graph compatibility (issue 13 §2), tried the way Microsoft Graph's own
request examples are written: $select on every collection (unknown fields
refused), the query options without '$', OData key syntax ('id'), $count,
absolute @odata.context from --public-url, and the forwarding profiles
(description, associations, the Private Access profile, .../policies)."""
import os
import shutil
import subprocess
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import (DAEMON, RN, Daemon, check, expect_error, gateway, gateway_stop,  # noqa: E402
                    link_body, request, run_tests, tmpdir)

PUBLIC = "https://gw.example.com/beta"
META = PUBLIC + "/$metadata#"
FP = "/networkAccess/forwardingProfiles"
NS = "#microsoft.graph.networkaccess."
PROFILE_FIELDS = {"id", "name", "description", "state", "version", "lastModifiedDateTime",
                  "trafficForwardingType", "priority", "associations"}


def setup():
    # A trailing '/' is dropped: contexts never get a '//'.
    c = gateway(("Contoso", "Fabrikam"), extra=["--public-url", PUBLIC + "/"])
    c.ta, c.tb = c.tenants
    c.a, c.b = c.clients
    return c


def teardown(c):
    gateway_stop(c)


def clean(c):
    for rn in c.a.get(RN).json()["value"]:
        check(c.a.delete(RN + "/" + rn["id"]).status == 204)


def profiles(c, cl=None):
    r = (cl or c.a).get(FP)
    check(r.status == 200, r)
    return {p["trafficForwardingType"]: p for p in r.json()["value"]}


def ok(r, status=200):
    check(r.status == status, r)
    return r.json()


def q(s):
    return urllib.parse.quote(s, safe="=&,$()'")


# --- $select ----------------------------------------------------------------

def test_select_forwarding_profiles(c):
    v = ok(c.a.get(FP + "?$select=name"))["value"]
    check(len(v) == 3 and all(set(p) == {"id", "name"} for p in v), v)
    m365 = profiles(c)["m365"]
    g = ok(c.a.get(FP + "/" + m365["id"] + "?$select=name,trafficForwardingType"))
    check(set(g) == {"@odata.context", "id", "name", "trafficForwardingType"}, g)
    check(g["@odata.context"] == META + "networkAccess/forwardingProfiles"
          "(name,trafficForwardingType)/$entity", g)
    # An expanded navigation property stays, as in OData.
    g = ok(c.a.get(FP + "/" + m365["id"] + "?$select=state&$expand=policies"))
    check(set(g) == {"@odata.context", "id", "state", "policies"} and g["policies"], g)
    # @odata.type is an annotation, not a property: $select keeps it.
    v = ok(c.a.get(FP + "/" + m365["id"] + "/policies?$select=state"))["value"]
    check(v and all(set(pl) == {"@odata.type", "id", "state"} for pl in v), v)
    check(all(pl["@odata.type"] == NS + "forwardingPolicyLink" for pl in v), v)
    # Without $select, and with '*': everything.
    check(set(ok(c.a.get(FP))["value"][0]) == PROFILE_FIELDS)
    check(set(ok(c.a.get(FP + "?$select=*"))["value"][0]) == PROFILE_FIELDS)


def test_select_unknown_field_refused(c):
    clean(c)
    rn = ok(c.a.post(RN, {"name": "Sel", "region": "eastUS",
                          "deviceLinks": [link_body()]}), 201)
    lid = rn["deviceLinks"][0]["id"]
    pid = profiles(c)["m365"]["id"]
    cases = [
        (RN, "remoteNetwork"),
        (RN + "/" + rn["id"], "remoteNetwork"),
        (RN + "/" + rn["id"] + "/deviceLinks", "deviceLink"),
        (RN + "/" + rn["id"] + "/deviceLinks/" + lid, "deviceLink"),
        (RN + "/" + rn["id"] + "/forwardingProfiles", "forwardingProfile"),
        (FP, "forwardingProfile"),
        (FP + "/" + pid, "forwardingProfile"),
        (FP + "/" + pid + "/policies", "forwardingPolicyLink"),
        ("/networkAccess/logs/remoteNetworks", "remoteNetworkHealthEvent"),
    ]
    for path, typ in cases:
        e = expect_error(c.a.get(path + "?$select=id,bogusField"), 400, "BadRequest",
                         ["'bogusField'", "microsoft.graph.networkaccess." + typ])
        check(e.get("target") == "$select", e)
        expect_error(c.a.get(path + "?$select=id,"), 400, "BadRequest", "empty")
    # Known ones pass, case as Graph's, and the answer holds only them.
    v = ok(c.a.get(RN + "?$select=name,region"))["value"]
    check([set(x) for x in v] == [{"id", "name", "region"}], v)
    links = ok(c.a.get(RN + "/" + rn["id"] + "/deviceLinks?$select=ipAddress"))["value"]
    check([set(x) for x in links] == [{"id", "ipAddress"}], links)
    g = ok(c.a.get(RN + "/" + rn["id"] + "/deviceLinks/" + lid + "?$select=bgpConfiguration"))
    check(set(g) == {"@odata.context", "id", "bgpConfiguration"}, g)


# --- query options without '$' -----------------------------------------------

def test_options_without_dollar(c):
    clean(c)
    rn = ok(c.a.post(RN, {"name": "NoDollar", "region": "eastUS",
                          "deviceLinks": [link_body()]}), 201)
    sel = ok(c.a.get(RN + "?select=name"))["value"]
    check([set(x) for x in sel] == [{"id", "name"}], sel)
    exp = ok(c.a.get(RN + "/" + rn["id"] + "?expand=deviceLinks"))
    check(len(exp["deviceLinks"]) == 1, exp)
    cnt = ok(c.a.get(RN + "?count=true"))
    check(cnt.get("@odata.count") == 1, cnt)
    fp = ok(c.a.get(FP + "?expand=policies&select=name"))["value"]
    check(all(set(p) == {"id", "name", "policies"} for p in fp), fp)
    logs = "/networkAccess/logs/remoteNetworks"
    for opt in ("top=5", "filter=" + q("status eq 'tunnelConnected'"),
                "orderby=" + q("createdDateTime asc"), "count=true", "select=status",
                "skiptoken=1700000000000_00000000-0000-4000-8000-000000000000"):
        check(ok(c.a.get(logs + "?" + opt))["value"] == [], opt)
    # Both forms of one option are one option given twice.
    for both in (RN + "?$select=name&select=region", RN + "?count=true&$count=true",
                 logs + "?top=1&$top=2", logs + "?$filter=" + q("status eq 'bgpConnected'") +
                 "&filter=" + q("status eq 'bgpConnected'")):
        expect_error(c.a.get(both), 400, "BadRequest", "more than once")
    # Options a resource does not take stay refused, either way.
    expect_error(c.a.get(RN + "?top=1"), 400, "BadRequest", "'top' is not supported")
    expect_error(c.a.get(RN + "?skip=1"), 400, "BadRequest", "not supported")
    expect_error(c.a.get(RN + "/" + rn["id"] + "?count=true"), 400, "BadRequest",
                 "not supported")


# --- ('id') key syntax --------------------------------------------------------

def test_key_syntax(c):
    clean(c)
    rn = ok(c.a.post(RN, {"name": "Keys", "region": "eastUS",
                          "deviceLinks": [link_body()]}), 201)
    rid, lid = rn["id"], rn["deviceLinks"][0]["id"]
    pid = profiles(c)["m365"]["id"]
    plain = ok(c.a.get(RN + "/" + rid))
    check(ok(c.a.get(RN + "('" + rid + "')")) == plain)
    check(ok(c.a.get(RN + "(%27" + rid + "%27)")) == plain)
    check(ok(c.a.get("/beta/networkAccess/connectivity/branches('" + rid + "')")) == plain)
    check(ok(c.a.get(RN + "('" + rid + "')/deviceLinks"))["value"] ==
          ok(c.a.get(RN + "/" + rid + "/deviceLinks"))["value"])
    link = ok(c.a.get(RN + "/" + rid + "/deviceLinks/" + lid))
    check(ok(c.a.get(RN + "('" + rid + "')/deviceLinks('" + lid + "')")) == link)
    check(ok(c.a.get(RN + "/" + rid + "/deviceLinks('" + lid + "')")) == link)
    check(ok(c.a.get(FP + "('" + pid + "')")) == ok(c.a.get(FP + "/" + pid)))
    check(ok(c.a.get(FP + "('" + pid + "')/policies")) == ok(c.a.get(FP + "/" + pid + "/policies")))
    check(c.a.get(RN + "('" + rid + "')/connectivityConfiguration").status == 200)
    # Writes too.
    r = c.a.patch(RN + "('" + rid + "')", {"name": "Keys 2"})
    check(r.status == 200 and r.json()["name"] == "Keys 2", r)
    r = c.a.patch(RN + "('" + rid + "')/deviceLinks('" + lid + "')", {"name": "renamed"})
    check(r.status == 204, r)
    check(ok(c.a.get(RN + "/" + rid + "/deviceLinks/" + lid))["name"] == "renamed")
    # Not a key: an unquoted or empty key, stray quotes, an unknown id.
    for bad in (RN + "(" + rid + ")", RN + "('')", RN + "('" + rid + ")",
                RN + "('" + rid + "'x)", RN + "(''" + rid + "')",
                RN + "('00000000-0000-4000-8000-000000000000')", FP + "('nope')"):
        expect_error(c.a.get(bad), 404, "NotFound")
    # Another tenant's id in key syntax is not found either.
    expect_error(c.b.get(RN + "('" + rid + "')"), 404, "NotFound")
    check(c.a.delete(RN + "('" + rid + "')/deviceLinks('" + lid + "')").status == 204)
    check(c.a.delete(RN + "('" + rid + "')").status == 204)
    expect_error(c.a.get(RN + "/" + rid), 404)


# --- $count -------------------------------------------------------------------

def test_count(c):
    clean(c)
    l2 = link_body(name="L2", ip="198.51.100.11", local="10.1.2.11", peer="10.6.7.6")
    rn = ok(c.a.post(RN, {"name": "C1", "region": "eastUS",
                          "deviceLinks": [link_body(), l2]}), 201)
    ok(c.a.post(RN, {"name": "C2", "region": "eastUS"}), 201)
    pid = profiles(c)["internet"]["id"]
    check(c.a.patch(RN + "/" + rn["id"] + "/forwardingProfiles",
                    {"value": [{"id": pid}]}).status == 204)
    for path, n in ((RN, 2), (RN + "?$select=name", 2), (RN + "/" + rn["id"] + "/deviceLinks", 2),
                    (FP, 3), (RN + "/" + rn["id"] + "/forwardingProfiles", 1),
                    (FP + "/" + pid + "/policies", 3)):
        j = ok(c.a.get(path + ("&" if "?" in path else "?") + "$count=true"))
        check(j.get("@odata.count") == n == len(j["value"]), (path, j))
        # Right after the context, as Graph writes it.
        check(list(j)[:2] == ["@odata.context", "@odata.count"], list(j))
        j = ok(c.a.get(path + ("&" if "?" in path else "?") + "$count=false"))
        check("@odata.count" not in j, j)
        check("@odata.count" not in ok(c.a.get(path)))
    for bad in ("yes", "TRUE", "1", ""):
        expect_error(c.a.get(RN + "?$count=" + bad), 400, "BadRequest", "true or false")
    expect_error(c.a.get(RN + "/" + rn["id"] + "?$count=true"), 400, "BadRequest",
                 "not supported")


# --- @odata.context and --public-url -------------------------------------------

def test_context_absolute(c):
    clean(c)
    r = c.a.post(RN, {"name": "Ctx", "region": "eastUS", "deviceLinks": [link_body()]})
    rn = ok(r, 201)
    rid = rn["id"]
    lid = rn["deviceLinks"][0]["id"]
    rns = META + "networkAccess/connectivity/remoteNetworks"
    check(rn["@odata.context"] == rns + "/$entity", rn)
    check(list(rn)[0] == "@odata.context", list(rn))
    check(ok(c.a.get(RN))["@odata.context"] == rns)
    check(ok(c.a.get(RN + "?$select=name,region"))["@odata.context"] == rns + "(name,region)")
    check(ok(c.a.get(RN + "/" + rid))["@odata.context"] == rns + "/$entity")
    check(ok(c.a.get(RN + "/" + rid + "?$select=name"))["@odata.context"] ==
          rns + "(name)/$entity")
    check(ok(c.a.patch(RN + "/" + rid, {"name": "Ctx2"}))["@odata.context"] == rns + "/$entity")
    sub = rns + "('" + rid + "')"
    check(ok(c.a.get(RN + "/" + rid + "/deviceLinks"))["@odata.context"] == sub + "/deviceLinks")
    check(ok(c.a.get(RN + "/" + rid + "/deviceLinks/" + lid))["@odata.context"] ==
          sub + "/deviceLinks/$entity")
    nl = ok(c.a.post(RN + "/" + rid + "/deviceLinks",
                     link_body(name="L2", ip="198.51.100.12", local="10.1.3.11",
                               peer="10.6.8.6")), 201)
    check(nl["@odata.context"] == sub + "/deviceLinks/$entity", nl)
    pr = ok(c.a.patch(RN + "/" + rid + "/deviceLinks/" + lid, {"name": "x"},
                      headers={"Prefer": "return=representation"}))
    check(pr["@odata.context"] == sub + "/deviceLinks/$entity", pr)
    check(ok(c.a.get(RN + "/" + rid + "/connectivityConfiguration"))["@odata.context"] ==
          sub + "/connectivityConfiguration/$entity")
    check(ok(c.a.get(RN + "/" + rid + "/forwardingProfiles"))["@odata.context"] ==
          sub + "/forwardingProfiles")
    pid = profiles(c)["m365"]["id"]
    check(ok(c.a.get(FP))["@odata.context"] == META + "networkAccess/forwardingProfiles")
    check(ok(c.a.get(FP + "/" + pid))["@odata.context"] ==
          META + "networkAccess/forwardingProfiles/$entity")
    check(ok(c.a.get(FP + "/" + pid + "/policies"))["@odata.context"] ==
          META + "networkAccess/forwardingProfiles('" + pid + "')/policies")
    check(ok(c.a.get("/networkAccess/logs/remoteNetworks"))["@odata.context"] ==
          META + "networkAccess/logs/remoteNetworks")
    # Expanded members carry no context of their own; the Host header is
    # never looked at.
    exp = ok(c.a.get(RN + "?$expand=deviceLinks", headers={"Host": "evil.example"}))
    check(exp["@odata.context"] == rns, exp)
    check("@odata.context" not in exp["value"][0]["deviceLinks"][0], exp)


def test_public_url_flag(c):
    for bad in ("ftp://gw.example.com", "gw.example.com", "http://", "https:///x",
                "http://gw.example.com?x=1", "http://gw.example.com/#f", "http://a b",
                "http://user@gw.example.com", "http://gw.example.com:", "http://gw:port",
                "http://gw:123456", "http://gw/\"x", "https://" + "a" * 300):
        out = subprocess.run([DAEMON, "--public-url", bad], capture_output=True, text=True,
                             timeout=20)
        check(out.returncode == 64 and "--public-url" in out.stderr, (bad, out))
    # The same key in a --config file.
    cfg = os.path.join(c.dir, "bad.conf")
    with open(cfg, "w") as f:
        f.write("public-url ftp://x\n")
    out = subprocess.run([DAEMON, "--config", cfg], capture_output=True, text=True, timeout=20)
    check(out.returncode == 64 and "bad.conf:1" in out.stderr, out)
    # A gateway option: --role cpe refuses it.
    out = subprocess.run([DAEMON, "--role", "cpe", "--public-url", "https://gw.example.com"],
                         capture_output=True, text=True, timeout=20)
    check(out.returncode == 64 and "gateway option" in out.stderr, out)
    # Accepted forms, and the default (http:// and the --api address).
    for extra, base in ((["--public-url", "http://[2001:db8::1]:8443"],
                         "http://[2001:db8::1]:8443"), ([], None)):
        w = tmpdir()
        d = Daemon(w, c.db, extra=extra).start()
        try:
            j = request(d.url, "GET", RN, token=c.ta["token"]).json()
            check(j["@odata.context"] == (base or d.url) + "/$metadata#"
                  "networkAccess/connectivity/remoteNetworks", j)
        finally:
            d.stop()
            shutil.rmtree(w, ignore_errors=True)


# --- forwarding profiles --------------------------------------------------------

def test_profiles_builtin(c):
    clean(c)
    r = ok(c.a.get(FP))
    v = r["value"]
    # Graph's three, in evaluation order: Microsoft, Private, Internet.
    check([p["trafficForwardingType"] for p in v] == ["m365", "private", "internet"], v)
    check([p["priority"] for p in v] == sorted(p["priority"] for p in v), v)
    for p in v:
        check(set(p) == PROFILE_FIELDS, p)
        check(isinstance(p["description"], str) and len(p["description"]) > 20, p)
        check(p["associations"] == [], p)
    priv = v[1]
    check(priv["name"] == "Private access traffic forwarding profile", priv)
    check("not applicable to remote networks" in priv["description"], priv)
    # This gateway never acquires Private Access traffic.
    check(priv["state"] == "disabled" and v[0]["state"] == v[2]["state"] == "enabled", v)
    check(ok(c.a.get(FP + "/" + priv["id"])) == dict(priv, **{
        "@odata.context": META + "networkAccess/forwardingProfiles/$entity"}))
    # Ids are per tenant, as in Graph.
    check(profiles(c, c.b)["private"]["id"] != priv["id"])
    # Private Access has no policies here.
    check(ok(c.a.get(FP + "/" + priv["id"] + "/policies"))["value"] == [])
    check(ok(c.a.get(FP + "/" + priv["id"] + "?$expand=policies"))["policies"] == [])


def test_profile_associations(c):
    clean(c)
    ps = profiles(c)
    m365, inet = ps["m365"]["id"], ps["internet"]["id"]
    a1 = ok(c.a.post(RN, {"name": "A1", "region": "eastUS",
                          "forwardingProfiles": [{"id": m365}]}), 201)
    # The create's answer shows the new assignment already.
    check(a1["forwardingProfiles"][0]["associations"] ==
          [{"@odata.type": NS + "associatedBranch", "branchId": a1["id"]}], a1)
    a2 = ok(c.a.post(RN, {"name": "A2", "region": "eastUS"}), 201)
    check(c.a.patch(RN + "/" + a2["id"] + "/forwardingProfiles",
                    {"@odata.context": "#$delta", "value": [{"id": m365}, {"id": inet}]}
                    ).status == 204)
    ps = profiles(c)
    check(sorted(x["branchId"] for x in ps["m365"]["associations"]) ==
          sorted([a1["id"], a2["id"]]), ps["m365"])
    check(ps["internet"]["associations"] ==
          [{"@odata.type": NS + "associatedBranch", "branchId": a2["id"]}], ps["internet"])
    check(ps["private"]["associations"] == [], ps["private"])
    # The same on one profile, on a remote network's list and expanded.
    check(ok(c.a.get(FP + "/" + inet))["associations"] == ps["internet"]["associations"])
    rp = ok(c.a.get(RN + "/" + a2["id"] + "/forwardingProfiles"))["value"]
    check({p["id"]: p["associations"] for p in rp} ==
          {m365: ps["m365"]["associations"], inet: ps["internet"]["associations"]}, rp)
    ex = ok(c.a.get(RN + "/" + a1["id"] + "?$expand=forwardingProfiles"))
    check(ex["forwardingProfiles"][0]["associations"] == ps["m365"]["associations"], ex)
    check(ok(c.a.get(FP + "?$select=associations"))["value"][0].keys() ==
          {"id", "associations"})
    # Unassigned and deleted remote networks leave.
    check(c.a.patch(RN + "/" + a2["id"] + "/forwardingProfiles",
                    {"value": [{"id": m365, "@removed": {"reason": "deleted"}}]}).status == 204)
    check(c.a.delete(RN + "/" + a1["id"]).status == 204)
    ps = profiles(c)
    check(ps["m365"]["associations"] == [], ps["m365"])
    check([x["branchId"] for x in ps["internet"]["associations"]] == [a2["id"]], ps)
    # The other tenant's profiles know nothing of these.
    check(all(p["associations"] == [] for p in profiles(c, c.b).values()))


def test_private_profile_not_for_remote_networks(c):
    clean(c)
    ps = profiles(c)
    priv = ps["private"]["id"]
    rn = ok(c.a.post(RN, {"name": "P", "region": "eastUS"}), 201)
    path = RN + "/" + rn["id"] + "/forwardingProfiles"
    e = expect_error(c.a.patch(path, {"@odata.context": "#$delta", "value": [{"ID": priv}]}),
                     400, "BadRequest", ["not applicable to remote networks", priv])
    check(e.get("target") == "value[0].id", e)
    # With an assignable one in the same delta: nothing changes.
    expect_error(c.a.patch(path, {"value": [{"id": ps["m365"]["id"]}, {"id": priv}]}),
                 400, "BadRequest", "value[1].id")
    check(ok(c.a.get(path))["value"] == [])
    # Inline on create: refused, nothing created.
    e = expect_error(c.a.post(RN, {"name": "P2", "region": "eastUS",
                                   "forwardingProfiles": [{"id": priv}]}),
                     400, "BadRequest", "not applicable to remote networks")
    check(e.get("target") == "forwardingProfiles[0].id", e)
    check([x["name"] for x in ok(c.a.get(RN))["value"]] == ["P"])
    # Unassigning it is a no-op, not an error.
    check(c.a.patch(path, {"value": [{"id": priv, "@removed": {}}]}).status == 204)


def test_profile_policies(c):
    ps = profiles(c)
    for kind in ("m365", "internet", "private"):
        pid = ps[kind]["id"]
        r = ok(c.a.get(FP + "/" + pid + "/policies"))
        exp = ok(c.a.get(FP + "/" + pid + "?$expand=policies"))
        check(r["value"] == exp["policies"], kind)
        for pl in r["value"]:
            check(pl["@odata.type"] == NS + "forwardingPolicyLink", pl)
            check(pl["policy"]["@odata.type"] == NS + "forwardingPolicy", pl)
    inet = ok(c.a.get(FP + "/" + ps["internet"]["id"] + "/policies"))["value"]
    check(sorted(pl["policy"]["name"] for pl in inet) ==
          ["Custom Bypass", "Default Acquire", "Default Bypass"], inet)
    # Graph's documented forms; anything else is refused, not ignored.
    base = FP + "/" + ps["m365"]["id"] + "/policies"
    for o in ("$expand=policy", "$expand=" + q("policy($expand=policyRules)"),
              "expand=policy"):
        check(ok(c.a.get(base + "?" + o))["value"], o)
    check(ok(c.a.get(FP + "?$expand=" + q("policies($expand=policy($expand=policyRules))"))))
    for o in ("$expand=bogus", "$expand=" + q("policy($select=name)"), "$filter=x", "$top=1"):
        expect_error(c.a.get(base + "?" + o), 400, "BadRequest")
    for o in ("$expand=rules", "$expand=" + q("policies($filter=x)"), "$expand=" + q("policies(")):
        expect_error(c.a.get(FP + "?" + o), 400, "BadRequest", "$expand")
    expect_error(c.a.get(FP + "/00000000-0000-4000-8000-000000000000/policies"), 404)
    expect_error(c.b.get(base), 404, "NotFound")
    r = c.a.post(base, {})
    expect_error(r, 405, "MethodNotAllowed")
    check(r.headers.get("Allow") == "GET", r.headers)


if __name__ == "__main__":
    tests = [v for k, v in list(globals().items()) if k.startswith("test_")]
    run_tests(tests, setup, teardown)
