#!/usr/bin/python3
"""Microsoft Graph's own create-deviceLink examples, verbatim, with only the
base URL changed (issue 13 §2). The custom-policy example leaves out
zoneRedundancyPreSharedKey: accepted, zone 2 then uses preSharedKey (the
generated router configuration says so). A 7-character key is refused on
purpose, with the reason (docs/api.md: stricter than Graph for safety)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import RN, check, expect_error, gateway, gateway_stop, run_tests  # noqa: E402

# GR networkaccess-remotenetwork-post-devicelinks, custom IKE policy example.
CUSTOM = {
    "name": "custom link", "ipAddress": "114.20.4.14", "deviceVendor": "ciscoMeraki",
    "tunnelConfiguration": {
        "@odata.type": "#microsoft.graph.networkaccess.tunnelConfigurationIKEv2Custom",
        "saLifeTimeSeconds": 300, "ipSecEncryption": "gcmAes128",
        "ipSecIntegrity": "gcmAes128", "ikeEncryption": "aes128",
        "ikeIntegrity": "sha256", "dhGroup": "ecp384", "pfsGroup": "ecp384",
        "preSharedKey": "SHAREDKEY"},
    "bgpConfiguration": {"localIpAddress": "10.1.1.11", "peerIpAddress": "10.6.6.6",
                         "asn": 65000},
    "redundancyConfiguration": {"redundancyTier": "zoneRedundancy",
                                "zoneLocalIpAddress": "10.1.1.12"},
    "bandwidthCapacityInMbps": "mbps250"}


def setup():
    c = gateway()
    c.a = c.clients[0]
    c.rn = c.a.post(RN, {"name": "Graph examples", "region": "eastUS"}).json()
    c.base = RN + "/" + c.rn["id"] + "/deviceLinks"
    return c


def teardown(c):
    gateway_stop(c)


def test_custom_example_verbatim(c):
    r = c.a.post(c.base, CUSTOM)
    check(r.status == 201, r)
    link = r.json()
    check(link["redundancyConfiguration"]["redundancyTier"] == "zoneRedundancy", link)
    # The generated router configuration has both zones, the same key.
    cfg = c.a.get(c.base + "/" + link["id"] + "/cpeConfiguration?format=swanctl")
    check(cfg.status == 200, cfg)
    check(cfg.body.count('secret = "SHAREDKEY"') == 2, cfg.body[-600:])
    check(c.a.delete(c.base + "/" + link["id"]).status == 204)


def test_short_key_refused_with_reason(c):
    body = dict(CUSTOM)
    body["tunnelConfiguration"] = dict(CUSTOM["tunnelConfiguration"], preSharedKey="Abc1234")
    e = expect_error(c.a.post(c.base, body), 400, "BadRequest",
                     ["tunnelConfiguration.preSharedKey", "got 7", "guessed offline"])
    check("Abc1234" not in str(e), e)


if __name__ == "__main__":
    run_tests([test_custom_example_verbatim, test_short_key_refused_with_reason],
              setup, teardown)
