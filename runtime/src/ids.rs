//! Every identifier the runtime's pallets use for accounts and balance restrictions, in one
//! list: pallet ids (from which pallet-owned accounts are derived), lock ids and hold reasons.
//!
//! Two pallets that chose the same lock id would silently share one lock (the larger amount
//! wins), and two with the same hold reason could release each other's holds; two with the same
//! pallet id would share an account. A new pallet adds its ids here, and the tests below refuse
//! a duplicate.

use basalt_support::PalletId;
use pallet_balances::{HoldReason, LockIdentifier};

/// The treasury's pallet id, Substrate's `py/trsry`.
pub const TREASURY_PALLET_ID: PalletId = PalletId(*b"py/trsry");

/// The Jobs pallet's id: its account holds slashes in flight and the verification pool.
pub const JOBS_PALLET_ID: PalletId = PalletId(*b"bslt/job");

/// Every pallet id of the runtime, with the pallet that owns it.
pub const PALLET_IDS: &[(&str, PalletId)] =
    &[("Treasury", TREASURY_PALLET_ID), ("Jobs", JOBS_PALLET_ID)];

/// Every lock id of the runtime, with the pallet that sets it.
pub const LOCK_IDS: &[(&str, LockIdentifier)] = &[
    ("Staking", pallet_staking::STAKING_ID),
    (
        "ConvictionVoting",
        pallet_conviction_voting::CONVICTION_VOTING_ID,
    ),
];

/// Every hold reason of the runtime, with the pallet that places it.
pub const HOLD_REASONS: &[(&str, HoldReason)] = &[
    ("Jobs", pallet_jobs::ESCROW_HOLD),
    ("Jobs", pallet_jobs::PROGRAM_HOLD),
    ("Nfts", pallet_nfts::DEPOSIT_HOLD),
    ("Nfts", pallet_nfts::OFFER_HOLD),
    ("Referenda", pallet_referenda::DEPOSIT_HOLD),
    ("Preimage", pallet_preimage::PREIMAGE_HOLD),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_unique<T: PartialEq + core::fmt::Debug>(kind: &str, ids: &[(&str, T)]) {
        for (i, (owner, id)) in ids.iter().enumerate() {
            for (other, other_id) in ids.iter().skip(i.saturating_add(1)) {
                assert_ne!(id, other_id, "{kind} {id:?} of {owner} is also {other}'s");
            }
        }
    }

    #[test]
    fn pallet_lock_and_hold_ids_are_unique() {
        assert_unique("pallet id", PALLET_IDS);
        assert_unique("lock id", LOCK_IDS);
        assert_unique("hold reason", HOLD_REASONS);
    }

    #[test]
    fn pallet_accounts_are_distinct() {
        let accounts: Vec<_> = PALLET_IDS
            .iter()
            .map(|(owner, id)| (*owner, id.into_account_truncating()))
            .collect();
        assert_unique("pallet account", &accounts);
    }

    #[test]
    fn a_duplicate_is_caught() {
        let dup = [("A", *b"staking "), ("B", *b"staking ")];
        let caught = std::panic::catch_unwind(|| assert_unique("lock id", &dup));
        assert!(caught.is_err());
    }
}
