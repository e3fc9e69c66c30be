//! The mock runtime for the referenda's tests: system, balances (existential deposit 1), the
//! scheduler and the referenda, with a call enum holding the referenda's calls (for alarms)
//! and a `Remark` call that logs the origin it was enacted with. Two tracks: Root (id 0,
//! one deciding slot) and Treasurer (id 11). Tallies are set by hand through
//! [`Polling::update_tally`], as the voting pallet would.

use crate::pallet::*;
use crate::types::*;
use basalt_support::dispatch::{DispatchInfo, DispatchResultWithPostInfo, Dispatchable};
use basalt_support::governance::QueryPreimage;
use basalt_support::origin::GovernanceOrigin;
use basalt_support::storage::{Identity, OptionQuery, ValueQuery};
use basalt_support::{AccountId, Balance, BlockNumber, Origin, Perbill, Weight, H256};
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;

/// The account of test account number `n`.
pub fn acc(n: u8) -> AccountId {
    AccountId::new([n; 32])
}

/// The account slashed deposits go to.
pub const TREASURY: u8 = 99;

/// The mock runtime.
#[derive(Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct Test;

pallet_system::impl_test_config!(Test, max_consumers = 16, event = Event);

pallet_balances::impl_test_config!(Test, existential_deposit = 1);

impl pallet_scheduler::Config for Test {
    const INDEX: u8 = 9;
    type RuntimeCall = TestCall;
    const MAXIMUM_WEIGHT: Weight = Weight::from_parts(1_000_000_000_000, u64::MAX);
}

/// The submission deposit in the mock.
pub const SUBMISSION_DEPOSIT: Balance = 10;
/// The Root track's decision deposit.
pub const ROOT_DECISION_DEPOSIT: Balance = 100;
/// The undeciding timeout.
pub const TIMEOUT: BlockNumber = 20;

/// Root: approval from 100% to 50% over the period, support from 50% to 0%; prepare 2,
/// decide 10, confirm 2, enact after at least 3; one deciding slot.
pub const ROOT: TrackInfo = TrackInfo {
    name: "root",
    max_deciding: 1,
    decision_deposit: ROOT_DECISION_DEPOSIT,
    prepare_period: 2,
    decision_period: 10,
    confirm_period: 2,
    min_enactment_period: 3,
    min_approval: crate::Curve::LinearDecreasing {
        length: Perbill::from_percent(100),
        floor: Perbill::from_percent(50),
        ceil: Perbill::from_percent(100),
    },
    min_support: crate::Curve::LinearDecreasing {
        length: Perbill::from_percent(100),
        floor: Perbill::from_percent(0),
        ceil: Perbill::from_percent(50),
    },
};

/// Treasurer: as Root with a smaller deposit and two slots.
pub const TREASURER: TrackInfo = TrackInfo {
    name: "treasurer",
    max_deciding: 2,
    decision_deposit: 50,
    ..ROOT
};

const TRACKS: [(TrackId, TrackInfo); 2] = [(0, ROOT), (11, TREASURER)];

impl Config for Test {
    const INDEX: u8 = 12;
    const SUBMISSION_DEPOSIT: Balance = SUBMISSION_DEPOSIT;
    const UNDECIDING_TIMEOUT: BlockNumber = TIMEOUT;
    const TRACKS: &'static [(TrackId, TrackInfo)] = &TRACKS;
    fn track_for(origin: &Origin) -> Option<TrackId> {
        match origin {
            Origin::Root => Some(0),
            Origin::Origins(GovernanceOrigin::Treasurer) => Some(11),
            _ => None,
        }
    }
    type Preimages = TestPreimages;
    fn nudge_call(index: ReferendumIndex) -> TestCall {
        TestCall::Referenda(Call::nudge_referendum { index })
    }
    fn slash_destination() -> AccountId {
        acc(TREASURY)
    }
}

basalt_support::storage! {
    pallet = "Test";
    /// What `Remark` logged: its number and origin.
    pub Logged: StorageValue<Vec<(u32, Origin)>, ValueQuery>;
    /// Preimages the tests noted, with their request counts.
    pub Preimages: StorageMap<Identity, H256, (Vec<u8>, u32), OptionQuery>;
}

/// The mock's calls.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum TestCall {
    /// Logs its number and origin.
    #[codec(index = 0)]
    Remark(u32),
    /// Logs its number; root only.
    #[codec(index = 1)]
    RootRemark(u32),
    /// A referenda call.
    #[codec(index = 12)]
    Referenda(Call),
}

impl Dispatchable<Test> for TestCall {
    fn dispatch_with_post_info(self, origin: Origin) -> DispatchResultWithPostInfo {
        match self {
            TestCall::Remark(n) => Logged::mutate(|l| l.push((n, origin))),
            TestCall::RootRemark(n) => {
                origin.clone().ensure_root()?;
                Logged::mutate(|l| l.push((n, origin)))
            }
            TestCall::Referenda(call) => {
                return Dispatchable::<Test>::dispatch_with_post_info(call, origin)
            }
        }
        Ok(().into())
    }

    fn dispatch_info(&self) -> DispatchInfo {
        match self {
            TestCall::Referenda(call) => Dispatchable::<Test>::dispatch_info(call),
            _ => DispatchInfo::normal(Weight::from_ref_time(1_000_000)),
        }
    }
}

/// Preimages kept in [`Preimages`].
pub struct TestPreimages;

impl QueryPreimage for TestPreimages {
    fn fetch(hash: &H256, len: u32) -> Option<Vec<u8>> {
        Preimages::get(hash)
            .map(|(bytes, _)| bytes)
            .filter(|b| b.len() == len as usize)
    }
    fn request(hash: &H256) {
        Preimages::mutate_exists(hash, |p| {
            if let Some((_, count)) = p {
                *count += 1;
            }
        });
    }
    fn unrequest(hash: &H256) {
        Preimages::mutate_exists(hash, |p| {
            if let Some((_, count)) = p {
                *count = count.saturating_sub(1);
            }
        });
    }
}

/// Notes `call` as a preimage; its hash and length.
pub fn note(call: &TestCall) -> (H256, u32) {
    let bytes = call.encode();
    let hash = H256(basalt_support::primitives::hashing::blake2_256(&bytes));
    let len = bytes.len() as u32;
    Preimages::insert(hash, (bytes, 0));
    (hash, len)
}
