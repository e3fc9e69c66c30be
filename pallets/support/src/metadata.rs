//! What a pallet says about itself so that the runtime can build metadata V14 and V15.
//!
//! A pallet fills one [`PalletDescription`]; the runtime adds its index and converts it to
//! either version. Keeping one description avoids two hand-written copies drifting apart.

use codec::Encode;
use frame_metadata::{v14, v15};
use scale_info::{form::MetaForm, meta_type, MetaType, StaticTypeInfo};

/// A pallet's calls, events, errors, storage and constants, as types and values.
pub struct PalletDescription {
    /// The pallet's name in the runtime, also its storage prefix (e.g. "Balances").
    pub name: &'static str,
    /// Storage items, from the pallet's `storage!` declaration.
    pub storage: Option<v14::PalletStorageMetadata<MetaForm>>,
    /// The `Call` enum: one variant per call, fields named as the call's arguments.
    pub calls: Option<MetaType>,
    /// The `Event` enum.
    pub event: Option<MetaType>,
    /// The `Error` enum.
    pub error: Option<MetaType>,
    /// Configuration constants with their encoded values.
    pub constants: Vec<v14::PalletConstantMetadata<MetaForm>>,
    /// What the pallet is for.
    pub docs: Vec<&'static str>,
}

impl PalletDescription {
    /// This description as metadata V14, at runtime index `index`.
    pub fn to_v14(&self, index: u8) -> v14::PalletMetadata<MetaForm> {
        v14::PalletMetadata {
            name: self.name,
            storage: self.storage.clone(),
            calls: self.calls.map(|ty| v14::PalletCallMetadata { ty }),
            event: self.event.map(|ty| v14::PalletEventMetadata { ty }),
            constants: self.constants.clone(),
            error: self.error.map(|ty| v14::PalletErrorMetadata { ty }),
            index,
        }
    }

    /// This description as metadata V15, at runtime index `index`.
    pub fn to_v15(&self, index: u8) -> v15::PalletMetadata<MetaForm> {
        v15::PalletMetadata {
            name: self.name,
            storage: self.storage.clone(),
            calls: self.calls.map(|ty| v14::PalletCallMetadata { ty }),
            event: self.event.map(|ty| v14::PalletEventMetadata { ty }),
            constants: self.constants.clone(),
            error: self.error.map(|ty| v14::PalletErrorMetadata { ty }),
            index,
            docs: self.docs.clone(),
        }
    }
}

/// A constant's metadata: its name, type and SCALE-encoded value.
pub fn constant<V: Encode + StaticTypeInfo>(
    name: &'static str,
    value: V,
    docs: &[&'static str],
) -> v14::PalletConstantMetadata<MetaForm> {
    v14::PalletConstantMetadata {
        name,
        ty: meta_type::<V>(),
        value: value.encode(),
        docs: docs.to_vec(),
    }
}

/// Implemented by every pallet: its description for metadata.
pub trait DescribePallet {
    /// The pallet's calls, events, errors, storage and constants.
    fn describe() -> PalletDescription;
}
