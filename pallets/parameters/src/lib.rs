//! # Parameters pallet: what governance may change without a runtime upgrade
//!
//! As Substrate's pallet-parameters (its call, event and storage names): root (a Root-track
//! referendum, or sudo on dev chains) sets a parameter with `set_parameter(key_value)`; the
//! pallets that use it read the stored value, and their compile-time constant while none is
//! stored (the constants in metadata are those defaults).
//!
//! ## Rules
//! - The parameters ([`RuntimeParameters`]): the fee split (TransactionPayment), the NFT market
//!   fee (Nfts), the equivocation and offline slashes and the minimum validator and nominator
//!   bonds (Staking). Each takes effect from the next use: the next fee, sale, offence report
//!   or election.
//! - A value that would break its pallet's arithmetic or rules is refused (`InvalidValue`): a fee
//!   split over 100%, a market fee over `MaxMarketFee`, a minimum bond below `MinBondFloor`.
//! - Every change is an event (`Updated`) with the old and new values.
//!
//! Parameters not here, and why: the Jobs spot-check rate and the minimum provider stake are
//! fixed when a job is priced or a provider indexed, so changing them needs a migration of
//! live jobs and of the eligibility index; they stay constants for now.

pub use pallet::*;
pub use types::*;

pub mod types;

#[cfg(test)]
mod tests;

/// The pallet: configuration, storage, events, errors and its call.
pub mod pallet {
    use super::*;
    use basalt_support::hooks::Hooks;
    use basalt_support::metadata::{constant, DescribePallet, PalletDescription};
    use basalt_support::storage::{Blake2_128Concat, OptionQuery};
    use basalt_support::weight_v2::constants::{reads_writes, MICROS};
    use basalt_support::{Balance, DispatchResult, Origin, Perbill, Weight};
    use codec::{Decode, Encode};
    use core::marker::PhantomData;
    use scale_info::{meta_type, TypeInfo};

    /// What the runtime tells the parameters pallet.
    pub trait Config: pallet_system::Config {
        /// This pallet's index in the runtime; its events and errors carry it.
        const INDEX: u8;
        /// The highest market fee governance may set, in basis points (royalties take up to
        /// `Nfts.MaxRoyalty` of a sale; the seller must keep the rest).
        const MAX_MARKET_FEE: u16;
        /// The least a minimum bond may be set to (so that staking cannot be opened to dust).
        const MIN_BOND_FLOOR: Balance;
    }

    /// The parameters pallet's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "Parameters";
        /// The parameters governance has set; a parameter not here has its pallet's default.
        pub Parameters: StorageMap<Blake2_128Concat, RuntimeParametersKey, RuntimeParameters, OptionQuery>;
    }

    /// Events of the parameters pallet.
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// A parameter was set.
        #[codec(index = 0)]
        Updated {
            /// Which parameter.
            key: RuntimeParametersKey,
            /// Its value before (`None`: the default).
            old_value: Option<RuntimeParameters>,
            /// Its value now.
            new_value: Option<RuntimeParameters>,
        },
    }

    basalt_support::pallet_error! {
        /// Errors of the parameters pallet.
        pub enum Error<T: Config> {
            /// The value is outside what its pallet accepts.
            InvalidValue,
        }
    }

    /// `set_parameter`: validation, one read and one write, the event.
    pub const fn set_parameter_weight() -> Weight {
        reads_writes(1, 1).saturating_add(Weight::from_ref_time(10 * MICROS))
    }

    /// The parameters pallet's call.
    #[basalt_support::call]
    impl<T: Config> Pallet<T> {
        /// Set a parameter to a new value. Root.
        #[pallet::call_index(0)]
        #[pallet::weight(set_parameter_weight())]
        pub fn set_parameter(
            origin: Origin,
            /// The parameter and its value.
            key_value: RuntimeParameters,
        ) -> DispatchResult {
            origin.ensure_root()?;
            if !Self::is_valid(&key_value) {
                return Err(Error::<T>::InvalidValue.into());
            }
            let key = key_value.key();
            let old_value = Parameters::get(key);
            Parameters::insert(key, key_value);
            Self::deposit_event(Event::Updated {
                key,
                old_value,
                new_value: Some(key_value),
            });
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// Whether `value` keeps its pallet's arithmetic and rules sound.
        fn is_valid(value: &RuntimeParameters) -> bool {
            match *value {
                RuntimeParameters::FeeSplit(split) => {
                    u16::from(split.treasury_percent) + u16::from(split.burn_percent) <= 100
                }
                RuntimeParameters::MarketFee(bps) => bps <= T::MAX_MARKET_FEE,
                RuntimeParameters::EquivocationSlash(_) | RuntimeParameters::OfflineSlash(_) => {
                    true
                }
                RuntimeParameters::MinValidatorBond(bond)
                | RuntimeParameters::MinNominatorBond(bond) => bond >= T::MIN_BOND_FLOOR,
            }
        }

        /// The fee split governance set, if any.
        pub fn fee_split() -> Option<FeeSplit> {
            match Parameters::get(RuntimeParametersKey::FeeSplit) {
                Some(RuntimeParameters::FeeSplit(split)) => Some(split),
                _ => None,
            }
        }

        /// The market fee governance set, if any.
        pub fn market_fee() -> Option<u16> {
            match Parameters::get(RuntimeParametersKey::MarketFee) {
                Some(RuntimeParameters::MarketFee(bps)) => Some(bps),
                _ => None,
            }
        }

        /// The equivocation slash governance set, if any.
        pub fn equivocation_slash() -> Option<Perbill> {
            match Parameters::get(RuntimeParametersKey::EquivocationSlash) {
                Some(RuntimeParameters::EquivocationSlash(p)) => Some(p),
                _ => None,
            }
        }

        /// The offline slash governance set, if any.
        pub fn offline_slash() -> Option<Perbill> {
            match Parameters::get(RuntimeParametersKey::OfflineSlash) {
                Some(RuntimeParameters::OfflineSlash(p)) => Some(p),
                _ => None,
            }
        }

        /// The minimum validator bond governance set, if any.
        pub fn min_validator_bond() -> Option<Balance> {
            match Parameters::get(RuntimeParametersKey::MinValidatorBond) {
                Some(RuntimeParameters::MinValidatorBond(b)) => Some(b),
                _ => None,
            }
        }

        /// The minimum nominator bond governance set, if any.
        pub fn min_nominator_bond() -> Option<Balance> {
            match Parameters::get(RuntimeParametersKey::MinNominatorBond) {
                Some(RuntimeParameters::MinNominatorBond(b)) => Some(b),
                _ => None,
            }
        }

        fn deposit_event(event: Event) {
            pallet_system::Pallet::<T>::deposit_event_of(<T as Config>::INDEX, &event)
        }
    }

    impl<T: Config> Hooks for Pallet<T> {}

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "Parameters",
                storage: Some(storage_metadata()),
                calls: Some(meta_type::<Call>()),
                event: Some(meta_type::<Event>()),
                error: Some(meta_type::<Error<T>>()),
                constants: vec![
                    constant("MaxMarketFee", T::MAX_MARKET_FEE, &[" The highest market fee governance may set, in basis points."]),
                    constant("MinBondFloor", T::MIN_BOND_FLOOR, &[" The least a minimum bond may be set to."]),
                ],
                docs: vec![
                    " Runtime parameters governance may change: the fee split, the NFT market fee, slash",
                    " sizes and minimum bonds; pallets read them here, and their defaults while unset.",
                ],
            }
        }
    }
}
