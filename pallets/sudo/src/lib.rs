//! # Sudo pallet
//!
//! A single key that may act as root: dev and test chains use it to change storage, set balances
//! or upgrade parameters before governance exists. As Substrate's `pallet_sudo`:
//! - `sudo(call)` dispatches `call` with the `Root` origin, `sudo_as(who, call)` with
//!   `Signed(who)`; both succeed whenever the sender is the key and report the inner call's
//!   outcome in an event (`Sudid` / `SudoAsDone`), so the key always learns what happened;
//! - the inner call runs in its own storage transaction: its failure undoes its own writes and
//!   events, and nothing else (the sudo event is still emitted);
//! - `set_key` hands the key to another account, `remove_key` removes it for good.
//!
//! Differences from Substrate, and why:
//! - `sudo` and `sudo_as` report their actual weight (their own plus what the inner call
//!   reported it used), so the key is refunded what the inner call did not use, as in FRAME;
//!   but unlike FRAME they do not become `Pays::No`: the key pays the corrected fee for each
//!   sudo extrinsic (a non-key sender pays too, which is what stops anyone from spamming free
//!   failing sudo calls). `sudo_unchecked_weight` charges the weight the key chose.
//! - The dispatch class of `sudo`, `sudo_unchecked_weight` and `sudo_as` is the inner call's, as
//!   in Substrate, except that `Mandatory` becomes `Normal`: a signed extrinsic may never be
//!   mandatory (the executive refuses it), and sudo-ing an inherent is not a use case.

pub use pallet::*;

#[cfg(test)]
mod tests;

/// The pallet: configuration, storage, events, errors, calls and their weights.
pub mod pallet {
    use basalt_support::dispatch::{
        DispatchClass, DispatchInfo, DispatchResultWithPostInfo, Dispatchable, Pays,
    };
    use basalt_support::hooks::Hooks;
    use basalt_support::metadata::{DescribePallet, PalletDescription};
    use basalt_support::multiaddress::MultiAddress;
    use basalt_support::state::io;
    use basalt_support::storage::OptionQuery;
    use basalt_support::{AccountId, DispatchError, DispatchResult, Origin, Weight};
    use codec::{Decode, Encode};
    use core::marker::PhantomData;
    use scale_info::{meta_type, TypeInfo};

    /// The address form calls take, as Substrate's `AccountIdLookupOf<T>` in a node runtime.
    pub type Address = MultiAddress<AccountId, ()>;

    /// What the runtime tells the sudo pallet. (`Sized` because `RuntimeCall` is dispatched
    /// in the runtime `Self`.)
    pub trait Config: pallet_system::Config + Sized {
        /// This pallet's index in the runtime; its events and errors carry it.
        const INDEX: u8;
        /// The runtime's outer call enum: what sudo dispatches. Its type describes the `call`
        /// fields of this pallet's calls in metadata, as in FRAME.
        type RuntimeCall: basalt_support::dispatch::OuterCall<Self>;
    }

    /// The sudo pallet's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "Sudo";
        /// The `AccountId` of the sudo key.
        pub Key: StorageValue<AccountId, OptionQuery>;
    }

    /// Events of the sudo pallet, as `pallet_sudo::pallet::Event`.
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// A sudo call just took place.
        #[codec(index = 0)]
        Sudid {
            /// The result of the call made by the sudo user.
            sudo_result: DispatchResult,
        },
        /// The sudo key has been updated.
        #[codec(index = 1)]
        KeyChanged {
            /// The old sudo key (if one was previously set).
            old: Option<AccountId>,
            /// The new sudo key (if one was set).
            new: AccountId,
        },
        /// The key was permanently removed.
        #[codec(index = 2)]
        KeyRemoved,
        /// A [sudo_as](Call::sudo_as) call just took place.
        #[codec(index = 3)]
        SudoAsDone {
            /// The result of the call made by the sudo user.
            sudo_result: DispatchResult,
        },
    }

    basalt_support::pallet_error! {
        /// Error for the Sudo pallet.
        pub enum Error<T: Config> {
            /// Sender must be the Sudo account.
            RequireSudo,
        }
    }

    /// Weights of the sudo calls, on top of the inner call's weight where there is one.
    pub mod weights {
        use basalt_support::weight_v2::constants::{reads_writes, MICROS};
        use basalt_support::Weight;

        /// Decoding, origin check and the event.
        const BASE: Weight = Weight::from_ref_time(10 * MICROS);

        /// `sudo`: reads `Key`; the inner call's weight is added by the caller.
        pub const fn sudo() -> Weight {
            BASE.saturating_add(reads_writes(1, 0))
        }
        /// `sudo_as`: reads `Key`; the inner call's weight is added by the caller.
        pub const fn sudo_as() -> Weight {
            BASE.saturating_add(reads_writes(1, 0))
        }
        /// `set_key`: reads and writes `Key`.
        pub const fn set_key() -> Weight {
            BASE.saturating_add(reads_writes(1, 1))
        }
        /// `remove_key`: reads and clears `Key`.
        pub const fn remove_key() -> Weight {
            BASE.saturating_add(reads_writes(1, 1))
        }
    }

    /// The class a signed sudo extrinsic takes from its inner call: `Mandatory` is not allowed
    /// for signed extrinsics, so it becomes `Normal`.
    fn outer_class(inner: DispatchClass) -> DispatchClass {
        match inner {
            DispatchClass::Operational => DispatchClass::Operational,
            DispatchClass::Normal | DispatchClass::Mandatory => DispatchClass::Normal,
        }
    }

    /// Calls of the sudo pallet, as `pallet_sudo::pallet::Call<T>` (same indices, argument
    /// names and encodings): generic because the inner call's type is the runtime's
    /// `RuntimeCall`.
    #[basalt_support::call]
    impl<T: Config> Pallet<T> {
        /// Authenticates the sudo key and dispatches a function call with `Root` origin.
        #[pallet::call_index(0)]
        #[pallet::dispatch_info(wrapping::<T>(weights::sudo(), call))]
        pub fn sudo(
            origin: Origin,
            /// The call to dispatch as root.
            call: Box<<T as Config>::RuntimeCall>,
        ) -> DispatchResultWithPostInfo {
            Self::ensure_sudo(origin)?;
            let (sudo_result, inner_weight) = Self::dispatch_inner(*call, Origin::Root);
            Self::deposit_event(Event::Sudid { sudo_result });
            Ok(Some(weights::sudo().saturating_add(inner_weight)).into())
        }

        /// Authenticates the sudo key and dispatches a function call with `Root` origin.
        /// This function does not check the weight of the call, and instead allows the
        /// Sudo user to specify the weight of the call.
        #[pallet::call_index(1)]
        #[pallet::dispatch_info(DispatchInfo {
            weight: *weight,
            class: outer_class(call.dispatch_info().class),
            pays_fee: Pays::Yes,
        })]
        pub fn sudo_unchecked_weight(
            origin: Origin,
            /// The call to dispatch as root.
            call: Box<<T as Config>::RuntimeCall>,
            /// The weight to charge instead of the call's own.
            weight: Weight,
        ) -> DispatchResultWithPostInfo {
            // `weight` is what the fee charged (see the dispatch info); dispatching ignores it,
            // and no refund is reported: the key chose the weight.
            let _ = weight;
            Self::sudo(origin, call).map(|_| ().into())
        }

        /// Authenticates the current sudo key and sets the given AccountId (`new`) as the new
        /// sudo key.
        #[pallet::call_index(2)]
        #[pallet::weight(weights::set_key())]
        pub fn set_key(
            origin: Origin,
            /// The new key.
            new: Address,
        ) -> DispatchResult {
            Self::ensure_sudo(origin)?;
            let new = new.lookup().ok_or(DispatchError::CannotLookup)?;
            Self::deposit_event(Event::KeyChanged {
                old: Key::get(),
                new: new.clone(),
            });
            Key::put(new);
            Ok(())
        }

        /// Authenticates the sudo key and dispatches a function call with `Signed` origin from
        /// a given account.
        #[pallet::call_index(3)]
        #[pallet::dispatch_info(wrapping::<T>(weights::sudo_as(), call))]
        pub fn sudo_as(
            origin: Origin,
            /// The account the call is dispatched for.
            who: Address,
            /// The call to dispatch as `who`.
            call: Box<<T as Config>::RuntimeCall>,
        ) -> DispatchResultWithPostInfo {
            Self::ensure_sudo(origin)?;
            let who = who.lookup().ok_or(DispatchError::CannotLookup)?;
            let (sudo_result, inner_weight) = Self::dispatch_inner(*call, Origin::Signed(who));
            Self::deposit_event(Event::SudoAsDone { sudo_result });
            Ok(Some(weights::sudo_as().saturating_add(inner_weight)).into())
        }

        /// Permanently removes the sudo key.
        ///
        /// **This cannot be un-done.**
        #[pallet::call_index(4)]
        #[pallet::weight(weights::remove_key())]
        pub fn remove_key(origin: Origin) -> DispatchResult {
            Self::ensure_sudo(origin)?;
            Self::deposit_event(Event::KeyRemoved);
            Key::kill();
            Ok(())
        }
    }

    /// The info of a sudo call that dispatches `inner`: `own` weight plus the inner call's, and
    /// the inner call's class.
    fn wrapping<T: Config>(own: Weight, inner: &<T as Config>::RuntimeCall) -> DispatchInfo {
        let inner = inner.dispatch_info();
        DispatchInfo {
            weight: own.saturating_add(inner.weight),
            class: outer_class(inner.class),
            pays_fee: Pays::Yes,
        }
    }

    impl<T: Config> Pallet<T> {
        /// The current sudo key, if any.
        pub fn key() -> Option<AccountId> {
            Key::get()
        }

        /// `Ok` when `origin` is signed by the sudo key; `RequireSudo` when signed by anyone
        /// else (or when there is no key); `BadOrigin` when not signed.
        pub fn ensure_sudo(origin: Origin) -> DispatchResult {
            let sender = origin.ensure_signed()?;
            if Key::get().as_ref() == Some(&sender) {
                Ok(())
            } else {
                Err(Error::<T>::RequireSudo.into())
            }
        }

        /// Runs `call` for `origin` in its own storage transaction, so that its failure undoes
        /// only its own effects; returns its outcome for the sudo event and the weight it
        /// really used (at most its declared weight), which sudo reports on so that the key is
        /// refunded what the inner call did not use.
        fn dispatch_inner(
            call: <T as Config>::RuntimeCall,
            origin: Origin,
        ) -> (DispatchResult, Weight) {
            let info = call.dispatch_info();
            match io::with_transaction(|| call.dispatch_with_post_info(origin)) {
                Ok(post) => (Ok(()), post.calc_actual_weight(&info)),
                Err(e) => (Err(e.error), e.post_info.calc_actual_weight(&info)),
            }
        }

        /// Deposit one of this pallet's events in `System.Events`.
        fn deposit_event(event: Event) {
            pallet_system::Pallet::<T>::deposit_event_of(<T as Config>::INDEX, &event);
        }
    }

    impl<T: Config> basalt_support::genesis::BuildGenesis for Pallet<T> {
        type Config = Option<AccountId>;

        /// Set the sudo key at genesis (no event: nothing is recorded at block 0).
        fn build_genesis(key: &Option<AccountId>) -> basalt_support::DispatchResult {
            if let Some(who) = key {
                Key::put(who);
            }
            Ok(())
        }
    }

    impl<T: Config> Hooks for Pallet<T> {}

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "Sudo",
                storage: Some(storage_metadata()),
                calls: Some(meta_type::<Call<T>>()),
                event: Some(meta_type::<Event>()),
                error: Some(meta_type::<Error<T>>()),
                constants: vec![],
                docs: vec![
                    " A single root key for development chains: `sudo`, `sudo_as`, `set_key`.",
                ],
            }
        }
    }
}
