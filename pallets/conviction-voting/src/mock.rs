//! The mock runtime for the voting pallet's tests: system, balances (existential deposit 1)
//! and the voting pallet, with lock periods of 10 blocks, voting on polls the tests open and
//! close by hand.

use crate::pallet::*;
use basalt_support::governance::{PollClass, PollIndex, PollStatus, Polling, Tally};
use basalt_support::storage::{OptionQuery, Twox64Concat};
use basalt_support::{AccountId, BlockNumber, DispatchError, DispatchResult};
use codec::{Decode, Encode};
use scale_info::TypeInfo;

/// The account of test account number `n`.
pub fn acc(n: u8) -> AccountId {
    AccountId::new([n; 32])
}

/// The mock runtime.
pub struct Test;

pallet_system::impl_test_config!(Test, max_consumers = 16, event = Event);

pallet_balances::impl_test_config!(Test, existential_deposit = 1);

/// Blocks per lock period in the mock.
pub const PERIOD: BlockNumber = 10;

impl Config for Test {
    const INDEX: u8 = 11;
    const VOTE_LOCKING_PERIOD: BlockNumber = PERIOD;
    type Polls = TestPolls;
}

/// A poll as the tests set it up.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub enum TestPoll {
    /// Open, in a class, with its tally.
    Ongoing(Tally, PollClass),
    /// Ended at a block, approved or not.
    Completed(BlockNumber, bool),
}

basalt_support::storage! {
    pallet = "Test";
    /// The polls.
    pub Polls: StorageMap<Twox64Concat, PollIndex, TestPoll, OptionQuery>;
}

/// Polls kept in [`Polls`].
pub struct TestPolls;

impl Polling for TestPolls {
    const UPDATE_TALLY_WEIGHT: basalt_support::Weight = basalt_support::Weight::from_ref_time(1);
    fn poll_status(index: PollIndex) -> PollStatus {
        match Polls::get(index) {
            Some(TestPoll::Ongoing(_, class)) => PollStatus::Ongoing { class },
            Some(TestPoll::Completed(end, approved)) => PollStatus::Completed { end, approved },
            None => PollStatus::None,
        }
    }

    fn update_tally(index: PollIndex, change: impl FnOnce(&mut Tally)) -> DispatchResult {
        match Polls::get(index) {
            Some(TestPoll::Ongoing(mut tally, class)) => {
                change(&mut tally);
                Polls::insert(index, TestPoll::Ongoing(tally, class));
                Ok(())
            }
            _ => Err(DispatchError::Other("not ongoing")),
        }
    }
}

/// The tally of an ongoing test poll.
pub fn tally(index: PollIndex) -> Tally {
    match Polls::get(index) {
        Some(TestPoll::Ongoing(tally, _)) => tally,
        other => panic!("poll {index} is not ongoing: {other:?}"),
    }
}
