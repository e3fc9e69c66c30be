//! # Staking pallet
//!
//! Proof of stake for Basalt: stake decides who validates and which compute providers may take
//! jobs, rewards pay for that work, and slashing makes cheating cost more than it earns. It is
//! Basalt's counterpart of Substrate's `pallet_staking` (plus the part of `pallet_session` that
//! holds session keys, and a compute-provider registry), with Substrate's call indices, storage
//! names and hashers, event and error names, so explorers and stock clients find what they
//! expect.
//!
//! ## Accounts: stash = controller
//! Substrate has deprecated separate controller accounts; Basalt never had them. The account
//! that bonds (the *stash*) is its own controller: `Bonded[stash] == stash`, `Ledger` is keyed
//! by the stash, and every call is signed by the stash. `RewardDestination::Controller` is
//! refused (`ControllerDeprecated`), as current Substrate does.
//!
//! ## Bonding
//! `bond` locks funds under the lock `*b"staking "` (balances' locks overlap, so bonded funds
//! may also back other locks such as votes). The lock always equals `ledger.total`:
//! `total = active + sum(unlocking)`. `unbond` moves funds from `active` into an unlocking chunk
//! that matures `BONDING_DURATION` eras later (one chunk per era, at most
//! `MAX_UNLOCKING_CHUNKS`); `withdraw_unbonded` releases matured chunks, and removes the stash
//! entirely when nothing is left. `rebond` moves funds back from the newest chunks. Unbonded
//! funds stay slashable until they are withdrawn.
//!
//! ## Roles
//! A bonded stash may *validate* (with a commission and a `blocked` flag), *nominate* up to
//! `MAX_NOMINATIONS` validators, or do neither (`chill`); validating and nominating exclude each
//! other. Independently, it may register as a *compute provider* (`register_provider`) with
//! its GPU capabilities: its whole active bond is then the provider's collateral, which may not
//! be unbonded below `MIN_PROVIDER_STAKE` while registered.
//!
//! ## Session keys (`set_keys`) live here
//! Basalt has no session pallet: a session is an era. Keeping the keys (Aura sr25519, GRANDPA
//! ed25519) next to the validator records lets one atomic step at each era boundary elect the
//! set *and* fix the keys it will use, with no second pallet to keep in step. The call keeps
//! Substrate's shape `set_keys(keys, proof)`, so the 64 bytes `author_rotateKeys` returns
//! (aura ++ grandpa) are a valid `keys` argument.
//!
//! ## Eras and the election
//! A new era starts in `on_initialize` of every block `n` with
//! `n - start_of_active_era >= ERA_LENGTH` (or when root forced one). The ending era's payout is
//! fixed, due deferred slashes are applied, and the next set is elected by the method in
//! [`election`] (approval ranking then equal split of each nominator's stake; documented
//! there). Candidates are validators with at least `MIN_VALIDATOR_BOND` active and session keys
//! set; voters are nominators with at least `MIN_NOMINATOR_BOND` active. Seats:
//! `ValidatorCount` (at most `MAX_VALIDATORS`). With fewer eligible candidates than
//! `max(MinimumValidatorCount, 1)` the election fails (`StakingElectionFailed`) and the current
//! set stays, re-snapshotted with current stakes. The result is stored per era
//! (`ErasStakers`, `ErasValidatorPrefs`, `ErasTotalStake`) and as the block authority set
//! ([`Authorities`]); when that set's keys change, [`PendingAuthorityChange`] tells the runtime,
//! in the same block, to update `Aura.Authorities` and to put a GRANDPA scheduled change in the
//! header digest ([`Pallet::pending_authority_change_digest`]).
//!
//! ## Rewards
//! See [`Pallet::era_payout`] for the inflation curve. At the end of era `e`:
//! `ErasValidatorReward[e] = inflation_for_validators + fees_noted_in_e`, and the rest of the
//! inflation (below the ideal staking rate) is minted to the treasury at once. Validator `v`
//! earns `floor(inflation_for_validators * points_v / total_points) + fees_v`; of that its
//! commission is `floor(reward * commission)`, each backer `n` gets
//! `floor((reward - commission) * exposure_n / exposure_total)` and the validator the exact
//! rest (commission, its own share and the rounding remainder). Rewards are minted when claimed
//! (`payout_stakers`, by anyone, once per validator and era, within `HISTORY_DEPTH` eras), so
//! total issuance grows exactly by what is paid. Never minted: the rounding dust between
//! validators (less than one unit per validator), rewards not claimed within the history depth,
//! payments that could not be made (a destination `None`, or an amount that would create an
//! account below the existential deposit), and the validators' inflation in an era where no
//! block was credited to anyone (no points).
//!
//! ## Slashing
//! Offences (equivocation, being offline for a whole era, a compute provider's wrong result)
//! become an [`UnappliedSlash`]: a validator's slash is `fraction * own` for it and
//! `fraction * backing` for each of its backers in the offence era's exposure (pro rata); only
//! the part above an earlier report's fraction for the same validator and era is slashed again.
//! Slashes are queued in `UnappliedSlashes` for `SLASH_DEFER_DURATION` eras (applied at once
//! when it is zero), root may cancel them (`cancel_deferred_slash`), and when applied they take
//! from `active` first, then from unlocking chunks oldest first, never more than the stash has
//! bonded. Slashed funds go to the treasury account. An offending validator is chilled.
//!
//! ## Guarantees
//! No floats, no hash-map iteration, no panics: arithmetic is checked or saturating, products
//! that could overflow `u128` are taken in 256 bits, and every call fails with a typed error.
//! Calls validate before they write; the executive runs each call in a storage transaction, and
//! the functions other pallets call open their own, so a failure changes nothing.

#![cfg_attr(
    not(test),
    deny(
        clippy::arithmetic_side_effects,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::float_arithmetic
    )
)]

pub mod election;

#[cfg(test)]
mod tests;

/// Bounded vectors (capability strings), from the support crate; re-exported for clients of
/// this pallet's types.
pub use basalt_support::bounded::BoundedVec;
/// Fractions (commissions, slashes), from the support crate; re-exported for clients of this
/// pallet's types.
pub use basalt_support::per_things::Perbill;
pub use pallet::*;

use basalt_support::{AccountId, Balance, BlockNumber};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use std::collections::BTreeMap;

/// The index of an era: era 0 starts at genesis (or the first block staking runs in).
pub type EraIndex = u32;
/// Points a validator earns in an era (20 per block authored); rewards are split by them.
pub type RewardPoint = u32;
/// A 32-byte public key: an Aura sr25519 key or a GRANDPA ed25519 key.
pub type AuthorityKey = [u8; 32];

/// The lock under which bonded funds are frozen (Substrate's `STAKING_ID`).
pub const STAKING_ID: pallet_balances::LockIdentifier = *b"staking ";
/// Points for authoring one block, as in Substrate's `pallet_staking`.
pub const POINTS_PER_BLOCK: RewardPoint = 20;

/// How full the nominator (or validator) set must be before a stash below the minimum bond may
/// be chilled by someone else (`chill_other`): 90%, Substrate's usual `ChillThreshold`.
pub const CHILL_THRESHOLD: Perbill = Perbill::from_percent(90);
/// The key type of Aura keys in [`KeyOwner`] (Substrate's `KeyTypeId(*b"aura")`).
pub const AURA_KEY_TYPE: [u8; 4] = *b"aura";
/// The key type of GRANDPA keys in [`KeyOwner`] (Substrate's `KeyTypeId(*b"gran")`).
pub const GRANDPA_KEY_TYPE: [u8; 4] = *b"gran";
/// GRANDPA's consensus engine id in header digests (defined once, in the support crate).
pub use basalt_support::engine_ids::GRANDPA_ENGINE_ID;
/// Milliseconds in a year of 365.25 days: the period of the yearly inflation rate.
pub const MILLISECONDS_PER_YEAR: u64 = 31_557_600_000;
/// The longest GPU model name a provider may declare, in bytes.
pub const MAX_GPU_MODEL_LEN: u32 = 64;
/// The longest region name a provider may declare, in bytes.
pub const MAX_REGION_LEN: u32 = 32;

/// Where a staker's rewards go, as `pallet_staking::RewardDestination`.
#[derive(
    Clone,
    PartialEq,
    Eq,
    Debug,
    Default,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub enum RewardDestination {
    /// Paid to the stash and added to its bond.
    #[default]
    #[codec(index = 0)]
    Staked,
    /// Paid to the stash, not bonded.
    #[codec(index = 1)]
    Stash,
    /// Deprecated in Substrate: stash and controller are one account. Refused by `bond` and
    /// `set_payee`; kept so Substrate's encoding is unchanged.
    #[codec(index = 2)]
    Controller,
    /// Paid to another account.
    #[codec(index = 3)]
    Account(AccountId),
    /// Not paid at all (the reward is never minted).
    #[codec(index = 4)]
    None,
}

/// A validator's preferences, as `pallet_staking::ValidatorPrefs` (commission travels compact).
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo, MaxEncodedLen)]
pub struct ValidatorPrefs {
    /// The share of the validator's era reward it takes before the split by stake.
    #[codec(compact)]
    pub commission: Perbill,
    /// Whether it refuses new nominations (existing nominators stay).
    pub blocked: bool,
}

// `ValidatorPrefs` decodes only a compact `u32` and a `bool`: no allocation to report.
impl DecodeWithMemTracking for ValidatorPrefs {}

/// Funds leaving the bond, as `pallet_staking::UnlockChunk`.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub struct UnlockChunk {
    /// The amount.
    #[codec(compact)]
    pub value: Balance,
    /// The era from which it may be withdrawn.
    #[codec(compact)]
    pub era: EraIndex,
}

/// A stash's bond, as `pallet_staking::StakingLedger`. Invariant:
/// `total == active + sum(unlocking[..].value)`, and the staking lock equals `total`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct StakingLedger {
    /// The stash (also its controller).
    pub stash: AccountId,
    /// Everything bonded: active plus unlocking.
    #[codec(compact)]
    pub total: Balance,
    /// The part that counts for elections, rewards and roles.
    #[codec(compact)]
    pub active: Balance,
    /// Unbonded funds waiting for their era, oldest first.
    pub unlocking: Vec<UnlockChunk>,
    /// Substrate's former per-ledger claim record; always empty on Basalt (claims are in
    /// `ClaimedRewards`), kept for the encoding.
    pub legacy_claimed_rewards: Vec<EraIndex>,
}

impl StakingLedger {
    /// A fresh ledger with `value` active.
    pub fn new(stash: AccountId, value: Balance) -> Self {
        StakingLedger {
            stash,
            total: value,
            active: value,
            unlocking: Vec::new(),
            legacy_claimed_rewards: Vec::new(),
        }
    }

    /// Removes up to `amount` from the bond: `active` first, then the unlocking chunks oldest
    /// first (they are the closest to leaving). Returns the amount removed.
    pub fn slash(&mut self, amount: Balance) -> Balance {
        let from_active = amount.min(self.active);
        self.active = self.active.saturating_sub(from_active);
        let mut rest = amount.saturating_sub(from_active);
        for chunk in self.unlocking.iter_mut() {
            if rest == 0 {
                break;
            }
            let take = rest.min(chunk.value);
            chunk.value = chunk.value.saturating_sub(take);
            rest = rest.saturating_sub(take);
        }
        self.unlocking.retain(|c| c.value > 0);
        let removed = amount.saturating_sub(rest);
        self.total = self.total.saturating_sub(removed);
        removed
    }
}

/// A nominator's choice, as `pallet_staking::Nominations`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Nominations {
    /// The validators nominated, in the order given (the first elected one gets the rounding
    /// remainder of the equal split).
    pub targets: Vec<AccountId>,
    /// The era in which the nomination was made.
    pub submitted_in: EraIndex,
    /// Unused on Basalt (always false); kept for the encoding.
    pub suppressed: bool,
}

/// One backer's stake behind a validator, as `pallet_staking::IndividualExposure`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct IndividualExposure {
    /// The nominator.
    pub who: AccountId,
    /// The stake it backs this validator with this era.
    #[codec(compact)]
    pub value: Balance,
}

/// The stake behind a validator in an era, as `pallet_staking::Exposure`: what it earns with
/// and what is slashed if it misbehaves.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Exposure {
    /// Own stake plus all backings.
    #[codec(compact)]
    pub total: Balance,
    /// The validator's own stake.
    #[codec(compact)]
    pub own: Balance,
    /// The backers, largest first.
    pub others: Vec<IndividualExposure>,
}

/// A slash waiting for its era, as `pallet_staking::UnappliedSlash`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct UnappliedSlash {
    /// The offender (a validator, or a compute provider).
    pub validator: AccountId,
    /// The amount taken from the offender's own bond.
    pub own: Balance,
    /// The amounts taken from its backers.
    pub others: Vec<(AccountId, Balance)>,
    /// Reporters to reward (always empty on Basalt: all slashed funds go to the treasury).
    pub reporters: Vec<AccountId>,
    /// Reporters' payout (always zero on Basalt).
    pub payout: Balance,
}

/// The era being rewarded, as `pallet_staking::ActiveEraInfo`.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub struct ActiveEraInfo {
    /// Its index.
    pub index: EraIndex,
    /// Its start in Unix milliseconds, set by the first block that finalises in it.
    pub start: Option<u64>,
}

/// The points of an era, as `pallet_staking::EraRewardPoints`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct EraRewardPoints {
    /// The sum of all points.
    pub total: RewardPoint,
    /// Points per validator stash.
    pub individual: BTreeMap<AccountId, RewardPoint>,
}

/// Root's override of era timing, as `pallet_staking::Forcing`.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Default,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub enum Forcing {
    /// Eras follow `ERA_LENGTH`.
    #[default]
    #[codec(index = 0)]
    NotForcing,
    /// A new era starts in the next block, then back to `NotForcing`.
    #[codec(index = 1)]
    ForceNew,
    /// No new era until root changes this.
    #[codec(index = 2)]
    ForceNone,
    /// Substrate's "new era every session"; on Basalt a session is an era, so this behaves as
    /// `NotForcing` (no call sets it).
    #[codec(index = 3)]
    ForceAlways,
}

/// What a genesis staker does, as `pallet_staking::StakerStatus`.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum StakerStatus {
    /// Bonded, no role.
    Idle,
    /// A validator candidate (zero commission).
    Validator,
    /// A nominator of these stashes (which must be genesis validators).
    Nominator(Vec<AccountId>),
}

/// A validator's session keys, in the order `author_rotateKeys` returns them.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Default,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub struct SessionKeys {
    /// The sr25519 key that signs blocks (Aura).
    pub aura: AuthorityKey,
    /// The ed25519 key that signs finality votes (GRANDPA).
    pub grandpa: AuthorityKey,
}

/// One member of the block authority set: a validator and the keys it uses this era.
#[derive(
    Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct Authority {
    /// The validator's stash.
    pub stash: AccountId,
    /// Its Aura key.
    pub aura: AuthorityKey,
    /// Its GRANDPA key.
    pub grandpa: AuthorityKey,
}

/// What changed in the authority set in this block (only present in the block that changed
/// it): the runtime copies it into the consensus state and the header digest.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct AuthorityChange {
    /// The new Aura authorities in slot order, when they changed.
    pub aura: Option<Vec<AuthorityKey>>,
    /// The new GRANDPA voters with weight 1 each, when they changed.
    pub grandpa: Option<Vec<(AuthorityKey, u64)>>,
}

/// What a compute provider offers; an asking price, matched by the job-escrow pallet.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Capabilities {
    /// The GPU model, e.g. `b"NVIDIA H100 80GB"` (empty for CPU-only providers is refused).
    pub gpu_model: BoundedVec<u8, MAX_GPU_MODEL_LEN>,
    /// Memory per GPU, in GiB.
    pub memory_gb: u32,
    /// How many such GPUs.
    pub count: u32,
    /// Asking price per GPU-hour, in the token's smallest unit.
    #[codec(compact)]
    pub price_per_unit: Balance,
    /// Where the machines are, e.g. `b"eu-west"`.
    pub region: BoundedVec<u8, MAX_REGION_LEN>,
}

/// A registered compute provider.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct ProviderInfo {
    /// What it offers.
    pub capabilities: Capabilities,
    /// The block it (last) registered in.
    pub registered_at: BlockNumber,
}

/// What the job-escrow pallet learns from staking about compute providers.
pub trait OnProviderChange {
    /// `who` registered, deregistered, or its bond changed.
    fn on_provider_change(who: &AccountId);
}

/// Nothing listens.
impl OnProviderChange for () {
    fn on_provider_change(_who: &AccountId) {}
}

/// How much of a provider's bond a slash takes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ProviderSlash {
    /// This fraction of its total bond.
    Fraction(Perbill),
    /// This amount (at most its total bond).
    Amount(Balance),
}

/// Why a compute provider is slashed (reported by the job-escrow pallet).
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Debug,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
pub enum ProviderOffence {
    /// Its result hash disagreed with the accepted result.
    #[codec(index = 0)]
    WrongResult,
    /// It did not reveal a result before the deadline.
    #[codec(index = 1)]
    MissedDeadline,
    /// It lost a dispute raised by the client.
    #[codec(index = 2)]
    LostDispute,
}

/// What became of an offence report.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OffenceOutcome {
    /// Queued in `UnappliedSlashes[apply_era]` at position `index`, for `amount` in total.
    Deferred {
        /// The era at whose start it is applied.
        apply_era: EraIndex,
        /// Its position (for `cancel_deferred_slash`).
        index: u32,
        /// The total it will take.
        amount: Balance,
    },
    /// Applied at once (`SLASH_DEFER_DURATION` is zero); `amount` was taken.
    Applied {
        /// The amount actually slashed.
        amount: Balance,
    },
    /// Nothing to slash: zero fraction or amount, or an earlier report for the same validator
    /// and era already slashed at least this fraction.
    NoSlash,
    /// Too old: the offender's funds may already be unbonded (`OldSlashingReportDiscarded`).
    Discarded,
}

/// A staker in the genesis configuration.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GenesisStaker {
    /// The stash (must be endowed with at least `bond` by balances' genesis).
    pub stash: AccountId,
    /// The amount bonded.
    pub bond: Balance,
    /// Its role.
    pub status: StakerStatus,
    /// Its session keys (validators need them to be elected).
    pub keys: Option<SessionKeys>,
}

/// Staking's part of the chain spec.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct GenesisConfig {
    /// Seats in the validator set.
    pub validator_count: u32,
    /// The fewest validators an election may produce.
    pub minimum_validator_count: u32,
    /// The initial stakers; era 0 is elected from them.
    pub stakers: Vec<GenesisStaker>,
}

/// The pallet: configuration, storage, events, errors, calls, hooks and the interfaces other
/// pallets and the runtime use.
pub mod pallet {
    use super::*;
    use crate::election::{self, Candidate, Voter};
    use basalt_support::arithmetic::{mul_div_floor, mul_mul_div_floor};
    use basalt_support::dispatch::ArithmeticError;
    use basalt_support::generic::DigestItem;
    use basalt_support::hooks::Hooks;
    use basalt_support::metadata::{constant, DescribePallet, PalletDescription};
    use basalt_support::per_things::BILLION;
    use basalt_support::state::io::with_transaction;
    use basalt_support::storage::{Blake2_128Concat, OptionQuery, Twox64Concat, ValueQuery};
    use basalt_support::weight_v2::constants::reads_writes;
    use basalt_support::{ensure, DispatchError, DispatchResult, Moment, Origin, Weight};
    use core::marker::PhantomData;
    use pallet_balances::{Address, Reasons};
    use scale_info::meta_type;
    use std::collections::BTreeSet;

    type System<T> = pallet_system::Pallet<T>;
    type Balances<T> = pallet_balances::Pallet<T>;

    /// What the runtime tells the staking pallet.
    pub trait Config: pallet_balances::Config {
        /// This pallet's index in the runtime. Write `<T as Config>::INDEX` inside the pallet:
        /// the system and balances pallets have one too.
        const INDEX: u8;
        /// Blocks per era (zero is treated as one).
        const ERA_LENGTH: BlockNumber;
        /// The intended time between blocks, in milliseconds; converts an era's blocks into
        /// the time its inflation is for.
        const EXPECTED_BLOCK_TIME_MS: u64;
        /// Eras an unbonded chunk stays locked (and slashable).
        const BONDING_DURATION: EraIndex;
        /// Eras a slash waits before it is applied, during which root may cancel it; zero
        /// applies slashes at once. Must be less than `BONDING_DURATION`.
        const SLASH_DEFER_DURATION: EraIndex;
        /// Eras of history kept for payouts (and for slashing reports, so it should be at
        /// least `BONDING_DURATION`); at least one.
        const HISTORY_DEPTH: u32;
        /// The most targets one nominator may have.
        const MAX_NOMINATIONS: u32;
        /// The most unlocking chunks one ledger may have.
        const MAX_UNLOCKING_CHUNKS: u32;
        /// The most seats in the validator set (bounds `ValidatorCount`).
        const MAX_VALIDATORS: u32;
        /// The most validator candidates (Substrate's `MaxValidatorsCount`): bounds the
        /// election's work.
        const MAX_VALIDATOR_CANDIDATES: u32;
        /// The most nominators (Substrate's `MaxNominatorsCount`): bounds the election's work.
        const MAX_NOMINATORS: u32;
        /// The most backers kept in one exposure (Substrate's `MaxExposurePageSize`): bounds
        /// the work of one `payout_stakers`.
        const MAX_BACKERS_PER_VALIDATOR: u32;
        /// The most registered compute providers.
        const MAX_PROVIDERS: u32;
        /// The least active bond to validate.
        const MIN_VALIDATOR_BOND: Balance;
        /// The least active bond to nominate.
        const MIN_NOMINATOR_BOND: Balance;
        /// The least active bond of a registered compute provider.
        const MIN_PROVIDER_STAKE: Balance;
        /// The most new issuance per year, as a fraction of total issuance.
        const MAX_INFLATION: Perbill;
        /// The staking rate (staked / issuance) at and above which validators get all of it.
        const IDEAL_STAKE: Perbill;
        /// The fraction of the offence era's exposure an equivocation costs.
        const EQUIVOCATION_SLASH: Perbill;
        /// The fraction a validator that authored nothing in a whole era loses (zero turns
        /// automatic offline slashing off).
        const OFFLINE_SLASH: Perbill;
        /// The equivocation slash in force: `EQUIVOCATION_SLASH` unless the runtime reads
        /// governance's parameters (pallet-parameters), with the constant as the default.
        fn equivocation_slash() -> Perbill {
            Self::EQUIVOCATION_SLASH
        }
        /// The offline slash in force (as [`Self::equivocation_slash`]).
        fn offline_slash() -> Perbill {
            Self::OFFLINE_SLASH
        }
        /// The minimum validator bond in force (as [`Self::equivocation_slash`]).
        fn min_validator_bond() -> Balance {
            Self::MIN_VALIDATOR_BOND
        }
        /// The minimum nominator bond in force (as [`Self::equivocation_slash`]).
        fn min_nominator_bond() -> Balance {
            Self::MIN_NOMINATOR_BOND
        }
        /// The account that receives slashed funds and the inflation not paid to validators.
        fn treasury_account() -> AccountId;
        /// The current time in Unix milliseconds (the timestamp pallet's `Now`); records when
        /// an era started.
        fn unix_time_ms() -> Moment;
        /// Told whenever a compute provider registers, deregisters, or its bond changes, so
        /// that the job-escrow pallet can keep its stake-weighted sampling index current
        /// without scanning every provider. `()` when nothing listens.
        type ProviderObserver: OnProviderChange;
    }

    /// The staking pallet's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "Staking";
        /// The ideal number of active validators.
        pub ValidatorCount: StorageValue<u32, ValueQuery>;
        /// Minimum number of staking participants before emergency conditions are imposed.
        pub MinimumValidatorCount: StorageValue<u32, ValueQuery>;
        /// Map from all locked "stash" accounts to the controller account (the stash itself).
        pub Bonded: StorageMap<Twox64Concat, AccountId, AccountId, OptionQuery>;
        /// Map from all (unlocked) "controller" accounts to the info regarding the staking.
        pub Ledger: StorageMap<Blake2_128Concat, AccountId, StakingLedger, OptionQuery>;
        /// Where the reward payment should be made. Keyed by stash.
        pub Payee: StorageMap<Twox64Concat, AccountId, RewardDestination, OptionQuery>;
        /// The map from (wannabe) validator stash key to the preferences of that validator.
        pub Validators: CountedStorageMap<Twox64Concat, AccountId, ValidatorPrefs, ValueQuery>;
        /// The map from nominator stash key to their nomination preferences.
        pub Nominators: CountedStorageMap<Twox64Concat, AccountId, Nominations, OptionQuery>;
        /// The current era index (the latest planned era; on Basalt always the active one).
        pub CurrentEra: StorageValue<EraIndex, OptionQuery>;
        /// The active era information, it holds index and start.
        pub ActiveEra: StorageValue<ActiveEraInfo, OptionQuery>;
        /// The block each era of the history started in (Basalt).
        pub ErasStartBlock: StorageMap<Twox64Concat, EraIndex, BlockNumber, OptionQuery>;
        /// Exposure of validator at era.
        pub ErasStakers: StorageDoubleMap<Twox64Concat, EraIndex, Twox64Concat, AccountId, Exposure, ValueQuery>;
        /// Similar to `ErasStakers`, this holds the preferences of validators.
        pub ErasValidatorPrefs: StorageDoubleMap<Twox64Concat, EraIndex, Twox64Concat, AccountId, ValidatorPrefs, ValueQuery>;
        /// The total validator era payout (inflation share plus authors' fees) for the last
        /// `HISTORY_DEPTH` eras.
        pub ErasValidatorReward: StorageMap<Twox64Concat, EraIndex, Balance, OptionQuery>;
        /// Rewards for the last `HISTORY_DEPTH` eras.
        pub ErasRewardPoints: StorageMap<Twox64Concat, EraIndex, EraRewardPoints, ValueQuery>;
        /// The total amount staked for the last `HISTORY_DEPTH` eras.
        pub ErasTotalStake: StorageMap<Twox64Concat, EraIndex, Balance, ValueQuery>;
        /// The authors' share of fees credited in each era, in total (Basalt).
        pub ErasFeeRewards: StorageMap<Twox64Concat, EraIndex, Balance, ValueQuery>;
        /// The authors' share of fees credited to each validator in each era (Basalt).
        pub ErasValidatorFees: StorageDoubleMap<Twox64Concat, EraIndex, Twox64Concat, AccountId, Balance, ValueQuery>;
        /// History of claimed paged rewards by era and validator (page 0 only on Basalt).
        pub ClaimedRewards: StorageDoubleMap<Twox64Concat, EraIndex, Twox64Concat, AccountId, Vec<u32>, ValueQuery>;
        /// Mode of era forcing.
        pub ForceEra: StorageValue<Forcing, ValueQuery>;
        /// All unapplied slashes that are queued for later, by the era they apply in.
        pub UnappliedSlashes: StorageMap<Twox64Concat, EraIndex, Vec<UnappliedSlash>, ValueQuery>;
        /// The highest slash fraction reported per validator and offence era, and its own part.
        pub ValidatorSlashInEra: StorageDoubleMap<Twox64Concat, EraIndex, Twox64Concat, AccountId, (Perbill, Balance), OptionQuery>;
        /// Registered compute providers (Basalt).
        pub Providers: CountedStorageMap<Twox64Concat, AccountId, ProviderInfo, OptionQuery>;
        /// The session keys each stash will use when next elected.
        pub NextKeys: StorageMap<Twox64Concat, AccountId, SessionKeys, OptionQuery>;
        /// The owner of a key, by key type (`aura`, `gran`) and public key.
        pub KeyOwner: StorageMap<Twox64Concat, ([u8; 4], AuthorityKey), AccountId, OptionQuery>;
        /// The elected block authorities of the active era with their keys, sorted by stash.
        pub Authorities: StorageValue<Vec<Authority>, ValueQuery>;
        /// The change of the authority set made in this block, if any (Basalt; cleared at the
        /// start of the next block).
        pub PendingAuthorityChange: StorageValue<AuthorityChange, OptionQuery>;
    }

    /// Events of the staking pallet, as `pallet_staking::pallet::Event` (same indices where
    /// Substrate has the event; Basalt's own from 40).
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// The era payout has been set; the first balance is the validator-payout; the second is
        /// the remainder from the maximum amount of reward (minted to the treasury).
        #[codec(index = 0)]
        EraPaid {
            /// The era.
            era_index: EraIndex,
            /// Claimable by its validators and nominators (inflation share plus fees).
            validator_payout: Balance,
            /// Minted to the treasury.
            remainder: Balance,
        },
        /// The nominator has been rewarded by this amount to this destination.
        #[codec(index = 1)]
        Rewarded {
            /// The staker.
            stash: AccountId,
            /// Where it went.
            dest: RewardDestination,
            /// The amount minted.
            amount: Balance,
        },
        /// A staker (validator or nominator) has been slashed by the given amount.
        #[codec(index = 2)]
        Slashed {
            /// The staker.
            staker: AccountId,
            /// The amount taken.
            amount: Balance,
        },
        /// A slash for the given validator, for the given percentage of their stake, at the
        /// given era as been reported.
        #[codec(index = 3)]
        SlashReported {
            /// The offender.
            validator: AccountId,
            /// The fraction slashed.
            fraction: Perbill,
            /// The offence era.
            slash_era: EraIndex,
        },
        /// An old slashing report from a prior era was discarded because it could not be
        /// processed (on Basalt the field holds the offence era: a session is an era).
        #[codec(index = 4)]
        OldSlashingReportDiscarded {
            /// The offence era.
            session_index: u32,
        },
        /// A new set of stakers was elected.
        #[codec(index = 5)]
        StakersElected,
        /// An account has bonded this amount.
        #[codec(index = 6)]
        Bonded {
            /// The stash.
            stash: AccountId,
            /// The amount added to its bond.
            amount: Balance,
        },
        /// An account has unbonded this amount.
        #[codec(index = 7)]
        Unbonded {
            /// The stash.
            stash: AccountId,
            /// The amount moved to unlocking.
            amount: Balance,
        },
        /// An account has called `withdraw_unbonded` and removed unbonding chunks worth
        /// `Balance` from the unlocking queue.
        #[codec(index = 8)]
        Withdrawn {
            /// The stash.
            stash: AccountId,
            /// The amount unlocked.
            amount: Balance,
        },
        /// The election failed. No new set is elected; the current set continues.
        #[codec(index = 10)]
        StakingElectionFailed,
        /// An account has stopped participating as either a validator or nominator.
        #[codec(index = 11)]
        Chilled {
            /// The stash.
            stash: AccountId,
        },
        /// A page of stakers rewards are getting paid. `next` is `None` if all pages are claimed.
        #[codec(index = 12)]
        PayoutStarted {
            /// The era.
            era_index: EraIndex,
            /// The validator.
            validator_stash: AccountId,
            /// The page (always 0 on Basalt).
            page: u32,
            /// The next page (always `None` on Basalt).
            next: Option<u32>,
        },
        /// A validator has set their preferences.
        #[codec(index = 13)]
        ValidatorPrefsSet {
            /// The stash.
            stash: AccountId,
            /// Its preferences.
            prefs: ValidatorPrefs,
        },
        /// A new force era mode was set.
        #[codec(index = 16)]
        ForceEra {
            /// The mode.
            mode: Forcing,
        },
        /// A compute provider registered or updated its capabilities (Basalt).
        #[codec(index = 40)]
        ProviderRegistered {
            /// The provider's stash.
            provider: AccountId,
            /// Its active bond: the collateral behind its jobs.
            stake: Balance,
            /// What it offers.
            capabilities: Capabilities,
        },
        /// A compute provider deregistered (its bond stays until unbonded) (Basalt).
        #[codec(index = 41)]
        ProviderDeregistered {
            /// The provider.
            provider: AccountId,
        },
        /// A compute provider was paid for work (Basalt).
        #[codec(index = 42)]
        ProviderRewarded {
            /// The provider.
            provider: AccountId,
            /// Where it went.
            dest: RewardDestination,
            /// The amount minted.
            amount: Balance,
        },
        /// A compute provider's slash was reported (Basalt).
        #[codec(index = 43)]
        ProviderSlashReported {
            /// The provider.
            provider: AccountId,
            /// The amount it will lose (at most its bond when applied).
            amount: Balance,
            /// Why.
            reason: ProviderOffence,
        },
        /// A stash set its session keys, used from its next election (Basalt).
        #[codec(index = 44)]
        SessionKeysSet {
            /// The stash.
            stash: AccountId,
            /// The keys.
            keys: SessionKeys,
        },
        /// Root cancelled a deferred slash (Basalt).
        #[codec(index = 45)]
        SlashCancelled {
            /// The era it was to apply in.
            slash_era: EraIndex,
            /// The offender.
            validator: AccountId,
        },
    }

    basalt_support::pallet_error! {
        /// Errors of the staking pallet: Substrate's, in its order (their index is their
        /// position; some are kept only so the indices match), then Basalt's.
        pub enum Error<T: Config> {
            /// Not a controller account (the caller has not bonded).
            NotController,
            /// Not a stash account (not bonded, or not an elected validator of that era).
            NotStash,
            /// Stash is already bonded.
            AlreadyBonded,
            /// Controller is already paired (unused: stash = controller).
            AlreadyPaired,
            /// Targets cannot be empty.
            EmptyTargets,
            /// Duplicate index.
            DuplicateIndex,
            /// Slash record index out of bounds.
            InvalidSlashIndex,
            /// Cannot have a validator, nominator or provider role, with value less than the
            /// minimum, or bond less than the existential deposit.
            InsufficientBond,
            /// Can not schedule more unlock chunks.
            NoMoreChunks,
            /// Can not rebond without unlocking chunks.
            NoUnlockChunk,
            /// Attempting to target a stash that still has funds (unused).
            FundedTarget,
            /// Invalid era to reward (not ended, older than the history depth, or unknown).
            InvalidEraToReward,
            /// Invalid number of nominations (unused).
            InvalidNumberOfNominations,
            /// Items are not sorted and unique.
            NotSortedAndUnique,
            /// Rewards for this era have already been claimed for this validator.
            AlreadyClaimed,
            /// No nominators exist on this page (unused).
            InvalidPage,
            /// Incorrect previous history depth input provided (unused).
            IncorrectHistoryDepth,
            /// Incorrect number of slashing spans provided (unused).
            IncorrectSlashingSpans,
            /// Internal state has become somehow corrupted and the operation cannot continue.
            BadState,
            /// Too many nomination targets supplied.
            TooManyTargets,
            /// A nomination target was supplied that was blocked or otherwise not a validator.
            BadTarget,
            /// The stash keeps the minimum bond of its role, or that role's set is not nearly
            /// full: it cannot be chilled by someone else.
            CannotChillOther,
            /// There are too many nominators in the system.
            TooManyNominators,
            /// There are too many validator candidates, or seats, in the system.
            TooManyValidators,
            /// Commission is too low (unused: no minimum commission).
            CommissionTooLow,
            /// Some bound is not met.
            BoundNotMet,
            /// Used when attempting to use deprecated controller account logic.
            ControllerDeprecated,
            /// Cannot reset a ledger (unused).
            CannotRestoreLedger,
            /// Provided reward destination is not allowed (unused).
            RewardDestinationRestricted,
            /// Not enough funds available to bond.
            NotEnoughFunds,
            /// The account is not a registered compute provider (Basalt).
            NotProvider,
            /// There are too many compute providers (Basalt).
            TooManyProviders,
            /// A provider's capabilities are malformed: an empty model name, or GPUs without
            /// memory or memory without GPUs (a CPU-only provider declares neither) (Basalt).
            InvalidCapabilities,
            /// A session key is already used by another stash (Basalt; Session's error name).
            DuplicatedKey,
            /// The offender was not an elected validator in the offence era (Basalt).
            NotElected,
            /// The offence era is in the future (Basalt).
            InvalidOffenceEra,
            /// The equivocation proof does not hold: not two different blocks sealed by the
            /// offender for one slot, or the key belongs to no elected validator (Babe's and
            /// Grandpa's error name).
            InvalidEquivocationProof,
            /// The offender was already slashed for equivocation in this era (the offences
            /// pallet's error name).
            DuplicateOffenceReport,
            /// The offence is older than the eras whose start this pallet keeps (Basalt).
            OffenceTooOld,
        }
    }

    /// Weights of the staking calls and hooks: a base for computation (decode, checks,
    /// arithmetic, events) plus the storage reads and writes each makes, priced by
    /// [`basalt_support::weight_v2::constants`]. A balance lock touches `Balances.Locks` and
    /// `System.Account`; minting touches `System.Account` and `Balances.TotalIssuance`.
    pub mod weights {
        use basalt_support::weight_v2::constants::{reads_writes, MICROS};
        use basalt_support::Weight;

        /// Computation besides storage.
        pub const BASE: Weight = Weight::from_parts(25 * MICROS, 0);

        /// `bond`: Bonded, Ledger, Payee, Account, Locks read; Bonded, Ledger, Payee, Account,
        /// Locks written.
        pub const fn bond() -> Weight {
            BASE.saturating_add(reads_writes(5, 5))
        }
        /// `bond_extra`, `rebond`: Ledger, Account, Locks.
        pub const fn bond_extra() -> Weight {
            BASE.saturating_add(reads_writes(3, 3))
        }
        /// `unbond`: Ledger, CurrentEra, Validators, Nominators, Providers read; Ledger written.
        pub const fn unbond() -> Weight {
            BASE.saturating_add(reads_writes(5, 1))
        }
        /// `withdraw_unbonded`, worst case (the stash is removed): ledger, era, roles, keys,
        /// account and lock.
        pub const fn withdraw_unbonded() -> Weight {
            BASE.saturating_add(reads_writes(9, 11))
        }
        /// `validate`: Ledger, Validators (and its counter), Nominators.
        pub const fn validate() -> Weight {
            BASE.saturating_add(reads_writes(4, 4))
        }
        /// `nominate` with `n` targets: each target's `Validators` entry is read.
        pub fn nominate(n: usize) -> Weight {
            let n = u64::try_from(n).unwrap_or(u64::MAX);
            BASE.saturating_add(reads_writes(6, 4))
                .saturating_add(reads_writes(n, 0))
        }
        /// `chill`: Ledger, Validators, Nominators.
        pub const fn chill() -> Weight {
            BASE.saturating_add(reads_writes(3, 4))
        }
        /// `set_payee`: Ledger read, Payee written.
        pub const fn set_payee() -> Weight {
            BASE.saturating_add(reads_writes(1, 1))
        }
        /// `set_validator_count`, `force_no_eras`, `force_new_era`: one write.
        pub const fn set_config() -> Weight {
            BASE.saturating_add(reads_writes(0, 1))
        }
        /// `cancel_deferred_slash` of `n` slashes: one list read and written, `n` events.
        pub fn cancel_deferred_slash(n: usize) -> Weight {
            let n = u64::try_from(n).unwrap_or(u64::MAX);
            BASE.saturating_add(reads_writes(1, 1))
                .saturating_add(Weight::from_parts(2 * MICROS, 0).saturating_mul(n))
        }
        /// `payout_stakers` with up to `backers` backers: era data read once; per paid staker
        /// its Payee, Ledger, Account, Locks and TotalIssuance.
        pub fn payout_stakers(backers: u32) -> Weight {
            let per_staker = reads_writes(5, 4);
            BASE.saturating_add(reads_writes(9, 1))
                .saturating_add(per_staker.saturating_mul(u64::from(backers).saturating_add(1)))
        }
        /// `register_provider`, worst case (bonds first): Ledger, Providers and its counter,
        /// Bonded, Payee, Account, Locks.
        pub const fn register_provider() -> Weight {
            BASE.saturating_add(reads_writes(7, 7))
        }
        /// `deregister_provider`: Providers and its counter.
        pub const fn deregister_provider() -> Weight {
            BASE.saturating_add(reads_writes(1, 2))
        }
        /// `set_keys`: Ledger, NextKeys, two KeyOwner reads; NextKeys and four KeyOwner writes.
        pub const fn set_keys() -> Weight {
            BASE.saturating_add(reads_writes(4, 5))
        }
        /// `report_equivocation_unsigned`: two sr25519 verifications, the key owner, the
        /// active era, the exposure and prior slash read; the slash record, the unapplied
        /// slash queue, the chill (Validators, Nominators) written.
        pub const fn report_equivocation() -> Weight {
            BASE.saturating_mul(4).saturating_add(reads_writes(6, 5))
        }
        /// `on_initialize` in a block that starts no era.
        pub const fn on_initialize_idle() -> Weight {
            reads_writes(3, 1)
        }
        /// An era change with `candidates` validators, `voters` nominators, `winners` elected
        /// and `slashed` stakers slashed: the election reads every candidate and voter with its
        /// ledger and keys, writes each winner's exposure and prefs, and prunes one era.
        pub fn era_change(candidates: u32, voters: u32, winners: u32, slashed: u32) -> Weight {
            let reads = u64::from(candidates)
                .saturating_mul(3)
                .saturating_add(u64::from(voters).saturating_mul(2));
            let writes = u64::from(winners).saturating_mul(4);
            BASE.saturating_mul(4)
                .saturating_add(reads_writes(
                    reads.saturating_add(20),
                    writes.saturating_add(20),
                ))
                .saturating_add(reads_writes(4, 5).saturating_mul(u64::from(slashed)))
        }
    }

    /// Resolves a call's address argument.
    fn lookup(address: Address) -> Result<AccountId, DispatchError> {
        address.lookup().ok_or(DispatchError::CannotLookup)
    }

    /// Calls of the staking pallet, as `pallet_staking::pallet::Call` (Substrate's indices and
    /// argument encodings where the call exists there; Basalt's own from 40).
    #[basalt_support::call]
    impl<T: Config> Pallet<T> {
        /// Bond `value` of the sender's free balance (at most all of it) as a new stash. Signed.
        #[pallet::call_index(0)]
        #[pallet::weight(weights::bond())]
        pub fn bond(
            origin: Origin,
            /// The amount.
            #[pallet::compact]
            value: Balance,
            /// Where rewards go.
            payee: RewardDestination,
        ) -> DispatchResult {
            Self::do_bond(&origin.ensure_signed()?, value, payee)
        }

        /// Bond up to `max_additional` more of the stash's free, unbonded balance. Signed.
        #[pallet::call_index(1)]
        #[pallet::weight(weights::bond_extra())]
        pub fn bond_extra(
            origin: Origin,
            /// The most to add.
            #[pallet::compact]
            max_additional: Balance,
        ) -> DispatchResult {
            Self::do_bond_extra(&origin.ensure_signed()?, max_additional)
        }

        /// Schedule `value` of the active bond (at most all of it) to unlock after
        /// `BONDING_DURATION` eras; an active rest below the existential deposit goes too. Signed.
        #[pallet::call_index(2)]
        #[pallet::weight(weights::unbond())]
        pub fn unbond(
            origin: Origin,
            /// The amount.
            #[pallet::compact]
            value: Balance,
        ) -> DispatchResult {
            Self::do_unbond(&origin.ensure_signed()?, value)
        }

        /// Unlock every chunk whose era has come; removes the stash when nothing is left.
        /// Signed. (`num_slashing_spans` is ignored; kept for the encoding.)
        #[pallet::call_index(3)]
        #[pallet::weight(weights::withdraw_unbonded())]
        pub fn withdraw_unbonded(
            origin: Origin,
            /// Ignored.
            num_slashing_spans: u32,
        ) -> DispatchResult {
            let _ = num_slashing_spans;
            Self::do_withdraw_unbonded(&origin.ensure_signed()?)
        }

        /// Become a validator candidate from the next era with these preferences. Signed.
        #[pallet::call_index(4)]
        #[pallet::weight(weights::validate())]
        pub fn validate(
            origin: Origin,
            /// Commission and blocked flag.
            prefs: ValidatorPrefs,
        ) -> DispatchResult {
            Self::do_validate(&origin.ensure_signed()?, prefs)
        }

        /// Nominate these validators from the next era. Signed.
        #[pallet::call_index(5)]
        #[pallet::weight(weights::nominate(targets.len()))]
        pub fn nominate(
            origin: Origin,
            /// The validators (at most `MAX_NOMINATIONS`; duplicates are dropped).
            targets: Vec<Address>,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            let targets = targets
                .into_iter()
                .map(lookup)
                .collect::<Result<Vec<_>, _>>()?;
            Self::do_nominate(&who, targets)
        }

        /// Stop validating and nominating from the next era. Signed.
        #[pallet::call_index(6)]
        #[pallet::weight(weights::chill())]
        pub fn chill(origin: Origin) -> DispatchResult {
            Self::do_chill(&origin.ensure_signed()?)
        }

        /// Chill another stash whose active bond is below the minimum now in force for its
        /// role, while that role's set is at least `CHILL_THRESHOLD` full: how nominator and
        /// validator slots squatted at a low bond are freed once governance raises the minimum
        /// (`Parameters.MinNominatorBond`, `MinValidatorBond`). Signed by anyone; a stash may
        /// always chill itself.
        #[pallet::call_index(23)]
        #[pallet::weight(weights::chill())]
        pub fn chill_other(
            origin: Origin,
            /// The stash to chill.
            stash: AccountId,
        ) -> DispatchResult {
            let caller = origin.ensure_signed()?;
            Self::do_chill_other(&caller, &stash)
        }

        /// Change where rewards go. Signed.
        #[pallet::call_index(7)]
        #[pallet::weight(weights::set_payee())]
        pub fn set_payee(
            origin: Origin,
            /// The new destination.
            payee: RewardDestination,
        ) -> DispatchResult {
            Self::do_set_payee(&origin.ensure_signed()?, payee)
        }

        /// Set the number of validator seats. Root.
        #[pallet::call_index(9)]
        #[pallet::weight(weights::set_config())]
        #[pallet::class(Operational)]
        pub fn set_validator_count(
            origin: Origin,
            /// The seats (1..=`MAX_VALIDATORS`).
            #[pallet::compact]
            new: u32,
        ) -> DispatchResult {
            origin.ensure_root()?;
            Self::do_set_validator_count(new)
        }

        /// No new eras until further notice. Root.
        #[pallet::call_index(12)]
        #[pallet::weight(weights::set_config())]
        #[pallet::class(Operational)]
        pub fn force_no_eras(origin: Origin) -> DispatchResult {
            origin.ensure_root()?;
            Self::set_force_era(Forcing::ForceNone);
            Ok(())
        }

        /// Start a new era in the next block. Root.
        #[pallet::call_index(13)]
        #[pallet::weight(weights::set_config())]
        #[pallet::class(Operational)]
        pub fn force_new_era(origin: Origin) -> DispatchResult {
            origin.ensure_root()?;
            Self::set_force_era(Forcing::ForceNew);
            Ok(())
        }

        /// Cancel deferred slashes by their position in `UnappliedSlashes[era]`. Root.
        #[pallet::call_index(17)]
        #[pallet::weight(weights::cancel_deferred_slash(slash_indices.len()))]
        #[pallet::class(Operational)]
        pub fn cancel_deferred_slash(
            origin: Origin,
            /// The era the slashes apply in.
            era: EraIndex,
            /// Their positions, sorted and unique.
            slash_indices: Vec<u32>,
        ) -> DispatchResult {
            origin.ensure_root()?;
            Self::do_cancel_deferred_slash(era, slash_indices)
        }

        /// Pay the rewards of `validator_stash` and its backers for `era`. Anyone, once per
        /// validator and era, for ended eras within `HISTORY_DEPTH`.
        #[pallet::call_index(18)]
        #[pallet::weight(weights::payout_stakers(T::MAX_BACKERS_PER_VALIDATOR))]
        pub fn payout_stakers(
            origin: Origin,
            /// The validator.
            validator_stash: AccountId,
            /// The era.
            era: EraIndex,
        ) -> DispatchResult {
            origin.ensure_signed()?;
            Self::do_payout_stakers(&validator_stash, era)
        }

        /// Move up to `value` from the newest unlocking chunks back to the active bond. Signed.
        #[pallet::call_index(19)]
        #[pallet::weight(weights::bond_extra())]
        pub fn rebond(
            origin: Origin,
            /// The amount.
            #[pallet::compact]
            value: Balance,
        ) -> DispatchResult {
            Self::do_rebond(&origin.ensure_signed()?, value)
        }

        /// Register (or update) as a compute provider, bonding enough to reach `stake` active
        /// if needed (at least `MIN_PROVIDER_STAKE`). Signed.
        #[pallet::call_index(40)]
        #[pallet::weight(weights::register_provider())]
        pub fn register_provider(
            origin: Origin,
            /// The active bond to have at least.
            #[pallet::compact]
            stake: Balance,
            /// What the provider offers.
            capabilities: Capabilities,
        ) -> DispatchResult {
            Self::do_register_provider(&origin.ensure_signed()?, stake, capabilities)
        }

        /// Stop being a compute provider (the bond stays; unbond separately). Signed.
        #[pallet::call_index(41)]
        #[pallet::weight(weights::deregister_provider())]
        pub fn deregister_provider(origin: Origin) -> DispatchResult {
            Self::do_deregister_provider(&origin.ensure_signed()?)
        }

        /// Set the session keys used from the next election. Signed by a bonded stash.
        /// (`proof` is ignored, as in Substrate; kept for the encoding.)
        #[pallet::call_index(42)]
        #[pallet::weight(weights::set_keys())]
        pub fn set_keys(
            origin: Origin,
            /// Aura and GRANDPA public keys.
            keys: SessionKeys,
            /// Ignored.
            proof: Vec<u8>,
        ) -> DispatchResult {
            let _ = proof;
            Self::do_set_keys(&origin.ensure_signed()?, keys)
        }

        /// Report an Aura equivocation (two blocks sealed by one validator for one slot): the
        /// offender is slashed `EQUIVOCATION_SLASH` of its exposure in the active era
        /// (deferred like every slash). Unsigned: nodes that detect one submit it, and the
        /// transaction pool admits it only when the proof holds (Babe's call name).
        #[pallet::call_index(43)]
        #[pallet::weight(weights::report_equivocation())]
        #[pallet::class(Operational)]
        #[pallet::pays(No)]
        pub fn report_equivocation_unsigned(
            origin: Origin,
            /// The two sealed headers and the offender's Aura key.
            equivocation_proof: Box<
                basalt_support::equivocation::AuraEquivocationProof,
            >,
        ) -> DispatchResult {
            origin.ensure_none()?;
            Self::do_report_aura_equivocation(&equivocation_proof).map(|_| ())
        }
    }

    impl<T: Config> Pallet<T> {
        // ------------------------------------------------------------------------------------
        // Reading
        // ------------------------------------------------------------------------------------

        /// The ledger of `stash`, if bonded.
        pub fn ledger(stash: &AccountId) -> Option<StakingLedger> {
            Ledger::get(stash)
        }

        /// The index of the active era, once staking has started.
        pub fn active_era() -> Option<EraIndex> {
            ActiveEra::get().map(|a| a.index)
        }

        /// The era block `n` belongs to, if it is within the kept history (for mapping an
        /// equivocation's block to its offence era).
        pub fn era_of_block(n: BlockNumber) -> Option<EraIndex> {
            let mut era = Self::active_era()?;
            for _ in 0..=T::HISTORY_DEPTH {
                let start = ErasStartBlock::get(era)?;
                if n >= start {
                    return Some(era);
                }
                era = era.checked_sub(1)?;
            }
            None
        }

        /// The stash `who`'s exposure in `era` (empty when it was not elected).
        pub fn eras_stakers(era: EraIndex, who: &AccountId) -> Exposure {
            ErasStakers::get(era, who)
        }

        /// Whether `who` is a registered compute provider with at least `MIN_PROVIDER_STAKE`
        /// active: the job-escrow pallet assigns jobs only to such providers.
        pub fn is_active_provider(who: &AccountId) -> bool {
            Providers::contains_key(who) && Self::provider_stake(who) >= T::MIN_PROVIDER_STAKE
        }

        /// The collateral of provider `who`: its active bond (zero when not bonded).
        pub fn provider_stake(who: &AccountId) -> Balance {
            Ledger::get(who).map_or(0, |l| l.active)
        }

        /// The elected authorities of the active era with their keys, sorted by stash.
        pub fn authorities() -> Vec<Authority> {
            Authorities::get()
        }

        /// The Aura authorities (sr25519 keys as account ids, as the runtime's
        /// `Aura.Authorities` holds them), in slot order.
        pub fn aura_authorities() -> Vec<AccountId> {
            Authorities::get()
                .into_iter()
                .map(|a| AccountId::new(a.aura))
                .collect()
        }

        /// The GRANDPA voters (ed25519 keys as account ids, weight 1 each, as the runtime's
        /// `Grandpa.Authorities` holds them).
        pub fn grandpa_authorities() -> Vec<(AccountId, u64)> {
            Authorities::get()
                .into_iter()
                .map(|a| (AccountId::new(a.grandpa), 1))
                .collect()
        }

        /// The new GRANDPA voter set elected in this block, if it differs from the previous
        /// one: the runtime's `finalize_block` signals it in the header digest.
        pub fn pending_authority_change() -> Option<Vec<(AuthorityKey, u64)>> {
            PendingAuthorityChange::get().and_then(|c| c.grandpa)
        }

        /// The new Aura authorities elected in this block, if they differ from the previous
        /// ones: the runtime copies them to `Aura.Authorities`.
        pub fn pending_aura_authorities() -> Option<Vec<AuthorityKey>> {
            PendingAuthorityChange::get().and_then(|c| c.aura)
        }

        /// The digest item announcing this block's GRANDPA set change, enacted `delay` blocks
        /// after this block is finalised: `Consensus(*b"FRNK", ConsensusLog::ScheduledChange)`
        /// encoded as `sp_consensus_grandpa` does (variant 1, then the voters and the delay).
        pub fn pending_authority_change_digest(delay: BlockNumber) -> Option<DigestItem> {
            let next = Self::pending_authority_change()?;
            let mut log = vec![1u8];
            next.encode_to(&mut log);
            delay.encode_to(&mut log);
            Some(DigestItem::Consensus(GRANDPA_ENGINE_ID, log))
        }

        /// The offender's stash and the era to slash it in, if `proof` holds and the offender
        /// was not slashed for equivocation in that era yet.
        fn check_aura_equivocation(
            proof: &basalt_support::equivocation::AuraEquivocationProof,
        ) -> Result<(AccountId, EraIndex), DispatchError> {
            proof
                .check()
                .map_err(|_| Error::<T>::InvalidEquivocationProof)?;
            // Resolved once, as the Aura key it is (never through GRANDPA keys: an accomplice
            // could register the offender's stash bytes as its GRANDPA key to catch the slash).
            let stash = KeyOwner::get((AURA_KEY_TYPE, proof.offender))
                .unwrap_or_else(|| AccountId::new(proof.offender));
            // The offence's era is the era of the equivocating blocks, not the era the report
            // arrives in: the same public proof, resubmitted in a later era, maps to the same
            // era and is refused as a duplicate. A header numbered beyond this block was never
            // a block of this chain; one older than the kept history cannot be judged.
            let number = proof.first_header.number.max(proof.second_header.number);
            ensure!(
                number <= System::<T>::block_number(),
                Error::<T>::InvalidOffenceEra
            );
            let era = Self::era_of_block(number).ok_or(Error::<T>::OffenceTooOld)?;
            ensure!(
                ErasStakers::contains_key(era, &stash),
                Error::<T>::InvalidEquivocationProof
            );
            let prior = ValidatorSlashInEra::get(era, &stash).map(|(f, _)| f);
            ensure!(
                prior.is_none_or(|f| f < T::equivocation_slash()),
                Error::<T>::DuplicateOffenceReport
            );
            Ok((stash, era))
        }

        /// Slash the author of an Aura equivocation (see `report_equivocation_unsigned`).
        pub fn do_report_aura_equivocation(
            proof: &basalt_support::equivocation::AuraEquivocationProof,
        ) -> Result<OffenceOutcome, DispatchError> {
            let (stash, era) = Self::check_aura_equivocation(proof)?;
            Self::report_offence(&stash, era, T::equivocation_slash())
        }

        /// The stash that owns the Aura or GRANDPA key `key`, if any.
        pub fn key_owner(key_type: [u8; 4], key: &AuthorityKey) -> Option<AccountId> {
            KeyOwner::get((key_type, *key))
        }

        /// The stash behind an author or offender id: the owner of that Aura or GRANDPA key
        /// when there is one, else the id itself (dev chains use the stash as the Aura key).
        pub fn resolve_stash(id: &AccountId) -> AccountId {
            let key: AuthorityKey = *id.as_ref();
            KeyOwner::get((AURA_KEY_TYPE, key))
                .or_else(|| KeyOwner::get((GRANDPA_KEY_TYPE, key)))
                .unwrap_or_else(|| id.clone())
        }

        /// The inflation curve: for an era of `era_blocks` blocks with `staked` bonded by its
        /// elected set and `issuance` in existence, returns
        /// `(validator_payout, remainder)`:
        /// - `max = floor(issuance * MAX_INFLATION * era_blocks * EXPECTED_BLOCK_TIME_MS /
        ///   (10^9 * MILLISECONDS_PER_YEAR))`: the yearly rate prorated to the era's length;
        /// - `ideal = floor(IDEAL_STAKE * issuance)`;
        /// - `validator_payout = floor(max * min(staked, ideal) / ideal)` (all of `max` when
        ///   `ideal` is zero): validators get the whole payout at or above the ideal staking
        ///   rate and proportionally less below it;
        /// - `remainder = max - validator_payout`, for the treasury.
        pub fn era_payout(
            issuance: Balance,
            staked: Balance,
            era_blocks: BlockNumber,
        ) -> (Balance, Balance) {
            let era_ms =
                u128::from(era_blocks).saturating_mul(u128::from(T::EXPECTED_BLOCK_TIME_MS));
            let year = u128::from(BILLION).saturating_mul(u128::from(MILLISECONDS_PER_YEAR));
            let max = mul_mul_div_floor(
                issuance,
                u128::from(T::MAX_INFLATION.deconstruct()),
                era_ms,
                year,
            )
            .unwrap_or(0);
            let ideal = T::IDEAL_STAKE.mul_floor(issuance);
            let validator = if ideal == 0 {
                max
            } else {
                mul_div_floor(max, staked.min(ideal), ideal).unwrap_or(0)
            };
            (validator, max.saturating_sub(validator))
        }

        // ------------------------------------------------------------------------------------
        // Interfaces for the runtime and other pallets
        // ------------------------------------------------------------------------------------

        /// Credits `POINTS_PER_BLOCK` era points to the validator behind `author` (its Aura key
        /// or stash) for authoring the current block. Ignored when it is not elected in the
        /// active era. Call it once per block, before `on_initialize`.
        pub fn note_author(author: &AccountId) {
            let stash = Self::resolve_stash(author);
            Self::reward_by_ids(vec![(stash, POINTS_PER_BLOCK)]);
        }

        /// Adds era points to validators of the active era (for GRANDPA votes, later); stashes
        /// not elected in the active era are ignored.
        pub fn reward_by_ids(points: Vec<(AccountId, RewardPoint)>) {
            let Some(era) = Self::active_era() else {
                return;
            };
            ErasRewardPoints::mutate(era, |p| {
                for (stash, n) in points {
                    if n == 0 || !ErasStakers::contains_key(era, &stash) {
                        continue;
                    }
                    p.total = p.total.saturating_add(n);
                    let entry = p.individual.entry(stash).or_insert(0);
                    *entry = entry.saturating_add(n);
                }
            });
        }

        /// Credits `amount` of fees to the validator behind `author` for the active era, to be
        /// minted when its rewards are claimed and split with its backers like the rest of its
        /// reward. The caller must already have removed `amount` from issuance (e.g. by
        /// withdrawing the fee without paying the author) so that issuance stays exact. Returns
        /// `false`, crediting nothing, when there is no active era or the author is not elected
        /// in it: the caller then pays the amount elsewhere (e.g. to the treasury).
        pub fn note_author_fee(author: &AccountId, amount: Balance) -> bool {
            let Some(era) = Self::active_era() else {
                return false;
            };
            let stash = Self::resolve_stash(author);
            if !ErasStakers::contains_key(era, &stash) {
                return false;
            }
            if amount == 0 {
                return true;
            }
            ErasValidatorFees::mutate(era, &stash, |f| *f = f.saturating_add(amount));
            ErasFeeRewards::mutate(era, |f| *f = f.saturating_add(amount));
            true
        }

        /// Pays a compute provider `amount` of new issuance to its reward destination (`None`
        /// counts as `Stash`: work was done and paid for). For the job-escrow pallet, which must
        /// have removed the same amount from issuance first (e.g. `slash_held` of the client's
        /// escrow) if the payment is not meant to be new issuance. Fails with `NotProvider`, or
        /// a balances error when the payment would create an account below the existential
        /// deposit; a failure changes nothing.
        pub fn reward_provider(
            provider: &AccountId,
            amount: Balance,
        ) -> Result<Balance, DispatchError> {
            with_transaction(|| {
                ensure!(Providers::contains_key(provider), Error::<T>::NotProvider);
                if amount == 0 {
                    return Ok(0);
                }
                let dest = match Payee::get(provider) {
                    Some(RewardDestination::None) | None => RewardDestination::Stash,
                    Some(d) => d,
                };
                Self::pay_to(provider, &dest, amount)?;
                Self::deposit_event(Event::ProviderRewarded {
                    provider: provider.clone(),
                    dest,
                    amount,
                });
                Ok(amount)
            })
        }

        /// Slashes a compute provider (wrong result, missed deadline, lost dispute), for the
        /// job-escrow pallet. The amount is a fraction of, or an amount up to, its total bond
        /// now; it is deferred and cancellable like any slash, and paid to the treasury when
        /// applied. Fails with `NotStash` when `provider` has no bond.
        pub fn slash_provider(
            provider: &AccountId,
            slash: ProviderSlash,
            reason: ProviderOffence,
        ) -> Result<OffenceOutcome, DispatchError> {
            with_transaction(|| {
                let ledger = Ledger::get(provider).ok_or(Error::<T>::NotStash)?;
                let amount = match slash {
                    ProviderSlash::Fraction(f) => f.mul_floor(ledger.total),
                    ProviderSlash::Amount(a) => a.min(ledger.total),
                };
                if amount == 0 {
                    return Ok(OffenceOutcome::NoSlash);
                }
                Self::deposit_event(Event::ProviderSlashReported {
                    provider: provider.clone(),
                    amount,
                    reason,
                });
                let slash = UnappliedSlash {
                    validator: provider.clone(),
                    own: amount,
                    others: Vec::new(),
                    reporters: Vec::new(),
                    payout: 0,
                };
                Ok(Self::queue_slash(slash, Self::active_era().unwrap_or(0)))
            })
        }

        /// Slashes up to `amount` of compute provider `provider`'s bond at once, for the
        /// job-escrow pallet, which holds the evidence (a revealed hash that disagrees with the
        /// accepted result, or a missed deadline) and needs the funds now to pay the providers
        /// that exposed it. Unlike validator slashes it is not deferred: the evidence is
        /// objective and on chain. The amount taken leaves the bond and total issuance; the
        /// caller pays it on (so issuance is conserved). Returns the amount taken, which is
        /// less than `amount` when less is bonded.
        pub fn slash_provider_now(
            provider: &AccountId,
            amount: Balance,
            reason: ProviderOffence,
        ) -> Balance {
            let taken = Self::slash_staker(provider, amount);
            if taken > 0 {
                Self::deposit_event(Event::ProviderSlashReported {
                    provider: provider.clone(),
                    amount: taken,
                    reason,
                });
            }
            taken
        }

        /// The capabilities of registered compute provider `who`.
        pub fn provider_info(who: &AccountId) -> Option<ProviderInfo> {
            Providers::get(who)
        }

        /// Reports an equivocation (two blocks for one slot, or two votes in one round) by
        /// `offender` (its Aura or GRANDPA key, or its stash) in `offence_era` (see
        /// [`Self::era_of_block`]); the caller has verified the evidence. Slashes
        /// `EQUIVOCATION_SLASH` of the offence era's exposure.
        pub fn report_equivocation(
            offender: &AccountId,
            offence_era: EraIndex,
        ) -> Result<OffenceOutcome, DispatchError> {
            Self::report_offence(
                &Self::resolve_stash(offender),
                offence_era,
                T::equivocation_slash(),
            )
        }

        /// Reports the stash `offender` as offline for the whole of `offence_era`; slashes
        /// `OFFLINE_SLASH` of its exposure. Also done automatically at the end of each era.
        pub fn report_offline(
            offender: &AccountId,
            offence_era: EraIndex,
        ) -> Result<OffenceOutcome, DispatchError> {
            Self::report_offence(offender, offence_era, T::offline_slash())
        }

        /// Slashes `fraction` of the stash `offender`'s exposure in `offence_era`: its own stake
        /// and each backer's pro rata, less whatever an earlier report for the same validator
        /// and era already slashed. The validator is chilled. `offender` is the stash itself,
        /// already resolved by the caller (resolving again could redirect the slash). Reports for eras too old for the bond to
        /// still be there (`offence_era + BONDING_DURATION <= active + SLASH_DEFER_DURATION`)
        /// are discarded. Fails with `InvalidOffenceEra` (a future era) or `NotElected`.
        pub fn report_offence(
            offender: &AccountId,
            offence_era: EraIndex,
            fraction: Perbill,
        ) -> Result<OffenceOutcome, DispatchError> {
            with_transaction(|| {
                let stash = offender.clone();
                let active = Self::active_era().ok_or(Error::<T>::NotElected)?;
                ensure!(offence_era <= active, Error::<T>::InvalidOffenceEra);
                if offence_era.saturating_add(T::BONDING_DURATION)
                    <= active.saturating_add(T::SLASH_DEFER_DURATION)
                {
                    Self::deposit_event(Event::OldSlashingReportDiscarded {
                        session_index: offence_era,
                    });
                    return Ok(OffenceOutcome::Discarded);
                }
                ensure!(
                    ErasStakers::contains_key(offence_era, &stash),
                    Error::<T>::NotElected
                );
                let exposure = ErasStakers::get(offence_era, &stash);
                let prior = ValidatorSlashInEra::get(offence_era, &stash)
                    .map_or(Perbill::zero(), |(f, _)| f);
                if fraction <= prior {
                    return Ok(OffenceOutcome::NoSlash);
                }
                let delta = |stake: Balance| {
                    fraction
                        .mul_floor(stake)
                        .saturating_sub(prior.mul_floor(stake))
                };
                let own = delta(exposure.own);
                let others: Vec<(AccountId, Balance)> = exposure
                    .others
                    .iter()
                    .map(|b| (b.who.clone(), delta(b.value)))
                    .filter(|(_, v)| *v > 0)
                    .collect();
                ValidatorSlashInEra::insert(
                    offence_era,
                    &stash,
                    (fraction, fraction.mul_floor(exposure.own)),
                );
                Self::deposit_event(Event::SlashReported {
                    validator: stash.clone(),
                    fraction,
                    slash_era: offence_era,
                });
                Self::chill_stash(&stash);
                let slash = UnappliedSlash {
                    validator: stash,
                    own,
                    others,
                    reporters: Vec::new(),
                    payout: 0,
                };
                Ok(Self::queue_slash(slash, active))
            })
        }

        // ------------------------------------------------------------------------------------
        // Calls
        // ------------------------------------------------------------------------------------

        fn do_bond(stash: &AccountId, value: Balance, payee: RewardDestination) -> DispatchResult {
            ensure!(
                !Bonded::contains_key(stash) && !Ledger::contains_key(stash),
                Error::<T>::AlreadyBonded
            );
            ensure!(
                payee != RewardDestination::Controller,
                Error::<T>::ControllerDeprecated
            );
            let value = value.min(Balances::<T>::free_balance(stash));
            ensure!(
                value >= Balances::<T>::existential_deposit(),
                Error::<T>::InsufficientBond
            );
            Bonded::insert(stash, stash);
            Payee::insert(stash, payee);
            Self::update_ledger(&StakingLedger::new(stash.clone(), value))?;
            Self::deposit_event(Event::Bonded {
                stash: stash.clone(),
                amount: value,
            });
            Ok(())
        }

        fn do_bond_extra(stash: &AccountId, max_additional: Balance) -> DispatchResult {
            let mut ledger = Ledger::get(stash).ok_or(Error::<T>::NotStash)?;
            let extra = Balances::<T>::free_balance(stash)
                .saturating_sub(ledger.total)
                .min(max_additional);
            ledger.total = ledger
                .total
                .checked_add(extra)
                .ok_or(ArithmeticError::Overflow)?;
            ledger.active = ledger
                .active
                .checked_add(extra)
                .ok_or(ArithmeticError::Overflow)?;
            ensure!(
                ledger.active >= Balances::<T>::existential_deposit(),
                Error::<T>::InsufficientBond
            );
            if extra > 0 {
                Self::update_ledger(&ledger)?;
                Self::deposit_event(Event::Bonded {
                    stash: stash.clone(),
                    amount: extra,
                });
            }
            Ok(())
        }

        /// The least active bond `stash`'s roles require.
        fn min_active_bond(stash: &AccountId) -> Balance {
            let role = if Nominators::contains_key(stash) {
                T::min_nominator_bond()
            } else if Validators::contains_key(stash) {
                T::min_validator_bond()
            } else {
                0
            };
            if Providers::contains_key(stash) {
                role.max(T::MIN_PROVIDER_STAKE)
            } else {
                role
            }
        }

        fn do_unbond(stash: &AccountId, value: Balance) -> DispatchResult {
            let mut ledger = Ledger::get(stash).ok_or(Error::<T>::NotController)?;
            let mut value = value.min(ledger.active);
            if value == 0 {
                return Ok(());
            }
            ledger.active = ledger.active.saturating_sub(value);
            if ledger.active < Balances::<T>::existential_deposit() {
                value = value.saturating_add(ledger.active);
                ledger.active = 0;
            }
            ensure!(
                ledger.active >= Self::min_active_bond(stash),
                Error::<T>::InsufficientBond
            );
            let era = CurrentEra::get()
                .unwrap_or(0)
                .saturating_add(T::BONDING_DURATION);
            match ledger.unlocking.last_mut() {
                Some(chunk) if chunk.era == era => chunk.value = chunk.value.saturating_add(value),
                _ => {
                    ensure!(
                        ledger.unlocking.len()
                            < usize::try_from(T::MAX_UNLOCKING_CHUNKS).unwrap_or(usize::MAX),
                        Error::<T>::NoMoreChunks
                    );
                    ledger.unlocking.push(UnlockChunk { value, era });
                }
            }
            Ledger::insert(stash, &ledger);
            Self::deposit_event(Event::Unbonded {
                stash: stash.clone(),
                amount: value,
            });
            Ok(())
        }

        fn do_withdraw_unbonded(stash: &AccountId) -> DispatchResult {
            let mut ledger = Ledger::get(stash).ok_or(Error::<T>::NotController)?;
            let current = CurrentEra::get().unwrap_or(0);
            let before = ledger.total;
            let (matured, waiting): (Vec<UnlockChunk>, Vec<UnlockChunk>) =
                ledger.unlocking.iter().partition(|c| c.era <= current);
            let withdrawn = matured
                .iter()
                .fold(0, |sum: Balance, c| sum.saturating_add(c.value));
            ledger.unlocking = waiting;
            ledger.total = ledger.total.saturating_sub(withdrawn);
            if ledger.unlocking.is_empty() && ledger.active < Balances::<T>::existential_deposit() {
                Self::kill_stash(stash)?;
                Self::deposit_event(Event::Withdrawn {
                    stash: stash.clone(),
                    amount: before,
                });
                return Ok(());
            }
            if withdrawn > 0 {
                Self::update_ledger(&ledger)?;
                Self::deposit_event(Event::Withdrawn {
                    stash: stash.clone(),
                    amount: withdrawn,
                });
            }
            Ok(())
        }

        fn do_rebond(stash: &AccountId, value: Balance) -> DispatchResult {
            let mut ledger = Ledger::get(stash).ok_or(Error::<T>::NotController)?;
            ensure!(!ledger.unlocking.is_empty(), Error::<T>::NoUnlockChunk);
            let mut remaining = value;
            let mut rebonded: Balance = 0;
            while remaining > 0 {
                let Some(chunk) = ledger.unlocking.last_mut() else {
                    break;
                };
                let take = remaining.min(chunk.value);
                chunk.value = chunk.value.saturating_sub(take);
                remaining = remaining.saturating_sub(take);
                rebonded = rebonded.saturating_add(take);
                if chunk.value == 0 {
                    ledger.unlocking.pop();
                }
            }
            ledger.active = ledger
                .active
                .checked_add(rebonded)
                .ok_or(ArithmeticError::Overflow)?;
            ensure!(
                ledger.active >= Balances::<T>::existential_deposit(),
                Error::<T>::InsufficientBond
            );
            Ledger::insert(stash, &ledger);
            Self::deposit_event(Event::Bonded {
                stash: stash.clone(),
                amount: rebonded,
            });
            Ok(())
        }

        fn do_validate(stash: &AccountId, prefs: ValidatorPrefs) -> DispatchResult {
            let ledger = Ledger::get(stash).ok_or(Error::<T>::NotController)?;
            ensure!(
                ledger.active >= T::min_validator_bond(),
                Error::<T>::InsufficientBond
            );
            if !Validators::contains_key(stash) {
                ensure!(
                    Validators::count() < T::MAX_VALIDATOR_CANDIDATES,
                    Error::<T>::TooManyValidators
                );
            }
            Nominators::remove(stash);
            Validators::insert(stash, &prefs);
            Self::deposit_event(Event::ValidatorPrefsSet {
                stash: stash.clone(),
                prefs,
            });
            Ok(())
        }

        fn do_nominate(stash: &AccountId, targets: Vec<AccountId>) -> DispatchResult {
            let ledger = Ledger::get(stash).ok_or(Error::<T>::NotController)?;
            ensure!(
                ledger.active >= T::min_nominator_bond(),
                Error::<T>::InsufficientBond
            );
            if !Nominators::contains_key(stash) {
                ensure!(
                    Nominators::count() < T::MAX_NOMINATORS,
                    Error::<T>::TooManyNominators
                );
            }
            ensure!(!targets.is_empty(), Error::<T>::EmptyTargets);
            ensure!(
                targets.len() <= usize::try_from(T::MAX_NOMINATIONS).unwrap_or(usize::MAX),
                Error::<T>::TooManyTargets
            );
            let old: Vec<AccountId> = Nominators::get(stash)
                .map(|n| n.targets)
                .unwrap_or_default();
            let mut seen = BTreeSet::new();
            let mut chosen = Vec::with_capacity(targets.len());
            for target in targets {
                if !seen.insert(target.clone()) {
                    continue;
                }
                ensure!(
                    &target != stash && Validators::contains_key(&target),
                    Error::<T>::BadTarget
                );
                ensure!(
                    old.contains(&target) || !Validators::get(&target).blocked,
                    Error::<T>::BadTarget
                );
                chosen.push(target);
            }
            Validators::remove(stash);
            let nominations = Nominations {
                targets: chosen,
                submitted_in: CurrentEra::get().unwrap_or(0),
                suppressed: false,
            };
            Nominators::insert(stash, &nominations);
            Ok(())
        }

        fn do_chill(stash: &AccountId) -> DispatchResult {
            ensure!(Ledger::contains_key(stash), Error::<T>::NotController);
            Self::chill_stash(stash);
            Ok(())
        }

        fn do_chill_other(caller: &AccountId, stash: &AccountId) -> DispatchResult {
            let ledger = Ledger::get(stash).ok_or(Error::<T>::NotController)?;
            if caller == stash {
                return Self::do_chill(stash);
            }
            let (count, max, minimum) = if Nominators::contains_key(stash) {
                (
                    Nominators::count(),
                    T::MAX_NOMINATORS,
                    T::min_nominator_bond(),
                )
            } else if Validators::contains_key(stash) {
                (
                    Validators::count(),
                    T::MAX_VALIDATOR_CANDIDATES,
                    T::min_validator_bond(),
                )
            } else {
                return Err(Error::<T>::CannotChillOther.into());
            };
            let nearly_full = CHILL_THRESHOLD.mul_ceil(u128::from(max)) <= u128::from(count);
            ensure!(
                nearly_full && ledger.active < minimum,
                Error::<T>::CannotChillOther
            );
            Self::chill_stash(stash);
            Ok(())
        }

        fn do_set_payee(stash: &AccountId, payee: RewardDestination) -> DispatchResult {
            ensure!(Ledger::contains_key(stash), Error::<T>::NotController);
            ensure!(
                payee != RewardDestination::Controller,
                Error::<T>::ControllerDeprecated
            );
            Payee::insert(stash, payee);
            Ok(())
        }

        fn do_set_validator_count(new: u32) -> DispatchResult {
            ensure!(new <= T::MAX_VALIDATORS, Error::<T>::TooManyValidators);
            ensure!(new > 0, Error::<T>::BoundNotMet);
            ValidatorCount::put(new);
            Ok(())
        }

        fn do_set_keys(stash: &AccountId, keys: SessionKeys) -> DispatchResult {
            ensure!(Ledger::contains_key(stash), Error::<T>::NotController);
            let new = [(AURA_KEY_TYPE, keys.aura), (GRANDPA_KEY_TYPE, keys.grandpa)];
            for key in new {
                if let Some(owner) = KeyOwner::get(key) {
                    ensure!(&owner == stash, Error::<T>::DuplicatedKey);
                }
            }
            if let Some(old) = NextKeys::get(stash) {
                KeyOwner::remove((AURA_KEY_TYPE, old.aura));
                KeyOwner::remove((GRANDPA_KEY_TYPE, old.grandpa));
            }
            for key in new {
                KeyOwner::insert(key, stash);
            }
            NextKeys::insert(stash, keys);
            Self::deposit_event(Event::SessionKeysSet {
                stash: stash.clone(),
                keys,
            });
            Ok(())
        }

        fn do_register_provider(
            who: &AccountId,
            stake: Balance,
            capabilities: Capabilities,
        ) -> DispatchResult {
            // A CPU-only provider declares no GPUs and no GPU memory; a GPU provider both.
            ensure!(
                !capabilities.gpu_model.is_empty()
                    && (capabilities.count > 0) == (capabilities.memory_gb > 0),
                Error::<T>::InvalidCapabilities
            );
            ensure!(stake >= T::MIN_PROVIDER_STAKE, Error::<T>::InsufficientBond);
            if !Providers::contains_key(who) {
                ensure!(
                    Providers::count() < T::MAX_PROVIDERS,
                    Error::<T>::TooManyProviders
                );
            }
            match Ledger::get(who) {
                None => {
                    ensure!(
                        Balances::<T>::free_balance(who) >= stake,
                        Error::<T>::NotEnoughFunds
                    );
                    Self::do_bond(who, stake, RewardDestination::Stash)?;
                }
                Some(ledger) if ledger.active < stake => {
                    let needed = stake.saturating_sub(ledger.active);
                    let unbonded = Balances::<T>::free_balance(who).saturating_sub(ledger.total);
                    ensure!(unbonded >= needed, Error::<T>::NotEnoughFunds);
                    Self::do_bond_extra(who, needed)?;
                }
                Some(_) => {}
            }
            let active = Ledger::get(who).ok_or(Error::<T>::BadState)?.active;
            let info = ProviderInfo {
                capabilities: capabilities.clone(),
                registered_at: System::<T>::block_number(),
            };
            Providers::insert(who, &info);
            T::ProviderObserver::on_provider_change(who);
            Self::deposit_event(Event::ProviderRegistered {
                provider: who.clone(),
                stake: active,
                capabilities,
            });
            Ok(())
        }

        fn do_deregister_provider(who: &AccountId) -> DispatchResult {
            ensure!(Providers::contains_key(who), Error::<T>::NotProvider);
            Providers::remove(who);
            T::ProviderObserver::on_provider_change(who);
            Self::deposit_event(Event::ProviderDeregistered {
                provider: who.clone(),
            });
            Ok(())
        }

        fn do_cancel_deferred_slash(era: EraIndex, indices: Vec<u32>) -> DispatchResult {
            ensure!(!indices.is_empty(), Error::<T>::EmptyTargets);
            ensure!(
                indices.windows(2).all(|w| matches!(w, [a, b] if a < b)),
                Error::<T>::NotSortedAndUnique
            );
            let mut slashes = UnappliedSlashes::get(era);
            let last = indices.last().copied().unwrap_or(0);
            ensure!(
                usize::try_from(last).is_ok_and(|l| l < slashes.len()),
                Error::<T>::InvalidSlashIndex
            );
            for index in indices.into_iter().rev() {
                let Ok(i) = usize::try_from(index) else {
                    continue;
                };
                if i < slashes.len() {
                    let removed = slashes.remove(i);
                    Self::deposit_event(Event::SlashCancelled {
                        slash_era: era,
                        validator: removed.validator,
                    });
                }
            }
            if slashes.is_empty() {
                UnappliedSlashes::remove(era);
            } else {
                UnappliedSlashes::insert(era, slashes);
            }
            Ok(())
        }

        fn do_payout_stakers(validator: &AccountId, era: EraIndex) -> DispatchResult {
            let active = Self::active_era().ok_or(Error::<T>::InvalidEraToReward)?;
            ensure!(era < active, Error::<T>::InvalidEraToReward);
            ensure!(
                era.saturating_add(T::HISTORY_DEPTH) >= active,
                Error::<T>::InvalidEraToReward
            );
            let era_reward = ErasValidatorReward::get(era).ok_or(Error::<T>::InvalidEraToReward)?;
            ensure!(
                ErasStakers::contains_key(era, validator),
                Error::<T>::NotStash
            );
            let mut claimed = ClaimedRewards::get(era, validator);
            ensure!(!claimed.contains(&0), Error::<T>::AlreadyClaimed);
            claimed.push(0);
            ClaimedRewards::insert(era, validator, claimed);
            Self::deposit_event(Event::PayoutStarted {
                era_index: era,
                validator_stash: validator.clone(),
                page: 0,
                next: None,
            });

            let exposure = ErasStakers::get(era, validator);
            let points = ErasRewardPoints::get(era);
            let inflation = era_reward.saturating_sub(ErasFeeRewards::get(era));
            let own_points = points.individual.get(validator).copied().unwrap_or(0);
            let from_points =
                mul_div_floor(inflation, u128::from(own_points), u128::from(points.total))
                    .unwrap_or(0);
            let reward = from_points.saturating_add(ErasValidatorFees::get(era, validator));
            if reward == 0 {
                return Ok(());
            }
            let commission = ErasValidatorPrefs::get(era, validator)
                .commission
                .mul_floor(reward);
            let to_split = reward.saturating_sub(commission);
            let shares: Vec<(AccountId, Balance)> = exposure
                .others
                .iter()
                .map(|b| {
                    (
                        b.who.clone(),
                        mul_div_floor(to_split, b.value, exposure.total).unwrap_or(0),
                    )
                })
                .collect();
            let to_backers = shares
                .iter()
                .fold(0, |sum: Balance, (_, s)| sum.saturating_add(*s));
            Self::make_payout(validator, reward.saturating_sub(to_backers));
            for (who, share) in shares {
                Self::make_payout(&who, share);
            }
            Ok(())
        }

        // ------------------------------------------------------------------------------------
        // Internals
        // ------------------------------------------------------------------------------------

        /// Deposit one of this pallet's events.
        fn deposit_event(event: Event) {
            System::<T>::deposit_event_of(<T as Config>::INDEX, &event)
        }

        /// Stores `ledger` and sets the staking lock to its total.
        fn update_ledger(ledger: &StakingLedger) -> DispatchResult {
            Balances::<T>::set_lock(STAKING_ID, &ledger.stash, ledger.total, Reasons::All)?;
            Ledger::insert(&ledger.stash, ledger);
            if Providers::contains_key(&ledger.stash) {
                T::ProviderObserver::on_provider_change(&ledger.stash);
            }
            Ok(())
        }

        /// Removes every trace of `stash` from staking and unlocks its funds.
        fn kill_stash(stash: &AccountId) -> DispatchResult {
            Bonded::remove(stash);
            Ledger::remove(stash);
            Payee::remove(stash);
            Validators::remove(stash);
            Nominators::remove(stash);
            if Providers::contains_key(stash) {
                Providers::remove(stash);
                T::ProviderObserver::on_provider_change(stash);
            }
            if let Some(keys) = NextKeys::take(stash) {
                KeyOwner::remove((AURA_KEY_TYPE, keys.aura));
                KeyOwner::remove((GRANDPA_KEY_TYPE, keys.grandpa));
            }
            Balances::<T>::remove_lock(STAKING_ID, stash)
        }

        /// Removes `stash` from the validators and nominators (emits `Chilled` if it was one).
        fn chill_stash(stash: &AccountId) {
            let was = Validators::contains_key(stash) || Nominators::contains_key(stash);
            Validators::remove(stash);
            Nominators::remove(stash);
            if was {
                Self::deposit_event(Event::Chilled {
                    stash: stash.clone(),
                });
            }
        }

        /// Sets `ForceEra` and emits `ForceEra`.
        fn set_force_era(mode: Forcing) {
            ForceEra::put(mode);
            Self::deposit_event(Event::ForceEra { mode });
        }

        /// Mints `amount` to `stash`'s reward destination and emits `Rewarded`; does nothing
        /// (minting nothing) when the destination is `None` or the payment fails.
        fn make_payout(stash: &AccountId, amount: Balance) {
            if amount == 0 {
                return;
            }
            let dest = Payee::get(stash).unwrap_or(RewardDestination::Stash);
            if dest == RewardDestination::None {
                return;
            }
            if with_transaction(|| Self::pay_to(stash, &dest, amount)).is_ok() {
                Self::deposit_event(Event::Rewarded {
                    stash: stash.clone(),
                    dest,
                    amount,
                });
            }
        }

        /// Mints `amount` to `dest` on behalf of `stash` (for `Staked`, also bonds it). Callers
        /// run it in a transaction: it may fail after minting.
        fn pay_to(stash: &AccountId, dest: &RewardDestination, amount: Balance) -> DispatchResult {
            match dest {
                RewardDestination::Staked => {
                    Balances::<T>::deposit_creating(stash, amount)?;
                    if let Some(mut ledger) = Ledger::get(stash) {
                        ledger.active = ledger
                            .active
                            .checked_add(amount)
                            .ok_or(ArithmeticError::Overflow)?;
                        ledger.total = ledger
                            .total
                            .checked_add(amount)
                            .ok_or(ArithmeticError::Overflow)?;
                        Self::update_ledger(&ledger)?;
                    }
                    Ok(())
                }
                RewardDestination::Stash | RewardDestination::Controller => {
                    Balances::<T>::deposit_creating(stash, amount)
                }
                RewardDestination::Account(to) => Balances::<T>::deposit_creating(to, amount),
                RewardDestination::None => Err(DispatchError::Other("reward destination is None")),
            }
        }

        /// Mints `amount` to the treasury; returns whether it was paid (it cannot be when it
        /// would create the treasury account below the existential deposit: then it is burned).
        fn pay_treasury(amount: Balance) -> bool {
            amount > 0 && Balances::<T>::deposit_creating(&T::treasury_account(), amount).is_ok()
        }

        /// Queues `slash` to apply at the start of era `active + SLASH_DEFER_DURATION`, or
        /// applies it now when the deferral is zero.
        fn queue_slash(slash: UnappliedSlash, active: EraIndex) -> OffenceOutcome {
            if T::SLASH_DEFER_DURATION == 0 {
                return OffenceOutcome::Applied {
                    amount: Self::apply_slash(&slash),
                };
            }
            let amount = slash
                .others
                .iter()
                .fold(slash.own, |sum, (_, v)| sum.saturating_add(*v));
            let apply_era = active.saturating_add(T::SLASH_DEFER_DURATION);
            let index = UnappliedSlashes::mutate(apply_era, |list| {
                list.push(slash);
                u32::try_from(list.len().saturating_sub(1)).unwrap_or(u32::MAX)
            });
            OffenceOutcome::Deferred {
                apply_era,
                index,
                amount,
            }
        }

        /// Applies one slash to the offender and its backers and pays the treasury; returns
        /// the total taken.
        fn apply_slash(slash: &UnappliedSlash) -> Balance {
            let mut total = Self::slash_staker(&slash.validator, slash.own);
            for (who, value) in &slash.others {
                total = total.saturating_add(Self::slash_staker(who, *value));
            }
            Self::pay_treasury(total);
            total
        }

        /// Takes up to `amount` of `stash`'s bond (never more than it has bonded, never below
        /// what balances may take), removing it from issuance; the caller pays it on. A stash
        /// left with nothing bonded is removed. Returns the amount taken.
        fn slash_staker(stash: &AccountId, amount: Balance) -> Balance {
            if amount == 0 {
                return 0;
            }
            let taken = with_transaction(|| -> Result<Balance, DispatchError> {
                let Some(mut ledger) = Ledger::get(stash) else {
                    return Ok(0);
                };
                let want = amount.min(ledger.total);
                if want == 0 {
                    return Ok(0);
                }
                let actual = Balances::<T>::slash(stash, want);
                ledger.slash(actual);
                if ledger.total == 0 {
                    Self::kill_stash(stash)?;
                } else {
                    Self::update_ledger(&ledger)?;
                }
                if actual > 0 {
                    Self::deposit_event(Event::Slashed {
                        staker: stash.clone(),
                        amount: actual,
                    });
                }
                Ok(actual)
            });
            taken.unwrap_or(0)
        }

        // ------------------------------------------------------------------------------------
        // Eras
        // ------------------------------------------------------------------------------------

        /// Era 0 starts at block `n`: elected from the current candidates.
        fn start_first_era(n: BlockNumber) -> Weight {
            ErasStartBlock::insert(0, n);
            CurrentEra::put(0);
            ActiveEra::put(ActiveEraInfo {
                index: 0,
                start: None,
            });
            Self::elect(0)
        }

        /// Ends era `ending` at block `n` and starts the next one.
        fn rotate_era(ending: EraIndex, n: BlockNumber) -> Weight {
            let mut weight = Self::end_era(ending, n);
            let next = ending.saturating_add(1);
            ErasStartBlock::insert(next, n);
            CurrentEra::put(next);
            ActiveEra::put(ActiveEraInfo {
                index: next,
                start: None,
            });
            weight = weight.saturating_add(Self::apply_unapplied_slashes(next));
            weight = weight.saturating_add(Self::elect(next));
            weight.saturating_add(Self::prune_history(next))
        }

        /// Fixes era `era`'s payout (see [`Self::era_payout`]), mints the treasury's remainder
        /// and reports validators that authored nothing as offline.
        fn end_era(era: EraIndex, n: BlockNumber) -> Weight {
            let era_blocks = n.saturating_sub(ErasStartBlock::get(era).unwrap_or(n));
            let (validator_inflation, remainder) = Self::era_payout(
                Balances::<T>::total_issuance(),
                ErasTotalStake::get(era),
                era_blocks,
            );
            let points = ErasRewardPoints::get(era);
            let validator_inflation = if points.total == 0 {
                0
            } else {
                validator_inflation
            };
            let remainder = if Self::pay_treasury(remainder) {
                remainder
            } else {
                0
            };
            let payout = validator_inflation.saturating_add(ErasFeeRewards::get(era));
            ErasValidatorReward::insert(era, payout);
            Self::deposit_event(Event::EraPaid {
                era_index: era,
                validator_payout: payout,
                remainder,
            });

            let mut offline = 0u32;
            if !T::offline_slash().is_zero() && points.total > 0 {
                let elected: Vec<AccountId> = ErasStakers::iter_prefix(era)
                    .map(|(stash, _)| stash)
                    .collect();
                let count = u32::try_from(elected.len()).unwrap_or(u32::MAX);
                if era_blocks >= count.saturating_mul(2) {
                    for stash in elected {
                        if points.individual.get(&stash).copied().unwrap_or(0) == 0 {
                            let _ = Self::report_offline(&stash, era);
                            offline = offline.saturating_add(1);
                        }
                    }
                }
            }
            weights::era_change(0, 0, 0, offline)
        }

        /// Applies the slashes due at the start of `era`.
        fn apply_unapplied_slashes(era: EraIndex) -> Weight {
            let slashes = UnappliedSlashes::take(era);
            let mut stakers = 0u32;
            for slash in &slashes {
                Self::apply_slash(slash);
                stakers = stakers
                    .saturating_add(u32::try_from(slash.others.len()).unwrap_or(u32::MAX))
                    .saturating_add(1);
            }
            weights::era_change(0, 0, 0, stakers)
        }

        /// Elects the set of `era` and snapshots its exposures; on failure keeps the current
        /// set, re-snapshotted with current stakes.
        fn elect(era: EraIndex) -> Weight {
            let mut candidates = Vec::new();
            for (stash, _) in Validators::iter() {
                let Some(ledger) = Ledger::get(&stash) else {
                    continue;
                };
                if ledger.active >= T::min_validator_bond() && NextKeys::contains_key(&stash) {
                    candidates.push(Candidate {
                        stash,
                        own: ledger.active,
                    });
                }
            }
            let mut voters = Vec::new();
            for (who, nominations) in Nominators::iter() {
                let Some(ledger) = Ledger::get(&who) else {
                    continue;
                };
                if ledger.active >= T::min_nominator_bond() && ledger.active > 0 {
                    voters.push(Voter {
                        who,
                        stake: ledger.active,
                        targets: nominations.targets,
                    });
                }
            }
            let seats = ValidatorCount::get().min(T::MAX_VALIDATORS);
            let result = election::elect(
                &candidates,
                &voters,
                seats,
                MinimumValidatorCount::get(),
                T::MAX_BACKERS_PER_VALIDATOR,
            );
            let winners = match result {
                Ok(winners) => {
                    let mut authorities: Vec<Authority> = winners
                        .iter()
                        .filter_map(|w| {
                            NextKeys::get(&w.stash).map(|k| Authority {
                                stash: w.stash.clone(),
                                aura: k.aura,
                                grandpa: k.grandpa,
                            })
                        })
                        .collect();
                    authorities.sort_by(|a, b| a.stash.cmp(&b.stash));
                    Self::set_authorities(authorities);
                    Self::deposit_event(Event::StakersElected);
                    winners
                }
                Err(_) => {
                    Self::deposit_event(Event::StakingElectionFailed);
                    let current: Vec<Candidate> = Authorities::get()
                        .into_iter()
                        .map(|a| {
                            let own = Ledger::get(&a.stash).map_or(0, |l| l.active);
                            Candidate {
                                stash: a.stash,
                                own,
                            }
                        })
                        .collect();
                    election::distribute(&current, &voters, T::MAX_BACKERS_PER_VALIDATOR)
                }
            };
            let mut total: Balance = 0;
            for winner in &winners {
                ErasStakers::insert(era, &winner.stash, &winner.exposure);
                ErasValidatorPrefs::insert(era, &winner.stash, Validators::get(&winner.stash));
                total = total.saturating_add(winner.exposure.total);
            }
            ErasTotalStake::insert(era, total);
            weights::era_change(
                u32::try_from(candidates.len()).unwrap_or(u32::MAX),
                u32::try_from(voters.len()).unwrap_or(u32::MAX),
                u32::try_from(winners.len()).unwrap_or(u32::MAX),
                0,
            )
        }

        /// Publishes a new authority set and records what changed for the runtime.
        fn set_authorities(new: Vec<Authority>) {
            let old = Authorities::get();
            let aura = |set: &[Authority]| set.iter().map(|a| a.aura).collect::<Vec<_>>();
            let grandpa =
                |set: &[Authority]| set.iter().map(|a| (a.grandpa, 1u64)).collect::<Vec<_>>();
            let change = AuthorityChange {
                aura: (aura(&old) != aura(&new)).then(|| aura(&new)),
                grandpa: (grandpa(&old) != grandpa(&new)).then(|| grandpa(&new)),
            };
            Authorities::put(&new);
            if change.aura.is_some() || change.grandpa.is_some() {
                PendingAuthorityChange::put(change);
            }
        }

        /// Drops the history that `era`'s start pushes beyond `HISTORY_DEPTH` (and slash
        /// records beyond `max(HISTORY_DEPTH, BONDING_DURATION)`).
        fn prune_history(era: EraIndex) -> Weight {
            let mut removed = 0u32;
            if let Some(old) = era
                .checked_sub(T::HISTORY_DEPTH)
                .and_then(|e| e.checked_sub(1))
            {
                removed = removed
                    .saturating_add(ErasStakers::clear_prefix(old, u32::MAX))
                    .saturating_add(ErasValidatorPrefs::clear_prefix(old, u32::MAX))
                    .saturating_add(ErasValidatorFees::clear_prefix(old, u32::MAX))
                    .saturating_add(ClaimedRewards::clear_prefix(old, u32::MAX));
                ErasValidatorReward::remove(old);
                ErasRewardPoints::remove(old);
                ErasTotalStake::remove(old);
                ErasFeeRewards::remove(old);
                ErasStartBlock::remove(old);
            }
            let slash_depth = T::HISTORY_DEPTH.max(T::BONDING_DURATION);
            if let Some(old) = era.checked_sub(slash_depth).and_then(|e| e.checked_sub(1)) {
                removed = removed.saturating_add(ValidatorSlashInEra::clear_prefix(old, u32::MAX));
            }
            reads_writes(u64::from(removed), u64::from(removed).saturating_add(5))
        }
    }

    impl<T: Config> basalt_support::validity::ValidateUnsigned for Pallet<T> {
        type Call = Call;

        /// The pool's check of an unsigned staking call: only a valid, not yet punished
        /// equivocation report is admitted, once per offender and slot (its `provides` tag), at
        /// a high priority, and propagated to peers. Block import re-checks it when the call is
        /// applied.
        fn validate_unsigned(call: &Call) -> basalt_support::validity::TransactionValidity {
            use basalt_support::validity::{InvalidTransaction, ValidTransaction};
            let Call::report_equivocation_unsigned { equivocation_proof } = call else {
                return Err(InvalidTransaction::Call.into());
            };
            let (stash, _) = Self::check_aura_equivocation(equivocation_proof)
                .map_err(|_| InvalidTransaction::Custom(0))?;
            Ok(ValidTransaction {
                priority: u64::MAX / 2,
                requires: Vec::new(),
                provides: vec![(b"aura-equivocation", stash, equivocation_proof.slot).encode()],
                longevity: 64,
                propagate: true,
            })
        }
    }

    impl<T: Config> basalt_support::genesis::BuildGenesis for Pallet<T> {
        type Config = GenesisConfig;

        /// Builds staking's genesis state after balances' genesis: bonds each staker, sets its
        /// keys and role, then elects era 0 (publishing [`Authorities`]). Fails, writing
        /// nothing, on a staker without the funds, an unknown nomination target, duplicate keys
        /// or counts above `MAX_VALIDATORS`.
        fn build_genesis(config: &GenesisConfig) -> DispatchResult {
            with_transaction(|| {
                ensure!(
                    config.validator_count <= T::MAX_VALIDATORS,
                    Error::<T>::TooManyValidators
                );
                ensure!(
                    config.minimum_validator_count <= T::MAX_VALIDATORS,
                    Error::<T>::TooManyValidators
                );
                ValidatorCount::put(config.validator_count);
                MinimumValidatorCount::put(config.minimum_validator_count);
                for s in &config.stakers {
                    ensure!(
                        Balances::<T>::free_balance(&s.stash) >= s.bond,
                        Error::<T>::NotEnoughFunds
                    );
                    Self::do_bond(&s.stash, s.bond, RewardDestination::Staked)?;
                    if let Some(keys) = s.keys {
                        Self::do_set_keys(&s.stash, keys)?;
                    }
                }
                for s in &config.stakers {
                    if s.status == StakerStatus::Validator {
                        Self::do_validate(&s.stash, ValidatorPrefs::default())?;
                    }
                }
                for s in &config.stakers {
                    if let StakerStatus::Nominator(targets) = &s.status {
                        Self::do_nominate(&s.stash, targets.clone())?;
                    }
                }
                Self::start_first_era(System::<T>::block_number());
                Ok(())
            })
        }
    }

    impl<T: Config> Hooks for Pallet<T> {
        /// Clears last block's authority change, starts staking (era 0) in the first block it
        /// runs in if genesis did not, and starts a new era when one is due.
        fn on_initialize(n: BlockNumber) -> Weight {
            let mut weight = weights::on_initialize_idle();
            if PendingAuthorityChange::exists() {
                PendingAuthorityChange::kill();
            }
            let Some(active) = ActiveEra::get() else {
                return weight.saturating_add(Self::start_first_era(n));
            };
            let force = ForceEra::get();
            let due = match force {
                Forcing::ForceNew => true,
                Forcing::ForceNone => false,
                Forcing::NotForcing | Forcing::ForceAlways => {
                    let start = ErasStartBlock::get(active.index).unwrap_or(0);
                    n.saturating_sub(start) >= T::ERA_LENGTH.max(1)
                }
            };
            if due {
                weight = weight.saturating_add(Self::rotate_era(active.index, n));
                if force == Forcing::ForceNew {
                    Self::set_force_era(Forcing::NotForcing);
                }
            }
            weight
        }

        /// Records the active era's start time in its first block.
        fn on_finalize(_n: BlockNumber) {
            if let Some(mut active) = ActiveEra::get() {
                if active.start.is_none() {
                    let now = T::unix_time_ms();
                    if now > 0 {
                        active.start = Some(now);
                        ActiveEra::put(active);
                    }
                }
            }
        }
    }

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "Staking",
                storage: Some(storage_metadata()),
                calls: Some(meta_type::<Call>()),
                event: Some(meta_type::<Event>()),
                error: Some(meta_type::<Error<T>>()),
                constants: vec![
                    constant("SessionsPerEra", 1u32, &[" Number of sessions per era (a session is an era on Basalt)."]),
                    constant("EraLength", T::ERA_LENGTH, &[" Blocks per era."]),
                    constant("BondingDuration", T::BONDING_DURATION, &[" Number of eras that staked funds must remain bonded for."]),
                    constant("SlashDeferDuration", T::SLASH_DEFER_DURATION, &[" Number of eras that slashes are deferred by, after computation."]),
                    constant("HistoryDepth", T::HISTORY_DEPTH, &[" Number of eras to keep in history."]),
                    constant("MaxNominations", T::MAX_NOMINATIONS, &[" Maximum number of nominations per nominator."]),
                    constant("MaxUnlockingChunks", T::MAX_UNLOCKING_CHUNKS, &[" The maximum number of `unlocking` chunks a ledger can have."]),
                    constant("MaxExposurePageSize", T::MAX_BACKERS_PER_VALIDATOR, &[" The maximum number of backers kept in one validator's exposure."]),
                    constant("MaxValidators", T::MAX_VALIDATORS, &[" The most seats in the validator set."]),
                    constant("MaxValidatorsCount", T::MAX_VALIDATOR_CANDIDATES, &[" The most validator candidates."]),
                    constant("MaxNominatorsCount", T::MAX_NOMINATORS, &[" The most nominators."]),
                    constant("MinValidatorBond", T::MIN_VALIDATOR_BOND, &[" The minimum active bond to become and maintain the role of a validator."]),
                    constant("MinNominatorBond", T::MIN_NOMINATOR_BOND, &[" The minimum active bond to become and maintain the role of a nominator."]),
                    constant("MinProviderStake", T::MIN_PROVIDER_STAKE, &[" The minimum active bond of a registered compute provider."]),
                    constant("MaxInflation", T::MAX_INFLATION, &[" The most new issuance per year, as a fraction of total issuance."]),
                    constant("IdealStake", T::IDEAL_STAKE, &[" The staking rate at and above which validators receive the whole era payout."]),
                    constant("ExpectedBlockTime", T::EXPECTED_BLOCK_TIME_MS, &[" The intended milliseconds between blocks, for the era payout."]),
                ],
                docs: vec![" Bonding, validators, nominators, compute providers, eras, elections, rewards and slashing."],
            }
        }
    }
}
