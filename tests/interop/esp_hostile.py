#!/usr/bin/python3
# esp_hostile.py - hostile ESP-in-UDP and raw ESP (IP protocol 50) for
# test_esp_hostile.sh, crafted with scapy (python3-scapy; its AES-GCM uses
# python3-cryptography) from the keys of a strongSwan branch's outbound
# CHILD_SA (charon's chd=4 log). The raw-* categories send that SA's ESP
# straight over IP: RFC 7296 §2.23 has the gateway accept both forms at
# any time, whatever the SA's own encapsulation.
#
#   esp_hostile.py send CATEGORY --spi HEX --key HEX --seq N --src IP --dst IP
#                  [--state DIR] [--other-spi HEX]
#       Sends one category from the branch's public address, UDP 4500 ->
#       4500 as the real tunnel does (a raw socket: charon holds 4500), or
#       as protocol 50 (raw-*, some with IPv4 headers that lie), and
#       prints a JSON object: what the gateway must count (see EXPECT), and
#       "next_seq", the first sequence number not yet authenticated by the
#       gateway (only authenticated packets move its replay window).
#   esp_hostile.py counters LOG OFFSET SPI [SNMP]
#       The counters of the first "esp: workers" line after byte OFFSET of
#       the daemon log and of the SA line for inbound SPI after it, as JSON;
#       with SNMP (the gateway namespace's /proc/net/snmp + netstat), the
#       kernel's IPv4 input counters as "ip-<name>".
#   esp_hostile.py check BEFORE.json AFTER.json EXPECT.json
#       Compares counter deltas with what was expected; exit 1 on mismatch.
#
# Only 192.0.2.0/24 and 10.x addresses, inside the test's namespaces.
import json
import os
import random
import re
import select
import socket
import struct
import sys
import time

INNER_SRC = "10.1.0.1"
INNER_DST = "10.255.0.1"
ICV = 16
IV = 8
MIN_ESP = 8 + IV + 2 + ICV      # SPI, seq, IV, pad length + next header, ICV

# Where a datagram on 4500 is counted: a reuseport BPF program steers the
# non-ESP marker and anything shorter than 4 octets to the IKE socket ("gw-"
# counters: runt, keepalive, natt-ike; "ike-rx"/"ike-malformed" from the IKE
# engine), the rest to the ESP workers (runt, unknown-spi, esp-in ...).
# Worker and gw counters are ">=" (strongSwan's keepalives and IKE add to
# some); per-SA counters "==" (only this script moves them, except pkts).
W_KEYS = ("runt", "unknown-spi", "esp-in", "not-ipv4", "spoofed-source", "gw-runt",
          "gw-keepalive", "gw-natt-ike", "ike-rx", "ike-malformed")
SA_KEYS = ("pkts", "replay", "auth", "malformed", "padding", "next-header")
EXACT = ("replay", "auth", "malformed", "padding", "next-header")
# Protocol 50: "raw-rx" delivered by the workers' raw sockets, "raw-hdr"
# refused by their IPv4 header check. The kernel checks the header first
# (ip_rcv): its counters say where a lying header died. InUnknownProtos
# must not move: every protocol 50 packet found a raw socket.
RAW_KEYS = ("raw-rx", "raw-hdr", "ip-InHdrErrors", "ip-InTruncatedPkts",
            "ip-InCsumErrors", "ip-ReasmReqds", "ip-ReasmOKs",
            "ip-InUnknownProtos")
EXACT_ZERO = ("ip-InUnknownProtos",)


def die(msg):
    print("esp_hostile: " + msg, file=sys.stderr)
    sys.exit(2)


# --- crafting -------------------------------------------------------------
def scapy_sa(spi, key, src, dst):
    from scapy.layers.ipsec import SecurityAssociation, ESP
    from scapy.layers.inet import IP, UDP
    # Tunnel mode, ESP in UDP 4500 (RFC 3948); crypt_key = 32-byte AES key
    # || 4-byte salt (RFC 4106 KEYMAT), as charon logs it.
    return SecurityAssociation(ESP, spi=spi, crypt_algo="AES-GCM",
                               crypt_key=key,
                               tunnel_header=IP(src=src, dst=dst),
                               nat_t_header=UDP(sport=4500, dport=4500))


def inner_icmp(ident, seq, size=56, src=INNER_SRC):
    from scapy.layers.inet import IP, ICMP
    from scapy.packet import Raw
    return IP(src=src, dst=INNER_DST, ttl=64) / \
        ICMP(type=8, id=ident, seq=seq) / Raw(b"H" * size)


def inner_syn(src, dst, dport, sport=40179):
    from scapy.layers.inet import IP, TCP
    return IP(src=src, dst=dst, ttl=64) / TCP(sport=sport, dport=dport,
                                              flags="S", seq=1)


def esp_valid(sa, seq, inner):
    """The ESP payload (from the SPI) of a well-formed packet, via scapy."""
    from scapy.layers.inet import UDP
    out = sa.encrypt(inner, seq_num=seq)
    return bytes(out[UDP].payload)


def esp_custom(sa, spi, seq, inner_bytes, padding, padlen=None, nh=4):
    """A correctly encrypted ESP payload with a trailer of our choosing."""
    from scapy.layers.ipsec import _ESPPlain
    plain = _ESPPlain(spi=spi, seq=seq, iv=os.urandom(IV), data=inner_bytes,
                      padding=padding,
                      padlen=len(padding) if padlen is None else padlen,
                      nh=nh)
    enc = sa.crypt_algo.encrypt(sa, plain, sa.crypt_key)
    return bytes(enc)


def send_udp(src, dst, payloads, sport=4500):
    from scapy.layers.inet import IP, UDP, fragment
    from scapy.packet import Raw
    from scapy.sendrecv import send
    pkts = []
    for p in payloads:
        ip = IP(src=src, dst=dst) / UDP(sport=sport, dport=4500) / Raw(p)
        if len(ip) > 1500:
            pkts.extend(fragment(ip, fragsize=1400))
        else:
            pkts.append(ip)
    for p in pkts:
        send(p, verbose=0)
        time.sleep(0.002)


RAW_IDS = [random.randrange(1, 1 << 16)]


def raw_ip(src, dst, esp, **hdr):
    """IPv4 + ESP; hdr overrides header fields (lies included). Each gets
    its own IP ID: fragments of different packets never meet in the
    gateway's reassembly queue (a lone one stays there 30 s)."""
    from scapy.layers.inet import IP
    from scapy.packet import Raw
    RAW_IDS[0] = RAW_IDS[0] % 65535 + 1
    hdr.setdefault("id", RAW_IDS[0])
    return IP(src=src, dst=dst, proto=50, **hdr) / Raw(esp)


def send_ip(pkts):
    """Sent as built (a packet socket: the branch's kernel fixes nothing)."""
    from scapy.sendrecv import send
    for p in pkts:
        send(p, verbose=0)
        time.sleep(0.002)


def send_raw(src, dst, payloads):
    from scapy.layers.inet import fragment
    pkts = []
    for p in payloads:
        ip = raw_ip(src, dst, p)
        if len(ip) > 1500:
            pkts.extend(fragment(ip, fragsize=1400))
        else:
            pkts.append(ip)
    send_ip(pkts)


def wait_echo_reply(sock, ident, timeout):
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([sock], [], [], max(0, end - time.time()))
        if not r:
            break
        data = sock.recv(65535)
        ihl = (data[0] & 15) * 4
        if len(data) >= ihl + 8 and data[ihl] == 0 and \
                struct.unpack("!H", data[ihl + 4:ihl + 6])[0] == ident:
            return True
    return False


def cmd_send(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("category")
    ap.add_argument("--spi", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--seq", type=int, required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--state", default=".")
    ap.add_argument("--other-spi", default="0")
    a = ap.parse_args(argv)
    spi = int(a.spi, 16)
    key = bytes.fromhex(a.key)
    if len(key) != 36:
        die("key must be 36 bytes (AES-256 key + salt), got %d" % len(key))
    sa = scapy_sa(spi, key, a.src, a.dst)
    seq = a.seq
    exp = {k: 0 for k in W_KEYS + tuple("sa-" + k for k in SA_KEYS)}
    if a.category.startswith("raw-"):
        exp.update({k: 0 for k in RAW_KEYS})
    info = {}
    saved = os.path.join(a.state, "valid.bin")
    rnd = random.Random(0x5eed ^ spi)
    cat = a.category

    def rand_spi():
        while True:
            s = rnd.randrange(1, 1 << 32)
            if s not in (spi, int(a.other_spi, 16)):
                return s

    if cat == "valid":
        # An ICMP echo from the branch's inner address: the gateway's tenant
        # kernel answers through the tunnel; charon decrypts the reply onto
        # ipsec0, where a raw ICMP socket of this namespace sees it.
        ident = 0x4200 | (seq & 0xff)
        pkt = esp_valid(sa, seq, inner_icmp(ident, 1))
        with open(saved, "wb") as f:
            f.write(pkt)
        rs = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        send_udp(a.src, a.dst, [pkt])
        info["echo_reply"] = wait_echo_reply(rs, ident, 3.0)
        seq += 1
        exp["sa-pkts"] = 1
    elif cat == "replay":
        # The very datagram accepted before, three times, and an old number
        # far behind the window (also a replay: checked before any crypto).
        with open(saved, "rb") as f:
            pkt = f.read()
        send_udp(a.src, a.dst, [pkt, pkt, pkt])
        old = esp_valid(sa, 1, inner_icmp(0x4299, 1))
        send_udp(a.src, a.dst, [old])
        exp["sa-replay"] = 4
        exp["esp-in"] = 4
    elif cat == "truncated":
        # Cut a fresh, valid packet (never sent whole): below 8 octets it is
        # not ESP (runt); below SPI+seq+IV+trailer+ICV it cannot be parsed
        # (malformed); longer, the ICV is in the wrong place (auth). Failed
        # packets do not move the window, so they may share a number.
        pkt = esp_valid(sa, seq, inner_icmp(0x4300, 1))
        cuts = [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 20, 25, MIN_ESP - 1,
                MIN_ESP, MIN_ESP + 10, len(pkt) - 16, len(pkt) - 8,
                len(pkt) - 1]
        payloads = [pkt[:n] for n in cuts]
        for n in cuts:
            if n < 4:
                exp["gw-runt"] += 1
            elif n < 8:
                exp["runt"] += 1
            elif n < MIN_ESP:
                exp["sa-malformed"] += 1
                exp["esp-in"] += 1
            else:
                exp["sa-auth"] += 1
                exp["esp-in"] += 1
        send_udp(a.src, a.dst, payloads)
        info["lengths"] = cuts
    elif cat == "badicv":
        pkt = bytearray(esp_valid(sa, seq, inner_icmp(0x4400, 1)))
        variants = []
        for off in (len(pkt) - 1, len(pkt) - ICV, len(pkt) - ICV - 1, 8, 16,
                    4):
            v = bytearray(pkt)
            v[off] ^= 0x01 if off != len(pkt) - 1 else 0xff
            variants.append(bytes(v))
        # IV, ciphertext and sequence number are all authenticated: every
        # flip is an authentication failure. Offset 4 changes the number
        # (still ahead, not a replay).
        send_udp(a.src, a.dst, variants)
        exp["sa-auth"] = len(variants)
        exp["esp-in"] = len(variants)
        info["flipped_offsets"] = [len(pkt) - 1, len(pkt) - ICV,
                                   len(pkt) - ICV - 1, 8, 16, 4]
    elif cat == "unknown-spi":
        # Well-formed ESP under other SPIs: random ones, reserved 1..255,
        # and the gateway's own outbound SPI (not an inbound SA there).
        spis = [rand_spi() for _ in range(20)] + [1, 255]
        if int(a.other_spi, 16):
            spis.append(int(a.other_spi, 16))
        payloads = []
        for s in spis:
            other = scapy_sa(s, key, a.src, a.dst)
            payloads.append(esp_valid(other, seq, inner_icmp(0x4500, 1)))
        send_udp(a.src, a.dst, payloads)
        exp["unknown-spi"] = len(spis)
    elif cat == "padding":
        # Correctly encrypted and authenticated, so each uses a number; the
        # trailer is what is wrong (RFC 4303 §2.4 default padding 1, 2, ...).
        inner = bytes(inner_icmp(0x4600, 1))        # 84 octets
        cases = [
            (b"\x01\x02\x03\x05", None, 4),         # wrong byte
            (b"\x00\x00\x00\x00", None, 4),         # zero padding
            (b"\x02\x03", None, 4),                 # off by one
            (b"\x01\x02", 250, 4),                  # length beyond payload
            (b"\x01\x02\x03\x04\x05\x06", 255, 4),  # maximum, beyond
        ]
        payloads = []
        for pad, plen, nh in cases:
            payloads.append(esp_custom(sa, spi, seq, inner, pad, plen, nh))
            seq += 1
        exp["sa-padding"] = len(cases)
        exp["esp-in"] = len(cases)
        # And a next header that is neither IPv4 nor IPv6.
        payloads.append(esp_custom(sa, spi, seq, inner, b"\x01\x02", None, 99))
        seq += 1
        exp["sa-next-header"] = 1
        exp["esp-in"] += 1
        send_udp(a.src, a.dst, payloads)
    elif cat == "oversized":
        # Datagrams far above the path MTU (fragmented on the wire, the
        # kernel reassembles them): a worker reads up to 64 KiB, which holds
        # any UDP datagram, so each reaches the SA. Random ones fail the ICV;
        # a well-formed over-long ESP (encrypted 3000-octet inner packet) is
        # accepted like any valid packet and takes its sequence number.
        payloads = []
        for n in (2100, 9000, 65000):
            payloads.append(struct.pack("!II", spi, seq) + os.urandom(n - 8))
        big = esp_valid(sa, seq, inner_icmp(0x4700, 1, size=3000))
        payloads.append(big)
        send_udp(a.src, a.dst, payloads)
        seq += 1
        exp["esp-in"] = 3
        exp["sa-auth"] = 3
        exp["sa-pkts"] = 1
        info["sizes"] = [2100, 9000, 65000, len(big)]
    elif cat == "spoofed":
        # Authentic ESP (right keys, fresh numbers) whose inner source is not
        # the link's: another branch's BGP address, a LAN the link never
        # announced, the gateway's own address. The SA accepts each (it
        # counts, the window moves); the source check then drops it, so no
        # echo reply comes back. The link's own address still works (valid).
        rs = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        srcs = ("10.1.0.2", "192.168.77.10", "10.255.0.1", "203.0.113.2")
        pkts = []
        for i, src in enumerate(srcs):
            pkts.append(esp_valid(sa, seq, inner_icmp(0x4a00 + i, 1, src=src)))
            seq += 1
        # Tunnel-bound sessions: this branch opens the BGP session of the
        # tenant's other link (its peer 10.1.0.2 to its gateway address
        # 10.255.0.2) through its own tunnel. The source check drops the
        # SYN before the tenant's TCP stack sees it.
        pkts.append(esp_valid(sa, seq, inner_syn("10.1.0.2", "10.255.0.2", 179)))
        seq += 1
        send_udp(a.src, a.dst, pkts)
        info["echo_reply_spoofed"] = wait_echo_reply(rs, 0x4a00, 1.0)
        if info["echo_reply_spoofed"]:
            die("a spoofed packet was answered")
        exp["spoofed-source"] = len(srcs) + 1
        exp["sa-pkts"] = len(srcs) + 1
    elif cat == "garbage":
        payloads = []
        # Random datagrams whose first word is never the SA's SPI nor zero.
        for _ in range(40):
            n = rnd.randrange(8, 1400)
            p = struct.pack("!I", rand_spi()) + bytes(
                rnd.getrandbits(8) for _ in range(n - 4))
            payloads.append(p)
        exp["unknown-spi"] += 40
        for n in (0, 1, 2, 3, 5, 6, 7):                 # short: not ESP
            p = bytes(rnd.getrandbits(8) | 1 for _ in range(n))
            if n == 1 and p == b"\xff":
                p = b"\x01"
            payloads.append(p)
            exp["gw-runt" if n < 4 else "runt"] += 1
        # The bare non-ESP marker (nothing to hand over), then the marker +
        # garbage: handed to IKE, which must shrug it off (too short for an
        # IKE header: malformed).
        payloads.append(b"\x00\x00\x00\x00")
        exp["gw-runt"] += 1
        for n in (1, 4, 27):
            payloads.append(b"\x00\x00\x00\x00" + os.urandom(n))
            exp["gw-natt-ike"] += 1
            exp["ike-rx"] += 1
            exp["ike-malformed"] += 1
        for n in (28, 100, 600):
            payloads.append(b"\x00\x00\x00\x00" + os.urandom(n))
            exp["gw-natt-ike"] += 1
            exp["ike-rx"] += 1
        # A well-formed IKE header with nonsense inside, unknown SPIs.
        hdr = os.urandom(8) + b"\x00" * 8 + bytes([33, 0x20, 34, 0x08]) + \
            struct.pack("!II", 0, 28 + 40) + os.urandom(40)
        payloads.append(b"\x00\x00\x00\x00" + hdr)
        exp["gw-natt-ike"] += 1
        exp["ike-rx"] += 1
        # 0xFF NAT-T keepalive and lookalikes.
        payloads.append(b"\xff")
        exp["gw-keepalive"] += 1
        for p in (b"\xff\xff", b"\xff" * 3):
            payloads.append(p)
            exp["gw-runt"] += 1
        for p in (b"\xff" * 4, b"\xff" * 7):
            payloads.append(p)
            exp["runt"] += 1
        for p in (b"\xff" * 8, b"\xff" * 100, b"\xff" + os.urandom(60)):
            payloads.append(p)
            exp["unknown-spi"] += 1
        send_udp(a.src, a.dst, payloads)
    elif cat == "raw-valid":
        # As "valid", over protocol 50; the answer comes back through the
        # tunnel as the SA says (UDP, strongSwan's encap = yes).
        ident = 0x4800 | (seq & 0xff)
        pkt = esp_valid(sa, seq, inner_icmp(ident, 1))
        with open(os.path.join(a.state, "raw-valid.bin"), "wb") as f:
            f.write(pkt)
        rs = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        send_raw(a.src, a.dst, [pkt])
        info["echo_reply"] = wait_echo_reply(rs, ident, 3.0)
        seq += 1
        exp["sa-pkts"] = 1
        exp["raw-rx"] = 1
    elif cat == "raw-replay":
        with open(os.path.join(a.state, "raw-valid.bin"), "rb") as f:
            pkt = f.read()
        send_raw(a.src, a.dst, [pkt, pkt, pkt])
        exp["sa-replay"] = 3
        exp["esp-in"] = 3
    elif cat == "raw-truncated":
        # No octet after the IPv4 header up to a cut ICV. Below 4 octets
        # the SPI filter gives the packet to worker 0 alone; below 8 it
        # is no ESP (runt).
        pkt = esp_valid(sa, seq, inner_icmp(0x4900, 1))
        cuts = [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 25, MIN_ESP - 1, MIN_ESP,
                len(pkt) - 16, len(pkt) - 1]
        for n in cuts:
            if n < 8:
                exp["runt"] += 1
            elif n < MIN_ESP:
                exp["sa-malformed"] += 1
                exp["esp-in"] += 1
            else:
                exp["sa-auth"] += 1
                exp["esp-in"] += 1
        send_raw(a.src, a.dst, [pkt[:n] for n in cuts])
        info["lengths"] = cuts
    elif cat == "raw-badicv":
        pkt = bytearray(esp_valid(sa, seq, inner_icmp(0x4a00, 1)))
        offs = [len(pkt) - 1, len(pkt) - ICV, 8, 16, 4]
        variants = []
        for off in offs:
            v = bytearray(pkt)
            v[off] ^= 0x01
            variants.append(bytes(v))
        send_raw(a.src, a.dst, variants)
        exp["sa-auth"] = len(variants)
        exp["esp-in"] = len(variants)
        info["flipped_offsets"] = offs
    elif cat == "raw-garbage":
        # Well-formed ESP under SPIs that are not inbound SAs (SPI 0 is no
        # IKE marker over IP), and random bytes behind random SPIs.
        spis = [rand_spi() for _ in range(12)] + [0, 1, 255]
        if int(a.other_spi, 16):
            spis.append(int(a.other_spi, 16))
        payloads = []
        for s in spis:
            other = scapy_sa(s, key, a.src, a.dst)
            payloads.append(esp_valid(other, seq, inner_icmp(0x4b00, 1)))
        for _ in range(20):
            n = rnd.randrange(8, 1400)
            payloads.append(struct.pack("!I", rand_spi()) + bytes(
                rnd.getrandbits(8) for _ in range(n - 4)))
        send_raw(a.src, a.dst, payloads)
        exp["unknown-spi"] = len(payloads)
    elif cat == "raw-iphdr":
        # IPv4 headers that lie (RFC 791 §3.1), for the real SA's ESP. The
        # gateway's kernel drops most before any socket; what it lets
        # through must be whole and is judged as ESP.
        from scapy.layers.inet import IPOption, fragment
        lie = esp_valid(sa, seq, inner_icmp(0x4c00, 1))
        pkts = [raw_ip(a.src, a.dst, lie, version=5),
                raw_ip(a.src, a.dst, lie, ihl=4),
                raw_ip(a.src, a.dst, lie[:8], ihl=15),
                raw_ip(a.src, a.dst, lie, len=10)]
        exp["ip-InHdrErrors"] = 4
        pkts.append(raw_ip(a.src, a.dst, lie, len=20 + len(lie) + 100))
        exp["ip-InTruncatedPkts"] = 1
        good = raw_ip(a.src, a.dst, lie)
        good = good.__class__(bytes(good))     # with its checksum
        pkts.append(raw_ip(a.src, a.dst, lie, id=good.id,
                           chksum=good.chksum ^ 0x0101))
        exp["ip-InCsumErrors"] = 1
        exp["ip-InHdrErrors"] += 1
        # Shorter than the datagram: the kernel trims to it, the ICV is
        # gone: an authentication failure (failures keep the number free).
        pkts.append(raw_ip(a.src, a.dst, lie, len=20 + len(lie) - 10))
        exp["sa-auth"] = 1
        exp["esp-in"] = 1
        # A first fragment whose rest never comes: held by reassembly.
        pkts.append(raw_ip(a.src, a.dst, lie, flags="MF"))
        # Well-formed after all: behind IP options (IHL 6), and in four
        # fragments the kernel puts together. Each takes a number.
        opt = esp_valid(sa, seq, inner_icmp(0x4c01, 1))
        seq += 1
        pkts.append(raw_ip(a.src, a.dst, opt,
                           options=[IPOption(b"\x01\x01\x01\x00")]))
        frag = esp_valid(sa, seq, inner_icmp(0x4c02, 1))
        seq += 1
        frags = fragment(raw_ip(a.src, a.dst, frag), fragsize=40)
        pkts.extend(frags)
        exp["ip-ReasmReqds"] = 1 + len(frags)
        exp["ip-ReasmOKs"] = 1
        exp["sa-pkts"] = 2
        exp["raw-rx"] = 2
        send_ip(pkts)
        info["fragments"] = len(frags)
    elif cat == "raw-oversized":
        # Reassembled datagrams up to 64 KiB reach the SA (see oversized).
        payloads = [struct.pack("!II", spi, seq) + os.urandom(n - 8)
                    for n in (2100, 9000, 65000)]
        payloads.append(esp_valid(sa, seq, inner_icmp(0x4d00, 1, size=3000)))
        send_raw(a.src, a.dst, payloads)
        seq += 1
        exp["esp-in"] = 3
        exp["sa-auth"] = 3
        exp["sa-pkts"] = 1
        exp["raw-rx"] = 1
    else:
        die("unknown category " + cat)
    print(json.dumps({"category": cat, "expect": exp, "next_seq": seq,
                      "info": info}))


# --- counters ---------------------------------------------------------------
RX_GW = re.compile(r"gw: udp rx ike (\d+) natt-ike (\d+) keepalive (\d+) esp "
                   r"(\d+) \(dropped (\d+)\) runt (\d+) truncated (\d+)")
RX_IKE = re.compile(r"gw: ike rx (\d+) malformed (\d+) ")
RX_W = re.compile(r"esp: workers rx (\d+) pkts (\d+) bytes, tx (\d+) pkts "
                  r"(\d+) bytes, ike (\d+) keepalive (\d+), raw esp rx "
                  r"(\d+) tx (\d+); drops:(.*)$")


def cmd_counters(argv):
    log, off, spi = argv[0], int(argv[1]), int(argv[2], 16)
    rx_sa = re.compile(r"esp: link \S+ sa in 0x%08x out 0x[0-9a-f]+: in (\d+)"
                       r" pkts (\d+) bytes \(replay (\d+) auth (\d+) "
                       r"malformed (\d+) padding (\d+) next-header (\d+) "
                       r"expired (\d+)\), out (\d+) pkts" % spi)
    with open(log, "rb") as f:
        f.seek(off)
        text = f.read().decode("utf-8", "replace")
    c = None
    g = {}
    for line in text.splitlines():
        m = RX_GW.search(line)
        if m and c is None:
            g.update({"gw-natt-ike": int(m.group(2)),
                      "gw-keepalive": int(m.group(3)),
                      "gw-runt": int(m.group(6))})
            continue
        m = RX_IKE.search(line)
        if m and c is None:
            g.update({"ike-rx": int(m.group(1)),
                      "ike-malformed": int(m.group(2))})
            continue
        m = RX_W.search(line)
        if m and c is None:
            c = {"rx": int(m.group(1)), "ike": int(m.group(5)),
                 "keepalive": int(m.group(6)), "raw-rx": int(m.group(7)),
                 "raw-tx": int(m.group(8))}
            d = m.group(9).split()
            for i in range(0, len(d) - 1, 2):
                c[d[i]] = int(d[i + 1])
            continue
        m = rx_sa.search(line)
        if m and c is not None:
            v = [int(x) for x in m.groups()]
            c.update({"sa-pkts": v[0], "sa-replay": v[2], "sa-auth": v[3],
                      "sa-malformed": v[4], "sa-padding": v[5],
                      "sa-next-header": v[6], "sa-out-pkts": v[8]})
            break
    if c is None or "sa-pkts" not in c or len(g) != 5:
        die("no counters for SA 0x%08x after offset %d" % (spi, off))
    c.update(g)
    if len(argv) > 3:
        c.update(snmp(argv[3]))
    print(json.dumps(c))


def snmp(path):
    """'Ip:' and 'IpExt:' of /proc/net/snmp + netstat: names, then values."""
    out, heads = {}, {}
    with open(path) as f:
        for line in f:
            tag, _, rest = line.partition(":")
            if tag not in ("Ip", "IpExt"):
                continue
            if tag not in heads:
                heads[tag] = rest.split()
            else:
                for k, v in zip(heads.pop(tag), rest.split()):
                    out["ip-" + k] = int(v)
    return out


def cmd_check(argv):
    b = json.load(open(argv[0]))
    a = json.load(open(argv[1]))
    e = json.load(open(argv[2]))["expect"]
    bad, got = [], []
    for k, want in e.items():
        if k not in a or k not in b:
            bad.append("%s: not in the counters" % k)
            continue
        d = a[k] - b[k]
        if want:
            got.append("%s +%d" % (k, d))
        exact = (k.startswith("sa-") and k[3:] in EXACT) or k in EXACT_ZERO
        if (exact and d != want) or d < want:
            bad.append("%s: +%d, expected %s%d" %
                       (k, d, "" if exact else ">=", want))
    print(", ".join(got))
    if bad:
        print("MISMATCH: " + "; ".join(bad))
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        die("usage: send|counters|check ...")
    {"send": cmd_send, "counters": cmd_counters,
     "check": cmd_check}.get(sys.argv[1], lambda _: die("bad command"))(
        sys.argv[2:])
