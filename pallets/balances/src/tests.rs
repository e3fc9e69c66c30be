//! Unit tests of the balances pallet over an empty state, with a small existential deposit.
//!
//! Every test ends with [`check_invariants`]: the sum of all accounts' free and reserved
//! balances equals `TotalIssuance`, reference counts match the balance data, locks, reserves
//! and holds agree with `frozen`/`reserved`, and no balances storage outlives its account.

use super::pallet::*;
use basalt_support::dispatch::{ArithmeticError, Dispatchable};
use basalt_support::generic::digest::Digest;
use basalt_support::metadata::DescribePallet;
use basalt_support::multiaddress::MultiAddress;
use basalt_support::state::{empty_externalities, io};
use basalt_support::storage::PrefixIter;
use basalt_support::{AccountId, Balance, DispatchError, Origin, H256};
use codec::{Compact, Decode, Encode};
use pallet_system::Account;

struct Test;
pallet_system::impl_test_config!(Test, max_consumers = 3, event = Event);
impl Config for Test {
    const INDEX: u8 = 2;
    const EXISTENTIAL_DEPOSIT: Balance = ED;
    const MAX_LOCKS: u32 = 3;
    const MAX_RESERVES: u32 = 2;
    const MAX_HOLDS: u32 = 2;
}

type Balances = Pallet<Test>;
type System = pallet_system::Pallet<Test>;
type SystemEvent = pallet_system::Event;

const ED: Balance = 10;
const ESCROW: HoldReason = *b"escrow  ";
const OTHER: HoldReason = *b"other   ";
const STAKING: LockIdentifier = *b"staking ";
const VOTING: LockIdentifier = *b"democrac";

fn acc(n: u8) -> AccountId {
    AccountId::new([n; 32])
}
fn alice() -> AccountId {
    acc(1)
}
fn bob() -> AccountId {
    acc(2)
}
fn charlie() -> AccountId {
    acc(3)
}
fn addr(who: AccountId) -> Address {
    MultiAddress::Id(who)
}

/// Runs `f` in block 1 over a fresh state endowed with `endow`, then checks the invariants.
fn test_with(endow: &[(AccountId, Balance)], f: impl FnOnce()) {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        System::initialize(1, H256::zero(), &Digest::default());
        Balances::genesis_endow(endow).expect("valid genesis");
        f();
        check_invariants();
    });
}

/// Alice 100, Bob 50.
fn test(f: impl FnOnce()) {
    test_with(&[(alice(), 100), (bob(), 50)], f)
}

fn dispatch(call: Call, origin: Origin) -> Result<(), DispatchError> {
    Dispatchable::<Test>::dispatch(call, origin)
}

fn signed(who: AccountId) -> Origin {
    Origin::Signed(who)
}

fn err(e: Error<Test>) -> DispatchError {
    e.into()
}

fn events() -> Vec<Event> {
    System::events_of::<Event>(2)
}

fn system_events() -> Vec<SystemEvent> {
    System::events()
}

fn free(who: &AccountId) -> Balance {
    Balances::free_balance(who)
}

fn issuance() -> Balance {
    Balances::total_issuance()
}

type Snapshot = (Vec<(Vec<u8>, Vec<u8>)>, u32);

/// Everything in storage plus the number of events: equal snapshots mean nothing changed.
fn snapshot() -> Snapshot {
    (PrefixIter::new(Vec::new()).collect(), io::event_count())
}

/// The invariants every operation must keep.
fn check_invariants() {
    let mut sum: Balance = 0;
    for (who, info) in Account::iter() {
        let d = info.data;
        let total = d
            .free
            .checked_add(d.reserved)
            .expect("account total overflows");
        sum = sum.checked_add(total).expect("sum of balances overflows");
        let live = d.free != 0 || d.reserved != 0 || d.frozen != 0;
        if live {
            assert!(info.providers >= 1, "live account without provider");
            assert!(
                total >= ED || d.reserved != 0 || d.frozen != 0 || info.consumers > 0,
                "account below ED with nothing keeping it alive"
            );
        }
        if d.reserved != 0 || d.frozen != 0 {
            assert!(
                info.consumers >= 1,
                "reserve/lock without consumer reference"
            );
        }
        let locks = Locks::get(&who);
        assert_eq!(
            locks.iter().map(|l| l.amount).max().unwrap_or(0),
            d.frozen,
            "frozen != max lock"
        );
        assert!(locks.len() <= 3);
        assert!(locks.iter().all(|l| l.amount > 0));
        let named: Balance = Reserves::get(&who).iter().map(|r| r.amount).sum();
        let held: Balance = Holds::get(&who).iter().map(|h| h.amount).sum();
        assert!(
            named + held <= d.reserved,
            "named reserves and holds exceed reserved"
        );
        assert!(Reserves::get(&who).iter().all(|r| r.amount > 0));
        assert!(Holds::get(&who).iter().all(|h| h.amount > 0));
    }
    assert_eq!(sum, TotalIssuance::get(), "issuance not conserved");
    for who in Locks::iter_keys()
        .chain(Reserves::iter_keys())
        .chain(Holds::iter_keys())
    {
        assert!(
            Account::contains_key(&who),
            "balances storage outlives its account"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Genesis
// ---------------------------------------------------------------------------------------------

#[test]
fn genesis_endows_without_events() {
    test(|| {
        assert_eq!(free(&alice()), 100);
        assert_eq!(free(&bob()), 50);
        assert_eq!(issuance(), 150);
        let info = Account::get(alice());
        assert_eq!(info.providers, 1);
        assert_eq!(info.data.flags, IS_NEW_LOGIC);
        assert!(events().is_empty());
        assert!(system_events().is_empty());
    });
}

#[test]
fn genesis_rejects_bad_input_and_writes_nothing() {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        let before = snapshot();
        assert_eq!(
            Balances::genesis_endow(&[(alice(), 100), (bob(), ED - 1)]),
            Err(err(Error::ExistentialDeposit))
        );
        assert!(matches!(
            Balances::genesis_endow(&[(alice(), 100), (alice(), 100)]),
            Err(DispatchError::Other(_))
        ));
        assert_eq!(
            Balances::genesis_endow(&[(alice(), u128::MAX), (bob(), 100)]),
            Err(DispatchError::Arithmetic(ArithmeticError::Overflow))
        );
        assert_eq!(snapshot(), before);
        check_invariants();
    });
}

// ---------------------------------------------------------------------------------------------
// transfer_allow_death / transfer_keep_alive / force_transfer
// ---------------------------------------------------------------------------------------------

#[test]
fn transfer_to_existing_account() {
    test(|| {
        dispatch(
            Call::transfer_allow_death {
                dest: addr(bob()),
                value: 30,
            },
            signed(alice()),
        )
        .unwrap();
        assert_eq!(free(&alice()), 70);
        assert_eq!(free(&bob()), 80);
        assert_eq!(issuance(), 150);
        assert_eq!(
            events(),
            vec![Event::Transfer {
                from: alice(),
                to: bob(),
                amount: 30
            }]
        );
    });
}

#[test]
fn transfer_creates_account_with_endowed_event() {
    test(|| {
        dispatch(
            Call::transfer_allow_death {
                dest: addr(charlie()),
                value: ED,
            },
            signed(alice()),
        )
        .unwrap();
        assert_eq!(free(&charlie()), ED);
        assert_eq!(Account::get(charlie()).providers, 1);
        assert_eq!(
            system_events(),
            vec![SystemEvent::NewAccount { account: charlie() }]
        );
        assert_eq!(
            events(),
            vec![
                Event::Endowed {
                    account: charlie(),
                    free_balance: ED
                },
                Event::Transfer {
                    from: alice(),
                    to: charlie(),
                    amount: ED
                },
            ]
        );
    });
}

#[test]
fn transfer_errors() {
    test(|| {
        let before = snapshot();
        // Below the ED for a new account.
        assert_eq!(
            dispatch(
                Call::transfer_allow_death {
                    dest: addr(charlie()),
                    value: ED - 1
                },
                signed(alice())
            ),
            Err(err(Error::ExistentialDeposit))
        );
        // More than the free balance, including the largest possible value.
        assert_eq!(
            dispatch(
                Call::transfer_allow_death {
                    dest: addr(bob()),
                    value: 101
                },
                signed(alice())
            ),
            Err(err(Error::InsufficientBalance))
        );
        assert_eq!(
            dispatch(
                Call::transfer_allow_death {
                    dest: addr(bob()),
                    value: u128::MAX
                },
                signed(alice())
            ),
            Err(err(Error::InsufficientBalance))
        );
        assert_eq!(
            dispatch(
                Call::transfer_keep_alive {
                    dest: addr(bob()),
                    value: u128::MAX
                },
                signed(alice())
            ),
            Err(err(Error::InsufficientBalance))
        );
        // A sender with nothing.
        assert_eq!(
            dispatch(
                Call::transfer_allow_death {
                    dest: addr(bob()),
                    value: 1
                },
                signed(charlie())
            ),
            Err(err(Error::InsufficientBalance))
        );
        // Unresolvable addresses.
        assert_eq!(
            dispatch(
                Call::transfer_allow_death {
                    dest: MultiAddress::Index(()),
                    value: 1
                },
                signed(alice())
            ),
            Err(DispatchError::CannotLookup)
        );
        assert_eq!(
            dispatch(
                Call::transfer_allow_death {
                    dest: MultiAddress::Address20([0; 20]),
                    value: 1
                },
                signed(alice())
            ),
            Err(DispatchError::CannotLookup)
        );
        // Unsigned and root origins.
        assert_eq!(
            dispatch(
                Call::transfer_allow_death {
                    dest: addr(bob()),
                    value: 1
                },
                Origin::None
            ),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(
            dispatch(
                Call::transfer_keep_alive {
                    dest: addr(bob()),
                    value: 1
                },
                Origin::Root
            ),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(snapshot(), before);
    });
}

#[test]
fn address32_resolves_like_id() {
    test(|| {
        dispatch(
            Call::transfer_allow_death {
                dest: MultiAddress::Address32([2; 32]),
                value: 5,
            },
            signed(alice()),
        )
        .unwrap();
        assert_eq!(free(&bob()), 55);
    });
}

#[test]
fn transfer_allow_death_reaps_sender_and_loses_dust() {
    test(|| {
        System::inc_account_nonce(&alice());
        dispatch(
            Call::transfer_allow_death {
                dest: addr(bob()),
                value: 95,
            },
            signed(alice()),
        )
        .unwrap();
        assert!(
            !Account::contains_key(alice()),
            "reaped account removed, nonce included"
        );
        assert_eq!(free(&bob()), 145);
        assert_eq!(issuance(), 145);
        assert_eq!(
            system_events(),
            vec![SystemEvent::KilledAccount { account: alice() }]
        );
        assert_eq!(
            events(),
            vec![
                Event::DustLost {
                    account: alice(),
                    amount: 5
                },
                Event::Transfer {
                    from: alice(),
                    to: bob(),
                    amount: 95
                },
            ]
        );
    });
}

#[test]
fn transfer_keep_alive_refuses_to_reap() {
    test(|| {
        let before = snapshot();
        assert_eq!(
            dispatch(
                Call::transfer_keep_alive {
                    dest: addr(bob()),
                    value: 91
                },
                signed(alice())
            ),
            Err(err(Error::Expendability))
        );
        assert_eq!(
            dispatch(
                Call::transfer_keep_alive {
                    dest: addr(bob()),
                    value: 100
                },
                signed(alice())
            ),
            Err(err(Error::Expendability))
        );
        assert_eq!(snapshot(), before);
        dispatch(
            Call::transfer_keep_alive {
                dest: addr(bob()),
                value: 90,
            },
            signed(alice()),
        )
        .unwrap();
        assert_eq!(free(&alice()), ED);
        assert_eq!(free(&bob()), 140);
    });
}

#[test]
fn zero_and_self_transfers_do_nothing() {
    test(|| {
        let before = snapshot();
        dispatch(
            Call::transfer_allow_death {
                dest: addr(bob()),
                value: 0,
            },
            signed(alice()),
        )
        .unwrap();
        dispatch(
            Call::transfer_allow_death {
                dest: addr(alice()),
                value: 60,
            },
            signed(alice()),
        )
        .unwrap();
        assert_eq!(snapshot(), before);
    });
}

#[test]
fn force_transfer_is_root_only() {
    test(|| {
        let call = Call::force_transfer {
            source: addr(alice()),
            dest: addr(bob()),
            value: 40,
        };
        assert_eq!(
            dispatch(call.clone(), signed(alice())),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(
            dispatch(call.clone(), Origin::None),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(free(&alice()), 100);
        dispatch(call, Origin::Root).unwrap();
        assert_eq!(free(&alice()), 60);
        assert_eq!(free(&bob()), 90);
        // It may reap the source, and still checks funds and the ED.
        assert_eq!(
            dispatch(
                Call::force_transfer {
                    source: addr(alice()),
                    dest: addr(bob()),
                    value: 61
                },
                Origin::Root
            ),
            Err(err(Error::InsufficientBalance))
        );
        assert_eq!(
            dispatch(
                Call::force_transfer {
                    source: addr(alice()),
                    dest: addr(charlie()),
                    value: 1
                },
                Origin::Root
            ),
            Err(err(Error::ExistentialDeposit))
        );
        assert_eq!(
            dispatch(
                Call::force_transfer {
                    source: MultiAddress::Raw(vec![1]),
                    dest: addr(bob()),
                    value: 1
                },
                Origin::Root
            ),
            Err(DispatchError::CannotLookup)
        );
        dispatch(
            Call::force_transfer {
                source: addr(alice()),
                dest: addr(bob()),
                value: 55,
            },
            Origin::Root,
        )
        .unwrap();
        assert!(!Account::contains_key(alice()));
        assert_eq!(issuance(), 145);
    });
}

// ---------------------------------------------------------------------------------------------
// transfer_all
// ---------------------------------------------------------------------------------------------

#[test]
fn transfer_all_keep_alive_leaves_the_ed() {
    test(|| {
        dispatch(
            Call::transfer_all {
                dest: addr(bob()),
                keep_alive: true,
            },
            signed(alice()),
        )
        .unwrap();
        assert_eq!(free(&alice()), ED);
        assert_eq!(free(&bob()), 140);
        assert_eq!(issuance(), 150);
    });
}

#[test]
fn transfer_all_allow_death_empties_the_sender() {
    test(|| {
        dispatch(
            Call::transfer_all {
                dest: addr(charlie()),
                keep_alive: false,
            },
            signed(alice()),
        )
        .unwrap();
        assert!(!Account::contains_key(alice()));
        assert_eq!(free(&charlie()), 100);
        assert_eq!(issuance(), 150);
        // No dust: everything moved.
        assert!(!events().iter().any(|e| matches!(e, Event::DustLost { .. })));
    });
}

#[test]
fn transfer_all_respects_locks_and_reserves() {
    test(|| {
        Balances::set_lock(STAKING, &alice(), 30, Reasons::All).unwrap();
        Balances::reserve(&alice(), 5).unwrap();
        // free 95, frozen 30; the reserve keeps the account from dying, so ED - reserved stays too.
        assert_eq!(Balances::reducible_balance(&alice(), false), 65);
        dispatch(
            Call::transfer_all {
                dest: addr(bob()),
                keep_alive: false,
            },
            signed(alice()),
        )
        .unwrap();
        assert_eq!(free(&alice()), 30);
        assert_eq!(Balances::reserved_balance(&alice()), 5);
        // Nothing more can go.
        dispatch(
            Call::transfer_all {
                dest: addr(bob()),
                keep_alive: false,
            },
            signed(alice()),
        )
        .unwrap();
        assert_eq!(free(&alice()), 30);
    });
}

#[test]
fn transfer_all_to_new_account_below_ed_fails() {
    test(|| {
        Balances::set_lock(STAKING, &alice(), 95, Reasons::All).unwrap();
        assert_eq!(
            dispatch(
                Call::transfer_all {
                    dest: addr(charlie()),
                    keep_alive: false
                },
                signed(alice())
            ),
            Err(err(Error::ExistentialDeposit))
        );
    });
}

// ---------------------------------------------------------------------------------------------
// force_unreserve / force_set_balance / burn
// ---------------------------------------------------------------------------------------------

#[test]
fn force_unreserve_is_root_only_and_touches_only_the_anonymous_reserve() {
    test(|| {
        Balances::reserve(&alice(), 20).unwrap();
        Balances::hold(&ESCROW, &alice(), 30).unwrap();
        let call = Call::force_unreserve {
            who: addr(alice()),
            amount: 100,
        };
        assert_eq!(
            dispatch(call.clone(), signed(alice())),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(Balances::reserved_balance(&alice()), 50);
        dispatch(call, Origin::Root).unwrap();
        assert_eq!(Balances::reserved_balance(&alice()), 30);
        assert_eq!(Balances::balance_on_hold(&ESCROW, &alice()), 30);
        assert_eq!(free(&alice()), 70);
        assert_eq!(
            events().last(),
            Some(&Event::Unreserved {
                who: alice(),
                amount: 20
            })
        );
        assert_eq!(
            dispatch(
                Call::force_unreserve {
                    who: MultiAddress::Index(()),
                    amount: 1
                },
                Origin::Root
            ),
            Err(DispatchError::CannotLookup)
        );
    });
}

#[test]
fn force_set_balance_mints_burns_creates_and_reaps() {
    test(|| {
        let call = Call::force_set_balance {
            who: addr(alice()),
            new_free: 500,
        };
        assert_eq!(
            dispatch(call.clone(), signed(alice())),
            Err(DispatchError::BadOrigin)
        );
        dispatch(call, Origin::Root).unwrap();
        assert_eq!(free(&alice()), 500);
        assert_eq!(issuance(), 550);
        dispatch(
            Call::force_set_balance {
                who: addr(alice()),
                new_free: 40,
            },
            Origin::Root,
        )
        .unwrap();
        assert_eq!(issuance(), 90);
        // Creating.
        dispatch(
            Call::force_set_balance {
                who: addr(charlie()),
                new_free: 25,
            },
            Origin::Root,
        )
        .unwrap();
        assert_eq!(free(&charlie()), 25);
        assert_eq!(issuance(), 115);
        assert!(system_events().contains(&SystemEvent::NewAccount { account: charlie() }));
        // Below the ED: emptied and reaped.
        dispatch(
            Call::force_set_balance {
                who: addr(charlie()),
                new_free: ED - 1,
            },
            Origin::Root,
        )
        .unwrap();
        assert!(!Account::contains_key(charlie()));
        assert_eq!(issuance(), 90);
        assert!(system_events().contains(&SystemEvent::KilledAccount { account: charlie() }));
        assert_eq!(
            events().last(),
            Some(&Event::BalanceSet {
                who: charlie(),
                free: 0
            })
        );
        // Overflow of issuance.
        let before = snapshot();
        assert_eq!(
            dispatch(
                Call::force_set_balance {
                    who: addr(bob()),
                    new_free: u128::MAX
                },
                Origin::Root
            ),
            Err(DispatchError::Arithmetic(ArithmeticError::Overflow))
        );
        assert_eq!(snapshot(), before);
    });
}

#[test]
fn force_set_balance_keeps_reserved_accounts() {
    test(|| {
        Balances::reserve(&alice(), 60).unwrap();
        dispatch(
            Call::force_set_balance {
                who: addr(alice()),
                new_free: 0,
            },
            Origin::Root,
        )
        .unwrap();
        assert_eq!(free(&alice()), 0);
        assert_eq!(Balances::reserved_balance(&alice()), 60);
        assert_eq!(issuance(), 110);
        assert!(Account::contains_key(alice()));
    });
}

#[test]
fn burn_reduces_issuance() {
    test(|| {
        dispatch(
            Call::burn {
                value: 30,
                keep_alive: true,
            },
            signed(alice()),
        )
        .unwrap();
        assert_eq!(free(&alice()), 70);
        assert_eq!(issuance(), 120);
        assert_eq!(
            events(),
            vec![Event::Burned {
                who: alice(),
                amount: 30
            }]
        );
        let before = snapshot();
        assert_eq!(
            dispatch(
                Call::burn {
                    value: 61,
                    keep_alive: true
                },
                signed(alice())
            ),
            Err(err(Error::Expendability))
        );
        assert_eq!(
            dispatch(
                Call::burn {
                    value: 71,
                    keep_alive: false
                },
                signed(alice())
            ),
            Err(err(Error::InsufficientBalance))
        );
        assert_eq!(
            dispatch(
                Call::burn {
                    value: 1,
                    keep_alive: false
                },
                Origin::Root
            ),
            Err(DispatchError::BadOrigin)
        );
        assert_eq!(snapshot(), before);
        // Without keep_alive the account may go, with its dust.
        dispatch(
            Call::burn {
                value: 65,
                keep_alive: false,
            },
            signed(alice()),
        )
        .unwrap();
        assert!(!Account::contains_key(alice()));
        assert_eq!(issuance(), 50);
    });
}

// ---------------------------------------------------------------------------------------------
// Atomicity
// ---------------------------------------------------------------------------------------------

#[test]
fn failed_calls_in_a_transaction_change_nothing() {
    test(|| {
        Balances::set_lock(STAKING, &alice(), 50, Reasons::All).unwrap();
        let before = snapshot();
        let failing = vec![
            (
                Call::transfer_allow_death {
                    dest: addr(charlie()),
                    value: 5,
                },
                signed(alice()),
            ),
            (
                Call::transfer_allow_death {
                    dest: addr(bob()),
                    value: 60,
                },
                signed(alice()),
            ),
            (
                Call::transfer_keep_alive {
                    dest: addr(alice()),
                    value: 45,
                },
                signed(bob()),
            ),
            (
                Call::force_transfer {
                    source: addr(alice()),
                    dest: addr(bob()),
                    value: 1,
                },
                signed(bob()),
            ),
            (
                Call::force_unreserve {
                    who: addr(alice()),
                    amount: 1,
                },
                signed(alice()),
            ),
            (
                Call::force_set_balance {
                    who: addr(bob()),
                    new_free: u128::MAX,
                },
                Origin::Root,
            ),
            (
                Call::burn {
                    value: 51,
                    keep_alive: false,
                },
                signed(alice()),
            ),
            (
                Call::transfer_all {
                    dest: addr(charlie()),
                    keep_alive: true,
                },
                Origin::None,
            ),
        ];
        for (call, origin) in failing {
            let r: Result<(), DispatchError> =
                io::with_transaction(|| dispatch(call.clone(), origin));
            assert!(r.is_err(), "{call:?} should fail");
            assert_eq!(snapshot(), before, "{call:?} changed state");
        }
    });
}

#[test]
fn transfer_checks_the_destination_before_reaping_the_sender() {
    // Sending 5 would reap Alice (allowed), but the new destination would be below the ED:
    // nothing may happen to Alice either.
    test(|| {
        let before = snapshot();
        assert_eq!(
            Balances::transfer(&alice(), &charlie(), 5, false),
            Err(err(Error::ExistentialDeposit))
        );
        assert_eq!(snapshot(), before);
    });
}

#[test]
fn consumer_limit_failure_leaves_no_partial_state() {
    // Here the failure comes late, from the system pallet, after the pallet has already written
    // the hold/reserve list: the pallet's own transaction must undo it, with no outer one.
    test(|| {
        // The mock allows 3 consumers; take them all as another pallet would.
        for _ in 0..3 {
            System::inc_consumers(&alice()).unwrap();
        }
        let before = snapshot();
        assert_eq!(
            Balances::reserve(&alice(), 10),
            Err(DispatchError::TooManyConsumers)
        );
        assert_eq!(
            Balances::hold(&ESCROW, &alice(), 10),
            Err(DispatchError::TooManyConsumers)
        );
        assert_eq!(
            Balances::set_lock(STAKING, &alice(), 10, Reasons::All),
            Err(DispatchError::TooManyConsumers)
        );
        assert_eq!(
            Balances::reserve_named(b"deposit ", &alice(), 10),
            Err(DispatchError::TooManyConsumers)
        );
        assert_eq!(snapshot(), before);
        for _ in 0..3 {
            System::dec_consumers(&alice());
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Locks
// ---------------------------------------------------------------------------------------------

#[test]
fn locks_block_spending_and_reserving() {
    test(|| {
        Balances::set_lock(STAKING, &alice(), 60, Reasons::All).unwrap();
        assert_eq!(Balances::frozen_balance(&alice()), 60);
        assert_eq!(Account::get(alice()).consumers, 1);
        assert_eq!(
            events(),
            vec![Event::Locked {
                who: alice(),
                amount: 60
            }]
        );
        assert_eq!(
            dispatch(
                Call::transfer_allow_death {
                    dest: addr(bob()),
                    value: 41
                },
                signed(alice())
            ),
            Err(err(Error::LiquidityRestrictions))
        );
        assert_eq!(
            Balances::withdraw(&alice(), 41, false),
            Err(err(Error::LiquidityRestrictions))
        );
        assert_eq!(
            Balances::reserve(&alice(), 41),
            Err(err(Error::LiquidityRestrictions))
        );
        assert_eq!(
            Balances::hold(&ESCROW, &alice(), 41),
            Err(err(Error::LiquidityRestrictions))
        );
        assert_eq!(
            Balances::can_withdraw(&alice(), 41, false),
            Err(err(Error::LiquidityRestrictions))
        );
        assert_eq!(Balances::can_withdraw(&alice(), 40, false), Ok(()));
        dispatch(
            Call::transfer_allow_death {
                dest: addr(bob()),
                value: 40,
            },
            signed(alice()),
        )
        .unwrap();
        assert_eq!(free(&alice()), 60);
        // A smaller second lock changes nothing; a larger one raises frozen.
        Balances::set_lock(VOTING, &alice(), 20, Reasons::Misc).unwrap();
        assert_eq!(Balances::frozen_balance(&alice()), 60);
        Balances::extend_lock(VOTING, &alice(), 10, Reasons::Fee).unwrap();
        let voting = Balances::locks(&alice())
            .into_iter()
            .find(|l| l.id == VOTING)
            .unwrap();
        assert_eq!((voting.amount, voting.reasons), (20, Reasons::All));
        // Removing the larger lock unfreezes down to the smaller one.
        Balances::remove_lock(STAKING, &alice()).unwrap();
        assert_eq!(Balances::frozen_balance(&alice()), 20);
        assert_eq!(
            events().last(),
            Some(&Event::Unlocked {
                who: alice(),
                amount: 40
            })
        );
        Balances::set_lock(VOTING, &alice(), 0, Reasons::All).unwrap();
        assert_eq!(Balances::frozen_balance(&alice()), 0);
        assert!(Balances::locks(&alice()).is_empty());
        assert_eq!(Account::get(alice()).consumers, 0);
    });
}

#[test]
fn lock_keeps_the_account_alive() {
    test(|| {
        Balances::set_lock(STAKING, &alice(), 5, Reasons::All).unwrap();
        // 95 would leave 5 >= frozen but below the ED; the lock forbids reaping.
        assert_eq!(
            dispatch(
                Call::transfer_allow_death {
                    dest: addr(bob()),
                    value: 95
                },
                signed(alice())
            ),
            Err(err(Error::Expendability))
        );
        dispatch(
            Call::transfer_allow_death {
                dest: addr(bob()),
                value: 90,
            },
            signed(alice()),
        )
        .unwrap();
        assert_eq!(free(&alice()), ED);
    });
}

#[test]
fn lock_errors() {
    test(|| {
        assert_eq!(
            Balances::set_lock(STAKING, &charlie(), 10, Reasons::All),
            Err(err(Error::DeadAccount))
        );
        Balances::set_lock(*b"lock0000", &alice(), 1, Reasons::All).unwrap();
        Balances::set_lock(*b"lock0001", &alice(), 2, Reasons::All).unwrap();
        Balances::set_lock(*b"lock0002", &alice(), 3, Reasons::All).unwrap();
        let before = snapshot();
        assert_eq!(
            Balances::set_lock(*b"lock0003", &alice(), 4, Reasons::All),
            Err(err(Error::TooManyFreezes))
        );
        assert_eq!(snapshot(), before);
        // Replacing an existing lock is fine at the limit; removing an absent one does nothing.
        Balances::set_lock(*b"lock0002", &alice(), 500, Reasons::Fee).unwrap();
        assert_eq!(Balances::frozen_balance(&alice()), 500);
        let before = snapshot();
        Balances::remove_lock(*b"absent  ", &alice()).unwrap();
        Balances::extend_lock(*b"absent  ", &alice(), 0, Reasons::All).unwrap();
        assert_eq!(snapshot(), before);
        // Frozen above free blocks every spend.
        assert_eq!(Balances::reducible_balance(&alice(), false), 0);
        assert_eq!(
            Balances::withdraw(&alice(), 1, false),
            Err(err(Error::LiquidityRestrictions))
        );
    });
}

#[test]
fn slashing_a_locked_account_keeps_it_until_the_lock_goes() {
    test(|| {
        Balances::set_lock(STAKING, &alice(), 100, Reasons::All).unwrap();
        assert_eq!(Balances::slash(&alice(), 95), 95);
        assert_eq!(free(&alice()), 5);
        assert_eq!(issuance(), 55);
        assert!(Account::contains_key(alice()));
        assert_eq!(
            events().last(),
            Some(&Event::Slashed {
                who: alice(),
                amount: 95
            })
        );
        Balances::remove_lock(STAKING, &alice()).unwrap();
        assert!(!Account::contains_key(alice()));
        assert_eq!(issuance(), 50);
        assert!(events().contains(&Event::DustLost {
            account: alice(),
            amount: 5
        }));
    });
}

// ---------------------------------------------------------------------------------------------
// Reserves
// ---------------------------------------------------------------------------------------------

#[test]
fn reserve_unreserve_and_slash_reserved() {
    test(|| {
        Balances::reserve(&alice(), 40).unwrap();
        assert_eq!(free(&alice()), 60);
        assert_eq!(Balances::reserved_balance(&alice()), 40);
        assert_eq!(Balances::total_balance(&alice()), 100);
        assert_eq!(Account::get(alice()).consumers, 1);
        assert_eq!(
            events(),
            vec![Event::Reserved {
                who: alice(),
                amount: 40
            }]
        );
        // unreserve returns what it could NOT unreserve.
        assert_eq!(Balances::unreserve(&alice(), 10), 0);
        assert_eq!(Balances::reserved_balance(&alice()), 30);
        assert_eq!(Balances::slash_reserved(&alice(), 20), 20);
        assert_eq!(Balances::total_balance(&alice()), 80);
        assert_eq!(issuance(), 130);
        assert_eq!(
            events().last(),
            Some(&Event::Slashed {
                who: alice(),
                amount: 20
            })
        );
        assert_eq!(Balances::unreserve(&alice(), 25), 15);
        assert_eq!(Balances::reserved_balance(&alice()), 0);
        assert_eq!(Account::get(alice()).consumers, 0);
        assert_eq!(Balances::slash_reserved(&alice(), 5), 0);
        assert_eq!(Balances::unreserve(&alice(), 5), 5);
    });
}

#[test]
fn reserve_errors() {
    test(|| {
        let before = snapshot();
        assert_eq!(
            Balances::reserve(&alice(), 101),
            Err(err(Error::InsufficientBalance))
        );
        assert_eq!(
            Balances::reserve(&charlie(), 1),
            Err(err(Error::InsufficientBalance))
        );
        assert_eq!(
            Balances::reserve(&alice(), u128::MAX),
            Err(err(Error::InsufficientBalance))
        );
        assert_eq!(snapshot(), before);
        Balances::reserve(&alice(), 0).unwrap();
        assert_eq!(snapshot(), before);
    });
}

#[test]
fn reserve_keeps_the_account_alive() {
    test(|| {
        Balances::reserve(&alice(), 5).unwrap();
        // total would be 9 < ED, and the reserve forbids reaping.
        assert_eq!(
            dispatch(
                Call::transfer_allow_death {
                    dest: addr(bob()),
                    value: 91
                },
                signed(alice())
            ),
            Err(err(Error::Expendability))
        );
        dispatch(
            Call::transfer_allow_death {
                dest: addr(bob()),
                value: 90,
            },
            signed(alice()),
        )
        .unwrap();
        assert_eq!(Balances::total_balance(&alice()), ED);
        assert_eq!(Balances::reducible_balance(&alice(), false), 0);
        // Reserving the rest is fine: the total does not change.
        Balances::reserve(&alice(), 5).unwrap();
        assert_eq!(free(&alice()), 0);
        // Unreserving it all makes the account a plain one again.
        assert_eq!(Balances::unreserve(&alice(), 10), 0);
        assert_eq!(free(&alice()), ED);
        assert_eq!(Account::get(alice()).consumers, 0);
        // All of free may go once the reserve alone covers the ED.
        Balances::reserve(&bob(), ED).unwrap();
        assert_eq!(Balances::reducible_balance(&bob(), false), 130);
        dispatch(
            Call::transfer_all {
                dest: addr(charlie()),
                keep_alive: false,
            },
            signed(bob()),
        )
        .unwrap();
        assert_eq!(free(&bob()), 0);
        assert_eq!(Balances::reserved_balance(&bob()), ED);
        assert!(Account::contains_key(bob()));
    });
}

#[test]
fn named_reserves() {
    test(|| {
        let deposit = *b"deposit ";
        let proposal = *b"proposal";
        Balances::reserve_named(&deposit, &alice(), 10).unwrap();
        Balances::reserve_named(&deposit, &alice(), 5).unwrap();
        Balances::reserve_named(&proposal, &alice(), 20).unwrap();
        Balances::reserve(&alice(), 7).unwrap();
        assert_eq!(Balances::reserved_balance_named(&deposit, &alice()), 15);
        assert_eq!(Balances::reserved_balance_named(&proposal, &alice()), 20);
        assert_eq!(Balances::anonymous_reserved_balance(&alice()), 7);
        assert_eq!(Balances::reserved_balance(&alice()), 42);
        let before = snapshot();
        assert_eq!(
            Balances::reserve_named(b"third   ", &alice(), 1),
            Err(err(Error::TooManyReserves))
        );
        assert_eq!(snapshot(), before);
        // The anonymous functions never touch named reserves.
        assert_eq!(Balances::unreserve(&alice(), 100), 93);
        assert_eq!(Balances::slash_reserved(&alice(), 100), 0);
        assert_eq!(Balances::reserved_balance(&alice()), 35);
        assert_eq!(Balances::unreserve_named(&deposit, &alice(), 20), 5);
        assert_eq!(Balances::slash_reserved_named(&proposal, &alice(), 8), 8);
        assert_eq!(Balances::reserved_balance_named(&proposal, &alice()), 12);
        assert_eq!(Reserves::get(alice()).len(), 1);
        assert_eq!(issuance(), 142);
    });
}

// ---------------------------------------------------------------------------------------------
// Holds
// ---------------------------------------------------------------------------------------------

#[test]
fn hold_release_and_slash_held() {
    test(|| {
        Balances::hold(&ESCROW, &alice(), 60).unwrap();
        assert_eq!(Balances::balance_on_hold(&ESCROW, &alice()), 60);
        assert_eq!(free(&alice()), 40);
        assert_eq!(
            events(),
            vec![Event::Held {
                reason: ESCROW,
                who: alice(),
                amount: 60
            }]
        );
        assert_eq!(Balances::release(&ESCROW, &alice(), 10), Ok(10));
        assert_eq!(
            events().last(),
            Some(&Event::Released {
                reason: ESCROW,
                who: alice(),
                amount: 10
            })
        );
        assert_eq!(Balances::slash_held(&ESCROW, &alice(), 20), 20);
        assert_eq!(issuance(), 130);
        // The slashed amount can be credited elsewhere (e.g. the treasury).
        Balances::deposit_creating(&charlie(), 20).unwrap();
        assert_eq!(issuance(), 150);
        // Best effort: release more than held returns what was held.
        assert_eq!(Balances::release(&ESCROW, &alice(), 1_000), Ok(30));
        assert_eq!(Balances::release(&ESCROW, &alice(), 1), Ok(0));
        assert_eq!(Balances::slash_held(&ESCROW, &alice(), 1), 0);
        assert!(Holds::get(alice()).is_empty());
        assert_eq!(Account::get(alice()).consumers, 0);
        assert_eq!(free(&alice()), 80);
    });
}

#[test]
fn hold_errors() {
    test(|| {
        Balances::hold(&ESCROW, &alice(), 10).unwrap();
        Balances::hold(&OTHER, &alice(), 10).unwrap();
        let before = snapshot();
        assert_eq!(
            Balances::hold(b"third   ", &alice(), 10),
            Err(err(Error::TooManyHolds))
        );
        assert_eq!(
            Balances::hold(&ESCROW, &alice(), 81),
            Err(err(Error::InsufficientBalance))
        );
        assert_eq!(
            Balances::hold(&ESCROW, &charlie(), 1),
            Err(err(Error::InsufficientBalance))
        );
        assert_eq!(snapshot(), before);
        // Holds are not anonymous reserves.
        assert_eq!(Balances::unreserve(&alice(), 20), 20);
        assert_eq!(Balances::slash_reserved(&alice(), 20), 0);
        assert_eq!(snapshot(), before);
    });
}

#[test]
fn hold_keeps_account_alive_below_ed_until_released() {
    test(|| {
        Balances::hold(&ESCROW, &alice(), 95).unwrap();
        Balances::hold(&OTHER, &alice(), 3).unwrap();
        // free 2: a slash of the escrow leaves total 5 < ED, kept alive by the other hold.
        assert_eq!(Balances::slash_held(&ESCROW, &alice(), 95), 95);
        assert!(Account::contains_key(alice()));
        assert_eq!(Balances::total_balance(&alice()), 5);
        // Spending stays forbidden below the ED.
        assert_eq!(
            Balances::withdraw(&alice(), 1, false),
            Err(err(Error::Expendability))
        );
        // Releasing the last hold leaves nothing keeping the account: it is reaped with its dust.
        assert_eq!(Balances::release(&OTHER, &alice(), 3), Ok(3));
        assert!(!Account::contains_key(alice()));
        assert!(events().contains(&Event::DustLost {
            account: alice(),
            amount: 5
        }));
        assert_eq!(issuance(), 50);
    });
}

#[test]
fn slash_stops_at_ed_when_another_pallet_depends_on_the_account() {
    test(|| {
        System::inc_consumers(&alice()).unwrap();
        Balances::hold(&ESCROW, &alice(), 95).unwrap();
        assert_eq!(Balances::slash_held(&ESCROW, &alice(), 95), 90);
        assert_eq!(Balances::total_balance(&alice()), ED);
        assert_eq!(Balances::slash(&alice(), 100), 0);
        assert_eq!(Balances::release(&ESCROW, &alice(), 5), Ok(5));
        assert_eq!(Balances::slash(&alice(), 100), 0);
        assert_eq!(
            Balances::withdraw(&alice(), 1, false),
            Err(err(Error::Expendability))
        );
        assert_eq!(Balances::reducible_balance(&alice(), false), 0);
        System::dec_consumers(&alice());
        assert_eq!(Balances::slash(&alice(), 100), ED);
        assert!(!Account::contains_key(alice()));
    });
}

#[test]
fn transfer_on_hold_pays_from_the_hold() {
    test(|| {
        Balances::hold(&ESCROW, &alice(), 50).unwrap();
        Balances::transfer_on_hold(&ESCROW, &alice(), &bob(), 20).unwrap();
        assert_eq!(Balances::balance_on_hold(&ESCROW, &alice()), 30);
        assert_eq!(free(&bob()), 70);
        assert_eq!(
            events().last(),
            Some(&Event::TransferOnHold {
                reason: ESCROW,
                source: alice(),
                dest: bob(),
                amount: 20
            })
        );
        // Creating the destination needs the ED.
        let before = snapshot();
        assert_eq!(
            Balances::transfer_on_hold(&ESCROW, &alice(), &charlie(), 5),
            Err(err(Error::ExistentialDeposit))
        );
        assert_eq!(
            Balances::transfer_on_hold(&ESCROW, &alice(), &bob(), 31),
            Err(err(Error::InsufficientBalance))
        );
        assert_eq!(
            Balances::transfer_on_hold(&OTHER, &alice(), &bob(), 1),
            Err(err(Error::InsufficientBalance))
        );
        assert_eq!(snapshot(), before);
        Balances::transfer_on_hold(&ESCROW, &alice(), &charlie(), 10).unwrap();
        assert_eq!(free(&charlie()), 10);
        // To oneself: a release.
        Balances::transfer_on_hold(&ESCROW, &alice(), &alice(), 5).unwrap();
        assert_eq!(Balances::balance_on_hold(&ESCROW, &alice()), 15);
        assert_eq!(free(&alice()), 55);
        assert_eq!(issuance(), 150);
    });
}

#[test]
fn transfer_on_hold_reaps_an_emptied_source() {
    test_with(&[(alice(), 20), (bob(), 50)], || {
        Balances::hold(&ESCROW, &alice(), 15).unwrap();
        Balances::transfer_on_hold(&ESCROW, &alice(), &bob(), 15).unwrap();
        assert!(!Account::contains_key(alice()));
        assert_eq!(free(&bob()), 65);
        assert_eq!(issuance(), 65);
        assert!(events().contains(&Event::DustLost {
            account: alice(),
            amount: 5
        }));
    });
}

#[test]
fn transfer_on_hold_cannot_empty_an_account_others_depend_on() {
    test_with(&[(alice(), 20), (bob(), 50)], || {
        Balances::hold(&ESCROW, &alice(), 20).unwrap();
        System::inc_consumers(&alice()).unwrap();
        let before = snapshot();
        assert_eq!(
            Balances::transfer_on_hold(&ESCROW, &alice(), &bob(), 20),
            Err(err(Error::Expendability))
        );
        assert_eq!(snapshot(), before);
        // Leaving something is fine, even below the ED: the account is kept.
        Balances::transfer_on_hold(&ESCROW, &alice(), &bob(), 15).unwrap();
        assert_eq!(Balances::total_balance(&alice()), 5);
        System::dec_consumers(&alice());
    });
}

// ---------------------------------------------------------------------------------------------
// Withdraw and deposits
// ---------------------------------------------------------------------------------------------

#[test]
fn withdraw_for_fees() {
    test(|| {
        Balances::withdraw(&alice(), 30, true).unwrap();
        assert_eq!(free(&alice()), 70);
        assert_eq!(issuance(), 120);
        assert_eq!(
            events(),
            vec![Event::Withdraw {
                who: alice(),
                amount: 30
            }]
        );
        let before = snapshot();
        assert_eq!(
            Balances::withdraw(&alice(), 65, true),
            Err(err(Error::Expendability))
        );
        assert_eq!(
            Balances::can_withdraw(&alice(), 65, true),
            Err(err(Error::Expendability))
        );
        assert_eq!(
            Balances::withdraw(&alice(), 71, false),
            Err(err(Error::InsufficientBalance))
        );
        assert_eq!(
            Balances::withdraw(&charlie(), 1, false),
            Err(err(Error::InsufficientBalance))
        );
        Balances::withdraw(&alice(), 0, true).unwrap();
        assert_eq!(snapshot(), before);
        Balances::withdraw(&alice(), 65, false).unwrap();
        assert!(!Account::contains_key(alice()));
        assert_eq!(issuance(), 50);
    });
}

#[test]
fn deposits_and_mints() {
    test(|| {
        Balances::deposit_creating(&alice(), 5).unwrap();
        assert_eq!(free(&alice()), 105);
        assert_eq!(
            events(),
            vec![Event::Deposit {
                who: alice(),
                amount: 5
            }]
        );
        let before = snapshot();
        assert_eq!(
            Balances::deposit_creating(&charlie(), ED - 1),
            Err(err(Error::ExistentialDeposit))
        );
        assert_eq!(
            Balances::deposit_into_existing(&charlie(), 100),
            Err(err(Error::DeadAccount))
        );
        assert_eq!(
            Balances::mint_into(&charlie(), 1),
            Err(err(Error::ExistentialDeposit))
        );
        assert_eq!(snapshot(), before);
        Balances::deposit_into_existing(&bob(), 1).unwrap();
        Balances::mint_into(&charlie(), ED).unwrap();
        assert_eq!(free(&charlie()), ED);
        assert_eq!(
            events().last(),
            Some(&Event::Minted {
                who: charlie(),
                amount: ED
            })
        );
        assert!(events().contains(&Event::Endowed {
            account: charlie(),
            free_balance: ED
        }));
        assert_eq!(issuance(), 166);
    });
}

#[test]
fn overflow_attempts_fail_cleanly() {
    test_with(&[(alice(), u128::MAX - 20), (bob(), ED)], || {
        assert_eq!(issuance(), u128::MAX - 10);
        let before = snapshot();
        let overflow = Err(DispatchError::Arithmetic(ArithmeticError::Overflow));
        assert_eq!(Balances::deposit_creating(&bob(), 11), overflow);
        assert_eq!(
            Balances::deposit_into_existing(&alice(), u128::MAX),
            overflow
        );
        assert_eq!(Balances::mint_into(&charlie(), u128::MAX), overflow);
        assert_eq!(
            dispatch(
                Call::force_set_balance {
                    who: addr(bob()),
                    new_free: 21
                },
                Origin::Root
            ),
            overflow
        );
        assert_eq!(
            dispatch(
                Call::transfer_allow_death {
                    dest: addr(bob()),
                    value: u128::MAX
                },
                signed(alice())
            ),
            Err(err(Error::InsufficientBalance))
        );
        assert_eq!(snapshot(), before);
        // Up to the last unit is fine.
        Balances::deposit_creating(&bob(), 10).unwrap();
        assert_eq!(issuance(), u128::MAX);
        dispatch(
            Call::transfer_all {
                dest: addr(bob()),
                keep_alive: false,
            },
            signed(alice()),
        )
        .unwrap();
        assert_eq!(free(&bob()), u128::MAX);
        assert_eq!(Balances::deposit_creating(&bob(), 1), overflow);
        assert_eq!(Balances::deposit_creating(&charlie(), ED), overflow);
    });
}

// ---------------------------------------------------------------------------------------------
// Wire format and metadata
// ---------------------------------------------------------------------------------------------

#[test]
fn errors_encode_with_substrate_indices() {
    let cases = [
        (Error::<Test>::VestingBalance, 0u8),
        (Error::LiquidityRestrictions, 1),
        (Error::InsufficientBalance, 2),
        (Error::ExistentialDeposit, 3),
        (Error::Expendability, 4),
        (Error::DeadAccount, 6),
        (Error::TooManyReserves, 7),
        (Error::TooManyHolds, 8),
        (Error::TooManyFreezes, 9),
        (Error::DeltaZero, 11),
    ];
    for (e, index) in cases {
        match DispatchError::from(e) {
            DispatchError::Module(m) => {
                assert_eq!(m.index, 2);
                assert_eq!(m.error, [index, 0, 0, 0]);
            }
            other => panic!("not a module error: {other:?}"),
        }
    }
}

#[test]
fn calls_and_events_encode_as_substrate() {
    let call = Call::transfer_keep_alive {
        dest: addr(bob()),
        value: 1_000,
    };
    let mut expected = vec![3u8, 0];
    expected.extend_from_slice(&[2u8; 32]);
    expected.extend_from_slice(&Compact(1_000u128).encode());
    assert_eq!(call.encode(), expected);
    assert_eq!(Call::decode(&mut &expected[..]), Ok(call));
    assert_eq!(
        Call::transfer_allow_death {
            dest: addr(bob()),
            value: 0
        }
        .encode()[0],
        0
    );
    assert_eq!(
        Call::force_transfer {
            source: addr(bob()),
            dest: addr(bob()),
            value: 0
        }
        .encode()[0],
        2
    );
    assert_eq!(
        Call::transfer_all {
            dest: addr(bob()),
            keep_alive: true
        }
        .encode()[0],
        4
    );
    // force_unreserve's amount is a plain u128, as in Substrate.
    let unreserve = Call::force_unreserve {
        who: addr(bob()),
        amount: 1,
    }
    .encode();
    assert_eq!(unreserve[0], 5);
    assert_eq!(unreserve.len(), 1 + 33 + 16);
    assert_eq!(
        Call::force_set_balance {
            who: addr(bob()),
            new_free: 0
        }
        .encode()[0],
        8
    );
    assert_eq!(
        Call::burn {
            value: 0,
            keep_alive: false
        }
        .encode(),
        vec![10, 0, 0]
    );

    let who = alice();
    let index = |e: Event| e.encode()[0];
    assert_eq!(
        index(Event::Endowed {
            account: who.clone(),
            free_balance: 0
        }),
        0
    );
    assert_eq!(
        index(Event::DustLost {
            account: who.clone(),
            amount: 0
        }),
        1
    );
    assert_eq!(
        index(Event::Transfer {
            from: who.clone(),
            to: who.clone(),
            amount: 0
        }),
        2
    );
    assert_eq!(
        index(Event::BalanceSet {
            who: who.clone(),
            free: 0
        }),
        3
    );
    assert_eq!(
        index(Event::Reserved {
            who: who.clone(),
            amount: 0
        }),
        4
    );
    assert_eq!(
        index(Event::Unreserved {
            who: who.clone(),
            amount: 0
        }),
        5
    );
    assert_eq!(
        index(Event::Deposit {
            who: who.clone(),
            amount: 0
        }),
        7
    );
    assert_eq!(
        index(Event::Withdraw {
            who: who.clone(),
            amount: 0
        }),
        8
    );
    assert_eq!(
        index(Event::Slashed {
            who: who.clone(),
            amount: 0
        }),
        9
    );
    assert_eq!(
        index(Event::Minted {
            who: who.clone(),
            amount: 0
        }),
        10
    );
    assert_eq!(
        index(Event::Burned {
            who: who.clone(),
            amount: 0
        }),
        11
    );
    assert_eq!(
        index(Event::Locked {
            who: who.clone(),
            amount: 0
        }),
        17
    );
    assert_eq!(
        index(Event::Unlocked {
            who: who.clone(),
            amount: 0
        }),
        18
    );
    assert_eq!(
        index(Event::Held {
            reason: ESCROW,
            who: who.clone(),
            amount: 0
        }),
        22
    );
    assert_eq!(
        index(Event::TransferOnHold {
            reason: ESCROW,
            source: who.clone(),
            dest: who.clone(),
            amount: 0
        }),
        24
    );
    assert_eq!(
        index(Event::Released {
            reason: ESCROW,
            who,
            amount: 0
        }),
        26
    );
    assert_eq!(Reasons::Fee.encode(), vec![0]);
    assert_eq!(Reasons::All.encode(), vec![2]);
}

#[test]
fn type_paths_are_the_ones_clients_know() {
    use scale_info::TypeInfo;
    let path = |p: scale_info::Path| p.segments.join("::");
    assert_eq!(
        path(Event::type_info().path),
        "pallet_balances::pallet::Event"
    );
    assert_eq!(
        path(Call::type_info().path),
        "pallet_balances::pallet::Call"
    );
    assert_eq!(
        path(Error::<Test>::type_info().path),
        "pallet_balances::pallet::Error"
    );
    assert_eq!(
        path(BalanceLock::type_info().path),
        "pallet_balances::types::BalanceLock"
    );
    assert_eq!(
        path(Reasons::type_info().path),
        "pallet_balances::types::Reasons"
    );
    assert_eq!(
        path(ReserveData::type_info().path),
        "pallet_balances::types::ReserveData"
    );
}

#[test]
fn description_lists_storage_calls_and_constants() {
    let d = Balances::describe();
    assert_eq!(d.name, "Balances");
    let storage = d.storage.expect("storage");
    assert_eq!(storage.prefix, "Balances");
    let names: Vec<_> = storage.entries.iter().map(|e| e.name).collect();
    assert_eq!(
        names,
        vec![
            "TotalIssuance",
            "InactiveIssuance",
            "Locks",
            "Reserves",
            "Holds"
        ]
    );
    assert!(d.calls.is_some() && d.event.is_some() && d.error.is_some());
    let constants: Vec<_> = d
        .constants
        .iter()
        .map(|c| (c.name, c.value.clone()))
        .collect();
    assert_eq!(
        constants,
        vec![
            ("ExistentialDeposit", ED.encode()),
            ("MaxLocks", 3u32.encode()),
            ("MaxReserves", 2u32.encode()),
            ("MaxHolds", 2u32.encode()),
        ]
    );
    // The storage keys are Substrate's.
    assert_eq!(
        TotalIssuance::hashed_key().to_vec(),
        [
            basalt_support::primitives::hashing::twox_128(b"Balances"),
            basalt_support::primitives::hashing::twox_128(b"TotalIssuance")
        ]
        .concat()
    );
}

#[test]
fn weights_are_declared() {
    let info = |c: Call| Dispatchable::<Test>::dispatch_info(&c);
    let allow = info(Call::transfer_allow_death {
        dest: addr(bob()),
        value: 1,
    });
    let keep = info(Call::transfer_keep_alive {
        dest: addr(bob()),
        value: 1,
    });
    assert!(keep.weight.ref_time > 0 && keep.weight.proof_size > 0);
    assert!(keep.weight.ref_time < allow.weight.ref_time);
    assert_eq!(
        info(Call::transfer_all {
            dest: addr(bob()),
            keep_alive: true
        })
        .weight,
        allow.weight
    );
    assert_eq!(
        info(Call::force_transfer {
            source: addr(bob()),
            dest: addr(bob()),
            value: 1
        })
        .weight,
        allow.weight
    );
    for c in [
        Call::force_unreserve {
            who: addr(bob()),
            amount: 1,
        },
        Call::force_set_balance {
            who: addr(bob()),
            new_free: 1,
        },
        Call::burn {
            value: 1,
            keep_alive: true,
        },
    ] {
        let i = info(c);
        assert!(i.weight.ref_time > weights::BASE.ref_time);
        assert_eq!(i.pays_fee, basalt_support::dispatch::Pays::Yes);
    }
}

#[test]
fn reducible_balance_cases() {
    test(|| {
        assert_eq!(Balances::reducible_balance(&alice(), false), 100);
        assert_eq!(Balances::reducible_balance(&alice(), true), 90);
        assert_eq!(Balances::reducible_balance(&charlie(), false), 0);
        // Another pallet's consumer reference: the account cannot die.
        System::inc_consumers(&alice()).unwrap();
        assert_eq!(Balances::reducible_balance(&alice(), false), 90);
        assert_eq!(
            dispatch(
                Call::transfer_allow_death {
                    dest: addr(bob()),
                    value: 95
                },
                signed(alice())
            ),
            Err(err(Error::Expendability))
        );
        System::dec_consumers(&alice());
    });
}

#[test]
fn every_call_refuses_unresolvable_addresses() {
    test(|| {
        let bad = || MultiAddress::Raw(vec![1, 2, 3]);
        let before = snapshot();
        let cases = vec![
            (
                Call::transfer_allow_death {
                    dest: bad(),
                    value: 1,
                },
                signed(alice()),
            ),
            (
                Call::force_transfer {
                    source: addr(alice()),
                    dest: bad(),
                    value: 1,
                },
                Origin::Root,
            ),
            (
                Call::transfer_keep_alive {
                    dest: bad(),
                    value: 1,
                },
                signed(alice()),
            ),
            (
                Call::transfer_all {
                    dest: bad(),
                    keep_alive: false,
                },
                signed(alice()),
            ),
            (
                Call::force_unreserve {
                    who: bad(),
                    amount: 1,
                },
                Origin::Root,
            ),
            (
                Call::force_set_balance {
                    who: bad(),
                    new_free: 1,
                },
                Origin::Root,
            ),
        ];
        for (call, origin) in cases {
            assert_eq!(dispatch(call, origin), Err(DispatchError::CannotLookup));
        }
        assert_eq!(snapshot(), before);
    });
}
