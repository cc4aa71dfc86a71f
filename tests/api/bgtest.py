"""Shared harness for the API tests: a real branchgated on loopback.

Each test is a function named test_*; run_tests() runs them in order, prints
one line per test and the closing 'N passed, N failed' line, and exits
non-zero on any failure.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

SRC = os.environ.get("BG_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("BG_BINDIR", os.path.join(SRC, "build"))
DAEMON = os.path.join(BIN, "bin", "branchgated")
CLI = os.path.join(BIN, "bin", "branchgate")

RN = "/networkAccess/connectivity/remoteNetworks"
ODATA_DEFAULT = "#microsoft.graph.networkaccess.tunnelConfigurationIKEv2Default"
ODATA_CUSTOM = "#microsoft.graph.networkaccess.tunnelConfigurationIKEv2Custom"


class Daemon:
    """branchgated on 127.0.0.1 with a free port, its stderr in a file."""

    # The options of a single-node gateway for tests; base= replaces them
    # (--role api takes none of the tunnel options).
    BASE = ["--endpoint", "1=203.0.113.1", "--endpoint", "2=203.0.113.2",
            "--ike-port", "0", "--natt-port", "0", "--no-dataplane"]

    def __init__(self, workdir, db=None, extra=(), base=None, preexec=None):
        self.workdir = workdir
        self.db = db or "sqlite:" + os.path.join(workdir, "bg.db")
        self.extra = list(extra)
        self.base = list(self.BASE if base is None else base)
        self.preexec = preexec
        self.proc = None
        self.log_path = os.path.join(workdir, "daemon.log")
        self.port = None

    def start(self):
        self.logf = open(self.log_path, "a")
        offset = self.logf.tell()
        self.proc = subprocess.Popen(
            [DAEMON, "--db", self.db, "--api", "127.0.0.1:0"] + self.base +
            ["--log-level", "debug"] + self.extra,
            stdout=self.logf, stderr=self.logf, preexec_fn=self.preexec)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("branchgated exited: " + self.log())
            m = re.findall(r"API listening on http://127\.0\.0\.1:(\d+)", self.log()[offset:])
            if m:
                self.port = int(m[-1])
                return self
            time.sleep(0.05)
        raise RuntimeError("branchgated did not start: " + self.log())

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self, sig=signal.SIGTERM):
        """Stop the daemon; a clean stop must exit 0 with no sanitizer report."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            rc = self.proc.wait(timeout=20)
            self.proc = None
            self.logf.close()
            if sig == signal.SIGTERM:
                bad = [w for w in ("AddressSanitizer", "LeakSanitizer", "runtime error:")
                       if w in self.log()]
                if rc != 0 or bad:
                    raise AssertionError("branchgated stop: exit %r %s\n%s"
                                         % (rc, bad, self.log()[-3000:]))
            return rc
        raise AssertionError("branchgated died: " + self.log()[-3000:])

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port


class Gateway:
    """What gateway() set up: .dir (a temp dir), .db (its SQLite db),
    .tenants (tenant_create()'s answers, in order), .d (the started Daemon)
    and .clients (one Client per tenant). Tests keep their own state on it."""


def gateway(tenants=("Contoso",), extra=()):
    """The tenants in a fresh db, then branchgated (with extra arguments) on it."""
    g = Gateway()
    g.dir = tmpdir()
    # BG_TEST_DB: a shared store instead (tests/api/test_pg.py runs the API
    # tests on PostgreSQL); tenants keep the tests apart.
    g.db = os.environ.get("BG_TEST_DB") or "sqlite:" + os.path.join(g.dir, "bg.db")
    g.tenants = [tenant_create(g.db, name) for name in tenants]
    g.d = Daemon(g.dir, g.db, extra=extra).start()
    g.clients = [Client(g.d, t["token"]) for t in g.tenants]
    return g


def gateway_stop(g):
    """Undo gateway(): a clean daemon stop (see Daemon.stop), then the dir."""
    g.d.stop()
    shutil.rmtree(g.dir, ignore_errors=True)


def tenant_create(db, name):
    out = subprocess.run([CLI, "tenant", "create", name, "--db", db],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    t = json.loads(out.stdout)
    assert set(t) == {"id", "name", "token"}, t
    return t


class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


def request(base, method, path, body=None, token=None, headers=None, raw=None,
            ctype="application/json"):
    data = None
    h = dict(headers or {})
    if raw is not None:
        data = raw if isinstance(raw, bytes) else raw.encode()
    elif body is not None:
        data = json.dumps(body).encode()
    if data is not None and ctype:
        h.setdefault("Content-Type", ctype)
    if token:
        h["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return Resp(r.status, dict(r.headers), r.read().decode())
    except urllib.error.HTTPError as e:
        return Resp(e.code, dict(e.headers), e.read().decode())


class Client:
    def __init__(self, daemon, token):
        self.d = daemon
        self.token = token

    def __getattr__(self, method):
        def call(path, body=None, **kw):
            return request(self.d.url, method.upper(), path, body, self.token, **kw)
        return call


def link_body(name="Link 1", ip="198.51.100.10", local="10.1.1.11", peer="10.6.6.6",
              asn=65000, psk="Detective5OutgrowDiligence", **over):
    b = {
        "name": name, "ipAddress": ip, "deviceVendor": "other",
        "bandwidthCapacityInMbps": "mbps250",
        "bgpConfiguration": {"localIpAddress": local, "peerIpAddress": peer, "asn": asn},
        "redundancyConfiguration": {"redundancyTier": "noRedundancy"},
        "tunnelConfiguration": {"@odata.type": ODATA_DEFAULT, "preSharedKey": psk},
    }
    b.update(over)
    return b


def custom_link_body(name="Custom", ip="198.51.100.20", local="10.2.1.11",
                     peer="10.7.7.7", zone_local="10.2.1.12"):
    return {
        "name": name, "ipAddress": ip, "deviceVendor": "ciscoMeraki",
        "tunnelConfiguration": {
            "@odata.type": ODATA_CUSTOM, "saLifeTimeSeconds": 3600,
            "ipSecEncryption": "gcmAes128", "ipSecIntegrity": "gcmAes128",
            "ikeEncryption": "aes128", "ikeIntegrity": "sha256",
            "dhGroup": "ecp384", "pfsGroup": "ecp384",
            "preSharedKey": "SHAREDKEY-custom-1", "zoneRedundancyPreSharedKey": "ZONEKEY-custom-2"},
        "bgpConfiguration": {"localIpAddress": local, "peerIpAddress": peer, "asn": 65010},
        "redundancyConfiguration": {"redundancyTier": "zoneRedundancy",
                                    "zoneLocalIpAddress": zone_local},
        "bandwidthCapacityInMbps": "mbps500",
    }


def check(cond, msg=""):
    if not cond:
        raise AssertionError(msg)


def expect_error(resp, status, code=None, contains=None):
    check(resp.status == status, "want %d, got %r" % (status, resp))
    e = resp.json().get("error")
    check(isinstance(e, dict) and e.get("code") and e.get("message"),
          "not a Graph error body: %r" % resp)
    if code:
        check(e["code"] == code, "code %s != %s" % (e["code"], code))
    if contains:
        for c in ([contains] if isinstance(contains, str) else contains):
            check(c in e["message"] or any(c in d.get("message", "") for d in e.get("details", [])),
                  "%r not in error %r" % (c, e))
    return e


def run_tests(tests, setup=None, teardown=None):
    passed = failed = 0
    ctx = setup() if setup else None
    try:
        for t in tests:
            t0 = time.time()
            try:
                t(ctx) if ctx is not None else t()
                passed += 1
                print("ok   %-45s %.2fs" % (t.__name__, time.time() - t0), flush=True)
            except Exception:
                failed += 1
                print("FAIL %s" % t.__name__, flush=True)
                traceback.print_exc()
    finally:
        if teardown:
            teardown(ctx)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


def tmpdir():
    return tempfile.mkdtemp(prefix="bgtest-")
