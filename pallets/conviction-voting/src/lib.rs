//! # ConvictionVoting pallet: votes weighted by how long their tokens stay locked
//!
//! As Substrate's pallet-conviction-voting (its call names, argument order, call and event
//! indices, types and lock id): token holders vote on referenda with tokens that are locked,
//! never moved, and the longer they agree to keep them locked after the referendum, the more
//! their vote weighs.
//!
//! ## Rules
//! - `vote(poll_index, vote)` on an ongoing referendum: `Standard { vote: aye/nay + conviction,
//!   balance }` (conviction 0.1x with no lock after the referendum, 1x locked for one
//!   `VoteLockingPeriod`, then 2x, 3x, 4x, 5x, 6x for 2, 4, 8, 16, 32 periods), or `Split`
//!   / `SplitAbstain` capital without conviction (0.1x; abstaining capital counts towards
//!   support only). The capital may be at most the voter's free balance. Voting again on the
//!   same referendum replaces the vote.
//! - The capital is locked (balances lock `pyconvot`) while the vote stands: it cannot be
//!   transferred, so one balance votes once per referendum however it moves (the same tokens
//!   may vote on several referenda, as in Polkadot). Locks are kept per class (the
//!   referendum's track); the account's lock is the largest class lock.
//! - `remove_vote(class, index)`: on an ongoing referendum the vote leaves the tally; on a
//!   finished one a standard vote with conviction on the winning side leaves a lock until
//!   the referendum's end plus its conviction's periods. `unlock(class, target)`, by anyone,
//!   recomputes the class lock and releases what is no longer needed.
//!   `remove_other_vote(target, class, index)`, by anyone, tidies up another account's vote on
//!   a finished referendum once its lock has passed.
//! - `delegate(class, to, conviction, balance)` gives an account's votes in a class to
//!   another: its capital is locked as a vote's would be, and counts, at its conviction, in
//!   every standard vote the target casts in that class (ongoing referenda included, from the
//!   moment of delegation), on the target's side. Delegation is not transitive, and a
//!   delegating account cannot vote in that class. `undelegate(class)` takes it back from
//!   every ongoing tally; the capital then stays locked for the conviction's periods.
//! - An account keeps at most [`MAX_VOTES`] votes per class, which bounds every call's work,
//!   delegation included (a delegation touches at most the target's `MAX_VOTES` referenda).
//!
//! Differences from pallet-conviction-voting, and why: none in the calls; votes and
//! delegations are counted in the tally when they are made, as Substrate does.

pub use pallet::*;
pub use vote::*;

pub mod vote;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// The lock this pallet sets on voters' balances: Substrate's `pyconvot`.
pub const CONVICTION_VOTING_ID: pallet_balances::LockIdentifier = *b"pyconvot";

/// The most classes (tracks) one account holds locks in.
pub const MAX_CLASSES: u32 = 16;

/// The pallet: configuration, storage, events, errors and calls.
pub mod pallet {
    use super::*;
    use basalt_support::governance::{PollClass, PollIndex, PollStatus, Polling};
    use basalt_support::hooks::Hooks;
    use basalt_support::metadata::{constant, DescribePallet, PalletDescription};
    use basalt_support::multiaddress::MultiAddress;
    use basalt_support::storage::{OptionQuery, Twox64Concat, ValueQuery};
    use basalt_support::{
        AccountId, Balance, BlockNumber, BoundedVec, DispatchError, DispatchResult, Origin,
    };
    use codec::{Decode, Encode};
    use core::marker::PhantomData;
    use scale_info::{meta_type, TypeInfo};

    type System<T> = pallet_system::Pallet<T>;
    type Balances<T> = pallet_balances::Pallet<T>;

    /// An address as it travels in calls (`sp_runtime::multiaddress::MultiAddress`).
    pub type Address = MultiAddress<AccountId, ()>;

    /// One account's lock in each class it voted in.
    pub type ClassLocks = BoundedVec<(PollClass, Balance), MAX_CLASSES>;

    /// What the runtime tells the voting pallet.
    pub trait Config: pallet_balances::Config {
        /// This pallet's index in the runtime; its events and errors carry it.
        const INDEX: u8;
        /// Blocks in one lock period (the unit of conviction), unless the chain spec set
        /// another (`VoteLockingPeriodOverride`).
        const VOTE_LOCKING_PERIOD: BlockNumber;
        /// The polls voted on: the referenda.
        type Polls: Polling;
    }

    /// The voting pallet's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "ConvictionVoting";
        /// Each account's votes (or delegation) in each class, and the lock its removed votes
        /// left.
        pub VotingFor: StorageDoubleMap<Twox64Concat, AccountId, Twox64Concat, PollClass, Voting, ValueQuery>;
        /// Each account's lock in each class it voted in; its balances lock is the largest.
        pub ClassLocksFor: StorageMap<Twox64Concat, AccountId, ClassLocks, ValueQuery>;
        /// This chain's lock period, when its chain spec set one (development chains shorten
        /// it); else `VoteLockingPeriod`.
        pub VoteLockingPeriodOverride: StorageValue<BlockNumber, OptionQuery>;
    }

    /// Events of the voting pallet, at pallet-conviction-voting's indices.
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// An account delegated its votes in a class: (delegator, target).
        #[codec(index = 0)]
        Delegated(AccountId, AccountId),
        /// An account took its delegation back.
        #[codec(index = 1)]
        Undelegated(AccountId),
        /// An account voted (or changed its vote).
        #[codec(index = 2)]
        Voted {
            /// The voter.
            who: AccountId,
            /// The vote.
            vote: AccountVote,
        },
        /// A vote was removed.
        #[codec(index = 3)]
        VoteRemoved {
            /// The voter.
            who: AccountId,
            /// The vote.
            vote: AccountVote,
        },
        /// An account's lock in a class was recomputed (and possibly released).
        #[codec(index = 4)]
        VoteUnlocked {
            /// The voter.
            who: AccountId,
            /// The class.
            class: PollClass,
        },
    }

    basalt_support::pallet_error! {
        /// Errors of the voting pallet, with pallet-conviction-voting's names.
        pub enum Error<T: Config> {
            /// The referendum is not open for votes.
            NotOngoing,
            /// The account has no vote on this referendum (in this class).
            NotVoter,
            /// Another account's vote cannot be removed while its referendum is open.
            NoPermission,
            /// Another account's vote cannot be removed while it still locks tokens.
            NoPermissionYet,
            /// The vote's capital is more than the account's free balance.
            InsufficientFunds,
            /// The account has `MaxVotes` votes in this class already.
            MaxVotesReached,
            /// The referendum has ended: say which class (track) it was in.
            ClassNeeded,
            /// The account holds locks in too many classes.
            BadClass,
            /// The account delegates its votes in this class: it cannot vote there.
            AlreadyDelegating,
            /// The account has votes in this class: remove them before delegating.
            AlreadyVoting,
            /// The account does not delegate in this class.
            NotDelegating,
            /// An account cannot delegate to itself.
            Nonsense,
        }
    }

    /// Calls of the voting pallet, at pallet-conviction-voting's indices.
    #[basalt_support::call]
    impl<T: Config> Pallet<T> {
        /// Vote on an ongoing referendum, or change a vote. The capital is locked while the
        /// vote stands.
        #[pallet::call_index(0)]
        #[pallet::weight(weights::vote().saturating_add(T::Polls::UPDATE_TALLY_WEIGHT))]
        pub fn vote(
            origin: Origin,
            /// The referendum.
            #[pallet::compact]
            poll_index: PollIndex,
            /// The vote.
            vote: AccountVote,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            let PollStatus::Ongoing { class } = T::Polls::poll_status(poll_index) else {
                return Err(Error::<T>::NotOngoing.into());
            };
            if vote.balance() > Balances::<T>::free_balance(&who) {
                return Err(Error::<T>::InsufficientFunds.into());
            }
            let Voting::Casting(mut casting) = VotingFor::get(&who, class) else {
                return Err(Error::<T>::AlreadyDelegating.into());
            };
            let previous = match casting.votes.binary_search_by_key(&poll_index, |(i, _)| *i) {
                Ok(at) => casting
                    .votes
                    .as_mut_slice()
                    .get_mut(at)
                    .map(|(_, old)| core::mem::replace(old, vote)),
                Err(at) => {
                    casting
                        .votes
                        .try_insert(at, (poll_index, vote))
                        .map_err(|_| Error::<T>::MaxVotesReached)?;
                    None
                }
            };
            let delegations = casting.delegations;
            T::Polls::update_tally(poll_index, |tally| {
                if let Some(old) = previous {
                    old.remove_with(delegations, tally);
                }
                vote.add_with(delegations, tally);
            })?;
            VotingFor::insert(&who, class, Voting::Casting(casting));
            Self::extend_lock(&who, class, vote.balance())?;
            Self::deposit_event(Event::Voted { who, vote });
            Ok(())
        }

        /// Delegate one's votes in `class` to `to`, with `balance` at `conviction`: they count
        /// in every standard vote `to` casts there, on its side, until `undelegate`. Signed;
        /// the account must have no votes in the class.
        #[pallet::call_index(1)]
        #[pallet::weight(weights::delegate().saturating_add(T::Polls::UPDATE_TALLY_WEIGHT.saturating_mul(MAX_VOTES as u64)))]
        pub fn delegate(
            origin: Origin,
            /// The class (track).
            class: PollClass,
            /// Who votes with the delegated capital.
            to: Address,
            /// The conviction of the delegated votes.
            conviction: Conviction,
            /// The capital (locked while delegated).
            balance: Balance,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            let target = to.lookup().ok_or(DispatchError::CannotLookup)?;
            if target == who {
                return Err(Error::<T>::Nonsense.into());
            }
            if balance > Balances::<T>::free_balance(&who) {
                return Err(Error::<T>::InsufficientFunds.into());
            }
            let (delegations, prior) = match VotingFor::get(&who, class) {
                Voting::Casting(c) if c.votes.is_empty() => (c.delegations, c.prior),
                Voting::Casting(_) => return Err(Error::<T>::AlreadyVoting.into()),
                Voting::Delegating(_) => return Err(Error::<T>::AlreadyDelegating.into()),
            };
            let delegating = Delegating {
                balance,
                target: target.clone(),
                conviction,
                delegations,
                prior,
            };
            Self::change_delegations(&target, class, delegating.given(), true)?;
            VotingFor::insert(&who, class, Voting::Delegating(delegating));
            Self::extend_lock(&who, class, balance)?;
            Self::deposit_event(Event::Delegated(who, target));
            Ok(())
        }

        /// Take back one's delegation in `class` from every ongoing tally; the capital stays
        /// locked for the conviction's periods. Signed.
        #[pallet::call_index(2)]
        #[pallet::weight(weights::delegate().saturating_add(T::Polls::UPDATE_TALLY_WEIGHT.saturating_mul(MAX_VOTES as u64)))]
        pub fn undelegate(
            origin: Origin,
            /// The class (track).
            class: PollClass,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            let Voting::Delegating(d) = VotingFor::get(&who, class) else {
                return Err(Error::<T>::NotDelegating.into());
            };
            Self::change_delegations(&d.target, class, d.given(), false)?;
            let mut prior = d.prior;
            let periods = d.conviction.lock_periods();
            if periods > 0 {
                let until = System::<T>::block_number()
                    .saturating_add(Self::vote_locking_period().saturating_mul(periods));
                prior.accumulate(until, d.balance);
            }
            let casting = Casting {
                votes: Default::default(),
                delegations: d.delegations,
                prior,
            };
            VotingFor::insert(&who, class, Voting::Casting(casting));
            Self::deposit_event(Event::Undelegated(who));
            Ok(())
        }

        /// Recompute `target`'s lock in `class` and release what its votes no longer need.
        /// Signed by anyone.
        #[pallet::call_index(3)]
        #[pallet::weight(weights::unlock())]
        pub fn unlock(
            origin: Origin,
            /// The class (track).
            class: PollClass,
            /// The voter.
            target: Address,
        ) -> DispatchResult {
            origin.ensure_signed()?;
            let target = target.lookup().ok_or(DispatchError::CannotLookup)?;
            Self::update_lock(&target, class)?;
            Self::deposit_event(Event::VoteUnlocked { who: target, class });
            Ok(())
        }

        /// Remove one's vote on a referendum: from the tally while it is open; afterwards,
        /// leaving the lock a winning conviction vote owes.
        #[pallet::call_index(4)]
        #[pallet::weight(weights::remove_vote().saturating_add(T::Polls::UPDATE_TALLY_WEIGHT))]
        pub fn remove_vote(
            origin: Origin,
            /// The referendum's class (track); needed once it has ended.
            class: Option<PollClass>,
            /// The referendum.
            index: PollIndex,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::try_remove_vote(&who, index, class, Scope::Any)
        }

        /// Remove another account's vote on a finished referendum whose lock has passed (or
        /// that lost). Signed by anyone.
        #[pallet::call_index(5)]
        #[pallet::weight(weights::remove_vote().saturating_add(T::Polls::UPDATE_TALLY_WEIGHT))]
        pub fn remove_other_vote(
            origin: Origin,
            /// The voter.
            target: Address,
            /// The referendum's class (track).
            class: PollClass,
            /// The referendum.
            index: PollIndex,
        ) -> DispatchResult {
            origin.ensure_signed()?;
            let target = target.lookup().ok_or(DispatchError::CannotLookup)?;
            Self::try_remove_vote(&target, index, Some(class), Scope::OnlyExpired)
        }
    }

    /// Whose votes a removal may take: one's own at any time, another's only when nothing
    /// more is owed.
    #[derive(Clone, Copy, PartialEq, Eq, Debug)]
    enum Scope {
        Any,
        OnlyExpired,
    }

    impl<T: Config> Pallet<T> {
        /// This chain's lock period.
        pub fn vote_locking_period() -> BlockNumber {
            VoteLockingPeriodOverride::get().unwrap_or(T::VOTE_LOCKING_PERIOD)
        }

        fn try_remove_vote(
            who: &AccountId,
            index: PollIndex,
            class: Option<PollClass>,
            scope: Scope,
        ) -> DispatchResult {
            let status = T::Polls::poll_status(index);
            let class = match (class, status) {
                (Some(class), _) => class,
                (None, PollStatus::Ongoing { class }) => class,
                (None, _) => return Err(Error::<T>::ClassNeeded.into()),
            };
            let Voting::Casting(mut casting) = VotingFor::get(who, class) else {
                return Err(Error::<T>::NotVoter.into());
            };
            let at = casting
                .votes
                .binary_search_by_key(&index, |(i, _)| *i)
                .map_err(|_| Error::<T>::NotVoter)?;
            let (_, vote) = casting.votes.remove(at).ok_or(Error::<T>::NotVoter)?;
            let now = System::<T>::block_number();
            match status {
                PollStatus::Ongoing { .. } => {
                    if scope == Scope::OnlyExpired {
                        return Err(Error::<T>::NoPermission.into());
                    }
                    let delegations = casting.delegations;
                    T::Polls::update_tally(index, |tally| vote.remove_with(delegations, tally))?;
                }
                PollStatus::Completed { end, approved } => {
                    if let Some((periods, balance)) = vote.locked_if(approved) {
                        let unlock_at =
                            end.saturating_add(Self::vote_locking_period().saturating_mul(periods));
                        if now < unlock_at {
                            if scope == Scope::OnlyExpired {
                                return Err(Error::<T>::NoPermissionYet.into());
                            }
                            casting.prior.accumulate(unlock_at, balance);
                        }
                    }
                }
                PollStatus::None => {}
            }
            VotingFor::insert(who, class, Voting::Casting(casting));
            Self::deposit_event(Event::VoteRemoved {
                who: who.clone(),
                vote,
            });
            Ok(())
        }

        /// Adds (or takes back) `delta` to what `target` carries in `class`, and to the tally
        /// of every ongoing referendum on which it cast a standard vote (at most `MAX_VOTES`).
        fn change_delegations(
            target: &AccountId,
            class: PollClass,
            delta: Delegations,
            add: bool,
        ) -> DispatchResult {
            let mut voting = VotingFor::get(target, class);
            let carried = voting.delegations_mut();
            *carried = if add {
                carried.saturating_add(delta)
            } else {
                carried.saturating_sub(delta)
            };
            if let Voting::Casting(casting) = &voting {
                for (index, vote) in casting.votes.iter() {
                    let AccountVote::Standard { vote, .. } = vote else {
                        continue;
                    };
                    // An ended referendum refuses the change (its tally is final): skipped.
                    let _ = T::Polls::update_tally(*index, |tally| {
                        if add {
                            delta.add_to(vote.aye, tally)
                        } else {
                            delta.remove_from(vote.aye, tally)
                        }
                    });
                }
            }
            VotingFor::insert(target, class, voting);
            Ok(())
        }

        /// Raise `who`'s lock in `class` to at least `amount`, and its balances lock with it.
        fn extend_lock(who: &AccountId, class: PollClass, amount: Balance) -> DispatchResult {
            let mut locks = ClassLocksFor::get(who);
            match locks.as_mut_slice().iter_mut().find(|(c, _)| *c == class) {
                Some((_, locked)) => *locked = (*locked).max(amount),
                None => locks
                    .try_push((class, amount))
                    .map_err(|_| Error::<T>::BadClass)?,
            }
            Self::set_account_lock(who, locks)
        }

        /// Recompute `who`'s lock in `class` from its votes and prior lock; drop a voting
        /// record that holds nothing any more.
        fn update_lock(who: &AccountId, class: PollClass) -> DispatchResult {
            let now = System::<T>::block_number();
            let mut voting = VotingFor::get(who, class);
            let needed = voting.locked_balance(now);
            if voting.is_empty_at(now) {
                VotingFor::remove(who, class);
            } else {
                if voting.prior_mut().locked_at(now) == 0 {
                    *voting.prior_mut() = PriorLock::default();
                }
                VotingFor::insert(who, class, voting);
            }
            let mut locks = ClassLocksFor::get(who);
            locks.retain(|(c, _)| *c != class);
            if needed > 0 {
                locks
                    .try_push((class, needed))
                    .map_err(|_| Error::<T>::BadClass)?;
            }
            Self::set_account_lock(who, locks)
        }

        /// Store `who`'s class locks and set its balances lock to the largest.
        fn set_account_lock(who: &AccountId, locks: ClassLocks) -> DispatchResult {
            let largest = locks.iter().map(|(_, l)| *l).max().unwrap_or(0);
            if locks.is_empty() {
                ClassLocksFor::remove(who);
            } else {
                ClassLocksFor::insert(who, locks);
            }
            Balances::<T>::set_lock(
                CONVICTION_VOTING_ID,
                who,
                largest,
                pallet_balances::Reasons::All,
            )
        }

        fn deposit_event(event: Event) {
            System::<T>::deposit_event_of(<T as Config>::INDEX, &event)
        }
    }

    impl<T: Config> basalt_support::genesis::BuildGenesis for Pallet<T> {
        type Config = Option<BlockNumber>;

        /// Genesis: the chain's own lock period, if its chain spec sets one.
        fn build_genesis(vote_locking_period: &Option<BlockNumber>) -> DispatchResult {
            if let Some(period) = *vote_locking_period {
                VoteLockingPeriodOverride::put(period);
            }
            Ok(())
        }
    }

    impl<T: Config> Hooks for Pallet<T> {}

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "ConvictionVoting",
                storage: Some(storage_metadata()),
                calls: Some(meta_type::<Call>()),
                event: Some(meta_type::<Event>()),
                error: Some(meta_type::<Error<T>>()),
                constants: vec![
                    constant("MaxVotes", MAX_VOTES, &[" The most votes an account keeps in one class (track)."]),
                    constant("VoteLockingPeriod", T::VOTE_LOCKING_PERIOD, &[" Blocks in one conviction lock period (a chain spec may shorten it: `VoteLockingPeriodOverride`)."]),
                ],
                docs: vec![
                    " Votes on referenda with locked (not moved) tokens, weighted by conviction: how",
                    " many lock periods the voter keeps them locked after the referendum.",
                ],
            }
        }
    }
}
