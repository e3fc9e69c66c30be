//! The parameters governance may change, as one key-value enum (pallet-parameters's
//! `RuntimeParameters`) and its key enum (`RuntimeParametersKey`), so that a client sets one
//! with a typed value and an explorer reads each under its name.

use basalt_support::{Balance, Perbill};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// How every transaction fee is shared: percentages to the treasury and burned; the rest goes
/// to the block author.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub struct FeeSplit {
    /// Percent to the treasury.
    pub treasury_percent: u8,
    /// Percent burned.
    pub burn_percent: u8,
}

/// A parameter with its new value.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub enum RuntimeParameters {
    /// TransactionPayment: the fee split (`TreasuryPercent`, `BurnPercent`).
    #[codec(index = 0)]
    FeeSplit(FeeSplit),
    /// Nfts: the treasury's share of every sale, in basis points (`MarketFee`).
    #[codec(index = 1)]
    MarketFee(u16),
    /// Staking: the share of exposure an equivocation costs (`EquivocationSlash`).
    #[codec(index = 2)]
    EquivocationSlash(Perbill),
    /// Staking: the share of exposure an offline validator loses (`OfflineSlash`).
    #[codec(index = 3)]
    OfflineSlash(Perbill),
    /// Staking: the least active bond of a validator (`MinValidatorBond`).
    #[codec(index = 4)]
    MinValidatorBond(Balance),
    /// Staking: the least active bond of a nominator (`MinNominatorBond`).
    #[codec(index = 5)]
    MinNominatorBond(Balance),
}

/// Which parameter: the key of `Parameters.Parameters`.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Debug,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub enum RuntimeParametersKey {
    /// See [`RuntimeParameters::FeeSplit`].
    #[codec(index = 0)]
    FeeSplit,
    /// See [`RuntimeParameters::MarketFee`].
    #[codec(index = 1)]
    MarketFee,
    /// See [`RuntimeParameters::EquivocationSlash`].
    #[codec(index = 2)]
    EquivocationSlash,
    /// See [`RuntimeParameters::OfflineSlash`].
    #[codec(index = 3)]
    OfflineSlash,
    /// See [`RuntimeParameters::MinValidatorBond`].
    #[codec(index = 4)]
    MinValidatorBond,
    /// See [`RuntimeParameters::MinNominatorBond`].
    #[codec(index = 5)]
    MinNominatorBond,
}

impl RuntimeParameters {
    /// The parameter this value is for.
    pub fn key(&self) -> RuntimeParametersKey {
        match self {
            RuntimeParameters::FeeSplit(_) => RuntimeParametersKey::FeeSplit,
            RuntimeParameters::MarketFee(_) => RuntimeParametersKey::MarketFee,
            RuntimeParameters::EquivocationSlash(_) => RuntimeParametersKey::EquivocationSlash,
            RuntimeParameters::OfflineSlash(_) => RuntimeParametersKey::OfflineSlash,
            RuntimeParameters::MinValidatorBond(_) => RuntimeParametersKey::MinValidatorBond,
            RuntimeParameters::MinNominatorBond(_) => RuntimeParametersKey::MinNominatorBond,
        }
    }
}
