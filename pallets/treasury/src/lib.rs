//! # Treasury pallet: the DAO's pot
//!
//! The account that protocol income flows into and that governance spends from, as Substrate's
//! pallet-treasury keeps it (its names, call indices and event indices), for one asset: the
//! native token.
//!
//! ## Rules
//! - The treasury's account is derived from `PalletId` (`modl` ++ id), so nobody holds its key;
//!   [`Pallet::account_id`] is the only place it is named. Its income, paid straight into it by
//!   the pallets that earn it: the treasury share of every transaction fee, staking slashes,
//!   slashed provider stakes and the treasury share of the Jobs protocol fee, and the NFT
//!   market fee (runtime tests check that each arrives).
//! - `spend(amount, beneficiary, valid_from)` approves a payment. Only origins the runtime
//!   grants a spend allowance ([`Config::max_spend`]: root without limit, the Treasurer track
//!   up to its cap) may call it, for at most their allowance; it commits `amount` of the pot.
//! - `payout(index)`, by anyone, pays an approved spend between `valid_from` and
//!   `valid_from + PayoutPeriod`; a payment that cannot be made (the pot is short) fails with
//!   `PayoutError` and may be retried within the window. `check_status(index)` clears a paid or
//!   expired spend (free of fees: it only tidies up); `void_spend(index)`, by an origin that may
//!   spend, cancels one not yet paid.
//! - Every `SpendPeriod` blocks, `Burn` of the unspent funds (the pot less the existential
//!   deposit and the committed spends) is burned (`Burnt`) and the rest rolls over
//!   (`Rollover`): a treasury that governance does not use shrinks rather than grows for ever.
//!
//! Value is conserved: a payout is a transfer, a burn removes exactly what it reports from
//! total issuance; nothing is minted.
//!
//! Differences from pallet-treasury, and why: there is no asset kind (one asset), so `spend`
//! has no `asset_kind` argument and payments settle in the call (`payout` either pays or fails
//! whole; `check_status` never finds a payment in progress); the old proposal/approval flow
//! (`propose_spend`, `approve_proposal`) is not kept, as OpenGov removed it.

pub use pallet::*;
pub use types::*;

pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// The pallet: configuration, storage, events, errors, calls and hooks.
pub mod pallet {
    use super::*;
    use basalt_support::dispatch::{DispatchResultWithPostInfo, Pays, PostDispatchInfo};
    use basalt_support::hooks::Hooks;
    use basalt_support::metadata::{constant, DescribePallet, PalletDescription};
    use basalt_support::multiaddress::MultiAddress;
    use basalt_support::storage::{OptionQuery, Twox64Concat, ValueQuery};
    use basalt_support::{
        AccountId, Balance, BlockNumber, DispatchError, DispatchResult, Origin, PalletId, Permill,
        Weight,
    };
    use codec::{Decode, Encode};
    use core::marker::PhantomData;
    use scale_info::{meta_type, TypeInfo};

    type System<T> = pallet_system::Pallet<T>;
    type Balances<T> = pallet_balances::Pallet<T>;

    /// An address as it travels in calls (`sp_runtime::multiaddress::MultiAddress`).
    pub type Address = MultiAddress<AccountId, ()>;

    /// What the runtime tells the treasury.
    pub trait Config: pallet_balances::Config {
        /// This pallet's index in the runtime; its events and errors carry it.
        const INDEX: u8;
        /// The id the treasury's account is derived from.
        const PALLET_ID: PalletId;
        /// Blocks between two burns of unspent funds.
        const SPEND_PERIOD: BlockNumber;
        /// The share of unspent funds burned at the end of each spend period.
        const BURN: Permill;
        /// Blocks an approved spend may be paid for, from its `valid_from`.
        const PAYOUT_PERIOD: BlockNumber;
        /// The most `origin` may approve in one `spend`, or `None` if it may not spend (nor
        /// void spends). As pallet-treasury's `SpendOrigin`, whose success value is the cap.
        fn max_spend(origin: &Origin) -> Option<Balance>;
    }

    /// The treasury's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "Treasury";
        /// The number of spends ever approved: the next spend's index.
        pub SpendCount: StorageValue<SpendIndex, ValueQuery>;
        /// Approved spends not yet cleared by `check_status` or `void_spend`.
        pub Spends: StorageMap<Twox64Concat, SpendIndex, SpendStatus, OptionQuery>;
        /// The total of approved spends not yet paid, voided or cleared: what the burn spares.
        pub Committed: StorageValue<Balance, ValueQuery>;
    }

    /// Events of the treasury, at pallet-treasury's indices.
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// A spend period ended; this much was unspent.
        #[codec(index = 0)]
        Spending {
            /// The unspent funds, before the burn.
            budget_remaining: Balance,
        },
        /// Some of the unspent funds were burned.
        #[codec(index = 2)]
        Burnt {
            /// The amount burned.
            burnt_funds: Balance,
        },
        /// What was not burned rolls over to the next period.
        #[codec(index = 3)]
        Rollover {
            /// The unspent funds after the burn.
            rollover_balance: Balance,
        },
        /// A spend was approved.
        #[codec(index = 7)]
        AssetSpendApproved {
            /// Its index.
            index: SpendIndex,
            /// The amount.
            amount: Balance,
            /// Who will be paid.
            beneficiary: AccountId,
            /// The first block it may be paid.
            valid_from: BlockNumber,
            /// The block from which it can no longer be paid.
            expire_at: BlockNumber,
        },
        /// A spend was voided before it was paid.
        #[codec(index = 8)]
        AssetSpendVoided {
            /// Its index.
            index: SpendIndex,
        },
        /// A spend was paid.
        #[codec(index = 9)]
        Paid {
            /// Its index.
            index: SpendIndex,
            /// The payment.
            payment_id: PaymentId,
        },
        /// A paid or expired spend was cleared.
        #[codec(index = 11)]
        SpendProcessed {
            /// Its index.
            index: SpendIndex,
        },
    }

    basalt_support::pallet_error! {
        /// Errors of the treasury, with pallet-treasury's names.
        pub enum Error<T: Config> {
            /// No spend has this index.
            InvalidIndex,
            /// The origin may not spend this much (or at all).
            InsufficientPermission,
            /// The spend's payout window has passed.
            SpendExpired,
            /// The spend is not valid yet.
            EarlyPayout,
            /// The spend was already paid.
            AlreadyAttempted,
            /// The payment could not be made (the pot is short, or the beneficiary cannot
            /// receive it).
            PayoutError,
            /// The spend has not been paid, and has not expired.
            NotAttempted,
        }
    }

    /// Calls of the treasury, at pallet-treasury's indices.
    #[basalt_support::call]
    impl<T: Config> Pallet<T> {
        /// Approve paying `amount` to `beneficiary`, from `valid_from` (or now) for
        /// `PayoutPeriod` blocks. Only an origin with a spend allowance (root, the Treasurer
        /// track) may, for at most its allowance.
        #[pallet::call_index(5)]
        #[pallet::weight(weights::spend())]
        pub fn spend(
            origin: Origin,
            /// The amount.
            #[pallet::compact]
            amount: Balance,
            /// Who will be paid.
            beneficiary: Address,
            /// The first block it may be paid (`None`: now).
            valid_from: Option<BlockNumber>,
        ) -> DispatchResult {
            let cap = T::max_spend(&origin).ok_or(DispatchError::BadOrigin)?;
            if amount > cap {
                return Err(Error::<T>::InsufficientPermission.into());
            }
            let beneficiary = beneficiary.lookup().ok_or(DispatchError::CannotLookup)?;
            let now = System::<T>::block_number();
            let valid_from = valid_from.unwrap_or(now);
            let expire_at = valid_from.saturating_add(T::PAYOUT_PERIOD);
            if expire_at <= now {
                return Err(Error::<T>::SpendExpired.into());
            }
            let index = SpendCount::get();
            let next = index.checked_add(1).ok_or(DispatchError::Arithmetic(
                basalt_support::dispatch::ArithmeticError::Overflow,
            ))?;
            let committed =
                Committed::get()
                    .checked_add(amount)
                    .ok_or(DispatchError::Arithmetic(
                        basalt_support::dispatch::ArithmeticError::Overflow,
                    ))?;
            SpendCount::put(next);
            Committed::put(committed);
            Spends::insert(
                index,
                SpendStatus {
                    amount,
                    beneficiary: beneficiary.clone(),
                    valid_from,
                    expire_at,
                    status: PaymentState::Pending,
                },
            );
            Self::deposit_event(Event::AssetSpendApproved {
                index,
                amount,
                beneficiary,
                valid_from,
                expire_at,
            });
            Ok(())
        }

        /// Pay an approved spend within its payout window. Signed by anyone (the beneficiary,
        /// usually).
        #[pallet::call_index(6)]
        #[pallet::weight(weights::payout())]
        pub fn payout(
            origin: Origin,
            /// The spend.
            index: SpendIndex,
        ) -> DispatchResult {
            origin.ensure_signed()?;
            let mut spend = Spends::get(index).ok_or(Error::<T>::InvalidIndex)?;
            let now = System::<T>::block_number();
            if now < spend.valid_from {
                return Err(Error::<T>::EarlyPayout.into());
            }
            if now >= spend.expire_at {
                return Err(Error::<T>::SpendExpired.into());
            }
            if let PaymentState::Attempted { .. } = spend.status {
                return Err(Error::<T>::AlreadyAttempted.into());
            }
            Balances::<T>::transfer(&Self::account_id(), &spend.beneficiary, spend.amount, true)
                .map_err(|_| Error::<T>::PayoutError)?;
            let payment_id = PaymentId::from(index);
            spend.status = PaymentState::Attempted { id: payment_id };
            Spends::insert(index, spend.clone());
            Committed::mutate(|c| *c = c.saturating_sub(spend.amount));
            Self::deposit_event(Event::Paid { index, payment_id });
            Ok(())
        }

        /// Clear a spend that was paid or whose window passed unpaid. Signed by anyone, and
        /// free when it clears something.
        #[pallet::call_index(7)]
        #[pallet::weight(weights::check_status())]
        pub fn check_status(
            origin: Origin,
            /// The spend.
            index: SpendIndex,
        ) -> DispatchResultWithPostInfo {
            origin.ensure_signed()?;
            let spend = Spends::get(index).ok_or(Error::<T>::InvalidIndex)?;
            let paid = matches!(spend.status, PaymentState::Attempted { .. });
            if !paid {
                if System::<T>::block_number() < spend.expire_at {
                    return Err(Error::<T>::NotAttempted.into());
                }
                Committed::mutate(|c| *c = c.saturating_sub(spend.amount));
            }
            Spends::remove(index);
            Self::deposit_event(Event::SpendProcessed { index });
            Ok(PostDispatchInfo {
                actual_weight: None,
                pays_fee: Pays::No,
            })
        }

        /// Cancel an approved spend that has not been paid. By an origin that may spend.
        #[pallet::call_index(8)]
        #[pallet::weight(weights::void_spend())]
        pub fn void_spend(
            origin: Origin,
            /// The spend.
            index: SpendIndex,
        ) -> DispatchResult {
            T::max_spend(&origin).ok_or(DispatchError::BadOrigin)?;
            let spend = Spends::get(index).ok_or(Error::<T>::InvalidIndex)?;
            if let PaymentState::Attempted { .. } = spend.status {
                return Err(Error::<T>::AlreadyAttempted.into());
            }
            Spends::remove(index);
            Committed::mutate(|c| *c = c.saturating_sub(spend.amount));
            Self::deposit_event(Event::AssetSpendVoided { index });
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// The treasury's account: `modl` ++ `PALLET_ID`, which no key signs for.
        pub fn account_id() -> AccountId {
            T::PALLET_ID.into_account_truncating()
        }

        /// What the treasury could pay now: its free balance above the existential deposit.
        pub fn pot() -> Balance {
            Balances::<T>::reducible_balance(&Self::account_id(), true)
        }

        /// The pot less the committed spends: what a spend period's burn applies to.
        pub fn unspent() -> Balance {
            Self::pot().saturating_sub(Committed::get())
        }

        /// Ends a spend period: burns `Burn` of the unspent funds, rolls the rest over.
        fn end_spend_period() {
            let budget_remaining = Self::unspent();
            Self::deposit_event(Event::Spending { budget_remaining });
            let burn = T::BURN.mul_floor(budget_remaining);
            let burnt_funds = if Balances::<T>::burn_from(&Self::account_id(), burn, true).is_ok() {
                burn
            } else {
                0
            };
            if burnt_funds > 0 {
                Self::deposit_event(Event::Burnt { burnt_funds });
            }
            Self::deposit_event(Event::Rollover {
                rollover_balance: budget_remaining.saturating_sub(burnt_funds),
            });
        }

        fn deposit_event(event: Event) {
            System::<T>::deposit_event_of(<T as Config>::INDEX, &event)
        }
    }

    impl<T: Config> Hooks for Pallet<T> {
        /// At the end of each spend period (every `SpendPeriod` blocks), the burn and rollover.
        fn on_initialize(n: BlockNumber) -> Weight {
            if T::SPEND_PERIOD == 0 || !n.is_multiple_of(T::SPEND_PERIOD) {
                return weights::idle_block();
            }
            Self::end_spend_period();
            weights::spend_period()
        }
    }

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "Treasury",
                storage: Some(storage_metadata()),
                calls: Some(meta_type::<Call>()),
                event: Some(meta_type::<Event>()),
                error: Some(meta_type::<Error<T>>()),
                constants: vec![
                    constant("SpendPeriod", T::SPEND_PERIOD, &[" Blocks between burns of unspent funds."]),
                    constant("Burn", T::BURN, &[" The share of unspent funds burned each spend period."]),
                    constant("PalletId", T::PALLET_ID, &[" The id the treasury's account is derived from."]),
                    constant("PayoutPeriod", T::PAYOUT_PERIOD, &[" Blocks an approved spend may be paid for."]),
                ],
                docs: vec![
                    " The DAO's pot: fee, slash and market income; spends approved by governance and",
                    " paid by `payout`; a share of unspent funds burned each spend period.",
                ],
            }
        }
    }
}
