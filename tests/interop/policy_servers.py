#!/usr/bin/env python3
"""policy_servers.py - the internet side of test_policy.sh: one HTTPS server
that answers for any SNI name (one self-signed certificate with several
names), an HTTP server, and an HTTP server on a second port for the cloud
firewall cases. Each answers "hello <name>" so the test sees which name
reached it.

usage: policy_servers.py ADDR CERT KEY HTTPS_PORT HTTP_PORT FW_PORT
"""
import http.server
import socketserver
import ssl
import sys
import threading


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host = (self.headers.get("Host") or "").split(":")[0]
        body = ("hello %s\n" % host).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass    # the hostile clients break handshakes on purpose


def main():
    addr, cert, key = sys.argv[1:4]
    https_port, http_port, fw_port = (int(x) for x in sys.argv[4:7])
    servers = []
    s = Server((addr, https_port), Hello)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    s.socket = ctx.wrap_socket(s.socket, server_side=True,
                               do_handshake_on_connect=False)
    servers.append(s)
    servers.append(Server((addr, http_port), Hello))
    servers.append(Server((addr, fw_port), Hello))
    for srv in servers[1:]:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    print("ready", flush=True)
    servers[0].serve_forever()


if __name__ == "__main__":
    main()
