"""Development keys for py-substrate-interface, derived as Substrate (subkey, @polkadot/keyring) derives them.

py-substrate-interface derives `//Name` paths only for sr25519; its ECDSA keypair is Ethereum-style
(20-byte address, keccak-256 before signing), which is not Substrate's ecdsa. So:
- sr25519: the client's own Keypair.create_from_uri('//Alice').
- ed25519: Substrate's hard derivation (blake2_256(SCALE(("Ed25519HDKD", seed, chain_code)))), then the
  client's own Keypair.create_from_seed(seed, crypto_type=ED25519), which signs with ed25519-zebra.
- ecdsa: the same hard derivation ("Secp256k1HDKD") and a Keypair subclass whose sign() is Substrate's
  ecdsa: a recoverable secp256k1 signature (r ++ s ++ v, v in {0, 1}, low s) over blake2_256(message);
  its public_key is the AccountId32 = blake2_256(33-byte compressed key), which is what the client puts
  in MultiAddress::Id. The client itself still builds the payload, encodes the extrinsic and tags the
  signature as MultiSignature::Ecdsa (crypto_type 2): only the signing primitive is ours, the way its
  `signature=` parameter lets an external signer do.
"""

import hashlib

import bip39
from eth_keys import keys as eth_keys
from scalecodec.utils.ss58 import ss58_encode
from substrateinterface import Keypair, KeypairType

DEV_PHRASE = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"


def blake2_256(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def _compact_len_prefix(b: bytes) -> bytes:
    n = len(b)
    assert n < 64, "only short strings here"
    return bytes([n << 2]) + b


def _chain_code(junction: str) -> bytes:
    """A hard junction's chain code as Substrate makes it: a u64 if numeric, else SCALE(str)."""
    try:
        code = int(junction).to_bytes(8, "little")
    except ValueError:
        code = _compact_len_prefix(junction.encode())
    if len(code) > 32:
        code = blake2_256(code)
    return code.ljust(32, b"\0")


def _hard_derive(tag: str, seed: bytes, junction: str) -> bytes:
    return blake2_256(_compact_len_prefix(tag.encode()) + seed + _chain_code(junction))


def derive_seed(suri: str, tag: str) -> bytes:
    """32-byte secret seed for `<DEV_PHRASE>//A//B` (hard junctions only)."""
    if suri.startswith("//"):
        suri = DEV_PHRASE + suri
    phrase, *junctions = suri.split("//")
    seed = bytes(bip39.bip39_to_mini_secret(phrase.strip(), ""))
    for j in junctions:
        if "/" in j:
            raise ValueError("soft junctions are not supported for ed25519/ecdsa")
        seed = _hard_derive(tag, seed, j)
    return seed


class SubstrateEcdsaKeypair(Keypair):
    """Substrate's ecdsa (secp256k1) key, usable wherever py-substrate-interface takes a Keypair."""

    def __init__(self, secret: bytes, ss58_format: int = 42):
        # Keypair.__init__ would insist on an Ethereum address; set the fields it sets.
        self.crypto_type = KeypairType.ECDSA
        self.seed_hex = secret.hex()
        self.derive_path = None
        self._sk = eth_keys.PrivateKey(secret)
        self.compressed_public_key = self._sk.public_key.to_compressed_bytes()
        self.public_key = blake2_256(self.compressed_public_key)  # AccountId32
        self.ss58_format = ss58_format
        self.ss58_address = ss58_encode(self.public_key, ss58_format)
        self.private_key = secret
        self.mnemonic = None

    @staticmethod
    def _bytes(data) -> bytes:
        if hasattr(data, "data") and not isinstance(data, (bytes, bytearray, str)):
            return bytes(data.data)  # ScaleBytes
        if isinstance(data, str):
            return bytes.fromhex(data[2:]) if data.startswith("0x") else data.encode()
        return bytes(data)

    def sign(self, data) -> bytes:
        sig = self._sk.sign_msg_hash(blake2_256(self._bytes(data)))
        return sig.to_bytes()  # r ++ s ++ v, v in {0, 1}, s normalised low

    def verify(self, data, signature) -> bool:
        if isinstance(signature, str):
            signature = bytes.fromhex(signature.replace("0x", ""))
        try:
            recovered = eth_keys.Signature(signature).recover_public_key_from_msg_hash(
                blake2_256(self._bytes(data)))
        except Exception:
            return False
        return recovered.to_compressed_bytes() == self.compressed_public_key


def sr25519(suri: str) -> Keypair:
    return Keypair.create_from_uri(suri, ss58_format=42, crypto_type=KeypairType.SR25519)


def ed25519(suri: str) -> Keypair:
    return Keypair.create_from_seed(derive_seed(suri, "Ed25519HDKD").hex(), ss58_format=42,
                                    crypto_type=KeypairType.ED25519)


def ecdsa(suri: str) -> SubstrateEcdsaKeypair:
    return SubstrateEcdsaKeypair(derive_seed(suri, "Secp256k1HDKD"))


def keypair(scheme: str, suri: str):
    return {"sr25519": sr25519, "ed25519": ed25519, "ecdsa": ecdsa}[scheme](suri)


def scheme_public(kp) -> bytes:
    """The public key as the scheme knows it (33 bytes for ecdsa)."""
    return getattr(kp, "compressed_public_key", kp.public_key)
