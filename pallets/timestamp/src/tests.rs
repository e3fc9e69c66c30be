//! Unit tests of the timestamp pallet over an empty state.

use super::pallet::*;
use basalt_support::dispatch::{DispatchClass, Dispatchable, Pays};
use basalt_support::hooks::Hooks;
use basalt_support::metadata::DescribePallet;
use basalt_support::state::empty_externalities;
use basalt_support::{AccountId, DispatchError, Origin, H256};
use codec::Encode;

struct Test;

pallet_system::impl_test_config!(Test);

impl Config for Test {
    const INDEX: u8 = 1;
    const MINIMUM_PERIOD: u64 = 3_000;
}

type Timestamp = Pallet<Test>;

fn set(now: u64, origin: Origin) -> Result<(), DispatchError> {
    Dispatchable::<Test>::dispatch(Call::set { now }, origin)
}

fn in_block(f: impl FnOnce()) {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        pallet_system::Pallet::<Test>::initialize(1, H256::zero(), &Default::default());
        f()
    });
}

#[test]
fn set_records_now_and_did_update() {
    in_block(|| {
        assert_eq!(Timestamp::now(), 0);
        assert!(!Timestamp::did_update());
        assert_eq!(set(1_700_000_000_000, Origin::None), Ok(()));
        assert_eq!(Timestamp::now(), 1_700_000_000_000);
        assert!(Timestamp::did_update());
        assert_eq!(Now::get(), 1_700_000_000_000);
    });
}

#[test]
fn set_requires_the_none_origin() {
    in_block(|| {
        let alice = AccountId::new([1; 32]);
        assert_eq!(set(5, Origin::Signed(alice)), Err(DispatchError::BadOrigin));
        assert_eq!(set(5, Origin::Root), Err(DispatchError::BadOrigin));
        assert_eq!(Timestamp::now(), 0);
        assert!(!Timestamp::did_update());
    });
}

#[test]
fn set_twice_in_a_block_is_refused() {
    in_block(|| {
        set(10_000, Origin::None).unwrap();
        assert_eq!(
            set(20_000, Origin::None),
            Err(Error::<Test>::AlreadySet.into())
        );
        assert_eq!(Timestamp::now(), 10_000);
    });
}

#[test]
fn minimum_period_is_enforced_across_blocks() {
    in_block(|| {
        set(10_000, Origin::None).unwrap();
        Timestamp::on_finalize(1);
        assert!(!Timestamp::did_update());
        // Less than MINIMUM_PERIOD later: refused with TooEarly, nothing changes.
        assert_eq!(
            set(12_999, Origin::None),
            Err(Error::<Test>::TooEarly.into())
        );
        assert_eq!(Timestamp::now(), 10_000);
        assert!(!Timestamp::did_update());
        // Earlier than the previous block: refused too.
        assert!(set(9_000, Origin::None).is_err());
        // Exactly MINIMUM_PERIOD later: accepted.
        assert_eq!(set(13_000, Origin::None), Ok(()));
        assert_eq!(Timestamp::now(), 13_000);
    });
}

#[test]
fn the_first_timestamp_may_be_anything() {
    in_block(|| {
        assert_eq!(set(1, Origin::None), Ok(()));
        assert_eq!(Timestamp::now(), 1);
    });
}

#[test]
fn errors_carry_the_pallet_index() {
    match DispatchError::from(Error::<Test>::TooEarly) {
        DispatchError::Module(m) => {
            assert_eq!(m.index, 1);
            assert_eq!(m.error, [1, 0, 0, 0]);
        }
        other => panic!("not a module error: {other:?}"),
    }
}

#[test]
fn set_is_a_free_mandatory_call_encoded_as_substrate() {
    let call = Call::set { now: 1_000 };
    let info = Dispatchable::<Test>::dispatch_info(&call);
    assert_eq!(info.class, DispatchClass::Mandatory);
    assert_eq!(info.pays_fee, Pays::No);
    assert_eq!(info.weight, weights::set());
    // Call index 0, then the compact moment.
    assert_eq!(
        call.encode(),
        [vec![0u8], codec::Compact(1_000u64).encode()].concat()
    );
}

#[test]
fn hooks_report_and_clear() {
    in_block(|| {
        assert_eq!(Timestamp::on_initialize(1), weights::on_finalize());
        set(5, Origin::None).unwrap();
        Timestamp::on_finalize(1);
        assert!(!DidUpdate::exists());
        assert_eq!(Timestamp::now(), 5);
    });
}

#[test]
fn drift_check_allows_thirty_seconds() {
    assert!(Timestamp::is_within_drift(130_000, 100_000));
    assert!(!Timestamp::is_within_drift(130_001, 100_000));
    assert!(Timestamp::is_within_drift(0, u64::MAX));
}

#[test]
fn describe_lists_storage_call_error_and_minimum_period() {
    let d = Timestamp::describe();
    assert_eq!(d.name, "Timestamp");
    let storage = d.storage.expect("storage");
    assert_eq!(storage.prefix, "Timestamp");
    let names: Vec<_> = storage.entries.iter().map(|e| e.name).collect();
    assert_eq!(names, vec!["Now", "DidUpdate"]);
    assert!(d.calls.is_some());
    assert!(d.event.is_none());
    assert!(d.error.is_some());
    assert_eq!(d.constants.len(), 1);
    assert_eq!(d.constants[0].name, "MinimumPeriod");
    assert_eq!(d.constants[0].value, 3_000u64.encode());
}

#[test]
fn now_uses_substrates_storage_key() {
    // twox128("Timestamp") ++ twox128("Now"), the key explorers read.
    let key = Now::hashed_key();
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "f0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb"
    );
}
