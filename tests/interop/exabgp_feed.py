#!/usr/bin/env python3
"""exabgp_feed.py W - ExaBGP's API process for test_esp_strongswan.sh (j):
a hostile branch speaker. Each step waits for the test to create W/exa.goN,
then writes ExaBGP text API commands on stdout.

  1: a valid LAN route (10.2.2.0/24);
  2: RFC 7606 cases: a MULTI_EXIT_DISC of 2 octets (RFC 4271 §4.3 says 4;
     RFC 7606 §7.4: treat-as-withdraw, the session stays) for 10.2.3.0/24,
     and an unknown optional transitive attribute (RFC 4271 §5: accepted
     and passed on) for 10.2.4.0/24;
  3: a prefix flood past the session's limit (1,000): 1,100 /24s, for the
     Cease "maximum number of prefixes reached" (RFC 4486 §4, subcode 1).
Only 10.x addresses, inside the test's namespaces.
"""
import os
import sys
import time

W = sys.argv[1]


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def wait(n):
    while not os.path.exists("%s/exa.go%d" % (W, n)):
        time.sleep(0.1)


wait(1)
say("announce route 10.2.2.0/24 next-hop self")
wait(2)
say("announce route 10.2.3.0/24 next-hop self attribute [ 0x04 0x80 0x0001 ]")
say("announce route 10.2.4.0/24 next-hop self attribute [ 0xf0 0xc0 0x01020304 ]")
wait(3)
for i in range(1100):
    say("announce route 10.%d.%d.0/24 next-hop self" % (100 + i // 256, i % 256))
while True:
    time.sleep(1)
