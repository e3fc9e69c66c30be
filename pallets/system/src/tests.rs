//! Unit tests of the system pallet over an empty state.

use super::pallet::*;
use basalt_support::dispatch::{DispatchInfo, Dispatchable};
use basalt_support::generic::digest::Digest;
use basalt_support::state::{empty_externalities, io};
use basalt_support::{AccountId, DispatchError, Origin, Weight, H256};
use codec::{Compact, Decode, Encode};

struct Test;
impl Config for Test {
    const INDEX: u8 = 0;
    const BLOCK_HASH_COUNT: u32 = 4;
    const MAX_BLOCK_WEIGHT: Weight = Weight::from_parts(2_000_000_000_000, u64::MAX);
    const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;
    const MAX_CONSUMERS: u32 = 2;
    const SS58_PREFIX: u16 = 42;
    type RuntimeEvent = Event;
}
type System = Pallet<Test>;

fn alice() -> AccountId {
    AccountId::new([1; 32])
}

fn in_block(f: impl FnOnce()) {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        System::initialize(1, H256::repeat_byte(9), &Digest::default());
        f()
    });
}

#[test]
fn providers_create_and_reap_accounts_with_events() {
    in_block(|| {
        assert_eq!(System::inc_providers(&alice()), IncRefStatus::Created);
        assert_eq!(System::inc_providers(&alice()), IncRefStatus::Existed);
        assert_eq!(System::dec_providers(&alice()), Ok(DecRefStatus::Exists));
        assert_eq!(System::dec_providers(&alice()), Ok(DecRefStatus::Reaped));
        assert!(!Account::contains_key(alice()));
        assert_eq!(
            System::events(),
            vec![
                Event::NewAccount { account: alice() },
                Event::KilledAccount { account: alice() }
            ]
        );
    });
}

#[test]
fn consumers_need_a_provider_and_are_bounded() {
    in_block(|| {
        assert_eq!(
            System::inc_consumers(&alice()),
            Err(DispatchError::NoProviders)
        );
        System::inc_providers(&alice());
        System::inc_consumers(&alice()).unwrap();
        System::inc_consumers(&alice()).unwrap();
        assert_eq!(
            System::inc_consumers(&alice()),
            Err(DispatchError::TooManyConsumers)
        );
        assert_eq!(
            System::dec_providers(&alice()),
            Err(DispatchError::ConsumerRemaining)
        );
        assert!(Account::contains_key(alice()));
    });
}

#[test]
fn block_hashes_are_kept_for_the_window_only() {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        for n in 1..=10u32 {
            System::initialize(n, H256::repeat_byte(n as u8), &Digest::default());
            System::finalize();
        }
        assert_eq!(System::block_hash(9), Some(H256::repeat_byte(10)));
        assert_eq!(System::block_hash(6), Some(H256::repeat_byte(7)));
        assert_eq!(System::block_hash(5), None);
        assert_eq!(
            System::block_hash(0),
            Some(H256::repeat_byte(1)),
            "the genesis hash is never pruned"
        );
    });
}

#[test]
fn finalize_stores_events_as_substrate_event_records() {
    in_block(|| {
        System::note_applying_extrinsic(0);
        System::note_applied_extrinsic(&Ok(()), DispatchInfo::normal(Weight::from_parts(10, 0)));
        System::note_finished_extrinsics();
        System::finalize();
        let raw = io::get(&events_key()).unwrap();
        let records: Vec<EventRecord<Event, H256>> = Decode::decode(&mut &raw[..]).unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].phase, Phase::ApplyExtrinsic(0));
        assert!(matches!(records[0].event, Event::ExtrinsicSuccess { .. }));
        assert_eq!(EventCount::get(), 1);
        assert_eq!(ExtrinsicCount::get(), Some(1));
        assert_eq!(&raw[..1], &Compact(1u32).encode()[..]);
    });
}

#[test]
fn failed_dispatch_in_a_transaction_leaves_no_event() {
    in_block(|| {
        let r: Result<(), DispatchError> = io::with_transaction(|| {
            Dispatchable::<Test>::dispatch(
                Call::remark_with_event {
                    remark: b"x".to_vec(),
                },
                Origin::Signed(alice()),
            )?;
            Err(DispatchError::Other("abort"))
        });
        assert!(r.is_err());
        assert!(System::events().is_empty());
    });
}

#[test]
fn root_calls_refuse_signed_origins() {
    in_block(|| {
        let call = Call::set_storage {
            items: vec![(b"k".to_vec(), b"v".to_vec())],
        };
        assert_eq!(
            Dispatchable::<Test>::dispatch(call.clone(), Origin::Signed(alice())),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(io::get(b"k"), None);
        assert_eq!(Dispatchable::<Test>::dispatch(call, Origin::Root), Ok(()));
        assert_eq!(io::get(b"k"), Some(b"v".to_vec()));
        let remark = Call::remark { remark: vec![1] };
        assert_eq!(
            Dispatchable::<Test>::dispatch(remark, Origin::Root),
            Err(DispatchError::BadOrigin)
        );
    });
}

#[test]
fn remark_with_event_emits_its_hash() {
    in_block(|| {
        Dispatchable::<Test>::dispatch(
            Call::remark_with_event {
                remark: b"hi".to_vec(),
            },
            Origin::Signed(alice()),
        )
        .unwrap();
        let hash = H256(basalt_support::primitives::hashing::blake2_256(b"hi"));
        assert_eq!(
            System::events(),
            vec![Event::Remarked {
                sender: alice(),
                hash
            }]
        );
    });
}

#[test]
fn account_info_default_is_80_zero_bytes_and_error_indices_are_positional() {
    assert_eq!(AccountInfo::default().encode(), vec![0u8; 80]);
    let e: DispatchError = Error::<Test>::NonZeroRefCount.into();
    match e {
        DispatchError::Module(m) => {
            assert_eq!(m.index, 0);
            assert_eq!(m.error, [1, 0, 0, 0]);
        }
        _ => panic!("not a module error"),
    }
}
