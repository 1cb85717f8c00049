#!/usr/bin/env python3
"""Adds an irot (image rotation) property to the primary item of a HEIF file, as a camera does for a portrait shot.

heif-enc (libheif 1.15) writes no transformation properties, so the rotated HEIC test image is made in two steps:
heif-enc, then this script. Handles what heif-enc writes: ftyp, meta (hdlr, pitm, iloc, iinf, iprp/ipco+ipma, ...),
mdat; 7-bit property indexes; iloc offsets into mdat (construction method 0).

Usage: heif-add-irot.py in.heic out.heic ANGLE   (ANGLE × 90° anticlockwise; 3 turns an EXIF-6 camera image upright)
"""
import struct
import sys


def children(b, start, end):
    at = start
    while at < end:
        size, typ = struct.unpack(">I4s", b[at:at + 8])
        yield typ.decode(), at, size
        at += size


def find(b, start, end, typ):
    return next((at, size) for t, at, size in children(b, start, end) if t == typ)


def main(src, dst, angle):
    b = bytearray(open(src, "rb").read())
    meta_at, meta_size = find(b, 0, len(b), "meta")
    inner = meta_at + 12  # meta is a full box
    pitm_at, _ = find(b, inner, meta_at + meta_size, "pitm")
    primary = struct.unpack(">H", b[pitm_at + 12:pitm_at + 14])[0]
    iprp_at, iprp_size = find(b, inner, meta_at + meta_size, "iprp")
    ipco_at, ipco_size = find(b, iprp_at + 8, iprp_at + iprp_size, "ipco")
    ipma_at, ipma_size = find(b, iprp_at + 8, iprp_at + iprp_size, "ipma")
    iloc_at, _ = find(b, inner, meta_at + meta_size, "iloc")
    index = len(list(children(b, ipco_at + 8, ipco_at + ipco_size))) + 1

    # ipma: version/flags, entry count, then per item: id, count, 1-byte associations (flags bit 0 clear).
    version, flags = b[ipma_at + 8], int.from_bytes(b[ipma_at + 9:ipma_at + 12], "big")
    assert flags & 1 == 0 and index < 128
    id_size = 2 if version < 1 else 4
    at = ipma_at + 16
    for _ in range(struct.unpack(">I", b[ipma_at + 12:ipma_at + 16])[0]):
        item = int.from_bytes(b[at:at + id_size], "big")
        count = b[at + id_size]
        if item == primary:
            b[at + id_size] = count + 1
            b[at + id_size + 1 + count:at + id_size + 1 + count] = bytes([0x80 | index])  # essential
            break
        at += id_size + 1 + count
    else:
        sys.exit("primary item has no ipma entry")

    irot = struct.pack(">I4sB", 9, b"irot", angle & 3)
    end_of_ipco = ipco_at + ipco_size
    b[end_of_ipco:end_of_ipco] = irot
    grown = len(irot) + 1
    for at_, delta in ((meta_at, grown), (iprp_at, grown), (ipco_at, len(irot))):
        struct.pack_into(">I", b, at_, struct.unpack(">I", b[at_:at_ + 4])[0] + delta)
    ipma_at += len(irot)
    struct.pack_into(">I", b, ipma_at, struct.unpack(">I", b[ipma_at:ipma_at + 4])[0] + 1)

    # iloc (before iprp, so not moved): every extent offset into mdat moves by what meta grew.
    version = b[iloc_at + 8]
    offset_size, length_size = b[iloc_at + 12] >> 4, b[iloc_at + 12] & 15
    base_size, index_size = b[iloc_at + 13] >> 4, (b[iloc_at + 13] & 15 if version in (1, 2) else 0)
    at = iloc_at + 14
    count_size = 2 if version < 2 else 4
    items = int.from_bytes(b[at:at + count_size], "big")
    at += count_size
    for _ in range(items):
        at += 2 if version < 2 else 4  # item id
        if version in (1, 2):
            assert b[at + 1] & 15 == 0, "only file offsets (construction method 0)"
            at += 2
        at += 2  # data reference index
        if base_size:
            base = int.from_bytes(b[at:at + base_size], "big")
            b[at:at + base_size] = (base + grown).to_bytes(base_size, "big")
        at += base_size
        extents = struct.unpack(">H", b[at:at + 2])[0]
        at += 2
        for _ in range(extents):
            at += index_size
            if not base_size:
                offset = int.from_bytes(b[at:at + offset_size], "big")
                b[at:at + offset_size] = (offset + grown).to_bytes(offset_size, "big")
            at += offset_size + length_size
    open(dst, "wb").write(b)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
