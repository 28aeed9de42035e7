#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Bulk transfer for the kernel tests.

  bulk.py server ADDR PORT [--mptcp] [--rcvlowat BYTES]
                                           accept one connection, read to EOF,
                                           print the byte count
  bulk.py client ADDR PORT BYTES [--mptcp] [--hold SECONDS]
                                           send BYTES, then keep the
                                           connection open SECONDS, close
"""
import socket
import sys
import time

IPPROTO_MPTCP = 262


def sock(addr, mptcp):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    proto = IPPROTO_MPTCP if mptcp else 0
    return socket.socket(family, socket.SOCK_STREAM, proto)


def server(addr, port, mptcp, rcvlowat):
    s = sock(addr, mptcp)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(8)
    print("listening", flush=True)
    c, _ = s.accept()
    if rcvlowat:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, rcvlowat)
    total = 0
    # reading in chunks of the low-water mark keeps application reads
    # (and the window updates they send) rare
    chunk = max(65536, rcvlowat)
    while True:
        b = c.recv(chunk)
        if not b:
            break
        total += len(b)
    c.close()
    print(total, flush=True)


def client(addr, port, nbytes, mptcp, hold):
    s = sock(addr, mptcp)
    for _ in range(100):
        try:
            s.connect((addr, port))
            break
        except ConnectionRefusedError:
            time.sleep(0.1)
            s.close()
            s = sock(addr, mptcp)
    buf = b"x" * 65536
    left = nbytes
    while left > 0:
        left -= s.send(buf[:min(left, len(buf))])
    time.sleep(hold)
    s.close()


def main(argv):
    mptcp = "--mptcp" in argv
    hold = 0.0
    rcvlowat = 0
    if "--rcvlowat" in argv:
        rcvlowat = int(argv[argv.index("--rcvlowat") + 1])
        argv.remove(argv[argv.index("--rcvlowat") + 1])
    if "--hold" in argv:
        hold = float(argv[argv.index("--hold") + 1])
    args = [a for a in argv if not a.startswith("--")]
    if "--hold" in argv:
        args.remove(argv[argv.index("--hold") + 1])
    if args[0] == "server":
        server(args[1], int(args[2]), mptcp, rcvlowat)
    else:
        client(args[1], int(args[2]), int(args[3]), mptcp, hold)


if __name__ == "__main__":
    main(sys.argv[1:])
