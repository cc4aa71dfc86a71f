#!/usr/bin/env python3
"""policy_client.py - hostile and awkward TLS clients for test_policy.sh.

usage: policy_client.py MODE SERVER_IP PORT [NAME]
  split NAME   a real ClientHello for NAME (Python's ssl module, memory
               BIOs) sent one octet per TCP segment
  garbage      random octets on the port
  oversized NAME  a ClientHello record padded past the gateway's
               reassembly cap (16 KiB)
Prints "reset" if the connection was reset, "answer N" with the number of
octets the server sent back, or "closed" / "timeout".
"""
import os
import socket
import ssl
import struct
import sys
import time


def client_hello(name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=name)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def oversized(name):
    """One TLS record (RFC 8446 §5.1) of 2^14 octets of ClientHello
    followed by a second record: the handshake message claims 24 KiB."""
    ch = client_hello(name)
    body = ch[5 + 4:]                    # past record and handshake headers
    body += b"\x00" * (24 * 1024 - len(body))
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    recs = b""
    for i in range(0, len(hs), 16384):
        part = hs[i:i + 16384]
        recs += b"\x16\x03\x01" + struct.pack("!H", len(part)) + part
    return recs


def talk(ip, port, chunks, delay):
    s = socket.create_connection((ip, port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        for c in chunks:
            s.send(c)
            if delay:
                time.sleep(delay)
        s.settimeout(5)
        got = s.recv(65536)
        return "answer %d" % len(got) if got else "closed"
    except ConnectionResetError:
        return "reset"
    except socket.timeout:
        return "timeout"
    except BrokenPipeError:
        return "reset"
    finally:
        s.close()


def main():
    mode, ip, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    name = sys.argv[4] if len(sys.argv) > 4 else ""
    if mode == "split":
        ch = client_hello(name)
        print(talk(ip, port, [ch[i:i + 1] for i in range(len(ch))], 0.002))
    elif mode == "garbage":
        print(talk(ip, port, [os.urandom(700)], 0))
    elif mode == "oversized":
        data = oversized(name)
        print(talk(ip, port, [data[i:i + 1200] for i in range(0, len(data), 1200)], 0.001))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
