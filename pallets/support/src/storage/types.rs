//! Typed storage items: values, maps, double maps and counted maps.
//!
//! Each item is a zero-sized type named by its pallet and item names (a [`StorageInstance`]);
//! its methods read and write [`crate::state::io`]. Values are SCALE-encoded. A stored value that
//! no longer decodes is treated as absent, as FRAME does, so corrupt state cannot crash a block.

use super::hashers::{ReversibleStorageHasher, StorageHasher};
use crate::primitives::hashing::twox_128;
use crate::state::io;
use codec::{Decode, Encode, EncodeLike, FullCodec};
use core::marker::PhantomData;
use frame_metadata::v14::{StorageEntryMetadata, StorageEntryModifier, StorageEntryType};
use scale_info::{form::MetaForm, meta_type, StaticTypeInfo};

/// Names a storage item: `twox128(PALLET) ++ twox128(NAME)` is its key prefix.
pub trait StorageInstance {
    /// The pallet's name in the runtime (e.g. "Balances").
    const PALLET: &'static str;
    /// The item's name (e.g. "TotalIssuance").
    const NAME: &'static str;

    /// `twox128(PALLET) ++ twox128(NAME)`.
    fn prefix() -> [u8; 32] {
        hashed_prefix::<Self>()
    }
}

/// Computes `twox128(PALLET) ++ twox128(NAME)` of `P`.
pub fn hashed_prefix<P: StorageInstance + ?Sized>() -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..16].copy_from_slice(&twox_128(P::PALLET.as_bytes()));
    out[16..].copy_from_slice(&twox_128(P::NAME.as_bytes()));
    out
}

/// What reading an absent item gives: `Option<V>` ([`OptionQuery`]) or `V::default()`
/// ([`ValueQuery`]).
pub trait QueryKind<V> {
    /// The type `get` returns.
    type Query;
    /// How the metadata describes absence.
    const MODIFIER: StorageEntryModifier;
    /// The query for a stored value (`None` when absent).
    fn from_optional(v: Option<V>) -> Self::Query;
    /// What to store for a query (`None` deletes).
    fn to_optional(q: Self::Query) -> Option<V>;
    /// The metadata's default bytes.
    fn default_bytes() -> Vec<u8>;
}

/// Absent items read as `None`.
pub struct OptionQuery;
/// Absent items read as `V::default()`.
pub struct ValueQuery;

impl<V: Encode> QueryKind<V> for OptionQuery {
    type Query = Option<V>;
    const MODIFIER: StorageEntryModifier = StorageEntryModifier::Optional;
    fn from_optional(v: Option<V>) -> Option<V> {
        v
    }
    fn to_optional(q: Option<V>) -> Option<V> {
        q
    }
    fn default_bytes() -> Vec<u8> {
        vec![0]
    }
}

impl<V: Encode + Default> QueryKind<V> for ValueQuery {
    type Query = V;
    const MODIFIER: StorageEntryModifier = StorageEntryModifier::Default;
    fn from_optional(v: Option<V>) -> V {
        v.unwrap_or_default()
    }
    fn to_optional(q: V) -> Option<V> {
        Some(q)
    }
    fn default_bytes() -> Vec<u8> {
        V::default().encode()
    }
}

/// Describes an item in metadata.
pub trait StorageEntryMetadataBuilder {
    /// The item's metadata entries (a counted map also describes its counter).
    fn entries(docs: Vec<&'static str>) -> Vec<StorageEntryMetadata<MetaForm>>;
}

fn read<V: Decode>(key: &[u8]) -> Option<V> {
    io::get(key).and_then(|bytes| V::decode(&mut &bytes[..]).ok())
}

fn write<V: Encode>(key: &[u8], value: Option<V>) {
    match value {
        Some(v) => v.using_encoded(|b| io::set(key, b)),
        None => io::clear(key),
    }
}

/// A single value.
pub struct StorageValue<P, V, Q = OptionQuery>(PhantomData<(P, V, Q)>);

impl<P: StorageInstance, V: FullCodec, Q: QueryKind<V>> StorageValue<P, V, Q> {
    /// The full storage key.
    pub fn hashed_key() -> [u8; 32] {
        P::prefix()
    }
    /// The value, or the query's default.
    pub fn get() -> Q::Query {
        Q::from_optional(read(&P::prefix()))
    }
    /// The value if stored and decodable.
    pub fn try_get() -> Option<V> {
        read(&P::prefix())
    }
    /// Whether a value is stored.
    pub fn exists() -> bool {
        io::exists(&P::prefix())
    }
    /// Store `v`.
    pub fn put<A: EncodeLike<V>>(v: A) {
        v.using_encoded(|b| io::set(&P::prefix(), b))
    }
    /// Store the query `q` (`None`-like queries delete).
    pub fn set(q: Q::Query) {
        write(&P::prefix(), Q::to_optional(q))
    }
    /// Delete the value.
    pub fn kill() {
        io::clear(&P::prefix())
    }
    /// Read and delete.
    pub fn take() -> Q::Query {
        let q = Self::get();
        Self::kill();
        q
    }
    /// Change the value with `f`.
    pub fn mutate<R>(f: impl FnOnce(&mut Q::Query) -> R) -> R {
        let mut q = Self::get();
        let r = f(&mut q);
        Self::set(q);
        r
    }
    /// Change the value with `f`, writing only if it returns `Ok`.
    pub fn try_mutate<R, E>(f: impl FnOnce(&mut Q::Query) -> Result<R, E>) -> Result<R, E> {
        let mut q = Self::get();
        let r = f(&mut q)?;
        Self::set(q);
        Ok(r)
    }
}

impl<P: StorageInstance, V: FullCodec + StaticTypeInfo, Q: QueryKind<V>> StorageEntryMetadataBuilder
    for StorageValue<P, V, Q>
{
    fn entries(docs: Vec<&'static str>) -> Vec<StorageEntryMetadata<MetaForm>> {
        vec![StorageEntryMetadata {
            name: P::NAME,
            modifier: Q::MODIFIER,
            ty: StorageEntryType::Plain(meta_type::<V>()),
            default: Q::default_bytes(),
            docs,
        }]
    }
}

/// A map from `K` to `V`, keys hashed with `H`.
pub struct StorageMap<P, H, K, V, Q = OptionQuery>(PhantomData<(P, H, K, V, Q)>);

impl<P: StorageInstance, H: StorageHasher, K: FullCodec, V: FullCodec, Q: QueryKind<V>>
    StorageMap<P, H, K, V, Q>
{
    /// The full storage key of `k`.
    pub fn hashed_key_for<KA: EncodeLike<K>>(k: KA) -> Vec<u8> {
        let mut key = P::prefix().to_vec();
        k.using_encoded(|b| key.extend_from_slice(&H::hash(b)));
        key
    }
    /// The value under `k`, or the query's default.
    pub fn get<KA: EncodeLike<K>>(k: KA) -> Q::Query {
        Q::from_optional(read(&Self::hashed_key_for(k)))
    }
    /// The value under `k` if stored and decodable.
    pub fn try_get<KA: EncodeLike<K>>(k: KA) -> Option<V> {
        read(&Self::hashed_key_for(k))
    }
    /// Whether `k` holds a value.
    pub fn contains_key<KA: EncodeLike<K>>(k: KA) -> bool {
        io::exists(&Self::hashed_key_for(k))
    }
    /// Store `v` under `k`.
    pub fn insert<KA: EncodeLike<K>, VA: EncodeLike<V>>(k: KA, v: VA) {
        let key = Self::hashed_key_for(k);
        v.using_encoded(|b| io::set(&key, b))
    }
    /// Store the query `q` under `k`.
    pub fn set<KA: EncodeLike<K>>(k: KA, q: Q::Query) {
        write(&Self::hashed_key_for(k), Q::to_optional(q))
    }
    /// Delete `k`.
    pub fn remove<KA: EncodeLike<K>>(k: KA) {
        io::clear(&Self::hashed_key_for(k))
    }
    /// Read and delete `k`.
    pub fn take<KA: EncodeLike<K>>(k: KA) -> Q::Query {
        let key = Self::hashed_key_for(k);
        let v = read(&key);
        io::clear(&key);
        Q::from_optional(v)
    }
    /// Change the value under `k` with `f`.
    pub fn mutate<KA: EncodeLike<K>, R>(k: KA, f: impl FnOnce(&mut Q::Query) -> R) -> R {
        let key = Self::hashed_key_for(k);
        let mut q = Q::from_optional(read(&key));
        let r = f(&mut q);
        write(&key, Q::to_optional(q));
        r
    }
    /// Change the value under `k` with `f`, writing only if it returns `Ok`.
    pub fn try_mutate<KA: EncodeLike<K>, R, E>(
        k: KA,
        f: impl FnOnce(&mut Q::Query) -> Result<R, E>,
    ) -> Result<R, E> {
        let key = Self::hashed_key_for(k);
        let mut q = Q::from_optional(read(&key));
        let r = f(&mut q)?;
        write(&key, Q::to_optional(q));
        Ok(r)
    }
    /// Change the value under `k` seen as present or absent; `None` afterwards deletes it.
    pub fn mutate_exists<KA: EncodeLike<K>, R>(k: KA, f: impl FnOnce(&mut Option<V>) -> R) -> R {
        let key = Self::hashed_key_for(k);
        let mut v = read(&key);
        let r = f(&mut v);
        write(&key, v);
        r
    }
    /// As [`Self::mutate_exists`], writing only if `f` returns `Ok`.
    pub fn try_mutate_exists<KA: EncodeLike<K>, R, E>(
        k: KA,
        f: impl FnOnce(&mut Option<V>) -> Result<R, E>,
    ) -> Result<R, E> {
        let key = Self::hashed_key_for(k);
        let mut v = read(&key);
        let r = f(&mut v)?;
        write(&key, v);
        Ok(r)
    }
    /// Delete up to `limit` entries; returns how many were deleted.
    pub fn clear(limit: u32) -> u32 {
        io::clear_prefix(&P::prefix(), limit)
    }
}

impl<
        P: StorageInstance,
        H: ReversibleStorageHasher,
        K: FullCodec,
        V: FullCodec,
        Q: QueryKind<V>,
    > StorageMap<P, H, K, V, Q>
{
    /// All `(key, value)` pairs in storage-key order (undecodable entries are skipped).
    pub fn iter() -> impl Iterator<Item = (K, V)> {
        PrefixIter::new(P::prefix().to_vec()).filter_map(|(key, value)| {
            let mut rest = H::reverse(key.get(32..)?)?;
            let k = K::decode(&mut rest).ok()?;
            let v = V::decode(&mut &value[..]).ok()?;
            Some((k, v))
        })
    }
    /// All keys in storage-key order.
    pub fn iter_keys() -> impl Iterator<Item = K> {
        Self::iter().map(|(k, _)| k)
    }
    /// All values in storage-key order.
    pub fn iter_values() -> impl Iterator<Item = V> {
        Self::iter().map(|(_, v)| v)
    }
}

impl<
        P: StorageInstance,
        H: StorageHasher,
        K: FullCodec + StaticTypeInfo,
        V: FullCodec + StaticTypeInfo,
        Q: QueryKind<V>,
    > StorageEntryMetadataBuilder for StorageMap<P, H, K, V, Q>
{
    fn entries(docs: Vec<&'static str>) -> Vec<StorageEntryMetadata<MetaForm>> {
        vec![StorageEntryMetadata {
            name: P::NAME,
            modifier: Q::MODIFIER,
            ty: StorageEntryType::Map {
                hashers: vec![H::METADATA],
                key: meta_type::<K>(),
                value: meta_type::<V>(),
            },
            default: Q::default_bytes(),
            docs,
        }]
    }
}

/// A map keyed by two keys, `K1` hashed with `H1` then `K2` hashed with `H2`; all entries of
/// one `K1` share a prefix and can be iterated or removed together.
pub struct StorageDoubleMap<P, H1, K1, H2, K2, V, Q = OptionQuery>(
    PhantomData<(P, H1, K1, H2, K2, V, Q)>,
);

impl<P, H1, K1, H2, K2, V, Q> StorageDoubleMap<P, H1, K1, H2, K2, V, Q>
where
    P: StorageInstance,
    H1: StorageHasher,
    K1: FullCodec,
    H2: StorageHasher,
    K2: FullCodec,
    V: FullCodec,
    Q: QueryKind<V>,
{
    /// The prefix shared by all entries of `k1`.
    pub fn prefix_for<KA: EncodeLike<K1>>(k1: KA) -> Vec<u8> {
        let mut key = P::prefix().to_vec();
        k1.using_encoded(|b| key.extend_from_slice(&H1::hash(b)));
        key
    }
    /// The full storage key of `(k1, k2)`.
    pub fn hashed_key_for<KA: EncodeLike<K1>, KB: EncodeLike<K2>>(k1: KA, k2: KB) -> Vec<u8> {
        let mut key = Self::prefix_for(k1);
        k2.using_encoded(|b| key.extend_from_slice(&H2::hash(b)));
        key
    }
    /// The value under `(k1, k2)`, or the query's default.
    pub fn get<KA: EncodeLike<K1>, KB: EncodeLike<K2>>(k1: KA, k2: KB) -> Q::Query {
        Q::from_optional(read(&Self::hashed_key_for(k1, k2)))
    }
    /// Whether `(k1, k2)` holds a value.
    pub fn contains_key<KA: EncodeLike<K1>, KB: EncodeLike<K2>>(k1: KA, k2: KB) -> bool {
        io::exists(&Self::hashed_key_for(k1, k2))
    }
    /// Store `v` under `(k1, k2)`.
    pub fn insert<KA: EncodeLike<K1>, KB: EncodeLike<K2>, VA: EncodeLike<V>>(
        k1: KA,
        k2: KB,
        v: VA,
    ) {
        let key = Self::hashed_key_for(k1, k2);
        v.using_encoded(|b| io::set(&key, b))
    }
    /// Delete `(k1, k2)`.
    pub fn remove<KA: EncodeLike<K1>, KB: EncodeLike<K2>>(k1: KA, k2: KB) {
        io::clear(&Self::hashed_key_for(k1, k2))
    }
    /// Read and delete `(k1, k2)`.
    pub fn take<KA: EncodeLike<K1>, KB: EncodeLike<K2>>(k1: KA, k2: KB) -> Q::Query {
        let key = Self::hashed_key_for(k1, k2);
        let v = read(&key);
        io::clear(&key);
        Q::from_optional(v)
    }
    /// Change the value under `(k1, k2)` with `f`.
    pub fn mutate<KA: EncodeLike<K1>, KB: EncodeLike<K2>, R>(
        k1: KA,
        k2: KB,
        f: impl FnOnce(&mut Q::Query) -> R,
    ) -> R {
        let key = Self::hashed_key_for(k1, k2);
        let mut q = Q::from_optional(read(&key));
        let r = f(&mut q);
        write(&key, Q::to_optional(q));
        r
    }
    /// Change the value under `(k1, k2)` with `f`, writing only if it returns `Ok`.
    pub fn try_mutate<KA: EncodeLike<K1>, KB: EncodeLike<K2>, R, E>(
        k1: KA,
        k2: KB,
        f: impl FnOnce(&mut Q::Query) -> Result<R, E>,
    ) -> Result<R, E> {
        let key = Self::hashed_key_for(k1, k2);
        let mut q = Q::from_optional(read(&key));
        let r = f(&mut q)?;
        write(&key, Q::to_optional(q));
        Ok(r)
    }
    /// Delete up to `limit` entries under `k1`; returns how many were deleted.
    pub fn clear_prefix<KA: EncodeLike<K1>>(k1: KA, limit: u32) -> u32 {
        io::clear_prefix(&Self::prefix_for(k1), limit)
    }
}

impl<P, H1, K1, H2, K2, V, Q> StorageDoubleMap<P, H1, K1, H2, K2, V, Q>
where
    P: StorageInstance,
    H1: ReversibleStorageHasher,
    K1: FullCodec,
    H2: ReversibleStorageHasher,
    K2: FullCodec,
    V: FullCodec,
    Q: QueryKind<V>,
{
    /// All `(k2, value)` pairs under `k1`.
    pub fn iter_prefix<KA: EncodeLike<K1>>(k1: KA) -> impl Iterator<Item = (K2, V)> {
        let prefix = Self::prefix_for(k1);
        let skip = prefix.len();
        PrefixIter::new(prefix).filter_map(move |(key, value)| {
            let mut rest = H2::reverse(key.get(skip..)?)?;
            let k2 = K2::decode(&mut rest).ok()?;
            Some((k2, V::decode(&mut &value[..]).ok()?))
        })
    }
    /// All `(k1, k2, value)` triples.
    pub fn iter() -> impl Iterator<Item = (K1, K2, V)> {
        PrefixIter::new(P::prefix().to_vec()).filter_map(|(key, value)| {
            let mut rest = H1::reverse(key.get(32..)?)?;
            let k1 = K1::decode(&mut rest).ok()?;
            let mut rest = H2::reverse(rest)?;
            let k2 = K2::decode(&mut rest).ok()?;
            Some((k1, k2, V::decode(&mut &value[..]).ok()?))
        })
    }
}

impl<P, H1, K1, H2, K2, V, Q> StorageEntryMetadataBuilder
    for StorageDoubleMap<P, H1, K1, H2, K2, V, Q>
where
    P: StorageInstance,
    H1: StorageHasher,
    K1: FullCodec + StaticTypeInfo,
    H2: StorageHasher,
    K2: FullCodec + StaticTypeInfo,
    V: FullCodec + StaticTypeInfo,
    Q: QueryKind<V>,
{
    fn entries(docs: Vec<&'static str>) -> Vec<StorageEntryMetadata<MetaForm>> {
        vec![StorageEntryMetadata {
            name: P::NAME,
            modifier: Q::MODIFIER,
            ty: StorageEntryType::Map {
                hashers: vec![H1::METADATA, H2::METADATA],
                key: meta_type::<(K1, K2)>(),
                value: meta_type::<V>(),
            },
            default: Q::default_bytes(),
            docs,
        }]
    }
}

/// Names the counter of a counted map: `CounterFor` ++ the map's name, as FRAME does.
pub struct CounterOf<P>(PhantomData<P>);

impl<P: StorageInstance> CounterOf<P> {
    fn key() -> [u8; 32] {
        let mut out = [0u8; 32];
        out[..16].copy_from_slice(&twox_128(P::PALLET.as_bytes()));
        let mut name = b"CounterFor".to_vec();
        name.extend_from_slice(P::NAME.as_bytes());
        out[16..].copy_from_slice(&twox_128(&name));
        out
    }
}

/// A map that also keeps the number of its entries in a `CounterFor<Name>` value, so the count
/// is O(1) to read.
pub struct CountedStorageMap<P, H, K, V, Q = OptionQuery>(PhantomData<(P, H, K, V, Q)>);

impl<P: StorageInstance, H: StorageHasher, K: FullCodec, V: FullCodec, Q: QueryKind<V>>
    CountedStorageMap<P, H, K, V, Q>
{
    fn set_count(n: u32) {
        io::set(&CounterOf::<P>::key(), &n.encode())
    }
    /// The number of entries.
    pub fn count() -> u32 {
        read(&CounterOf::<P>::key()).unwrap_or(0)
    }
    /// The full storage key of `k`.
    pub fn hashed_key_for<KA: EncodeLike<K>>(k: KA) -> Vec<u8> {
        StorageMap::<P, H, K, V, Q>::hashed_key_for(k)
    }
    /// The value under `k`, or the query's default.
    pub fn get<KA: EncodeLike<K>>(k: KA) -> Q::Query {
        StorageMap::<P, H, K, V, Q>::get(k)
    }
    /// Whether `k` holds a value.
    pub fn contains_key<KA: EncodeLike<K>>(k: KA) -> bool {
        StorageMap::<P, H, K, V, Q>::contains_key(k)
    }
    /// Store `v` under `k`, counting it if new.
    pub fn insert<KA: EncodeLike<K>, VA: EncodeLike<V>>(k: KA, v: VA) {
        let key = Self::hashed_key_for(k);
        if !io::exists(&key) {
            Self::set_count(Self::count().saturating_add(1));
        }
        v.using_encoded(|b| io::set(&key, b))
    }
    /// Delete `k`, uncounting it if present.
    pub fn remove<KA: EncodeLike<K>>(k: KA) {
        let key = Self::hashed_key_for(k);
        if io::exists(&key) {
            Self::set_count(Self::count().saturating_sub(1));
            io::clear(&key);
        }
    }
    /// Change the value under `k` seen as present or absent, keeping the count right.
    pub fn mutate_exists<KA: EncodeLike<K>, R>(k: KA, f: impl FnOnce(&mut Option<V>) -> R) -> R {
        match Self::try_mutate_exists(k, |v| Ok::<R, core::convert::Infallible>(f(v))) {
            Ok(r) => r,
            Err(never) => match never {},
        }
    }
    /// As [`Self::mutate_exists`], writing only if `f` returns `Ok`.
    pub fn try_mutate_exists<KA: EncodeLike<K>, R, E>(
        k: KA,
        f: impl FnOnce(&mut Option<V>) -> Result<R, E>,
    ) -> Result<R, E> {
        let key = Self::hashed_key_for(k);
        let mut v = read::<V>(&key);
        let existed = v.is_some();
        let r = f(&mut v)?;
        match (existed, v.is_some()) {
            (false, true) => Self::set_count(Self::count().saturating_add(1)),
            (true, false) => Self::set_count(Self::count().saturating_sub(1)),
            _ => {}
        }
        write(&key, v);
        Ok(r)
    }
}

impl<
        P: StorageInstance,
        H: ReversibleStorageHasher,
        K: FullCodec,
        V: FullCodec,
        Q: QueryKind<V>,
    > CountedStorageMap<P, H, K, V, Q>
{
    /// All `(key, value)` pairs in storage-key order.
    pub fn iter() -> impl Iterator<Item = (K, V)> {
        StorageMap::<P, H, K, V, Q>::iter()
    }
}

impl<
        P: StorageInstance,
        H: StorageHasher,
        K: FullCodec + StaticTypeInfo,
        V: FullCodec + StaticTypeInfo,
        Q: QueryKind<V>,
    > StorageEntryMetadataBuilder for CountedStorageMap<P, H, K, V, Q>
{
    fn entries(docs: Vec<&'static str>) -> Vec<StorageEntryMetadata<MetaForm>> {
        let mut entries = StorageMap::<P, H, K, V, Q>::entries(docs);
        entries.push(StorageEntryMetadata {
            name: counter_name(P::NAME),
            modifier: StorageEntryModifier::Default,
            ty: StorageEntryType::Plain(meta_type::<u32>()),
            default: 0u32.encode(),
            docs: vec!["Counter for the related counted storage map"],
        });
        entries
    }
}

/// `CounterFor<name>` as a `'static` string for metadata. Metadata is built a bounded number of
/// times per process (once per counted map per build), so leaking these few bytes is harmless.
fn counter_name(name: &'static str) -> &'static str {
    Box::leak(format!("CounterFor{name}").into_boxed_str())
}

/// Iterates the `(key, value)` pairs whose key starts with a prefix, reading storage lazily.
pub struct PrefixIter {
    prefix: Vec<u8>,
    cursor: Vec<u8>,
    done: bool,
}

impl PrefixIter {
    /// Start before the first key of `prefix`.
    pub fn new(prefix: Vec<u8>) -> Self {
        PrefixIter {
            cursor: prefix.clone(),
            prefix,
            done: false,
        }
    }
}

impl Iterator for PrefixIter {
    type Item = (Vec<u8>, Vec<u8>);
    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match io::next_key(&self.cursor) {
                Some(key) if key.starts_with(&self.prefix) => {
                    self.cursor = key.clone();
                    if let Some(value) = io::get(&key) {
                        return Some((key, value));
                    }
                }
                _ => self.done = true,
            }
        }
        None
    }
}
