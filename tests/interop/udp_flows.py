#!/usr/bin/env python3
"""udp_flows.py - UDP flows for test_ecmp.sh (not a test itself).

  listen ADDR PORT LOG        log "PHASE FLOW SEQ" for each datagram, as received
  send SRC DST PORT PHASE BASE NFLOWS COUNT
                              NFLOWS flows (source ports BASE, BASE+1, ...), COUNT
                              datagrams each, payload "PHASE FLOW SEQ"
  where PHASE NFLOWS COUNT TAG=LOG...
                              one line per flow: "FLOW TAG" where TAG's log holds
                              all COUNT datagrams of the flow, in order, and no
                              other log holds any; else "FLOW SPLIT:tags",
                              "FLOW MISSING:n" or "FLOW REORDER:tag". Exit 0
                              when every flow has one tag, 1 otherwise.

A flow is its 5-tuple: only the source port differs between flows, so the
gateway's flow hash sees them as distinct, and a phase repeated with the same
BASE sends the same flows again.
"""
import socket
import sys
import time


def listen(addr, port, log):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind((addr, int(port)))
    with open(log, "a", buffering=1) as f:
        while True:
            data, _ = s.recvfrom(2048)
            try:
                words = data.decode("ascii").split()
            except UnicodeDecodeError:
                continue
            if len(words) == 3:
                f.write(" ".join(words) + "\n")


def send(src, dst, port, phase, base, nflows, count):
    base, nflows, count = int(base), int(nflows), int(count)
    socks = []
    for i in range(nflows):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((src, base + i))
        socks.append(s)
    # Round robin over the flows, paced: no queue anywhere fills up.
    for seq in range(count):
        for i, s in enumerate(socks):
            s.sendto(("%s %d %d" % (phase, base + i, seq)).encode(),
                     (dst, int(port)))
            time.sleep(0.0005)
    for s in socks:
        s.close()


def where(phase, nflows, count, *tagged):
    nflows, count = int(nflows), int(count)
    seen = {}  # flow -> tag -> [seq, ...]
    for t in tagged:
        tag, log = t.split("=", 1)
        try:
            lines = open(log).read().splitlines()
        except FileNotFoundError:
            lines = []
        for line in lines:
            w = line.split()
            if len(w) != 3 or w[0] != phase:
                continue
            seen.setdefault(int(w[1]), {}).setdefault(tag, []).append(int(w[2]))
    flows = sorted(seen)
    if len(flows) > nflows:
        print("unexpected flows: %d > %d" % (len(flows), nflows))
        return 1
    rc = 0 if len(flows) == nflows else 1
    for f in flows:
        tags = seen[f]
        if len(tags) > 1:
            print("%d SPLIT:%s" % (f, ",".join(sorted(tags))))
            rc = 1
            continue
        tag, seqs = next(iter(tags.items()))
        if len(set(seqs)) < count:
            print("%d MISSING:%d" % (f, count - len(set(seqs))))
            rc = 1
        elif seqs != sorted(seqs) or len(seqs) != len(set(seqs)):
            print("%d REORDER:%s" % (f, tag))
            rc = 1
        else:
            print("%d %s" % (f, tag))
    return rc


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "listen":
        listen(*args)
    elif cmd == "send":
        send(*args)
    elif cmd == "where":
        sys.exit(where(*args))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
