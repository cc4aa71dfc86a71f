#!/usr/bin/python3
"""A newcomer's first minutes, as README.md tells them: `make run` (its
scripts/run.sh step) brings the API up and prints a working example call; the
README walk-through then works exactly as written; the CLI walk-through of
docs/cli.md's commands covers every API operation."""
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bgtest import BIN, SRC, check, run_tests, tmpdir  # noqa: E402


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Ctx:
    pass


def start_run(cwd, port, env, out_name):
    """scripts/run.sh in cwd; returns (process, its output so far)."""
    out = open(os.path.join(cwd, out_name), "w+")
    proc = subprocess.Popen(
        ["sh", os.path.join(SRC, "scripts", "run.sh"), "127.0.0.1:%d" % port,
         "sqlite:" + os.path.join(cwd, "var", "branchgate.db")],
        cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 20
    text = ""
    while time.time() < deadline:
        out.seek(0)
        text = out.read()
        # The banner comes once the gateway has bound and answers.
        if "Ctrl-C stops the gateway." in text:
            return proc, out, text
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("run.sh did not bring the API up:\n" + text)


def setup():
    c = Ctx()
    c.dir = tmpdir()
    c.port = free_port()
    # The walk-through runs "from the repository": give it build/ and var/.
    os.symlink(os.path.abspath(BIN), os.path.join(c.dir, "build"))
    # A sysctl file of our own: run.sh never touches the host's here.
    c.fwd = os.path.join(c.dir, "ip_forward")
    with open(c.fwd, "w") as f:
        f.write("1\n")
    c.env = dict(os.environ, BG_BINDIR=os.path.abspath(BIN),
                 BG_VARDIR=os.path.join(c.dir, "var"), BG_IP_FORWARD=c.fwd,
                 BG_DAEMON_ARGS="--ike-port 0 --natt-port 0 --no-dataplane")
    c.env.pop("BRANCHGATE_YES", None)
    c.proc, c.out, c.banner = start_run(c.dir, c.port, c.env, "run.out")
    return c


def teardown(c):
    c.proc.terminate()
    c.proc.wait(timeout=20)
    shutil.rmtree(c.dir, ignore_errors=True)


def bash(c, script, check_rc=True):
    r = subprocess.run(["bash", "-c", "set -euo pipefail\n" + script], cwd=c.dir,
                       env=c.env, capture_output=True, text=True, timeout=120)
    if check_rc and r.returncode != 0:
        raise AssertionError("script failed (%d):\n%s\n--- stdout\n%s\n--- stderr\n%s"
                             % (r.returncode, script, r.stdout, r.stderr))
    return r


def test_run_prints_working_example(c):
    # The banner's indented shell lines, continuation lines joined.
    lines = [l.strip() for l in c.banner.splitlines()
             if l.startswith("    ") and not l.strip().startswith("#")]
    script = "\n".join(lines).replace("\\\n", " ")
    check("curl" in script and "BRANCHGATE_TOKEN" in script, c.banner)
    r = bash(c, script)
    check('"value": []' in r.stdout or '"value":[]' in r.stdout, r.stdout)
    check("ID" in r.stdout or "no remote networks" in r.stdout.lower(), r.stdout)


def readme_block():
    with open(os.path.join(SRC, "README.md")) as f:
        text = f.read()
    m = re.search(r"<!-- walkthrough[^>]*-->\s*```sh\n(.*?)```", text, re.S)
    check(m is not None, "README has no walk-through block")
    return m.group(1)


def test_readme_walkthrough_as_written(c):
    block = readme_block().replace("127.0.0.1:8080", "127.0.0.1:%d" % c.port)
    r = bash(c, block)
    out = r.stdout
    check("Oslo branch" in out and "wan1" in out, out)
    check("refused as expected" in out, out)
    check("65476" in r.stderr and "reserved" in r.stderr, r.stderr)
    check("correct horse" not in out and "correct horse" not in r.stderr)
    # Its files go to var/walkthrough/ (git-ignored), none into the tree.
    check(sorted(os.listdir(c.dir)) == ["build", "ip_forward", "run.out", "var"],
          os.listdir(c.dir))
    w = os.path.join(c.dir, "var", "walkthrough")
    check(sorted(os.listdir(w)) == ["bird.conf", "frr.conf", "swanctl.conf"], os.listdir(w))
    sw = os.path.join(w, "swanctl.conf")
    check(stat.S_IMODE(os.stat(sw).st_mode) == 0o600, "swanctl.conf not 0600")
    with open(sw) as f:
        check("203.0.113.10" in f.read())
    with open(os.path.join(w, "bird.conf")) as f:
        bird = f.read()
    check("198.51.100.0/24" in bird and "neighbor 10.255.0.1 as 65476" in bird, bird)
    with open(os.path.join(w, "frr.conf")) as f:
        check("router bgp 65000" in f.read())
    check("Microsoft 365" in out, out)
    check(re.search(r"^health +noTunnel: ", out, re.M), out)   # link status, by names
    # The README's curl examples, after the walk-through's variables.
    curl = re.findall(r"```sh\n(curl .*?)```", open(os.path.join(SRC, "README.md")).read(), re.S)
    check(curl, "README has no curl block")
    r = bash(c, block.split("# A remote network")[0] +
             'RN=$(branchgate rn list | awk \'/Oslo/ {print $1}\')\n' + curl[0])
    check('"deviceLinks"' in r.stdout and '"localConfigurations"' in r.stdout, r.stdout)


def test_run_restores_ip_forward(c):
    """README: as root the data plane turns ip_forward on; run.sh turns it
    off again at exit if it was off, on Ctrl-C (SIGINT) as on SIGTERM. The
    sysctl is a file of the test's (BG_IP_FORWARD), "1" written in place of
    the daemon."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        d = tmpdir()
        try:
            fwd = os.path.join(d, "ip_forward")
            with open(fwd, "w") as f:
                f.write("0\n")
            env = dict(c.env, BG_VARDIR=os.path.join(d, "var"), BG_IP_FORWARD=fwd)
            proc, out, _ = start_run(d, free_port(), env, "run.out")
            with open(fwd, "w") as f:
                f.write("1\n")
            proc.send_signal(sig)
            rc = proc.wait(timeout=20)
            out.close()
            with open(fwd) as f:
                check(f.read().strip() == "0", "ip_forward not restored after %s" % sig)
            check(rc == 0, "run.sh exit %d after %s" % (rc, sig))
            with open(os.path.join(d, "run.out")) as f:
                check("AddressSanitizer" not in f.read())
        finally:
            shutil.rmtree(d, ignore_errors=True)
    # Already on (here: c's run.sh): left alone.
    with open(c.fwd) as f:
        check(f.read() == "1\n")


def test_second_run_no_banner(c):
    """Issue 13: a second `make run` beside a running one fails on its binds
    (the API port here) and exits non-zero without printing the banner."""
    d = tmpdir()
    try:
        env = dict(c.env, BG_VARDIR=os.path.join(d, "var"))
        out = os.path.join(d, "run2.out")
        with open(out, "w") as f:
            rc = subprocess.run(
                ["sh", os.path.join(SRC, "scripts", "run.sh"), "127.0.0.1:%d" % c.port,
                 "sqlite:" + os.path.join(d, "var", "branchgate.db")],
                cwd=d, env=env, stdout=f, stderr=subprocess.STDOUT, timeout=60).returncode
        with open(out) as f:
            text = f.read()
        check(rc != 0, "second run.sh exited 0:\n" + text)
        check("REST API on" not in text and "Ctrl-C stops" not in text, text)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_cli_walkthrough(c):
    token = bash(c, "sed -n 's/.*\"token\": *\"\\([^\"]*\\)\".*/\\1/p' var/demo-tenant.json"
                 ).stdout.strip()
    env = dict(c.env, BRANCHGATE_URL="http://127.0.0.1:%d" % c.port,
               BRANCHGATE_TOKEN=token)
    r = subprocess.run(["bash", os.path.join(SRC, "tests", "api", "cli_walkthrough.sh")],
                       cwd=c.dir, env=env, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        raise AssertionError("cli_walkthrough.sh failed:\n" + r.stdout[-4000:] + r.stderr[-4000:])


if __name__ == "__main__":
    run_tests([test_run_prints_working_example, test_readme_walkthrough_as_written,
               test_run_restores_ip_forward, test_second_run_no_banner,
               test_cli_walkthrough], setup, teardown)
