#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fills in the BTF ids of a module's .BTF_ids section, as the kernel's
tools/bpf/resolve_btfids does, for the build trees that lack it (Debian's
linux-headers packages): every __BTF_ID__{func,struct,union,typedef}__NAME__N
gets the id of the BTF type of that kind and name, every __BTF_ID__set__ and
__BTF_ID__set8__ list gets its count and is sorted by id.

Usage: resolve_btfids.py -b BASE_BTF MODULE.ko

BASE_BTF is the kernel's BTF the module's split BTF was made against:
/sys/kernel/btf/vmlinux of the running kernel, or a vmlinux (ELF) with a
.BTF section. MODULE.ko must already have its .BTF (pahole -J --btf_base).
Python's standard library only.
"""
import argparse
import struct
import sys

BTF_MAGIC = 0xEB9F
KIND_STRUCT, KIND_UNION, KIND_TYPEDEF, KIND_FUNC = 4, 5, 8, 12
KIND_OF_PREFIX = {
    "func": KIND_FUNC,
    "struct": KIND_STRUCT,
    "union": KIND_UNION,
    "typedef": KIND_TYPEDEF,
}
# Bytes after the 12-byte common part of a BTF type, by kind: a constant, or
# a multiple of vlen.
EXTRA_FIXED = {1: 4, 3: 12, 14: 4, 17: 4}
EXTRA_PER_VLEN = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}


class Elf:
    """The sections and symbols of a little-endian ELF64 file."""

    def __init__(self, data):
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise ValueError("not a little-endian ELF64 file")
        self.data = data
        (shoff,) = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
        self.sections = []
        for i in range(shnum):
            f = struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
            self.sections.append(
                {"name_off": f[0], "type": f[1], "offset": f[4], "size": f[5],
                 "link": f[6], "entsize": f[9]})
        strtab = self.sections[shstrndx]
        for s in self.sections:
            s["name"] = self.cstr(strtab["offset"] + s["name_off"])

    def cstr(self, off):
        return self.data[off:self.data.index(b"\0", off)].decode()

    def section(self, name):
        for i, s in enumerate(self.sections):
            if s["name"] == name:
                return i, s
        return None, None

    def symbols(self):
        _, symtab = self.section(".symtab")
        if symtab is None:
            raise ValueError("no .symtab")
        strtab = self.sections[symtab["link"]]
        for off in range(symtab["offset"], symtab["offset"] + symtab["size"], 24):
            name, _, _, shndx, value, size = struct.unpack_from("<IBBHQQ", self.data, off)
            yield self.cstr(strtab["offset"] + name), shndx, value, size


def btf_types(raw):
    """(kind, name_off) of each type of a raw BTF blob, and its string
    section's length."""
    magic, _, _, hdr_len, type_off, type_len, _, str_len = struct.unpack_from(
        "<HBBIIIII", raw, 0)
    if magic != BTF_MAGIC:
        raise ValueError("no BTF magic")
    types = []
    off, end = hdr_len + type_off, hdr_len + type_off + type_len
    while off < end:
        name_off, info, _ = struct.unpack_from("<III", raw, off)
        kind, vlen = (info >> 24) & 0x1F, info & 0xFFFF
        off += 12 + EXTRA_FIXED.get(kind, 0) + EXTRA_PER_VLEN.get(kind, 0) * vlen
        types.append((kind, name_off))
    if off != end:
        raise ValueError("malformed BTF: types run past their section")
    return types, raw, hdr_len, struct.unpack_from("<I", raw, 16)[0], str_len


def load_base(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] == b"\x7fELF":
        elf = Elf(data)
        _, sec = elf.section(".BTF")
        if sec is None:
            raise ValueError(f"{path} has no .BTF section")
        data = data[sec["offset"]:sec["offset"] + sec["size"]]
    return btf_types(data)


def resolve(base_path, ko_path):
    base_types, braw, bhdr, bstr_off, base_str_len = load_base(base_path)
    with open(ko_path, "rb") as f:
        ko = bytearray(f.read())
    elf = Elf(bytes(ko))
    _, btf_sec = elf.section(".BTF")
    if btf_sec is None:
        raise ValueError(f"{ko_path} has no .BTF section: run pahole -J --btf_base first")
    ids_idx, ids_sec = elf.section(".BTF_ids")
    if ids_sec is None:
        return 0
    raw = bytes(ko[btf_sec["offset"]:btf_sec["offset"] + btf_sec["size"]])
    mod_types, _, hdr_len, str_off, _ = btf_types(raw)
    strings = raw[hdr_len + str_off:]

    def mod_name(name_off):
        if name_off < base_str_len:
            return None  # a base string: base types are not looked up here
        rel = name_off - base_str_len
        return strings[rel:strings.index(b"\0", rel)].decode()

    # Type ids: 1.. for the base, then the module's.
    first = len(base_types) + 1
    by_kind_name = {}
    for i, (kind, name_off) in enumerate(mod_types):
        if kind in KIND_OF_PREFIX.values():
            name = mod_name(name_off)
            if name is not None:
                by_kind_name.setdefault((kind, name), first + i)
    need_base = False
    patches, sets = [], []
    for name, shndx, value, size in elf.symbols():
        if shndx != ids_idx or not name.startswith("__BTF_ID__"):
            continue
        rest = name[len("__BTF_ID__"):]
        prefix, _, tail = rest.partition("__")
        if prefix in ("set", "set8"):
            sets.append((prefix, value, size))
        elif prefix in KIND_OF_PREFIX:
            tname = tail.rsplit("__", 1)[0]
            key = (KIND_OF_PREFIX[prefix], tname)
            if key not in by_kind_name:
                need_base = True
            patches.append((value, key))
        else:
            raise ValueError(f"unsupported BTF id symbol {name}")
    if need_base:
        # Look the missing names up in the base too.
        bstrings = braw[bhdr + bstr_off:]
        for i, (kind, name_off) in enumerate(base_types):
            if kind in KIND_OF_PREFIX.values():
                n = bstrings[name_off:bstrings.index(b"\0", name_off)].decode()
                by_kind_name.setdefault((kind, n), i + 1)
    base_off = ids_sec["offset"]
    for value, key in patches:
        if key not in by_kind_name:
            print(f"WARN: resolve_btfids.py: unresolved symbol {key[1]}", file=sys.stderr)
            continue
        struct.pack_into("<I", ko, base_off + value, by_kind_name[key])
    for kind, value, size in sets:
        width = 8 if kind == "set8" else 4
        cnt = size // width - 1
        struct.pack_into("<I", ko, base_off + value, cnt)
        start = base_off + value + width
        items = [bytes(ko[start + i * width:start + (i + 1) * width]) for i in range(cnt)]
        items.sort(key=lambda b: struct.unpack_from("<i", b, 0)[0])
        ko[start:start + cnt * width] = b"".join(items)
    with open(ko_path, "wb") as f:
        f.write(ko)
    return len(patches)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-b", "--base", required=True, help="the kernel's BTF")
    ap.add_argument("module", help="the .ko to patch")
    args = ap.parse_args()
    try:
        resolve(args.base, args.module)
    except (OSError, ValueError) as e:
        sys.exit(f"resolve_btfids.py: {args.module}: {e}")


if __name__ == "__main__":
    main()
