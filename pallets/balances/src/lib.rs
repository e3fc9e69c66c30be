//! # Balances pallet
//!
//! The native token (BSLT): free balances, transfers, the existential deposit, reserves, holds
//! and locks. It is Basalt's counterpart of Substrate's `pallet_balances` configured with
//! `AccountStore = System`: balances live in `System.Account[who].data`
//! ([`pallet_system::AccountData`] `{ free, reserved, frozen, flags }`), so stock clients read
//! them where they expect them.
//!
//! ## The account model
//! - An account *exists in balances* when its data is not all zero (`free`, `reserved` or
//!   `frozen` non-zero). Such an account holds exactly one system provider reference, taken
//!   when it is created (`System.NewAccount`, then `Balances.Endowed`) and dropped when it is
//!   reaped (`System.KilledAccount`, then `Balances.DustLost` for any dust).
//! - The existential deposit (ED) applies to the *total* balance, `free + reserved`. Creating an
//!   account with less than the ED fails with `ExistentialDeposit`. An account whose total
//!   falls below the ED is reaped: its remaining free balance ("dust") is removed from
//!   `TotalIssuance`.
//! - Reserves, holds and locks keep an account alive: an account with `reserved > 0` or
//!   `frozen > 0` holds one system consumer reference, so it cannot be reaped. Voluntary
//!   spending never takes such an account's total below the ED (`Expendability`); forced
//!   operations (slashes, payments out of a hold) may, and the account is then reaped as soon
//!   as its last reserve, hold and lock is gone.
//! - An account that something else depends on (another pallet's consumer reference) cannot be
//!   reaped either: spending keeps its total at or above the ED, and slashes stop there.
//! - `frozen` is the largest lock; it cannot be spent, transferred or reserved
//!   (`LiquidityRestrictions`). As in current Substrate, a lock's [`Reasons`] are stored for
//!   wire compatibility but every lock freezes funds for every purpose.
//! - `reserved` is the sum of the anonymous reserve ([`Pallet::reserve`]), the named reserves
//!   (`Balances.Reserves`) and the holds (`Balances.Holds`). Each kind is only ever released or
//!   slashed through its own functions, so no pallet can take funds another one set aside.
//!
//! ## Hold reasons
//! Substrate identifies holds by the runtime-wide `RuntimeHoldReason` enum, built by the
//! `construct_runtime!` macro from every pallet's `HoldReason`. Basalt has no such macro, so
//! a hold reason is an 8-byte identifier chosen by the pallet that places the hold (e.g. the
//! job-escrow pallet uses `*b"escrow  "`), like lock and reserve identifiers. Pallets must pick
//! distinct identifiers; the runtime is where they are listed side by side.
//!
//! ## Wire compatibility
//! Call indices, argument names and encodings, event variant indices and fields, and the error
//! order follow Substrate's `pallet_balances`, so scripts written for Substrate chains work.
//! Hold events, which Substrate added after `TotalIssuanceForced` (21), use indices 22
//! (`Held`), 24 (`TransferOnHold`) and 26 (`Released`), following upstream's order; 23 and 25
//! (`BurnedHeld`, `TransferAndHold`) are left unused because Basalt has no such operations.
//!
//! ## Atomicity
//! Every public function that writes either succeeds completely or changes nothing: it
//! validates its inputs before writing and runs inside
//! [`basalt_support::state::io::with_transaction`], so a late failure (e.g. a reference-count
//! limit in the system pallet) rolls back its earlier writes and events.

pub use pallet::*;

#[cfg(test)]
mod tests;

/// The pallet: configuration, types, storage, events, errors, calls and the functions other
/// pallets call.
pub mod pallet {
    use basalt_support::dispatch::ArithmeticError;
    use basalt_support::metadata::{constant, DescribePallet, PalletDescription};
    use basalt_support::multiaddress::MultiAddress;
    use basalt_support::state::io::with_transaction;
    use basalt_support::storage::{Blake2_128Concat, ValueQuery};
    use basalt_support::{ensure, AccountId, Balance, DispatchError, DispatchResult, Origin};
    use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
    use core::marker::PhantomData;
    use pallet_system::{Account, AccountData, AccountInfo};
    use scale_info::{meta_type, TypeInfo};
    use std::collections::BTreeSet;

    /// The system pallet of the runtime `T`, where accounts and their reference counts live.
    type System<T> = pallet_system::Pallet<T>;

    /// What the runtime tells the balances pallet.
    pub trait Config: pallet_system::Config {
        /// This pallet's index in the runtime (the first byte of its calls, events and errors).
        /// Write `<T as Config>::INDEX` inside the pallet: the system pallet has one too.
        const INDEX: u8;
        /// The least total balance (`free + reserved`) an account may hold; accounts below it
        /// are reaped. Zero is treated as one, since an account with nothing must not exist.
        const EXISTENTIAL_DEPOSIT: Balance;
        /// The most locks one account may carry; bounds the work of updating them.
        const MAX_LOCKS: u32;
        /// The most named reserves one account may carry.
        const MAX_RESERVES: u32;
        /// The most holds (distinct reasons) one account may carry.
        const MAX_HOLDS: u32;
    }

    /// The balances pallet's functions.
    pub struct Pallet<T>(PhantomData<T>);

    /// Identifies a lock, e.g. `*b"staking "`; chosen by the pallet that sets it.
    pub type LockIdentifier = [u8; 8];
    /// Identifies a named reserve; chosen by the pallet that makes it.
    pub type ReserveIdentifier = [u8; 8];
    /// Identifies a hold (Substrate's `RuntimeHoldReason`); chosen by the pallet that places
    /// it, e.g. `*b"escrow  "`. See the crate documentation for why this is not an enum.
    pub type HoldReason = [u8; 8];

    /// `AccountData.flags` bit 127, which Substrate sets on every account it writes to mark the
    /// current reference-counting logic; Basalt sets it too so explorers see familiar data.
    pub const IS_NEW_LOGIC: u128 = 1u128 << 127;

    /// What a lock was set for, as `pallet_balances::types::Reasons`. Stored for wire
    /// compatibility only: every lock freezes its amount for every purpose.
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
    #[scale_info(replace_segment("pallet", "types"))]
    pub enum Reasons {
        /// Paying transaction fees.
        Fee = 0,
        /// Any reason other than paying fees.
        Misc = 1,
        /// Any reason at all.
        All = 2,
    }

    impl Reasons {
        /// The reasons covered by either `self` or `other` (used by [`Pallet::extend_lock`]).
        pub fn union(self, other: Reasons) -> Reasons {
            if self == other {
                self
            } else {
                Reasons::All
            }
        }
    }

    /// A lock on an account's free balance, as `pallet_balances::types::BalanceLock`.
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
    #[scale_info(replace_segment("pallet", "types"))]
    pub struct BalanceLock {
        /// Who set the lock.
        pub id: LockIdentifier,
        /// How much of the free balance it freezes.
        pub amount: Balance,
        /// What it was set for.
        pub reasons: Reasons,
    }

    /// A named reserve, as `pallet_balances::types::ReserveData`.
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
    #[scale_info(replace_segment("pallet", "types"))]
    pub struct ReserveData {
        /// Who made the reserve.
        pub id: ReserveIdentifier,
        /// How much is reserved under it.
        pub amount: Balance,
    }

    /// A hold, as `frame_support::traits::tokens::misc::IdAmount` (its reason is an 8-byte id).
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
    #[scale_info(replace_segment("pallet", "types"))]
    pub struct IdAmount {
        /// The hold's reason.
        pub id: HoldReason,
        /// How much is held for it.
        pub amount: Balance,
    }

    basalt_support::storage! {
        pallet = "Balances";
        /// The total units issued in the system.
        pub TotalIssuance: StorageValue<Balance, ValueQuery>;
        /// The total units of outstanding deactivated balance in the system (always zero on
        /// Basalt, kept for clients that read it).
        pub InactiveIssuance: StorageValue<Balance, ValueQuery>;
        /// Any liquidity locks on some account balances.
        pub Locks: StorageMap<Blake2_128Concat, AccountId, Vec<BalanceLock>, ValueQuery>;
        /// Named reserves on some account balances.
        pub Reserves: StorageMap<Blake2_128Concat, AccountId, Vec<ReserveData>, ValueQuery>;
        /// Holds on account balances.
        pub Holds: StorageMap<Blake2_128Concat, AccountId, Vec<IdAmount>, ValueQuery>;
    }

    /// Events of the balances pallet, as `pallet_balances::pallet::Event` (same indices).
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// An account was created with some free balance.
        #[codec(index = 0)]
        Endowed {
            /// The new account.
            account: AccountId,
            /// Its free balance.
            free_balance: Balance,
        },
        /// An account was removed whose balance was non-zero but below ExistentialDeposit,
        /// resulting in an outright loss.
        #[codec(index = 1)]
        DustLost {
            /// The reaped account.
            account: AccountId,
            /// The dust removed from issuance.
            amount: Balance,
        },
        /// Transfer succeeded.
        #[codec(index = 2)]
        Transfer {
            /// The sender.
            from: AccountId,
            /// The recipient.
            to: AccountId,
            /// The amount moved.
            amount: Balance,
        },
        /// A balance was set by root.
        #[codec(index = 3)]
        BalanceSet {
            /// The account.
            who: AccountId,
            /// Its new free balance.
            free: Balance,
        },
        /// Some balance was reserved (moved from free to reserved).
        #[codec(index = 4)]
        Reserved {
            /// The account.
            who: AccountId,
            /// The amount reserved.
            amount: Balance,
        },
        /// Some balance was unreserved (moved from reserved to free).
        #[codec(index = 5)]
        Unreserved {
            /// The account.
            who: AccountId,
            /// The amount unreserved.
            amount: Balance,
        },
        /// Some amount was deposited (e.g. for rewards).
        #[codec(index = 7)]
        Deposit {
            /// The account.
            who: AccountId,
            /// The amount minted into it.
            amount: Balance,
        },
        /// Some amount was withdrawn from the account (e.g. for transaction fees).
        #[codec(index = 8)]
        Withdraw {
            /// The account.
            who: AccountId,
            /// The amount removed from it and from issuance.
            amount: Balance,
        },
        /// Some amount was removed from the account (e.g. for misbehavior).
        #[codec(index = 9)]
        Slashed {
            /// The account.
            who: AccountId,
            /// The amount removed from it and from issuance.
            amount: Balance,
        },
        /// Some amount was minted into an account.
        #[codec(index = 10)]
        Minted {
            /// The account.
            who: AccountId,
            /// The amount minted.
            amount: Balance,
        },
        /// Some amount was burned from an account.
        #[codec(index = 11)]
        Burned {
            /// The account.
            who: AccountId,
            /// The amount burned.
            amount: Balance,
        },
        /// Some balance was locked (the account's frozen amount rose by `amount`).
        #[codec(index = 17)]
        Locked {
            /// The account.
            who: AccountId,
            /// The increase of the frozen amount.
            amount: Balance,
        },
        /// Some balance was unlocked (the account's frozen amount fell by `amount`).
        #[codec(index = 18)]
        Unlocked {
            /// The account.
            who: AccountId,
            /// The decrease of the frozen amount.
            amount: Balance,
        },
        /// Some balance was placed on hold.
        #[codec(index = 22)]
        Held {
            /// The hold's reason.
            reason: HoldReason,
            /// The account.
            who: AccountId,
            /// The amount held.
            amount: Balance,
        },
        /// Held balance was paid to another account's free balance.
        #[codec(index = 24)]
        TransferOnHold {
            /// The hold's reason.
            reason: HoldReason,
            /// The account whose hold paid.
            source: AccountId,
            /// The account credited.
            dest: AccountId,
            /// The amount moved.
            amount: Balance,
        },
        /// Held balance was released back to the free balance.
        #[codec(index = 26)]
        Released {
            /// The hold's reason.
            reason: HoldReason,
            /// The account.
            who: AccountId,
            /// The amount released.
            amount: Balance,
        },
    }

    basalt_support::pallet_error! {
        /// Errors of the balances pallet, in Substrate's order (their index is their position).
        pub enum Error<T: Config> {
            /// Vesting balance too high to send value.
            VestingBalance,
            /// Account liquidity restrictions prevent withdrawal.
            LiquidityRestrictions,
            /// Balance too low to send value.
            InsufficientBalance,
            /// Value too low to create account due to existential deposit.
            ExistentialDeposit,
            /// Transfer/payment would kill account.
            Expendability,
            /// A vesting schedule already exists for this account.
            ExistingVestingSchedule,
            /// Beneficiary account must pre-exist.
            DeadAccount,
            /// Number of named reserves exceed `MaxReserves`.
            TooManyReserves,
            /// Number of holds exceed `MaxHolds`.
            TooManyHolds,
            /// Number of freezes (locks) exceed `MaxLocks`.
            TooManyFreezes,
            /// The issuance cannot be modified since it is already deactivated.
            IssuanceDeactivated,
            /// The delta cannot be zero.
            DeltaZero,
        }
    }

    /// An address as it travels in calls (`sp_runtime::multiaddress::MultiAddress`); only
    /// `Id` and `Address32` resolve, the others fail with `CannotLookup`.
    pub type Address = MultiAddress<AccountId, ()>;

    /// Weights of the balances calls: a base for the computation (decoding, checks,
    /// arithmetic, events) plus the storage reads and writes each call makes, priced by
    /// [`basalt_support::weight_v2::constants`]. Reference counts and balance data share one
    /// `System.Account` item per account, and locks are summarised by `frozen`, so a transfer
    /// touches two account items and, when the sender is reaped, `TotalIssuance`.
    pub mod weights {
        use basalt_support::weight_v2::constants::{reads_writes, MICROS};
        use basalt_support::Weight;

        /// Computation besides storage: decode, origin and address checks, checked arithmetic
        /// and up to four events (new account, endowed, transfer, dust).
        pub const BASE: Weight = Weight::from_parts(20 * MICROS, 0);

        /// `transfer_allow_death`, `force_transfer`, `transfer_all`: read and write both
        /// accounts and `TotalIssuance` (dust of a reaped sender).
        pub const fn transfer_allow_death() -> Weight {
            BASE.saturating_add(reads_writes(3, 3))
        }
        /// `transfer_keep_alive`: both accounts; the sender is never reaped, so no issuance write.
        pub const fn transfer_keep_alive() -> Weight {
            BASE.saturating_add(reads_writes(2, 2))
        }
        /// `force_unreserve`: the account, its named reserves and holds (to find the anonymous
        /// part) and `TotalIssuance` (dust); writes the account and `TotalIssuance`.
        pub const fn force_unreserve() -> Weight {
            BASE.saturating_add(reads_writes(4, 2))
        }
        /// `force_set_balance`: the account and `TotalIssuance`, both written.
        pub const fn force_set_balance() -> Weight {
            BASE.saturating_add(reads_writes(2, 2))
        }
        /// `burn`: the account and `TotalIssuance`, both written.
        pub const fn burn() -> Weight {
            BASE.saturating_add(reads_writes(2, 2))
        }
    }

    /// Resolves a call's address argument.
    fn lookup(address: Address) -> Result<AccountId, DispatchError> {
        address.lookup().ok_or(DispatchError::CannotLookup)
    }

    /// Calls of the balances pallet, as `pallet_balances::pallet::Call` (same indices, argument
    /// names and encodings).
    #[basalt_support::call]
    impl<T: Config> Pallet<T> {
        /// Transfer some liquid free balance to another account. The sender is reaped if its
        /// total balance falls below the existential deposit (its dust is lost). Signed.
        #[pallet::call_index(0)]
        #[pallet::weight(weights::transfer_allow_death())]
        pub fn transfer_allow_death(
            origin: Origin,
            /// The recipient.
            dest: Address,
            /// The amount.
            #[pallet::compact]
            value: Balance,
        ) -> DispatchResult {
            let from = origin.ensure_signed()?;
            let to = lookup(dest)?;
            Self::transfer(&from, &to, value, false)
        }

        /// As `transfer_allow_death`, from any account. Root only.
        #[pallet::call_index(2)]
        #[pallet::weight(weights::transfer_allow_death())]
        pub fn force_transfer(
            origin: Origin,
            /// The sender.
            source: Address,
            /// The recipient.
            dest: Address,
            /// The amount.
            #[pallet::compact]
            value: Balance,
        ) -> DispatchResult {
            origin.ensure_root()?;
            let from = lookup(source)?;
            let to = lookup(dest)?;
            Self::transfer(&from, &to, value, false)
        }

        /// As `transfer_allow_death`, but fails with `Expendability` instead of reaping the
        /// sender. Signed.
        #[pallet::call_index(3)]
        #[pallet::weight(weights::transfer_keep_alive())]
        pub fn transfer_keep_alive(
            origin: Origin,
            /// The recipient.
            dest: Address,
            /// The amount.
            #[pallet::compact]
            value: Balance,
        ) -> DispatchResult {
            let from = origin.ensure_signed()?;
            let to = lookup(dest)?;
            Self::transfer(&from, &to, value, true)
        }

        /// Transfer the whole transferable balance (free minus locks, minus what must stay to
        /// keep the sender alive when `keep_alive` or when the sender cannot be reaped). Signed.
        #[pallet::call_index(4)]
        #[pallet::weight(weights::transfer_allow_death())]
        pub fn transfer_all(
            origin: Origin,
            /// The recipient.
            dest: Address,
            /// Whether the sender must keep the existential deposit.
            keep_alive: bool,
        ) -> DispatchResult {
            let from = origin.ensure_signed()?;
            let to = lookup(dest)?;
            let value = Self::reducible_balance(&from, keep_alive);
            Self::transfer(&from, &to, value, keep_alive)
        }

        /// Unreserve up to `amount` of `who`'s anonymous reserve. Root only. (`amount` is not
        /// compact, as in Substrate.)
        #[pallet::call_index(5)]
        #[pallet::weight(weights::force_unreserve())]
        pub fn force_unreserve(
            origin: Origin,
            /// The account.
            who: Address,
            /// The most to unreserve.
            amount: Balance,
        ) -> DispatchResult {
            origin.ensure_root()?;
            let who = lookup(who)?;
            let _not_unreserved = Self::unreserve(&who, amount);
            Ok(())
        }

        /// Set `who`'s free balance, minting or burning the difference; a value that would leave
        /// the account below the existential deposit empties it. Root only.
        #[pallet::call_index(8)]
        #[pallet::weight(weights::force_set_balance())]
        pub fn force_set_balance(
            origin: Origin,
            /// The account.
            who: Address,
            /// The new free balance.
            #[pallet::compact]
            new_free: Balance,
        ) -> DispatchResult {
            origin.ensure_root()?;
            let who = lookup(who)?;
            Self::force_set_free_balance(&who, new_free)
        }

        /// Burn some liquid free balance of the sender, reducing total issuance; with
        /// `keep_alive` false the sender may be reaped. Signed.
        #[pallet::call_index(10)]
        #[pallet::weight(weights::burn())]
        pub fn burn(
            origin: Origin,
            /// The amount.
            #[pallet::compact]
            value: Balance,
            /// Whether the sender must stay alive.
            keep_alive: bool,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::burn_from(&who, value, keep_alive)
        }
    }

    /// Where reserved funds sit. Each kind is released and slashed only through its own
    /// functions, so one pallet cannot take what another set aside.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Bucket {
        /// The anonymous reserve: `reserved` minus named reserves and holds.
        Anonymous,
        /// A named reserve (`Balances.Reserves`).
        Named(ReserveIdentifier),
        /// A hold (`Balances.Holds`).
        Hold(HoldReason),
    }

    /// An `(id, amount)` entry of a per-account list (named reserves, holds).
    trait Entry: Sized {
        fn new(id: [u8; 8], amount: Balance) -> Self;
        fn id(&self) -> [u8; 8];
        fn amount(&self) -> Balance;
        fn set_amount(&mut self, amount: Balance);
    }

    impl Entry for ReserveData {
        fn new(id: [u8; 8], amount: Balance) -> Self {
            ReserveData { id, amount }
        }
        fn id(&self) -> [u8; 8] {
            self.id
        }
        fn amount(&self) -> Balance {
            self.amount
        }
        fn set_amount(&mut self, amount: Balance) {
            self.amount = amount
        }
    }

    impl Entry for IdAmount {
        fn new(id: [u8; 8], amount: Balance) -> Self {
            IdAmount { id, amount }
        }
        fn id(&self) -> [u8; 8] {
            self.id
        }
        fn amount(&self) -> Balance {
            self.amount
        }
        fn set_amount(&mut self, amount: Balance) {
            self.amount = amount
        }
    }

    /// The amount under `id` in `list` (zero when absent).
    fn entry_amount<E: Entry>(list: &[E], id: [u8; 8]) -> Balance {
        list.iter().find(|e| e.id() == id).map_or(0, |e| e.amount())
    }

    /// Sum of the amounts in `list` (saturating: it is bounded by `reserved` anyway).
    fn entries_total<E: Entry>(list: &[E]) -> Balance {
        list.iter()
            .fold(0, |acc: Balance, e| acc.saturating_add(e.amount()))
    }

    /// Sets the amount under `id` to `amount`, removing the entry at zero and adding it when
    /// new. Returns `false` (leaving `list` unchanged) when a new entry would exceed `max`.
    fn set_entry<E: Entry>(list: &mut Vec<E>, id: [u8; 8], amount: Balance, max: u32) -> bool {
        if amount == 0 {
            list.retain(|e| e.id() != id);
            return true;
        }
        if let Some(e) = list.iter_mut().find(|e| e.id() == id) {
            e.set_amount(amount);
            return true;
        }
        if list.len() >= max as usize {
            return false;
        }
        list.push(E::new(id, amount));
        true
    }

    impl<T: Config> Pallet<T> {
        // ------------------------------------------------------------------------------------
        // Reading
        // ------------------------------------------------------------------------------------

        /// The existential deposit in force: the configured one, or one if it is configured as
        /// zero (an account with nothing must not exist).
        pub fn existential_deposit() -> Balance {
            T::EXISTENTIAL_DEPOSIT.max(1)
        }

        /// All units in existence: the sum of every account's free and reserved balance.
        pub fn total_issuance() -> Balance {
            TotalIssuance::get()
        }

        /// Issuance that counts for governance and inflation: total minus inactive.
        pub fn active_issuance() -> Balance {
            TotalIssuance::get().saturating_sub(InactiveIssuance::get())
        }

        /// The free balance of `who` (spendable unless locked).
        pub fn free_balance(who: &AccountId) -> Balance {
            Account::get(who).data.free
        }

        /// Free plus reserved balance of `who`: everything it owns.
        pub fn total_balance(who: &AccountId) -> Balance {
            let d = Account::get(who).data;
            d.free.saturating_add(d.reserved)
        }

        /// The reserved balance of `who`: anonymous and named reserves plus holds.
        pub fn reserved_balance(who: &AccountId) -> Balance {
            Account::get(who).data.reserved
        }

        /// The part of `who`'s free balance that cannot be spent (the largest lock).
        pub fn frozen_balance(who: &AccountId) -> Balance {
            Account::get(who).data.frozen
        }

        /// The locks on `who`.
        pub fn locks(who: &AccountId) -> Vec<BalanceLock> {
            Locks::get(who)
        }

        /// How much of `who`'s free balance can leave it (by transfer, withdrawal or burn):
        /// free minus the frozen amount, minus what must stay for the account to remain alive
        /// when `keep_alive` is set or when it cannot be reaped (it has reserves, holds, locks
        /// or another pallet's consumer reference). This is what `transfer_all` sends.
        pub fn reducible_balance(who: &AccountId, keep_alive: bool) -> Balance {
            let info = Account::get(who);
            info.data
                .free
                .saturating_sub(Self::min_free(&info, keep_alive))
        }

        /// Read-only check that `amount` could be withdrawn from `who`'s free balance now
        /// (what [`Self::withdraw`] would check); for transaction validation, which must not write.
        pub fn can_withdraw(who: &AccountId, amount: Balance, keep_alive: bool) -> DispatchResult {
            Self::ensure_can_spend(&Account::get(who), amount, keep_alive).map(|_| ())
        }

        /// The anonymous reserve of `who` ([`Self::reserve`]), named reserves and holds excluded.
        pub fn anonymous_reserved_balance(who: &AccountId) -> Balance {
            Self::bucket_balance(who, Bucket::Anonymous)
        }

        /// The amount reserved under `id` for `who`.
        pub fn reserved_balance_named(id: &ReserveIdentifier, who: &AccountId) -> Balance {
            Self::bucket_balance(who, Bucket::Named(*id))
        }

        /// The amount held for `reason` on `who`.
        pub fn balance_on_hold(reason: &HoldReason, who: &AccountId) -> Balance {
            Self::bucket_balance(who, Bucket::Hold(*reason))
        }

        // ------------------------------------------------------------------------------------
        // Free balance: transfers, withdrawals, deposits
        // ------------------------------------------------------------------------------------

        /// Move `amount` of `from`'s free balance to `to`. Fails with `InsufficientBalance`
        /// (not enough free), `LiquidityRestrictions` (locked), `Expendability` (would reap
        /// `from` when `keep_alive` or when it cannot be reaped), `ExistentialDeposit` (would
        /// create `to` below the ED) or `Arithmetic(Overflow)`. Without `keep_alive`, `from` is
        /// reaped if its total falls below the ED (its dust leaves issuance). Total issuance
        /// changes only by that dust. A zero amount or `from == to` succeeds and does nothing.
        /// Emits `Transfer` (and `Endowed`/`DustLost` as accounts appear or go).
        pub fn transfer(
            from: &AccountId,
            to: &AccountId,
            amount: Balance,
            keep_alive: bool,
        ) -> DispatchResult {
            if amount == 0 || from == to {
                return Ok(());
            }
            with_transaction(|| {
                let from_info = Account::get(from);
                let new_from_free = Self::ensure_can_spend(&from_info, amount, keep_alive)?;
                let to_data = Account::get(to).data;
                let new_to_free = to_data
                    .free
                    .checked_add(amount)
                    .ok_or(ArithmeticError::Overflow)?;
                if !Self::is_live(&to_data) {
                    ensure!(
                        amount >= Self::existential_deposit(),
                        Error::<T>::ExistentialDeposit
                    );
                }
                Self::write_account(
                    from,
                    AccountData {
                        free: new_from_free,
                        ..from_info.data
                    },
                )?;
                Self::write_account(
                    to,
                    AccountData {
                        free: new_to_free,
                        ..to_data
                    },
                )?;
                Self::deposit_event(Event::Transfer {
                    from: from.clone(),
                    to: to.clone(),
                    amount,
                });
                Ok(())
            })
        }

        /// Remove `amount` from `who`'s free balance and from total issuance, e.g. to pay a
        /// fee (the caller credits whoever should receive it with [`Self::deposit_creating`]).
        /// Same checks as [`Self::transfer`] for the sender. Emits `Withdraw`. Zero does nothing.
        pub fn withdraw(
            who: &AccountId,
            amount: Balance,
            keep_alive: bool,
        ) -> Result<(), DispatchError> {
            if amount == 0 {
                return Ok(());
            }
            with_transaction(|| {
                Self::decrease_free(who, amount, keep_alive)?;
                Self::deposit_event(Event::Withdraw {
                    who: who.clone(),
                    amount,
                });
                Ok(())
            })
        }

        /// As [`Self::withdraw`] but emitting `Burned`: the token-burn of `burn` and of fee
        /// burning, where the amount is meant to disappear rather than be paid elsewhere.
        pub fn burn_from(who: &AccountId, amount: Balance, keep_alive: bool) -> DispatchResult {
            if amount == 0 {
                return Ok(());
            }
            with_transaction(|| {
                Self::decrease_free(who, amount, keep_alive)?;
                Self::deposit_event(Event::Burned {
                    who: who.clone(),
                    amount,
                });
                Ok(())
            })
        }

        /// Mint `amount` into `who`'s free balance, creating the account if needed (e.g. staking
        /// rewards, the treasury's share of fees). Fails with `ExistentialDeposit` when it would
        /// create an account below the ED (callers that may pay dust should burn it instead),
        /// or `Arithmetic(Overflow)` when total issuance would overflow. Emits `Deposit`.
        pub fn deposit_creating(who: &AccountId, amount: Balance) -> DispatchResult {
            Self::mint(
                who,
                amount,
                true,
                Event::Deposit {
                    who: who.clone(),
                    amount,
                },
            )
        }

        /// As [`Self::deposit_creating`], but fails with `DeadAccount` instead of creating the
        /// account (for payments that must not create accounts).
        pub fn deposit_into_existing(who: &AccountId, amount: Balance) -> DispatchResult {
            Self::mint(
                who,
                amount,
                false,
                Event::Deposit {
                    who: who.clone(),
                    amount,
                },
            )
        }

        /// As [`Self::deposit_creating`] but emitting `Minted` (new issuance rather than a
        /// payment from somewhere).
        pub fn mint_into(who: &AccountId, amount: Balance) -> DispatchResult {
            Self::mint(
                who,
                amount,
                true,
                Event::Minted {
                    who: who.clone(),
                    amount,
                },
            )
        }

        /// Slash up to `amount` of `who`'s free balance, ignoring locks (e.g. a staking slash
        /// of locked bond); returns the amount removed from the account and from issuance. It
        /// stops at the ED when the account could not be reaped anyway (another pallet depends
        /// on it). The account is reaped if it ends below the ED with nothing keeping it alive.
        /// Emits `Slashed`.
        pub fn slash(who: &AccountId, amount: Balance) -> Balance {
            let result = with_transaction(|| -> Result<Balance, DispatchError> {
                let info = Account::get(who);
                let d = info.data;
                let mut actual = amount.min(d.free);
                if actual == 0 {
                    return Ok(0);
                }
                let total = d.free.saturating_add(d.reserved);
                if total.saturating_sub(actual) < Self::existential_deposit()
                    && !Self::others_allow_death(&info)
                {
                    actual = actual.min(total.saturating_sub(Self::existential_deposit()));
                    if actual == 0 {
                        return Ok(0);
                    }
                }
                let new_free = d.free.saturating_sub(actual);
                Self::write_account(
                    who,
                    AccountData {
                        free: new_free,
                        ..d
                    },
                )?;
                Self::reduce_issuance(actual);
                Self::deposit_event(Event::Slashed {
                    who: who.clone(),
                    amount: actual,
                });
                Ok(actual)
            });
            result.unwrap_or(0)
        }

        /// Root's `force_set_balance`: set `who`'s free balance to `new_free`, minting or
        /// burning the difference. A value that would leave an account without reserves,
        /// holds or locks below the ED empties (and reaps) it instead. Fails with
        /// `Arithmetic(Overflow)` if issuance would overflow, or `Expendability` if the account
        /// must be emptied but cannot be reaped. Emits `BalanceSet`.
        pub fn force_set_free_balance(who: &AccountId, new_free: Balance) -> DispatchResult {
            with_transaction(|| {
                let d = Account::get(who).data;
                let wipeout = !Self::consumes(&d)
                    && new_free.saturating_add(d.reserved) < Self::existential_deposit();
                let new_free = if wipeout { 0 } else { new_free };
                let old_free = d.free;
                if new_free > old_free {
                    let up = new_free.saturating_sub(old_free);
                    let issuance = TotalIssuance::get()
                        .checked_add(up)
                        .ok_or(ArithmeticError::Overflow)?;
                    Self::write_account(
                        who,
                        AccountData {
                            free: new_free,
                            ..d
                        },
                    )?;
                    TotalIssuance::put(issuance);
                } else if new_free < old_free {
                    Self::write_account(
                        who,
                        AccountData {
                            free: new_free,
                            ..d
                        },
                    )?;
                    Self::reduce_issuance(old_free.saturating_sub(new_free));
                }
                Self::deposit_event(Event::BalanceSet {
                    who: who.clone(),
                    free: new_free,
                });
                Ok(())
            })
        }

        /// Genesis: endow each `(account, free)` without events, adding to `TotalIssuance`.
        /// Fails, writing nothing, on a balance below the ED, an account listed twice, or an
        /// issuance overflow (a malformed chain spec must give an error, not a chain).
        pub fn genesis_endow(balances: &[(AccountId, Balance)]) -> DispatchResult {
            let ed = Self::existential_deposit();
            let mut seen = BTreeSet::new();
            let mut issuance = TotalIssuance::get();
            for (who, amount) in balances {
                ensure!(*amount >= ed, Error::<T>::ExistentialDeposit);
                ensure!(
                    seen.insert(who),
                    DispatchError::Other("duplicate account in genesis balances")
                );
                issuance = issuance
                    .checked_add(*amount)
                    .ok_or(ArithmeticError::Overflow)?;
            }
            for (who, amount) in balances {
                Account::mutate(who, |a: &mut AccountInfo| {
                    if !Self::is_live(&a.data) {
                        a.providers = a.providers.saturating_add(1);
                    }
                    // Cannot saturate: the sum of all balances is bounded by `issuance`, checked above.
                    a.data.free = a.data.free.saturating_add(*amount);
                    a.data.flags |= IS_NEW_LOGIC;
                });
            }
            TotalIssuance::put(issuance);
            Ok(())
        }

        // ------------------------------------------------------------------------------------
        // Reserves
        // ------------------------------------------------------------------------------------

        /// Move `amount` of `who`'s free balance to its anonymous reserve (e.g. a deposit a
        /// pallet may later return or slash). The total balance is unchanged and the reserve
        /// keeps the account alive. Fails with `InsufficientBalance`, `LiquidityRestrictions`
        /// (locked funds cannot be reserved) or `TooManyConsumers`. Emits `Reserved`.
        pub fn reserve(who: &AccountId, amount: Balance) -> DispatchResult {
            Self::move_to_reserve(who, Bucket::Anonymous, amount)
        }

        /// Move up to `amount` of `who`'s anonymous reserve back to free. Returns, as Substrate
        /// does, the part of `amount` that could NOT be unreserved (zero when all of it was).
        /// Emits `Unreserved`. Named reserves and holds are not touched.
        pub fn unreserve(who: &AccountId, amount: Balance) -> Balance {
            amount.saturating_sub(Self::move_to_free(who, Bucket::Anonymous, amount).unwrap_or(0))
        }

        /// Slash up to `amount` of `who`'s anonymous reserve; returns the amount slashed, which
        /// has left the account and total issuance (credit it elsewhere with
        /// [`Self::deposit_creating`] if it should not disappear). Emits `Slashed`.
        pub fn slash_reserved(who: &AccountId, amount: Balance) -> Balance {
            Self::slash_bucket(who, Bucket::Anonymous, amount)
        }

        /// As [`Self::reserve`], under the name `id` (at most `MAX_RESERVES` names per account,
        /// else `TooManyReserves`).
        pub fn reserve_named(
            id: &ReserveIdentifier,
            who: &AccountId,
            amount: Balance,
        ) -> DispatchResult {
            Self::move_to_reserve(who, Bucket::Named(*id), amount)
        }

        /// As [`Self::unreserve`], from the reserve named `id`; returns the part of `amount`
        /// that could not be unreserved.
        pub fn unreserve_named(
            id: &ReserveIdentifier,
            who: &AccountId,
            amount: Balance,
        ) -> Balance {
            amount.saturating_sub(Self::move_to_free(who, Bucket::Named(*id), amount).unwrap_or(0))
        }

        /// As [`Self::slash_reserved`], from the reserve named `id`; returns the amount slashed.
        pub fn slash_reserved_named(
            id: &ReserveIdentifier,
            who: &AccountId,
            amount: Balance,
        ) -> Balance {
            Self::slash_bucket(who, Bucket::Named(*id), amount)
        }

        // ------------------------------------------------------------------------------------
        // Holds
        // ------------------------------------------------------------------------------------

        /// Put `amount` of `who`'s free balance on hold for `reason` (e.g. job escrow). As
        /// [`Self::reserve`], with `TooManyHolds` past `MAX_HOLDS` reasons. Emits `Held`.
        pub fn hold(reason: &HoldReason, who: &AccountId, amount: Balance) -> DispatchResult {
            Self::move_to_reserve(who, Bucket::Hold(*reason), amount)
        }

        /// Release up to `amount` held for `reason` back to `who`'s free balance; returns the
        /// amount released (less than `amount` when less was held). If this was the last thing
        /// keeping an account below the ED alive, the account is reaped. Emits `Released`.
        pub fn release(
            reason: &HoldReason,
            who: &AccountId,
            amount: Balance,
        ) -> Result<Balance, DispatchError> {
            Self::move_to_free(who, Bucket::Hold(*reason), amount)
        }

        /// Slash up to `amount` held for `reason`; returns the amount slashed, which has left
        /// the account and total issuance: the caller decides where it goes (e.g. the treasury
        /// via [`Self::deposit_creating`]). It stops at the ED when the account could not be
        /// reaped. Emits `Slashed`.
        pub fn slash_held(reason: &HoldReason, who: &AccountId, amount: Balance) -> Balance {
            Self::slash_bucket(who, Bucket::Hold(*reason), amount)
        }

        /// Pay exactly `amount` held for `reason` on `from` into `to`'s free balance (e.g. an
        /// escrow paying a provider). Fails with `InsufficientBalance` if less is held,
        /// `ExistentialDeposit` if it would create `to` below the ED, `Expendability` if `from`
        /// would have to be reaped but cannot be. `from` is reaped if it ends below the ED with
        /// nothing keeping it alive. Issuance is unchanged (but for such dust). With
        /// `from == to` the funds are released. Emits `TransferOnHold`.
        pub fn transfer_on_hold(
            reason: &HoldReason,
            from: &AccountId,
            to: &AccountId,
            amount: Balance,
        ) -> DispatchResult {
            if amount == 0 {
                return Ok(());
            }
            let bucket = Bucket::Hold(*reason);
            with_transaction(|| {
                let held = Self::bucket_balance(from, bucket);
                ensure!(held >= amount, Error::<T>::InsufficientBalance);
                if from == to {
                    Self::move_to_free(from, bucket, amount)?;
                    return Ok(());
                }
                let from_data = Account::get(from).data;
                let new_reserved = from_data
                    .reserved
                    .checked_sub(amount)
                    .ok_or(ArithmeticError::Underflow)?;
                let to_data = Account::get(to).data;
                let new_to_free = to_data
                    .free
                    .checked_add(amount)
                    .ok_or(ArithmeticError::Overflow)?;
                if !Self::is_live(&to_data) {
                    ensure!(
                        amount >= Self::existential_deposit(),
                        Error::<T>::ExistentialDeposit
                    );
                }
                Self::put_bucket(from, bucket, held.saturating_sub(amount))?;
                Self::write_account(
                    from,
                    AccountData {
                        reserved: new_reserved,
                        ..from_data
                    },
                )?;
                Self::write_account(
                    to,
                    AccountData {
                        free: new_to_free,
                        ..to_data
                    },
                )?;
                Self::deposit_event(Event::TransferOnHold {
                    reason: *reason,
                    source: from.clone(),
                    dest: to.clone(),
                    amount,
                });
                Ok(())
            })
        }

        // ------------------------------------------------------------------------------------
        // Locks
        // ------------------------------------------------------------------------------------

        /// Set (or replace) the lock `id` on `who` to `amount`; zero removes it. The account's
        /// frozen amount becomes its largest lock, which may exceed its free balance. Fails
        /// with `DeadAccount` (no balance), `TooManyFreezes` (more than `MAX_LOCKS` locks) or
        /// `TooManyConsumers`. Emits `Locked`/`Unlocked` with the change of the frozen amount.
        pub fn set_lock(
            id: LockIdentifier,
            who: &AccountId,
            amount: Balance,
            reasons: Reasons,
        ) -> DispatchResult {
            if amount == 0 {
                return Self::remove_lock(id, who);
            }
            let mut locks = Locks::get(who);
            let lock = BalanceLock {
                id,
                amount,
                reasons,
            };
            match locks.iter_mut().find(|l| l.id == id) {
                Some(existing) => *existing = lock,
                None => {
                    ensure!(
                        locks.len() < T::MAX_LOCKS as usize,
                        Error::<T>::TooManyFreezes
                    );
                    locks.push(lock);
                }
            }
            Self::update_locks(who, locks)
        }

        /// Like [`Self::set_lock`], but an existing lock `id` only grows: its amount becomes the
        /// larger of the two and its reasons their union. Zero with no existing lock does nothing.
        pub fn extend_lock(
            id: LockIdentifier,
            who: &AccountId,
            amount: Balance,
            reasons: Reasons,
        ) -> DispatchResult {
            let locks = Locks::get(who);
            match locks.iter().find(|l| l.id == id) {
                Some(existing) => Self::set_lock(
                    id,
                    who,
                    existing.amount.max(amount),
                    existing.reasons.union(reasons),
                ),
                None if amount == 0 => Ok(()),
                None => Self::set_lock(id, who, amount, reasons),
            }
        }

        /// Remove the lock `id` from `who` (nothing if absent). If the account was kept alive
        /// below the ED only by its locks, it is reaped.
        pub fn remove_lock(id: LockIdentifier, who: &AccountId) -> DispatchResult {
            let mut locks = Locks::get(who);
            let before = locks.len();
            locks.retain(|l| l.id != id);
            if locks.len() == before {
                return Ok(());
            }
            Self::update_locks(who, locks)
        }

        // ------------------------------------------------------------------------------------
        // Internals
        // ------------------------------------------------------------------------------------

        /// Deposit one of this pallet's events.
        fn deposit_event(event: Event) {
            System::<T>::deposit_event_of(<T as Config>::INDEX, &event)
        }

        /// Whether the account exists as far as balances is concerned (holds our provider).
        fn is_live(d: &AccountData) -> bool {
            d.free != 0 || d.reserved != 0 || d.frozen != 0
        }

        /// Whether the account holds our consumer reference (reserves, holds or locks).
        fn consumes(d: &AccountData) -> bool {
            d.reserved != 0 || d.frozen != 0
        }

        /// Whether the system pallet would let the account go once balances stops consuming
        /// it: nobody else consumes it, or something else also provides for it.
        fn others_allow_death(info: &AccountInfo) -> bool {
            let ours = u32::from(Self::consumes(&info.data));
            info.consumers.saturating_sub(ours) == 0 || info.providers > 1
        }

        /// The least free balance the account must keep after spending from free.
        fn min_free(info: &AccountInfo, keep_alive: bool) -> Balance {
            let d = &info.data;
            let can_die = !keep_alive && !Self::consumes(d) && Self::others_allow_death(info);
            let keep = if can_die {
                0
            } else {
                Self::existential_deposit().saturating_sub(d.reserved)
            };
            keep.max(d.frozen)
        }

        /// Checks that `amount` may leave the account's free balance; returns the new free.
        fn ensure_can_spend(
            info: &AccountInfo,
            amount: Balance,
            keep_alive: bool,
        ) -> Result<Balance, DispatchError> {
            let d = &info.data;
            let new_free = d
                .free
                .checked_sub(amount)
                .ok_or(Error::<T>::InsufficientBalance)?;
            ensure!(new_free >= d.frozen, Error::<T>::LiquidityRestrictions);
            if new_free.saturating_add(d.reserved) < Self::existential_deposit() {
                let can_die = !keep_alive && !Self::consumes(d) && Self::others_allow_death(info);
                ensure!(can_die, Error::<T>::Expendability);
            }
            Ok(new_free)
        }

        /// Removes `amount` from the free balance and from issuance (no event).
        fn decrease_free(who: &AccountId, amount: Balance, keep_alive: bool) -> DispatchResult {
            let info = Account::get(who);
            let new_free = Self::ensure_can_spend(&info, amount, keep_alive)?;
            let issuance = TotalIssuance::get()
                .checked_sub(amount)
                .ok_or(ArithmeticError::Underflow)?;
            TotalIssuance::put(issuance);
            Self::write_account(
                who,
                AccountData {
                    free: new_free,
                    ..info.data
                },
            )
        }

        /// Adds newly issued `amount` to the free balance and emits `event`.
        fn mint(who: &AccountId, amount: Balance, create: bool, event: Event) -> DispatchResult {
            if amount == 0 {
                return Ok(());
            }
            with_transaction(|| {
                let d = Account::get(who).data;
                if !Self::is_live(&d) {
                    ensure!(create, Error::<T>::DeadAccount);
                    ensure!(
                        amount >= Self::existential_deposit(),
                        Error::<T>::ExistentialDeposit
                    );
                }
                let issuance = TotalIssuance::get()
                    .checked_add(amount)
                    .ok_or(ArithmeticError::Overflow)?;
                let new_free = d
                    .free
                    .checked_add(amount)
                    .ok_or(ArithmeticError::Overflow)?;
                Self::write_account(
                    who,
                    AccountData {
                        free: new_free,
                        ..d
                    },
                )?;
                TotalIssuance::put(issuance);
                Self::deposit_event(event);
                Ok(())
            })
        }

        /// Removes `amount` from total issuance (saturating: issuance always covers every
        /// balance, so this cannot go below zero unless state is corrupt).
        fn reduce_issuance(amount: Balance) {
            TotalIssuance::mutate(|t| *t = t.saturating_sub(amount));
        }

        /// Writes `new` as `who`'s balance data and keeps everything that depends on it right:
        /// - an account that appears must have at least the ED (`ExistentialDeposit`); it gets
        ///   our provider reference (`System.NewAccount`) and `Endowed` is emitted;
        /// - our consumer reference follows `reserved > 0 || frozen > 0` (`TooManyConsumers`
        ///   can fail here);
        /// - an account below the ED that nothing keeps alive is reaped: its dust leaves
        ///   issuance (`DustLost`) and our provider goes (`System.KilledAccount`). If another
        ///   pallet depends on it, it stays as it is, or, when it would be left with nothing at
        ///   all, the write fails with `Expendability`.
        ///
        /// Callers run it inside a transaction: it may fail after writing.
        fn write_account(who: &AccountId, new: AccountData) -> DispatchResult {
            let info = Account::get(who);
            let old = info.data;
            let ed = Self::existential_deposit();
            let was_live = Self::is_live(&old);
            let mut new = new;
            let mut dust = 0;
            if !was_live && Self::is_live(&new) {
                ensure!(
                    new.free.saturating_add(new.reserved) >= ed,
                    Error::<T>::ExistentialDeposit
                );
            }
            if !Self::consumes(&new) && new.free < ed {
                if Self::others_allow_death(&info) {
                    dust = new.free;
                    new = AccountData::default();
                } else if !Self::is_live(&new) && was_live {
                    return Err(Error::<T>::Expendability.into());
                }
            }
            let live = Self::is_live(&new);
            if !was_live && !live {
                return Ok(());
            }
            if !was_live {
                System::<T>::inc_providers(who);
            }
            match (Self::consumes(&old), Self::consumes(&new)) {
                (false, true) => System::<T>::inc_consumers(who)?,
                (true, false) => System::<T>::dec_consumers(who),
                _ => {}
            }
            if live {
                Account::mutate(who, |a: &mut AccountInfo| {
                    a.data = AccountData {
                        flags: IS_NEW_LOGIC,
                        ..new
                    }
                });
                if !was_live {
                    Self::deposit_event(Event::Endowed {
                        account: who.clone(),
                        free_balance: new.free,
                    });
                }
            } else {
                Account::mutate(who, |a: &mut AccountInfo| a.data = AccountData::default());
                System::<T>::dec_providers(who)?;
                if dust > 0 {
                    Self::reduce_issuance(dust);
                    Self::deposit_event(Event::DustLost {
                        account: who.clone(),
                        amount: dust,
                    });
                }
            }
            Ok(())
        }

        /// The amount in `bucket` for `who`.
        fn bucket_balance(who: &AccountId, bucket: Bucket) -> Balance {
            match bucket {
                Bucket::Anonymous => Account::get(who)
                    .data
                    .reserved
                    .saturating_sub(entries_total(&Reserves::get(who)))
                    .saturating_sub(entries_total(&Holds::get(who))),
                Bucket::Named(id) => entry_amount(&Reserves::get(who), id),
                Bucket::Hold(id) => entry_amount(&Holds::get(who), id),
            }
        }

        /// Records `amount` as the content of `bucket` (the anonymous reserve is implicit).
        fn put_bucket(who: &AccountId, bucket: Bucket, amount: Balance) -> DispatchResult {
            match bucket {
                Bucket::Anonymous => Ok(()),
                Bucket::Named(id) => {
                    let mut list = Reserves::get(who);
                    ensure!(
                        set_entry(&mut list, id, amount, T::MAX_RESERVES),
                        Error::<T>::TooManyReserves
                    );
                    if list.is_empty() {
                        Reserves::remove(who);
                    } else {
                        Reserves::insert(who, list);
                    }
                    Ok(())
                }
                Bucket::Hold(id) => {
                    let mut list = Holds::get(who);
                    ensure!(
                        set_entry(&mut list, id, amount, T::MAX_HOLDS),
                        Error::<T>::TooManyHolds
                    );
                    if list.is_empty() {
                        Holds::remove(who);
                    } else {
                        Holds::insert(who, list);
                    }
                    Ok(())
                }
            }
        }

        /// Free to `bucket`: reserve, named reserve or hold.
        fn move_to_reserve(who: &AccountId, bucket: Bucket, amount: Balance) -> DispatchResult {
            if amount == 0 {
                return Ok(());
            }
            with_transaction(|| {
                let d = Account::get(who).data;
                let new_free = d
                    .free
                    .checked_sub(amount)
                    .ok_or(Error::<T>::InsufficientBalance)?;
                ensure!(new_free >= d.frozen, Error::<T>::LiquidityRestrictions);
                let new_reserved = d
                    .reserved
                    .checked_add(amount)
                    .ok_or(ArithmeticError::Overflow)?;
                let in_bucket = Self::bucket_balance(who, bucket)
                    .checked_add(amount)
                    .ok_or(ArithmeticError::Overflow)?;
                Self::put_bucket(who, bucket, in_bucket)?;
                Self::write_account(
                    who,
                    AccountData {
                        free: new_free,
                        reserved: new_reserved,
                        ..d
                    },
                )?;
                Self::deposit_event(match bucket {
                    Bucket::Hold(reason) => Event::Held {
                        reason,
                        who: who.clone(),
                        amount,
                    },
                    _ => Event::Reserved {
                        who: who.clone(),
                        amount,
                    },
                });
                Ok(())
            })
        }

        /// `bucket` to free, up to `amount`; returns the amount moved.
        fn move_to_free(
            who: &AccountId,
            bucket: Bucket,
            amount: Balance,
        ) -> Result<Balance, DispatchError> {
            with_transaction(|| {
                let in_bucket = Self::bucket_balance(who, bucket);
                let actual = amount.min(in_bucket);
                if actual == 0 {
                    return Ok(0);
                }
                let d = Account::get(who).data;
                let new_reserved = d
                    .reserved
                    .checked_sub(actual)
                    .ok_or(ArithmeticError::Underflow)?;
                let new_free = d
                    .free
                    .checked_add(actual)
                    .ok_or(ArithmeticError::Overflow)?;
                Self::put_bucket(who, bucket, in_bucket.saturating_sub(actual))?;
                Self::write_account(
                    who,
                    AccountData {
                        free: new_free,
                        reserved: new_reserved,
                        ..d
                    },
                )?;
                Self::deposit_event(match bucket {
                    Bucket::Hold(reason) => Event::Released {
                        reason,
                        who: who.clone(),
                        amount: actual,
                    },
                    _ => Event::Unreserved {
                        who: who.clone(),
                        amount: actual,
                    },
                });
                Ok(actual)
            })
        }

        /// Slash up to `amount` from `bucket`; returns the amount slashed.
        fn slash_bucket(who: &AccountId, bucket: Bucket, amount: Balance) -> Balance {
            let result = with_transaction(|| -> Result<Balance, DispatchError> {
                let info = Account::get(who);
                let d = info.data;
                let in_bucket = Self::bucket_balance(who, bucket);
                let mut actual = amount.min(in_bucket);
                if actual == 0 {
                    return Ok(0);
                }
                let total = d.free.saturating_add(d.reserved);
                let ed = Self::existential_deposit();
                if total.saturating_sub(actual) < ed && !Self::others_allow_death(&info) {
                    actual = actual.min(total.saturating_sub(ed));
                    if actual == 0 {
                        return Ok(0);
                    }
                }
                let new_reserved = d
                    .reserved
                    .checked_sub(actual)
                    .ok_or(ArithmeticError::Underflow)?;
                Self::put_bucket(who, bucket, in_bucket.saturating_sub(actual))?;
                Self::write_account(
                    who,
                    AccountData {
                        reserved: new_reserved,
                        ..d
                    },
                )?;
                Self::reduce_issuance(actual);
                Self::deposit_event(Event::Slashed {
                    who: who.clone(),
                    amount: actual,
                });
                Ok(actual)
            });
            result.unwrap_or(0)
        }

        /// Stores `locks`, sets `frozen` to the largest and emits the change.
        fn update_locks(who: &AccountId, locks: Vec<BalanceLock>) -> DispatchResult {
            with_transaction(|| {
                let d = Account::get(who).data;
                ensure!(Self::is_live(&d), Error::<T>::DeadAccount);
                let new_frozen = locks.iter().map(|l| l.amount).max().unwrap_or(0);
                let old_frozen = d.frozen;
                if locks.is_empty() {
                    Locks::remove(who);
                } else {
                    Locks::insert(who, locks);
                }
                Self::write_account(
                    who,
                    AccountData {
                        frozen: new_frozen,
                        ..d
                    },
                )?;
                if new_frozen > old_frozen {
                    Self::deposit_event(Event::Locked {
                        who: who.clone(),
                        amount: new_frozen.saturating_sub(old_frozen),
                    });
                } else if new_frozen < old_frozen {
                    Self::deposit_event(Event::Unlocked {
                        who: who.clone(),
                        amount: old_frozen.saturating_sub(new_frozen),
                    });
                }
                Ok(())
            })
        }
    }

    impl<T: Config> basalt_support::genesis::BuildGenesis for Pallet<T> {
        type Config = Vec<(AccountId, Balance)>;

        /// Endows each account with its balance ([`Pallet::genesis_endow`]).
        fn build_genesis(balances: &Self::Config) -> DispatchResult {
            Self::genesis_endow(balances)
        }
    }

    impl<T: Config> basalt_support::hooks::Hooks for Pallet<T> {}

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "Balances",
                storage: Some(storage_metadata()),
                calls: Some(meta_type::<Call>()),
                event: Some(meta_type::<Event>()),
                error: Some(meta_type::<Error<T>>()),
                constants: vec![
                    constant(
                        "ExistentialDeposit",
                        Self::existential_deposit(),
                        &[" The minimum amount required to keep an account open."],
                    ),
                    constant(
                        "MaxLocks",
                        T::MAX_LOCKS,
                        &[" The maximum number of locks that should exist on an account."],
                    ),
                    constant(
                        "MaxReserves",
                        T::MAX_RESERVES,
                        &[" The maximum number of named reserves that can exist on an account."],
                    ),
                    constant(
                        "MaxHolds",
                        T::MAX_HOLDS,
                        &[" The maximum number of holds that can exist on an account."],
                    ),
                ],
                docs: vec![
                    " The native token: transfers, existential deposit, reserves, holds and locks.",
                ],
            }
        }
    }
}

/// Implements [`Config`] for a pallet's mock runtime with the limits the mocks share (index 2,
/// 8 locks, 4 named reserves, 4 holds) and the mock's own existential deposit, so the mock
/// balances configuration lives in one place.
#[macro_export]
macro_rules! impl_test_config {
    ($runtime:ty, existential_deposit = $ed:expr) => {
        impl $crate::Config for $runtime {
            const INDEX: u8 = 2;
            const EXISTENTIAL_DEPOSIT: ::basalt_support::Balance = $ed;
            const MAX_LOCKS: u32 = 8;
            const MAX_RESERVES: u32 = 4;
            const MAX_HOLDS: u32 = 4;
        }
    };
}
