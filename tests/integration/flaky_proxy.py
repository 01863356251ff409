#!/usr/bin/env python3
"""A proxy in front of a TAXII server that fails after a number of object pages.

usage: flaky_proxy.py TARGET_PORT PAGES PORT_FILE

Forwards every request to 127.0.0.1:TARGET_PORT; after PAGES requests for
objects it answers every further one with 503, as a server that went down
mid-pull would. Writes the port it listens on to PORT_FILE.
"""
import http.client
import http.server
import sys

TARGET, PAGES, PORT_FILE = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
served = 0


class Proxy(http.server.BaseHTTPRequestHandler):
    def forward(self):
        global served
        if "/objects/" in self.path and self.command == "GET":
            if served >= PAGES:
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            served += 1
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length) if length else None
        c = http.client.HTTPConnection("127.0.0.1", TARGET, timeout=30)
        c.request(self.command, self.path, body=body,
                  headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
        r = c.getresponse()
        data = r.read()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = forward

    def log_message(self, *a):
        pass


s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
open(PORT_FILE, "w").write(str(s.server_address[1]))
s.serve_forever()
