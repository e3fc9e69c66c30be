//! Mock runtimes for the Jobs pallet's tests: system, balances, staking and jobs, with numbers
//! that are easy to follow (existential deposit 1, price 10, slashes of 100x and 2x price).
//!
//! `Test` never draws spot checks; `Checked` always does; `Sim` has the runtime's spot-check
//! rate, slash and jail parameters, for the economics simulation. Randomness comes from a seed the test
//! may set, mixed with the block number.

use crate::pallet::*;
use basalt_support::models::{ModelId, ModelRegistry};
use basalt_support::primitives::hashing::blake2_256;
use basalt_support::randomness::Randomness;
use basalt_support::{AccountId, Balance, BlockNumber, PalletId, Perbill, H256};
use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

thread_local! {
    /// The seed of the mock randomness.
    pub static SEED: Cell<u64> = const { Cell::new(0) };
    /// The mock model NFTs: owner and usage fee by model, and what each earned.
    pub static MODELS: RefCell<BTreeMap<ModelId, (AccountId, Balance, Balance)>> =
        const { RefCell::new(BTreeMap::new()) };
}

/// Model NFTs as a test sets them in [`MODELS`].
pub struct MockModels;

impl MockModels {
    /// Makes `owner` the owner of `model`, charging `fee` per job (earnings kept).
    pub fn set(model: ModelId, owner: AccountId, fee: Balance) {
        MODELS.with(|m| {
            let mut m = m.borrow_mut();
            let earned = m.get(&model).map_or(0, |e| e.2);
            m.insert(model, (owner, fee, earned));
        })
    }

    /// Burns `model`.
    pub fn remove(model: ModelId) {
        MODELS.with(|m| m.borrow_mut().remove(&model));
    }

    /// What `model` has earned.
    pub fn earned(model: ModelId) -> Balance {
        MODELS.with(|m| m.borrow().get(&model).map_or(0, |e| e.2))
    }
}

impl ModelRegistry for MockModels {
    fn owner(model: &ModelId) -> Option<AccountId> {
        MODELS.with(|m| m.borrow().get(model).map(|e| e.0.clone()))
    }
    fn usage_fee(model: &ModelId) -> Balance {
        MODELS.with(|m| m.borrow().get(model).map_or(0, |e| e.1))
    }
    fn note_usage(model: &ModelId, _: &AccountId, amount: Balance) {
        MODELS.with(|m| {
            if let Some(e) = m.borrow_mut().get_mut(model) {
                e.2 += amount;
            }
        })
    }
}

/// Randomness from the test's seed, the block number and the subject.
pub struct MockRandomness<T>(core::marker::PhantomData<T>);

impl<T: pallet_system::Config> Randomness for MockRandomness<T> {
    fn random(subject: &[u8]) -> (H256, BlockNumber) {
        let n = pallet_system::Pallet::<T>::block_number();
        let mut data = subject.to_vec();
        data.extend_from_slice(&SEED.with(|s| s.get()).to_le_bytes());
        data.extend_from_slice(&n.to_le_bytes());
        (H256(blake2_256(&data)), n)
    }
}

/// The account of test account number `n`.
pub fn acc(n: u8) -> AccountId {
    AccountId::new([n; 32])
}

/// The treasury in the mocks.
pub const TREASURY: u8 = 99;

macro_rules! mock_runtime {
    ($name:ident, spot = $spot:expr) => {
        mock_runtime!(
            $name,
            spot = $spot,
            slash = 20,
            jail = 2,
            per_provider = 4,
            deadlines = 8
        );
    };
    ($name:ident, spot = $spot:expr, slash = $slash:expr, jail = $jail:expr, per_provider = $pp:expr, deadlines = $dl:expr) => {
        /// A mock runtime.
        pub struct $name;
        pallet_system::impl_test_config!($name, max_consumers = 16, event = Event);
        pallet_balances::impl_test_config!($name, existential_deposit = 1);
        impl pallet_staking::Config for $name {
            const INDEX: u8 = 5;
            const ERA_LENGTH: u32 = 1_000;
            const EXPECTED_BLOCK_TIME_MS: u64 = 2_000;
            const BONDING_DURATION: pallet_staking::EraIndex = 3;
            const SLASH_DEFER_DURATION: pallet_staking::EraIndex = 1;
            const HISTORY_DEPTH: u32 = 4;
            const MAX_NOMINATIONS: u32 = 3;
            const MAX_UNLOCKING_CHUNKS: u32 = 3;
            const MAX_VALIDATORS: u32 = 4;
            const MAX_VALIDATOR_CANDIDATES: u32 = 5;
            const MAX_NOMINATORS: u32 = 3;
            const MAX_BACKERS_PER_VALIDATOR: u32 = 2;
            const MAX_PROVIDERS: u32 = 40;
            const MIN_VALIDATOR_BOND: Balance = 100;
            const MIN_NOMINATOR_BOND: Balance = 10;
            const MIN_PROVIDER_STAKE: Balance = 300;
            const MAX_INFLATION: Perbill = Perbill::from_percent(10);
            const IDEAL_STAKE: Perbill = Perbill::from_percent(50);
            const EQUIVOCATION_SLASH: Perbill = Perbill::from_percent(10);
            const OFFLINE_SLASH: Perbill = Perbill::zero();
            fn treasury_account() -> AccountId {
                acc(TREASURY)
            }
            fn unix_time_ms() -> u64 {
                0
            }
            type ProviderObserver = Pallet<$name>;
        }
        impl Config for $name {
            const INDEX: u8 = 9;
            const PALLET_ID: PalletId = PalletId(*b"bslt/job");
            type Randomness = MockRandomness<$name>;
            type Models = MockModels;
            const PROGRAM_DEPOSIT: Balance = 50;
            const MIN_PRICE: Balance = 1;
            const MAX_REPLICAS: u8 = 5;
            const MAX_TIMEOUT: BlockNumber = 100;
            const MAX_LIVE_JOBS: u32 = 1_000;
            const PROTOCOL_FEE: Perbill = Perbill::from_percent(10);
            const FEE_TREASURY_SHARE: Perbill = Perbill::from_percent(80);
            const SPOT_CHECK_PROBABILITY: Perbill = $spot;
            const COMMIT_WINDOW: BlockNumber = 5;
            const REVEAL_WINDOW: BlockNumber = 5;
            const CHALLENGE_WINDOW: BlockNumber = 5;
            const ASSIGN_RETRY: BlockNumber = 3;
            const CHEAT_SLASH_MULTIPLE: u32 = $slash;
            const LIVENESS_SLASH_MULTIPLE: u32 = 2;
            const DECLINE_SLASH_MULTIPLE: u32 = 1;
            const EXPOSER_SHARE: Perbill = Perbill::from_percent(50);
            const DISPUTE_REPLICAS: u8 = 3;
            const ESCALATION_STEP: u8 = 2;
            const MAX_JOBS_PER_PROVIDER: u32 = $pp;
            const JAIL_AFTER: u32 = $jail;
            const MAX_DEADLINES_PER_BLOCK: u32 = $dl;
        }
    };
}

mock_runtime!(Test, spot = Perbill::zero());
mock_runtime!(Checked, spot = Perbill::one());
// The runtime's economic parameters, for the simulation (tests/simulation.rs).
mock_runtime!(
    Sim,
    spot = Perbill::from_percent(14),
    slash = 100,
    jail = 3,
    per_provider = 16,
    deadlines = 64
);
