//! [`BoundedVec`]: a vector with a maximum length enforced when it is decoded.
//!
//! Call arguments come from anyone. A provider's capability strings must not be able to carry
//! megabytes into state, and the check must happen while decoding, before anything is
//! allocated for an oversized input. The type is encoded exactly as a `Vec<T>` and described in
//! metadata as Substrate's `bounded_collections::bounded_vec::BoundedVec<T, S>`, so stock
//! clients encode it as a plain vector of bytes.

use codec::{Compact, Decode, DecodeWithMemTracking, Encode, EncodeLike, Input, Output};
use scale_info::build::Fields;
use scale_info::{meta_type, Path, Type, TypeInfo, TypeParameter};

/// A `Vec<T>` of at most `N` items.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug, Default)]
pub struct BoundedVec<T, const N: u32>(Vec<T>);

impl<T, const N: u32> BoundedVec<T, N> {
    /// The bound.
    pub const BOUND: u32 = N;

    /// `items` if it holds at most `N` items, else `None`.
    pub fn new(items: Vec<T>) -> Option<Self> {
        if u32::try_from(items.len()).map_or(true, |len| len > N) {
            None
        } else {
            Some(BoundedVec(items))
        }
    }

    /// The items.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The items, taking ownership.
    pub fn into_inner(self) -> Vec<T> {
        self.0
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: Encode, const N: u32> Encode for BoundedVec<T, N> {
    fn size_hint(&self) -> usize {
        self.0.size_hint()
    }
    fn encode_to<O: Output + ?Sized>(&self, dest: &mut O) {
        self.0.encode_to(dest)
    }
}

impl<T: Encode, const N: u32> EncodeLike for BoundedVec<T, N> {}
impl<T: Encode, const N: u32> EncodeLike<Vec<T>> for BoundedVec<T, N> {}

impl<T: Decode, const N: u32> Decode for BoundedVec<T, N> {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let len = Compact::<u32>::decode(input)?.0;
        if len > N {
            return Err("BoundedVec longer than its bound".into());
        }
        let len =
            usize::try_from(len).map_err(|_| codec::Error::from("length does not fit usize"))?;
        Ok(BoundedVec(codec::decode_vec_with_len(input, len)?))
    }
}

// Decoding allocates only through `decode_vec_with_len`, which reports its allocations.
impl<T: DecodeWithMemTracking, const N: u32> DecodeWithMemTracking for BoundedVec<T, N> {}

impl<T: TypeInfo + 'static, const N: u32> TypeInfo for BoundedVec<T, N> {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("BoundedVec", "bounded_collections::bounded_vec"))
            .type_params(vec![
                TypeParameter::new("T", Some(meta_type::<T>())),
                TypeParameter::new("S", None),
            ])
            .composite(Fields::unnamed().field(|f| f.ty::<Vec<T>>().type_name("Vec<T>")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_vec_and_refuses_long_inputs() {
        let v = BoundedVec::<u8, 3>::new(vec![1, 2, 3]).unwrap();
        assert_eq!(v.encode(), vec![1u8, 2, 3].encode());
        assert_eq!(BoundedVec::<u8, 3>::decode(&mut &v.encode()[..]), Ok(v));
        assert!(BoundedVec::<u8, 3>::new(vec![0; 4]).is_none());
        assert!(BoundedVec::<u8, 3>::decode(&mut &vec![0u8; 4].encode()[..]).is_err());
        // A huge announced length is refused before anything is allocated.
        assert!(BoundedVec::<u8, 3>::decode(&mut &Compact(u32::MAX).encode()[..]).is_err());
    }

    #[test]
    fn metadata_path_is_substrates() {
        use scale_info::{PortableRegistry, Registry};
        let mut registry = Registry::new();
        registry.register_type(&meta_type::<BoundedVec<u8, 3>>());
        let portable: PortableRegistry = registry.into();
        let found = portable.types.iter().any(|t| {
            t.ty.path.segments == vec!["bounded_collections", "bounded_vec", "BoundedVec"]
        });
        assert!(found);
    }
}
