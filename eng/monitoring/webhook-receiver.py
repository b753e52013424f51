#!/usr/bin/env python3
"""Local Alertmanager webhook receiver: the stand-in for the incident service.

Appends every POSTed notification as one JSON line {"received_at": unix seconds, "path", "body"}
to --out, prints a one-line summary per alert to stdout, and serves GET (any path) as a JSON
array of everything received so far. Binds 127.0.0.1 only.
Usage: webhook-receiver.py --port 5099 --out FILE
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5099)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server naming)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            received_at = time.time()
            try:
                body = json.loads(raw)
            except ValueError:
                self.send_error(400, "body is not JSON")
                return
            record = {"received_at": received_at, "path": self.path, "body": body}
            if self.headers.get("Idempotency-Key"):  # the incident service's key: the same on every attempt of one delivery
                record["idempotency_key"] = self.headers["Idempotency-Key"]
            with LOCK, open(args.out, "a", encoding="utf-8") as out:
                out.write(json.dumps(record) + "\n")
            if isinstance(body, dict) and "incident_id" in body:  # the incident service's escalation webhook
                print(f"webhook: incident #{body['incident_id']} {body.get('status')} step {body.get('step')}: {body.get('title')}", flush=True)
            for alert in (body.get("alerts", []) if isinstance(body, dict) else []):
                labels = alert.get("labels", {})
                print(
                    f"webhook: {body.get('receiver')} {alert.get('status')} {labels.get('alertname')}"
                    f" pool={labels.get('pool', '-')} severity={labels.get('severity', '-')}:"
                    f" {alert.get('annotations', {}).get('summary', '')}",
                    flush=True,
                )
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # noqa: N802
            try:
                with LOCK, open(args.out, encoding="utf-8") as src:
                    records = [json.loads(line) for line in src if line.strip()]
            except FileNotFoundError:
                records = []
            payload = json.dumps(records).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_args) -> None:
            # one summary line per alert is printed above; the access log would only repeat it
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"webhook-receiver: listening on http://127.0.0.1:{args.port}/alerts, writing {args.out}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
