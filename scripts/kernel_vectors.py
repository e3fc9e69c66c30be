#!/usr/bin/env python3
"""Independent reference for the built-in kernels (docs/KERNELS.md): prints the known-answer
vectors that pallets/jobs/kernels/src/tests.rs hard-codes. Standard library only:
hashlib.blake2b with digest_size=32 is BLAKE2b-256, Substrate's blake2_256."""
import hashlib
import struct


def b2(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def blake2_chain(seed: bytes, rounds: int) -> bytes:
    x = b2(seed)
    for _ in range(rounds - 1):
        x = b2(x)
    return x


def operands(m: int, k: int, n: int, seed: bytes):
    need, out, i = m * k + k * n, b"", 0
    while len(out) < need:
        out += b2(seed + struct.pack("<Q", i))
        i += 1
    signed = struct.unpack(f"{need}b", out[:need])
    return signed[: m * k], signed[m * k:]


def matmul(m: int, k: int, n: int, seed: bytes) -> bytes:
    a, b = operands(m, k, n, seed)
    values = [sum(a[i * k + p] * b[p * n + j] for p in range(k)) for i in range(m) for j in range(n)]
    return b"".join(struct.pack("<i", v) for v in values)


if __name__ == "__main__":
    print("blake2-chain(b'basalt', 1)   ", blake2_chain(b"basalt", 1).hex())
    print("blake2-chain(b'basalt', 1000)", blake2_chain(b"basalt", 1000).hex())
    print("matmul-i8(2, 3, 2, [7; 32])  ", list(struct.unpack("<4i", matmul(2, 3, 2, bytes([7] * 32)))))
    print("result_hash(matmul-i8(64, 64, 64, [1; 32]))", b2(matmul(64, 64, 64, bytes([1] * 32))).hex())
