//! Who dispatches a call: [`Origin`], and the shapes it travels in.
//!
//! FRAME runtimes have an outer origin enum, `OriginCaller`, whose first variant is
//! `system(frame_support::dispatch::RawOrigin)` (root, signed, none) and whose others are the
//! origins pallets define; Polkadot's governance origins (`Origins(Treasurer)`, ...) are one
//! such variant. A referendum's `proposal_origin` and a scheduled task's origin are stored and
//! sent as `OriginCaller`, and stock clients build them as `{ system: 'Root' }` or
//! `{ Origins: 'Treasurer' }`.
//!
//! Pallets match on the flat [`Origin`] (`Origin::Signed(who)`, `Origin::Root`); it encodes,
//! decodes and describes itself exactly as [`OriginCaller`], so there is one origin type in
//! the code and FRAME's shape on the wire.

use crate::primitives::AccountId;
use codec::{Decode, DecodeWithMemTracking, Encode, EncodeLike, Input, Output};
use scale_info::{
    build::{Fields, Variants},
    Path, Type, TypeInfo,
};

/// The index of the `Origins` variant in [`OriginCaller`]: the (call-less) `Origins` pallet's
/// index in the runtime, as FRAME numbers outer-origin variants by pallet.
pub const ORIGINS_PALLET_INDEX: u8 = 13;

/// Who dispatches a call. Calls check the origin first and fail with
/// [`crate::DispatchError::BadOrigin`] when it is not one they accept.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Origin {
    /// The chain itself, through sudo or a Root-track referendum.
    Root,
    /// A signed extrinsic from this account.
    Signed(AccountId),
    /// An unsigned extrinsic or inherent.
    None,
    /// A governance origin: what a referendum on that origin's track dispatches with.
    Origins(GovernanceOrigin),
}

/// The system origins, as `frame_support::dispatch::RawOrigin`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
#[scale_info(replace_segment("basalt_support", "frame_support"))]
#[scale_info(replace_segment("origin", "dispatch"))]
pub enum RawOrigin {
    /// The chain itself.
    #[codec(index = 0)]
    Root,
    /// A signed extrinsic from this account.
    #[codec(index = 1)]
    Signed(AccountId),
    /// An unsigned extrinsic or inherent.
    #[codec(index = 2)]
    None,
}

/// The governance origins, each the origin of one referendum track (as Polkadot's
/// `pallet_custom_origins::Origin`). A track's origin may do only what the runtime grants it:
/// the Treasurer spends from the treasury up to its cap.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
#[scale_info(replace_segment("basalt_support", "pallet_custom_origins"))]
#[scale_info(replace_segment("origin", "pallet"))]
#[scale_info(replace_segment("GovernanceOrigin", "Origin"))]
pub enum GovernanceOrigin {
    /// The Treasurer track's origin: treasury spends up to the track's cap.
    #[codec(index = 0)]
    Treasurer,
}

/// The runtime's outer origin, as FRAME's `OriginCaller`: what [`Origin`] encodes as.
/// Described as `basalt_runtime::OriginCaller` (FRAME's path for it) by hand, since the derive
/// cannot drop this module's name from the path.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking)]
#[allow(non_camel_case_types)]
pub enum OriginCaller {
    /// The system origins.
    #[codec(index = 0)]
    system(RawOrigin),
    /// The governance origins.
    #[codec(index = 13)]
    Origins(GovernanceOrigin),
}

impl TypeInfo for OriginCaller {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("OriginCaller", "basalt_runtime"))
            .docs(&[" The runtime's outer origin."])
            .variant(
                Variants::new()
                    .variant("system", |v| {
                        v.index(0)
                            .fields(Fields::unnamed().field(|f| f.ty::<RawOrigin>()))
                    })
                    .variant("Origins", |v| {
                        v.index(ORIGINS_PALLET_INDEX)
                            .fields(Fields::unnamed().field(|f| f.ty::<GovernanceOrigin>()))
                    }),
            )
    }
}

impl From<&Origin> for OriginCaller {
    fn from(origin: &Origin) -> Self {
        match origin {
            Origin::Root => OriginCaller::system(RawOrigin::Root),
            Origin::Signed(who) => OriginCaller::system(RawOrigin::Signed(who.clone())),
            Origin::None => OriginCaller::system(RawOrigin::None),
            Origin::Origins(o) => OriginCaller::Origins(*o),
        }
    }
}

impl From<OriginCaller> for Origin {
    fn from(caller: OriginCaller) -> Self {
        match caller {
            OriginCaller::system(RawOrigin::Root) => Origin::Root,
            OriginCaller::system(RawOrigin::Signed(who)) => Origin::Signed(who),
            OriginCaller::system(RawOrigin::None) => Origin::None,
            OriginCaller::Origins(o) => Origin::Origins(o),
        }
    }
}

impl Encode for Origin {
    fn size_hint(&self) -> usize {
        OriginCaller::from(self).size_hint()
    }
    fn encode_to<W: Output + ?Sized>(&self, dest: &mut W) {
        OriginCaller::from(self).encode_to(dest)
    }
}

impl EncodeLike for Origin {}

impl Decode for Origin {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        OriginCaller::decode(input).map(Origin::from)
    }
}

impl DecodeWithMemTracking for Origin {}

impl TypeInfo for Origin {
    type Identity = OriginCaller;
    fn type_info() -> scale_info::Type {
        OriginCaller::type_info()
    }
}

impl Origin {
    /// The signer, or `BadOrigin` for any other origin.
    pub fn ensure_signed(self) -> Result<AccountId, crate::DispatchError> {
        match self {
            Origin::Signed(who) => Ok(who),
            _ => Err(crate::DispatchError::BadOrigin),
        }
    }

    /// `Ok` for root, `BadOrigin` otherwise.
    pub fn ensure_root(self) -> Result<(), crate::DispatchError> {
        match self {
            Origin::Root => Ok(()),
            _ => Err(crate::DispatchError::BadOrigin),
        }
    }

    /// `Ok` for unsigned origins (inherents), `BadOrigin` otherwise.
    pub fn ensure_none(self) -> Result<(), crate::DispatchError> {
        match self {
            Origin::None => Ok(()),
            _ => Err(crate::DispatchError::BadOrigin),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_encode_as_frames_origin_caller() {
        assert_eq!(Origin::Root.encode(), vec![0, 0]);
        assert_eq!(Origin::None.encode(), vec![0, 2]);
        let who = AccountId::new([7; 32]);
        let mut signed = vec![0, 1];
        signed.extend_from_slice(&[7; 32]);
        assert_eq!(Origin::Signed(who.clone()).encode(), signed);
        let treasurer = Origin::Origins(GovernanceOrigin::Treasurer);
        assert_eq!(treasurer.encode(), vec![ORIGINS_PALLET_INDEX, 0]);
        for origin in [Origin::Root, Origin::None, Origin::Signed(who), treasurer] {
            assert_eq!(Origin::decode(&mut &origin.encode()[..]), Ok(origin));
        }
        assert!(Origin::decode(&mut &[0u8, 3][..]).is_err());
        assert!(Origin::decode(&mut &[12u8, 0][..]).is_err());
    }

    #[test]
    fn metadata_names_frames_paths() {
        let mut registry = scale_info::Registry::new();
        registry.register_type(&scale_info::meta_type::<Origin>());
        let portable: scale_info::PortableRegistry = registry.into();
        let paths: Vec<String> = portable
            .types
            .iter()
            .map(|t| t.ty.path.segments.join("::"))
            .collect();
        assert!(
            paths.contains(&"basalt_runtime::OriginCaller".to_string()),
            "{paths:?}"
        );
        assert!(
            paths.contains(&"frame_support::dispatch::RawOrigin".to_string()),
            "{paths:?}"
        );
        assert!(
            paths.contains(&"pallet_custom_origins::pallet::Origin".to_string()),
            "{paths:?}"
        );
    }
}
