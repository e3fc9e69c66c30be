//! # Referenda pallet: proposals decided by token holders, on tracks
//!
//! As Substrate's pallet-referenda (OpenGov; its call names, argument order, call and event
//! indices and records): anyone proposes a call to be dispatched with a track's origin; token
//! holders vote on it (ConvictionVoting); if enough of them approve, and enough of the supply
//! supports it, for long enough, it is scheduled for enactment.
//!
//! ## Rules
//! - **Submission.** `submit(proposal_origin, proposal, enactment_moment)` holds the
//!   `SubmissionDeposit` and opens a referendum on the track of `proposal_origin` (Root: any
//!   call; Treasurer: treasury spends up to its cap). The proposal is an encoded call inline
//!   (at most [`MAX_INLINE_LEN`] bytes) or the hash and length of a noted preimage, which the
//!   referendum keeps requested until it ends; a proposal that does not decode as a call is
//!   refused at once.
//! - **Preparing.** Deciding begins once the track's `decision_deposit` is placed
//!   (`place_decision_deposit`, by anyone) and its prepare period has passed, if the track
//!   has a free deciding slot; otherwise the referendum waits in the track's queue, ordered by
//!   ayes (the highest decides first). A referendum that has not begun deciding within
//!   `UndecidingTimeout` of its submission times out.
//! - **Deciding.** It passes while its approval (ayes / (ayes + nays)) and support (aye and
//!   abstain capital / total issuance) meet the track's curves at the elapsed share of the
//!   decision period. Passing starts the confirm period; failing during it aborts the
//!   confirmation; passing through the whole confirm period approves the referendum, and
//!   not passing by the end of the decision period rejects it.
//! - **Enactment.** An approved proposal is scheduled (Scheduler, named task
//!   `blake2_256(("assembly", "enactment", index))`) for its enactment moment, never earlier
//!   than the track's minimum enactment period, dispatched with its proposal origin; the
//!   scheduler's `Dispatched` event carries the result.
//! - **Alarms.** Each ongoing referendum has at most one alarm, a scheduler task that calls
//!   `nudge_referendum` at the next block its state can change (end of prepare period, of
//!   confirmation, of the decision period, the block the curves would be met with the current
//!   votes, the timeout); a vote sets it to the next block. The scheduler bounds the work per
//!   block.
//! - **Deposits.** Decision deposits are refunded (`refund_decision_deposit`) once the
//!   referendum has ended, whatever the outcome; submission deposits
//!   (`refund_submission_deposit`) only when approved or cancelled, as in Polkadot: a
//!   rejected or timed-out proposal's submission deposit stays held. `cancel` (root) ends a
//!   referendum and keeps its deposits refundable; `kill` (root) ends it and slashes both
//!   deposits to the treasury.
//!
//! Value is conserved: deposits are holds, released to their owner or moved to the treasury.
//!
//! Differences from pallet-referenda, and why: tracks' periods may be shortened by the chain
//! spec (development chains) and are otherwise the constants in metadata; `one_fewer_deciding`
//! (index 6) is not a call, as the next queued referendum begins deciding in the same block
//! a slot frees; the cancel and kill origins are root only.

pub use curve::Curve;
pub use pallet::*;
pub use types::*;

pub mod curve;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// The hold on submission and decision deposits.
pub const DEPOSIT_HOLD: pallet_balances::HoldReason = *b"referend";

/// The most referenda waiting for a deciding slot on one track.
pub const MAX_QUEUED: u32 = 100;

/// The scheduler priority of alarms (FRAME's).
const ALARM_PRIORITY: u8 = 128;

/// The scheduler priority of enactments (FRAME's).
const ENACTMENT_PRIORITY: u8 = 63;

/// The pallet: configuration, storage, events, errors and calls.
pub mod pallet {
    use super::*;
    use basalt_support::generic::MAX_CALL_DEPTH;
    use basalt_support::governance::{PollIndex, PollStatus, Polling, QueryPreimage, Tally};
    use basalt_support::hooks::Hooks;
    use basalt_support::metadata::{constant, DescribePallet, PalletDescription};
    use basalt_support::storage::{Blake2_128Concat, OptionQuery, Twox64Concat, ValueQuery};
    use basalt_support::{
        AccountId, Balance, BlockNumber, BoundedVec, DispatchError, DispatchResult, Origin,
        Perbill, H256,
    };
    use codec::{Decode, DecodeLimit, Encode};
    use core::marker::PhantomData;
    use scale_info::{meta_type, TypeInfo};

    type System<T> = pallet_system::Pallet<T>;
    type Balances<T> = pallet_balances::Pallet<T>;
    type Scheduler<T> = pallet_scheduler::Pallet<T>;
    type RuntimeCallOf<T> = <T as pallet_scheduler::Config>::RuntimeCall;

    /// A track's queue: referenda waiting for a deciding slot with their ayes, lowest first.
    pub type TrackQueueOf = BoundedVec<(ReferendumIndex, Balance), MAX_QUEUED>;

    /// What the runtime tells the referenda.
    pub trait Config: pallet_balances::Config + pallet_scheduler::Config {
        /// This pallet's index in the runtime; its events and errors carry it.
        const INDEX: u8;
        /// What opening a referendum holds.
        const SUBMISSION_DEPOSIT: Balance;
        /// Blocks a referendum may wait to begin deciding before it times out, unless the
        /// chain spec set another.
        const UNDECIDING_TIMEOUT: BlockNumber;
        /// The tracks, by id.
        const TRACKS: &'static [(TrackId, TrackInfo)];
        /// The track of proposals dispatched with `origin`, if any.
        fn track_for(origin: &Origin) -> Option<TrackId>;
        /// The noted preimages, for proposals by hash.
        type Preimages: QueryPreimage;
        /// `Referenda.nudge_referendum(index)` as a runtime call: what alarms dispatch.
        fn nudge_call(index: ReferendumIndex) -> RuntimeCallOf<Self>;
        /// Where slashed deposits go (the treasury).
        fn slash_destination() -> AccountId;
    }

    /// The referenda's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "Referenda";
        /// The number of referenda ever submitted: the next one's index.
        pub ReferendumCount: StorageValue<ReferendumIndex, ValueQuery>;
        /// Every referendum, ongoing or ended.
        pub ReferendumInfoFor: StorageMap<Blake2_128Concat, ReferendumIndex, ReferendumInfo, OptionQuery>;
        /// Each track's referenda waiting for a deciding slot, by ayes (lowest first).
        pub TrackQueue: StorageMap<Twox64Concat, TrackId, TrackQueueOf, ValueQuery>;
        /// How many referenda each track is deciding.
        pub DecidingCount: StorageMap<Twox64Concat, TrackId, u32, ValueQuery>;
        /// The hash of each referendum's metadata preimage (a description), if its proposer
        /// set one.
        pub MetadataOf: StorageMap<Blake2_128Concat, ReferendumIndex, H256, OptionQuery>;
        /// This chain's periods for a track, when its chain spec set them (development chains
        /// shorten them); else the track's own.
        pub TrackPeriodsOverride: StorageMap<Twox64Concat, TrackId, TrackPeriods, OptionQuery>;
        /// This chain's undeciding timeout, when its chain spec set one.
        pub UndecidingTimeoutOverride: StorageValue<BlockNumber, OptionQuery>;
    }

    /// Events of the referenda, at pallet-referenda's indices.
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// A referendum was submitted.
        #[codec(index = 0)]
        Submitted {
            /// Its index.
            index: ReferendumIndex,
            /// Its track.
            track: TrackId,
            /// Its proposal.
            proposal: Bounded,
        },
        /// A decision deposit was placed.
        #[codec(index = 1)]
        DecisionDepositPlaced {
            /// The referendum.
            index: ReferendumIndex,
            /// Who placed it.
            who: AccountId,
            /// How much.
            amount: Balance,
        },
        /// A decision deposit was refunded.
        #[codec(index = 2)]
        DecisionDepositRefunded {
            /// The referendum.
            index: ReferendumIndex,
            /// Who got it back.
            who: AccountId,
            /// How much.
            amount: Balance,
        },
        /// A deposit was slashed (to the treasury).
        #[codec(index = 3)]
        DepositSlashed {
            /// Whose.
            who: AccountId,
            /// How much.
            amount: Balance,
        },
        /// A referendum began deciding.
        #[codec(index = 4)]
        DecisionStarted {
            /// The referendum.
            index: ReferendumIndex,
            /// Its track.
            track: TrackId,
            /// Its proposal.
            proposal: Bounded,
            /// Its votes so far.
            tally: Tally,
        },
        /// A referendum began its confirm period.
        #[codec(index = 5)]
        ConfirmStarted {
            /// The referendum.
            index: ReferendumIndex,
        },
        /// A referendum stopped passing during its confirm period.
        #[codec(index = 6)]
        ConfirmAborted {
            /// The referendum.
            index: ReferendumIndex,
        },
        /// A referendum passed its confirm period.
        #[codec(index = 7)]
        Confirmed {
            /// The referendum.
            index: ReferendumIndex,
            /// Its final votes.
            tally: Tally,
        },
        /// A referendum was approved and its proposal scheduled.
        #[codec(index = 8)]
        Approved {
            /// The referendum.
            index: ReferendumIndex,
        },
        /// A referendum was rejected.
        #[codec(index = 9)]
        Rejected {
            /// The referendum.
            index: ReferendumIndex,
            /// Its final votes.
            tally: Tally,
        },
        /// A referendum timed out without deciding.
        #[codec(index = 10)]
        TimedOut {
            /// The referendum.
            index: ReferendumIndex,
            /// Its final votes.
            tally: Tally,
        },
        /// A referendum was cancelled.
        #[codec(index = 11)]
        Cancelled {
            /// The referendum.
            index: ReferendumIndex,
            /// Its final votes.
            tally: Tally,
        },
        /// A referendum was killed.
        #[codec(index = 12)]
        Killed {
            /// The referendum.
            index: ReferendumIndex,
            /// Its final votes.
            tally: Tally,
        },
        /// A submission deposit was refunded.
        #[codec(index = 13)]
        SubmissionDepositRefunded {
            /// The referendum.
            index: ReferendumIndex,
            /// Who got it back.
            who: AccountId,
            /// How much.
            amount: Balance,
        },
        /// A referendum's metadata was set.
        #[codec(index = 14)]
        MetadataSet {
            /// The referendum.
            index: ReferendumIndex,
            /// The metadata's preimage hash.
            hash: H256,
        },
        /// A referendum's metadata was cleared.
        #[codec(index = 15)]
        MetadataCleared {
            /// The referendum.
            index: ReferendumIndex,
            /// The metadata's preimage hash.
            hash: H256,
        },
    }

    basalt_support::pallet_error! {
        /// Errors of the referenda, with pallet-referenda's names.
        pub enum Error<T: Config> {
            /// The referendum is not ongoing.
            NotOngoing,
            /// The decision deposit is already placed.
            HasDeposit,
            /// The referendum's track is unknown.
            BadTrack,
            /// No referendum has this index.
            BadReferendum,
            /// No track takes proposals with this origin.
            NoTrack,
            /// The referendum has not ended.
            Unfinished,
            /// The caller may not do this.
            NoPermission,
            /// There is no deposit to refund.
            NoDeposit,
            /// The referendum's outcome does not allow this.
            BadStatus,
            /// The preimage is not noted (with this length).
            PreimageNotExist,
            /// The proposal does not decode as a call of this runtime.
            UndecodableProposal,
        }
    }

    /// Calls of the referenda, at pallet-referenda's indices.
    #[basalt_support::call]
    impl<T: Config> Pallet<T> {
        /// Propose `proposal`, to be dispatched with `proposal_origin` (which picks the track)
        /// at `enactment_moment` if approved. Holds the submission deposit.
        #[pallet::call_index(0)]
        #[pallet::weight(weights::submit())]
        pub fn submit(
            origin: Origin,
            /// The origin the proposal is dispatched with; its track decides it.
            proposal_origin: Box<Origin>,
            /// The call, inline or by preimage.
            proposal: Bounded,
            /// When to enact it once approved.
            enactment_moment: DispatchTime,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            let proposal_origin = *proposal_origin;
            let track = T::track_for(&proposal_origin).ok_or(Error::<T>::NoTrack)?;
            Self::track(track).ok_or(Error::<T>::BadTrack)?;
            Self::proposal_call(&proposal)?;
            let index = ReferendumCount::get();
            let next = index
                .checked_add(1)
                .ok_or(basalt_support::dispatch::ArithmeticError::Overflow)?;
            Balances::<T>::hold(&DEPOSIT_HOLD, &who, T::SUBMISSION_DEPOSIT)?;
            ReferendumCount::put(next);
            if let Bounded::Lookup { hash, .. } = &proposal {
                T::Preimages::request(hash);
            }
            let now = System::<T>::block_number();
            let mut status = ReferendumStatus {
                track,
                origin: proposal_origin,
                proposal: proposal.clone(),
                enactment: enactment_moment,
                submitted: now,
                submission_deposit: Deposit {
                    who,
                    amount: T::SUBMISSION_DEPOSIT,
                },
                decision_deposit: None,
                deciding: None,
                tally: Tally::default(),
                in_queue: false,
                alarm: None,
            };
            Self::ensure_alarm_at(
                &mut status,
                index,
                now.saturating_add(Self::undeciding_timeout()),
            );
            ReferendumInfoFor::insert(index, ReferendumInfo::Ongoing(status));
            Self::deposit_event(Event::Submitted {
                index,
                track,
                proposal,
            });
            Ok(())
        }

        /// Place the decision deposit of a referendum, so that it may begin deciding. Signed
        /// by anyone.
        #[pallet::call_index(1)]
        #[pallet::weight(weights::place_decision_deposit())]
        pub fn place_decision_deposit(
            origin: Origin,
            /// The referendum.
            index: ReferendumIndex,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            let mut status = Self::ensure_ongoing(index)?;
            if status.decision_deposit.is_some() {
                return Err(Error::<T>::HasDeposit.into());
            }
            let track = Self::track(status.track).ok_or(Error::<T>::BadTrack)?;
            let amount = track.decision_deposit;
            Balances::<T>::hold(&DEPOSIT_HOLD, &who, amount)?;
            status.decision_deposit = Some(Deposit {
                who: who.clone(),
                amount,
            });
            let now = System::<T>::block_number();
            let info = Self::service_referendum(now, index, status);
            ReferendumInfoFor::insert(index, info);
            Self::deposit_event(Event::DecisionDepositPlaced { index, who, amount });
            Ok(())
        }

        /// Refund the decision deposit of an ended referendum (not killed). Signed by anyone.
        #[pallet::call_index(2)]
        #[pallet::weight(weights::refund_deposit())]
        pub fn refund_decision_deposit(
            origin: Origin,
            /// The referendum.
            index: ReferendumIndex,
        ) -> DispatchResult {
            origin.ensure_signed()?;
            let deposit = Self::take_deposit(index, |info| match info {
                ReferendumInfo::Ongoing(_) => Err(Error::<T>::Unfinished),
                ReferendumInfo::Killed(_) => Err(Error::<T>::NoDeposit),
                ReferendumInfo::Approved(_, _, d)
                | ReferendumInfo::Rejected(_, _, d)
                | ReferendumInfo::Cancelled(_, _, d)
                | ReferendumInfo::TimedOut(_, _, d) => Ok(d.take()),
            })?;
            Self::deposit_event(Event::DecisionDepositRefunded {
                index,
                who: deposit.who,
                amount: deposit.amount,
            });
            Ok(())
        }

        /// End an ongoing referendum; its deposits stay refundable. Root.
        #[pallet::call_index(3)]
        #[pallet::weight(weights::cancel())]
        pub fn cancel(
            origin: Origin,
            /// The referendum.
            index: ReferendumIndex,
        ) -> DispatchResult {
            origin.ensure_root()?;
            let status = Self::ensure_ongoing(index)?;
            let now = System::<T>::block_number();
            let tally = status.tally;
            let (submission, decision) = Self::conclude(index, status, now);
            ReferendumInfoFor::insert(
                index,
                ReferendumInfo::Cancelled(now, Some(submission), decision),
            );
            Self::deposit_event(Event::Cancelled { index, tally });
            Ok(())
        }

        /// End an ongoing referendum and slash its deposits to the treasury. Root.
        #[pallet::call_index(4)]
        #[pallet::weight(weights::kill())]
        pub fn kill(
            origin: Origin,
            /// The referendum.
            index: ReferendumIndex,
        ) -> DispatchResult {
            origin.ensure_root()?;
            let status = Self::ensure_ongoing(index)?;
            let now = System::<T>::block_number();
            let tally = status.tally;
            let (submission, decision) = Self::conclude(index, status, now);
            ReferendumInfoFor::insert(index, ReferendumInfo::Killed(now));
            Self::deposit_event(Event::Killed { index, tally });
            for deposit in core::iter::once(submission).chain(decision) {
                Self::slash(&deposit)?;
            }
            if let Some(hash) = MetadataOf::take(index) {
                Self::deposit_event(Event::MetadataCleared { index, hash });
            }
            Ok(())
        }

        /// Advance a referendum to where its votes and the time put it (what its alarms
        /// call). Root.
        #[pallet::call_index(5)]
        #[pallet::weight(weights::nudge_referendum())]
        pub fn nudge_referendum(
            origin: Origin,
            /// The referendum.
            index: ReferendumIndex,
        ) -> DispatchResult {
            origin.ensure_root()?;
            let status = Self::ensure_ongoing(index)?;
            let now = System::<T>::block_number();
            let info = Self::service_referendum(now, index, status);
            ReferendumInfoFor::insert(index, info);
            Ok(())
        }

        /// Refund the submission deposit of an approved or cancelled referendum. Signed by
        /// anyone.
        #[pallet::call_index(7)]
        #[pallet::weight(weights::refund_deposit())]
        pub fn refund_submission_deposit(
            origin: Origin,
            /// The referendum.
            index: ReferendumIndex,
        ) -> DispatchResult {
            origin.ensure_signed()?;
            let deposit = Self::take_deposit(index, |info| match info {
                ReferendumInfo::Approved(_, s, _) | ReferendumInfo::Cancelled(_, s, _) => {
                    Ok(s.take())
                }
                _ => Err(Error::<T>::BadStatus),
            })?;
            Self::deposit_event(Event::SubmissionDepositRefunded {
                index,
                who: deposit.who,
                amount: deposit.amount,
            });
            Ok(())
        }

        /// Set (to a noted preimage's hash) or clear a referendum's metadata. Set by its
        /// proposer while it is ongoing; cleared by its proposer, or by anyone once it ended.
        #[pallet::call_index(8)]
        #[pallet::weight(weights::set_metadata())]
        pub fn set_metadata(
            origin: Origin,
            /// The referendum.
            index: ReferendumIndex,
            /// The metadata's preimage hash, or `None` to clear it.
            maybe_hash: Option<H256>,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            let info = ReferendumInfoFor::get(index).ok_or(Error::<T>::BadReferendum)?;
            let proposer = match &info {
                ReferendumInfo::Ongoing(status) => Some(status.submission_deposit.who.clone()),
                _ => None,
            };
            match maybe_hash {
                Some(hash) => {
                    if proposer.as_ref() != Some(&who) {
                        return Err(Error::<T>::NoPermission.into());
                    }
                    MetadataOf::insert(index, hash);
                    Self::deposit_event(Event::MetadataSet { index, hash });
                }
                None => {
                    if proposer.is_some_and(|p| p != who) {
                        return Err(Error::<T>::NoPermission.into());
                    }
                    if let Some(hash) = MetadataOf::take(index) {
                        Self::deposit_event(Event::MetadataCleared { index, hash });
                    }
                }
            }
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// Track `id` with this chain's periods.
        pub fn track(id: TrackId) -> Option<TrackInfo> {
            let (_, info) = T::TRACKS.iter().find(|(t, _)| *t == id)?;
            Some(match TrackPeriodsOverride::get(id) {
                Some(periods) => info.with_periods(periods),
                None => *info,
            })
        }

        /// This chain's undeciding timeout.
        pub fn undeciding_timeout() -> BlockNumber {
            UndecidingTimeoutOverride::get().unwrap_or(T::UNDECIDING_TIMEOUT)
        }

        /// The call a proposal carries, or why it has none (nested at most `MAX_CALL_DEPTH`
        /// deep, as extrinsics are, so that no proposal can exhaust the stack when decoded).
        fn proposal_call(proposal: &Bounded) -> Result<RuntimeCallOf<T>, DispatchError> {
            let bytes = match proposal {
                Bounded::Inline(bytes) => bytes.as_slice().to_vec(),
                Bounded::Lookup { hash, len } => {
                    T::Preimages::fetch(hash, *len).ok_or(Error::<T>::PreimageNotExist)?
                }
            };
            RuntimeCallOf::<T>::decode_all_with_depth_limit(MAX_CALL_DEPTH, &mut &bytes[..])
                .map_err(|_| Error::<T>::UndecodableProposal.into())
        }

        fn ensure_ongoing(index: ReferendumIndex) -> Result<ReferendumStatus, DispatchError> {
            match ReferendumInfoFor::get(index) {
                Some(ReferendumInfo::Ongoing(status)) => Ok(status),
                _ => Err(Error::<T>::NotOngoing.into()),
            }
        }

        /// Moves an ongoing referendum as far as its votes and the time allow; returns what
        /// to store. Bounded: at most one other referendum (the next in the queue) is touched.
        fn service_referendum(
            now: BlockNumber,
            index: ReferendumIndex,
            mut status: ReferendumStatus,
        ) -> ReferendumInfo {
            let Some(track) = Self::track(status.track) else {
                return ReferendumInfo::Ongoing(status);
            };
            let alarm = match status.deciding {
                None => {
                    let timeout = status.submitted.saturating_add(Self::undeciding_timeout());
                    let mut alarm = timeout;
                    if status.in_queue {
                        Self::requeue(index, &status);
                        alarm = BlockNumber::MAX;
                    } else if status.decision_deposit.is_some() {
                        let prepare_end = status.submitted.saturating_add(track.prepare_period);
                        if now >= prepare_end {
                            alarm = Self::ready_for_deciding(now, &track, index, &mut status)
                                .unwrap_or(BlockNumber::MAX);
                        } else {
                            alarm = prepare_end.min(timeout);
                        }
                    }
                    if status.deciding.is_none() && !status.in_queue && now >= timeout {
                        let tally = status.tally;
                        let (submission, decision) = Self::conclude(index, status, now);
                        Self::deposit_event(Event::TimedOut { index, tally });
                        return ReferendumInfo::TimedOut(now, Some(submission), decision);
                    }
                    alarm
                }
                Some(mut deciding) => {
                    let elapsed = now.saturating_sub(deciding.since);
                    if Self::is_passing(&status.tally, elapsed, &track) {
                        match deciding.confirming {
                            Some(end) if now >= end => {
                                Self::schedule_enactment(index, &status, &track, now);
                                let tally = status.tally;
                                let (submission, decision) = Self::conclude(index, status, now);
                                Self::deposit_event(Event::Confirmed { index, tally });
                                Self::deposit_event(Event::Approved { index });
                                return ReferendumInfo::Approved(now, Some(submission), decision);
                            }
                            Some(_) => {}
                            None => {
                                deciding.confirming =
                                    Some(now.saturating_add(track.confirm_period));
                                Self::deposit_event(Event::ConfirmStarted { index });
                            }
                        }
                    } else {
                        if now >= deciding.since.saturating_add(track.decision_period) {
                            let tally = status.tally;
                            let (submission, decision) = Self::conclude(index, status, now);
                            Self::deposit_event(Event::Rejected { index, tally });
                            return ReferendumInfo::Rejected(now, Some(submission), decision);
                        }
                        if deciding.confirming.take().is_some() {
                            Self::deposit_event(Event::ConfirmAborted { index });
                        }
                    }
                    status.deciding = Some(deciding);
                    Self::decision_time(&deciding, &status.tally, &track)
                }
            };
            if alarm == BlockNumber::MAX {
                Self::ensure_no_alarm(&mut status, index);
            } else {
                Self::ensure_alarm_at(&mut status, index, alarm);
            }
            ReferendumInfo::Ongoing(status)
        }

        /// Begins deciding if the track has a slot, else queues; the alarm deciding needs.
        fn ready_for_deciding(
            now: BlockNumber,
            track: &TrackInfo,
            index: ReferendumIndex,
            status: &mut ReferendumStatus,
        ) -> Option<BlockNumber> {
            let deciding = DecidingCount::get(status.track);
            if deciding < track.max_deciding {
                DecidingCount::insert(status.track, deciding.saturating_add(1));
                Some(Self::begin_deciding(status, index, now, track))
            } else {
                status.in_queue = true;
                Self::requeue(index, status);
                None
            }
        }

        /// Starts the deciding phase (and confirmation, if already passing); its alarm.
        fn begin_deciding(
            status: &mut ReferendumStatus,
            index: ReferendumIndex,
            now: BlockNumber,
            track: &TrackInfo,
        ) -> BlockNumber {
            status.in_queue = false;
            Self::deposit_event(Event::DecisionStarted {
                index,
                track: status.track,
                proposal: status.proposal.clone(),
                tally: status.tally,
            });
            let confirming = if Self::is_passing(&status.tally, 0, track) {
                Self::deposit_event(Event::ConfirmStarted { index });
                Some(now.saturating_add(track.confirm_period))
            } else {
                None
            };
            let deciding = DecidingStatus {
                since: now,
                confirming,
            };
            status.deciding = Some(deciding);
            Self::decision_time(&deciding, &status.tally, track).max(now.saturating_add(1))
        }

        /// Puts (or moves) a queued referendum at its place by ayes; when the queue is full,
        /// the referendum with the fewest ayes drops out (it rejoins when next serviced).
        fn requeue(index: ReferendumIndex, status: &ReferendumStatus) {
            TrackQueue::mutate(status.track, |queue| {
                queue.retain(|(i, _)| *i != index);
                let ayes = status.tally.ayes;
                let at = queue.partition_point(|(_, a)| *a <= ayes);
                if queue.len() >= MAX_QUEUED as usize {
                    if at == 0 {
                        return;
                    }
                    queue.remove(0);
                    let _ = queue.try_insert(at.saturating_sub(1), (index, ayes));
                } else {
                    let _ = queue.try_insert(at, (index, ayes));
                }
            });
        }

        /// Ends an ongoing referendum, whatever the outcome: drops its alarm, its queue place
        /// and its proposal's preimage request, and gives its deciding slot to the next in
        /// the queue. Returns its deposits, for the caller to keep in the ended record.
        fn conclude(
            index: ReferendumIndex,
            mut status: ReferendumStatus,
            now: BlockNumber,
        ) -> (Deposit, Option<Deposit>) {
            Self::ensure_no_alarm(&mut status, index);
            if status.in_queue {
                TrackQueue::mutate(status.track, |q| q.retain(|(i, _)| *i != index));
            }
            if status.deciding.is_some() {
                Self::note_one_fewer_deciding(status.track, now);
            }
            Self::unrequest_proposal(&status.proposal);
            (status.submission_deposit, status.decision_deposit)
        }

        /// A deciding slot freed: the queued referendum with the most ayes takes it.
        fn note_one_fewer_deciding(track_id: TrackId, now: BlockNumber) {
            let mut queue = TrackQueue::get(track_id);
            let next = queue
                .len()
                .checked_sub(1)
                .and_then(|last| queue.remove(last));
            TrackQueue::insert(track_id, queue);
            let started = next.and_then(|(index, _)| {
                let mut status = Self::ensure_ongoing(index).ok()?;
                let track = Self::track(track_id)?;
                let alarm = Self::begin_deciding(&mut status, index, now, &track);
                Self::ensure_alarm_at(&mut status, index, alarm);
                ReferendumInfoFor::insert(index, ReferendumInfo::Ongoing(status));
                Some(())
            });
            if started.is_none() {
                DecidingCount::mutate(track_id, |c| *c = c.saturating_sub(1));
            }
        }

        /// Whether `tally` meets the track's curves `elapsed` blocks into deciding.
        fn is_passing(tally: &Tally, elapsed: BlockNumber, track: &TrackInfo) -> bool {
            let x = Perbill::from_rational(
                u128::from(elapsed.min(track.decision_period)),
                u128::from(track.decision_period.max(1)),
            );
            track.min_support.passing(x, Self::support(tally))
                && track.min_approval.passing(x, Self::approval(tally))
        }

        /// Ayes over ayes and nays (none: zero).
        pub fn approval(tally: &Tally) -> Perbill {
            let total = tally.ayes.saturating_add(tally.nays);
            if total == 0 {
                return Perbill::zero();
            }
            Perbill::from_rational(tally.ayes, total)
        }

        /// Aye and abstain capital over the total issuance.
        pub fn support(tally: &Tally) -> Perbill {
            Perbill::from_rational(tally.support, Balances::<T>::total_issuance().max(1))
        }

        /// The next block a deciding referendum's state can change: the end of its
        /// confirmation, or when the curves fall to its current votes (the end of the
        /// decision period if they never do).
        fn decision_time(
            deciding: &DecidingStatus,
            tally: &Tally,
            track: &TrackInfo,
        ) -> BlockNumber {
            deciding.confirming.unwrap_or_else(|| {
                let until_approval = track.min_approval.delay(Self::approval(tally));
                let until_support = track.min_support.delay(Self::support(tally));
                let offset = until_approval.max(until_support);
                deciding.since.saturating_add(
                    offset
                        .mul_ceil(u128::from(track.decision_period))
                        .try_into()
                        .unwrap_or(BlockNumber::MAX),
                )
            })
        }

        /// The scheduler name of referendum `index`'s alarm.
        fn alarm_name(index: ReferendumIndex) -> [u8; 32] {
            basalt_support::primitives::hashing::blake2_256(
                &(*b"assembly", "alarm", index).encode(),
            )
        }

        /// The scheduler name of referendum `index`'s enactment (FRAME's).
        pub fn enactment_name(index: ReferendumIndex) -> [u8; 32] {
            basalt_support::primitives::hashing::blake2_256(
                &(*b"assembly", "enactment", index).encode(),
            )
        }

        /// Sets the alarm to `when` (at least the next block), replacing any other. A full
        /// scheduler leaves the referendum without an alarm until its next vote.
        fn ensure_alarm_at(
            status: &mut ReferendumStatus,
            index: ReferendumIndex,
            when: BlockNumber,
        ) {
            let when = when.max(System::<T>::block_number().saturating_add(1));
            if status.alarm.is_some_and(|(at, _)| at == when) {
                return;
            }
            Self::ensure_no_alarm(status, index);
            let call = T::nudge_call(index);
            status.alarm = Scheduler::<T>::schedule_named_task(
                Self::alarm_name(index),
                when,
                None,
                ALARM_PRIORITY,
                Origin::Root,
                &call,
            )
            .ok()
            .map(|address| (when, address));
        }

        fn ensure_no_alarm(status: &mut ReferendumStatus, index: ReferendumIndex) {
            if status.alarm.take().is_some() {
                let _ = Scheduler::<T>::cancel_named_task(Self::alarm_name(index));
            }
        }

        /// Schedules an approved proposal, as its origin, at its moment (never before the
        /// track's minimum enactment period). A call that no longer decodes (after an
        /// upgrade) or a full scheduler is reported by the scheduler's events; the approval
        /// stands.
        fn schedule_enactment(
            index: ReferendumIndex,
            status: &ReferendumStatus,
            track: &TrackInfo,
            now: BlockNumber,
        ) {
            let earliest = now
                .saturating_add(track.min_enactment_period)
                .max(now.saturating_add(1));
            let when = status.enactment.evaluate(now).max(earliest);
            if let Ok(call) = Self::proposal_call(&status.proposal) {
                let _ = Scheduler::<T>::schedule_named_task(
                    Self::enactment_name(index),
                    when,
                    None,
                    ENACTMENT_PRIORITY,
                    status.origin.clone(),
                    &call,
                );
            }
        }

        fn unrequest_proposal(proposal: &Bounded) {
            if let Bounded::Lookup { hash, .. } = proposal {
                T::Preimages::unrequest(hash);
            }
        }

        /// Takes the deposit `which` picks out of an ended referendum's record and releases it
        /// to its owner.
        fn take_deposit(
            index: ReferendumIndex,
            which: impl FnOnce(&mut ReferendumInfo) -> Result<Option<Deposit>, Error<T>>,
        ) -> Result<Deposit, DispatchError> {
            let mut info = ReferendumInfoFor::get(index).ok_or(Error::<T>::BadReferendum)?;
            let deposit = which(&mut info)?.ok_or(Error::<T>::NoDeposit)?;
            Self::refund(&deposit)?;
            ReferendumInfoFor::insert(index, info);
            Ok(deposit)
        }

        fn refund(deposit: &Deposit) -> DispatchResult {
            Balances::<T>::release(&DEPOSIT_HOLD, &deposit.who, deposit.amount).map(|_| ())
        }

        fn slash(deposit: &Deposit) -> DispatchResult {
            let slashed = Balances::<T>::slash_held(&DEPOSIT_HOLD, &deposit.who, deposit.amount);
            Balances::<T>::deposit_creating(&T::slash_destination(), slashed)?;
            Self::deposit_event(Event::DepositSlashed {
                who: deposit.who.clone(),
                amount: slashed,
            });
            Ok(())
        }

        fn deposit_event(event: Event) {
            System::<T>::deposit_event_of(<T as Config>::INDEX, &event)
        }
    }

    impl<T: Config> basalt_support::genesis::BuildGenesis for Pallet<T> {
        type Config = GenesisConfig;

        /// This chain's periods for some tracks and its undeciding timeout, if its chain spec
        /// sets them. Fails on an unknown track.
        fn build_genesis(config: &GenesisConfig) -> DispatchResult {
            for (id, p) in &config.track_periods {
                if !T::TRACKS.iter().any(|(t, _)| t == id) {
                    return Err(Error::<T>::BadTrack.into());
                }
                TrackPeriodsOverride::insert(id, *p);
            }
            if let Some(timeout) = config.undeciding_timeout {
                UndecidingTimeoutOverride::put(timeout);
            }
            Ok(())
        }
    }

    impl<T: Config> Polling for Pallet<T> {
        const UPDATE_TALLY_WEIGHT: basalt_support::Weight = weights::update_tally();
        fn poll_status(index: PollIndex) -> PollStatus {
            match ReferendumInfoFor::get(index) {
                Some(ReferendumInfo::Ongoing(status)) => PollStatus::Ongoing {
                    class: status.track,
                },
                Some(ReferendumInfo::Approved(end, ..)) => PollStatus::Completed {
                    end,
                    approved: true,
                },
                Some(
                    ReferendumInfo::Rejected(end, ..)
                    | ReferendumInfo::Cancelled(end, ..)
                    | ReferendumInfo::TimedOut(end, ..),
                ) => PollStatus::Completed {
                    end,
                    approved: false,
                },
                Some(ReferendumInfo::Killed(_)) | None => PollStatus::None,
            }
        }

        /// Changes the tally and sets the alarm to the next block, when the referendum is
        /// examined with its new votes.
        fn update_tally(index: PollIndex, change: impl FnOnce(&mut Tally)) -> DispatchResult {
            let mut status = Self::ensure_ongoing(index)?;
            change(&mut status.tally);
            let next = System::<T>::block_number().saturating_add(1);
            Self::ensure_alarm_at(&mut status, index, next);
            ReferendumInfoFor::insert(index, ReferendumInfo::Ongoing(status));
            Ok(())
        }
    }

    impl<T: Config> Hooks for Pallet<T> {}

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "Referenda",
                storage: Some(storage_metadata()),
                calls: Some(meta_type::<Call>()),
                event: Some(meta_type::<Event>()),
                error: Some(meta_type::<Error<T>>()),
                constants: vec![
                    constant("SubmissionDeposit", T::SUBMISSION_DEPOSIT, &[" What opening a referendum holds."]),
                    constant("MaxQueued", MAX_QUEUED, &[" The most referenda waiting for a deciding slot on one track."]),
                    constant("UndecidingTimeout", T::UNDECIDING_TIMEOUT, &[" Blocks a referendum may wait to begin deciding (a chain spec may shorten it)."]),
                    constant("AlarmInterval", 1u32, &[" Alarms fall on any block."]),
                    constant("Tracks", T::TRACKS.to_vec(), &[" The tracks: origin, deposit, periods (a chain spec may shorten them) and curves."]),
                ],
                docs: vec![
                    " Referenda on tracks: proposals dispatched with a track's origin once token holders",
                    " approve and support them for long enough; enacted through the scheduler.",
                ],
            }
        }
    }
}
