//! # basalt-runtime
//!
//! The Basalt runtime: the pallets composed with fixed indices, and everything that makes them
//! a chain that stock Substrate clients speak to unchanged.
//!
//! | index | pallet | calls | events |
//! |---|---|---|---|
//! | 0 | System | yes | yes |
//! | 1 | Timestamp | `set` (inherent) | - |
//! | 2 | Balances | yes | yes |
//! | 3 | TransactionPayment | - | yes |
//! | 4 | Sudo | yes | yes |
//! | 5 | Staking | yes | yes |
//! | 6 | Jobs | yes | yes |
//! | 7 | Nfts | yes | yes |
//! | 8 | Treasury | yes | yes |
//! | 9 | Scheduler | yes (root) | yes |
//! | 10 | Parameters | yes (root) | yes |
//! | 11 | ConvictionVoting | yes | yes |
//! | 12 | Referenda | yes | yes |
//! | 13 | Origins | - (the governance origins' index in `OriginCaller`) | - |
//! | 14 | Preimage | yes | yes |
//!
//! Storage-only state the node needs (authorities, block author) is in [`consensus`], listed in
//! metadata as `Aura` (20), `Grandpa` (21), `Authorship` (22) and `Randomness` (23).
//!
//! Modules:
//! - [`executive`] initialises, applies, finalises and executes blocks, and validates
//!   transactions;
//! - [`extensions`] holds the signed extensions (`SignedExtra`) and their checks;
//! - [`metadata`] builds metadata V14 and V15;
//! - [`version`] says which runtime this is (`RuntimeVersion`);
//! - [`api`] is the runtime API the node calls, and `state_call` by Substrate's method names;
//! - [`genesis`] builds the genesis state from the chain spec's JSON;
//! - [`tracks`] sets the referenda's tracks (Root and Treasurer) and the Treasurer's cap;
//! - [`ids`] lists every pallet id, lock id and hold id of the runtime, in one place;
//! - [`limits`] sets the block weight and length limits, [`consensus`] keeps the authorities
//!   and the block author.
//!
//! The runtime is deterministic and total: no floats, clocks, I/O or hash-map iteration, and
//! no panics on any input (errors are values).

pub mod api;
pub mod api_types;
pub mod consensus;
pub mod executive;
pub mod extensions;
pub mod genesis;
pub mod ids;
pub mod limits;
pub mod metadata;
pub mod tracks;
pub mod version;

use basalt_support::metadata::PalletDescription;
use basalt_support::primitives::{SS58_PREFIX, UNIT};
use basalt_support::{AccountId, Balance, BlockNumber, Moment, Origin, Weight, H256};
use scale_info::TypeInfo;

pub use extensions::SignedExtra;

/// The runtime: the type every pallet is configured for.
#[derive(Clone, Copy, PartialEq, Eq, Debug, TypeInfo)]
pub struct Runtime;

basalt_support::construct_runtime! {
    runtime = Runtime;
    /// The system pallet of this runtime.
    System: pallet_system = 0 { Call, Event, Error<Runtime> },
    /// The timestamp pallet of this runtime.
    Timestamp: pallet_timestamp = 1 { Call, Error<Runtime>, Inherent },
    /// The balances pallet of this runtime.
    Balances: pallet_balances = 2 { Call, Event, Error<Runtime> },
    /// The transaction-payment pallet of this runtime.
    TransactionPayment: pallet_transaction_payment = 3 { Event },
    /// The sudo pallet of this runtime.
    Sudo: pallet_sudo = 4 { Call<Runtime>, Event, Error<Runtime> },
    /// The staking pallet of this runtime.
    Staking: pallet_staking = 5 { Call, Event, Error<Runtime>, ValidateUnsigned },
    /// The compute-settlement pallet of this runtime.
    Jobs: pallet_jobs = 6 { Call, Event, Error<Runtime> },
    /// The NFT pallet of this runtime (royalties, marketplace, model NFTs).
    Nfts: pallet_nfts = 7 { Call, Event, Error<Runtime> },
    /// The treasury of this runtime (the DAO's pot).
    Treasury: pallet_treasury = 8 { Call, Event, Error<Runtime> },
    /// The scheduler of this runtime (calls dispatched at a future block).
    Scheduler: pallet_scheduler = 9 { Call<Runtime>, Event, Error<Runtime> },
    /// The runtime parameters governance may change.
    Parameters: pallet_parameters = 10 { Call, Event, Error<Runtime> },
    /// Conviction voting on the referenda.
    ConvictionVoting: pallet_conviction_voting = 11 { Call, Event, Error<Runtime> },
    /// The referenda (OpenGov tracks).
    Referenda: pallet_referenda = 12 { Call, Event, Error<Runtime> },
    /// The preimages of proposals too long to carry inline.
    Preimage: pallet_preimage = 14 { Call, Event, Error<Runtime> },
}

/// A typed extrinsic of this runtime.
pub type UncheckedExtrinsic = basalt_support::generic::UncheckedExtrinsic<RuntimeCall, SignedExtra>;

/// The least balance an account may hold: 0.001 BSLT. Low enough for dust-sized test
/// accounts, high enough that creating accounts costs something.
pub const EXISTENTIAL_DEPOSIT: Balance = UNIT / 1_000;

impl pallet_system::Config for Runtime {
    const INDEX: u8 = 0;
    const BLOCK_HASH_COUNT: BlockNumber = limits::BLOCK_HASH_COUNT;
    const MAX_BLOCK_WEIGHT: Weight = limits::MAX_BLOCK_WEIGHT;
    const MAX_BLOCK_LENGTH: u32 = limits::MAX_BLOCK_LENGTH;
    const MAX_CONSUMERS: u32 = 16;
    const SS58_PREFIX: u16 = SS58_PREFIX;
    type RuntimeEvent = RuntimeEvent;
    /// The limits the executive enforces: normal extrinsics 75% of the block, operational ones
    /// the whole block (25% reserved for them), mandatory ones unlimited.
    fn block_weights() -> pallet_system::limits::BlockWeights {
        limits::block_weights()
    }
    fn block_length() -> pallet_system::limits::BlockLength {
        limits::block_length()
    }
    fn version() -> basalt_support::version::RuntimeVersion {
        version::version()
    }
}

impl pallet_timestamp::Config for Runtime {
    const INDEX: u8 = 1;
    /// Half the shortest slot the node accepts (100 ms): the node chooses its slot duration at
    /// run time, and consecutive blocks are at least one slot apart, so a larger minimum could
    /// make a valid node's blocks fail `TooEarly`.
    const MINIMUM_PERIOD: Moment = 50;
}

impl pallet_balances::Config for Runtime {
    const INDEX: u8 = 2;
    const EXISTENTIAL_DEPOSIT: Balance = EXISTENTIAL_DEPOSIT;
    const MAX_LOCKS: u32 = 50;
    const MAX_RESERVES: u32 = 50;
    const MAX_HOLDS: u32 = 16;
}

/// Fees: a transfer (about 150 bytes, 50 us of weight) costs about 0.01 BSLT:
/// 0.005 base + 150 x 0.00001 per byte + 50 us x 0.00007 per us.
impl pallet_transaction_payment::Config for Runtime {
    const INDEX: u8 = 3;
    const BYTE_FEE: Balance = UNIT / 100_000;
    const BASE_FEE: Balance = UNIT / 200;
    /// 70 units per picosecond of ref_time: 0.00007 BSLT per microsecond.
    const WEIGHT_FEE_NUM: Balance = 70;
    const WEIGHT_FEE_DEN: Balance = 1;
    const OPERATIONAL_FEE_MULTIPLIER: u8 = 5;
    /// Half of every fee funds the treasury (the DAO's budget).
    const TREASURY_PERCENT: u8 = 50;
    /// A fifth of every fee is burned; the remaining 30% goes to the block author.
    const BURN_PERCENT: u8 = 20;
    /// Governance's split (`Parameters.FeeSplit`), else the constants.
    fn fee_split() -> (u8, u8) {
        Parameters::fee_split().map_or((Self::TREASURY_PERCENT, Self::BURN_PERCENT), |s| {
            (s.treasury_percent, s.burn_percent)
        })
    }
    fn treasury_account() -> AccountId {
        Treasury::account_id()
    }
    fn block_author() -> Option<AccountId> {
        consensus::block_author()
    }
    /// The author's share joins its era reward in staking (paid by `payout_stakers`, split
    /// by commission and stake with its nominators); an author outside the elected set is paid
    /// directly.
    fn credit_author_fee(author: &AccountId, amount: Balance) -> bool {
        Staking::note_author_fee(author, amount)
    }
}

impl pallet_sudo::Config for Runtime {
    const INDEX: u8 = 4;
    type RuntimeCall = RuntimeCall;
}

/// Blocks per era: 50 (100 s at the intended 2 s blocks; 25 s at the 500 ms slots of the
/// client test harness). One value for every chain: the pallet takes it as a constant (it is
/// also the `Staking.EraLength` metadata constant); tests that need eras sooner use root's
/// `force_new_era`.
pub const ERA_LENGTH: BlockNumber = 50;

/// Staking: eras of [`ERA_LENGTH`] blocks, 4 eras of bonding, slashes deferred 2 eras, 10%
/// maximal yearly inflation reached at 50% staked.
impl pallet_staking::Config for Runtime {
    const INDEX: u8 = 5;
    const ERA_LENGTH: BlockNumber = ERA_LENGTH;
    const EXPECTED_BLOCK_TIME_MS: u64 = 2_000;
    const BONDING_DURATION: pallet_staking::EraIndex = 4;
    const SLASH_DEFER_DURATION: pallet_staking::EraIndex = 2;
    const HISTORY_DEPTH: u32 = 84;
    const MAX_NOMINATIONS: u32 = 16;
    const MAX_UNLOCKING_CHUNKS: u32 = 32;
    const MAX_VALIDATORS: u32 = 100;
    const MAX_VALIDATOR_CANDIDATES: u32 = 1_000;
    const MAX_NOMINATORS: u32 = 10_000;
    const MAX_BACKERS_PER_VALIDATOR: u32 = 256;
    const MAX_PROVIDERS: u32 = 10_000;
    const MIN_VALIDATOR_BOND: Balance = 1_000 * UNIT;
    const MIN_NOMINATOR_BOND: Balance = 10 * UNIT;
    const MIN_PROVIDER_STAKE: Balance = 100 * UNIT;
    const MAX_INFLATION: pallet_staking::Perbill = pallet_staking::Perbill::from_percent(10);
    const IDEAL_STAKE: pallet_staking::Perbill = pallet_staking::Perbill::from_percent(50);
    const EQUIVOCATION_SLASH: pallet_staking::Perbill = pallet_staking::Perbill::from_percent(10);
    const OFFLINE_SLASH: pallet_staking::Perbill = pallet_staking::Perbill::from_percent(1);
    /// Governance's values (`Parameters`), else the constants, for the slashes and bonds.
    fn equivocation_slash() -> pallet_staking::Perbill {
        Parameters::equivocation_slash().unwrap_or(Self::EQUIVOCATION_SLASH)
    }
    fn offline_slash() -> pallet_staking::Perbill {
        Parameters::offline_slash().unwrap_or(Self::OFFLINE_SLASH)
    }
    fn min_validator_bond() -> Balance {
        Parameters::min_validator_bond().unwrap_or(Self::MIN_VALIDATOR_BOND)
    }
    fn min_nominator_bond() -> Balance {
        Parameters::min_nominator_bond().unwrap_or(Self::MIN_NOMINATOR_BOND)
    }
    fn treasury_account() -> AccountId {
        Treasury::account_id()
    }
    /// Jobs keeps its eligible-provider index in step with staking.
    type ProviderObserver = Jobs;
    fn unix_time_ms() -> Moment {
        Timestamp::now()
    }
}

/// Jobs: windows of 5 blocks (10 s at 2 s blocks), so that a job settles within 30 blocks on a
/// dev chain: redundant 1 + 5 + 5, optimistic 1 + 5 + 5 + 5 (challenge), spot-checked
/// 1 + 5 + 5 + 5 + 5. docs/JOBS.md says how the economic parameters were chosen.
impl pallet_jobs::Config for Runtime {
    const INDEX: u8 = 6;
    const PALLET_ID: basalt_support::PalletId = ids::JOBS_PALLET_ID;
    type Randomness = consensus::randomness::BlockRandomness;
    /// Programs name model NFTs of the Nfts pallet, whose owners their jobs pay.
    type Models = Nfts;
    const PROGRAM_DEPOSIT: Balance = 10 * UNIT;
    const MIN_PRICE: Balance = UNIT / 1_000;
    const MAX_REPLICAS: u8 = 5;
    /// A day at 2 s blocks.
    const MAX_TIMEOUT: BlockNumber = 43_200;
    const MAX_LIVE_JOBS: u32 = 100_000;
    const PROTOCOL_FEE: pallet_staking::Perbill = pallet_staking::Perbill::from_percent(2);
    const FEE_TREASURY_SHARE: pallet_staking::Perbill = pallet_staking::Perbill::from_percent(50);
    const SPOT_CHECK_PROBABILITY: pallet_staking::Perbill =
        pallet_staking::Perbill::from_percent(14);
    const COMMIT_WINDOW: BlockNumber = 5;
    const REVEAL_WINDOW: BlockNumber = 5;
    const CHALLENGE_WINDOW: BlockNumber = 5;
    const ASSIGN_RETRY: BlockNumber = 2;
    const CHEAT_SLASH_MULTIPLE: u32 = 100;
    const LIVENESS_SLASH_MULTIPLE: u32 = 2;
    const DECLINE_SLASH_MULTIPLE: u32 = 1;
    const EXPOSER_SHARE: pallet_staking::Perbill = pallet_staking::Perbill::from_percent(50);
    const DISPUTE_REPLICAS: u8 = 3;
    const ESCALATION_STEP: u8 = 2;
    const MAX_JOBS_PER_PROVIDER: u32 = 16;
    const JAIL_AFTER: u32 = 3;
    const MAX_DEADLINES_PER_BLOCK: u32 = 64;
}

/// NFTs: deposits as pallet-nfts's on Polkadot's Asset Hub in spirit (a collection costs more
/// than an item, bytes cost per byte), royalties up to 25%, a 1% market fee to the treasury,
/// and a usage fee of at most 100 BSLT per job whose raises wait 50 blocks (one era). docs/NFTS.md
/// says why.
impl pallet_nfts::Config for Runtime {
    const INDEX: u8 = 7;
    const COLLECTION_DEPOSIT: Balance = 10 * UNIT;
    const ITEM_DEPOSIT: Balance = UNIT / 100;
    const METADATA_DEPOSIT_BASE: Balance = UNIT / 100;
    const ATTRIBUTE_DEPOSIT_BASE: Balance = UNIT / 100;
    const DEPOSIT_PER_BYTE: Balance = UNIT / 10_000;
    const MAX_ROYALTY: u16 = 2_500;
    const MIN_ROYALTY: Balance = UNIT / 100;
    const MARKET_FEE: u16 = 100;
    /// Governance's market fee (`Parameters.MarketFee`), else the constant.
    fn market_fee() -> u16 {
        Parameters::market_fee().unwrap_or(Self::MARKET_FEE)
    }
    const MIN_OFFER: Balance = UNIT / 100;
    /// A week at 2 s blocks.
    const MAX_OFFER_DURATION: BlockNumber = 302_400;
    const MAX_USAGE_FEE: Balance = 100 * UNIT;
    const USAGE_FEE_DELAY: BlockNumber = ERA_LENGTH;
    fn treasury_account() -> AccountId {
        Treasury::account_id()
    }
}

/// A week at 2 s blocks.
const WEEK: BlockNumber = 7 * 24 * 60 * 30;

/// Treasury: a burn of 1% of unspent funds each week (as Polkadot's 1% each spend period), and
/// thirty days to claim an approved spend. The income it receives is listed in docs/GOVERNANCE.md.
impl pallet_treasury::Config for Runtime {
    const INDEX: u8 = 8;
    const PALLET_ID: basalt_support::PalletId = ids::TREASURY_PALLET_ID;
    const SPEND_PERIOD: BlockNumber = WEEK;
    const BURN: basalt_support::Permill = basalt_support::Permill::from_percent(1);
    const PAYOUT_PERIOD: BlockNumber = 30 * 24 * 60 * 30;
    /// Root spends without limit; the Treasurer track up to its cap per spend.
    fn max_spend(origin: &Origin) -> Option<Balance> {
        match origin {
            Origin::Root => Some(Balance::MAX),
            Origin::Origins(basalt_support::origin::GovernanceOrigin::Treasurer) => {
                Some(tracks::TREASURER_MAX_SPEND)
            }
            _ => None,
        }
    }
}

/// Scheduler: at most a tenth of a block's weight (200 ms, a couple of thousand simple tasks),
/// so that scheduled work, the other pallets' hooks and transactions together stay within the
/// block's limit.
impl pallet_scheduler::Config for Runtime {
    const INDEX: u8 = 9;
    type RuntimeCall = RuntimeCall;
    const MAXIMUM_WEIGHT: Weight = Weight::from_parts(
        limits::MAX_BLOCK_WEIGHT.ref_time / 10,
        limits::MAX_BLOCK_WEIGHT.proof_size / 10,
    );
}

/// Parameters: the market fee may go up to 10% (royalties take up to 25% of a sale); minimum
/// bonds may not go below 1 BSLT.
impl pallet_parameters::Config for Runtime {
    const INDEX: u8 = 10;
    const MAX_MARKET_FEE: u16 = 1_000;
    const MIN_BOND_FLOOR: Balance = UNIT;
}

/// Conviction voting: a lock period of a week (Polkadot's is 28 days; Basalt's referenda are
/// shorter), so a 6x vote stays locked 32 weeks after its referendum.
impl pallet_conviction_voting::Config for Runtime {
    const INDEX: u8 = 11;
    const VOTE_LOCKING_PERIOD: BlockNumber = WEEK;
    type Polls = Referenda;
}

/// Referenda: a 100 BSLT submission deposit, two weeks to begin deciding, the tracks of
/// [`tracks`]; slashed deposits go to the treasury.
impl pallet_referenda::Config for Runtime {
    const INDEX: u8 = 12;
    const SUBMISSION_DEPOSIT: Balance = 100 * UNIT;
    const UNDECIDING_TIMEOUT: BlockNumber = 2 * WEEK;
    const TRACKS: &'static [(pallet_referenda::TrackId, pallet_referenda::TrackInfo)] =
        &tracks::TRACKS;
    fn track_for(origin: &Origin) -> Option<pallet_referenda::TrackId> {
        tracks::track_for(origin)
    }
    type Preimages = Preimage;
    fn nudge_call(index: pallet_referenda::ReferendumIndex) -> RuntimeCall {
        RuntimeCall::Referenda(pallet_referenda::Call::nudge_referendum { index })
    }
    fn slash_destination() -> AccountId {
        Treasury::account_id()
    }
}

/// Preimages: 1 BSLT plus 0.01 BSLT per byte (a full 4 KiB call holds about 42 BSLT).
impl pallet_preimage::Config for Runtime {
    const INDEX: u8 = 14;
    const BASE_DEPOSIT: Balance = UNIT;
    const BYTE_DEPOSIT: Balance = UNIT / 100;
}

/// Index of the storage-only `Aura` entry in metadata.
pub const AURA_INDEX: u8 = 20;
/// Index of the storage-only `Grandpa` entry in metadata.
pub const GRANDPA_INDEX: u8 = 21;
/// Index of the storage-only `Authorship` entry in metadata.
pub const AUTHORSHIP_INDEX: u8 = 22;
/// Index of the storage-only `Randomness` entry in metadata (the authors' VRF outputs).
pub const RANDOMNESS_INDEX: u8 = 23;

/// A metadata entry with no calls, events, errors or constants: storage the node reads, or
/// (with `None`) only an index other types refer to.
fn storage_only(
    name: &'static str,
    storage: Option<frame_metadata::v14::PalletStorageMetadata<scale_info::form::MetaForm>>,
    doc: &'static str,
) -> PalletDescription {
    PalletDescription {
        name,
        storage,
        calls: None,
        event: None,
        error: None,
        constants: Vec::new(),
        docs: vec![doc],
    }
}

/// Every pallet's description with its index, in index order: what metadata lists.
pub fn pallet_descriptions() -> Vec<(u8, PalletDescription)> {
    let mut all = AllPallets::descriptions();
    all.extend([
        (
            basalt_support::origin::ORIGINS_PALLET_INDEX,
            storage_only(
                "Origins",
                None,
                " The governance origins (the Treasurer track's): `OriginCaller::Origins`.",
            ),
        ),
        (
            AURA_INDEX,
            storage_only(
                "Aura",
                Some(consensus::aura::storage_metadata()),
                " The block authors, in slot order.",
            ),
        ),
        (
            GRANDPA_INDEX,
            storage_only(
                "Grandpa",
                Some(consensus::grandpa::storage_metadata()),
                " The finality voters and their weights.",
            ),
        ),
        (
            AUTHORSHIP_INDEX,
            storage_only(
                "Authorship",
                Some(consensus::authorship::storage_metadata()),
                " The author of the current block.",
            ),
        ),
        (
            RANDOMNESS_INDEX,
            storage_only(
                "Randomness",
                Some(consensus::randomness::storage_metadata()),
                " The block authors' VRF outputs: this epoch's randomness and the current block's output.",
            ),
        ),
    ]);
    all.sort_by_key(|(index, _)| *index);
    all
}

/// The timestamp inherent's call for `now` (milliseconds).
pub fn timestamp_set_call(now: Moment) -> RuntimeCall {
    RuntimeCall::Timestamp(pallet_timestamp::Call::set { now })
}

/// The time a timestamp call sets.
pub fn timestamp_of_call(call: &pallet_timestamp::Call) -> Option<Moment> {
    match call {
        pallet_timestamp::Call::set { now } => Some(*now),
    }
}

/// The root of the state the externalities hold now (the parent state with this block's
/// changes so far): the header's state root when called at the end of a block.
///
/// The externalities keep the trie nodes of this computation: after `finalize_block` the node
/// takes them with `Externalities::take_trie_nodes` and stores them with the block.
pub fn storage_root() -> H256 {
    basalt_support::state::io::storage_root()
}

#[cfg(test)]
mod tests {
    use super::*;
    use codec::Encode;
    use scale_info::{PortableRegistry, Registry, TypeDef};

    fn variants<T: TypeInfo + 'static>() -> (Vec<String>, Vec<(String, u8)>) {
        let mut registry = Registry::new();
        let id = registry.register_type(&scale_info::meta_type::<T>());
        let portable: PortableRegistry = registry.into();
        let ty = portable.resolve(id.id).expect("registered");
        let TypeDef::Variant(v) = &ty.type_def else {
            panic!("an enum")
        };
        (
            ty.path.segments.clone(),
            v.variants
                .iter()
                .map(|v| (v.name.clone(), v.index))
                .collect(),
        )
    }

    #[test]
    fn pallet_indices_match_outer_enum_variants() {
        // The wire format: these indices never move (the declaration checks each against
        // its pallet's `Config::INDEX` at compile time).
        let indices = PALLETS;
        assert_eq!(
            indices,
            [
                ("System", 0),
                ("Timestamp", 1),
                ("Balances", 2),
                ("TransactionPayment", 3),
                ("Sudo", 4),
                ("Staking", 5),
                ("Jobs", 6),
                ("Nfts", 7),
                ("Treasury", 8),
                ("Scheduler", 9),
                ("Parameters", 10),
                ("ConvictionVoting", 11),
                ("Referenda", 12),
                ("Preimage", 14),
            ]
        );
        let index_of = |name: &str| indices.iter().find(|(n, _)| *n == name).map(|(_, i)| *i);

        let (path, calls) = variants::<RuntimeCall>();
        assert_eq!(path, vec!["basalt_runtime", "RuntimeCall"]);
        assert_eq!(calls.len(), 13);
        for (name, index) in &calls {
            assert_eq!(index_of(name), Some(*index), "RuntimeCall::{name}");
        }
        let (path, events) = variants::<RuntimeEvent>();
        assert_eq!(path, vec!["basalt_runtime", "RuntimeEvent"]);
        assert_eq!(events.len(), 13);
        for (name, index) in &events {
            assert_eq!(index_of(name), Some(*index), "RuntimeEvent::{name}");
        }
        let (path, errors) = variants::<RuntimeError>();
        assert_eq!(path, vec!["basalt_runtime", "RuntimeError"]);
        assert_eq!(errors.len(), 13);
        for (name, index) in &errors {
            assert_eq!(index_of(name), Some(*index), "RuntimeError::{name}");
        }
        let mut described = 0;
        for (index, description) in pallet_descriptions() {
            if let Some(expected) = index_of(description.name) {
                assert_eq!(expected, index, "{}", description.name);
                described += 1;
            }
        }
        assert_eq!(described, indices.len(), "every pallet is in metadata");
    }

    #[test]
    fn encoded_calls_start_with_the_pallet_index() {
        let call = timestamp_set_call(7);
        assert_eq!(call.encode(), vec![1, 0, 7 << 2]);
        let remark = RuntimeCall::System(pallet_system::Call::remark { remark: vec![1] });
        assert_eq!(remark.encode()[..2], [0, 0]);
    }

    #[test]
    fn every_income_is_paid_to_the_treasury_pallets_account() {
        let treasury = Treasury::account_id();
        // Fees' treasury share, staking slashes, Jobs' slashes and protocol fee, NFT market fees.
        assert_eq!(
            <Runtime as pallet_transaction_payment::Config>::treasury_account(),
            treasury
        );
        assert_eq!(
            <Runtime as pallet_staking::Config>::treasury_account(),
            treasury
        );
        assert_eq!(
            <Runtime as pallet_nfts::Config>::treasury_account(),
            treasury
        );
        // Killed referenda's deposits.
        assert_eq!(
            <Runtime as pallet_referenda::Config>::slash_destination(),
            treasury
        );
    }

    #[test]
    fn treasury_account_is_substrates() {
        use basalt_support::sp_core::crypto::{Ss58AddressFormat, Ss58Codec};
        assert_eq!(
            Treasury::account_id().to_ss58check_with_version(Ss58AddressFormat::custom(42)),
            "5EYCAe5ijiYfyeZ2JJCGq56LmPyNRAKzpG4QkoQkkQNB5e6Z"
        );
    }
}
