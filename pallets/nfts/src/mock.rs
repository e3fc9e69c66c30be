//! The mock runtime for the NFT pallet's tests: system, balances and NFTs, with numbers that
//! are easy to follow (existential deposit 2, deposits of 10 and 1, 1% market fee).

use crate::pallet::*;
use basalt_support::{AccountId, Balance, BlockNumber};

/// The account of test account number `n`.
pub fn acc(n: u8) -> AccountId {
    AccountId::new([n; 32])
}

/// The treasury in the mock.
pub const TREASURY: u8 = 99;

/// The mock runtime.
pub struct Test;

pallet_system::impl_test_config!(Test, max_consumers = 16, event = Event);

pallet_balances::impl_test_config!(Test, existential_deposit = 2);

impl Config for Test {
    const INDEX: u8 = 7;
    const COLLECTION_DEPOSIT: Balance = 10;
    const ITEM_DEPOSIT: Balance = 1;
    const METADATA_DEPOSIT_BASE: Balance = 3;
    const ATTRIBUTE_DEPOSIT_BASE: Balance = 2;
    const DEPOSIT_PER_BYTE: Balance = 1;
    const MAX_ROYALTY: u16 = 2_500;
    const MIN_ROYALTY: Balance = 5;
    const MARKET_FEE: u16 = 100;
    const MIN_OFFER: Balance = 10;
    const MAX_OFFER_DURATION: BlockNumber = 20;
    const MAX_USAGE_FEE: Balance = 1_000;
    const USAGE_FEE_DELAY: BlockNumber = 10;
    fn treasury_account() -> AccountId {
        acc(TREASURY)
    }
}
