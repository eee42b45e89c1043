#!/usr/bin/env python3
"""Sets one field of one instruction word in a Tessera program binary, to make corrupt binaries
for bad-input tests. Field positions come from the ISA definition (sim/isa/isa.json), so the
tool follows the encoding when it changes.

    corrupt_binary.py ISA_JSON IN.bin OUT.bin QUEUE INDEX FIELD VALUE
FIELD is a header field (opcode, wait_sem, ...) or an operand path such as src.n0 or dst.dtype.
"""
import json
import sys


def field_bits(isa, opcode_code):
    """(path, offset, width) of every leaf field of the opcode's word, in encoding order."""
    out, pos = [], 0

    def walk(fields, prefix):
        nonlocal pos
        for f in fields:
            path = prefix + f["name"]
            if f["type"] in isa["types"]:
                walk(isa["types"][f["type"]], path + ".")
            else:
                out.append((path, pos, f["bits"]))
                pos += f["bits"]

    walk(isa["header"], "")
    op = next((o for o in isa["opcodes"] if o["code"] == opcode_code), None)
    if op is None:
        sys.exit(f"corrupt_binary.py: no opcode {opcode_code} in the ISA")
    walk(op["fields"], "")
    return out


def main():
    if len(sys.argv) != 8:
        sys.exit(__doc__)
    isa_path, src, dst, queue, index, field, value = sys.argv[1:]
    isa = json.load(open(isa_path))
    b = bytearray(open(src, "rb").read())
    word_bytes = isa["word_bytes"]
    u = lambda at, n: int.from_bytes(b[at:at + n], "little")
    pos = 8  # after the magic; tensors: name (u16 length + bytes), addr u64, dtype, io, rank u8, dims u64
    ntensors = u(pos, 4)
    pos += 4
    for _ in range(ntensors):
        pos += 2 + u(pos, 2) + 8 + 2
        rank = u(pos, 1)
        pos += 1 + 8 * rank
    nqueues = u(pos, 4)
    pos += 4
    for _ in range(nqueues):
        name = b[pos + 2:pos + 2 + u(pos, 2)].decode()
        pos += 2 + u(pos, 2)
        count = u(pos, 4)
        pos += 4
        if name == queue:
            i = int(index)
            if i >= count:
                sys.exit(f"corrupt_binary.py: {queue} has {count} instructions")
            at = pos + i * word_bytes
            word = int.from_bytes(b[at:at + word_bytes], "little")
            opcode = word & 0xFF
            leaves = {p: (o, w) for p, o, w in field_bits(isa, opcode)}
            if field not in leaves:
                sys.exit(f"corrupt_binary.py: no field {field}; fields: {', '.join(leaves)}")
            off, width = leaves[field]
            v = int(value, 0) & ((1 << width) - 1)
            word = (word & ~(((1 << width) - 1) << off)) | (v << off)
            b[at:at + word_bytes] = word.to_bytes(word_bytes, "little")
            open(dst, "wb").write(b)
            return
        pos += count * word_bytes
    sys.exit(f"corrupt_binary.py: no queue {queue}")


if __name__ == "__main__":
    main()
