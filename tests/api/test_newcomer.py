#!/usr/bin/python3
"""A newcomer's first minutes, as README.md tells them: `make run` (its
scripts/run.sh step) brings the API up and prints a working example call; the
README walk-through then works exactly as written; the CLI walk-through of
docs/cli.md's commands covers every API operation."""
import os
import re
import shutil
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


def setup():
    c = Ctx()
    c.dir = tmpdir()
    c.port = free_port()
    # The walk-through runs "from the repository": give it build/ and var/.
    os.symlink(os.path.abspath(BIN), os.path.join(c.dir, "build"))
    c.env = dict(os.environ, BG_BINDIR=os.path.abspath(BIN),
                 BG_VARDIR=os.path.join(c.dir, "var"),
                 BG_DAEMON_ARGS="--ike-port 0 --natt-port 0 --no-dataplane")
    c.out = open(os.path.join(c.dir, "run.out"), "w+")
    c.proc = subprocess.Popen(
        ["sh", os.path.join(SRC, "scripts", "run.sh"), "127.0.0.1:%d" % c.port,
         "sqlite:" + os.path.join(c.dir, "var", "branchgate.db")],
        cwd=c.dir, env=c.env, stdout=c.out, stderr=subprocess.STDOUT)
    deadline = time.time() + 20
    while time.time() < deadline:
        c.out.seek(0)
        text = c.out.read()
        if "API listening on" in text:
            c.banner = text
            return c
        if c.proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError("run.sh did not bring the API up:\n" + text)


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
    sw = os.path.join(c.dir, "swanctl.conf")
    check(stat.S_IMODE(os.stat(sw).st_mode) == 0o600, "swanctl.conf not 0600")
    with open(sw) as f:
        check("203.0.113.10" in f.read())
    with open(os.path.join(c.dir, "bird.conf")) as f:
        bird = f.read()
    check("198.51.100.0/24" in bird and "neighbor 10.255.0.1 as 65476" in bird, bird)
    with open(os.path.join(c.dir, "frr.conf")) as f:
        check("router bgp 65000" in f.read())
    check("Microsoft 365" in out, out)
    # The README's curl examples, after the walk-through's variables.
    curl = re.findall(r"```sh\n(curl .*?)```", open(os.path.join(SRC, "README.md")).read(), re.S)
    check(curl, "README has no curl block")
    r = bash(c, block.split("# A remote network")[0] +
             'RN=$(branchgate rn list | awk \'/Oslo/ {print $1}\')\n' + curl[0])
    check('"deviceLinks"' in r.stdout and '"localConfigurations"' in r.stdout, r.stdout)


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
               test_cli_walkthrough], setup, teardown)
