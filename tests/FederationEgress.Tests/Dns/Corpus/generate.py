#!/usr/bin/env python3
"""Regenerates the DNS parser fuzz corpus in this folder.

Files named valid-*.bin must parse; malformed-*.bin must be rejected with DnsFormatException
(see DnsCorpusTests). Run from anywhere: python3 tests/FederationEgress.Tests/Dns/Corpus/generate.py
The output is deterministic, so re-running it leaves git clean.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
Q = 12  # offset of the question name


def header(id=0x1234, flags=0x8180, qd=1, an=0, ns=0, ar=0):
    return struct.pack(">HHHHHH", id, flags, qd, an, ns, ar)


def name(dotted):
    out = b""
    for label in [l for l in dotted.split(".") if l]:
        raw = label.encode("ascii")
        out += bytes([len(raw)]) + raw
    return out + b"\x00"


def ptr(offset):
    return bytes([0xC0 | (offset >> 8), offset & 0xFF])


def question(n, qtype=1, qclass=1):
    return name(n) + struct.pack(">HH", qtype, qclass)


def rr(owner, rtype, rdata, ttl=300, rclass=1):
    return owner + struct.pack(">HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def rr_len(owner, rtype, rdlength, rdata, ttl=300):
    return owner + struct.pack(">HHIH", rtype, 1, ttl, rdlength) + rdata


def opt(size=1232, ext_rcode=0):
    return b"\x00" + struct.pack(">HHIH", 41, size, ext_rcode << 24, 0)


def srv(priority, weight, port, target):
    return struct.pack(">HHH", priority, weight, port) + target


def soa(mname, rname, minimum):
    return mname + rname + struct.pack(">IIIII", 2024010101, 3600, 600, 86400, minimum)


def a(*octets):
    return bytes(octets)


V6 = bytes.fromhex("20010db8000000000000000000000001")
CORPUS = {}

# ---- valid ----------------------------------------------------------------------------------
CORPUS["valid-query-a"] = header(flags=0x0100) + question("example.org")
CORPUS["valid-query-edns"] = header(flags=0x0100, ar=1) + question("example.org", 28) + opt()
CORPUS["valid-a-one"] = header(an=1) + question("example.org") + rr(ptr(Q), 1, a(127, 0, 0, 1))
CORPUS["valid-aaaa-one"] = header(an=1) + question("example.org", 28) + rr(ptr(Q), 28, V6)
CORPUS["valid-a-sixty"] = header(an=60) + question("big.example.org") + b"".join(
    rr(ptr(Q), 1, a(127, 0, 1, i)) for i in range(1, 61))
CORPUS["valid-srv-two"] = (header(an=2) + question("_matrix-fed._tcp.example.org", 33)
                           + rr(ptr(Q), 33, srv(10, 5, 8448, name("matrix.example.org")))
                           + rr(ptr(Q), 33, srv(20, 0, 443, name("backup.example.org"))))
CORPUS["valid-srv-dot-target"] = header(an=1) + question("_matrix._tcp.example.org", 33) + rr(ptr(Q), 33, srv(0, 0, 0, b"\x00"))
CORPUS["valid-srv-compressed-target"] = (header(an=1) + question("_matrix-fed._tcp.example.org", 33)
                                         + rr(ptr(Q), 33, srv(10, 0, 8448, ptr(Q + 17))))
_cname_q = header(an=2) + question("www.example.org")
_target_at = len(_cname_q) + 2 + 10
CORPUS["valid-cname-chain"] = (_cname_q + rr(ptr(Q), 5, b"\x04real" + ptr(Q + 4), ttl=60)
                               + rr(ptr(_target_at), 1, a(127, 0, 0, 9)))
CORPUS["valid-nxdomain-soa"] = (header(flags=0x8183, ns=1) + question("missing.example.org")
                                + rr(ptr(Q + 8), 6, soa(b"\x02ns" + ptr(Q + 8), b"\x02hm" + ptr(Q + 8), 120), ttl=900))
CORPUS["valid-nodata-soa"] = (header(ns=1) + question("example.org", 28)
                              + rr(ptr(Q), 6, soa(name("ns.example.org"), name("hm.example.org"), 60)))
CORPUS["valid-servfail"] = header(flags=0x8182) + question("example.org")
CORPUS["valid-refused"] = header(flags=0x8185) + question("example.org")
CORPUS["valid-truncated-empty"] = header(flags=0x8380) + question("big.example.org")
CORPUS["valid-unknown-types"] = (header(an=3) + question("example.org")
                                 + rr(ptr(Q), 16, b"\x05hello") + rr(ptr(Q), 99, b"\x00" * 7)
                                 + rr(ptr(Q), 1, a(127, 0, 0, 2)))
CORPUS["valid-chaos-class"] = header(an=1) + question("example.org") + rr(ptr(Q), 1, a(10, 0, 0, 1), rclass=3)
CORPUS["valid-ttl-top-bit"] = header(an=1) + question("example.org") + rr(ptr(Q), 1, a(127, 0, 0, 1), ttl=0xFFFFFFFF)
CORPUS["valid-edns-badvers"] = header(ar=1) + question("example.org") + opt(4096, ext_rcode=1)
CORPUS["valid-glue-additional"] = (header(an=1, ar=2) + question("_matrix-fed._tcp.example.org", 33)
                                   + rr(ptr(Q), 33, srv(10, 0, 8448, name("m.example.org")))
                                   + rr(name("m.example.org"), 1, a(127, 0, 0, 3)) + opt())
CORPUS["valid-root-question"] = header() + b"\x00" + struct.pack(">HH", 2, 1)
CORPUS["valid-name-255"] = header() + b"".join(bytes([63]) + b"a" * 63 for _ in range(3)) + bytes([61]) + b"d" * 61 + b"\x00" + struct.pack(">HH", 1, 1)
CORPUS["valid-binary-label"] = header() + b"\x04a.\\\x07\x03org\x00" + struct.pack(">HH", 1, 1)

# ---- malformed ------------------------------------------------------------------------------
CORPUS["malformed-empty"] = b""
CORPUS["malformed-short-header"] = header()[:11]
CORPUS["malformed-no-question"] = header()
CORPUS["malformed-question-cut"] = (header() + question("example.org"))[:-3]
CORPUS["malformed-label-past-end"] = header() + b"\x3fexample"
CORPUS["malformed-pointer-self"] = header() + ptr(Q) + struct.pack(">HH", 1, 1)
CORPUS["malformed-pointer-forward"] = header() + ptr(Q + 6) + struct.pack(">HH", 1, 1) + name("a")
CORPUS["malformed-pointer-loop"] = header() + b"\x01a" + ptr(Q + 8) + struct.pack(">HH", 1, 1) + b"\x01b" + ptr(Q)
CORPUS["malformed-pointer-header"] = header() + ptr(4) + struct.pack(">HH", 1, 1)
CORPUS["malformed-pointer-cut"] = header() + b"\xc0"
CORPUS["malformed-label-type-40"] = header() + b"\x41a\x00" + struct.pack(">HH", 1, 1)
CORPUS["malformed-label-type-80"] = header() + b"\x81a\x00" + struct.pack(">HH", 1, 1)
CORPUS["malformed-name-too-long"] = header() + b"".join(bytes([63]) + b"a" * 63 for _ in range(5)) + b"\x00" + struct.pack(">HH", 1, 1)
CORPUS["malformed-giant-counts"] = header(qd=0xFFFF, an=0xFFFF, ns=0xFFFF, ar=0xFFFF) + question("example.org")
CORPUS["malformed-answer-count-high"] = header(an=5) + question("example.org") + rr(ptr(Q), 1, a(127, 0, 0, 1))
CORPUS["malformed-answer-count-low"] = header(an=0) + question("example.org") + rr(ptr(Q), 1, a(127, 0, 0, 1))
CORPUS["malformed-trailing-byte"] = header() + question("example.org") + b"\x00"
CORPUS["malformed-rdlength-past-end"] = header(an=1) + question("example.org") + rr_len(ptr(Q), 1, 400, a(127, 0, 0, 1))
CORPUS["malformed-a-5-bytes"] = header(an=1) + question("example.org") + rr(ptr(Q), 1, a(127, 0, 0, 1, 1))
CORPUS["malformed-aaaa-15-bytes"] = header(an=1) + question("example.org", 28) + rr(ptr(Q), 28, V6[:15])
CORPUS["malformed-cname-past-rdata"] = header(an=1) + question("example.org", 5) + rr_len(ptr(Q), 5, 3, name("abc.de"))
CORPUS["malformed-srv-short"] = header(an=1) + question("_s._tcp.example.org", 33) + rr(ptr(Q), 33, struct.pack(">HH", 1, 2))
CORPUS["malformed-srv-extra"] = header(an=1) + question("_s._tcp.example.org", 33) + rr(ptr(Q), 33, srv(1, 2, 3, b"\x00") + b"\xaa")
CORPUS["malformed-soa-short"] = header(ns=1) + question("example.org") + rr(ptr(Q), 6, b"\x00\x00" + b"\x00" * 8)
CORPUS["malformed-opt-in-answer"] = header(an=1) + question("example.org") + opt()
CORPUS["malformed-two-opts"] = header(ar=2) + question("example.org") + opt() + opt()
CORPUS["malformed-truncated-mid-record"] = CORPUS["valid-a-sixty"][:700]
CORPUS["malformed-srv-cut"] = CORPUS["valid-srv-two"][:-5]


def main():
    for old in os.listdir(HERE):
        if old.endswith(".bin"):
            os.remove(os.path.join(HERE, old))
    for file_name, data in sorted(CORPUS.items()):
        with open(os.path.join(HERE, file_name + ".bin"), "wb") as f:
            f.write(data)
    print(f"wrote {len(CORPUS)} packets to {HERE}")


if __name__ == "__main__":
    main()
