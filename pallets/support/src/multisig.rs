//! Substrate's `MultiSignature` and the key helpers that produce it.
//!
//! A signed extrinsic carries one of three signature schemes; stock clients choose the scheme
//! from the keypair the user holds, and recognise the type in metadata by its path
//! `sp_runtime::MultiSignature`. Verification follows Substrate exactly:
//! - sr25519: schnorrkel with the signing context `"substrate"` over the message;
//! - ed25519: the plain message;
//! - ecdsa (secp256k1): a 65-byte recoverable signature over `blake2_256(message)`; the signer
//!   is the account whose id is `blake2_256` of the recovered 33-byte compressed public key.
//!
//! Every function here is total: a malformed key or signature verifies as `false`.

use codec::{Decode, Encode, MaxEncodedLen};
use k256::ecdsa::{RecoveryId, Signature as K256Signature, VerifyingKey};
use scale_info::{
    build::{Fields, Variants},
    Path, Type, TypeInfo,
};
use sp_core::{ecdsa, ed25519, sr25519, Pair as _};

use crate::primitives::{hashing::blake2_256, AccountId32};

/// A signature of any scheme a Substrate wallet can sign with; the `signature` field of a
/// signed extrinsic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen)]
pub enum MultiSignature {
    /// An ed25519 signature over the message (index 0).
    #[codec(index = 0)]
    Ed25519([u8; 64]),
    /// A schnorrkel/sr25519 signature with context `"substrate"` (index 1); wallets' default.
    #[codec(index = 1)]
    Sr25519([u8; 64]),
    /// A recoverable secp256k1 signature over `blake2_256(message)`, recovery id last
    /// (index 2).
    #[codec(index = 2)]
    Ecdsa([u8; 65]),
}

impl MultiSignature {
    /// Checks that `signer` signed `msg`; the only signature check an extrinsic goes through.
    ///
    /// Never panics: keys that are not valid curve points, zero or out-of-range scalars and
    /// unknown recovery ids all make the check fail.
    pub fn verify(&self, msg: &[u8], signer: &AccountId32) -> bool {
        let signer: &[u8; 32] = signer.as_ref();
        match self {
            MultiSignature::Ed25519(sig) => ed25519::Pair::verify(
                &ed25519::Signature::from_raw(*sig),
                msg,
                &ed25519::Public::from_raw(*signer),
            ),
            MultiSignature::Sr25519(sig) => sr25519::Pair::verify(
                &sr25519::Signature::from_raw(*sig),
                msg,
                &sr25519::Public::from_raw(*signer),
            ),
            MultiSignature::Ecdsa(sig) => ecdsa_recover_compressed(sig, &blake2_256(msg))
                .is_some_and(|public| &blake2_256(&public) == signer),
        }
    }
}

/// Recovers the 33-byte compressed secp256k1 public key that made `sig` over the 32-byte
/// `prehash`, as Substrate's `secp256k1_ecdsa_recover_compressed` does.
///
/// Why not plain `k256` recovery: Substrate (libsecp256k1) also accepts high-S signatures and
/// recovery ids offset by 27 (Ethereum style), so a wallet's signature valid on Substrate must be
/// valid here. The recovery id byte may be 0..=3 or 27..=30; a high S is normalised (negating S
/// and flipping the y parity recovers the same key). Returns `None` for anything malformed.
pub fn ecdsa_recover_compressed(sig: &[u8; 65], prehash: &[u8; 32]) -> Option<[u8; 33]> {
    let v = sig[64];
    let v = if v >= 27 { v - 27 } else { v };
    let recovery_id = RecoveryId::from_byte(v)?;
    let signature = K256Signature::from_slice(&sig[..64]).ok()?;
    let (signature, recovery_id) = match signature.normalize_s() {
        Some(low_s) => (
            low_s,
            RecoveryId::new(!recovery_id.is_y_odd(), recovery_id.is_x_reduced()),
        ),
        None => (signature, recovery_id),
    };
    let key = VerifyingKey::recover_from_prehash(prehash, &signature, recovery_id).ok()?;
    <[u8; 33]>::try_from(key.to_encoded_point(true).as_bytes()).ok()
}

impl From<ed25519::Signature> for MultiSignature {
    /// Lets signing code hand an sp_core signature straight to an extrinsic.
    fn from(sig: ed25519::Signature) -> Self {
        MultiSignature::Ed25519(sig.0)
    }
}

impl From<sr25519::Signature> for MultiSignature {
    /// Lets signing code hand an sp_core signature straight to an extrinsic.
    fn from(sig: sr25519::Signature) -> Self {
        MultiSignature::Sr25519(sig.0)
    }
}

impl From<ecdsa::Signature> for MultiSignature {
    /// Lets signing code hand an sp_core signature straight to an extrinsic.
    fn from(sig: ecdsa::Signature) -> Self {
        MultiSignature::Ecdsa(sig.0)
    }
}

/// Substrate's hand-written type description: path `sp_runtime::MultiSignature`, variants
/// `Ed25519`, `Sr25519`, `Ecdsa` at indices 0, 1, 2, each with one unnamed byte-array field
/// (sp_core's signature types describe themselves as plain byte arrays too).
impl TypeInfo for MultiSignature {
    type Identity = Self;

    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("MultiSignature", "sp_runtime"))
            .variant(
                Variants::new()
                    .variant("Ed25519", |v| {
                        v.index(0).fields(
                            Fields::unnamed()
                                .field(|f| f.ty::<[u8; 64]>().type_name("ed25519::Signature")),
                        )
                    })
                    .variant("Sr25519", |v| {
                        v.index(1).fields(
                            Fields::unnamed()
                                .field(|f| f.ty::<[u8; 64]>().type_name("sr25519::Signature")),
                        )
                    })
                    .variant("Ecdsa", |v| {
                        v.index(2).fields(
                            Fields::unnamed()
                                .field(|f| f.ty::<[u8; 65]>().type_name("ecdsa::Signature")),
                        )
                    }),
            )
    }
}

/// The public key of any supported scheme; what an account id is derived from.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum MultiSigner {
    /// An ed25519 public key; the account id is the key itself.
    #[codec(index = 0)]
    Ed25519(ed25519::Public),
    /// An sr25519 public key; the account id is the key itself.
    #[codec(index = 1)]
    Sr25519(sr25519::Public),
    /// A compressed secp256k1 public key; the account id is its blake2-256 hash.
    #[codec(index = 2)]
    Ecdsa(ecdsa::Public),
}

impl MultiSigner {
    /// The account a signature by this key is checked against in [`MultiSignature::verify`].
    pub fn into_account(self) -> AccountId32 {
        match self {
            MultiSigner::Ed25519(public) => AccountId32::from(public),
            MultiSigner::Sr25519(public) => AccountId32::from(public),
            MultiSigner::Ecdsa(public) => AccountId32::new(blake2_256(&public.0)),
        }
    }
}

/// The key schemes a [`MultiPair`] can be made for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyScheme {
    /// ed25519.
    Ed25519,
    /// sr25519 (schnorrkel), the wallets' default.
    Sr25519,
    /// secp256k1 ecdsa.
    Ecdsa,
}

/// A keypair of any scheme, for tests, benchmarks and dev tooling that must sign extrinsics
/// the way a wallet would.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // A few keypairs live in tests; boxing only adds noise.
pub enum MultiPair {
    /// An ed25519 keypair.
    Ed25519(ed25519::Pair),
    /// An sr25519 keypair.
    Sr25519(sr25519::Pair),
    /// A secp256k1 keypair.
    Ecdsa(ecdsa::Pair),
}

impl MultiPair {
    /// Builds a keypair from a secret URI (`"//Alice"`, a mnemonic, a hex seed), like
    /// `subkey`; `None` when the URI is not valid for the scheme.
    pub fn from_suri(scheme: KeyScheme, suri: &str) -> Option<Self> {
        Some(match scheme {
            KeyScheme::Ed25519 => MultiPair::Ed25519(ed25519::Pair::from_string(suri, None).ok()?),
            KeyScheme::Sr25519 => MultiPair::Sr25519(sr25519::Pair::from_string(suri, None).ok()?),
            KeyScheme::Ecdsa => MultiPair::Ecdsa(ecdsa::Pair::from_string(suri, None).ok()?),
        })
    }

    /// Signs `msg` as a wallet does (ecdsa hashes it with blake2-256 first).
    pub fn sign(&self, msg: &[u8]) -> MultiSignature {
        match self {
            MultiPair::Ed25519(pair) => pair.sign(msg).into(),
            MultiPair::Sr25519(pair) => pair.sign(msg).into(),
            MultiPair::Ecdsa(pair) => pair.sign(msg).into(),
        }
    }

    /// The public key of this pair.
    pub fn public(&self) -> MultiSigner {
        match self {
            MultiPair::Ed25519(pair) => MultiSigner::Ed25519(pair.public()),
            MultiPair::Sr25519(pair) => MultiSigner::Sr25519(pair.public()),
            MultiPair::Ecdsa(pair) => MultiSigner::Ecdsa(pair.public()),
        }
    }

    /// The account this pair signs for.
    pub fn account_id(&self) -> AccountId32 {
        self.public().into_account()
    }
}

impl From<ed25519::Pair> for MultiPair {
    /// Wraps an sp_core keypair.
    fn from(pair: ed25519::Pair) -> Self {
        MultiPair::Ed25519(pair)
    }
}

impl From<sr25519::Pair> for MultiPair {
    /// Wraps an sp_core keypair.
    fn from(pair: sr25519::Pair) -> Self {
        MultiPair::Sr25519(pair)
    }
}

impl From<ecdsa::Pair> for MultiPair {
    /// Wraps an sp_core keypair.
    fn from(pair: ecdsa::Pair) -> Self {
        MultiPair::Ecdsa(pair)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k256::elliptic_curve::{ops::Neg, PrimeField};
    use scale_info::{PortableRegistry, Registry, TypeDef};

    const SCHEMES: [KeyScheme; 3] = [KeyScheme::Ed25519, KeyScheme::Sr25519, KeyScheme::Ecdsa];

    fn pair(scheme: KeyScheme, suri: &str) -> MultiPair {
        MultiPair::from_suri(scheme, suri).expect("dev suri is valid")
    }

    #[test]
    fn all_schemes_verify_and_reject_wrong_message_or_signer() {
        for scheme in SCHEMES {
            let alice = pair(scheme, "//Alice");
            let bob = pair(scheme, "//Bob");
            let msg = b"transfer 10 BSLT to bob";
            let sig = alice.sign(msg);
            assert!(sig.verify(msg, &alice.account_id()), "{scheme:?} good");
            assert!(
                !sig.verify(b"transfer 11 BSLT", &alice.account_id()),
                "{scheme:?} msg"
            );
            assert!(!sig.verify(msg, &bob.account_id()), "{scheme:?} signer");
        }
    }

    #[test]
    fn signature_is_not_valid_under_another_scheme() {
        let msg = b"hello";
        let sr = pair(KeyScheme::Sr25519, "//Alice");
        let MultiSignature::Sr25519(raw) = sr.sign(msg) else {
            panic!("sr25519 pair signs sr25519")
        };
        assert!(!MultiSignature::Ed25519(raw).verify(msg, &sr.account_id()));
    }

    #[test]
    fn dev_account_ids_match_substrate() {
        // Alice's well-known sr25519 account (5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY).
        assert_eq!(
            pair(KeyScheme::Sr25519, "//Alice").account_id(),
            AccountId32::new(ALICE_SR25519)
        );
        // An ecdsa account is the blake2-256 of the compressed key.
        let ecdsa_alice = pair(KeyScheme::Ecdsa, "//Alice");
        let MultiSigner::Ecdsa(public) = ecdsa_alice.public() else {
            panic!("ecdsa pair has an ecdsa key")
        };
        assert_eq!(
            ecdsa_alice.account_id(),
            AccountId32::new(blake2_256(&public.0))
        );
    }

    const ALICE_SR25519: [u8; 32] = [
        0xd4, 0x35, 0x93, 0xc7, 0x15, 0xfd, 0xd3, 0x1c, 0x61, 0x14, 0x1a, 0xbd, 0x04, 0xa9, 0x9f,
        0xd6, 0x82, 0x2c, 0x85, 0x58, 0x85, 0x4c, 0xcd, 0xe3, 0x9a, 0x56, 0x84, 0xe7, 0xa5, 0x6d,
        0xa2, 0x7d,
    ];

    #[test]
    fn ecdsa_recovery_matches_sp_core_and_accepts_substrate_variants() {
        let alice = ecdsa::Pair::from_string("//Alice", None).expect("dev key");
        let msg = b"payload";
        let sig = alice.sign(msg);
        let prehash = blake2_256(msg);
        assert_eq!(
            ecdsa_recover_compressed(&sig.0, &prehash),
            Some(alice.public().0)
        );

        // Ethereum-style recovery id (27/28) is accepted.
        let mut eth = sig.0;
        eth[64] += 27;
        assert!(
            MultiSignature::Ecdsa(eth).verify(msg, &MultiPair::from(alice.clone()).account_id())
        );

        // High-S form of the same signature: libsecp256k1 recovery (Substrate) accepts it, so
        // must we, and both recover the same key.
        let mut s_bytes = k256::FieldBytes::default();
        s_bytes.copy_from_slice(&sig.0[32..64]);
        let s = k256::Scalar::from_repr(s_bytes)
            .into_option()
            .expect("s is a scalar");
        let mut high = sig.0;
        high[32..64].copy_from_slice(&s.neg().to_bytes());
        high[64] ^= 1;
        let sp_core_recovered = ecdsa::Signature::from_raw(high).recover_prehashed(&prehash);
        assert_eq!(sp_core_recovered, Some(alice.public()));
        assert_eq!(
            ecdsa_recover_compressed(&high, &prehash),
            Some(alice.public().0)
        );
    }

    #[test]
    fn malformed_inputs_are_false_not_panics() {
        let msg = b"m";
        let anyone = AccountId32::new([0xff; 32]);
        let alice = pair(KeyScheme::Sr25519, "//Alice").account_id();
        for signer in [&anyone, &alice] {
            assert!(!MultiSignature::Ed25519([0; 64]).verify(msg, signer));
            assert!(!MultiSignature::Ed25519([0xff; 64]).verify(msg, signer));
            assert!(!MultiSignature::Sr25519([0; 64]).verify(msg, signer));
            assert!(!MultiSignature::Sr25519([0xff; 64]).verify(msg, signer));
            assert!(!MultiSignature::Ecdsa([0; 65]).verify(msg, signer));
            assert!(!MultiSignature::Ecdsa([0xff; 65]).verify(msg, signer));
        }
        // Like Substrate (ed25519-zebra, ZIP 215 rules), a small-order key such as all zeros
        // accepts a forged all-zero signature: no one holds that key's secret, so funds sent to
        // the zero account are anyone's. Kept for compatibility; documented here.
        assert!(MultiSignature::Ed25519([0; 64]).verify(msg, &AccountId32::new([0; 32])));

        // A valid signature with an unknown recovery id fails.
        let alice = pair(KeyScheme::Ecdsa, "//Alice");
        let MultiSignature::Ecdsa(mut raw) = alice.sign(msg) else {
            panic!("ecdsa pair signs ecdsa")
        };
        for v in [4u8, 26, 31, 255] {
            raw[64] = v;
            assert!(!MultiSignature::Ecdsa(raw).verify(msg, &alice.account_id()));
        }
        // A deterministic sweep of odd byte patterns never panics.
        for seed in 0u8..=255 {
            let mut bytes = [seed; 65];
            bytes[0] = seed.wrapping_mul(31);
            bytes[64] = seed % 4;
            let _ = MultiSignature::Ecdsa(bytes).verify(msg, &anyone);
            let _ = ecdsa_recover_compressed(&bytes, &[seed; 32]);
        }
    }

    #[test]
    fn encoding_uses_substrate_indices() {
        assert_eq!(MultiSignature::Ed25519([1; 64]).encode()[0], 0);
        assert_eq!(MultiSignature::Sr25519([1; 64]).encode()[0], 1);
        let ecdsa = MultiSignature::Ecdsa([1; 65]).encode();
        assert_eq!((ecdsa[0], ecdsa.len()), (2, 66));
        assert!(MultiSignature::decode(&mut &[3u8; 70][..]).is_err());
        let sig = MultiSignature::Sr25519([9; 64]);
        assert_eq!(MultiSignature::decode(&mut &sig.encode()[..]), Ok(sig));
    }

    #[test]
    fn type_info_has_substrate_path() {
        let mut registry = Registry::new();
        let id = registry.register_type(&scale_info::meta_type::<MultiSignature>());
        let portable: PortableRegistry = registry.into();
        let ty = portable.resolve(id.id).expect("registered type resolves");
        assert_eq!(ty.path.segments, vec!["sp_runtime", "MultiSignature"]);
        let TypeDef::Variant(variants) = &ty.type_def else {
            panic!("MultiSignature must be a variant type");
        };
        let shape: Vec<(&str, u8, usize)> = variants
            .variants
            .iter()
            .map(|v| (v.name.as_str(), v.index, v.fields.len()))
            .collect();
        assert_eq!(
            shape,
            vec![("Ed25519", 0, 1), ("Sr25519", 1, 1), ("Ecdsa", 2, 1)]
        );
        let ecdsa_field = portable
            .resolve(variants.variants[2].fields[0].ty.id)
            .expect("field type resolves");
        let TypeDef::Array(array) = &ecdsa_field.type_def else {
            panic!("ecdsa signature is a byte array");
        };
        assert_eq!(array.len, 65);
    }
}
