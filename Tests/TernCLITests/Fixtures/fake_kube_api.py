#!/usr/bin/env python3
"""A stand-in for a Kubernetes API server that answers GET /version only.

It lets the tests run stdlib/k8s.tern's version preflight with the real
kubectl, without a cluster: kubectl asks /version and this says which
Kubernetes it is.

Usage: fake_kube_api.py MAJOR MINOR
Prints the port it listens on (127.0.0.1 only) on its first line, then
serves until its standard input is closed, or for 120 seconds at most.
"""
import http.server
import json
import os
import sys
import threading

MAJOR, MINOR = sys.argv[1], sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.split("?")[0] == "/version":
            patch = MINOR.rstrip("+")
            body = {
                "major": MAJOR,
                "minor": MINOR,
                "gitVersion": "v%s.%s.3" % (MAJOR, patch),
                "gitCommit": "0" * 40,
                "gitTreeState": "clean",
                "buildDate": "2024-01-01T00:00:00Z",
                "goVersion": "go1.22.0",
                "compiler": "gc",
                "platform": "linux/amd64",
            }
            status = 200
        else:
            body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404}
            status = 404
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
threading.Timer(120, lambda: os._exit(0)).start()
sys.stdin.read()
os._exit(0)
