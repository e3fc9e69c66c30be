//! The mock runtime for the scheduler's tests: system and the scheduler, with a small call
//! enum whose calls log what ran and as whom, fail, or declare a chosen weight, and the
//! scheduler's own calls (so that one task can cancel another).

use crate::pallet::*;
use basalt_support::dispatch::{DispatchInfo, DispatchResultWithPostInfo, Dispatchable};
use basalt_support::storage::ValueQuery;
use basalt_support::{DispatchError, Origin, Weight};
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;

/// The most weight the scheduler takes per block in the mock: 1 000 µs.
pub const MAX_WEIGHT: Weight = Weight::from_parts(1_000_000_000, u64::MAX);

/// The mock runtime.
#[derive(Clone, PartialEq, Eq, Debug, TypeInfo)]
pub struct Test;

pallet_system::impl_test_config!(Test, max_consumers = 16, event = Event);

impl Config for Test {
    const INDEX: u8 = 9;
    type RuntimeCall = TestCall;
    const MAXIMUM_WEIGHT: Weight = MAX_WEIGHT;
}

basalt_support::storage! {
    pallet = "Test";
    /// What the test calls logged: the number and the origin they ran as.
    pub Logged: StorageValue<Vec<(u32, Origin)>, ValueQuery>;
}

/// The mock's calls.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum TestCall {
    /// Logs `n` with the origin (any origin).
    #[codec(index = 0)]
    Log(u32),
    /// Logs `n`, root only.
    #[codec(index = 1)]
    RootLog(u32),
    /// Logs `n`, then fails (its log must be undone).
    #[codec(index = 2)]
    LogThenFail(u32),
    /// Logs `n`, declaring `micros` of weight.
    #[codec(index = 3)]
    Heavy(u32, u64),
    /// A scheduler call.
    #[codec(index = 4)]
    Scheduler(Call<Test>),
}

fn log(n: u32, origin: Origin) {
    Logged::mutate(|l| l.push((n, origin)));
}

impl Dispatchable<Test> for TestCall {
    fn dispatch_with_post_info(self, origin: Origin) -> DispatchResultWithPostInfo {
        match self {
            TestCall::Log(n) => log(n, origin),
            TestCall::RootLog(n) => {
                origin.clone().ensure_root()?;
                log(n, origin)
            }
            TestCall::LogThenFail(n) => {
                log(n, origin);
                return Err(DispatchError::Other("test failure").into());
            }
            TestCall::Heavy(n, _) => log(n, origin),
            TestCall::Scheduler(call) => {
                return Dispatchable::<Test>::dispatch_with_post_info(call, origin)
            }
        }
        Ok(().into())
    }

    fn dispatch_info(&self) -> DispatchInfo {
        match self {
            TestCall::Heavy(_, micros) => {
                DispatchInfo::normal(Weight::from_ref_time(micros * 1_000_000))
            }
            TestCall::Scheduler(call) => Dispatchable::<Test>::dispatch_info(call),
            _ => DispatchInfo::normal(Weight::from_ref_time(1_000_000)),
        }
    }
}
