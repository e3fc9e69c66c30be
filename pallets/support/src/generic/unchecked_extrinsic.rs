//! Extrinsics as they travel: Substrate's format version 4, typed and opaque.
//!
//! Wallets build these bytes themselves, so Basalt must read exactly what they write:
//! `Compact<u32>` length ++ body, the body being `0x84 ++ address ++ signature ++ extra ++ call`
//! when signed and `0x04 ++ call` when not. Decoding is strict (a wrong version byte, a short
//! body or bytes left over inside the body are errors) and bounds the call's nesting depth,
//! because a call is attacker-supplied and may nest (batches, sudo). The metadata description
//! is Substrate's hand-written one: an opaque `Vec<u8>` whose type parameters, named exactly
//! `Address`, `Call`, `Signature`, `Extra`, tell clients how to build the bytes.

use codec::{Decode, DecodeAll, DecodeLimit, Encode, Error, Input, Output};
use scale_info::{build::Fields, meta_type, Path, Type, TypeInfo, TypeParameter};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::multiaddress::MultiAddress;
use crate::multisig::{MultiPair, MultiSignature};
use crate::primitives::{hashing::blake2_256, AccountId32, H256};

/// The extrinsic format version Basalt speaks (Substrate's v4).
pub const EXTRINSIC_FORMAT_VERSION: u8 = 4;
/// Bit 7 of the version byte: set when the extrinsic carries a signature.
const SIGNED_BIT: u8 = 0b1000_0000;
/// The low bits of the version byte: the format version.
const VERSION_MASK: u8 = 0b0111_1111;

/// How deeply a call may nest (e.g. `sudo(batch(sudo(..)))`) before decoding gives up; bounds
/// the stack an attacker can make a decoder use.
pub const MAX_CALL_DEPTH: u32 = 256;

/// Signed payloads longer than this are signed through their blake2-256 hash.
pub const SIGNED_PAYLOAD_HASH_THRESHOLD: usize = 256;

/// The sender field of a signed extrinsic: Substrate's `MultiAddress` without account indices.
pub type ExtrinsicAddress = MultiAddress<AccountId32, ()>;

/// A decoded extrinsic whose signature has not been checked yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UncheckedExtrinsic<Call, Extra> {
    /// Sender, signature and the signed extensions' extra data; `None` for inherents and
    /// other unsigned extrinsics.
    pub signature: Option<(ExtrinsicAddress, MultiSignature, Extra)>,
    /// The call to dispatch.
    pub function: Call,
}

/// Why [`UncheckedExtrinsic::verify_signature`] refused an extrinsic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureError {
    /// The address does not name an account Basalt can resolve (RPC: "Invalid signing address").
    CannotLookup,
    /// The signature does not match the signer and payload (RPC: "bad signature").
    BadSignature,
}

impl<Call, Extra> UncheckedExtrinsic<Call, Extra> {
    /// A signed extrinsic from its parts; the signature must cover
    /// [`signed_payload`]`(function, extra, additional)`.
    pub fn new_signed(
        function: Call,
        signed: ExtrinsicAddress,
        signature: MultiSignature,
        extra: Extra,
    ) -> Self {
        UncheckedExtrinsic {
            signature: Some((signed, signature, extra)),
            function,
        }
    }

    /// An unsigned extrinsic (an inherent such as `Timestamp.set`).
    pub fn new_unsigned(function: Call) -> Self {
        UncheckedExtrinsic {
            signature: None,
            function,
        }
    }

    /// True if the extrinsic carries a signature.
    pub fn is_signed(&self) -> bool {
        self.signature.is_some()
    }
}

impl<Call: Encode, Extra: Encode> UncheckedExtrinsic<Call, Extra> {
    /// Signs `function` as a wallet would, with `pair`, addressing the sender by account id.
    /// `additional` is the signed extensions' implicit data (spec version, genesis hash, ...).
    pub fn new_signed_by<Additional: Encode>(
        function: Call,
        extra: Extra,
        additional: &Additional,
        pair: &MultiPair,
    ) -> Self {
        let signature = pair.sign(&signed_payload(&function, &extra, additional));
        Self::new_signed(
            function,
            MultiAddress::Id(pair.account_id()),
            signature,
            extra,
        )
    }

    /// Checks the signature of a signed extrinsic over
    /// [`signed_payload`]`(function, extra, additional)` and returns the signer;
    /// `Ok(None)` for an unsigned extrinsic.
    pub fn verify_signature<Additional: Encode>(
        &self,
        additional: &Additional,
    ) -> Result<Option<AccountId32>, SignatureError> {
        let Some((address, signature, extra)) = &self.signature else {
            return Ok(None);
        };
        let signer = address
            .clone()
            .lookup()
            .ok_or(SignatureError::CannotLookup)?;
        let payload = signed_payload(&self.function, extra, additional);
        if signature.verify(&payload, &signer) {
            Ok(Some(signer))
        } else {
            Err(SignatureError::BadSignature)
        }
    }

    /// The body: version byte, then signature parts if signed, then the call; no length
    /// prefix. This is what [`OpaqueExtrinsic`] holds.
    pub fn encode_body(&self) -> Vec<u8> {
        let mut body = Vec::new();
        match &self.signature {
            Some(signature) => {
                body.push(EXTRINSIC_FORMAT_VERSION | SIGNED_BIT);
                signature.encode_to(&mut body);
            }
            None => body.push(EXTRINSIC_FORMAT_VERSION),
        }
        self.function.encode_to(&mut body);
        body
    }
}

impl<Call: Decode, Extra: Decode> UncheckedExtrinsic<Call, Extra> {
    /// Decodes a body (no length prefix), which must be consumed entirely; the call's nesting
    /// is limited to [`MAX_CALL_DEPTH`].
    pub fn decode_body(body: &[u8]) -> Result<Self, Error> {
        let mut input = body;
        let version = input.read_byte()?;
        if version & VERSION_MASK != EXTRINSIC_FORMAT_VERSION {
            return Err("Invalid transaction version".into());
        }
        let signature = if version & SIGNED_BIT != 0 {
            Some(Decode::decode(&mut input)?)
        } else {
            None
        };
        let function = Call::decode_with_depth_limit(MAX_CALL_DEPTH, &mut input)?;
        if !input.is_empty() {
            return Err("Extrinsic body has bytes after the call".into());
        }
        Ok(UncheckedExtrinsic {
            signature,
            function,
        })
    }
}

impl<Call: Encode, Extra: Encode> Encode for UncheckedExtrinsic<Call, Extra> {
    fn encode_to<T: Output + ?Sized>(&self, output: &mut T) {
        // A `Vec<u8>`'s encoding is exactly `Compact<u32>` length ++ bytes.
        self.encode_body().encode_to(output);
    }
}

impl<Call: Encode, Extra: Encode> codec::EncodeLike for UncheckedExtrinsic<Call, Extra> {}

impl<Call: Decode, Extra: Decode> Decode for UncheckedExtrinsic<Call, Extra> {
    fn decode<I: Input>(input: &mut I) -> Result<Self, Error> {
        // Reading the length-prefixed body as a `Vec<u8>` bounds the read to the prefix and
        // allocates in chunks, so a lying prefix cannot make us reserve gigabytes.
        let body = Vec::<u8>::decode(input)?;
        Self::decode_body(&body)
    }
}

/// Substrate's hand-written description: path
/// `sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic`, type parameters
/// `Address`, `Call`, `Signature`, `Extra` (clients build extrinsics from these), and an opaque
/// `Vec<u8>` as the only field.
impl<Call, Extra> TypeInfo for UncheckedExtrinsic<Call, Extra>
where
    Call: TypeInfo + 'static,
    Extra: TypeInfo + 'static,
{
    type Identity = Self;

    fn type_info() -> Type {
        Type::builder()
            .path(Path::new(
                "UncheckedExtrinsic",
                "sp_runtime::generic::unchecked_extrinsic",
            ))
            .type_params(vec![
                TypeParameter::new("Address", Some(meta_type::<ExtrinsicAddress>())),
                TypeParameter::new("Call", Some(meta_type::<Call>())),
                TypeParameter::new("Signature", Some(meta_type::<MultiSignature>())),
                TypeParameter::new("Extra", Some(meta_type::<Extra>())),
            ])
            .docs(&["UncheckedExtrinsic raw bytes, requires custom decoding routine"])
            .composite(Fields::unnamed().field(|f| f.ty::<Vec<u8>>()))
    }
}

/// The bytes a sender signs: `call ++ extra ++ additional`, or their blake2-256 hash when
/// longer than [`SIGNED_PAYLOAD_HASH_THRESHOLD`] bytes (keeps hardware wallets' input small).
pub fn signed_payload<Call: Encode, Extra: Encode, Additional: Encode>(
    call: &Call,
    extra: &Extra,
    additional: &Additional,
) -> Vec<u8> {
    let mut payload = call.encode();
    extra.encode_to(&mut payload);
    additional.encode_to(&mut payload);
    if payload.len() > SIGNED_PAYLOAD_HASH_THRESHOLD {
        blake2_256(&payload).to_vec()
    } else {
        payload
    }
}

/// An extrinsic kept as bytes: what blocks, the pool and the network carry without knowing
/// the runtime's call type.
///
/// Holds the body (no length prefix). Its SCALE encoding is `Compact(len) ++ body`, the same
/// bytes as the typed [`UncheckedExtrinsic`], so a block of opaque extrinsics encodes and
/// hashes like a block of typed ones. The field is private so that nobody confuses the body
/// with the full encoding: build it with [`OpaqueExtrinsic::from_bytes`] or
/// [`OpaqueExtrinsic::from_body`].
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, Decode)]
pub struct OpaqueExtrinsic(Vec<u8>);

impl OpaqueExtrinsic {
    /// Parses a full encoding (length prefix ++ body), as submitted over RPC; the prefix must
    /// match the body's length exactly.
    pub fn from_bytes(full_encoding: &[u8]) -> Result<Self, Error> {
        Self::decode_all(&mut &full_encoding[..])
    }

    /// Wraps a body that has no length prefix.
    pub fn from_body(body: Vec<u8>) -> Self {
        OpaqueExtrinsic(body)
    }

    /// The full encoding (length prefix ++ body), as shown over RPC and hashed.
    pub fn to_full_bytes(&self) -> Vec<u8> {
        self.encode()
    }

    /// The body (no length prefix).
    pub fn body(&self) -> &[u8] {
        &self.0
    }

    /// The body (no length prefix), by value.
    pub fn into_body(self) -> Vec<u8> {
        self.0
    }

    /// The extrinsic hash clients and the pool use: blake2-256 of the full encoding.
    pub fn hash(&self) -> H256 {
        H256(blake2_256(&self.to_full_bytes()))
    }

    /// Decodes the body as a typed extrinsic of the runtime's `Call` and `Extra`.
    pub fn decode_as<Call: Decode, Extra: Decode>(
        &self,
    ) -> Result<UncheckedExtrinsic<Call, Extra>, Error> {
        UncheckedExtrinsic::decode_body(&self.0)
    }
}

impl<Call: Encode, Extra: Encode> From<&UncheckedExtrinsic<Call, Extra>> for OpaqueExtrinsic {
    /// Type-erases an extrinsic, e.g. to put it in a block.
    fn from(extrinsic: &UncheckedExtrinsic<Call, Extra>) -> Self {
        OpaqueExtrinsic(extrinsic.encode_body())
    }
}

impl std::fmt::Debug for OpaqueExtrinsic {
    /// Shows the body as hex, which is how extrinsics are read everywhere else.
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "OpaqueExtrinsic({})",
            sp_core::bytes::to_hex(&self.0, false)
        )
    }
}

/// Serialised as `"0x"` + hex of the full encoding (length prefix included), like Substrate.
impl Serialize for OpaqueExtrinsic {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        sp_core::bytes::serialize(&self.to_full_bytes(), serializer)
    }
}

impl<'de> Deserialize<'de> for OpaqueExtrinsic {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let bytes = sp_core::bytes::deserialize(deserializer)?;
        OpaqueExtrinsic::from_bytes(&bytes).map_err(serde::de::Error::custom)
    }
}

/// Described as Substrate's `sp_runtime::OpaqueExtrinsic`: one unnamed `Vec<u8>` field.
impl TypeInfo for OpaqueExtrinsic {
    type Identity = Self;

    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("OpaqueExtrinsic", "sp_runtime"))
            .composite(Fields::unnamed().field(|f| f.ty::<Vec<u8>>().type_name("Vec<u8>")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generic::era::Era;
    use crate::generic::test_json::to_json;
    use crate::multisig::KeyScheme;
    use codec::Compact;
    use scale_info::{PortableRegistry, Registry, TypeDef};

    /// A call shaped like a runtime's: pallet index, call index, arguments; `Nest` recurses
    /// like `sudo(call)` or `batch(calls)`.
    #[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
    enum TestCall {
        #[codec(index = 0)]
        Remark(Vec<u8>),
        #[codec(index = 1)]
        Transfer {
            dest: MultiAddress<AccountId32, ()>,
            #[codec(compact)]
            value: u128,
        },
        #[codec(index = 2)]
        Nest(Box<TestCall>),
    }

    /// Era, nonce, tip: the extra of Substrate's usual signed extensions.
    type TestExtra = (Era, Compact<u32>, Compact<u128>);
    type TestExtrinsic = UncheckedExtrinsic<TestCall, TestExtra>;

    /// Spec version, tx version, genesis hash, birth block hash.
    fn additional() -> (u32, u32, H256, H256) {
        (100, 1, H256::repeat_byte(1), H256::repeat_byte(2))
    }

    fn extra() -> TestExtra {
        (Era::mortal(64, 42), Compact(5), Compact(0))
    }

    fn transfer() -> TestCall {
        TestCall::Transfer {
            dest: MultiAddress::Id(AccountId32::new([8; 32])),
            value: 1_000_000_000_000,
        }
    }

    fn signed(scheme: KeyScheme) -> TestExtrinsic {
        let pair = MultiPair::from_suri(scheme, "//Alice").expect("dev key");
        TestExtrinsic::new_signed_by(transfer(), extra(), &additional(), &pair)
    }

    fn nested(depth: usize) -> TestCall {
        (0..depth).fold(TestCall::Remark(vec![]), |call, _| {
            TestCall::Nest(Box::new(call))
        })
    }

    #[test]
    fn signed_layout_and_roundtrip() {
        let xt = signed(KeyScheme::Sr25519);
        let encoded = xt.encode();
        let body = xt.encode_body();
        assert_eq!(encoded, body.encode());
        let Compact(len) = Compact::<u32>::decode(&mut &encoded[..]).expect("prefix");
        assert_eq!(len as usize, body.len());

        let (address, signature, extra) = xt.signature.clone().expect("signed");
        let mut expected = vec![0x84];
        expected.extend(address.encode());
        expected.extend(signature.encode());
        expected.extend(extra.encode());
        expected.extend(transfer().encode());
        assert_eq!(body, expected);
        assert_eq!(&body[1..3], &[0x00, 0xd4]); // MultiAddress::Id, then Alice's key.

        assert_eq!(TestExtrinsic::decode_all(&mut &encoded[..]), Ok(xt));
    }

    #[test]
    fn unsigned_layout_and_roundtrip() {
        let xt = TestExtrinsic::new_unsigned(TestCall::Remark(vec![7]));
        assert!(!xt.is_signed());
        assert_eq!(xt.encode(), vec![4 << 2, 0x04, 0x00, 0x04, 7]);
        assert_eq!(TestExtrinsic::decode_all(&mut &xt.encode()[..]), Ok(xt));
    }

    #[test]
    fn decodes_a_live_timestamp_inherent() {
        // `Timestamp.set(now)` from a live Substrate chain: pallet 4, call 0, compact moment.
        let bytes = sp_core::bytes::from_hex("0x280404000bf04f37288c01").expect("hex");
        type Inherent = UncheckedExtrinsic<(u8, u8, Compact<u64>), ()>;
        let xt = Inherent::decode_all(&mut &bytes[..]).expect("decodes");
        assert_eq!(xt.signature, None);
        assert_eq!(xt.function, (4, 0, Compact(0x018c_2837_4ff0)));
        assert_eq!(xt.encode(), bytes);
    }

    #[test]
    fn refuses_bad_version_bytes() {
        let good = TestExtrinsic::new_unsigned(TestCall::Remark(vec![])).encode_body();
        for version in [0x00u8, 0x03, 0x05, 0x44, 0x83, 0x85, 0xff] {
            let mut body = good.clone();
            body[0] = version;
            assert!(TestExtrinsic::decode_body(&body).is_err(), "{version:#x}");
            assert!(TestExtrinsic::decode(&mut &body.encode()[..]).is_err());
        }
        // An unsigned version byte in front of a signed body is refused too (leftover bytes).
        let mut body = signed(KeyScheme::Ed25519).encode_body();
        body[0] = 0x04;
        assert!(TestExtrinsic::decode_body(&body).is_err());
        assert!(TestExtrinsic::decode_body(&[]).is_err());
    }

    #[test]
    fn refuses_truncated_input() {
        for xt in [
            signed(KeyScheme::Sr25519),
            TestExtrinsic::new_unsigned(transfer()),
        ] {
            let encoded = xt.encode();
            for cut in 0..encoded.len() {
                assert!(
                    TestExtrinsic::decode(&mut &encoded[..cut]).is_err(),
                    "prefix of {cut} bytes"
                );
            }
            // A length prefix one short cuts the body: refused.
            let body = xt.encode_body();
            let mut short = Compact(body.len() as u32 - 1).encode();
            short.extend_from_slice(&body);
            assert!(TestExtrinsic::decode(&mut &short[..]).is_err());
        }
    }

    #[test]
    fn refuses_trailing_bytes_inside_the_body() {
        let mut body = signed(KeyScheme::Ecdsa).encode_body();
        body.push(0);
        assert!(TestExtrinsic::decode_body(&body).is_err());
        assert!(TestExtrinsic::decode(&mut &body.encode()[..]).is_err());
        // Bytes after the length-prefixed body belong to the next item, not to this one.
        let mut two = TestExtrinsic::new_unsigned(TestCall::Remark(vec![])).encode();
        two.push(0xee);
        let mut input = &two[..];
        assert!(TestExtrinsic::decode(&mut input).is_ok());
        assert_eq!(input, &[0xee]);
        assert!(TestExtrinsic::decode_all(&mut &two[..]).is_err());
    }

    #[test]
    fn call_depth_is_limited() {
        let shallow = TestExtrinsic::new_unsigned(nested(100)).encode();
        assert!(TestExtrinsic::decode_all(&mut &shallow[..]).is_ok());
        let deep = TestExtrinsic::new_unsigned(nested(MAX_CALL_DEPTH as usize + 10)).encode();
        assert!(TestExtrinsic::decode_all(&mut &deep[..]).is_err());
        // A hostile, deeply nested call without a matching end is refused too.
        let mut hostile = vec![0x04];
        hostile.extend(std::iter::repeat_n(2u8, 100_000));
        assert!(TestExtrinsic::decode_body(&hostile).is_err());
    }

    #[test]
    fn signatures_verify_for_every_scheme() {
        for scheme in [KeyScheme::Ed25519, KeyScheme::Sr25519, KeyScheme::Ecdsa] {
            let xt = signed(scheme);
            let alice = MultiPair::from_suri(scheme, "//Alice")
                .expect("dev key")
                .account_id();
            assert_eq!(xt.verify_signature(&additional()), Ok(Some(alice)));
            // Another genesis hash: the payload differs.
            let mut other = additional();
            other.2 = H256::repeat_byte(9);
            assert_eq!(
                xt.verify_signature(&other),
                Err(SignatureError::BadSignature)
            );
            // A tampered call.
            let mut tampered = xt.clone();
            tampered.function = TestCall::Remark(vec![]);
            assert_eq!(
                tampered.verify_signature(&additional()),
                Err(SignatureError::BadSignature)
            );
        }
        let mut xt = signed(KeyScheme::Sr25519);
        if let Some((address, ..)) = &mut xt.signature {
            *address = MultiAddress::Address20([0; 20]);
        }
        assert_eq!(
            xt.verify_signature(&additional()),
            Err(SignatureError::CannotLookup)
        );
        let unsigned = TestExtrinsic::new_unsigned(transfer());
        assert_eq!(unsigned.verify_signature(&additional()), Ok(None));
    }

    #[test]
    fn long_payloads_are_hashed() {
        let short = signed_payload(&TestCall::Remark(vec![1; 10]), &extra(), &additional());
        let mut expected = TestCall::Remark(vec![1; 10]).encode();
        expected.extend(extra().encode());
        expected.extend(additional().encode());
        assert_eq!(short, expected);

        // Exactly 256 bytes stays as is; 257 is hashed.
        let at = signed_payload(&[7u8; 256], &(), &());
        assert_eq!(at, vec![7u8; 256]);
        let over = signed_payload(&[7u8; 257], &(), &());
        assert_eq!(over, blake2_256(&[7u8; 257]).to_vec());

        // A signed extrinsic with a long call still verifies.
        let pair = MultiPair::from_suri(KeyScheme::Sr25519, "//Bob").expect("dev key");
        let xt = TestExtrinsic::new_signed_by(TestCall::Remark(vec![3; 1000]), extra(), &(), &pair);
        assert_eq!(xt.verify_signature(&()), Ok(Some(pair.account_id())));
    }

    #[test]
    fn opaque_matches_typed_encoding() {
        let xt = signed(KeyScheme::Sr25519);
        let opaque = OpaqueExtrinsic::from(&xt);
        assert_eq!(opaque.encode(), xt.encode());
        assert_eq!(opaque.to_full_bytes(), xt.encode());
        assert_eq!(opaque.body(), &xt.encode_body()[..]);
        assert_eq!(
            OpaqueExtrinsic::from_bytes(&xt.encode()),
            Ok(opaque.clone())
        );
        assert_eq!(opaque.decode_as::<TestCall, TestExtra>(), Ok(xt.clone()));
        assert_eq!(opaque.hash(), H256(blake2_256(&xt.encode())));
        assert_eq!(
            Vec::<OpaqueExtrinsic>::decode_all(&mut &vec![xt.clone()].encode()[..]),
            Ok(vec![opaque.clone()])
        );

        let mut trailing = xt.encode();
        trailing.push(0);
        assert!(OpaqueExtrinsic::from_bytes(&trailing).is_err());
        assert!(OpaqueExtrinsic::from_bytes(&xt.encode()[1..]).is_err());
        assert_eq!(
            OpaqueExtrinsic::from_body(xt.encode_body()).into_body(),
            xt.encode_body()
        );
    }

    #[test]
    fn opaque_json_is_full_encoding_hex() {
        let bytes = sp_core::bytes::from_hex("0x280404000bf04f37288c01").expect("hex");
        let opaque = OpaqueExtrinsic::from_bytes(&bytes).expect("decodes");
        assert_eq!(to_json(&opaque), r#""0x280404000bf04f37288c01""#);
        assert_eq!(
            format!("{opaque:?}"),
            "OpaqueExtrinsic(0x0404000bf04f37288c01)"
        );
    }

    #[test]
    fn type_info_matches_substrate() {
        let mut registry = Registry::new();
        let id = registry.register_type(&meta_type::<TestExtrinsic>());
        let portable: PortableRegistry = registry.into();
        let ty = portable.resolve(id.id).expect("registered type resolves");
        assert_eq!(
            ty.path.segments,
            vec![
                "sp_runtime",
                "generic",
                "unchecked_extrinsic",
                "UncheckedExtrinsic"
            ]
        );
        let params: Vec<&str> = ty.type_params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(params, vec!["Address", "Call", "Signature", "Extra"]);
        let param_path = |i: usize| {
            let id = ty.type_params[i].ty.expect("param has a type").id;
            portable
                .resolve(id)
                .expect("param resolves")
                .path
                .segments
                .clone()
        };
        assert_eq!(
            param_path(0),
            vec!["sp_runtime", "multiaddress", "MultiAddress"]
        );
        assert_eq!(param_path(2), vec!["sp_runtime", "MultiSignature"]);
        assert_eq!(param_path(1).last().map(String::as_str), Some("TestCall"));

        let TypeDef::Composite(composite) = &ty.type_def else {
            panic!("UncheckedExtrinsic must be a composite");
        };
        assert_eq!(composite.fields.len(), 1);
        assert_eq!(composite.fields[0].name, None);
        let field = portable
            .resolve(composite.fields[0].ty.id)
            .expect("field resolves");
        let TypeDef::Sequence(seq) = &field.type_def else {
            panic!("the field is Vec<u8>");
        };
        assert_eq!(
            portable
                .resolve(seq.type_param.id)
                .map(|t| t.type_def.clone()),
            Some(TypeDef::Primitive(scale_info::TypeDefPrimitive::U8))
        );

        let mut registry = Registry::new();
        let id = registry.register_type(&meta_type::<OpaqueExtrinsic>());
        let portable: PortableRegistry = registry.into();
        let ty = portable.resolve(id.id).expect("registered type resolves");
        assert_eq!(ty.path.segments, vec!["sp_runtime", "OpaqueExtrinsic"]);
    }
}
