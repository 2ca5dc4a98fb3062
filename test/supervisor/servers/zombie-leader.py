# Test server: a multi-threaded process whose main thread exits first (pthread_exit) while a
# worker thread keeps serving HTTP on 127.0.0.1:<--port> (it says "listening" once the main
# thread is gone). /proc/<pid>/stat then says "Z" (zombie) although the process is alive and
# holds the port, as a JVM or Go server may look while it is being torn down. It ignores SIGTERM: only SIGKILL ends it.
# GET / answers {"pid", "ppid", "port"}.
#   python3 zombie-leader.py --port N
import ctypes
import json
import os
import signal
import socket
import sys
import threading
import time

port = int(sys.argv[sys.argv.index('--port') + 1])
signal.signal(signal.SIGTERM, signal.SIG_IGN)

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(('127.0.0.1', port))
listener.listen(64)


def main_thread_exited():
    # /proc/self/stat describes the main thread.
    with open('/proc/self/stat') as stat:
        return stat.read().rsplit(')', 1)[1].split()[0] == 'Z'


def serve():
    while not main_thread_exited():
        time.sleep(0.005)
    print(f'zombie-leader {os.getpid()} listening on {port}', flush=True)
    body = json.dumps({'pid': os.getpid(), 'ppid': os.getppid(), 'port': port}).encode()
    head = b'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: %d\r\n\r\n' % len(body)
    while True:
        conn, _ = listener.accept()
        with conn:
            request = b''
            while b'\r\n\r\n' not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                request += chunk
            if request:
                conn.sendall(head + body)


threading.Thread(target=serve).start()
# The main thread leaves; the process lives on in the worker thread. (ctypes.CDLL releases
# the GIL for the call, so the worker keeps running Python.)
ctypes.CDLL(None).pthread_exit(None)
