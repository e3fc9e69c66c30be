//! The treasury's stored records, with pallet-treasury's names and encodings (less the asset
//! kind: Basalt's treasury holds one asset, the native token).

use basalt_support::{AccountId, Balance, BlockNumber};
use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// The index of an approved spend, as `pallet_treasury::SpendIndex`.
pub type SpendIndex = u32;

/// The identifier of a payment: the spend's index (payments are native transfers, settled
/// in the call that makes them).
pub type PaymentId = u64;

/// Where an approved spend's payment stands, as `pallet_treasury::PaymentState`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub enum PaymentState {
    /// Not yet paid: `payout` may pay it between `valid_from` and `expire_at`.
    #[codec(index = 0)]
    Pending,
    /// Paid by `payout`; `check_status` removes it.
    #[codec(index = 1)]
    Attempted {
        /// The payment.
        id: PaymentId,
    },
    /// A payment that did not go through (never stored by this treasury, whose payments
    /// are atomic; kept for pallet-treasury's encoding).
    #[codec(index = 2)]
    Failed,
}

/// An approved spend, as `pallet_treasury::SpendStatus` without the asset kind.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct SpendStatus {
    /// What is paid.
    pub amount: Balance,
    /// Who is paid.
    pub beneficiary: AccountId,
    /// The first block `payout` may pay it.
    pub valid_from: BlockNumber,
    /// The block from which it can no longer be paid (`valid_from + PayoutPeriod`).
    pub expire_at: BlockNumber,
    /// Whether it was paid.
    pub status: PaymentState,
}
