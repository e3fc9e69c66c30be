//! The mock runtime for the treasury's tests: system, balances and the treasury, with small
//! numbers (existential deposit 2, spend periods of 10 blocks, a 50% burn, payouts open for 5
//! blocks); root spends without limit, the Treasurer track's origin up to a cap of 100.

use crate::pallet::*;
use basalt_support::{AccountId, Balance, BlockNumber, Origin, PalletId, Permill};

/// The account of test account number `n`.
pub fn acc(n: u8) -> AccountId {
    AccountId::new([n; 32])
}

/// The Treasurer track's origin.
pub const TREASURER: Origin = Origin::Origins(basalt_support::origin::GovernanceOrigin::Treasurer);
/// The Treasurer's cap per spend.
pub const TREASURER_CAP: Balance = 100;

/// The mock runtime.
pub struct Test;

pallet_system::impl_test_config!(Test, max_consumers = 16, event = Event);

pallet_balances::impl_test_config!(Test, existential_deposit = 2);

impl Config for Test {
    const INDEX: u8 = 8;
    const PALLET_ID: PalletId = PalletId(*b"py/trsry");
    const SPEND_PERIOD: BlockNumber = 10;
    const BURN: Permill = Permill::from_percent(50);
    const PAYOUT_PERIOD: BlockNumber = 5;
    fn max_spend(origin: &Origin) -> Option<Balance> {
        match origin {
            Origin::Root => Some(Balance::MAX),
            Origin::Origins(basalt_support::origin::GovernanceOrigin::Treasurer) => {
                Some(TREASURER_CAP)
            }
            _ => None,
        }
    }
}
