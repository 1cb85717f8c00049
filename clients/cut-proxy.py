#!/usr/bin/env python3
"""A loopback HTTP/1.1 proxy that cuts the connection once, for the clients' resumable-upload tests.

Usage: cut-proxy.py UPSTREAM_URL CUT_AFTER LOG

Listens on a free 127.0.0.1 port and prints it as the first line of stdout. Every connection is forwarded to
UPSTREAM_URL's host and port. The client-to-server bytes are read as HTTP/1.1 requests (Content-Length framing only):
once CUT_AFTER bytes of PATCH bodies in all have gone through, the connection carrying the next byte is cut in the
middle of its body: reset toward the client (its send or read fails), ended toward the gateway after the bytes forwarded
(a reset would make the gateway's kernel drop bytes it had not read yet, which a phone that loses its signal does not:
those bytes did arrive). That happens once; later requests go through whole. PIXERVE_CUT_PROXY_HOLD=SECONDS keeps the
gateway's side open that long after the cut before ending it, as a phone's dead connection lingers while its new one
already goes on (default 0). LOG gets a JSON line per
request when it has gone through (or been cut): {"method", "path", "offset" (its Upload-Offset header or null),
"length" (its Content-Length), "sent" (body bytes forwarded), "cut"}. The proxy exits when its stdin closes, so it
never outlives the test that started it.
"""
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse

upstream_url, cut_after, log_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
hold = float(os.environ.get("PIXERVE_CUT_PROXY_HOLD") or 0)
upstream = urllib.parse.urlsplit(upstream_url)
upstream_address = (upstream.hostname, upstream.port or 80)
lock = threading.Lock()
patched = 0  # PATCH body bytes forwarded so far, over every connection
cut_done = False
log = open(log_path, "a", buffering=1)


def record(**entry):
    with lock:
        log.write(json.dumps(entry) + "\n")
        log.flush()


def reset(s):
    try:
        # Linger 0: close sends an RST, so the client sees the connection drop rather than a clean end.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    except OSError:
        pass


def to_client(server, client):
    try:
        while True:
            data = server.recv(65536)
            if not data:
                break
            client.sendall(data)
    except OSError:
        pass
    finally:
        try:
            client.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        server.close()


def to_server(client, server):
    global patched, cut_done
    buffer = b""
    try:
        while True:
            while b"\r\n\r\n" not in buffer:
                data = client.recv(65536)
                if not data:
                    return
                buffer += data
            end = buffer.index(b"\r\n\r\n") + 4
            head, buffer = buffer[:end], buffer[end:]
            lines = head.decode("latin-1").split("\r\n")
            method, path = lines[0].split(" ")[:2]
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            if "transfer-encoding" in headers:
                record(method=method, path=path, error="Transfer-Encoding: " + headers["transfer-encoding"])
                return
            length = int(headers.get("content-length", "0"))
            offset = int(headers["upload-offset"]) if "upload-offset" in headers else None
            server.sendall(head)
            sent = 0
            while sent < length:
                if not buffer:
                    buffer = client.recv(65536)
                    if not buffer:
                        record(method=method, path=path, offset=offset, length=length, sent=sent, cut=False)
                        return
                piece, buffer = buffer[:length - sent], buffer[length - sent:]
                if method == "PATCH":
                    with lock:
                        cut_here = not cut_done and patched + len(piece) > cut_after
                        if cut_here:
                            piece = piece[:cut_after - patched]
                            cut_done = True
                        patched += len(piece)
                    if cut_here:
                        server.sendall(piece)
                        sent += len(piece)
                        record(method=method, path=path, offset=offset, length=length, sent=sent, cut=True)
                        reset(client)
                        time.sleep(hold)
                        return  # the finally below ends the gateway's side
                server.sendall(piece)
                sent += len(piece)
            record(method=method, path=path, offset=offset, length=length, sent=sent, cut=False)
    except OSError:
        pass
    finally:
        try:
            server.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def serve(listener):
    while True:
        client, _ = listener.accept()
        try:
            server = socket.create_connection(upstream_address)
        except OSError:
            client.close()
            continue
        for s in (client, server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=to_server, args=(client, server), daemon=True).start()
        threading.Thread(target=to_client, args=(server, client), daemon=True).start()


listener = socket.create_server(("127.0.0.1", 0))
threading.Thread(target=serve, args=(listener,), daemon=True).start()
print(listener.getsockname()[1], flush=True)
sys.stdin.read()
