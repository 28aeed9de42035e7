#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hand-made TCP handshakes for the tests: a SYN (and its ACK) carrying
whatever option bytes we like, malformed ones included.

  craft.py --iface veth0 --src 192.0.2.50 --dst 192.0.2.2 --dport 5001 \
           --syn-opts 1c03 [--ack-opts HEX] [--data HEX]

The source address must be one that no local socket owns (and that the
peer reaches through a static neighbour entry), so that the local kernel
does not answer the SYN-ACK with a reset.  Prints one JSON line:
{"synack": true, "synack_options": "<hex>"}."""
import argparse
import json
import random
import sys

from scapy.all import IP, IPv6, TCP, Raw, conf, sr1, send  # noqa: E402


def segment(args, flags, seq, ack, opts_hex, payload=b""):
    opts = bytes.fromhex(opts_hex or "")
    if len(opts) % 4:
        opts += b"\x01" * (4 - len(opts) % 4)  # pad with NOPs, after the option
    ip = IPv6(src=args.src, dst=args.dst) if ":" in args.dst else IP(src=args.src, dst=args.dst)
    # The options travel as bytes behind a header whose data offset covers
    # them: scapy would otherwise "fix" the lengths we want to be wrong.
    tcp = TCP(sport=args.sport, dport=args.dport, flags=flags, seq=seq, ack=ack,
              window=64240, dataofs=5 + len(opts) // 4)
    return ip / tcp / Raw(opts + payload)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iface", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--dst", required=True)
    p.add_argument("--dport", type=int, required=True)
    p.add_argument("--sport", type=int, default=random.randint(20000, 60000))
    p.add_argument("--syn-opts", default="")
    p.add_argument("--ack-opts", default="")
    p.add_argument("--data", default="")
    args = p.parse_args()
    conf.verb = 0
    conf.iface = args.iface

    isn = random.randint(1, 2**31)
    synack = sr1(segment(args, "S", isn, 0, args.syn_opts), timeout=3)
    if synack is None or TCP not in synack:
        print(json.dumps({"synack": False}))
        return 1
    tcp = synack[TCP]
    hdr = bytes(tcp)[20:tcp.dataofs * 4]
    send(segment(args, "A", isn + 1, tcp.seq + 1, args.ack_opts,
                 bytes.fromhex(args.data)))
    print(json.dumps({"synack": True, "synack_options": hdr.hex()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
