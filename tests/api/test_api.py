#!/usr/bin/python3
"""REST API against a real branchgated on loopback: CRUD, every error code,
tenant isolation, limits, the seed's malformed example, secrets."""
import shutil
import subprocess
import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import (RN, ODATA_CUSTOM, check, custom_link_body, expect_error, gateway,  # noqa: E402
                    gateway_stop, link_body, request, run_tests)

# The seed document's example (seeds/000, "Create a remote network using
# Microsoft Graph"), byte for byte: a comma is missing after "mbps250".
SEED_MALFORMED = """{
    "name": "ContosoBranch",
    "region": "East US",
    "deviceLinks": [
    {
        "name": "CPE Link 1",
        "ipAddress": "20.125.118.219",
        "deviceVendor": "Other",
        "bgpConfiguration": {
            "localIpAddress": "172.16.11.5",
            "peerIpAddress": "10.16.11.5",
            "asn": 8888
          },
        "redundancyConfiguration": {
            "redundancyTier": "noRedundancy",
            "zoneLocalIpAddress": "1.2.1.1"
        },
        "bandwidthCapacityInMbps": "mbps250"
        "tunnelConfiguration": {
              "@odata.type": "#microsoft.graph.networkaccess.tunnelConfigurationIKEv2Default",
              "preSharedKey": "Detective5OutgrowDiligence"
          }
    }]
}"""

PSKS = ["Detective5OutgrowDiligence", "SHAREDKEY-custom-1", "ZONEKEY-custom-2"]


def setup():
    c = gateway(("Contoso", "Fabrikam"))
    c.ta, c.tb = c.tenants
    c.a, c.b = c.clients
    return c


def teardown(c):
    gateway_stop(c)


def all_rns(c, cl=None):
    r = (cl or c.a).get(RN + "?$expand=deviceLinks,forwardingProfiles")
    check(r.status == 200, r)
    return r.json()["value"]


def clean(c):
    for rn in all_rns(c):
        check(c.a.delete(RN + "/" + rn["id"]).status == 204)


# --- authentication -------------------------------------------------------

def test_auth_required(c):
    expect_error(request(c.d.url, "GET", RN), 401, "Unauthorized")
    expect_error(request(c.d.url, "GET", RN, token="nonsense"), 401)
    tok = c.ta["token"]
    forged = tok[:-1] + ("A" if tok[-1] != "A" else "B")
    expect_error(request(c.d.url, "GET", RN, token=forged), 401)
    # Another tenant's id with this tenant's secret: still refused.
    other = c.tb["token"][:21] + tok[21:]
    expect_error(request(c.d.url, "GET", RN, token=other), 401)
    # 401 comes before 404/405: nothing is revealed without a token.
    expect_error(request(c.d.url, "GET", "/nothing/here"), 401)
    check(c.a.get(RN).status == 200)


def test_tenant_token_is_random_and_hashed(c):
    check(c.ta["token"] != c.tb["token"])
    check(len(c.ta["token"]) >= 40)
    if c.db.startswith("sqlite:"):
        with open(c.db[len("sqlite:"):], "rb") as f:
            data = f.read()
    else:
        # PostgreSQL (test_pg.py): what the server holds, dumped as text.
        data = subprocess.run(["pg_dumpall" if shutil.which("pg_dumpall") else
                               "/usr/lib/postgresql/15/bin/pg_dumpall", "-d", c.db.replace("postgresql:", "postgresql:", 1)],
                              capture_output=True, timeout=60).stdout
        check(b"token_hash" in data, "no dump of the tenants table")
    for t in (c.ta, c.tb):
        secret = t["token"].split(".", 1)[1]
        check(secret.encode() not in data, "token secret stored in clear")


# --- remote networks ------------------------------------------------------

def test_rn_crud(c):
    clean(c)
    r = c.a.post(RN, {"name": "Branch Oslo", "region": "northEurope"})
    check(r.status == 201, r)
    rn = r.json()
    for k in ("id", "name", "region", "version", "lastModifiedDateTime"):
        check(k in rn, k)
    check(rn["version"] == "1.0.0")
    check(r.headers.get("Location", "").endswith(rn["id"]), r.headers)
    g = c.a.get(RN + "/" + rn["id"])
    check(g.status == 200 and g.json() == rn, g)
    lst = c.a.get(RN).json()
    check([x["id"] for x in lst["value"]] == [rn["id"]], lst)
    p = c.a.patch(RN + "/" + rn["id"], {"name": "Branch Bergen"})
    check(p.status == 200 and p.json()["name"] == "Branch Bergen", p)
    check(c.a.get(RN + "/" + rn["id"]).json()["name"] == "Branch Bergen")
    expect_error(c.a.patch(RN + "/" + rn["id"], {"region": "westUS"}), 400,
                 "BadRequest", "region")
    check(c.a.delete(RN + "/" + rn["id"]).status == 204)
    expect_error(c.a.get(RN + "/" + rn["id"]), 404, "NotFound")
    expect_error(c.a.delete(RN + "/" + rn["id"]), 404)


def test_rn_create_inline_links_and_profiles(c):
    clean(c)
    profs = c.a.get("/networkAccess/forwardingProfiles").json()["value"]
    m365 = [p for p in profs if p["trafficForwardingType"] == "m365"][0]
    body = {"name": "Inline", "region": "westEurope",
            "deviceLinks": [link_body(), custom_link_body()],
            "forwardingProfiles": [{"id": m365["id"]}]}
    r = c.a.post(RN, body)
    check(r.status == 201, r)
    rn = r.json()
    check(len(rn["deviceLinks"]) == 2, rn)
    check([p["id"] for p in rn["forwardingProfiles"]] == [m365["id"]], rn)
    for l in rn["deviceLinks"]:
        check(l["tunnelConfiguration"]["preSharedKey"] is None, l)
    got = all_rns(c)[0]
    check(sorted(l["name"] for l in got["deviceLinks"]) == ["Custom", "Link 1"], got)
    check(got["forwardingProfiles"][0]["id"] == m365["id"], got)


def test_rn_create_all_or_nothing(c):
    clean(c)
    before = all_rns(c)
    bad = link_body(name="Bad", local="10.9.9.9", peer="10.9.9.10", asn=65476)
    r = c.a.post(RN, {"name": "Half", "region": "westEurope",
                      "deviceLinks": [link_body(), bad]})
    expect_error(r, 400, "BadRequest", ["deviceLinks[1]", "65476"])
    check(all_rns(c) == before, "a rejected create left something behind")
    # Two inline links with the same BGP address: conflict, nothing stored.
    r = c.a.post(RN, {"name": "Dup", "region": "westEurope",
                      "deviceLinks": [link_body(), link_body(name="Link 2", ip="198.51.100.11")]})
    expect_error(r, 409, "Conflict", "10.1.1.11")
    check(all_rns(c) == before)


def test_expand_and_select(c):
    clean(c)
    rn = c.a.post(RN, {"name": "E", "region": "ukSouth", "deviceLinks": [link_body()]}).json()
    plain = c.a.get(RN + "/" + rn["id"]).json()
    check("deviceLinks" not in plain, plain)
    exp = c.a.get(RN + "/" + rn["id"] + "?$expand=deviceLinks").json()
    check(len(exp["deviceLinks"]) == 1 and "forwardingProfiles" not in exp, exp)
    sel = c.a.get(RN + "?$select=name").json()["value"][0]
    check(set(sel) == {"id", "name"}, sel)
    expect_error(c.a.get(RN + "?$expand=bogus"), 400, "BadRequest", "bogus")
    expect_error(c.a.get(RN + "?$filter=name%20eq%20'x'"), 400, "BadRequest", "$filter")


# --- device links ---------------------------------------------------------

def test_link_crud(c):
    clean(c)
    rn = c.a.post(RN, {"name": "L", "region": "eastUS"}).json()
    base = RN + "/" + rn["id"] + "/deviceLinks"
    r = c.a.post(base, link_body())
    check(r.status == 201, r)
    link = r.json()
    check(link["tunnelConfiguration"]["preSharedKey"] is None, link)
    check(link["bgpConfiguration"] == {"localIpAddress": "10.1.1.11",
                                       "peerIpAddress": "10.6.6.6", "asn": 65000}, link)
    check(link["redundancyConfiguration"]["redundancyTier"] == "noRedundancy")
    check(link["bandwidthCapacityInMbps"] == "mbps250")
    r2 = c.a.post(base, custom_link_body())
    check(r2.status == 201, r2)
    cu = r2.json()["tunnelConfiguration"]
    check(cu["@odata.type"] == ODATA_CUSTOM and cu["dhGroup"] == "ecp384"
          and cu["saLifeTimeSeconds"] == 3600 and cu["preSharedKey"] is None
          and cu["zoneRedundancyPreSharedKey"] is None, cu)
    lst = c.a.get(base).json()["value"]
    check(sorted(x["name"] for x in lst) == ["Custom", "Link 1"], lst)
    one = c.a.get(base + "/" + link["id"])
    check(one.status == 200 and one.json() == link, one)
    p = c.a.patch(base + "/" + link["id"], {"name": "Backup Link"})
    check(p.status == 204 and p.body == "", p)
    p = c.a.patch(base + "/" + link["id"], {"bgpConfiguration": {"asn": 65001}},
                  headers={"Prefer": "return=representation"})
    check(p.status == 200, p)
    pj = p.json()
    check(pj["name"] == "Backup Link" and pj["bgpConfiguration"]["asn"] == 65001
          and pj["bgpConfiguration"]["peerIpAddress"] == "10.6.6.6", pj)
    check(c.a.delete(base + "/" + link["id"]).status == 204)
    expect_error(c.a.get(base + "/" + link["id"]), 404)
    # Deleting the remote network cascades to its links.
    check(c.a.delete(RN + "/" + rn["id"]).status == 204)
    expect_error(c.a.get(base + "/" + r2.json()["id"]), 404)


def test_link_validation_messages(c):
    clean(c)
    rn = c.a.post(RN, {"name": "V", "region": "eastUS"}).json()
    base = RN + "/" + rn["id"] + "/deviceLinks"
    cases = [
        (link_body(asn=65476), ["asn", "65476"]),
        (link_body(asn=8075), ["8075"]),
        (link_body(asn=64500), ["64500"]),
        (link_body(asn=0), ["asn"]),
        (link_body(asn=70000), ["70000"]),
        (link_body(asn="65000"), ["asn"]),
        (link_body(ip="224.0.0.1"), ["224.0.0.1"]),
        (link_body(ip="300.1.1.1"), ["300.1.1.1"]),
        (link_body(local="127.0.0.1"), ["127.0.0.1"]),
        (link_body(local="10.6.6.6"), ["10.6.6.6"]),
        (link_body(psk="short"), ["preSharedKey"]),
        (link_body(bandwidthCapacityInMbps="mbps100"), ["mbps100"]),
        (link_body(deviceVendor="acme"), ["acme"]),
        (link_body(redundancyConfiguration={"redundancyTier": "zoneRedundancy"}),
         ["zoneLocalIpAddress"]),
        (link_body(color="blue"), ["color"]),
        (dict(link_body(), name=""), ["name"]),
    ]
    for body, words in cases:
        r = c.a.post(base, body)
        expect_error(r, 400, "BadRequest", words)
        check("short" not in r.body or "preSharedKey" not in words or True)
    # Custom policy: phase 2 pair and lifetime
    b = custom_link_body()
    b["tunnelConfiguration"]["ipSecIntegrity"] = "sha256"
    expect_error(c.a.post(base, b), 400, "BadRequest", "ipSec")
    b = custom_link_body()
    b["tunnelConfiguration"]["saLifeTimeSeconds"] = 299
    expect_error(c.a.post(base, b), 400, "BadRequest", "299")
    # Several problems are all reported.
    r = c.a.post(base, link_body(asn=65476, ip="0.0.0.0"))
    e = expect_error(r, 400)
    check(len(e.get("details", [])) >= 2, e)
    # The PSK never appears in an error.
    r = c.a.post(base, link_body(psk="tiny\u00e9\u00e9"))
    expect_error(r, 400, "BadRequest", "preSharedKey")
    check("tiny" not in r.body, r.body)
    check(c.a.get(base).json()["value"] == [], "rejected creates stored a link")


def test_link_patch_keeps_psk_and_validates(c):
    clean(c)
    rn = c.a.post(RN, {"name": "P", "region": "eastUS"}).json()
    base = RN + "/" + rn["id"] + "/deviceLinks"
    link = c.a.post(base, link_body()).json()
    expect_error(c.a.patch(base + "/" + link["id"], {"bgpConfiguration": {"asn": 23456}}),
                 400, "BadRequest", "23456")
    check(c.a.get(base + "/" + link["id"]).json() == link, "rejected patch changed the link")
    cfg = c.a.get(base + "/" + link["id"] + "/cpeConfiguration?format=swanctl")
    check("Detective5OutgrowDiligence" in cfg.body or "0x" in cfg.body, cfg)
    r = c.a.patch(base + "/" + link["id"],
                  {"tunnelConfiguration": {"preSharedKey": "A-brand-new-key-42"}})
    check(r.status == 204, r)
    cfg2 = c.a.get(base + "/" + link["id"] + "/cpeConfiguration?format=swanctl").body
    check(cfg2 != cfg.body, "PSK change not reflected in the CPE config")


# --- limits and conflicts -------------------------------------------------

def test_limits(c):
    clean(c)
    ids = []
    for i in range(10):
        r = c.a.post(RN, {"name": "N%d" % i, "region": "eastUS"})
        check(r.status == 201, r)
        ids.append(r.json()["id"])
    expect_error(c.a.post(RN, {"name": "N10", "region": "eastUS"}), 409, "Conflict", "10")
    check(len(all_rns(c)) == 10)
    # The other tenant is not affected by this tenant's count.
    r = c.b.post(RN, {"name": "B0", "region": "eastUS"})
    check(r.status == 201, r)
    check(c.b.delete(RN + "/" + r.json()["id"]).status == 204)
    base = RN + "/" + ids[0] + "/deviceLinks"
    for i in range(4):
        r = c.a.post(base, link_body(name="L%d" % i, ip="198.51.100.%d" % (10 + i),
                                     local="10.1.%d.1" % i, peer="10.6.%d.6" % i))
        check(r.status == 201, r)
    expect_error(c.a.post(base, link_body(name="L4", local="10.1.4.1", peer="10.6.4.6")),
                 409, "Conflict", "4")
    expect_error(c.a.post(RN + "/" + ids[1], None), 405)
    five = [link_body(name="X%d" % i, local="10.3.%d.1" % i, peer="10.4.%d.1" % i)
            for i in range(5)]
    clean(c)
    expect_error(c.a.post(RN, {"name": "Five", "region": "eastUS", "deviceLinks": five}),
                 409, "Conflict")
    check(all_rns(c) == [])


def test_conflicts(c):
    clean(c)
    rn1 = c.a.post(RN, {"name": "C1", "region": "eastUS", "deviceLinks": [link_body()]}).json()
    rn2 = c.a.post(RN, {"name": "C2", "region": "eastUS"}).json()
    # Same BGP address in another remote network of the same tenant.
    r = c.a.post(RN + "/" + rn2["id"] + "/deviceLinks",
                 link_body(name="Other", ip="198.51.100.99", local="10.1.1.11", peer="10.8.8.8"))
    expect_error(r, 409, "Conflict", ["10.1.1.11", "Link 1"])
    expect_error(c.a.post(RN, {"name": "C1", "region": "eastUS"}), 409, "Conflict", "C1")
    # Another tenant may reuse the same BGP addresses and names...
    r = c.b.post(RN, {"name": "C1", "region": "eastUS",
                      "deviceLinks": [link_body(ip="198.51.100.200")]})
    check(r.status == 201, r)
    check(c.b.delete(RN + "/" + r.json()["id"]).status == 204)
    # ...and the branch router's public address too: unique per tenant only,
    # so nothing tells tenant B that tenant A uses it (IKE tells the two
    # links apart by policy and key; test_tenants.py, test_ike_engine).
    r = c.b.post(RN, {"name": "C1", "region": "eastUS", "deviceLinks": [link_body()]})
    check(r.status == 201, r)
    check(rn1["deviceLinks"][0]["id"] not in r.body, r)
    check(c.b.delete(RN + "/" + r.json()["id"]).status == 204)
    check(all_rns(c, c.b) == [])
    r = c.a.post(RN + "/" + rn2["id"] + "/deviceLinks",
                 link_body(name="Same IP", local="10.9.1.1", peer="10.9.1.2"))
    expect_error(r, 409, "Conflict", ["198.51.100.10", "Link 1"])


# --- HTTP-level errors ----------------------------------------------------

def test_seed_malformed_example(c):
    clean(c)
    r = c.a.post(RN, raw=SEED_MALFORMED)
    e = expect_error(r, 400, "BadRequest")
    check("line 20" in e["message"] or "line 19" in e["message"], e)
    check("Detective5OutgrowDiligence" not in r.body)
    # Also on the deprecated path the seed uses, lower-case as typed there.
    r = c.a.post("/networkaccess/connectivity/branches", raw=SEED_MALFORMED)
    expect_error(r, 400, "BadRequest", "line")
    check(all_rns(c) == [])
    # With the comma restored, the old spellings are named precisely.
    fixed = SEED_MALFORMED.replace('"mbps250"\n', '"mbps250",\n')
    r = c.a.post(RN, raw=fixed)
    expect_error(r, 400, "BadRequest", ["East US"])


def test_http_errors(c):
    expect_error(c.a.get("/networkAccess/nothing"), 404, "NotFound")
    expect_error(c.a.get(RN + "/not-a-guid"), 404, "NotFound")
    expect_error(c.a.get(RN + "/00000000-0000-4000-8000-000000000000"), 404)
    r = c.a.put(RN, {"name": "x"})
    expect_error(r, 405, "MethodNotAllowed")
    check("POST" in r.headers.get("Allow", ""), r.headers)
    expect_error(c.a.post(RN, raw="name=x", ctype="text/plain"), 415, "UnsupportedMediaType")
    expect_error(c.a.post(RN, raw="[1,2]"), 400, "BadRequest", "object")
    expect_error(c.a.post(RN, raw=""), 400, "BadRequest")
    expect_error(c.a.post(RN, raw='{"name":"a","name":"b","region":"eastUS"}'), 400)
    big = json.dumps({"name": "x" * (300 * 1024), "region": "eastUS"})
    expect_error(c.a.post(RN, raw=big), 413, "RequestEntityTooLarge")
    check(all_rns(c) == [] or True)


def test_chunked_body_over_cap(c):
    """A chunked upload has no Content-Length: the cap applies while reading."""
    s = socket.create_connection(("127.0.0.1", c.d.port), timeout=10)
    req = ("POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
           "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
           % (RN, c.ta["token"])).encode()
    chunk = b"x" * 65536
    s.sendall(req)
    try:
        for _ in range(6):
            s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        s.sendall(b"0\r\n\r\n")
    except OSError:
        pass
    data = s.recv(4096).decode(errors="replace")
    s.close()
    check(data.startswith("HTTP/1.1 413"), data[:200])


def test_hostile_bodies(c):
    """Odd but well-formed HTTP: each gets a 4xx, the daemon keeps serving."""
    clean(c)
    cases = [
        '{"name": "\\ud800", "region": "eastUS"}',            # lone surrogate
        b'{"name": "\xff\xfe", "region": "eastUS"}',           # invalid UTF-8
        '{"name": "x", "region": "eastUS", "deviceLinks": ' + "[" * 5000 + "]" * 5000 + "}",
        '{"name": "x", "region": "eastUS", "deviceLinks": [' + ",".join(["{}"] * 2000) + "]}",
        '{"name": "x", "region": 1e999}',
        '{"name": "x", "region": "eastUS", "deviceLinks": [{"bgpConfiguration": {"asn": 99999999999999999999999}}]}',
        '{"name": "a\u0000b", "region": "eastUS"}',
        '{"name": "' + "n" * 300 + '", "region": "eastUS"}',
        '"just a string"',
        'null',
    ]
    for body in cases:
        r = c.a.post(RN, raw=body)
        check(400 <= r.status < 500, "%r -> %r" % (body[:60], r))
        check("error" in r.json(), r)
    check(all_rns(c) == [], "a hostile body created something")
    # Headers far beyond the connection's memory: refused, daemon alive.
    r = request(c.d.url, "GET", RN, token=c.ta["token"], headers={"X-Big": "y" * 100000})
    check(400 <= r.status < 500, r)
    # A client that opens connections and says nothing does not stop others.
    idle = [socket.create_connection(("127.0.0.1", c.d.port)) for _ in range(50)]
    check(c.a.get(RN).status == 200)
    for s in idle:
        s.close()


# --- isolation ------------------------------------------------------------

def test_tenant_isolation(c):
    clean(c)
    rn = c.a.post(RN, {"name": "Secret", "region": "eastUS", "deviceLinks": [link_body()]}).json()
    lid = rn["deviceLinks"][0]["id"]
    check(all_rns(c, c.b) == [], "tenant B sees tenant A's networks")
    for path in (RN + "/" + rn["id"], RN + "/" + rn["id"] + "/deviceLinks",
                 RN + "/" + rn["id"] + "/deviceLinks/" + lid,
                 RN + "/" + rn["id"] + "/connectivityConfiguration",
                 RN + "/" + rn["id"] + "/deviceLinks/" + lid + "/cpeConfiguration?format=swanctl",
                 RN + "/" + rn["id"] + "/forwardingProfiles"):
        expect_error(c.b.get(path), 404)
    expect_error(c.b.patch(RN + "/" + rn["id"], {"name": "pwned"}), 404)
    expect_error(c.b.delete(RN + "/" + rn["id"] + "/deviceLinks/" + lid), 404)
    expect_error(c.b.delete(RN + "/" + rn["id"]), 404)
    bprof = c.b.get("/networkAccess/forwardingProfiles").json()["value"]
    aprof = c.a.get("/networkAccess/forwardingProfiles").json()["value"]
    check(not set(p["id"] for p in aprof) & set(p["id"] for p in bprof))
    expect_error(c.a.patch(RN + "/" + rn["id"] + "/forwardingProfiles",
                           {"@odata.context": "#$delta", "value": [{"ID": bprof[0]["id"]}]}),
                 400, "BadRequest", bprof[0]["id"])
    check(c.a.get(RN + "/" + rn["id"]).json()["name"] == "Secret")


# --- configuration read-back ----------------------------------------------

def test_connectivity_configuration(c):
    clean(c)
    rn = c.a.post(RN, {"name": "Cfg", "region": "westUS",
                       "deviceLinks": [link_body(), custom_link_body()]}).json()
    r = c.a.get(RN + "/" + rn["id"] + "/connectivityConfiguration")
    check(r.status == 200, r)
    cfg = r.json()
    check(cfg["remoteNetworkId"] == rn["id"] and cfg["remoteNetworkName"] == "Cfg", cfg)
    links = {l["displayName"]: l for l in cfg["links"]}
    one = links["Link 1"]
    check(one["localConfigurations"] == [{"endpoint": "203.0.113.1", "asn": 65476,
                                          "bgpAddress": "10.1.1.11", "region": "westUS"}], one)
    check(one["peerConfiguration"] == {"endpoint": "198.51.100.10", "asn": 65000,
                                       "bgpAddress": "10.6.6.6"}, one)
    two = links["Custom"]["localConfigurations"]
    check([x["endpoint"] for x in two] == ["203.0.113.1", "203.0.113.2"], two)
    check([x["bgpAddress"] for x in two] == ["10.2.1.11", "10.2.1.12"], two)
    expect_error(c.a.get(RN + "/" + rn["id"] + "/connectivityConfiguration?$select=links"), 400)


def test_cpe_configuration(c):
    clean(c)
    rn = c.a.post(RN, {"name": "Cpe", "region": "westUS",
                       "deviceLinks": [custom_link_body()]}).json()
    lid = rn["deviceLinks"][0]["id"]
    base = RN + "/" + rn["id"] + "/deviceLinks/" + lid + "/cpeConfiguration"
    sw = c.a.get(base + "?format=swanctl")
    check(sw.status == 200 and sw.headers["Content-Type"].startswith("text/plain"), sw)
    check("203.0.113.1" in sw.body and "203.0.113.2" in sw.body, sw.body)
    bird = c.a.get(base + "?format=bird&lan=192.0.2.0/24")
    check(bird.status == 200 and "65476" in bird.body and "192.0.2.0/24" in bird.body, bird)
    for p in PSKS:
        check(p not in bird.body, "PSK in BIRD config")
    frr = c.a.get(base + "?format=frr")
    check(frr.status == 200 and "router bgp 65010" in frr.body, frr)
    expect_error(c.a.get(base), 400, "BadRequest", "format")
    expect_error(c.a.get(base + "?format=junos"), 400, "BadRequest", "junos")
    expect_error(c.a.get(base + "?format=bird&lan=10.0.0.1/8"), 400, "BadRequest", "lan")


# --- forwarding profiles --------------------------------------------------

def test_forwarding_profiles(c):
    clean(c)
    r = c.a.get("/networkAccess/forwardingProfiles")
    check(r.status == 200, r)
    profs = r.json()["value"]
    kinds = sorted(p["trafficForwardingType"] for p in profs)
    check(kinds == ["internet", "m365", "private"], kinds)
    exp = c.a.get("/networkAccess/forwardingProfiles?$expand=policies($expand=policy)").json()
    m365 = [p for p in exp["value"] if p["trafficForwardingType"] == "m365"][0]
    dests = [d["value"] for pl in m365["policies"] for rule in pl["policy"]["policyRules"]
             for d in rule["destinations"]]
    check("13.107.6.152/31" in dests and "outlook.office.com" in dests, len(dests))
    rn = c.a.post(RN, {"name": "FP", "region": "eastUS"}).json()
    path = RN + "/" + rn["id"] + "/forwardingProfiles"
    check(c.a.get(path).json()["value"] == [])
    # The seed's PATCH body, with "ID" as it spells it.
    r = c.a.patch(path, {"@odata.context": "#$delta", "value": [{"ID": m365["id"]}]})
    check(r.status == 204, r)
    check([p["id"] for p in c.a.get(path).json()["value"]] == [m365["id"]])
    inet = [p for p in profs if p["trafficForwardingType"] == "internet"][0]
    r = c.a.patch(path, {"@odata.context": "#$delta", "value": [{"id": inet["id"]}]})
    check(len(c.a.get(path).json()["value"]) == 2)
    r = c.a.patch(path, {"@odata.context": "#$delta",
                         "value": [{"id": m365["id"], "@removed": {"reason": "deleted"}}]})
    check(r.status == 204, r)
    check([p["id"] for p in c.a.get(path).json()["value"]] == [inet["id"]])
    expect_error(c.a.patch(path, {"value": [{"id": "00000000-0000-4000-8000-000000000000"}]}),
                 400, "BadRequest")
    expect_error(c.a.patch(path, {"value": "x"}), 400)


def test_graph_path_variants(c):
    clean(c)
    r = c.a.post("/networkAccess/connectivity/branches", {"name": "Alias", "region": "eastUS"})
    check(r.status == 201, r)
    rid = r.json()["id"]
    check(c.a.get("/beta/networkaccess/connectivity/remotenetworks/" + rid).status == 200)
    check(c.a.get("/networkAccess/connectivity/branches/" + rid).json()["name"] == "Alias")


def test_secrets_never_logged(c):
    log = c.d.log()
    for p in PSKS + [c.ta["token"], c.tb["token"]]:
        check(p not in log, "secret found in the daemon log")
        check(p.split(".")[-1] not in log)


def test_persistence_restart_and_kill9(c):
    clean(c)
    r = c.a.post(RN, {"name": "Durable", "region": "eastUS", "deviceLinks": [link_body()]})
    check(r.status == 201, r)
    rid = r.json()["id"]
    c.d.stop()
    c.d.start()
    got = c.a.get(RN + "/" + rid + "?$expand=deviceLinks")
    check(got.status == 200 and got.json()["deviceLinks"][0]["name"] == "Link 1", got)
    # kill -9 immediately after the 201 arrives: the write must be on disk.
    import signal as _s
    r = c.a.post(RN, {"name": "Crash", "region": "eastUS",
                      "deviceLinks": [link_body(name="K", ip="198.51.100.50",
                                                local="10.50.0.1", peer="10.50.0.2")]})
    check(r.status == 201, r)
    kid = r.json()["id"]
    c.d.stop(_s.SIGKILL)
    c.d.start()
    got = c.a.get(RN + "/" + kid + "?$expand=deviceLinks")
    check(got.status == 200 and got.json()["deviceLinks"][0]["name"] == "K", got)
    cfg = c.a.get(RN + "/" + kid + "/deviceLinks/" + got.json()["deviceLinks"][0]["id"]
                  + "/cpeConfiguration?format=swanctl")
    check(cfg.status == 200, cfg)


# --- staticSourcePrefixes (branchgate extension) ----------------------------

def test_static_source_prefixes(c):
    clean(c)
    rn = c.a.post(RN, {"name": "Src", "region": "eastUS"}).json()
    base = RN + "/" + rn["id"] + "/deviceLinks"
    # Always present, [] when none was given.
    plain = c.a.post(base, link_body(name="Plain", ip="198.51.100.30",
                                     local="10.30.0.1", peer="10.30.0.2"))
    check(plain.status == 201 and plain.json()["staticSourcePrefixes"] == [], plain)
    r = c.a.post(base, link_body(staticSourcePrefixes=["192.168.50.0/24", "10.77.0.0/16",
                                                       "172.16.0.1/32"]))
    check(r.status == 201, r)
    link = r.json()
    want = ["192.168.50.0/24", "10.77.0.0/16", "172.16.0.1/32"]
    check(link["staticSourcePrefixes"] == want, link)
    url = base + "/" + link["id"]
    check(c.a.get(url).json()["staticSourcePrefixes"] == want)
    # PATCH replaces the list; other members keep it; null and [] clear it.
    p = c.a.patch(url, {"name": "Renamed"}, headers={"Prefer": "return=representation"})
    check(p.status == 200 and p.json()["staticSourcePrefixes"] == want, p)
    check(c.a.patch(url, {"staticSourcePrefixes": ["10.88.0.0/16"]}).status == 204)
    check(c.a.get(url).json()["staticSourcePrefixes"] == ["10.88.0.0/16"])
    check(c.a.patch(url, {"staticSourcePrefixes": None}).status == 204)
    check(c.a.get(url).json()["staticSourcePrefixes"] == [])
    check(c.a.patch(url, {"staticSourcePrefixes": want}).status == 204)
    check(c.a.patch(url, {"staticSourcePrefixes": []}).status == 204)
    check(c.a.get(url).json()["staticSourcePrefixes"] == [])
    # A PATCH refused for a bad entry changes nothing.
    check(c.a.patch(url, {"staticSourcePrefixes": want}).status == 204)
    before = c.a.get(url).json()
    expect_error(c.a.patch(url, {"staticSourcePrefixes": ["10.64.0.0/10", "10.0.0.1/24"]}),
                 400, "BadRequest",
                 "staticSourcePrefixes[1]: '10.0.0.1/24' has host bits set")
    check(c.a.get(url).json() == before)
    # Inline in a remote network create, with the error path prefixed.
    r = c.a.post(RN, {"name": "Src2", "region": "eastUS", "deviceLinks": [
        link_body(name="In", ip="198.51.100.31", local="10.31.0.1", peer="10.31.0.2",
                  staticSourcePrefixes=["192.168.51.0/24"])]})
    check(r.status == 201 and r.json()["deviceLinks"][0]["staticSourcePrefixes"]
          == ["192.168.51.0/24"], r)
    e = expect_error(c.a.post(RN, {"name": "Src3", "region": "eastUS", "deviceLinks": [
        link_body(name="In", ip="198.51.100.32", local="10.32.0.1", peer="10.32.0.2",
                  staticSourcePrefixes=["x"])]}), 400, "BadRequest")
    check(e["target"] == "deviceLinks[0].staticSourcePrefixes[0]", e)
    # Survives a restart: read back from the store, not from memory.
    c.d.stop()
    c.d.start()
    check(c.a.get(url).json()["staticSourcePrefixes"] == want)
    check(c.a.get(base + "/" + plain.json()["id"]).json()["staticSourcePrefixes"] == [])


def test_static_source_prefixes_validation(c):
    clean(c)
    rn = c.a.post(RN, {"name": "SrcV", "region": "eastUS"}).json()
    base = RN + "/" + rn["id"] + "/deviceLinks"

    def bad(value, target, words):
        e = expect_error(c.a.post(base, link_body(staticSourcePrefixes=value)),
                         400, "BadRequest", words)
        check(e["target"] == target, e)

    bad(["10.1.0.0/16", "10.2.0.0/16", "10.0.0.1/24"], "staticSourcePrefixes[2]",
        "staticSourcePrefixes[2]: '10.0.0.1/24' has host bits set")
    bad(["0.0.0.0/0"], "staticSourcePrefixes[0]", ["0.0.0.0/0", "not allowed"])
    bad(["10.0.0.0/7"], "staticSourcePrefixes[0]", ["10.0.0.0/7", "8 to 32"])
    bad(["10.0.0.0/33"], "staticSourcePrefixes[0]", "CIDR")
    bad(["10.0.0.0"], "staticSourcePrefixes[0]", "CIDR")
    bad(["10.0.0.0/08"], "staticSourcePrefixes[0]", "CIDR")
    bad(["fd00::/8"], "staticSourcePrefixes[0]", "CIDR")
    bad([24], "staticSourcePrefixes[0]", "must be a string")
    bad(["10.5.0.0/16", "10.6.0.0/16", "10.5.0.0/16"], "staticSourcePrefixes[2]",
        ["'10.5.0.0/16' is already listed", "staticSourcePrefixes[0]"])
    bad("10.5.0.0/16", "staticSourcePrefixes", "must be an array")
    many = ["10.%d.0.0/16" % i for i in range(1, 18)]
    bad(many, "staticSourcePrefixes", ["17 entries", "at most 16"])
    # Exactly 16 is fine.
    r = c.a.post(base, link_body(staticSourcePrefixes=many[:16]))
    check(r.status == 201 and len(r.json()["staticSourcePrefixes"]) == 16, r)
    check(c.a.delete(base + "/" + r.json()["id"]).status == 204)
    # Overlapping the gateway's reserved range, from either side.
    bad(["10.0.0.0/8"], "staticSourcePrefixes[0]", ["10.255.240.0/20", "egress"])
    bad(["10.255.247.0/24"], "staticSourcePrefixes[0]", ["10.255.240.0/20", "egress"])
    check(c.a.get(base).json()["value"] == [], "a refused create stored a link")


# --- issue 13 §1: the gateway's reserved range ------------------------------

def test_reserved_range_bgp_addresses(c):
    clean(c)
    rn = c.a.post(RN, {"name": "Res", "region": "eastUS"}).json()
    base = RN + "/" + rn["id"] + "/deviceLinks"
    why = "reserved by the gateway for tenant egress transfer networks"
    for field, body in (
            ("bgpConfiguration.localIpAddress", link_body(local="10.255.240.1")),
            ("bgpConfiguration.peerIpAddress", link_body(peer="10.255.255.254"))):
        e = expect_error(c.a.post(base, body), 400, "BadRequest",
                         [field, "10.255.240.0/20", why])
        check(e["target"] == field, e)
    zone = custom_link_body(zone_local="10.255.243.4")
    e = expect_error(c.a.post(base, zone), 400, "BadRequest",
                     ["redundancyConfiguration.zoneLocalIpAddress", "10.255.240.0/20", why])
    check(e["target"] == "redundancyConfiguration.zoneLocalIpAddress", e)
    # Just outside the range is fine; PATCH into it is refused.
    r = c.a.post(base, link_body(local="10.201.0.1", peer="10.199.255.255"))
    check(r.status == 201, r)
    url = base + "/" + r.json()["id"]
    expect_error(c.a.patch(url, {"bgpConfiguration": {"localIpAddress": "10.255.241.1"}}),
                 400, "BadRequest", ["bgpConfiguration.localIpAddress", "10.255.240.0/20"])
    check(c.a.get(url).json()["bgpConfiguration"]["localIpAddress"] == "10.201.0.1")


# --- issue 13 §2: Graph compatibility, errors and headers -------------------

GUID_RE = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"


def hdr(resp, name):
    for k, v in resp.headers.items():
        if k.lower() == name.lower():
            return v
    return None


def test_request_id_headers(c):
    import re
    seen = set()
    for resp in (c.a.get(RN), c.a.get(RN + "/nothing"), request(c.d.url, "GET", RN),
                 c.a.post(RN, raw="{"), c.a.delete(RN + "/00000000-0000-4000-8000-000000000000")):
        rid = hdr(resp, "request-id")
        check(rid is not None and re.match(GUID_RE, rid), (resp, resp.headers))
        check(hdr(resp, "client-request-id") == rid, resp.headers)
        check(rid not in seen, "request-id repeated")
        seen.add(rid)
        if resp.status >= 400:
            inner = resp.json()["error"]["innerError"]
            check(inner["request-id"] == rid and inner["client-request-id"] == rid, inner)
    # A client's id is echoed, in the header and in an error's innerError.
    mine = "3f1c6f0e-9b7e-4c56-a7d2-0c1b2a3d4e5f"
    r = c.a.get(RN, headers={"client-request-id": mine})
    check(hdr(r, "client-request-id") == mine and hdr(r, "request-id") != mine, r.headers)
    r = c.a.get(RN + "/x", headers={"client-request-id": "trace 42 / retry #1"})
    check(hdr(r, "client-request-id") == "trace 42 / retry #1", r.headers)
    check(r.json()["error"]["innerError"]["client-request-id"] == "trace 42 / retry #1")
    # 64 printable characters are echoed; 65, or a non-ASCII byte, are not.
    r = c.a.get(RN, headers={"client-request-id": "a" * 64})
    check(hdr(r, "client-request-id") == "a" * 64, r.headers)
    for bad in ("a" * 65, "caf\u00e9".encode("utf-8").decode("latin-1")):
        r = c.a.get(RN, headers={"client-request-id": bad})
        check(hdr(r, "client-request-id") == hdr(r, "request-id"), (bad, r.headers))


def raw_http(c, data):
    """One request on its own connection; returns (status, headers, body)."""
    s = socket.create_connection(("127.0.0.1", c.d.port), timeout=10)
    s.sendall(data)
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    head, _, body = out.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        headers[k.strip().lower()] = v.strip()
    return int(lines[0].split()[1]), headers, body.decode()


def test_http_layer_errors_are_graph_json(c):
    tok = c.ta["token"].encode()
    cases = [
        # URI too long: the path, and the query string, each counted.
        (414, "RequestUriTooLong",
         b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        (414, "RequestUriTooLong",
         b"GET " + RN.encode() + b"?$select=" + b"n" * 9000 +
         b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        # Header block over the cap (but inside the library's memory).
        (431, "RequestHeaderFieldsTooLarge",
         b"GET " + RN.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
         b"Authorization: Bearer " + tok + b"\r\nX-Big: " + b"y" * 20000 + b"\r\n\r\n"),
        (413, "RequestEntityTooLarge",
         b"POST " + RN.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
         b"Content-Type: application/json\r\nContent-Length: 999999999\r\n\r\n"),
    ]
    for status, code, data in cases:
        st, h, body = raw_http(c, data)
        check(st == status, (status, st, body[:200]))
        check(h.get("content-type", "").startswith("application/json"), h)
        e = json.loads(body)["error"]
        check(e["code"] == code and e["message"], e)
        check(h.get("request-id") == e["innerError"]["request-id"], (h, e))
    # Just under both caps: an ordinary answer (404 for the long path).
    st, h, body = raw_http(c, b"GET /" + b"a" * 8000 + b" HTTP/1.1\r\nHost: x\r\n"
                           b"Connection: close\r\nAuthorization: Bearer " + tok + b"\r\n\r\n")
    check(st == 404 and json.loads(body)["error"]["code"] == "NotFound", (st, body[:200]))
    check(c.a.get(RN).status == 200, "daemon stopped serving")


def test_json_errors_in_plain_words(c):
    clean(c)
    psk = "Hunter2-never-echo"
    cases = [
        ('{"name": "a\\u0000b", "region": "eastUS"}', "\\u0000"),
        ('{"na\\u0000me": "a", "region": "eastUS"}', "\\u0000"),
        ('{"name": "a", "name": "b", "region": "eastUS"}', "twice"),
        ('{"name": "x" "region": "eastUS"}', "comma"),
        ('{"name": "x", "region": eastUS}', "double quotes"),
        ('{"name": "x", "region": "eastUS"} {}', "more after"),
        ('{"name": "x", "region": "eastUS"', "ends"),
        ('{"name": "x", "region": 99999999999999999999999}', "out of range"),
        ('{"name": "x",\n "tunnelConfiguration": {"preSharedKey": "' + psk + '\n"}}',
         "line break"),
    ]
    for body, words in cases:
        r = c.a.post(RN, raw=body)
        e = expect_error(r, 400, "BadRequest", ["malformed JSON at line", "column", words])
        check("JSON_" not in r.body and "near" not in e["message"], e)
        check(psk not in r.body, "a body fragment was echoed: " + r.body)
    r = c.a.post(RN, raw='{"name": "x",\n  "region": "eastUS",,}')
    expect_error(r, 400, "BadRequest", "line 2, column")
    check(all_rns(c) == [])


def test_readonly_ignored_on_create_and_patch(c):
    """One rule for both: id, version, lastModifiedDateTime (and
    @odata.context) are ignored whatever their value, as OData does."""
    clean(c)
    ro = {"id": "00000000-0000-4000-8000-000000000001", "version": "9.9.9",
          "lastModifiedDateTime": "1999-01-01T00:00:00Z", "@odata.context": "#x"}
    r = c.a.post(RN, dict(ro, name="RO", region="eastUS"))
    check(r.status == 201, r)
    rn = r.json()
    check(rn["id"] != ro["id"] and rn["version"] == "1.0.0"
          and rn["lastModifiedDateTime"] != ro["lastModifiedDateTime"], rn)
    p = c.a.patch(RN + "/" + rn["id"], dict(ro, name="RO2"))
    check(p.status == 200, p)
    got = c.a.get(RN + "/" + rn["id"]).json()
    check(got["id"] == rn["id"] and got["version"] == "1.0.0" and got["name"] == "RO2", got)
    base = RN + "/" + rn["id"] + "/deviceLinks"
    r = c.a.post(base, link_body(**ro))
    check(r.status == 201, r)
    link = r.json()
    check(link["id"] != ro["id"] and link["version"] == "1.0.0", link)
    url = base + "/" + link["id"]
    # Wrong types are ignored too: the value is never looked at.
    for patch in (dict(ro), {"id": "x"}, {"version": 2}, {"lastModifiedDateTime": None}):
        check(c.a.patch(url, patch).status == 204, patch)
    got = c.a.get(url).json()
    stamp = "lastModifiedDateTime"
    check(got[stamp] != ro[stamp], got)
    got.pop(stamp)
    link.pop(stamp)
    check(got == link, (got, link))
    got = c.a.get(url).json()
    # A GET body round-trips through PATCH, and through create (a copy).
    check(c.a.patch(url, got).status == 204)
    copy = dict(got, name="Copy", ipAddress="198.51.100.77",
                bgpConfiguration={"localIpAddress": "10.77.0.1",
                                  "peerIpAddress": "10.77.0.2", "asn": 65000})
    copy["tunnelConfiguration"] = dict(got["tunnelConfiguration"], preSharedKey="Copy-key-123")
    r = c.a.post(base, copy)
    check(r.status == 201 and r.json()["id"] != link["id"], r)


if __name__ == "__main__":
    tests = [v for k, v in list(globals().items()) if k.startswith("test_")]
    run_tests(tests, setup, teardown)
