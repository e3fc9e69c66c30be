//! Substrate's `MultiAddress`: the sender field of a signed extrinsic.
//!
//! Stock clients encode the sender as this enum and recognise it in metadata by its type path,
//! so both the SCALE layout (variant indices 0..=4, a compact account index) and the derived
//! type path `sp_runtime::multiaddress::MultiAddress` must be Substrate's, byte for byte.

use codec::{Decode, DecodeWithMemTracking, Encode, HasCompact};
use scale_info::TypeInfo;

use crate::primitives::AccountId32;

/// An account reference in any of the forms Substrate accepts on the wire.
///
/// Basalt resolves only [`MultiAddress::Id`] and [`MultiAddress::Address32`] (see
/// [`MultiAddress::lookup`]); the other variants exist so that any well-formed Substrate address
/// decodes, and is then refused as an unknown account rather than as garbage bytes.
#[derive(
    Clone,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
)]
#[scale_info(replace_segment("basalt_support", "sp_runtime"))]
pub enum MultiAddress<AccountId, AccountIndex: HasCompact> {
    /// The account id itself (index 0); what wallets send by default.
    #[codec(index = 0)]
    Id(AccountId),
    /// An account index, compact-encoded (index 1); Basalt has no indices pallet.
    #[codec(index = 1)]
    Index(#[codec(compact)] AccountIndex),
    /// Raw bytes of a foreign address format (index 2).
    #[codec(index = 2)]
    Raw(Vec<u8>),
    /// A 32-byte address; for Basalt the same as an account id (index 3).
    #[codec(index = 3)]
    Address32([u8; 32]),
    /// A 20-byte (Ethereum-style) address (index 4); never resolves on Basalt.
    #[codec(index = 4)]
    Address20([u8; 20]),
}

impl<AccountIndex: HasCompact> From<AccountId32> for MultiAddress<AccountId32, AccountIndex> {
    /// Wallets address accounts by id; this is the conversion every sender takes.
    fn from(account: AccountId32) -> Self {
        MultiAddress::Id(account)
    }
}

impl<AccountIndex: HasCompact> MultiAddress<AccountId32, AccountIndex> {
    /// Resolves the address to the account it names, if Basalt can without any state:
    /// `Id` and `Address32` name an account directly; indices, raw and 20-byte addresses do
    /// not resolve (`None`), which the extrinsic check reports as an invalid signing address.
    pub fn lookup(self) -> Option<AccountId32> {
        match self {
            MultiAddress::Id(account) => Some(account),
            MultiAddress::Address32(bytes) => Some(AccountId32::new(bytes)),
            MultiAddress::Index(_) | MultiAddress::Raw(_) | MultiAddress::Address20(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scale_info::{PortableRegistry, Registry, TypeDef};

    type Address = MultiAddress<AccountId32, ()>;

    fn alice() -> AccountId32 {
        AccountId32::new([7u8; 32])
    }

    #[test]
    fn encodes_with_substrate_indices() {
        let id = Address::Id(alice()).encode();
        assert_eq!(id[0], 0);
        assert_eq!(&id[1..], &[7u8; 32]);

        // `Compact<()>` is empty, so an index address is a lone variant byte.
        assert_eq!(Address::Index(()).encode(), vec![1]);
        assert_eq!(
            MultiAddress::<AccountId32, u32>::Index(1).encode(),
            vec![1, 0x04]
        );
        assert_eq!(Address::Raw(vec![9, 9]).encode(), vec![2, 0x08, 9, 9]);
        assert_eq!(Address::Address32([1; 32]).encode()[0], 3);
        assert_eq!(Address::Address32([1; 32]).encode().len(), 33);
        assert_eq!(Address::Address20([1; 20]).encode()[0], 4);
        assert_eq!(Address::Address20([1; 20]).encode().len(), 21);
    }

    #[test]
    fn roundtrips_and_refuses_unknown_variant() {
        for address in [
            Address::Id(alice()),
            Address::Index(()),
            Address::Raw(vec![1, 2, 3]),
            Address::Address32([3; 32]),
            Address::Address20([4; 20]),
        ] {
            let bytes = address.encode();
            assert_eq!(Address::decode(&mut &bytes[..]), Ok(address));
        }
        assert!(Address::decode(&mut &[5u8, 0, 0][..]).is_err());
        assert!(Address::decode(&mut &[0u8, 1, 2][..]).is_err());
    }

    #[test]
    fn lookup_resolves_id_and_address32_only() {
        assert_eq!(Address::from(alice()).lookup(), Some(alice()));
        assert_eq!(Address::Address32([7; 32]).lookup(), Some(alice()));
        assert_eq!(Address::Index(()).lookup(), None);
        assert_eq!(Address::Raw(vec![7; 32]).lookup(), None);
        assert_eq!(Address::Address20([7; 20]).lookup(), None);
    }

    #[test]
    fn type_info_has_substrate_path_and_params() {
        let mut registry = Registry::new();
        let id = registry.register_type(&scale_info::meta_type::<Address>());
        let portable: PortableRegistry = registry.into();
        let ty = portable.resolve(id.id).expect("registered type resolves");
        assert_eq!(
            ty.path.segments,
            vec!["sp_runtime", "multiaddress", "MultiAddress"]
        );
        let params: Vec<&str> = ty.type_params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(params, vec!["AccountId", "AccountIndex"]);
        let TypeDef::Variant(variants) = &ty.type_def else {
            panic!("MultiAddress must be a variant type");
        };
        let names: Vec<(&str, u8)> = variants
            .variants
            .iter()
            .map(|v| (v.name.as_str(), v.index))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Id", 0),
                ("Index", 1),
                ("Raw", 2),
                ("Address32", 3),
                ("Address20", 4)
            ]
        );
        // The account id keeps its own Substrate path.
        let account = portable
            .resolve(variants.variants[0].fields[0].ty.id)
            .expect("account id type resolves");
        assert_eq!(
            account.path.segments,
            vec!["sp_core", "crypto", "AccountId32"]
        );
    }
}
