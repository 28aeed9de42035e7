#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# Writes the seed corpus of the fuzz targets (test/fuzz/corpus/TARGET/):
# option lines as the suites use them, batch files, values for each
# parser, and MPTCP events laid out as the kernel sends them.  Run it
# again after changing it; the files are committed.
import os
import socket
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

WORDS = [
    "uto 120s", "uto 10h max 12h", "uto 30s min 10s max 5min sport 80 src 192.0.2.0/24 every",
    "uto 90s min 10s max 2h dport 443 sport 8080 dst 2001:db8::/32 src 192.0.2.0/24 every ignore",
    "uto 30s dport any dst any syn accept", "uto 1.5min", "uto 32767min",
    "exp 0x4e2a 0xdeadbeef kind 253 sport 80 every", "exp 20010 cafe", "exp 1 0x",
    "exp 0x4e2a 0x" + "".join("%02x" % i for i in range(1, 37)),
    "cc bbr,reno allow cubic,bbr every exid 0x0101", "cc bbr exid 0x1234 kind 253",
    "cc allow default", "cc none allow reno", "cc cubic,bbr,reno",
    "iw 40 max 100 kind 253 dport 443", "iw none max 20", "iw 1024 max 1024",
    "delack timeout 1.5 min 10ms max 100ms exid 0x4444", "delack timeout 25%",
    "delack timeout .5 segs none", "delack timeout none",
    "uto 30s ignore|accept", "uto 2h|30s", "uto 30s every dport 80|syn dport any",
    "exp 0x4e2a 0xdeadbeef kind 253|0x00 kind 254", "cc bbr allow reno|none",
    "cc bbr allow reno|allow default", "iw 40 max 100|max 64", "delack timeout 0.5 min 10ms|timeout none",
]

BATCH = [
    "# a comment, then a blank line\n\nfeature help\noption help   # trailing comment\n",
    "option add uto \"not a time\"\nfeature help\n",
    "option add uto 2min cgroup \"/a b\\\"q\"\r\noption add exp 0x4e2a 'dead beef'\n",
    "pm set limits subflows 3 add_addr_accepted 2\npm set kernel\n",
    "option add uto 2min\nx fails here\noption add iw 40\n",
]

PARSERS = {
    0: ["250ms", "30s", "5min", "2h", "1d", "1.5s", "0.001s", "30", "1.", "99999999999999999999",
        "99999999999.99"],
    1: ["8", "200ms", "0.5s"],
    2: ["192.0.2.0/24", "2001:db8::/32", "::ffff:192.0.2.1", "192.0.2.1/24", "0.0.0.0/0", "::/0"],
    3: ["1", "65535", "65536", "0"],
    4: ["18446744073709551615", "18446744073709551616", "1024"],
    5: ["0xdeadbeef", "cafe", "0x", "0x4e2a", "20010", "0xabc"],
    6: ["0x7b", "4294967295", "0xffffffff"],
    7: ["192.0.2.1", "2001:db8:1::2", "fe80::1"],
}

# MPTCP_ATTR_*
TOKEN, FAMILY, LOC_ID, REM_ID, SADDR4, SADDR6, DADDR4, DADDR6 = 1, 2, 3, 4, 5, 6, 7, 8
SPORT, DPORT, BACKUP, ERROR, FLAGS, TIMEOUT, IF_IDX = 9, 10, 11, 12, 13, 14, 15
RESET_REASON, RESET_FLAGS, SERVER_SIDE = 16, 17, 18


def attr(kind, payload):
    a = struct.pack("=HH", 4 + len(payload), kind) + payload
    return a + b"\0" * (-len(a) % 4)


def u8(kind, v):
    return attr(kind, struct.pack("=B", v))


def u16(kind, v):
    return attr(kind, struct.pack("=H", v))


def be16(kind, v):
    return attr(kind, struct.pack("!H", v))


def u32(kind, v):
    return attr(kind, struct.pack("=I", v))


def v4(kind, a):
    return attr(kind, socket.inet_pton(socket.AF_INET, a))


def v6(kind, a):
    return attr(kind, socket.inet_pton(socket.AF_INET6, a))


def conn4(sport=40000, dport=5001):
    return (u16(FAMILY, socket.AF_INET) + v4(SADDR4, "192.0.2.1") + v4(DADDR4, "192.0.2.2")
            + be16(SPORT, sport) + be16(DPORT, dport))


EVENTS = {
    "created": (1, u32(TOKEN, 0x1234abcd) + conn4() + u8(SERVER_SIDE, 0) + u16(FLAGS, 0)),
    "established-server": (2, u32(TOKEN, 7) + conn4(5001, 40000) + u16(FLAGS, 1)),
    "closed": (3, u32(TOKEN, 7)),
    "announced": (6, u32(TOKEN, 7) + u8(REM_ID, 3) + u16(FAMILY, socket.AF_INET6)
                  + v6(DADDR6, "2001:db8:2::2") + be16(DPORT, 5001)),
    "removed": (7, u32(TOKEN, 7) + u8(REM_ID, 3)),
    "sub-established": (10, u32(TOKEN, 7) + u8(LOC_ID, 1) + u8(REM_ID, 0) + conn4()
                        + u8(BACKUP, 1) + u32(IF_IDX, 1)),
    "sub-closed": (11, u32(TOKEN, 7) + u8(LOC_ID, 1) + u8(REM_ID, 0) + conn4()
                   + u8(ERROR, 104) + u32(RESET_REASON, 1) + u32(RESET_FLAGS, 0)),
    "sub-priority": (13, u32(TOKEN, 7) + u8(LOC_ID, 2) + u8(REM_ID, 0) + conn4() + u8(BACKUP, 1)),
    "listener-created": (15, u16(FAMILY, socket.AF_INET6) + be16(SPORT, 5001) + v6(SADDR6, "::")),
    "listener-closed": (16, u16(FAMILY, socket.AF_INET) + be16(SPORT, 5001) + v4(SADDR4, "0.0.0.0")),
    "timeout": (3, u32(TOKEN, 7) + u32(TIMEOUT, 30)),
    "unknown": (200, u32(TOKEN, 1) + attr(60, b"x" * 9)),
    # an endpoint nest, as "pm show" gets it (MPTCP_PM_ATTR_ADDR, nested)
    "endpoint": (3, attr(1 | 0x8000, u16(1, socket.AF_INET) + u8(2, 5) + v4(3, "198.51.100.1")
                         + u16(5, 5001) + u32(6, 1) + u32(7, 2))),
}


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


for i, line in enumerate(WORDS):
    write("words", "line%02d" % i, line.encode())
for i, text in enumerate(BATCH):
    write("batch", "file%02d" % i, text.encode())
for sel, values in PARSERS.items():
    for i, v in enumerate(values):
        write("parsers", "p%d-%02d" % (sel, i), bytes([sel]) + v.encode())
for name, (cmd, attrs) in EVENTS.items():
    write("event", name, bytes([cmd]) + attrs)
