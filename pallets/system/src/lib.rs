//! # System pallet
//!
//! The pallet every other pallet builds on. It owns:
//! - accounts: `System.Account` (nonce, reference counts, balance data) and the rules that create
//!   an account when something provides for it and reap it when nothing does;
//! - the block being built: number, parent hash, digest, block hashes of the mortality window,
//!   weight and length consumed, extrinsic count and the execution phase;
//! - events: every pallet deposits its events here; they are stored in `System.Events` as
//!   `EventRecord { phase, event, topics }` when the block is finalised, as Substrate lays them out.
//!
//! Calls: `remark`, `remark_with_event` (anyone) and `set_storage`, `kill_storage`, `kill_prefix`
//! (root only).

pub use pallet::*;

use basalt_support::Nonce;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
pub use types::AccountData;

pub mod limits;

/// Balance types stored by the system pallet on behalf of balances, with Substrate's type path
/// (`pallet_balances::types::AccountData`).
pub mod types {
    use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
    use scale_info::TypeInfo;

    /// Balance data kept in every account, as `pallet_balances::types::AccountData`.
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
    #[scale_info(replace_segment("pallet_system", "pallet_balances"))]
    pub struct AccountData {
        /// Balance that can be spent, reserved or locked.
        pub free: u128,
        /// Balance set aside by reserves and holds; it still belongs to the account.
        pub reserved: u128,
        /// The part of `free` that may not be spent (the largest lock).
        pub frozen: u128,
        /// Flags (bit 127 marks the new reference-counting logic, as Substrate sets it).
        pub flags: u128,
    }
}

/// An account's record, as `frame_system::AccountInfo`. Its default is 80 zero bytes.
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
#[scale_info(replace_segment("pallet_system", "frame_system"))]
pub struct AccountInfo {
    /// The number of transactions this account has sent.
    pub nonce: Nonce,
    /// How many things depend on this account existing (holds, locks, ...).
    pub consumers: u32,
    /// How many things keep this account alive (a balance above the existential deposit).
    pub providers: u32,
    /// How many self-sufficient assets keep the account alive.
    pub sufficients: u32,
    /// The account's balance.
    pub data: AccountData,
}

/// Which part of the block is executing, as `frame_system::Phase`.
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
#[scale_info(replace_segment("pallet_system", "frame_system"))]
pub enum Phase {
    /// Applying the extrinsic at this index.
    ApplyExtrinsic(u32),
    /// Finalising the block.
    Finalization,
    /// Initialising the block.
    Initialization,
}

/// One event with the phase that emitted it, as `frame_system::EventRecord<E, T>`.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
#[scale_info(replace_segment("pallet_system", "frame_system"))]
pub struct EventRecord<E, T> {
    /// When the event was emitted.
    pub phase: Phase,
    /// The event (runtime event enum: pallet index, then the pallet's event).
    pub event: E,
    /// Topics for filtering (unused by Basalt, always empty).
    pub topics: Vec<T>,
}

#[cfg(test)]
mod tests;

/// The pallet: configuration, storage, events, errors, calls and the block-building functions.
pub mod pallet {
    pub use super::{AccountData, AccountInfo, EventRecord, Phase};
    use basalt_support::dispatch::{DispatchInfo, DispatchResultWithPostInfo, PerDispatchClass};
    use basalt_support::generic::digest::Digest as HeaderDigest;
    use basalt_support::metadata::{constant, DescribePallet, PalletDescription};
    use basalt_support::primitives::hashing::blake2_256;
    use basalt_support::state::io;
    use basalt_support::storage::{Blake2_128Concat, OptionQuery, Twox64Concat, ValueQuery};
    use basalt_support::weight_v2::constants::reads_writes;
    use basalt_support::{
        AccountId, BlockNumber, DispatchError, DispatchResult, Nonce, Origin, Weight, H256,
    };
    use codec::{Compact, Decode, Encode};
    use core::marker::PhantomData;
    use scale_info::{meta_type, StaticTypeInfo, TypeInfo};

    /// What the runtime tells the system pallet.
    pub trait Config: 'static {
        /// This pallet's index in the runtime.
        const INDEX: u8;
        /// How many recent block hashes are kept (`System.BlockHash`): the longest mortality
        /// window a transaction may use.
        const BLOCK_HASH_COUNT: BlockNumber;
        /// The most weight a block may use.
        const MAX_BLOCK_WEIGHT: Weight;
        /// The most bytes of extrinsics a block may hold.
        const MAX_BLOCK_LENGTH: u32;
        /// The most consumers (holds, locks, ...) that may reference one account.
        const MAX_CONSUMERS: u32;
        /// The SS58 address prefix, published as the `SS58Prefix` constant.
        const SS58_PREFIX: u16;
        /// The block's weight limits per dispatch class, published as `BlockWeights`: by
        /// default every class may use the whole `MAX_BLOCK_WEIGHT`.
        fn block_weights() -> crate::limits::BlockWeights {
            crate::limits::BlockWeights::whole_block(Self::MAX_BLOCK_WEIGHT)
        }
        /// The block's length limits per dispatch class, published as `BlockLength`: by
        /// default every class may use the whole `MAX_BLOCK_LENGTH`.
        fn block_length() -> crate::limits::BlockLength {
            crate::limits::BlockLength::whole_block(Self::MAX_BLOCK_LENGTH)
        }
        /// The runtime's version, published as `Version` (by default an empty one, for mocks).
        fn version() -> basalt_support::version::RuntimeVersion {
            basalt_support::version::RuntimeVersion::default()
        }
        /// The runtime's outer event enum; only its type is used, to describe `System.Events`.
        type RuntimeEvent: StaticTypeInfo;
    }

    /// The system pallet's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "System";
        /// The full account information for a particular account ID.
        pub Account: StorageMap<Blake2_128Concat, AccountId, AccountInfo, ValueQuery>;
        /// Total extrinsics count for the current block.
        pub ExtrinsicCount: StorageValue<u32, OptionQuery>;
        /// The current weight for the block, per dispatch class.
        pub BlockWeight: StorageValue<PerDispatchClass<Weight>, ValueQuery>;
        /// Total length (in bytes) for all extrinsics put together, for the current block.
        pub AllExtrinsicsLen: StorageValue<u32, OptionQuery>;
        /// Map of block numbers to block hashes, for the mortality window.
        pub BlockHash: StorageMap<Twox64Concat, BlockNumber, H256, ValueQuery>;
        /// The current block number being processed.
        pub Number: StorageValue<BlockNumber, ValueQuery>;
        /// Hash of the previous block.
        pub ParentHash: StorageValue<H256, ValueQuery>;
        /// Digest of the current block, also part of the block header.
        pub Digest: StorageValue<HeaderDigest, ValueQuery>;
        /// The number of events in the `Events<T>` list.
        pub EventCount: StorageValue<u32, ValueQuery>;
        /// The execution phase of the block.
        pub ExecutionPhase: StorageValue<Phase, OptionQuery>;
    }

    /// The storage key of `System.Events` (twox128("System") ++ twox128("Events")).
    pub fn events_key() -> [u8; 32] {
        let mut key = [0u8; 32];
        key[..16].copy_from_slice(&basalt_support::primitives::hashing::twox_128(b"System"));
        key[16..].copy_from_slice(&basalt_support::primitives::hashing::twox_128(b"Events"));
        key
    }

    /// Events of the system pallet, as `frame_system::pallet::Event`.
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    #[scale_info(replace_segment("pallet_system", "frame_system"))]
    pub enum Event {
        /// An extrinsic completed successfully.
        #[codec(index = 0)]
        ExtrinsicSuccess {
            /// Its weight, class and fee policy.
            dispatch_info: DispatchInfo,
        },
        /// An extrinsic failed.
        #[codec(index = 1)]
        ExtrinsicFailed {
            /// Why it failed.
            dispatch_error: DispatchError,
            /// Its weight, class and fee policy.
            dispatch_info: DispatchInfo,
        },
        /// A new account was created.
        #[codec(index = 3)]
        NewAccount {
            /// The account.
            account: AccountId,
        },
        /// An account was reaped.
        #[codec(index = 4)]
        KilledAccount {
            /// The account.
            account: AccountId,
        },
        /// On-chain remark happened.
        #[codec(index = 5)]
        Remarked {
            /// Who remarked.
            sender: AccountId,
            /// The blake2-256 hash of the remark.
            hash: H256,
        },
    }

    basalt_support::pallet_error! {
        /// Errors of the system pallet.
        #[scale_info(replace_segment("pallet_system", "frame_system"))]
        pub enum Error<T: Config> {
            /// Suicide called when the account has non-default composite data.
            NonDefaultComposite,
            /// There is a non-zero reference count preventing the account from being purged.
            NonZeroRefCount,
        }
    }

    /// Weights of the system calls.
    pub mod weights {
        use super::*;
        /// Base cost of any call (decode, origin check, event).
        const BASE: Weight = Weight::from_parts(5_000_000, 0);
        /// Cost per byte hashed or copied.
        const PER_BYTE: u64 = 1_000;

        /// `remark`: hashing-free, length-proportional.
        pub fn remark(len: usize) -> Weight {
            BASE.saturating_add(Weight::from_ref_time(PER_BYTE.saturating_mul(len as u64)))
        }
        /// `remark_with_event`: hashes the remark and deposits an event.
        pub fn remark_with_event(len: usize) -> Weight {
            remark(len).saturating_add(Weight::from_ref_time(PER_BYTE.saturating_mul(len as u64)))
        }
        /// `set_storage`, `kill_storage`, `kill_prefix`: one write per item.
        pub fn writes(items: usize) -> Weight {
            BASE.saturating_add(reads_writes(0, items as u64))
        }
    }

    /// Calls of the system pallet, as `frame_system::pallet::Call`.
    #[basalt_support::call]
    #[scale_info(replace_segment("pallet_system", "frame_system"))]
    impl<T: Config> Pallet<T> {
        /// Make some on-chain remark. Anyone signed; changes nothing.
        #[pallet::call_index(0)]
        #[pallet::weight(weights::remark(remark.len()))]
        pub fn remark(
            origin: Origin,
            /// The remark.
            remark: Vec<u8>,
        ) -> DispatchResult {
            let _ = remark;
            origin.ensure_signed()?;
            Ok(())
        }

        /// Set some items of storage. Root only.
        #[pallet::call_index(4)]
        #[pallet::weight(weights::writes(items.len()))]
        #[pallet::class(Operational)]
        pub fn set_storage(
            origin: Origin,
            /// The key/value pairs to write.
            items: Vec<(Vec<u8>, Vec<u8>)>,
        ) -> DispatchResult {
            origin.ensure_root()?;
            for (k, v) in items {
                io::set(&k, &v);
            }
            Ok(())
        }

        /// Kill some items from storage. Root only.
        #[pallet::call_index(5)]
        #[pallet::weight(weights::writes(keys.len()))]
        #[pallet::class(Operational)]
        pub fn kill_storage(
            origin: Origin,
            /// The keys to delete.
            keys: Vec<Vec<u8>>,
        ) -> DispatchResult {
            origin.ensure_root()?;
            for k in keys {
                io::clear(&k);
            }
            Ok(())
        }

        /// Kill all storage items with a key that starts with the given prefix. Root only.
        /// Charged for `subkeys` writes up front; reports (and is refunded down to) the keys it
        /// really deleted.
        #[pallet::call_index(6)]
        #[pallet::weight(weights::writes(*subkeys as usize))]
        #[pallet::class(Operational)]
        pub fn kill_prefix(
            origin: Origin,
            /// The prefix.
            prefix: Vec<u8>,
            /// The most keys to delete.
            subkeys: u32,
        ) -> DispatchResultWithPostInfo {
            origin.ensure_root()?;
            let removed = io::clear_prefix(&prefix, subkeys);
            Ok(Some(weights::writes(removed as usize)).into())
        }

        /// Make some on-chain remark and emit `Remarked` with its hash. Anyone signed.
        #[pallet::call_index(7)]
        #[pallet::weight(weights::remark_with_event(remark.len()))]
        pub fn remark_with_event(
            origin: Origin,
            /// The remark.
            remark: Vec<u8>,
        ) -> DispatchResult {
            let sender = origin.ensure_signed()?;
            let hash = H256(blake2_256(&remark));
            Self::deposit_event(Event::Remarked { sender, hash });
            Ok(())
        }
    }

    /// Whether an account reference count went up from nothing.
    #[derive(Debug, PartialEq, Eq)]
    pub enum IncRefStatus {
        /// The account was created by this reference.
        Created,
        /// The account already existed.
        Existed,
    }

    /// Whether removing a provider reaped the account.
    #[derive(Debug, PartialEq, Eq)]
    pub enum DecRefStatus {
        /// The account was removed.
        Reaped,
        /// The account still exists.
        Exists,
    }

    impl<T: Config> Pallet<T> {
        /// Deposit `event` of the pallet at runtime index `pallet_index`. Events are not kept
        /// during genesis (block 0), as in Substrate.
        pub fn deposit_event_of(pallet_index: u8, event: &impl Encode) {
            if Number::get() == 0 {
                return;
            }
            let phase = ExecutionPhase::get().unwrap_or(Phase::Initialization);
            let mut record = Vec::with_capacity(64);
            phase.encode_to(&mut record);
            record.push(pallet_index);
            event.encode_to(&mut record);
            record.push(0); // no topics
            io::deposit_event(record);
        }

        /// Deposit one of this pallet's events.
        pub fn deposit_event(event: Event) {
            Self::deposit_event_of(T::INDEX, &event)
        }

        /// The events deposited so far in this block whose pallet index is `pallet_index`,
        /// decoded as `E`; for tests and RPC helpers.
        pub fn events_of<E: Decode>(pallet_index: u8) -> Vec<E> {
            io::events()
                .into_iter()
                .filter_map(|record| {
                    let mut input = &record[..];
                    Phase::decode(&mut input).ok()?;
                    let (&index, mut rest) = input.split_first()?;
                    if index != pallet_index {
                        return None;
                    }
                    E::decode(&mut rest).ok()
                })
                .collect()
        }

        /// The system pallet's own events so far in this block.
        pub fn events() -> Vec<Event> {
            Self::events_of(T::INDEX)
        }

        /// Start block `number` on top of `parent_hash`: reset per-block state, remember the
        /// parent's hash for mortality checks and enter the initialisation phase.
        pub fn initialize(number: BlockNumber, parent_hash: H256, digest: &HeaderDigest) {
            let _ = io::take_events();
            io::clear(&events_key());
            EventCount::kill();
            ExecutionPhase::put(Phase::Initialization);
            Number::put(number);
            ParentHash::put(parent_hash);
            Digest::put(digest);
            BlockWeight::kill();
            AllExtrinsicsLen::kill();
            ExtrinsicCount::kill();
            BlockHash::insert(number.saturating_sub(1), parent_hash);
            // Keep hashes for the mortality window only, and the genesis hash for ever
            // (CheckGenesis signs it into every extrinsic).
            let expired = number.saturating_sub(T::BLOCK_HASH_COUNT).saturating_sub(1);
            if expired != 0 {
                BlockHash::remove(expired);
            }
        }

        /// Enter the phase of applying the extrinsic at `index`.
        pub fn note_applying_extrinsic(index: u32) {
            ExecutionPhase::put(Phase::ApplyExtrinsic(index));
        }

        /// Record the outcome of the extrinsic being applied: emit `ExtrinsicSuccess` or
        /// `ExtrinsicFailed` and count it.
        pub fn note_applied_extrinsic(result: &DispatchResult, info: DispatchInfo) {
            let event = match result {
                Ok(()) => Event::ExtrinsicSuccess {
                    dispatch_info: info,
                },
                Err(e) => Event::ExtrinsicFailed {
                    dispatch_error: *e,
                    dispatch_info: info,
                },
            };
            Self::deposit_event(event);
            let next = match ExecutionPhase::get() {
                Some(Phase::ApplyExtrinsic(i)) => i.saturating_add(1),
                _ => 0,
            };
            ExtrinsicCount::put(next);
        }

        /// Enter the finalisation phase.
        pub fn note_finished_extrinsics() {
            ExecutionPhase::put(Phase::Finalization);
        }

        /// Write this block's events to `System.Events` and clear per-block bookkeeping.
        /// Returns the block's digest.
        pub fn finalize() -> HeaderDigest {
            let records = io::take_events();
            let count = u32::try_from(records.len()).unwrap_or(u32::MAX);
            let mut encoded = Compact(count).encode();
            for record in &records {
                encoded.extend_from_slice(record);
            }
            io::set(&events_key(), &encoded);
            EventCount::put(count);
            ExecutionPhase::kill();
            Digest::get()
        }

        /// The current block number.
        pub fn block_number() -> BlockNumber {
            Number::get()
        }

        /// The hash of block `n`, if it is within the kept window (block 0: the genesis hash).
        pub fn block_hash(n: BlockNumber) -> Option<H256> {
            BlockHash::try_get(n)
        }

        /// The nonce of `who`.
        pub fn account_nonce(who: &AccountId) -> Nonce {
            Account::get(who).nonce
        }

        /// Increment the nonce of `who` (saturating: a nonce never wraps).
        pub fn inc_account_nonce(who: &AccountId) {
            Account::mutate(who, |a| a.nonce = a.nonce.saturating_add(1));
        }

        /// Whether the account exists (something provides for it).
        pub fn account_exists(who: &AccountId) -> bool {
            let a = Account::get(who);
            a.providers > 0 || a.sufficients > 0
        }

        /// Add a provider to `who`, creating the account (and emitting `NewAccount`) if it had none.
        pub fn inc_providers(who: &AccountId) -> IncRefStatus {
            let created = Account::mutate(who, |a| {
                let created = a.providers == 0 && a.sufficients == 0;
                a.providers = a.providers.saturating_add(1);
                created
            });
            if created {
                Self::deposit_event(Event::NewAccount {
                    account: who.clone(),
                });
                IncRefStatus::Created
            } else {
                IncRefStatus::Existed
            }
        }

        /// Remove a provider from `who`; reaps the account (emitting `KilledAccount`) when its
        /// last provider goes. Fails with `ConsumerRemaining` if the last provider would go while
        /// consumers remain.
        pub fn dec_providers(who: &AccountId) -> Result<DecRefStatus, DispatchError> {
            let mut info = Account::get(who);
            if info.providers == 0 {
                return Ok(DecRefStatus::Exists);
            }
            if info.providers == 1 && info.sufficients == 0 {
                if info.consumers > 0 {
                    return Err(DispatchError::ConsumerRemaining);
                }
                Account::remove(who);
                Self::deposit_event(Event::KilledAccount {
                    account: who.clone(),
                });
                return Ok(DecRefStatus::Reaped);
            }
            info.providers -= 1;
            Account::insert(who, info);
            Ok(DecRefStatus::Exists)
        }

        /// Add a consumer to `who`. Fails if the account has no provider or too many consumers.
        pub fn inc_consumers(who: &AccountId) -> Result<(), DispatchError> {
            Account::try_mutate(who, |a| {
                if a.providers == 0 {
                    return Err(DispatchError::NoProviders);
                }
                if a.consumers >= T::MAX_CONSUMERS {
                    return Err(DispatchError::TooManyConsumers);
                }
                a.consumers += 1;
                Ok(())
            })
        }

        /// Remove a consumer from `who` (saturating).
        pub fn dec_consumers(who: &AccountId) {
            if Account::contains_key(who) {
                Account::mutate(who, |a| a.consumers = a.consumers.saturating_sub(1));
            }
        }

        /// Whether `who` can lose its last provider without leaving consumers dangling.
        pub fn can_dec_provider(who: &AccountId) -> bool {
            let a = Account::get(who);
            a.consumers == 0 || a.providers > 1
        }
    }

    impl<T: Config> basalt_support::hooks::Hooks for Pallet<T> {}

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            let mut storage = storage_metadata();
            storage
                .entries
                .push(frame_metadata::v14::StorageEntryMetadata {
                    name: "Events",
                    modifier: frame_metadata::v14::StorageEntryModifier::Default,
                    ty: frame_metadata::v14::StorageEntryType::Plain(meta_type::<
                        Vec<EventRecord<T::RuntimeEvent, H256>>,
                    >()),
                    default: vec![0],
                    docs: vec![" Events deposited for the current block."],
                });
            PalletDescription {
                name: "System",
                storage: Some(storage),
                calls: Some(meta_type::<Call>()),
                event: Some(meta_type::<Event>()),
                error: Some(meta_type::<Error<T>>()),
                constants: vec![
                    constant(
                        "BlockHashCount",
                        T::BLOCK_HASH_COUNT,
                        &[" Maximum number of block number to block hash mappings to keep."],
                    ),
                    constant(
                        "SS58Prefix",
                        T::SS58_PREFIX,
                        &[" The designated SS58 prefix of this chain."],
                    ),
                    constant(
                        "BlockWeights",
                        T::block_weights(),
                        &[" Block & extrinsics weights: base values and limits."],
                    ),
                    constant(
                        "BlockLength",
                        T::block_length(),
                        &[" The maximum length of a block (in bytes)."],
                    ),
                    constant(
                        "DbWeight",
                        basalt_support::weight_v2::constants::DB_WEIGHT,
                        &[" The weight of runtime database operations the runtime can invoke."],
                    ),
                    constant(
                        "Version",
                        T::version(),
                        &[" Get the chain's in-code version."],
                    ),
                ],
                docs: vec![" Accounts, block bookkeeping and events."],
            }
        }
    }
}

/// Implements [`Config`] for a pallet's mock runtime with the values every pallet's unit tests
/// use, so the mock system configuration lives in one place.
///
/// `impl_test_config!(Test)` uses 16 consumers per account and the system's own event type as
/// the runtime event; `impl_test_config!(Test, max_consumers = 3, event = Event)` overrides both.
#[macro_export]
macro_rules! impl_test_config {
    ($runtime:ty) => {
        $crate::impl_test_config!($runtime, max_consumers = 16, event = $crate::Event);
    };
    ($runtime:ty, max_consumers = $consumers:expr, event = $event:ty) => {
        impl $crate::Config for $runtime {
            const INDEX: u8 = 0;
            const BLOCK_HASH_COUNT: u32 = 4;
            const MAX_BLOCK_WEIGHT: basalt_support::Weight =
                basalt_support::Weight::from_parts(2_000_000_000_000, u64::MAX);
            const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;
            const MAX_CONSUMERS: u32 = $consumers;
            const SS58_PREFIX: u16 = 42;
            type RuntimeEvent = $event;
        }
    };
}
