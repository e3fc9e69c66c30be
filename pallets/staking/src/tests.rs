//! Unit tests of the staking pallet over an empty state with the system and balances pallets.
//!
//! The mock makes numbers easy to follow: the existential deposit is 1, an era is 10 blocks,
//! and each block counts for a tenth of a year, so an era's maximum payout is exactly 10% of
//! the total issuance. Genesis (block 0) bonds three validators (1: 500, 2: 400, 3: 300; two
//! seats) and one nominator (10: 200 on 1 and 2); every staker and 20..=23 hold 1000 and the
//! treasury (99) holds 1, so the issuance is 8001. Blocks are authored round robin by the Aura authorities, as Aura does.
//!
//! Every test ends with [`check_invariants`]: each ledger's `total == active + unlocking`, its
//! staking lock equals its total and its free balance covers it; role maps only hold bonded
//! stashes and their counters are right; key owners match the keys; and total issuance equals
//! the sum of all balances.

use super::*;
use basalt_support::dispatch::{DispatchClass, Dispatchable};
use basalt_support::generic::{Digest, DigestItem};
use basalt_support::genesis::BuildGenesis;
use basalt_support::hooks::Hooks;
use basalt_support::metadata::DescribePallet;
use basalt_support::multiaddress::MultiAddress;
use basalt_support::state::{empty_externalities, io};
use basalt_support::storage::StorageInstance;
use basalt_support::validity::ValidateUnsigned;
use basalt_support::{AccountId, Balance, DispatchError, Origin, H256};
use codec::{Compact, Decode, Encode};
use std::cell::RefCell;
use std::collections::BTreeSet;

macro_rules! mock_runtime {
    ($name:ident, defer = $defer:expr, offline = $offline:expr) => {
        pub struct $name;
        pallet_system::impl_test_config!($name, max_consumers = 16, event = Event);
        pallet_balances::impl_test_config!($name, existential_deposit = 1);
        impl Config for $name {
            const INDEX: u8 = 7;
            const ERA_LENGTH: u32 = 10;
            /// A tenth of a year per block: a 10-block era is one year.
            const EXPECTED_BLOCK_TIME_MS: u64 = MILLISECONDS_PER_YEAR / 10;
            const BONDING_DURATION: EraIndex = 3;
            const SLASH_DEFER_DURATION: EraIndex = $defer;
            const HISTORY_DEPTH: u32 = 4;
            const MAX_NOMINATIONS: u32 = 3;
            const MAX_UNLOCKING_CHUNKS: u32 = 3;
            const MAX_VALIDATORS: u32 = 4;
            const MAX_VALIDATOR_CANDIDATES: u32 = 5;
            const MAX_NOMINATORS: u32 = 3;
            const MAX_BACKERS_PER_VALIDATOR: u32 = 2;
            const MAX_PROVIDERS: u32 = 2;
            const MIN_VALIDATOR_BOND: Balance = 100;
            const MIN_NOMINATOR_BOND: Balance = 10;
            const MIN_PROVIDER_STAKE: Balance = 300;
            const MAX_INFLATION: Perbill = Perbill::from_percent(10);
            const IDEAL_STAKE: Perbill = Perbill::from_percent(50);
            const EQUIVOCATION_SLASH: Perbill = Perbill::from_percent(10);
            const OFFLINE_SLASH: Perbill = $offline;
            fn treasury_account() -> AccountId {
                acc(99)
            }
            /// What governance set (`MIN_BONDS`), else the constant.
            fn min_nominator_bond() -> Balance {
                MIN_BONDS
                    .with(|m| m.borrow().0)
                    .unwrap_or(Self::MIN_NOMINATOR_BOND)
            }
            fn min_validator_bond() -> Balance {
                MIN_BONDS
                    .with(|m| m.borrow().1)
                    .unwrap_or(Self::MIN_VALIDATOR_BOND)
            }
            type ProviderObserver = ();
            fn unix_time_ms() -> u64 {
                u64::from(pallet_system::Pallet::<$name>::block_number()).saturating_mul(1000)
            }
        }
    };
}

mock_runtime!(Test, defer = 1, offline = Perbill::zero());
mock_runtime!(ImmediateTest, defer = 0, offline = Perbill::zero());
mock_runtime!(OfflineTest, defer = 1, offline = Perbill::from_percent(1));

type Staking = Pallet<Test>;
type Balances = pallet_balances::Pallet<Test>;
type System = pallet_system::Pallet<Test>;

fn acc(n: u8) -> AccountId {
    AccountId::new([n; 32])
}

fn keys(n: u8) -> SessionKeys {
    let mut aura = [0xAA; 32];
    aura[0] = n;
    let mut grandpa = [0xBB; 32];
    grandpa[0] = n;
    SessionKeys { aura, grandpa }
}

fn aura_id(n: u8) -> AccountId {
    AccountId::new(keys(n).aura)
}

fn caps() -> Capabilities {
    Capabilities {
        gpu_model: BoundedVec::new(b"NVIDIA H100".to_vec()).unwrap(),
        memory_gb: 80,
        count: 8,
        price_per_unit: 1_000,
        region: BoundedVec::new(b"eu-west".to_vec()).unwrap(),
    }
}

const TREASURY: u8 = 99;

thread_local! {
    /// The minimum nominator and validator bonds governance set, if any.
    static MIN_BONDS: RefCell<(Option<Balance>, Option<Balance>)> = const { RefCell::new((None, None)) };
    /// Every staking event of the test so far, across blocks.
    static LOG: RefCell<Vec<Event>> = const { RefCell::new(Vec::new()) };
    /// Aura keys whose holders miss their slots.
    static SILENT: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
}

fn endowment() -> Vec<(AccountId, Balance)> {
    let mut e: Vec<_> = [1u8, 2, 3, 10, 20, 21, 22, 23]
        .iter()
        .map(|n| (acc(*n), 1000))
        .collect();
    e.push((acc(TREASURY), 1));
    e
}

fn genesis() -> GenesisConfig {
    let staker = |n: u8, bond: Balance, status: StakerStatus, with_keys: bool| GenesisStaker {
        stash: acc(n),
        bond,
        status,
        keys: with_keys.then(|| keys(n)),
    };
    GenesisConfig {
        validator_count: 2,
        minimum_validator_count: 1,
        stakers: vec![
            staker(1, 500, StakerStatus::Validator, true),
            staker(2, 400, StakerStatus::Validator, true),
            staker(3, 300, StakerStatus::Validator, true),
            staker(
                10,
                200,
                StakerStatus::Nominator(vec![acc(1), acc(2)]),
                false,
            ),
        ],
    }
}

/// Builds genesis in block 0 for runtime `T`, opens block 1, runs `f`, checks the invariants.
fn test_for<T: Config>(endow: Vec<(AccountId, Balance)>, config: GenesisConfig, f: impl FnOnce()) {
    LOG.with(|l| l.borrow_mut().clear());
    SILENT.with(|s| s.borrow_mut().clear());
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        pallet_balances::Pallet::<T>::genesis_endow(&endow).expect("valid balances genesis");
        Pallet::<T>::build_genesis(&config).expect("valid staking genesis");
        open_block::<T>(1);
        f();
        check_invariants::<T>();
    });
}

fn test(f: impl FnOnce()) {
    test_for::<Test>(endowment(), genesis(), f)
}

/// Opens block `n`: the slot's Aura authority (unless silenced) is noted as author, then
/// `on_initialize` runs, as the runtime's `initialize_block` will do.
fn open_block<T: Config>(n: u32) {
    pallet_system::Pallet::<T>::initialize(n, H256::repeat_byte(n as u8), &Digest::default());
    let authorities = Pallet::<T>::aura_authorities();
    if !authorities.is_empty() {
        let author = authorities[n as usize % authorities.len()].clone();
        if !SILENT.with(|s| s.borrow().contains(&author)) {
            Pallet::<T>::note_author(&author);
        }
    }
    Pallet::<T>::on_initialize(n);
}

/// Finalises the open block, keeping its staking events in the log.
fn close_block<T: Config>() {
    let n = pallet_system::Pallet::<T>::block_number();
    Pallet::<T>::on_finalize(n);
    let events = block_events::<T>();
    LOG.with(|l| l.borrow_mut().extend(events));
    pallet_system::Pallet::<T>::finalize();
}

fn run_to_for<T: Config>(n: u32) {
    while pallet_system::Pallet::<T>::block_number() < n {
        let next = pallet_system::Pallet::<T>::block_number() + 1;
        close_block::<T>();
        open_block::<T>(next);
    }
}

fn run_to(n: u32) {
    run_to_for::<Test>(n)
}

/// The staking events of the open block.
fn block_events<T: Config>() -> Vec<Event> {
    pallet_system::Pallet::<T>::events_of::<Event>(<T as Config>::INDEX)
}

fn events() -> Vec<Event> {
    block_events::<Test>()
}

/// Every staking event of the test so far.
fn all_events() -> Vec<Event> {
    let mut all = LOG.with(|l| l.borrow().clone());
    all.extend(events());
    all
}

/// Dispatches `call` in a storage transaction, as the executive does.
fn dispatch_for<T: Config>(call: Call, origin: Origin) -> Result<(), DispatchError> {
    io::with_transaction(|| Dispatchable::<T>::dispatch(call, origin))
}

fn dispatch(call: Call, origin: Origin) -> Result<(), DispatchError> {
    dispatch_for::<Test>(call, origin)
}

fn signed(n: u8) -> Origin {
    Origin::Signed(acc(n))
}

fn ok(call: Call, origin: Origin) {
    dispatch(call, origin).expect("call succeeds")
}

/// Asserts that `call` fails with `err` and leaves the state root and the events unchanged.
fn assert_noop(call: Call, origin: Origin, err: impl Into<DispatchError>) {
    let root = io::storage_root();
    let count = io::event_count();
    assert_eq!(dispatch(call, origin), Err(err.into()));
    assert_eq!(io::storage_root(), root, "a failed call changed state");
    assert_eq!(io::event_count(), count, "a failed call left events");
}

/// Asserts that `f` fails with `err` and changes nothing.
fn assert_unchanged<R: core::fmt::Debug>(
    f: impl FnOnce() -> Result<R, DispatchError>,
    err: impl Into<DispatchError>,
) {
    let root = io::storage_root();
    let count = io::event_count();
    assert_eq!(f().unwrap_err(), err.into());
    assert_eq!(io::storage_root(), root, "a failed function changed state");
    assert_eq!(io::event_count(), count, "a failed function left events");
}

fn err(e: Error<Test>) -> DispatchError {
    e.into()
}

fn lock_of<T: Config>(who: &AccountId) -> Balance {
    pallet_balances::Pallet::<T>::locks(who)
        .iter()
        .find(|l| l.id == STAKING_ID)
        .map_or(0, |l| l.amount)
}

fn free(n: u8) -> Balance {
    Balances::free_balance(&acc(n))
}

fn ledger(n: u8) -> StakingLedger {
    Staking::ledger(&acc(n)).expect("bonded")
}

fn check_invariants<T: Config>() {
    let mut stashes = BTreeSet::new();
    for (stash, l) in Ledger::iter() {
        let unlocking: Balance = l.unlocking.iter().map(|c| c.value).sum();
        assert_eq!(l.total, l.active + unlocking, "ledger total of {stash:?}");
        assert_eq!(l.stash, stash);
        assert_eq!(lock_of::<T>(&stash), l.total, "staking lock of {stash:?}");
        assert!(
            pallet_balances::Pallet::<T>::free_balance(&stash) >= l.total,
            "free covers the bond"
        );
        assert_eq!(Bonded::get(&stash), Some(stash.clone()));
        assert!(Payee::get(&stash).is_some());
        assert!(l.unlocking.len() <= T::MAX_UNLOCKING_CHUNKS as usize);
        stashes.insert(stash);
    }
    for (stash, _) in Bonded::iter() {
        assert!(stashes.contains(&stash), "Bonded without a ledger");
    }
    let validators: Vec<_> = Validators::iter().map(|(s, _)| s).collect();
    let nominators: Vec<_> = Nominators::iter().map(|(s, _)| s).collect();
    let providers: Vec<_> = Providers::iter().map(|(s, _)| s).collect();
    assert_eq!(Validators::count() as usize, validators.len());
    assert_eq!(Nominators::count() as usize, nominators.len());
    assert_eq!(Providers::count() as usize, providers.len());
    for s in validators.iter().chain(&nominators).chain(&providers) {
        assert!(stashes.contains(s), "a role without a bond");
    }
    for s in &validators {
        assert!(!nominators.contains(s), "validator and nominator at once");
    }
    for (stash, k) in NextKeys::iter() {
        assert!(stashes.contains(&stash), "keys without a bond");
        assert_eq!(KeyOwner::get((AURA_KEY_TYPE, k.aura)), Some(stash.clone()));
        assert_eq!(
            KeyOwner::get((GRANDPA_KEY_TYPE, k.grandpa)),
            Some(stash.clone())
        );
    }
    assert_eq!(KeyOwner::iter().count(), NextKeys::iter().count() * 2);
    let sum: Balance = pallet_system::Account::iter()
        .map(|(_, a)| a.data.free + a.data.reserved)
        .sum();
    assert_eq!(
        pallet_balances::Pallet::<T>::total_issuance(),
        sum,
        "issuance equals all balances"
    );
}

// ----------------------------------------------------------------------------------------------
// Genesis
// ----------------------------------------------------------------------------------------------

#[test]
fn genesis_bonds_and_elects_era_zero() {
    test(|| {
        assert_eq!(Staking::active_era(), Some(0));
        assert_eq!(CurrentEra::get(), Some(0));
        assert_eq!(ledger(1), StakingLedger::new(acc(1), 500));
        assert_eq!(lock_of::<Test>(&acc(1)), 500);
        assert_eq!(Validators::count(), 3);
        assert_eq!(Nominators::count(), 1);
        // Approval: 1 -> 700, 2 -> 600, 3 -> 300; two seats; 10 splits 200 over 1 and 2.
        let e1 = ErasStakers::get(0, acc(1));
        assert_eq!(
            e1,
            Exposure {
                total: 600,
                own: 500,
                others: vec![IndividualExposure {
                    who: acc(10),
                    value: 100
                }]
            }
        );
        assert_eq!(ErasStakers::get(0, acc(2)).total, 500);
        assert!(!ErasStakers::contains_key(0, acc(3)));
        assert_eq!(ErasTotalStake::get(0), 1100);
        let stashes: Vec<_> = Staking::authorities()
            .into_iter()
            .map(|a| a.stash)
            .collect();
        assert_eq!(stashes, vec![acc(1), acc(2)]);
        assert_eq!(Staking::aura_authorities(), vec![aura_id(1), aura_id(2)]);
        assert_eq!(
            Staking::grandpa_authorities(),
            vec![
                (AccountId::new(keys(1).grandpa), 1),
                (AccountId::new(keys(2).grandpa), 1)
            ]
        );
        // Genesis' change is in genesis state; block 1 starts with none pending.
        assert_eq!(Staking::pending_authority_change(), None);
        assert_eq!(ActiveEra::get().unwrap().start, None);
        close_block::<Test>();
        assert_eq!(
            ActiveEra::get().unwrap().start,
            Some(1000),
            "first block records the era's start"
        );
        open_block::<Test>(2);
    });
}

#[test]
fn genesis_failures_write_nothing() {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        Balances::genesis_endow(&endowment()).unwrap();
        let root = io::storage_root();
        let mut too_much = genesis();
        too_much.stakers[0].bond = 5_000;
        assert_eq!(
            Staking::build_genesis(&too_much),
            Err(err(Error::NotEnoughFunds))
        );
        let mut seats = genesis();
        seats.validator_count = 5;
        assert_eq!(
            Staking::build_genesis(&seats),
            Err(err(Error::TooManyValidators))
        );
        let mut target = genesis();
        target.stakers[3].status = StakerStatus::Nominator(vec![acc(20)]);
        assert_eq!(Staking::build_genesis(&target), Err(err(Error::BadTarget)));
        let mut dup = genesis();
        dup.stakers[1].keys = Some(keys(1));
        assert_eq!(Staking::build_genesis(&dup), Err(err(Error::DuplicatedKey)));
        assert_eq!(io::storage_root(), root);
    });
}

#[test]
fn staking_starts_by_itself_without_genesis() {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        Balances::genesis_endow(&endowment()).unwrap();
        open_block::<Test>(1);
        assert_eq!(Staking::active_era(), Some(0));
        assert_eq!(events(), vec![Event::StakingElectionFailed]);
        assert!(Staking::authorities().is_empty());
        assert_eq!(Staking::pending_authority_change(), None);
        check_invariants::<Test>();
    });
}

// ----------------------------------------------------------------------------------------------
// Bonding
// ----------------------------------------------------------------------------------------------

#[test]
fn bond_locks_funds_and_refuses_bad_bonds() {
    test(|| {
        ok(
            Call::bond {
                value: 300,
                payee: RewardDestination::Staked,
            },
            signed(20),
        );
        assert_eq!(ledger(20), StakingLedger::new(acc(20), 300));
        assert_eq!(Bonded::get(acc(20)), Some(acc(20)));
        assert_eq!(Payee::get(acc(20)), Some(RewardDestination::Staked));
        assert_eq!(lock_of::<Test>(&acc(20)), 300);
        assert_eq!(
            events(),
            vec![Event::Bonded {
                stash: acc(20),
                amount: 300
            }]
        );

        assert_noop(
            Call::bond {
                value: 10,
                payee: RewardDestination::Staked,
            },
            signed(20),
            err(Error::AlreadyBonded),
        );
        assert_noop(
            Call::bond {
                value: 0,
                payee: RewardDestination::Staked,
            },
            signed(21),
            err(Error::InsufficientBond),
        );
        assert_noop(
            Call::bond {
                value: 10,
                payee: RewardDestination::Controller,
            },
            signed(21),
            err(Error::ControllerDeprecated),
        );
        // An account with nothing cannot bond anything.
        assert_noop(
            Call::bond {
                value: 10,
                payee: RewardDestination::Staked,
            },
            signed(50),
            err(Error::InsufficientBond),
        );
        assert_noop(
            Call::bond {
                value: 10,
                payee: RewardDestination::Staked,
            },
            Origin::Root,
            DispatchError::BadOrigin,
        );

        // More than the free balance bonds all of it.
        ok(
            Call::bond {
                value: 5_000,
                payee: RewardDestination::Stash,
            },
            signed(21),
        );
        assert_eq!(ledger(21).total, 1000);
        // Bonded funds cannot be transferred.
        assert!(Balances::transfer(&acc(21), &acc(22), 1, false).is_err());
    });
}

#[test]
fn bond_extra_adds_only_unbonded_free_funds() {
    test(|| {
        ok(
            Call::bond_extra {
                max_additional: 200,
            },
            signed(1),
        );
        assert_eq!(ledger(1).active, 700);
        assert_eq!(
            events(),
            vec![Event::Bonded {
                stash: acc(1),
                amount: 200
            }]
        );
        ok(
            Call::bond_extra {
                max_additional: 1_000,
            },
            signed(1),
        );
        assert_eq!(ledger(1), StakingLedger::new(acc(1), 1000));
        assert_eq!(lock_of::<Test>(&acc(1)), 1000);
        // Nothing left to add: succeeds, changes nothing.
        let root = io::storage_root();
        ok(Call::bond_extra { max_additional: 5 }, signed(1));
        assert_eq!(io::storage_root(), root);
        assert_noop(
            Call::bond_extra { max_additional: 5 },
            signed(20),
            err(Error::NotStash),
        );
    });
}

#[test]
fn unbond_makes_chunks_merges_them_per_era_and_keeps_role_minimums() {
    test(|| {
        ok(Call::unbond { value: 50 }, signed(10));
        ok(Call::unbond { value: 20 }, signed(10));
        let l = ledger(10);
        assert_eq!((l.total, l.active), (200, 130));
        assert_eq!(
            l.unlocking,
            vec![UnlockChunk { value: 70, era: 3 }],
            "same era: one chunk"
        );
        assert_eq!(
            events(),
            vec![
                Event::Unbonded {
                    stash: acc(10),
                    amount: 50
                },
                Event::Unbonded {
                    stash: acc(10),
                    amount: 20
                }
            ]
        );
        // A nominator must keep MIN_NOMINATOR_BOND (10) active; a validator MIN_VALIDATOR_BOND (100).
        assert_noop(
            Call::unbond { value: 125 },
            signed(10),
            err(Error::InsufficientBond),
        );
        assert_noop(
            Call::unbond { value: 401 },
            signed(1),
            err(Error::InsufficientBond),
        );
        ok(Call::unbond { value: 400 }, signed(1));
        assert_eq!(ledger(1).active, 100);
        assert_noop(
            Call::unbond { value: 1 },
            signed(20),
            err(Error::NotController),
        );

        // One chunk per era, at most MAX_UNLOCKING_CHUNKS (3).
        ok(
            Call::bond {
                value: 100,
                payee: RewardDestination::Stash,
            },
            signed(20),
        );
        ok(Call::unbond { value: 10 }, signed(20));
        run_to(10);
        ok(Call::unbond { value: 10 }, signed(20));
        run_to(20);
        ok(Call::unbond { value: 10 }, signed(20));
        run_to(30);
        let eras: Vec<_> = ledger(20).unlocking.iter().map(|c| c.era).collect();
        assert_eq!(eras, vec![3, 4, 5]);
        assert_noop(
            Call::unbond { value: 10 },
            signed(20),
            err(Error::NoMoreChunks),
        );
        // Unbonding everything leaves nothing active; unbonding nothing more does nothing.
        ok(
            Call::withdraw_unbonded {
                num_slashing_spans: 0,
            },
            signed(20),
        );
        ok(Call::unbond { value: 1_000 }, signed(20));
        assert_eq!(ledger(20).active, 0);
        let root = io::storage_root();
        ok(Call::unbond { value: 5 }, signed(20));
        assert_eq!(io::storage_root(), root);
    });
}

#[test]
fn withdraw_unbonded_releases_matured_chunks_and_removes_an_empty_stash() {
    test(|| {
        ok(
            Call::bond {
                value: 100,
                payee: RewardDestination::Stash,
            },
            signed(20),
        );
        ok(
            Call::set_keys {
                keys: keys(20),
                proof: vec![],
            },
            signed(20),
        );
        ok(Call::unbond { value: 40 }, signed(20));
        // Not yet matured: nothing happens.
        let root = io::storage_root();
        ok(
            Call::withdraw_unbonded {
                num_slashing_spans: 0,
            },
            signed(20),
        );
        assert_eq!(io::storage_root(), root);
        run_to(30);
        ok(
            Call::withdraw_unbonded {
                num_slashing_spans: 0,
            },
            signed(20),
        );
        assert_eq!(
            events().last(),
            Some(&Event::Withdrawn {
                stash: acc(20),
                amount: 40
            })
        );
        assert_eq!(ledger(20), StakingLedger::new(acc(20), 60));
        assert_eq!(lock_of::<Test>(&acc(20)), 60);
        assert!(Balances::transfer(&acc(20), &acc(21), 940, false).is_ok());

        ok(Call::unbond { value: 60 }, signed(20));
        run_to(60);
        ok(
            Call::withdraw_unbonded {
                num_slashing_spans: 0,
            },
            signed(20),
        );
        assert_eq!(
            events().last(),
            Some(&Event::Withdrawn {
                stash: acc(20),
                amount: 60
            })
        );
        assert_eq!(Staking::ledger(&acc(20)), None);
        assert_eq!(Bonded::get(acc(20)), None);
        assert_eq!(Payee::get(acc(20)), None);
        assert_eq!(NextKeys::get(acc(20)), None, "keys go with the stash");
        assert_eq!(lock_of::<Test>(&acc(20)), 0);
        assert_noop(
            Call::withdraw_unbonded {
                num_slashing_spans: 0,
            },
            signed(20),
            err(Error::NotController),
        );
    });
}

#[test]
fn rebond_takes_from_the_newest_chunks_first() {
    test(|| {
        ok(
            Call::bond {
                value: 300,
                payee: RewardDestination::Stash,
            },
            signed(20),
        );
        ok(Call::unbond { value: 100 }, signed(20));
        run_to(10);
        ok(Call::unbond { value: 50 }, signed(20));
        ok(Call::rebond { value: 70 }, signed(20));
        let l = ledger(20);
        assert_eq!(l.active, 220);
        assert_eq!(l.unlocking, vec![UnlockChunk { value: 80, era: 3 }]);
        assert_eq!(
            events().last(),
            Some(&Event::Bonded {
                stash: acc(20),
                amount: 70
            })
        );
        ok(Call::rebond { value: 1_000 }, signed(20));
        assert_eq!(ledger(20), StakingLedger::new(acc(20), 300));
        assert_noop(
            Call::rebond { value: 1 },
            signed(20),
            err(Error::NoUnlockChunk),
        );
        assert_noop(
            Call::rebond { value: 1 },
            signed(21),
            err(Error::NotController),
        );
    });
}

// ----------------------------------------------------------------------------------------------
// Roles
// ----------------------------------------------------------------------------------------------

#[test]
fn validate_and_nominate_switch_roles_within_limits() {
    test(|| {
        ok(
            Call::bond {
                value: 50,
                payee: RewardDestination::Staked,
            },
            signed(20),
        );
        let prefs = ValidatorPrefs {
            commission: Perbill::from_percent(10),
            blocked: false,
        };
        assert_noop(
            Call::validate {
                prefs: prefs.clone(),
            },
            signed(20),
            err(Error::InsufficientBond),
        );
        assert_noop(
            Call::validate {
                prefs: prefs.clone(),
            },
            signed(21),
            err(Error::NotController),
        );
        ok(
            Call::bond_extra {
                max_additional: 100,
            },
            signed(20),
        );
        ok(
            Call::validate {
                prefs: prefs.clone(),
            },
            signed(20),
        );
        assert_eq!(Validators::get(acc(20)), prefs);
        assert_eq!(
            events().last(),
            Some(&Event::ValidatorPrefsSet {
                stash: acc(20),
                prefs: prefs.clone()
            })
        );
        ok(
            Call::bond {
                value: 200,
                payee: RewardDestination::Staked,
            },
            signed(21),
        );
        ok(
            Call::validate {
                prefs: ValidatorPrefs::default(),
            },
            signed(21),
        );
        assert_eq!(Validators::count(), 5);
        // MAX_VALIDATOR_CANDIDATES is 5; an existing validator may still update its prefs.
        ok(
            Call::bond {
                value: 200,
                payee: RewardDestination::Staked,
            },
            signed(22),
        );
        assert_noop(
            Call::validate {
                prefs: prefs.clone(),
            },
            signed(22),
            err(Error::TooManyValidators),
        );
        assert_noop(
            Call::validate {
                prefs: prefs.clone(),
            },
            signed(10),
            err(Error::TooManyValidators),
        );
        ok(
            Call::validate {
                prefs: ValidatorPrefs {
                    commission: Perbill::one(),
                    blocked: false,
                },
            },
            signed(21),
        );

        // A validator that nominates stops validating.
        ok(
            Call::nominate {
                targets: vec![MultiAddress::Id(acc(1))],
            },
            signed(21),
        );
        assert!(!Validators::contains_key(acc(21)));
        assert_eq!(Nominators::get(acc(21)).unwrap().targets, vec![acc(1)]);

        let id = |n: u8| MultiAddress::Id(acc(n));
        assert_noop(
            Call::nominate { targets: vec![] },
            signed(22),
            err(Error::EmptyTargets),
        );
        assert_noop(
            Call::nominate {
                targets: vec![id(1), id(2), id(3), id(20)],
            },
            signed(22),
            err(Error::TooManyTargets),
        );
        assert_noop(
            Call::nominate {
                targets: vec![id(1), id(23)],
            },
            signed(22),
            err(Error::BadTarget),
        );
        assert_noop(
            Call::nominate {
                targets: vec![MultiAddress::Index(())],
            },
            signed(22),
            DispatchError::CannotLookup,
        );
        assert_noop(
            Call::nominate {
                targets: vec![id(1)],
            },
            signed(23),
            err(Error::NotController),
        );
        // A validator cannot nominate itself.
        assert_noop(
            Call::nominate {
                targets: vec![id(20)],
            },
            signed(20),
            err(Error::BadTarget),
        );
        // Blocked validators take no new nominators; existing ones may renominate.
        ok(
            Call::validate {
                prefs: ValidatorPrefs {
                    commission: Perbill::zero(),
                    blocked: true,
                },
            },
            signed(2),
        );
        assert_noop(
            Call::nominate {
                targets: vec![id(2)],
            },
            signed(22),
            err(Error::BadTarget),
        );
        ok(
            Call::nominate {
                targets: vec![id(2), id(1)],
            },
            signed(10),
        );
        // Duplicates are dropped.
        ok(
            Call::nominate {
                targets: vec![id(1), id(1), id(3)],
            },
            signed(22),
        );
        assert_eq!(
            Nominators::get(acc(22)).unwrap().targets,
            vec![acc(1), acc(3)]
        );
        assert_eq!(Nominators::get(acc(22)).unwrap().submitted_in, 0);
        // MAX_NOMINATORS is 3 (10, 21, 22); the bond minimum is checked first.
        ok(
            Call::bond {
                value: 5,
                payee: RewardDestination::Staked,
            },
            signed(23),
        );
        assert_noop(
            Call::nominate {
                targets: vec![id(1)],
            },
            signed(23),
            err(Error::InsufficientBond),
        );
        ok(
            Call::bond_extra {
                max_additional: 100,
            },
            signed(23),
        );
        assert_noop(
            Call::nominate {
                targets: vec![id(1)],
            },
            signed(23),
            err(Error::TooManyNominators),
        );
    });
}

#[test]
fn chill_removes_roles_and_the_validator_leaves_at_the_next_era() {
    test(|| {
        ok(Call::chill, signed(2));
        assert_eq!(events(), vec![Event::Chilled { stash: acc(2) }]);
        assert!(!Validators::contains_key(acc(2)));
        // Still elected for the rest of era 0.
        assert!(ErasStakers::contains_key(0, acc(2)));
        let root = io::storage_root();
        ok(Call::chill, signed(2));
        assert_eq!(io::storage_root(), root, "chilling twice does nothing");
        assert_noop(Call::chill, signed(20), err(Error::NotController));

        run_to(10);
        let stashes: Vec<_> = Staking::authorities()
            .into_iter()
            .map(|a| a.stash)
            .collect();
        assert_eq!(stashes, vec![acc(1), acc(3)]);
        // Nominator 10 (on 1 and 2) now backs 1 alone with all of its 200.
        assert_eq!(
            ErasStakers::get(1, acc(1)).others,
            vec![IndividualExposure {
                who: acc(10),
                value: 200
            }]
        );
        ok(Call::chill, signed(10));
        assert!(!Nominators::contains_key(acc(10)));
    });
}

#[test]
fn set_payee_routes_rewards() {
    test(|| {
        assert_noop(
            Call::set_payee {
                payee: RewardDestination::Stash,
            },
            signed(20),
            err(Error::NotController),
        );
        assert_noop(
            Call::set_payee {
                payee: RewardDestination::Controller,
            },
            signed(1),
            err(Error::ControllerDeprecated),
        );
        ok(
            Call::set_payee {
                payee: RewardDestination::Stash,
            },
            signed(1),
        );
        ok(
            Call::set_payee {
                payee: RewardDestination::Account(acc(23)),
            },
            signed(2),
        );
        ok(
            Call::set_payee {
                payee: RewardDestination::None,
            },
            signed(10),
        );
        assert_eq!(
            Payee::get(acc(2)),
            Some(RewardDestination::Account(acc(23)))
        );
        let issuance = Balances::total_issuance();
        run_to(10);
        // Era 0: 10 blocks, issuance 8001: max payout 800; staked 1100 of an ideal 4000 gives
        // validators 220 and the treasury 580. Both validators authored 5 blocks (100 points).
        assert!(events().contains(&Event::EraPaid {
            era_index: 0,
            validator_payout: 220,
            remainder: 580
        }));
        assert_eq!(ErasValidatorReward::get(0), Some(220));
        assert_eq!(free(TREASURY), 581);
        run_to(11);
        let (f1, f23, f10) = (free(1), free(23), free(10));
        ok(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 0,
            },
            signed(20),
        );
        ok(
            Call::payout_stakers {
                validator_stash: acc(2),
                era: 0,
            },
            signed(20),
        );
        // Validator 1: 110, of which 10 gets floor(110 * 100 / 600) = 18: not paid (None).
        assert_eq!(free(1), f1 + 92);
        assert_eq!(ledger(1).active, 500, "Stash: not bonded");
        // Validator 2: 110, of which 10 gets floor(110 * 100 / 500) = 22; the rest to 23.
        assert_eq!(free(23), f23 + 88);
        assert_eq!(free(10), f10);
        assert_eq!(Balances::total_issuance(), issuance + 580 + 92 + 88);
        assert_eq!(
            events(),
            vec![
                Event::PayoutStarted {
                    era_index: 0,
                    validator_stash: acc(1),
                    page: 0,
                    next: None
                },
                Event::Rewarded {
                    stash: acc(1),
                    dest: RewardDestination::Stash,
                    amount: 92
                },
                Event::PayoutStarted {
                    era_index: 0,
                    validator_stash: acc(2),
                    page: 0,
                    next: None
                },
                Event::Rewarded {
                    stash: acc(2),
                    dest: RewardDestination::Account(acc(23)),
                    amount: 88
                },
            ]
        );
    });
}

#[test]
fn set_keys_claims_keys_uniquely_and_frees_old_ones() {
    test(|| {
        assert_noop(
            Call::set_keys {
                keys: keys(20),
                proof: vec![],
            },
            signed(20),
            err(Error::NotController),
        );
        ok(
            Call::bond {
                value: 100,
                payee: RewardDestination::Staked,
            },
            signed(20),
        );
        assert_noop(
            Call::set_keys {
                keys: keys(1),
                proof: vec![],
            },
            signed(20),
            err(Error::DuplicatedKey),
        );
        let mixed = SessionKeys {
            aura: keys(20).aura,
            grandpa: keys(1).grandpa,
        };
        assert_noop(
            Call::set_keys {
                keys: mixed,
                proof: vec![],
            },
            signed(20),
            err(Error::DuplicatedKey),
        );
        ok(
            Call::set_keys {
                keys: keys(20),
                proof: vec![1, 2, 3],
            },
            signed(20),
        );
        assert_eq!(
            events().last(),
            Some(&Event::SessionKeysSet {
                stash: acc(20),
                keys: keys(20)
            })
        );
        assert_eq!(
            Staking::key_owner(AURA_KEY_TYPE, &keys(20).aura),
            Some(acc(20))
        );
        ok(
            Call::set_keys {
                keys: keys(20),
                proof: vec![],
            },
            signed(20),
        );
        ok(
            Call::set_keys {
                keys: keys(21),
                proof: vec![],
            },
            signed(20),
        );
        assert_eq!(Staking::key_owner(AURA_KEY_TYPE, &keys(20).aura), None);
        ok(
            Call::bond {
                value: 100,
                payee: RewardDestination::Staked,
            },
            signed(22),
        );
        ok(
            Call::set_keys {
                keys: keys(20),
                proof: vec![],
            },
            signed(22),
        );
        assert_eq!(Staking::resolve_stash(&aura_id(20)), acc(22));
        assert_eq!(
            Staking::resolve_stash(&AccountId::new(keys(21).grandpa)),
            acc(20)
        );
        assert_eq!(Staking::resolve_stash(&acc(50)), acc(50));
    });
}

#[test]
fn compute_providers_register_with_a_minimum_stake() {
    test(|| {
        assert_noop(
            Call::register_provider {
                stake: 299,
                capabilities: caps(),
            },
            signed(20),
            err(Error::InsufficientBond),
        );
        let mut bad = caps();
        bad.count = 0;
        assert_noop(
            Call::register_provider {
                stake: 300,
                capabilities: bad,
            },
            signed(20),
            err(Error::InvalidCapabilities),
        );
        let mut bad = caps();
        bad.gpu_model = BoundedVec::default();
        assert_noop(
            Call::register_provider {
                stake: 300,
                capabilities: bad,
            },
            signed(20),
            err(Error::InvalidCapabilities),
        );
        assert_noop(
            Call::register_provider {
                stake: 300,
                capabilities: caps(),
            },
            signed(50),
            err(Error::NotEnoughFunds),
        );

        // Unbonded: bonds the stake (rewards to the stash).
        ok(
            Call::register_provider {
                stake: 300,
                capabilities: caps(),
            },
            signed(20),
        );
        assert_eq!(ledger(20).active, 300);
        assert_eq!(Payee::get(acc(20)), Some(RewardDestination::Stash));
        assert_eq!(
            Providers::get(acc(20)),
            Some(ProviderInfo {
                capabilities: caps(),
                registered_at: 1
            })
        );
        assert_eq!(
            events(),
            vec![
                Event::Bonded {
                    stash: acc(20),
                    amount: 300
                },
                Event::ProviderRegistered {
                    provider: acc(20),
                    stake: 300,
                    capabilities: caps()
                },
            ]
        );
        assert!(Staking::is_active_provider(&acc(20)));
        // Already bonded enough: no new bond.
        ok(
            Call::register_provider {
                stake: 300,
                capabilities: caps(),
            },
            signed(1),
        );
        assert_eq!(ledger(1).active, 500);
        assert_noop(
            Call::register_provider {
                stake: 300,
                capabilities: caps(),
            },
            signed(21),
            err(Error::TooManyProviders),
        );
        // Updating tops the bond up to the new stake.
        let mut more = caps();
        more.count = 16;
        ok(
            Call::register_provider {
                stake: 600,
                capabilities: more.clone(),
            },
            signed(20),
        );
        assert_eq!(ledger(20).active, 600);
        assert_eq!(Providers::get(acc(20)).unwrap().capabilities, more);
        assert_noop(
            Call::register_provider {
                stake: 1_100,
                capabilities: caps(),
            },
            signed(20),
            err(Error::NotEnoughFunds),
        );
        // The provider stake cannot be unbonded while registered.
        assert_noop(
            Call::unbond { value: 301 },
            signed(20),
            err(Error::InsufficientBond),
        );
        ok(Call::unbond { value: 300 }, signed(20));
        assert_noop(
            Call::deregister_provider,
            signed(21),
            err(Error::NotProvider),
        );
        ok(Call::deregister_provider, signed(20));
        assert_eq!(
            events().last(),
            Some(&Event::ProviderDeregistered { provider: acc(20) })
        );
        assert!(!Staking::is_active_provider(&acc(20)));
        ok(Call::unbond { value: 300 }, signed(20));
        assert_eq!(Providers::count(), 1);

        // Capability strings beyond their bound do not even decode.
        let mut encoded = vec![40u8];
        Compact(300u128).encode_to(&mut encoded);
        vec![b'x'; MAX_GPU_MODEL_LEN as usize + 1].encode_to(&mut encoded);
        assert!(Call::decode(&mut &encoded[..]).is_err());
    });
}

// ----------------------------------------------------------------------------------------------
// Eras and elections
// ----------------------------------------------------------------------------------------------

#[test]
fn eras_change_every_era_length_blocks_and_root_can_force() {
    test(|| {
        run_to(9);
        assert_eq!(Staking::active_era(), Some(0));
        run_to(10);
        assert_eq!(Staking::active_era(), Some(1));
        assert_eq!(CurrentEra::get(), Some(1));
        assert_eq!(ErasStartBlock::get(1), Some(10));
        assert_eq!(Staking::era_of_block(9), Some(0));
        assert_eq!(Staking::era_of_block(10), Some(1));
        assert!(events().contains(&Event::StakersElected));

        assert_noop(Call::force_new_era, signed(1), DispatchError::BadOrigin);
        ok(Call::force_new_era, Origin::Root);
        assert_eq!(ForceEra::get(), Forcing::ForceNew);
        assert_eq!(
            events().last(),
            Some(&Event::ForceEra {
                mode: Forcing::ForceNew
            })
        );
        run_to(11);
        assert_eq!(Staking::active_era(), Some(2));
        assert_eq!(ForceEra::get(), Forcing::NotForcing);
        assert_eq!(
            events().last(),
            Some(&Event::ForceEra {
                mode: Forcing::NotForcing
            })
        );
        // The forced, one-block era paid a tenth of a normal one.
        let (validators, remainder) = Staking::era_payout(Balances::total_issuance(), 0, 1);
        assert!(validators + remainder > 0);

        assert_noop(Call::force_no_eras, signed(1), DispatchError::BadOrigin);
        ok(Call::force_no_eras, Origin::Root);
        run_to(40);
        assert_eq!(Staking::active_era(), Some(2));
        ok(Call::force_new_era, Origin::Root);
        run_to(41);
        assert_eq!(Staking::active_era(), Some(3));
        run_to(51);
        assert_eq!(Staking::active_era(), Some(4));
    });
}

#[test]
fn set_validator_count_is_root_only_and_bounded() {
    test(|| {
        assert_noop(
            Call::set_validator_count { new: 3 },
            signed(1),
            DispatchError::BadOrigin,
        );
        assert_noop(
            Call::set_validator_count { new: 5 },
            Origin::Root,
            err(Error::TooManyValidators),
        );
        assert_noop(
            Call::set_validator_count { new: 0 },
            Origin::Root,
            err(Error::BoundNotMet),
        );
        ok(Call::set_validator_count { new: 3 }, Origin::Root);
        assert_eq!(ValidatorCount::get(), 3);
        run_to(10);
        assert_eq!(Staking::authorities().len(), 3);
    });
}

#[test]
fn more_candidates_than_seats_elects_the_top_and_schedules_the_change() {
    test(|| {
        ok(
            Call::bond {
                value: 900,
                payee: RewardDestination::Staked,
            },
            signed(20),
        );
        ok(
            Call::set_keys {
                keys: keys(20),
                proof: vec![],
            },
            signed(20),
        );
        ok(
            Call::validate {
                prefs: ValidatorPrefs::default(),
            },
            signed(20),
        );
        run_to(10);
        // Approval: 20 -> 900, 1 -> 700, 2 -> 600, 3 -> 300. Two seats.
        let stashes: Vec<_> = Staking::authorities()
            .into_iter()
            .map(|a| a.stash)
            .collect();
        assert_eq!(stashes, vec![acc(1), acc(20)]);
        assert_eq!(
            ErasStakers::get(1, acc(20)),
            Exposure {
                total: 900,
                own: 900,
                others: vec![]
            }
        );
        assert_eq!(
            ErasStakers::get(1, acc(1)).others,
            vec![IndividualExposure {
                who: acc(10),
                value: 200
            }]
        );
        assert_eq!(ErasTotalStake::get(1), 1600);
        let grandpa = vec![(keys(1).grandpa, 1u64), (keys(20).grandpa, 1u64)];
        assert_eq!(Staking::pending_authority_change(), Some(grandpa.clone()));
        assert_eq!(
            Staking::pending_aura_authorities(),
            Some(vec![keys(1).aura, keys(20).aura])
        );
        let mut log = vec![1u8];
        grandpa.encode_to(&mut log);
        5u32.encode_to(&mut log);
        assert_eq!(
            Staking::pending_authority_change_digest(5),
            Some(DigestItem::Consensus(*b"FRNK", log))
        );
        // Known encoding of sp_consensus_grandpa's ScheduledChange: variant, voters, delay.
        let digest = Staking::pending_authority_change_digest(3).unwrap();
        let DigestItem::Consensus(_, bytes) = digest else {
            panic!("not a consensus item")
        };
        assert_eq!(&bytes[..2], &[1, 8]);
        assert_eq!(&bytes[bytes.len() - 4..], &[3, 0, 0, 0]);
        // The next block has no pending change.
        run_to(11);
        assert_eq!(Staking::pending_authority_change(), None);
        assert_eq!(Staking::pending_authority_change_digest(0), None);
        // Blocks are now authored by the new set.
        run_to(13);
        assert!(ErasRewardPoints::get(1).individual.contains_key(&acc(20)));
    });
}

#[test]
fn re_electing_the_same_set_schedules_no_change() {
    test(|| {
        run_to(10);
        assert!(events().contains(&Event::StakersElected));
        assert_eq!(Staking::pending_authority_change(), None);
        assert_eq!(Staking::pending_aura_authorities(), None);
    });
}

#[test]
fn a_key_change_alone_schedules_a_change_of_that_key_type() {
    test(|| {
        let new = SessionKeys {
            aura: keys(1).aura,
            grandpa: keys(41).grandpa,
        };
        ok(
            Call::set_keys {
                keys: new,
                proof: vec![],
            },
            signed(1),
        );
        run_to(10);
        assert_eq!(Staking::pending_aura_authorities(), None);
        assert_eq!(
            Staking::pending_authority_change(),
            Some(vec![(keys(41).grandpa, 1), (keys(2).grandpa, 1)])
        );
    });
}

#[test]
fn too_few_candidates_keep_the_current_set() {
    test(|| {
        MinimumValidatorCount::put(2);
        ok(Call::chill, signed(2));
        ok(Call::chill, signed(3));
        ok(
            Call::bond_extra {
                max_additional: 100,
            },
            signed(2),
        );
        run_to(10);
        assert!(events().contains(&Event::StakingElectionFailed));
        assert!(!events().contains(&Event::StakersElected));
        let stashes: Vec<_> = Staking::authorities()
            .into_iter()
            .map(|a| a.stash)
            .collect();
        assert_eq!(stashes, vec![acc(1), acc(2)], "the set stays");
        assert_eq!(Staking::pending_authority_change(), None);
        // Re-snapshotted with current stakes: 2 bonded 100 more.
        assert_eq!(ErasStakers::get(1, acc(2)).own, 500);
        assert_eq!(
            ErasStakers::get(1, acc(2)).others,
            vec![IndividualExposure {
                who: acc(10),
                value: 100
            }]
        );
        assert_eq!(ErasTotalStake::get(1), 1200);
        // Rewards still flow for the kept set.
        run_to(20);
        ok(
            Call::payout_stakers {
                validator_stash: acc(2),
                era: 1,
            },
            signed(20),
        );
        assert!(events()
            .iter()
            .any(|e| matches!(e, Event::Rewarded { stash, .. } if *stash == acc(2))));
    });
}

#[test]
fn candidates_without_keys_are_not_elected() {
    test(|| {
        ok(
            Call::bond {
                value: 900,
                payee: RewardDestination::Staked,
            },
            signed(20),
        );
        ok(
            Call::validate {
                prefs: ValidatorPrefs::default(),
            },
            signed(20),
        );
        run_to(10);
        assert!(!ErasStakers::contains_key(1, acc(20)));
        ok(
            Call::set_keys {
                keys: keys(20),
                proof: vec![],
            },
            signed(20),
        );
        run_to(20);
        assert!(ErasStakers::contains_key(2, acc(20)));
    });
}

#[test]
fn backers_beyond_the_exposure_bound_back_nothing() {
    test(|| {
        // MAX_BACKERS_PER_VALIDATOR is 2: three nominators of 1 with 200, 150 and 100.
        ok(
            Call::bond {
                value: 150,
                payee: RewardDestination::Staked,
            },
            signed(21),
        );
        ok(
            Call::bond {
                value: 100,
                payee: RewardDestination::Staked,
            },
            signed(22),
        );
        ok(
            Call::nominate {
                targets: vec![MultiAddress::Id(acc(1))],
            },
            signed(21),
        );
        ok(
            Call::nominate {
                targets: vec![MultiAddress::Id(acc(1))],
            },
            signed(22),
        );
        ok(
            Call::nominate {
                targets: vec![MultiAddress::Id(acc(1))],
            },
            signed(10),
        );
        run_to(10);
        let e = ErasStakers::get(1, acc(1));
        let who: Vec<_> = e.others.iter().map(|b| (b.who.clone(), b.value)).collect();
        assert_eq!(who, vec![(acc(10), 200), (acc(21), 150)]);
        assert_eq!(e.total, 850);
        run_to(20);
        let before = free(22);
        ok(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 1,
            },
            signed(22),
        );
        assert_eq!(free(22), before, "the dropped backer earns nothing");
    });
}

// ----------------------------------------------------------------------------------------------
// Rewards
// ----------------------------------------------------------------------------------------------

#[test]
fn payout_pays_commission_then_stake_and_refuses_a_second_claim() {
    test(|| {
        ok(
            Call::validate {
                prefs: ValidatorPrefs {
                    commission: Perbill::from_percent(50),
                    blocked: false,
                },
            },
            signed(1),
        );
        run_to(20);
        assert_eq!(
            ErasValidatorPrefs::get(0, acc(1)).commission,
            Perbill::zero(),
            "prefs are per era"
        );
        assert_eq!(
            ErasValidatorPrefs::get(1, acc(1)).commission,
            Perbill::from_percent(50)
        );
        let reward = ErasValidatorReward::get(1).unwrap();
        let points = ErasRewardPoints::get(1);
        let own_points = points.individual[&acc(1)];
        let v_reward = reward * Balance::from(own_points) / Balance::from(points.total);
        let exposure = ErasStakers::get(1, acc(1));
        let commission = v_reward / 2;
        let share = (v_reward - commission) * exposure.others[0].value / exposure.total;
        let (l1, l10) = (ledger(1).active, ledger(10).active);

        // Anyone may call, for an ended era.
        assert_noop(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 2,
            },
            signed(50),
            err(Error::InvalidEraToReward),
        );
        assert_noop(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 9,
            },
            signed(50),
            err(Error::InvalidEraToReward),
        );
        assert_noop(
            Call::payout_stakers {
                validator_stash: acc(3),
                era: 1,
            },
            signed(50),
            err(Error::NotStash),
        );
        assert_noop(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 1,
            },
            Origin::Root,
            DispatchError::BadOrigin,
        );
        ok(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 1,
            },
            signed(50),
        );
        assert_eq!(
            ledger(1).active,
            l1 + v_reward - share,
            "Staked: rewards are bonded"
        );
        assert_eq!(ledger(10).active, l10 + share);
        assert_eq!(ClaimedRewards::get(1, acc(1)), vec![0]);
        assert_noop(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 1,
            },
            signed(50),
            err(Error::AlreadyClaimed),
        );
        assert_noop(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 1,
            },
            signed(1),
            err(Error::AlreadyClaimed),
        );
    });
}

#[test]
fn a_validator_with_no_nominators_keeps_its_whole_reward() {
    test(|| {
        ok(Call::set_validator_count { new: 3 }, Origin::Root);
        run_to(20);
        assert_eq!(
            ErasStakers::get(1, acc(3)),
            Exposure {
                total: 300,
                own: 300,
                others: vec![]
            }
        );
        let reward = ErasValidatorReward::get(1).unwrap();
        let points = ErasRewardPoints::get(1);
        let expected =
            reward * Balance::from(points.individual[&acc(3)]) / Balance::from(points.total);
        assert!(expected > 0);
        ok(
            Call::payout_stakers {
                validator_stash: acc(3),
                era: 1,
            },
            signed(3),
        );
        assert_eq!(ledger(3).active, 300 + expected);
        assert_eq!(
            events().last(),
            Some(&Event::Rewarded {
                stash: acc(3),
                dest: RewardDestination::Staked,
                amount: expected
            })
        );
    });
}

/// Issuance changes by exactly what is minted: the treasury's remainders plus every reward
/// paid; what is not paid is the rounding dust, less than one unit per validator and era.
#[test]
fn rewards_account_for_issuance_exactly() {
    test(|| {
        // Uneven stakes and commissions so that every division rounds.
        ok(
            Call::validate {
                prefs: ValidatorPrefs {
                    commission: Perbill::from_parts(333_333_333),
                    blocked: false,
                },
            },
            signed(1),
        );
        ok(
            Call::validate {
                prefs: ValidatorPrefs {
                    commission: Perbill::from_parts(70_000_001),
                    blocked: false,
                },
            },
            signed(2),
        );
        ok(Call::set_validator_count { new: 3 }, Origin::Root);
        ok(
            Call::bond {
                value: 77,
                payee: RewardDestination::Stash,
            },
            signed(21),
        );
        ok(
            Call::nominate {
                targets: vec![
                    MultiAddress::Id(acc(1)),
                    MultiAddress::Id(acc(2)),
                    MultiAddress::Id(acc(3)),
                ],
            },
            signed(21),
        );
        ok(
            Call::bond {
                value: 313,
                payee: RewardDestination::Staked,
            },
            signed(22),
        );
        ok(
            Call::nominate {
                targets: vec![MultiAddress::Id(acc(3)), MultiAddress::Id(acc(2))],
            },
            signed(22),
        );
        let start = Balances::total_issuance();
        run_to(40);
        let mut era_rewards = 0;
        let mut paid = 0;
        for era in 0..4u32 {
            let reward = ErasValidatorReward::get(era).unwrap();
            era_rewards += reward;
            let validators: Vec<_> = ErasStakers::iter_prefix(era).map(|(v, _)| v).collect();
            let before = Balances::total_issuance();
            for v in &validators {
                ok(
                    Call::payout_stakers {
                        validator_stash: v.clone(),
                        era,
                    },
                    signed(23),
                );
            }
            let paid_in_era = Balances::total_issuance() - before;
            assert!(paid_in_era <= reward);
            assert!(
                reward - paid_in_era < validators.len() as Balance,
                "dust below one unit per validator"
            );
            paid += paid_in_era;
        }
        let log = all_events();
        let remainders: Balance = log
            .iter()
            .filter_map(|e| match e {
                Event::EraPaid { remainder, .. } => Some(*remainder),
                _ => None,
            })
            .sum();
        let rewarded: Balance = log
            .iter()
            .filter_map(|e| match e {
                Event::Rewarded { amount, .. } => Some(*amount),
                _ => None,
            })
            .sum();
        assert_eq!(rewarded, paid);
        assert_eq!(Balances::total_issuance(), start + remainders + rewarded);
        assert!(era_rewards - paid < 12);
        assert!(rewarded > 0 && remainders > 0);
    });
}

#[test]
fn history_depth_bounds_claims_and_prunes_old_eras() {
    test(|| {
        run_to(50);
        ok(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 1,
            },
            signed(1),
        );
        run_to(60);
        // Era 6: eras 2..=5 are claimable; era 1 and before are pruned.
        assert_noop(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 1,
            },
            signed(1),
            err(Error::InvalidEraToReward),
        );
        assert_noop(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 0,
            },
            signed(1),
            err(Error::InvalidEraToReward),
        );
        assert_eq!(ErasValidatorReward::get(1), None);
        assert!(!ErasStakers::contains_key(1, acc(1)));
        assert_eq!(ErasRewardPoints::get(1), EraRewardPoints::default());
        assert!(ClaimedRewards::get(1, acc(1)).is_empty());
        assert_eq!(ErasStartBlock::get(1), None);
        assert_eq!(Staking::era_of_block(15), None);
        ok(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 2,
            },
            signed(1),
        );
    });
}

#[test]
fn authors_fees_are_paid_with_their_era() {
    test(|| {
        assert!(Staking::note_author_fee(&aura_id(1), 50));
        assert!(
            Staking::note_author_fee(&acc(2), 7),
            "a stash id is accepted as well"
        );
        assert!(
            !Staking::note_author_fee(&acc(3), 5),
            "not elected: the caller pays elsewhere"
        );
        assert!(!Staking::note_author_fee(&acc(50), 5));
        run_to(10);
        assert_eq!(ErasFeeRewards::get(0), 57);
        assert_eq!(ErasValidatorReward::get(0), Some(220 + 57));
        let l10 = ledger(10).active;
        ok(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 0,
            },
            signed(1),
        );
        // 110 from points plus 50 in fees: nominator 10 gets floor(160 * 100 / 600) = 26.
        assert_eq!(ledger(10).active, l10 + 26);
        assert_eq!(ledger(1).active, 500 + 134);
    });
}

#[test]
fn an_era_without_points_issues_no_validator_inflation() {
    test(|| {
        // Block 1 was authored before the silence; era 1 has no author at all.
        SILENT.with(|s| s.borrow_mut().extend([aura_id(1), aura_id(2)]));
        run_to(20);
        assert_eq!(ErasRewardPoints::get(1).total, 0);
        let paid = events().iter().find_map(|e| match e {
            Event::EraPaid {
                era_index: 1,
                validator_payout,
                remainder,
            } => Some((*validator_payout, *remainder)),
            _ => None,
        });
        let (validator_payout, remainder) = paid.unwrap();
        assert_eq!(validator_payout, 0);
        assert!(remainder > 0, "the treasury's part is still minted");
        let issuance = Balances::total_issuance();
        ok(
            Call::payout_stakers {
                validator_stash: acc(1),
                era: 1,
            },
            signed(1),
        );
        assert_eq!(Balances::total_issuance(), issuance);
        assert_eq!(ClaimedRewards::get(1, acc(1)), vec![0]);
    });
}

#[test]
fn era_payout_follows_the_documented_curve() {
    test(|| {
        // A year-long era at 10%: max 1000 of 10_000; ideal stake 5000.
        assert_eq!(Staking::era_payout(10_000, 5_000, 10), (1_000, 0));
        assert_eq!(Staking::era_payout(10_000, 9_000, 10), (1_000, 0));
        assert_eq!(Staking::era_payout(10_000, 2_500, 10), (500, 500));
        assert_eq!(Staking::era_payout(10_000, 0, 10), (0, 1_000));
        assert_eq!(Staking::era_payout(10_000, 2_500, 1), (50, 50));
        assert_eq!(Staking::era_payout(10_000, 2_500, 0), (0, 0));
        // Huge issuance does not overflow.
        let (v, r) = Staking::era_payout(u128::MAX / 2, u128::MAX / 4, 10);
        assert_eq!(v + r, u128::MAX / 20);
    });
}

// ----------------------------------------------------------------------------------------------
// Slashing
// ----------------------------------------------------------------------------------------------

#[test]
fn equivocation_is_slashed_pro_rata_after_the_deferral_to_the_treasury() {
    test(|| {
        run_to(12);
        let outcome = Staking::report_equivocation(&aura_id(1), 1).unwrap();
        // Exposure of 1 in era 1: own 500, 10 with 100. 10% of each.
        assert_eq!(
            outcome,
            OffenceOutcome::Deferred {
                apply_era: 2,
                index: 0,
                amount: 60
            }
        );
        assert_eq!(
            events(),
            vec![
                Event::SlashReported {
                    validator: acc(1),
                    fraction: Perbill::from_percent(10),
                    slash_era: 1
                },
                Event::Chilled { stash: acc(1) },
            ]
        );
        assert_eq!(
            UnappliedSlashes::get(2),
            vec![UnappliedSlash {
                validator: acc(1),
                own: 50,
                others: vec![(acc(10), 10)],
                reporters: vec![],
                payout: 0
            }]
        );
        let treasury = free(TREASURY);
        run_to(19);
        assert_eq!(ledger(1).active, 500, "deferred");
        run_to(20);
        assert_eq!(ledger(1).active, 450);
        assert_eq!(ledger(10).active, 190);
        assert_eq!(free(1), 950);
        let remainder = events()
            .iter()
            .find_map(|e| match e {
                Event::EraPaid { remainder, .. } => Some(*remainder),
                _ => None,
            })
            .unwrap();
        assert_eq!(free(TREASURY), treasury + remainder + 60);
        assert!(events().contains(&Event::Slashed {
            staker: acc(1),
            amount: 50
        }));
        assert!(events().contains(&Event::Slashed {
            staker: acc(10),
            amount: 10
        }));
        assert!(UnappliedSlashes::get(2).is_empty());
        // The chilled offender is out of the next set.
        assert!(!ErasStakers::contains_key(2, acc(1)));
    });
}

#[test]
fn root_cancels_deferred_slashes_by_index() {
    test(|| {
        run_to(12);
        Staking::report_equivocation(&acc(1), 1).unwrap();
        Staking::report_equivocation(&acc(2), 1).unwrap();
        assert_eq!(UnappliedSlashes::get(2).len(), 2);
        let cancel = |indices: Vec<u32>| Call::cancel_deferred_slash {
            era: 2,
            slash_indices: indices,
        };
        assert_noop(cancel(vec![0]), signed(1), DispatchError::BadOrigin);
        assert_noop(cancel(vec![]), Origin::Root, err(Error::EmptyTargets));
        assert_noop(
            cancel(vec![1, 0]),
            Origin::Root,
            err(Error::NotSortedAndUnique),
        );
        assert_noop(
            cancel(vec![0, 0]),
            Origin::Root,
            err(Error::NotSortedAndUnique),
        );
        assert_noop(cancel(vec![2]), Origin::Root, err(Error::InvalidSlashIndex));
        assert_noop(
            Call::cancel_deferred_slash {
                era: 3,
                slash_indices: vec![0],
            },
            Origin::Root,
            err(Error::InvalidSlashIndex),
        );
        ok(cancel(vec![0]), Origin::Root);
        assert_eq!(
            events().last(),
            Some(&Event::SlashCancelled {
                slash_era: 2,
                validator: acc(1)
            })
        );
        assert_eq!(UnappliedSlashes::get(2).len(), 1);
        run_to(20);
        assert_eq!(ledger(1).active, 500, "cancelled");
        assert_eq!(ledger(2).active, 360);
        assert_eq!(ledger(10).active, 190);
        // A cancelled report is not slashed again by an equal report.
        assert_eq!(
            Staking::report_equivocation(&acc(1), 1),
            Ok(OffenceOutcome::NoSlash)
        );
    });
}

#[test]
fn a_slash_larger_than_the_active_stake_takes_unlocking_funds_and_stops_at_the_bond() {
    test(|| {
        ok(
            Call::bond {
                value: 1000,
                payee: RewardDestination::Staked,
            },
            signed(20),
        );
        ok(
            Call::set_keys {
                keys: keys(20),
                proof: vec![],
            },
            signed(20),
        );
        ok(
            Call::validate {
                prefs: ValidatorPrefs::default(),
            },
            signed(20),
        );
        run_to(10);
        assert_eq!(ErasStakers::get(1, acc(20)).own, 1000);
        ok(Call::unbond { value: 900 }, signed(20));
        let treasury = free(TREASURY);
        // 100% of an exposure of 1000, with only 100 active.
        let outcome = Staking::report_offence(&acc(20), 1, Perbill::one()).unwrap();
        assert_eq!(
            outcome,
            OffenceOutcome::Deferred {
                apply_era: 2,
                index: 0,
                amount: 1000
            }
        );

        // Another stash: more than its whole bond is asked; a third: less than its bond.
        ok(
            Call::bond {
                value: 500,
                payee: RewardDestination::Staked,
            },
            signed(21),
        );
        ok(Call::unbond { value: 300 }, signed(21));
        ok(
            Call::bond {
                value: 500,
                payee: RewardDestination::Staked,
            },
            signed(22),
        );
        ok(Call::unbond { value: 400 }, signed(22));
        Staking::slash_provider(
            &acc(21),
            ProviderSlash::Amount(5_000),
            ProviderOffence::WrongResult,
        )
        .unwrap();
        Staking::slash_provider(
            &acc(22),
            ProviderSlash::Amount(250),
            ProviderOffence::WrongResult,
        )
        .unwrap();
        run_to(20);
        // 20: active 100 and the 900 unlocking: everything; the stash is gone.
        assert_eq!(Staking::ledger(&acc(20)), None);
        assert!(!Validators::contains_key(acc(20)));
        assert_eq!(free(20), 0);
        assert!(events().contains(&Event::Slashed {
            staker: acc(20),
            amount: 1000
        }));
        // 21: capped at its bond of 500.
        assert_eq!(Staking::ledger(&acc(21)), None);
        assert_eq!(free(21), 500);
        // 22: active 100 gone, then 150 of the 400 unlocking.
        let l = ledger(22);
        assert_eq!((l.total, l.active), (250, 0));
        assert_eq!(l.unlocking, vec![UnlockChunk { value: 250, era: 4 }]);
        let remainder = events()
            .iter()
            .find_map(|e| match e {
                Event::EraPaid { remainder, .. } => Some(*remainder),
                _ => None,
            })
            .unwrap();
        assert_eq!(free(TREASURY), treasury + remainder + 1000 + 500 + 250);
    });
}

#[test]
fn reports_slash_only_increases_and_old_or_bad_reports_are_refused() {
    test(|| {
        run_to(10);
        assert_eq!(
            Staking::report_offence(&acc(1), 0, Perbill::from_percent(10)),
            Ok(OffenceOutcome::Deferred {
                apply_era: 2,
                index: 0,
                amount: 60
            })
        );
        // 20%: only the extra 10% of era 0's exposure.
        assert_eq!(
            Staking::report_offence(&acc(1), 0, Perbill::from_percent(20)),
            Ok(OffenceOutcome::Deferred {
                apply_era: 2,
                index: 1,
                amount: 60
            })
        );
        assert_eq!(
            ValidatorSlashInEra::get(0, acc(1)),
            Some((Perbill::from_percent(20), 100))
        );
        let root = io::storage_root();
        assert_eq!(
            Staking::report_offence(&acc(1), 0, Perbill::from_percent(15)),
            Ok(OffenceOutcome::NoSlash)
        );
        assert_eq!(
            Staking::report_offence(&acc(2), 0, Perbill::zero()),
            Ok(OffenceOutcome::NoSlash)
        );
        assert_eq!(io::storage_root(), root);
        assert_unchanged(
            || Staking::report_equivocation(&acc(1), 5),
            err(Error::InvalidOffenceEra),
        );
        assert_unchanged(
            || Staking::report_equivocation(&acc(3), 0),
            err(Error::NotElected),
        );
        run_to(30);
        // Era 3: era 0's funds may be unbonded by the time a slash would apply.
        assert_eq!(
            Staking::report_equivocation(&acc(2), 0),
            Ok(OffenceOutcome::Discarded)
        );
        assert_eq!(
            events().last(),
            Some(&Event::OldSlashingReportDiscarded { session_index: 0 })
        );
        assert_eq!(ledger(1).active, 400);
    });
}

#[test]
fn a_zero_deferral_slashes_at_once() {
    test_for::<ImmediateTest>(endowment(), genesis(), || {
        let outcome = Pallet::<ImmediateTest>::report_equivocation(&aura_id(1), 0).unwrap();
        assert_eq!(outcome, OffenceOutcome::Applied { amount: 60 });
        assert_eq!(
            Pallet::<ImmediateTest>::ledger(&acc(1)).unwrap().active,
            450
        );
        assert_eq!(
            pallet_balances::Pallet::<ImmediateTest>::free_balance(&acc(TREASURY)),
            61
        );
        assert!(UnappliedSlashes::get(0).is_empty() && UnappliedSlashes::get(1).is_empty());
    });
}

#[test]
fn a_validator_offline_for_a_whole_era_is_slashed() {
    test_for::<OfflineTest>(endowment(), genesis(), || {
        // Block 1 was authored before the silence: 2 authored in era 0, none in era 1.
        SILENT.with(|s| s.borrow_mut().insert(aura_id(2)));
        run_to_for::<OfflineTest>(10);
        assert!(!block_events::<OfflineTest>()
            .iter()
            .any(|e| matches!(e, Event::SlashReported { .. })));
        run_to_for::<OfflineTest>(20);
        let events = block_events::<OfflineTest>();
        assert!(events.contains(&Event::SlashReported {
            validator: acc(2),
            fraction: Perbill::from_percent(1),
            slash_era: 1
        }));
        // Reported at the end of era 1, deferred one era: applied as era 2 starts.
        assert!(events.contains(&Event::Slashed {
            staker: acc(2),
            amount: 4
        }));
        assert!(events.contains(&Event::Slashed {
            staker: acc(10),
            amount: 1
        }));
        assert_eq!(Pallet::<OfflineTest>::ledger(&acc(2)).unwrap().active, 396);
        assert_eq!(
            Pallet::<OfflineTest>::ledger(&acc(1)).unwrap().active,
            500,
            "the author is not slashed"
        );
        let stashes: Vec<_> = Pallet::<OfflineTest>::authorities()
            .into_iter()
            .map(|a| a.stash)
            .collect();
        assert_eq!(stashes, vec![acc(1), acc(3)], "chilled and replaced");
    });
}

#[test]
fn provider_rewards_and_slashes() {
    test(|| {
        ok(
            Call::register_provider {
                stake: 300,
                capabilities: caps(),
            },
            signed(20),
        );
        assert_unchanged(
            || Staking::reward_provider(&acc(21), 10),
            err(Error::NotProvider),
        );
        let issuance = Balances::total_issuance();
        assert_eq!(Staking::reward_provider(&acc(20), 100), Ok(100));
        assert_eq!(free(20), 1100);
        assert_eq!(
            events().last(),
            Some(&Event::ProviderRewarded {
                provider: acc(20),
                dest: RewardDestination::Stash,
                amount: 100
            })
        );
        ok(
            Call::set_payee {
                payee: RewardDestination::Staked,
            },
            signed(20),
        );
        assert_eq!(Staking::reward_provider(&acc(20), 50), Ok(50));
        assert_eq!(ledger(20).active, 350);
        ok(
            Call::set_payee {
                payee: RewardDestination::None,
            },
            signed(20),
        );
        assert_eq!(
            Staking::reward_provider(&acc(20), 5),
            Ok(5),
            "work is always paid: None counts as Stash"
        );
        assert_eq!(Balances::total_issuance(), issuance + 155);

        assert_unchanged(
            || {
                Staking::slash_provider(
                    &acc(50),
                    ProviderSlash::Fraction(Perbill::one()),
                    ProviderOffence::WrongResult,
                )
            },
            err(Error::NotStash),
        );
        let outcome = Staking::slash_provider(
            &acc(20),
            ProviderSlash::Fraction(Perbill::from_percent(10)),
            ProviderOffence::MissedDeadline,
        )
        .unwrap();
        assert_eq!(
            outcome,
            OffenceOutcome::Deferred {
                apply_era: 1,
                index: 0,
                amount: 35
            }
        );
        assert_eq!(
            events().last(),
            Some(&Event::ProviderSlashReported {
                provider: acc(20),
                amount: 35,
                reason: ProviderOffence::MissedDeadline
            })
        );
        assert_eq!(
            Staking::slash_provider(
                &acc(20),
                ProviderSlash::Amount(0),
                ProviderOffence::LostDispute
            ),
            Ok(OffenceOutcome::NoSlash)
        );
        run_to(10);
        assert_eq!(ledger(20).active, 315);
        assert!(Staking::is_active_provider(&acc(20)));
        assert!(events().contains(&Event::Slashed {
            staker: acc(20),
            amount: 35
        }));
    });
}

// ----------------------------------------------------------------------------------------------
// Wire format and metadata
// ----------------------------------------------------------------------------------------------

#[test]
fn calls_events_and_errors_use_substrates_indices_and_encodings() {
    let bond = Call::bond {
        value: 5,
        payee: RewardDestination::Staked,
    };
    assert_eq!(bond.encode(), vec![0, 0x14, 0]);
    let first = |c: Call| c.encode()[0];
    assert_eq!(first(Call::unbond { value: 1 }), 2);
    assert_eq!(
        first(Call::withdraw_unbonded {
            num_slashing_spans: 0
        }),
        3
    );
    assert_eq!(Call::chill.encode(), vec![6]);
    assert_eq!(first(Call::set_validator_count { new: 1 }), 9);
    assert_eq!(Call::force_new_era.encode(), vec![13]);
    assert_eq!(
        first(Call::cancel_deferred_slash {
            era: 0,
            slash_indices: vec![]
        }),
        17
    );
    assert_eq!(
        first(Call::payout_stakers {
            validator_stash: acc(1),
            era: 0
        }),
        18
    );
    assert_eq!(first(Call::rebond { value: 1 }), 19);
    assert_eq!(
        first(Call::register_provider {
            stake: 1,
            capabilities: caps()
        }),
        40
    );
    assert_eq!(Call::deregister_provider.encode(), vec![41]);
    // author_rotateKeys' 64 bytes (aura ++ grandpa) are a valid `keys` argument.
    let mut raw = vec![42u8];
    raw.extend_from_slice(&keys(5).aura);
    raw.extend_from_slice(&keys(5).grandpa);
    raw.push(0);
    assert_eq!(
        Call::decode(&mut &raw[..]),
        Ok(Call::set_keys {
            keys: keys(5),
            proof: vec![]
        })
    );

    let prefs = ValidatorPrefs {
        commission: Perbill::from_percent(10),
        blocked: true,
    };
    let mut expected = Compact(100_000_000u32).encode();
    expected.push(1);
    assert_eq!(prefs.encode(), expected);
    let mut too_much = Compact(1_000_000_001u32).encode();
    too_much.push(0);
    assert!(ValidatorPrefs::decode(&mut &too_much[..]).is_err());
    assert_eq!(RewardDestination::Account(acc(1)).encode()[0], 3);

    assert_eq!(
        Event::EraPaid {
            era_index: 0,
            validator_payout: 0,
            remainder: 0
        }
        .encode()[0],
        0
    );
    assert_eq!(
        Event::Bonded {
            stash: acc(1),
            amount: 0
        }
        .encode()[0],
        6
    );
    assert_eq!(Event::Chilled { stash: acc(1) }.encode()[0], 11);
    assert_eq!(
        Event::ForceEra {
            mode: Forcing::ForceNew
        }
        .encode(),
        vec![16, 1]
    );
    assert_eq!(
        Event::ProviderDeregistered { provider: acc(1) }.encode()[0],
        41
    );

    let module = |e: Error<Test>| match DispatchError::from(e) {
        DispatchError::Module(m) => (m.index, m.error[0]),
        _ => (0, 255),
    };
    assert_eq!(module(Error::NotController), (7, 0));
    assert_eq!(module(Error::InsufficientBond), (7, 7));
    assert_eq!(module(Error::AlreadyClaimed), (7, 14));
    assert_eq!(module(Error::BoundNotMet), (7, 25));
    assert_eq!(module(Error::NotEnoughFunds), (7, 29));
    assert_eq!(module(Error::NotProvider), (7, 30));
}

#[test]
fn metadata_describes_storage_calls_and_constants() {
    use frame_metadata::v14::{StorageEntryType, StorageHasher};
    let d = Staking::describe();
    assert_eq!(d.name, "Staking");
    let storage = d.storage.unwrap();
    assert_eq!(storage.prefix, "Staking");
    let names: Vec<_> = storage.entries.iter().map(|e| e.name).collect();
    for expected in [
        "Ledger",
        "Bonded",
        "Payee",
        "Validators",
        "CounterForValidators",
        "Nominators",
        "CounterForNominators",
        "Providers",
        "CounterForProviders",
        "ErasStakers",
        "ErasRewardPoints",
        "ErasValidatorReward",
        "CurrentEra",
        "ActiveEra",
        "UnappliedSlashes",
        "ValidatorCount",
        "MinimumValidatorCount",
        "ClaimedRewards",
        "ErasValidatorPrefs",
        "ErasTotalStake",
        "ForceEra",
        "NextKeys",
        "KeyOwner",
        "Authorities",
    ] {
        assert!(names.contains(&expected), "{expected} missing");
    }
    let hashers = |name: &str| match &storage.entries.iter().find(|e| e.name == name).unwrap().ty {
        StorageEntryType::Map { hashers, .. } => hashers.clone(),
        StorageEntryType::Plain(_) => vec![],
    };
    assert_eq!(hashers("Ledger"), vec![StorageHasher::Blake2_128Concat]);
    assert_eq!(hashers("Validators"), vec![StorageHasher::Twox64Concat]);
    assert_eq!(
        hashers("ErasStakers"),
        vec![StorageHasher::Twox64Concat, StorageHasher::Twox64Concat]
    );
    assert!(d.calls.is_some() && d.event.is_some() && d.error.is_some());
    let constants: Vec<_> = d.constants.iter().map(|c| c.name).collect();
    assert!(constants.contains(&"BondingDuration") && constants.contains(&"HistoryDepth"));
    // Keys are Substrate's: twox128("Staking") ++ twox128("Ledger") ++ blake2_128concat(stash).
    let prefix = <storage_names::Ledger as StorageInstance>::prefix();
    use basalt_support::primitives::hashing::twox_128;
    assert_eq!(&prefix[..16], &twox_128(b"Staking"));
    assert_eq!(&prefix[16..], &twox_128(b"Ledger"));
}

#[test]
fn every_call_has_a_weight_and_root_calls_are_operational() {
    let calls = vec![
        Call::bond {
            value: 1,
            payee: RewardDestination::Staked,
        },
        Call::bond_extra { max_additional: 1 },
        Call::unbond { value: 1 },
        Call::withdraw_unbonded {
            num_slashing_spans: 0,
        },
        Call::validate {
            prefs: ValidatorPrefs::default(),
        },
        Call::nominate {
            targets: vec![MultiAddress::Id(acc(1))],
        },
        Call::chill,
        Call::set_payee {
            payee: RewardDestination::Stash,
        },
        Call::set_validator_count { new: 1 },
        Call::force_no_eras,
        Call::force_new_era,
        Call::cancel_deferred_slash {
            era: 0,
            slash_indices: vec![0],
        },
        Call::payout_stakers {
            validator_stash: acc(1),
            era: 0,
        },
        Call::rebond { value: 1 },
        Call::register_provider {
            stake: 1,
            capabilities: caps(),
        },
        Call::deregister_provider,
        Call::set_keys {
            keys: keys(1),
            proof: vec![],
        },
    ];
    for call in calls {
        let info = Dispatchable::<Test>::dispatch_info(&call);
        assert!(info.weight.ref_time > 0, "{call:?} has no weight");
        let root_call = matches!(
            call,
            Call::set_validator_count { .. }
                | Call::force_no_eras
                | Call::force_new_era
                | Call::cancel_deferred_slash { .. }
        );
        assert_eq!(info.class == DispatchClass::Operational, root_call);
    }
    let small = Dispatchable::<Test>::dispatch_info(&Call::nominate { targets: vec![] }).weight;
    let big = Dispatchable::<Test>::dispatch_info(&Call::nominate {
        targets: vec![MultiAddress::Id(acc(1)); 3],
    })
    .weight;
    assert!(big.ref_time > small.ref_time);
}

#[test]
fn era_changes_report_their_weight() {
    test(|| {
        run_to(9);
        close_block::<Test>();
        System::initialize(10, H256::zero(), &Digest::default());
        let era_change = Staking::on_initialize(10);
        assert!(era_change.ref_time > weights::on_initialize_idle().ref_time);
        close_block::<Test>();
        System::initialize(11, H256::zero(), &Digest::default());
        assert_eq!(Staking::on_initialize(11), weights::on_initialize_idle());
    });
}

/// A header for `slot` sealed by `pair` (as the node seals: sr25519 over the pre-seal hash);
/// `variant` makes different blocks for one slot.
fn sealed_header(
    pair: &sp_core::sr25519::Pair,
    slot: u64,
    variant: u8,
) -> basalt_support::generic::Header {
    use sp_core::Pair as _;
    let mut header = basalt_support::generic::Header {
        parent_hash: H256::repeat_byte(1),
        number: 3,
        state_root: H256::repeat_byte(variant),
        extrinsics_root: H256::zero(),
        digest: Digest {
            logs: vec![DigestItem::PreRuntime(*b"aura", slot.encode())],
        },
    };
    let seal = pair.sign(header.hash().as_bytes());
    header
        .digest
        .push(DigestItem::Seal(*b"aura", seal.0.to_vec()));
    header
}

/// //Alice's pair, and the genesis with validator 1's Aura key set to //Alice's, so that a
/// test can seal blocks as that validator.
fn alice_validates() -> (sp_core::sr25519::Pair, GenesisConfig) {
    use sp_core::Pair as _;
    let alice = sp_core::sr25519::Pair::from_string("//Alice", None).expect("dev key");
    let mut config = genesis();
    config.stakers[0].keys = Some(SessionKeys {
        aura: alice.public().0,
        grandpa: keys(1).grandpa,
    });
    (alice, config)
}

/// An unsigned report of two different blocks `alice` sealed for slot 5.
fn alice_equivocation(alice: &sp_core::sr25519::Pair) -> Call {
    use sp_core::Pair as _;
    Call::report_equivocation_unsigned {
        equivocation_proof: Box::new(basalt_support::equivocation::AuraEquivocationProof {
            offender: alice.public().0,
            slot: 5,
            first_header: sealed_header(alice, 5, 1),
            second_header: sealed_header(alice, 5, 2),
        }),
    }
}

#[test]
fn unsigned_aura_equivocation_reports_slash_once_and_bad_ones_change_nothing() {
    use basalt_support::equivocation::AuraEquivocationProof;
    use sp_core::Pair as _;
    let (alice, config) = alice_validates();
    test_for::<Test>(endowment(), config, || {
        run_to(3);
        let report = |second: u8| Call::report_equivocation_unsigned {
            equivocation_proof: Box::new(AuraEquivocationProof {
                offender: alice.public().0,
                slot: 5,
                first_header: sealed_header(&alice, 5, 1),
                second_header: sealed_header(&alice, 5, second),
            }),
        };
        let call = report(2);
        // The pool admits it, once per offender and slot.
        let valid = Staking::validate_unsigned(&call).expect("a valid report");
        assert_eq!(
            valid.provides,
            vec![(b"aura-equivocation", acc(1), 5u64).encode()]
        );
        assert!(valid.propagate);
        // Only unsigned; a bogus proof (the same block twice) is refused and changes nothing.
        assert_noop(call.clone(), signed(2), DispatchError::BadOrigin);
        let same_block = report(1);
        assert!(Staking::validate_unsigned(&same_block).is_err());
        assert_noop(
            same_block,
            Origin::None,
            err(Error::<Test>::InvalidEquivocationProof),
        );
        assert!(Staking::validate_unsigned(&Call::chill).is_err());

        ok(call.clone(), Origin::None);
        assert!(
            events().iter().any(
                |e| matches!(e, Event::SlashReported { validator, .. } if *validator == acc(1))
            ),
            "{:?}",
            events()
        );
        assert!(ValidatorSlashInEra::get(0, acc(1)).is_some());
        assert!(!Validators::contains_key(acc(1)), "the offender is chilled");
        // Reported again (another node's copy): refused by the pool and by dispatch.
        assert!(Staking::validate_unsigned(&call).is_err());
        assert_noop(
            call,
            Origin::None,
            err(Error::<Test>::DuplicateOffenceReport),
        );
    });
}

#[test]
fn attack_a_replayed_equivocation_proof_slashes_once_whatever_the_era() {
    // The proof is public: anyone can resubmit it in every later era. Its offence era comes
    // from the blocks it proves, so a replay is a duplicate, even after the offender
    // validates again and is re-elected.
    let (alice, config) = alice_validates();
    test_for::<Test>(endowment(), config, || {
        run_to(3);
        let call = alice_equivocation(&alice);
        ok(call.clone(), Origin::None);
        assert!(ValidatorSlashInEra::get(0, acc(1)).is_some());
        // The offender validates again and is elected in a later era.
        ok(
            Call::validate {
                prefs: ValidatorPrefs {
                    commission: Perbill::from_percent(10),
                    blocked: false,
                },
            },
            signed(1),
        );
        run_to(35);
        let era = Staking::active_era().expect("an active era");
        assert!(
            era >= 2 && ErasStakers::contains_key(era, acc(1)),
            "re-elected"
        );
        let bond = Ledger::get(acc(1)).expect("bonded").active;
        assert!(Staking::validate_unsigned(&call).is_err());
        assert_noop(
            call,
            Origin::None,
            err(Error::<Test>::DuplicateOffenceReport),
        );
        assert_eq!(Ledger::get(acc(1)).expect("bonded").active, bond);
        assert!(ValidatorSlashInEra::get(era, acc(1)).is_none());
    });
}

#[test]
fn attack_an_equivocation_proof_of_blocks_beyond_the_chain_is_refused() {
    // Headers numbered beyond the current block were never blocks of this chain: they cannot
    // pick the offence era (which would let one proof be replayed era after era).
    let (alice, config) = alice_validates();
    test_for::<Test>(endowment(), config, || {
        // Block 2 is open; the sealed headers claim block 3.
        run_to(2);
        let call = alice_equivocation(&alice);
        assert!(Staking::validate_unsigned(&call).is_err());
        assert_noop(call, Origin::None, err(Error::<Test>::InvalidOffenceEra));
    });
}

#[test]
fn attack_an_accomplice_cannot_catch_an_offenders_slash_with_a_grandpa_key() {
    // The accomplice registers the offender's stash bytes as its own GRANDPA key; a lookup
    // that tried GRANDPA keys after the proof's Aura key would hand it the slash.
    let (alice, config) = alice_validates();
    test_for::<Test>(endowment(), config, || {
        ok(
            Call::set_keys {
                keys: SessionKeys {
                    aura: keys(2).aura,
                    grandpa: *acc(1).as_ref(),
                },
                proof: vec![],
            },
            signed(2),
        );
        run_to(3);
        ok(alice_equivocation(&alice), Origin::None);
        assert!(
            ValidatorSlashInEra::get(0, acc(1)).is_some(),
            "the offender pays"
        );
        assert!(
            ValidatorSlashInEra::get(0, acc(2)).is_none(),
            "the accomplice does not"
        );
    });
}

#[test]
fn attack_squat_every_nominator_slot_until_governance_raises_the_minimum() {
    test(|| {
        // MAX_NOMINATORS is 3: 10 holds one; 21 and 22 squat the other two at the minimum (10).
        for squatter in [21u8, 22] {
            ok(
                Call::bond {
                    value: 10,
                    payee: RewardDestination::Staked,
                },
                signed(squatter),
            );
            ok(
                Call::nominate {
                    targets: vec![MultiAddress::Id(acc(1))],
                },
                signed(squatter),
            );
        }
        ok(
            Call::bond {
                value: 500,
                payee: RewardDestination::Staked,
            },
            signed(23),
        );
        assert_noop(
            Call::nominate {
                targets: vec![MultiAddress::Id(acc(1))],
            },
            signed(23),
            err(Error::TooManyNominators),
        );
        // While they keep the minimum in force, nobody may chill them.
        assert_noop(
            Call::chill_other { stash: acc(21) },
            signed(23),
            err(Error::CannotChillOther),
        );
        // Governance raises the minimum nominator bond to 100: the squatters fall below it.
        MIN_BONDS.with(|m| m.borrow_mut().0 = Some(100));
        ok(Call::chill_other { stash: acc(21) }, signed(23));
        assert!(!Nominators::contains_key(acc(21)));
        ok(
            Call::nominate {
                targets: vec![MultiAddress::Id(acc(1))],
            },
            signed(23),
        );
        // Below 90% full (2 of 3), the other squatter stays.
        Nominators::remove(acc(10));
        assert_noop(
            Call::chill_other { stash: acc(22) },
            signed(23),
            err(Error::CannotChillOther),
        );
        // A bonded stash with no role, or an unbonded one, cannot be chilled by others.
        assert_noop(
            Call::chill_other { stash: acc(21) },
            signed(23),
            err(Error::CannotChillOther),
        );
        assert_noop(
            Call::chill_other { stash: acc(9) },
            signed(23),
            err(Error::NotController),
        );
        // A stash may always chill itself.
        ok(Call::chill_other { stash: acc(22) }, signed(22));
        assert!(!Nominators::contains_key(acc(22)));
        MIN_BONDS.with(|m| *m.borrow_mut() = (None, None));
    });
}

#[test]
fn chill_other_frees_validator_slots_below_a_raised_minimum() {
    test(|| {
        // MAX_VALIDATOR_CANDIDATES is 5: genesis has 1, 2, 3; 21 and 22 fill it at the minimum.
        for squatter in [21u8, 22] {
            ok(
                Call::bond {
                    value: 100,
                    payee: RewardDestination::Staked,
                },
                signed(squatter),
            );
            ok(
                Call::validate {
                    prefs: ValidatorPrefs::default(),
                },
                signed(squatter),
            );
        }
        assert_noop(
            Call::chill_other { stash: acc(21) },
            signed(23),
            err(Error::CannotChillOther),
        );
        MIN_BONDS.with(|m| m.borrow_mut().1 = Some(350));
        ok(Call::chill_other { stash: acc(21) }, signed(23));
        assert!(!Validators::contains_key(acc(21)));
        assert_noop(
            Call::chill_other { stash: acc(1) },
            signed(23),
            err(Error::CannotChillOther),
        );
        MIN_BONDS.with(|m| *m.borrow_mut() = (None, None));
    });
}
