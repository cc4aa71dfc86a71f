#!/usr/bin/env python3
"""ike_sa_init.py - send IKE_SA_INIT requests the way a branch router's
first message looks (RFC 7296 §1.2) and report what the responder said.

usage: ike_sa_init.py SRC DST PORT COUNT EXPECT
  Sends COUNT requests from SRC to DST:PORT, each with its own SPIi, nonce
  and ecp256 key share, proposing AES-CBC-128 / HMAC-SHA2-256 / PRF-SHA2-256
  / group 19 (a custom IKE policy a link can have). Each request leaves its
  SA half-open on the responder (no IKE_AUTH follows).
  EXPECT is the answer every request must get:
    answer  SA, KE and Nr, and no COOKIE notification (§1.2)
    cookie  only a COOKIE notification (§2.6)
Prints one line per answer (its payload list) and exits 1 on any other.
"""
import os
import socket
import struct
import sys

from cryptography.hazmat.primitives.asymmetric import ec

PT_SA, PT_KE, PT_NONCE, PT_NOTIFY = 33, 34, 40, 41
N_COOKIE = 16390
NAMES = {PT_SA: "SA", PT_KE: "KE", PT_NONCE: "No", PT_NOTIFY: "N"}


def transform(last, ttype, tid, attrs=b""):
    body = struct.pack("!BxH", ttype, tid) + attrs
    return struct.pack("!BxH", 0 if last else 3, 4 + len(body)) + body


def payload(next_type, body):
    return struct.pack("!BxH", next_type, 4 + len(body)) + body


def sa_init(spi_i):
    trs = (transform(False, 1, 12, struct.pack("!HH", 0x800E, 128)) +
           transform(False, 2, 5) + transform(False, 3, 12) +
           transform(True, 4, 19))
    prop = struct.pack("!BxHBBBB", 0, 8 + len(trs), 1, 1, 0, 4) + trs
    key = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()
    ke = struct.pack("!Hxx", 19) + key.x.to_bytes(32, "big") + key.y.to_bytes(32, "big")
    body = (payload(PT_KE, prop) + payload(PT_NONCE, ke) +
            payload(0, os.urandom(32)))
    hdr = struct.pack("!8s8sBBBBII", spi_i, bytes(8), PT_SA, 0x20, 34, 0x08,
                      0, 28 + len(body))
    return hdr + body


def parse(msg):
    """The payload list of a response: [(type, notify type or None)]."""
    if len(msg) < 28:
        raise ValueError("short response (%d octets)" % len(msg))
    nxt, off, out = msg[16], 28, []
    while nxt != 0:
        if off + 4 > len(msg):
            raise ValueError("truncated payload header")
        cur = nxt
        nxt, plen = msg[off], struct.unpack("!H", msg[off + 2:off + 4])[0]
        if plen < 4 or off + plen > len(msg):
            raise ValueError("bad payload length")
        notify = None
        if cur == PT_NOTIFY and plen >= 8:
            notify = struct.unpack("!H", msg[off + 6:off + 8])[0]
        out.append((cur, notify))
        off += plen
    return out


def show(pl):
    return " ".join(NAMES.get(t, str(t)) + ("(%d)" % n if n is not None else "")
                    for t, n in pl)


def main(argv):
    if len(argv) != 6 or argv[5] not in ("answer", "cookie"):
        sys.exit(__doc__)
    src, dst, port, count, expect = argv[1], argv[2], int(argv[3]), int(argv[4]), argv[5]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(3)
    rc = 0
    for i in range(count):
        spi = os.urandom(8)
        s.sendto(sa_init(spi), (dst, port))
        try:
            while True:
                msg = s.recv(4096)
                if msg[:8] == spi:
                    break
        except socket.timeout:
            print("request %d: no answer" % i)
            rc = 1
            continue
        pl = parse(msg)
        types = [t for t, _ in pl]
        cookie = any(n == N_COOKIE for _, n in pl)
        if expect == "answer":
            good = (not cookie and PT_SA in types and PT_KE in types and
                    PT_NONCE in types)
        else:
            good = cookie and types == [PT_NOTIFY]
        print("request %d: %s [ %s ]" % (i, "ok" if good else "UNEXPECTED", show(pl)))
        if not good:
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
