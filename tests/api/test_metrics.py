#!/usr/bin/python3
"""branchgated --metrics HOST:PORT (issue 9 §4): GET /metrics in the
Prometheus text exposition format 0.0.4 on its own listener, no token. Every
line must parse, each family's HELP and TYPE come before its samples, the
per-link numbers are the status endpoint's (one snapshot, refreshed each
second), and without the flag nothing listens."""
import os
import re
import shutil
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import (RN, Client, Daemon, check, custom_link_body,  # noqa: E402
                    link_body, request, run_tests, tenant_create, tmpdir)

CTYPE = "text/plain; version=0.0.4; charset=utf-8"
LINK_LABELS = {"tenant", "remote_network", "link"}
# esp_worker_drop_name(), in enum order.
WORKER_REASONS = ["runt", "unknown-spi", "no-tenant", "esp-in", "not-ipv4",
                  "tun-write", "no-route", "no-sa", "no-raw", "esp-out", "send",
                  "ike-handoff", "raw-hdr", "tun-frame", "handoff", "spoofed-source",
                  "unassigned-profile", "policy", "bypass"]
IKE_REASONS = {"auth-failed", "no-proposal", "unknown-peer", "malformed", "unknown-spi"}
ZONE_FAMILIES = ["branchgate_link_tunnel_up", "branchgate_link_child_sas",
                 "branchgate_link_bgp_established", "branchgate_link_bgp_routes_received",
                 "branchgate_link_bgp_routes_accepted",
                 "branchgate_link_bgp_routes_rejected_total",
                 "branchgate_link_bgp_routes_advertised"]
ESP_FAMILIES = {"branchgate_link_esp_in_packets_total": "inboundPackets",
                "branchgate_link_esp_in_bytes_total": "inboundBytes",
                "branchgate_link_esp_out_packets_total": "outboundPackets",
                "branchgate_link_esp_out_bytes_total": "outboundBytes"}
DROP_REASONS = {"replay": "replayDrops", "authentication": "authenticationFailures",
                "malformed": "malformedDrops", "spoofed-source": "spoofedSourceDrops"}

# The 0.0.4 text format: metric and label names, values (Go's ParseFloat
# spellings), an optional integer timestamp.
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LNAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r"(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?Inf|NaN)"
SAMPLE = re.compile(r"^(%s)(?:\{(.*)\})? (%s)(?: (-?\d+))?$" % (NAME, VALUE))
HELP = re.compile(r"^# HELP (%s) ((?:[^\\\n]|\\[\\n])*)$" % NAME)
TYPE = re.compile(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % NAME)
LABEL = re.compile(r'(%s)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)' % LNAME)
UNESCAPE = {"\\": "\\", '"': '"', "n": "\n"}


def parse_labels(text):
    labels, pos = {}, 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        check(m, "bad label set at %r" % text[pos:])
        k, v = m.group(1), re.sub(r"\\(.)", lambda e: UNESCAPE[e.group(1)], m.group(2))
        check(k not in labels, "label %s twice in %r" % (k, text))
        labels[k] = v
        pos = m.end()
    return labels


def parse(body):
    """{family: {"help", "type", "samples": [(labels, value)]}}; asserts the
    format line by line and that families do not interleave."""
    check(body.endswith("\n"), "the page does not end with a line feed")
    fams, order, seen = {}, [], set()
    for n, line in enumerate(body[:-1].split("\n"), 1):
        where = "line %d %r" % (n, line)
        if line.startswith("#"):
            m = HELP.match(line) or TYPE.match(line)
            check(m, "bad comment line: " + where)
            f = fams.setdefault(m.group(1), {"samples": []})
            key = "help" if line.startswith("# HELP") else "type"
            check(key not in f, "second %s: %s" % (key, where))
            check(not f["samples"], "%s after samples: %s" % (key, where))
            f[key] = m.group(2)
            if not order or order[-1] != m.group(1):
                check(m.group(1) not in order, "family split: " + where)
                order.append(m.group(1))
            continue
        m = SAMPLE.match(line)
        check(m, "not a sample: " + where)
        name, labels = m.group(1), parse_labels(m.group(2) or "")
        check(name in fams and "help" in fams[name] and "type" in fams[name],
              "no HELP and TYPE before the sample: " + where)
        check(order[-1] == name, "sample away from its family: " + where)
        key = (name, tuple(sorted(labels.items())))
        check(key not in seen, "series twice: " + where)
        seen.add(key)
        value = float(m.group(3))
        if fams[name]["type"] == "counter":
            check(name.endswith("_total") and value >= 0, "counter: " + where)
        fams[name]["samples"].append((labels, value))
    return fams


def metrics_port(d):
    m = re.findall(r"metrics listening on http://127\.0\.0\.1:(\d+)/metrics", d.log())
    check(m, "no metrics line in the log")
    return int(m[-1])


def get(port, path="/metrics", method="GET", headers=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def listening(pid):
    """TCP ports the process listens on (its fds against /proc/net/tcp)."""
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            t = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if t.startswith("socket:["):
            inodes.add(t[8:-1])
    ports = set()
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(path) as f:
            for row in f.read().splitlines()[1:]:
                col = row.split()
                if col[3] == "0A" and col[9] in inodes:
                    ports.add(int(col[1].rsplit(":", 1)[1], 16))
    return ports


class Ctx:
    pass


def setup():
    c = Ctx()
    c.dir = tmpdir()
    c.d = Daemon(c.dir, extra=["--metrics", "127.0.0.1:0"]).start()
    c.port = metrics_port(c.d)
    c.t = tenant_create(c.d.db, "metrics-a")
    c.a = Client(c.d, c.t["token"])
    c.rn = c.a.post(RN, {"name": "R1", "region": "eastUS"}).json()
    c.links = RN + "/" + c.rn["id"] + "/deviceLinks"
    return c


def teardown(c):
    c.d.stop()
    shutil.rmtree(c.dir, ignore_errors=True)


def scrape(c):
    status, headers, body = get(c.port)
    check(status == 200, (status, body[:300]))
    return parse(body)


def link_series(fams, link_id):
    return {name: [(lab, v) for lab, v in f["samples"] if lab.get("link") == link_id]
            for name, f in fams.items()}


def wait_for_link(c, link_id, present=True):
    """The gateway loads a write, then its next refresh (each second) shows it."""
    deadline = time.time() + 10
    while True:
        fams = scrape(c)
        if any(s for s in link_series(fams, link_id).values()) == present:
            return fams
        check(time.time() < deadline, "link %s never %s" %
              (link_id, "appeared" if present else "went away"))
        time.sleep(0.2)


def test_content_type_no_token(c):
    status, headers, body = get(c.port)
    check(status == 200, status)
    check(headers.get("Content-Type") == CTYPE, headers)
    check(headers.get("Cache-Control") == "no-store", headers)
    # No token is asked for, and one given is not looked at.
    status, _, body2 = get(c.port, headers={"Authorization": "Bearer nonsense"})
    check(status == 200 and body2.startswith("# HELP"), status)
    status, headers, body = get(c.port, method="HEAD")
    check(status == 200 and body == "" and headers.get("Content-Type") == CTYPE,
          (status, headers))
    # A query string changes nothing (scrapers may add one).
    check(get(c.port, "/metrics?x=1")[0] == 200)


def test_every_line_parses(c):
    fams = scrape(c)
    for name, f in fams.items():
        check("help" in f and "type" in f, "family %s lacks HELP or TYPE" % name)
        check(name.startswith("branchgate_"), name)


def test_build_info(c):
    f = scrape(c)["branchgate_build_info"]
    check(f["type"] == "gauge", f)
    check(len(f["samples"]) == 1, f)
    labels, value = f["samples"][0]
    check(set(labels) == {"version"} and re.match(r"^\d+\.\d+\.\d+", labels["version"]),
          labels)
    check(value == 1, value)


def test_gateway_families(c):
    fams = scrape(c)
    check(fams["branchgate_dataplane"]["samples"] == [({}, 0.0)], fams["branchgate_dataplane"])
    w = fams["branchgate_esp_worker_drops_total"]
    check(w["type"] == "counter", w)
    check([lab["reason"] for lab, _ in w["samples"]] == WORKER_REASONS, w)
    r = fams["branchgate_ike_rejected_total"]
    check({lab["reason"] for lab, _ in r["samples"]} == IKE_REASONS, r)
    for name in ("branchgate_ike_sa_established_total", "branchgate_ike_cookies_sent_total",
                 "branchgate_ike_half_open_dropped_total", "branchgate_ike_retransmits_total",
                 "branchgate_ike_messages_received_total",
                 "branchgate_ike_messages_sent_total"):
        f = fams[name]
        # Gateway-wide: one unlabelled series, never one per link.
        check(f["type"] == "counter" and len(f["samples"]) == 1 and
              f["samples"][0][0] == {}, (name, f))


def test_created_link_appears(c):
    r = c.a.post(c.links, link_body())
    check(r.status == 201, r)
    c.l1 = r.json()["id"]
    r = c.a.post(c.links, custom_link_body())
    check(r.status == 201, r)
    c.l2 = r.json()["id"]
    wait_for_link(c, c.l1)
    fams = wait_for_link(c, c.l2)
    check(fams["branchgate_links"]["samples"] == [({}, 2.0)], fams["branchgate_links"])
    for link, zones in ((c.l1, {"1"}), (c.l2, {"1", "2"})):
        s = link_series(fams, link)
        up = s["branchgate_link_tunnel_up"]
        check({lab["zone"] for lab, _ in up} == zones, up)
        for lab, v in up:
            check(lab == {"tenant": c.t["id"], "remote_network": c.rn["id"],
                          "link": link, "zone": lab["zone"]}, lab)
            check(v == 0, "tunnel up with no branch: %r" % (up,))
        for name in ZONE_FAMILIES:
            check(len(s[name]) == len(zones), (name, s[name]))
        for name in ESP_FAMILIES:
            check(len(s[name]) == 1 and set(s[name][0][0]) == LINK_LABELS, (name, s[name]))
        check({lab["reason"] for lab, _ in s["branchgate_link_esp_drops_total"]} ==
              set(DROP_REASONS), s["branchgate_link_esp_drops_total"])


def test_series_per_link(c):
    """The cardinality docs/api.md promises: 7 per zone plus 8 per link."""
    fams = scrape(c)
    for link, want in ((c.l1, 15), (c.l2, 22)):
        n = sum(len(v) for v in link_series(fams, link).values())
        check(n == want, "link %s has %d series, want %d" % (link, n, want))
    # Nothing else carries a link label.
    for name, f in fams.items():
        if not name.startswith("branchgate_link_"):
            check(all("link" not in lab for lab, _ in f["samples"]), name)


def test_values_match_status(c):
    fams = scrape(c)
    links = {lab["link"] for lab, _ in fams["branchgate_link_tunnel_up"]["samples"]}
    check(links == {c.l1, c.l2}, links)
    for link in sorted(links):
        r = c.a.get(c.links + "/" + link + "/status")
        check(r.status == 200, r)
        st = r.json()
        s = link_series(fams, link)
        up = {lab["zone"]: v for lab, v in s["branchgate_link_tunnel_up"]}
        child = {lab["zone"]: v for lab, v in s["branchgate_link_child_sas"]}
        check(("connected" if max(up.values()) == 1 else "disconnected") ==
              st["tunnelState"], (up, st["tunnelState"]))
        check(sum(child.values()) == st["childSecurityAssociations"], (child, st))
        for t in st["tunnels"]:
            z = str(t["zone"])
            check(up[z] == (1 if t["tunnelState"] == "connected" else 0), (z, up, t))
            check(child[z] == t["childSecurityAssociations"], (z, child, t))
        check(set(up) == {str(t["zone"]) for t in st["tunnels"]}, (up, st["tunnels"]))
        for name, key in ESP_FAMILIES.items():
            check(s[name][0][1] == st["esp"][key], (name, s[name], st["esp"]))
        for lab, v in s["branchgate_link_esp_drops_total"]:
            check(v == st["esp"][DROP_REASONS[lab["reason"]]], (lab, v, st["esp"]))
        # No data plane: no BGP session, so not established and no routes.
        check(st["bgp"] is None, st["bgp"])
        for name in ZONE_FAMILIES[2:]:
            check(all(v == 0 for _, v in s[name]), (name, s[name]))


def test_deleted_link_goes_away(c):
    check(c.a.delete(c.links + "/" + c.l2).status == 204)
    fams = wait_for_link(c, c.l2, present=False)
    check(fams["branchgate_links"]["samples"] == [({}, 1.0)], fams["branchgate_links"])
    check(any(link_series(fams, c.l1)["branchgate_link_tunnel_up"]), "l1 went too")


def test_many_links_stream(c):
    """40 links of another tenant: a page of many pieces still parses, with
    every link whole and its own tenant and remote network."""
    t = tenant_create(c.d.db, "metrics-b")
    b = Client(c.d, t["token"])
    want = {}
    for i in range(10):
        links = [link_body(name="L%d" % j, ip="198.51.%d.%d" % (i, 10 + j),
                           local="10.3.%d.%d" % (i, 1 + 2 * j),
                           peer="10.4.%d.%d" % (i, 1 + 2 * j))
                 for j in range(4)]
        r = b.post(RN, {"name": "B%d" % i, "region": "eastUS", "deviceLinks": links})
        check(r.status == 201, r)
        rn = r.json()
        for link in b.get(RN + "/" + rn["id"] + "/deviceLinks").json()["value"]:
            want[link["id"]] = rn["id"]
    check(len(want) == 40, len(want))
    deadline = time.time() + 10
    while True:
        fams = scrape(c)
        if fams["branchgate_links"]["samples"] == [({}, 41.0)]:
            break
        check(time.time() < deadline, fams["branchgate_links"])
        time.sleep(0.2)
    for link, rn in want.items():
        s = link_series(fams, link)
        check(sum(len(v) for v in s.values()) == 15, (link, s))
        for name, samples in s.items():
            for lab, _ in samples:
                check(lab["tenant"] == t["id"] and lab["remote_network"] == rn,
                      (name, lab))
    status, headers, body = get(c.port)
    check(len(body) > 64 * 1024, "the page fits in one piece: %d bytes" % len(body))


def test_unknown_path_and_method(c):
    for path in ("/", "/metrics/", "/metricsx", "/beta/metrics", RN):
        status, headers, body = get(c.port, path)
        check(status == 404 and headers.get("Content-Type", "").startswith("text/plain"),
              (path, status, headers))
    status, headers, _ = get(c.port, method="POST")
    check(status == 405 and headers.get("Allow") == "GET, HEAD", (status, headers))
    # The API's port serves no metrics (there it is an unauthenticated path).
    check(request(c.d.url, "GET", "/metrics").status != 200)


def test_listens_on_its_own_port(c):
    ports = listening(c.d.proc.pid)
    check(ports == {c.d.port, c.port}, (ports, c.d.port, c.port))


def test_without_flag_nothing_listens(c):
    d = Daemon(tmpdir()).start()
    try:
        check("metrics listening" not in d.log(), d.log())
        ports = listening(d.proc.pid)
        check(ports == {d.port}, (ports, d.port))
    finally:
        d.stop()
        shutil.rmtree(d.workdir, ignore_errors=True)


def test_config_file_key(c):
    wd = tmpdir()
    conf = os.path.join(wd, "bg.conf")
    with open(conf, "w") as f:
        f.write("metrics 127.0.0.1:0\n")
    d = Daemon(wd, extra=["--config", conf]).start()
    try:
        port = metrics_port(d)
        check(get(port)[0] == 200)
    finally:
        d.stop()
        shutil.rmtree(wd, ignore_errors=True)


def test_bad_address_stops_the_daemon(c):
    wd = tmpdir()
    d = Daemon(wd, extra=["--metrics", "nowhere"])
    try:
        d.start()
        d.stop()
        check(False, "the daemon started with --metrics nowhere")
    except RuntimeError:
        check("metrics: bad listen address 'nowhere'" in d.log(), d.log())
        check(d.proc.wait(timeout=20) != 0)
    finally:
        shutil.rmtree(wd, ignore_errors=True)


if __name__ == "__main__":
    run_tests([test_content_type_no_token, test_every_line_parses, test_build_info,
               test_gateway_families, test_created_link_appears, test_series_per_link,
               test_values_match_status, test_deleted_link_goes_away,
               test_many_links_stream,
               test_unknown_path_and_method, test_listens_on_its_own_port,
               test_without_flag_nothing_listens, test_config_file_key,
               test_bad_address_stops_the_daemon], setup, teardown)
