//! Unit tests of the preimage pallet: every call and error, deposits held and released, and
//! the attacks a noter would try (pulling a preimage from under a referendum, unnoting
//! another's preimage, noting more than `MaxSize`). Every test ends with the issuance check:
//! nothing minted or burned, and each account holds exactly the deposits its tickets name.

use crate::pallet::*;
use crate::PREIMAGE_HOLD;
use basalt_support::dispatch::Dispatchable;
use basalt_support::generic::Digest;
use basalt_support::governance::QueryPreimage;
use basalt_support::state::{empty_externalities, io};
use basalt_support::{AccountId, Balance, DispatchError, Origin, H256};

struct Test;

pallet_system::impl_test_config!(Test, max_consumers = 16, event = Event);
pallet_balances::impl_test_config!(Test, existential_deposit = 1);

impl Config for Test {
    const INDEX: u8 = 14;
    const BASE_DEPOSIT: Balance = 10;
    const BYTE_DEPOSIT: Balance = 1;
}

type Balances = pallet_balances::Pallet<Test>;
type System = pallet_system::Pallet<Test>;
type Preimage = Pallet<Test>;

fn acc(n: u8) -> AccountId {
    AccountId::new([n; 32])
}

fn test(f: impl FnOnce()) {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        let endow: Vec<(AccountId, Balance)> = (1..=3).map(|n| (acc(n), 1_000)).collect();
        Balances::genesis_endow(&endow).expect("endowed");
        System::initialize(1, H256::repeat_byte(1), &Digest::default());
        f();
        assert_eq!(Balances::total_issuance(), 3_000);
        for n in 1..=3 {
            let owed: Balance = RequestStatusFor::iter()
                .filter_map(|(_, s)| match s {
                    RequestStatus::Unrequested { ticket, .. } => Some(ticket),
                    RequestStatus::Requested { maybe_ticket, .. } => maybe_ticket,
                })
                .filter(|(who, _)| *who == acc(n))
                .map(|(_, d)| d)
                .sum();
            assert_eq!(
                Balances::balance_on_hold(&PREIMAGE_HOLD, &acc(n)),
                owed,
                "account {n}"
            );
        }
    });
}

fn dispatch(c: Call, origin: Origin) -> Result<(), DispatchError> {
    io::with_transaction(|| Dispatchable::<Test>::dispatch_with_post_info(c, origin))
        .map(|_| ())
        .map_err(|e| e.error)
}

fn note(who: Origin, bytes: &[u8]) -> Result<H256, DispatchError> {
    dispatch(
        Call::note_preimage {
            bytes: bytes.to_vec(),
        },
        who,
    )?;
    Ok(H256(basalt_support::primitives::hashing::blake2_256(bytes)))
}

fn signed(n: u8) -> Origin {
    Origin::Signed(acc(n))
}

fn err(e: Error<Test>) -> Result<(), DispatchError> {
    Err(e.into())
}

#[test]
fn noting_holds_a_deposit_by_length_and_unnoting_releases_it() {
    test(|| {
        let hash = note(signed(1), b"hello").unwrap();
        assert_eq!(Balances::balance_on_hold(&PREIMAGE_HOLD, &acc(1)), 15);
        assert_eq!(Preimage::fetch(&hash, 5), Some(b"hello".to_vec()));
        assert_eq!(Preimage::fetch(&hash, 4), None, "the length must match");
        assert_eq!(
            note(signed(2), b"hello"),
            Err(Error::<Test>::AlreadyNoted.into())
        );
        assert_eq!(
            dispatch(Call::unnote_preimage { hash }, signed(2)),
            err(Error::NotAuthorized)
        );
        dispatch(Call::unnote_preimage { hash }, signed(1)).unwrap();
        assert_eq!(Balances::balance_on_hold(&PREIMAGE_HOLD, &acc(1)), 0);
        assert_eq!(Preimage::fetch(&hash, 5), None);
        assert_eq!(
            dispatch(Call::unnote_preimage { hash }, signed(1)),
            err(Error::NotNoted)
        );
        assert_eq!(
            System::events_of::<Event>(14),
            vec![Event::Noted { hash }, Event::Cleared { hash }]
        );
    });
}

#[test]
fn root_notes_for_free_and_clears_by_unrequesting() {
    test(|| {
        let hash = note(Origin::Root, b"free").unwrap();
        assert_eq!(
            dispatch(Call::unnote_preimage { hash }, Origin::Root),
            err(Error::Requested)
        );
        dispatch(Call::unrequest_preimage { hash }, Origin::Root).unwrap();
        assert_eq!(Preimage::fetch(&hash, 4), None);
        assert_eq!(
            dispatch(Call::unrequest_preimage { hash }, Origin::Root),
            err(Error::NotRequested)
        );
    });
}

#[test]
fn a_requested_preimage_is_noted_for_free() {
    test(|| {
        let hash = H256(basalt_support::primitives::hashing::blake2_256(b"wanted"));
        dispatch(Call::request_preimage { hash }, Origin::Root).unwrap();
        assert_eq!(
            dispatch(Call::request_preimage { hash }, signed(1)),
            Err(DispatchError::BadOrigin)
        );
        note(signed(2), b"wanted").unwrap();
        assert_eq!(Balances::balance_on_hold(&PREIMAGE_HOLD, &acc(2)), 0);
        assert_eq!(Preimage::fetch(&hash, 6), Some(b"wanted".to_vec()));
        dispatch(Call::unrequest_preimage { hash }, Origin::Root).unwrap();
        assert_eq!(
            Preimage::fetch(&hash, 6),
            None,
            "no noter to hand it back to: cleared"
        );
    });
}

#[test]
fn requests_are_counted_and_the_last_hands_it_back() {
    test(|| {
        let hash = note(signed(1), b"call").unwrap();
        Preimage::request(&hash);
        Preimage::request(&hash);
        Preimage::unrequest(&hash);
        assert_eq!(
            dispatch(Call::unnote_preimage { hash }, signed(1)),
            err(Error::Requested)
        );
        Preimage::unrequest(&hash);
        assert!(matches!(
            RequestStatusFor::get(hash),
            Some(RequestStatus::Unrequested { .. })
        ));
        dispatch(Call::unnote_preimage { hash }, signed(1)).unwrap();
    });
}

#[test]
fn attack_pull_a_preimage_from_under_a_referendum() {
    test(|| {
        let hash = note(signed(1), b"spend").unwrap();
        Preimage::request(&hash);
        assert_eq!(
            dispatch(Call::unnote_preimage { hash }, signed(1)),
            err(Error::Requested)
        );
        assert_eq!(Preimage::fetch(&hash, 5), Some(b"spend".to_vec()));
    });
}

#[test]
fn attack_note_more_than_max_size_or_than_one_has() {
    test(|| {
        let big = vec![0u8; MAX_SIZE as usize + 1];
        assert_eq!(note(signed(1), &big).map(|_| ()), err(Error::TooBig));
        let costly = vec![1u8; 995];
        assert!(
            note(signed(3), &costly).is_err(),
            "a 1 005 deposit is more than it has"
        );
        assert_eq!(Balances::balance_on_hold(&PREIMAGE_HOLD, &acc(3)), 0);
        assert_eq!(RequestStatusFor::iter().count(), 0);
    });
}
