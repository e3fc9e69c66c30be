//! [`BoundedVec`] and [`BoundedBTreeMap`]: collections with a maximum length enforced when they
//! are built and when they are decoded.
//!
//! Call arguments come from anyone. A provider's capability strings, an NFT's metadata or a
//! royalty's recipients must not be able to carry megabytes into state, and the check must
//! happen while decoding, before anything is allocated for an oversized input. The types are
//! encoded exactly as `Vec<T>` and `BTreeMap<K, V>` and described in metadata as Substrate's
//! `bounded_collections` types, so stock clients encode them as the plain collections.

use codec::{Compact, Decode, DecodeWithMemTracking, Encode, EncodeLike, Input, Output};
use scale_info::build::Fields;
use scale_info::{meta_type, Path, Type, TypeInfo, TypeParameter};
use std::collections::BTreeMap;

/// A `Vec<T>` of at most `N` items.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct BoundedVec<T, const N: u32>(Vec<T>);

impl<T, const N: u32> Default for BoundedVec<T, N> {
    fn default() -> Self {
        BoundedVec(Vec::new())
    }
}

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

    /// Append `item`; gives it back when the vector is full.
    pub fn try_push(&mut self, item: T) -> Result<(), T> {
        if u32::try_from(self.0.len()).map_or(true, |len| len >= N) {
            return Err(item);
        }
        self.0.push(item);
        Ok(())
    }

    /// Insert `item` at `index` (at most the length), shifting the rest; gives it back when
    /// the vector is full or `index` is past the end. Keeps sorted vectors sorted when `index`
    /// comes from a binary search.
    pub fn try_insert(&mut self, index: usize, item: T) -> Result<(), T> {
        if index > self.0.len() || u32::try_from(self.0.len()).map_or(true, |len| len >= N) {
            return Err(item);
        }
        self.0.insert(index, item);
        Ok(())
    }

    /// The items, mutably; the length cannot change through this.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.0
    }

    /// Remove and return the item at `index`, if there is one.
    pub fn remove(&mut self, index: usize) -> Option<T> {
        (index < self.0.len()).then(|| self.0.remove(index))
    }

    /// Keep only the items for which `keep` holds.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.0.retain(keep)
    }
}

impl<T, const N: u32> core::ops::Deref for BoundedVec<T, N> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T, const N: u32> TryFrom<Vec<T>> for BoundedVec<T, N> {
    type Error = Vec<T>;
    fn try_from(items: Vec<T>) -> Result<Self, Vec<T>> {
        if u32::try_from(items.len()).map_or(true, |len| len > N) {
            Err(items)
        } else {
            Ok(BoundedVec(items))
        }
    }
}

impl<T: codec::MaxEncodedLen, const N: u32> codec::MaxEncodedLen for BoundedVec<T, N> {
    fn max_encoded_len() -> usize {
        let n = usize::try_from(N).unwrap_or(usize::MAX);
        Compact(N)
            .encoded_size()
            .saturating_add(n.saturating_mul(T::max_encoded_len()))
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

/// A `BTreeMap<K, V>` of at most `N` entries. Iteration is in key order, so it is
/// deterministic (unlike a hash map).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct BoundedBTreeMap<K, V, const N: u32>(BTreeMap<K, V>);

impl<K, V, const N: u32> Default for BoundedBTreeMap<K, V, N> {
    fn default() -> Self {
        BoundedBTreeMap(BTreeMap::new())
    }
}

impl<K: Ord, V, const N: u32> BoundedBTreeMap<K, V, N> {
    /// The bound.
    pub const BOUND: u32 = N;

    /// `map` if it holds at most `N` entries, else `None`.
    pub fn new(map: BTreeMap<K, V>) -> Option<Self> {
        if u32::try_from(map.len()).map_or(true, |len| len > N) {
            None
        } else {
            Some(BoundedBTreeMap(map))
        }
    }

    /// Insert or replace the value of `key`; gives the pair back when the map is full and
    /// `key` is new. Returns the replaced value.
    pub fn try_insert(&mut self, key: K, value: V) -> Result<Option<V>, (K, V)> {
        let full = u32::try_from(self.0.len()).map_or(true, |len| len >= N);
        if full && !self.0.contains_key(&key) {
            return Err((key, value));
        }
        Ok(self.0.insert(key, value))
    }

    /// Remove the entry of `key`, returning its value.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        self.0.remove(key)
    }

    /// The value of `key`.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.0.get(key)
    }

    /// The value of `key`, mutably.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.0.get_mut(key)
    }

    /// The entries in key order.
    pub fn iter(&self) -> std::collections::btree_map::Iter<'_, K, V> {
        self.0.iter()
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The map, taking ownership.
    pub fn into_inner(self) -> BTreeMap<K, V> {
        self.0
    }
}

impl<K: Encode, V: Encode, const N: u32> Encode for BoundedBTreeMap<K, V, N> {
    fn size_hint(&self) -> usize {
        self.0.size_hint()
    }
    fn encode_to<O: Output + ?Sized>(&self, dest: &mut O) {
        self.0.encode_to(dest)
    }
}

impl<K: Encode, V: Encode, const N: u32> EncodeLike for BoundedBTreeMap<K, V, N> {}

impl<K: Decode + Ord, V: Decode, const N: u32> Decode for BoundedBTreeMap<K, V, N> {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let len = Compact::<u32>::decode(input)?.0;
        if len > N {
            return Err("BoundedBTreeMap longer than its bound".into());
        }
        let mut map = BTreeMap::new();
        for _ in 0..len {
            let key = K::decode(input)?;
            let value = V::decode(input)?;
            if map.insert(key, value).is_some() {
                return Err("BoundedBTreeMap with a duplicate key".into());
            }
        }
        Ok(BoundedBTreeMap(map))
    }
}

impl<K: DecodeWithMemTracking + Ord, V: DecodeWithMemTracking, const N: u32> DecodeWithMemTracking
    for BoundedBTreeMap<K, V, N>
{
}

impl<K: TypeInfo + 'static, V: TypeInfo + 'static, const N: u32> TypeInfo
    for BoundedBTreeMap<K, V, N>
{
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new(
                "BoundedBTreeMap",
                "bounded_collections::bounded_btree_map",
            ))
            .type_params(vec![
                TypeParameter::new("K", Some(meta_type::<K>())),
                TypeParameter::new("V", Some(meta_type::<V>())),
                TypeParameter::new("S", None),
            ])
            .composite(
                Fields::unnamed().field(|f| f.ty::<BTreeMap<K, V>>().type_name("BTreeMap<K, V>")),
            )
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
    fn try_push_stops_at_the_bound() {
        let mut v = BoundedVec::<u8, 2>::default();
        assert_eq!(v.try_push(1), Ok(()));
        assert_eq!(v.try_push(2), Ok(()));
        assert_eq!(v.try_push(3), Err(3));
        assert_eq!(&*v, &[1, 2]);
        assert_eq!(v.remove(5), None);
        assert_eq!(BoundedVec::<u8, 2>::try_from(vec![0; 3]), Err(vec![0; 3]));
    }

    #[test]
    fn btree_map_is_bounded_on_insert_and_decode() {
        let mut m = BoundedBTreeMap::<u8, u32, 2>::default();
        assert_eq!(m.try_insert(1, 10), Ok(None));
        assert_eq!(m.try_insert(2, 20), Ok(None));
        assert_eq!(m.try_insert(3, 30), Err((3, 30)));
        assert_eq!(m.try_insert(2, 21), Ok(Some(20)), "replacing needs no room");
        let encoded = m.encode();
        assert_eq!(encoded, m.clone().into_inner().encode());
        assert_eq!(
            BoundedBTreeMap::<u8, u32, 2>::decode(&mut &encoded[..]),
            Ok(m)
        );
        let three: BTreeMap<u8, u32> = [(1, 1), (2, 2), (3, 3)].into_iter().collect();
        assert!(BoundedBTreeMap::<u8, u32, 2>::decode(&mut &three.encode()[..]).is_err());
        // A duplicate key on the wire is refused rather than silently merged.
        let dup = (Compact(2u32), 1u8, 1u32, 1u8, 2u32).encode();
        assert!(BoundedBTreeMap::<u8, u32, 2>::decode(&mut &dup[..]).is_err());
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
