//! # Timestamp pallet
//!
//! Keeps the chain's notion of time: the block author puts the wall-clock time of its slot into
//! every block with the unsigned `Timestamp.set` inherent, and `Timestamp.Now` (milliseconds
//! since the Unix epoch) is what other pallets and stock clients read.
//!
//! Rules, as Substrate's `pallet_timestamp`:
//! - `set` is accepted from the `None` origin only (an inherent), at most once per block;
//! - each timestamp must be at least `MinimumPeriod` after the previous one (the first one, with
//!   `Now` still zero, may be anything);
//! - `DidUpdate` records that this block set the time; `on_finalize` clears it. Substrate panics
//!   in `on_finalize` when a block lacks the inherent; Basalt leaves that check to the executive,
//!   which reads [`Pallet::did_update`], so that a bad block is rejected with an error instead
//!   of a crash.
//!
//! Where Substrate's `set` panics on a second call or a timestamp too early, Basalt's returns a
//! typed error (`AlreadySet`, `TooEarly`); the executive treats any failing inherent as an invalid
//! block.

pub use pallet::*;

#[cfg(test)]
mod tests;

/// The pallet: configuration, storage, errors, the `set` call and the hooks.
pub mod pallet {
    use basalt_support::hooks::Hooks;
    use basalt_support::metadata::{constant, DescribePallet, PalletDescription};
    use basalt_support::storage::ValueQuery;
    use basalt_support::{BlockNumber, DispatchResult, Moment, Origin, Weight};
    use core::marker::PhantomData;
    use scale_info::meta_type;

    /// How far ahead of the importing node's clock a block's timestamp may be, in milliseconds
    /// (Substrate's `MAX_TIMESTAMP_DRIFT_MILLIS`): nodes use it to refuse blocks from the future.
    pub const MAX_TIMESTAMP_DRIFT_MILLIS: Moment = 30_000;

    /// What the runtime tells the timestamp pallet.
    pub trait Config: pallet_system::Config {
        /// This pallet's index in the runtime; its errors carry it.
        const INDEX: u8;
        /// The least time, in milliseconds, between two blocks' timestamps: half the slot
        /// duration, as Substrate configures it for Aura. Published as the `MinimumPeriod`
        /// constant, which @polkadot/api reads to size mortal eras.
        const MINIMUM_PERIOD: Moment;
    }

    /// The timestamp pallet's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "Timestamp";
        /// The current time for the current block.
        pub Now: StorageValue<Moment, ValueQuery>;
        /// Whether the timestamp has been updated in this block.
        ///
        /// This value is updated to `true` upon successful submission of a timestamp by a node.
        /// It is then checked at the end of each block execution in the `on_finalize` hook.
        pub DidUpdate: StorageValue<bool, ValueQuery>;
    }

    basalt_support::pallet_error! {
        /// Errors of the timestamp pallet (where Substrate panics).
        pub enum Error<T: Config> {
            /// The timestamp was already set in this block.
            AlreadySet,
            /// The timestamp is less than `MinimumPeriod` after the previous block's.
            TooEarly,
        }
    }

    /// Weights of the timestamp pallet's call and hooks.
    pub mod weights {
        use basalt_support::weight_v2::constants::{reads_writes, MICROS};
        use basalt_support::Weight;

        /// `set`: reads `DidUpdate` and `Now`, writes both, plus its checks.
        pub const fn set() -> Weight {
            reads_writes(2, 2).saturating_add(Weight::from_ref_time(5 * MICROS))
        }

        /// `on_finalize`: clears `DidUpdate`. Counted in `on_initialize`, as Substrate does,
        /// because `on_finalize` cannot report weight.
        pub const fn on_finalize() -> Weight {
            reads_writes(0, 1)
        }
    }

    /// Calls of the timestamp pallet, as `pallet_timestamp::pallet::Call`.
    #[basalt_support::call]
    impl<T: Config> Pallet<T> {
        /// Set the current time. An inherent: unsigned (`None` origin), once per block,
        /// mandatory class. `now` is in milliseconds since the Unix epoch and must be at least
        /// `MinimumPeriod` after the previous block's timestamp.
        #[pallet::call_index(0)]
        #[pallet::weight(weights::set())]
        #[pallet::class(Mandatory)]
        #[pallet::pays(No)]
        pub fn set(
            origin: Origin,
            /// The time of the block, in milliseconds.
            #[pallet::compact]
            now: Moment,
        ) -> DispatchResult {
            origin.ensure_none()?;
            Self::set_timestamp(now)
        }
    }

    impl<T: Config> Pallet<T> {
        /// The time of the current block in milliseconds since the Unix epoch (zero before the
        /// first `set`). What other pallets use as "now" (deadlines, eras).
        pub fn now() -> Moment {
            Now::get()
        }

        /// Whether the current block has set its timestamp yet. The executive requires it before
        /// finalising a block, where Substrate's `on_finalize` would panic.
        pub fn did_update() -> bool {
            DidUpdate::get()
        }

        /// The `MinimumPeriod` constant, for the node (slot duration is twice this).
        pub fn minimum_period() -> Moment {
            <T as Config>::MINIMUM_PERIOD
        }

        /// Whether a block timestamp `proposed` is acceptable to a node whose clock reads
        /// `local_now`: not more than [`MAX_TIMESTAMP_DRIFT_MILLIS`] in the future.
        pub fn is_within_drift(proposed: Moment, local_now: Moment) -> bool {
            proposed <= local_now.saturating_add(MAX_TIMESTAMP_DRIFT_MILLIS)
        }

        /// The body of `set`, without the origin check: records `now` for this block.
        fn set_timestamp(now: Moment) -> DispatchResult {
            if DidUpdate::get() {
                return Err(Error::<T>::AlreadySet.into());
            }
            let prev = Now::get();
            if prev != 0 && now < prev.saturating_add(<T as Config>::MINIMUM_PERIOD) {
                return Err(Error::<T>::TooEarly.into());
            }
            Now::put(now);
            DidUpdate::put(true);
            Ok(())
        }

        /// Set `Now` at genesis (optional; Substrate leaves it zero until block 1).
        pub fn genesis_set_now(now: Moment) {
            Now::put(now);
        }
    }

    impl<T: Config> basalt_support::validity::ProvideInherent for Pallet<T> {
        type Call = Call;
        /// `set` is the timestamp inherent: the block author puts it first in every block.
        fn is_inherent(call: &Call) -> bool {
            matches!(call, Call::set { .. })
        }
    }

    impl<T: Config> Hooks for Pallet<T> {
        /// Reports the weight of `on_finalize`, which cannot report its own.
        fn on_initialize(_n: BlockNumber) -> Weight {
            weights::on_finalize()
        }

        /// Clears `DidUpdate` so the next block must set the time again.
        fn on_finalize(_n: BlockNumber) {
            DidUpdate::kill();
        }
    }

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "Timestamp",
                storage: Some(storage_metadata()),
                calls: Some(meta_type::<Call>()),
                event: None,
                error: Some(meta_type::<Error<T>>()),
                constants: vec![constant(
                    "MinimumPeriod",
                    <T as Config>::MINIMUM_PERIOD,
                    &[
                        " The minimum period between blocks.",
                        "",
                        " Be aware that this is different to the *expected* period that the block production",
                        " apparatus provides. Your chosen consensus system will generally work with this to",
                        " determine a sensible block time. For example, in the Aura pallet it will be double this",
                        " period on default settings.",
                    ],
                )],
                docs: vec![" The on-chain time: the `set` inherent and `Timestamp.Now` (milliseconds)."],
            }
        }
    }
}
