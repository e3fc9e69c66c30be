//! Substrate's generic chain types, byte for byte: header, digest, era, extrinsic and block.
//!
//! Stock clients (py-substrate-interface, @polkadot/api) build extrinsics, recompute block
//! hashes and read headers without any Basalt-specific knowledge, so these types reproduce
//! Substrate's SCALE encodings, JSON shapes and metadata type paths
//! (`sp_runtime::generic::..`) exactly. They are native Rust with no runtime generics: block
//! numbers are `u32`, hashes blake2-256, accounts `AccountId32`.

pub mod block;
pub mod digest;
pub mod era;
pub mod header;
pub mod unchecked_extrinsic;

pub use block::{extrinsics_root, Block, Justification, SignedBlock};
pub use digest::{ConsensusEngineId, Digest, DigestItem};
pub use era::Era;
pub use header::Header;
pub use unchecked_extrinsic::{
    signed_payload, ExtrinsicAddress, OpaqueExtrinsic, SignatureError, UncheckedExtrinsic,
    EXTRINSIC_FORMAT_VERSION, MAX_CALL_DEPTH, SIGNED_PAYLOAD_HASH_THRESHOLD,
};

/// A minimal JSON writer for tests: the crate has no `serde_json`, and the JSON shapes are
/// part of the wire format, so the tests check them through this compact serializer (same
/// output as `serde_json::to_string` for the shapes used here).
#[cfg(test)]
pub(crate) mod test_json {
    use serde::ser::{self, Serialize};
    use std::fmt::{self, Display};

    /// Serialises `value` to compact JSON; panics on shapes the tests never produce.
    pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> String {
        let mut writer = Writer::default();
        value.serialize(&mut writer).expect("serialisable");
        writer.out
    }

    #[derive(Debug)]
    pub(crate) struct Unsupported(String);

    impl Display for Unsupported {
        fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl std::error::Error for Unsupported {}

    impl ser::Error for Unsupported {
        fn custom<T: Display>(msg: T) -> Self {
            Unsupported(msg.to_string())
        }
    }

    #[derive(Default)]
    pub(crate) struct Writer {
        out: String,
    }

    /// An open `[..]` or `{..}`; tracks whether a separator is due.
    pub(crate) struct Compound<'a> {
        writer: &'a mut Writer,
        first: bool,
        close: char,
    }

    impl Compound<'_> {
        fn separate(&mut self) {
            if !self.first {
                self.writer.out.push(',');
            }
            self.first = false;
        }
    }

    impl Writer {
        fn string(&mut self, s: &str) {
            self.out.push('"');
            for c in s.chars() {
                match c {
                    '"' => self.out.push_str("\\\""),
                    '\\' => self.out.push_str("\\\\"),
                    c if (c as u32) < 0x20 => self.out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => self.out.push(c),
                }
            }
            self.out.push('"');
        }

        fn open(&mut self, open: char, close: char) -> Compound<'_> {
            self.out.push(open);
            Compound {
                writer: self,
                first: true,
                close,
            }
        }
    }

    macro_rules! number {
        ($($method:ident: $ty:ty),*) => {$(
            fn $method(self, v: $ty) -> Result<(), Unsupported> {
                self.out.push_str(&v.to_string());
                Ok(())
            }
        )*};
    }

    impl<'a> ser::Serializer for &'a mut Writer {
        type Ok = ();
        type Error = Unsupported;
        type SerializeSeq = Compound<'a>;
        type SerializeTuple = Compound<'a>;
        type SerializeTupleStruct = Compound<'a>;
        type SerializeTupleVariant = ser::Impossible<(), Unsupported>;
        type SerializeMap = Compound<'a>;
        type SerializeStruct = Compound<'a>;
        type SerializeStructVariant = ser::Impossible<(), Unsupported>;

        number!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
            serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);

        fn serialize_bool(self, v: bool) -> Result<(), Unsupported> {
            self.out.push_str(if v { "true" } else { "false" });
            Ok(())
        }
        fn serialize_f32(self, _: f32) -> Result<(), Unsupported> {
            Err(Unsupported("float".into()))
        }
        fn serialize_f64(self, _: f64) -> Result<(), Unsupported> {
            Err(Unsupported("float".into()))
        }
        fn serialize_char(self, v: char) -> Result<(), Unsupported> {
            self.string(&v.to_string());
            Ok(())
        }
        fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
            self.string(v);
            Ok(())
        }
        fn serialize_bytes(self, v: &[u8]) -> Result<(), Unsupported> {
            let mut seq = self.open('[', ']');
            for b in v {
                ser::SerializeSeq::serialize_element(&mut seq, b)?;
            }
            ser::SerializeSeq::end(seq)
        }
        fn serialize_none(self) -> Result<(), Unsupported> {
            self.out.push_str("null");
            Ok(())
        }
        fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Unsupported> {
            v.serialize(self)
        }
        fn serialize_unit(self) -> Result<(), Unsupported> {
            self.serialize_none()
        }
        fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unsupported> {
            self.serialize_none()
        }
        fn serialize_unit_variant(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
        ) -> Result<(), Unsupported> {
            self.serialize_str(variant)
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            v: &T,
        ) -> Result<(), Unsupported> {
            v.serialize(self)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
            v: &T,
        ) -> Result<(), Unsupported> {
            self.out.push('{');
            self.string(variant);
            self.out.push(':');
            v.serialize(&mut *self)?;
            self.out.push('}');
            Ok(())
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Unsupported> {
            Ok(self.open('[', ']'))
        }
        fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, Unsupported> {
            Ok(self.open('[', ']'))
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Compound<'a>, Unsupported> {
            Ok(self.open('[', ']'))
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Unsupported> {
            Err(Unsupported("tuple variant".into()))
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Unsupported> {
            Ok(self.open('{', '}'))
        }
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Unsupported> {
            Ok(self.open('{', '}'))
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Unsupported> {
            Err(Unsupported("struct variant".into()))
        }
    }

    impl ser::SerializeSeq for Compound<'_> {
        type Ok = ();
        type Error = Unsupported;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Unsupported> {
            self.separate();
            v.serialize(&mut *self.writer)
        }
        fn end(self) -> Result<(), Unsupported> {
            self.writer.out.push(self.close);
            Ok(())
        }
    }

    impl ser::SerializeTuple for Compound<'_> {
        type Ok = ();
        type Error = Unsupported;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Unsupported> {
            ser::SerializeSeq::serialize_element(self, v)
        }
        fn end(self) -> Result<(), Unsupported> {
            ser::SerializeSeq::end(self)
        }
    }

    impl ser::SerializeTupleStruct for Compound<'_> {
        type Ok = ();
        type Error = Unsupported;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Unsupported> {
            ser::SerializeSeq::serialize_element(self, v)
        }
        fn end(self) -> Result<(), Unsupported> {
            ser::SerializeSeq::end(self)
        }
    }

    impl ser::SerializeMap for Compound<'_> {
        type Ok = ();
        type Error = Unsupported;
        fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Unsupported> {
            self.separate();
            k.serialize(&mut *self.writer)?;
            self.writer.out.push(':');
            Ok(())
        }
        fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Unsupported> {
            v.serialize(&mut *self.writer)
        }
        fn end(self) -> Result<(), Unsupported> {
            ser::SerializeSeq::end(self)
        }
    }

    impl ser::SerializeStruct for Compound<'_> {
        type Ok = ();
        type Error = Unsupported;
        fn serialize_field<T: Serialize + ?Sized>(
            &mut self,
            key: &'static str,
            v: &T,
        ) -> Result<(), Unsupported> {
            self.separate();
            self.writer.string(key);
            self.writer.out.push(':');
            v.serialize(&mut *self.writer)
        }
        fn end(self) -> Result<(), Unsupported> {
            ser::SerializeSeq::end(self)
        }
    }
}
