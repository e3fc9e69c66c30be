//! Typed storage with Substrate's key layout: `twox128(pallet) ++ twox128(item) ++ hasher(key)`.
//!
//! A pallet declares its items once with [`crate::storage!`]; the macro names each item, gives
//! it its key prefix and builds the pallet's storage metadata from the same declaration.

pub mod hashers;
pub mod types;

pub use hashers::{
    Blake2_128Concat, Identity, ReversibleStorageHasher, StorageHasher, Twox64Concat,
};
pub use types::{
    CountedStorageMap, OptionQuery, PrefixIter, QueryKind, StorageDoubleMap,
    StorageEntryMetadataBuilder, StorageInstance, StorageMap, StorageValue, ValueQuery,
};

/// Declares a pallet's storage items and its `storage_metadata()` function.
///
/// ```ignore
/// basalt_support::storage! {
///     pallet = "Balances";
///     /// The total units issued.
///     pub TotalIssuance: StorageValue<Balance, ValueQuery>;
///     /// Named locks on an account's balance.
///     pub Locks: StorageMap<Blake2_128Concat, AccountId, Vec<BalanceLock>, ValueQuery>;
/// }
/// ```
/// Each item becomes a type alias of the named storage type with a generated
/// [`StorageInstance`] (pallet name, item name) as its first parameter.
#[macro_export]
macro_rules! storage {
    (
        pallet = $pallet:literal;
        $(
            $(#[doc = $doc:literal])*
            $vis:vis $name:ident : $kind:ident < $($arg:ty),+ $(,)? > ;
        )*
    ) => {
        /// The names of this pallet's storage items.
        #[doc(hidden)]
        pub mod storage_names {
            $(
                #[doc = concat!("The name of `", stringify!($name), "`.")]
                pub struct $name;
                impl $crate::storage::StorageInstance for $name {
                    const PALLET: &'static str = $pallet;
                    const NAME: &'static str = stringify!($name);
                    fn prefix() -> [u8; 32] {
                        // Hashed once per process: every access of the item needs it.
                        static PREFIX: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
                        *PREFIX.get_or_init($crate::storage::types::hashed_prefix::<Self>)
                    }
                }
            )*
        }

        $(
            $(#[doc = $doc])*
            $vis type $name = $crate::storage::$kind<storage_names::$name, $($arg),+>;
        )*

        /// This pallet's storage items as metadata describes them.
        pub fn storage_metadata(
        ) -> $crate::frame_metadata::v14::PalletStorageMetadata<$crate::scale_info::form::MetaForm> {
            let mut entries = Vec::new();
            $(
                entries.extend(<$name as $crate::storage::StorageEntryMetadataBuilder>::entries(
                    vec![$($doc),*],
                ));
            )*
            $crate::frame_metadata::v14::PalletStorageMetadata { prefix: $pallet, entries }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::primitives::AccountId;
    use crate::state::{Externalities, InMemoryNodes, TrieBackend};
    use std::sync::Arc;

    mod demo {
        use super::super::*;
        use crate::primitives::AccountId;
        crate::storage! {
            pallet = "Demo";
            /// A plain value.
            pub Total: StorageValue<u64, ValueQuery>;
            /// A map.
            pub Balances: StorageMap<Blake2_128Concat, AccountId, u64, OptionQuery>;
            /// A double map.
            pub Pairs: StorageDoubleMap<Twox64Concat, u32, Blake2_128Concat, u32, u8, ValueQuery>;
            /// A counted map.
            pub Members: CountedStorageMap<Twox64Concat, u32, (), OptionQuery>;
        }
    }

    fn ext() -> Externalities {
        Externalities::new(Arc::new(TrieBackend::empty(InMemoryNodes::default())))
    }

    #[test]
    fn keys_follow_substrate_layout() {
        // twox128("System") ++ twox128("Account"), the key every Substrate tool knows.
        struct Account;
        impl super::StorageInstance for Account {
            const PALLET: &'static str = "System";
            const NAME: &'static str = "Account";
        }
        let prefix = <Account as super::StorageInstance>::prefix();
        assert_eq!(
            hex(&prefix),
            "26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9"
        );
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn value_map_double_map_and_counted_map_roundtrip() {
        let mut e = ext();
        e.execute_with(|| {
            assert_eq!(demo::Total::get(), 0);
            demo::Total::put(7u64);
            demo::Total::mutate(|t| *t += 1);
            assert_eq!(demo::Total::get(), 8);

            let a = AccountId::new([1; 32]);
            let b = AccountId::new([2; 32]);
            demo::Balances::insert(&a, 5u64);
            demo::Balances::insert(&b, 6u64);
            assert_eq!(demo::Balances::get(&a), Some(5));
            let mut all: Vec<_> = demo::Balances::iter().collect();
            all.sort();
            assert_eq!(all, vec![(a.clone(), 5), (b.clone(), 6)]);
            demo::Balances::remove(&a);
            assert!(!demo::Balances::contains_key(&a));

            demo::Pairs::insert(1u32, 2u32, 3u8);
            demo::Pairs::insert(1u32, 4u32, 5u8);
            demo::Pairs::insert(2u32, 4u32, 6u8);
            let mut under_one: Vec<_> = demo::Pairs::iter_prefix(1u32).collect();
            under_one.sort();
            assert_eq!(under_one, vec![(2, 3), (4, 5)]);
            assert_eq!(demo::Pairs::clear_prefix(1u32, 10), 2);
            assert_eq!(demo::Pairs::get(2u32, 4u32), 6);
            assert_eq!(demo::Pairs::iter().count(), 1);

            demo::Members::insert(1u32, ());
            demo::Members::insert(1u32, ());
            demo::Members::insert(2u32, ());
            assert_eq!(demo::Members::count(), 2);
            demo::Members::remove(1u32);
            demo::Members::remove(1u32);
            assert_eq!(demo::Members::count(), 1);
        });
    }

    #[test]
    fn failed_transaction_changes_nothing() {
        let mut e = ext();
        e.execute_with(|| {
            demo::Total::put(1u64);
            let r: Result<(), crate::DispatchError> = crate::state::io::with_transaction(|| {
                demo::Total::put(2u64);
                crate::state::io::deposit_event(vec![1]);
                Err(crate::DispatchError::BadOrigin)
            });
            assert!(r.is_err());
            assert_eq!(demo::Total::get(), 1);
            assert_eq!(crate::state::io::event_count(), 0);
        });
    }

    #[test]
    fn storage_root_reflects_overlay_and_hands_out_new_nodes() {
        use codec::Encode;
        let mut e = ext();
        let root = e.execute_with(|| {
            demo::Total::put(7u64);
            crate::state::io::storage_root()
        });
        let key = demo::Total::hashed_key();
        let value = 7u64.encode();
        let (expected, _) = TrieBackend::empty(InMemoryNodes::default())
            .storage_root(vec![(&key[..], Some(&value[..]))])
            .unwrap();
        assert_eq!(root, expected);
        let (taken_root, nodes) = e.take_trie_nodes().unwrap();
        assert_eq!(taken_root, root);
        assert!(!nodes.is_empty());
        // A later write invalidates the computed root.
        let second = e.execute_with(|| {
            demo::Total::put(8u64);
            crate::state::io::storage_root()
        });
        assert_ne!(second, root);
    }

    #[test]
    fn metadata_lists_every_item_and_the_counter() {
        let meta = demo::storage_metadata();
        let names: Vec<_> = meta.entries.iter().map(|e| e.name).collect();
        assert_eq!(
            names,
            vec!["Total", "Balances", "Pairs", "Members", "CounterForMembers"]
        );
        assert_eq!(meta.prefix, "Demo");
    }
}
