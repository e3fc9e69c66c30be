//! What the chain does when a job's deadline comes: assign, close a commit or reveal window,
//! decide on a result, pay, slash and refund.
//!
//! Where money goes (every amount exact, nothing created or lost):
//! - the client's escrow (`ESCROW_HOLD`) pays each agreeing replica `price`, the protocol fee
//!   (`FEE_TREASURY_SHARE` to the treasury, the rest burned), and the verification fee into the
//!   verification pool, and a job with a result its model's usage fee to the model NFT's owner
//!   at settlement; what is left is released to the client;
//! - a slashed provider's bond goes to the pallet's account as the job's `pot`, which pays the
//!   re-executions (spot checks, escalations, disputes) the job needed; then `EXPOSER_SHARE` of
//!   the rest to the providers whose results exposed a wrong one, and the remainder to the
//!   treasury;
//! - a spot check is paid from the pot, then the verification pool; a lost dispute's
//!   re-executions from the client's bond, a won one's from the pot.

use crate::pallet::*;
use crate::types::*;
use basalt_support::arithmetic::mul_div_floor;
use basalt_support::models::ModelRegistry;
use basalt_support::{AccountId, Balance, BlockNumber, DispatchError, DispatchResult, H256};
use pallet_staking::ProviderOffence;

/// Subjects that separate the randomness of different draws.
const ASSIGN_SUBJECT: &[u8] = b"basalt/jobs/assign";
const SPOT_CHECK_SUBJECT: &[u8] = b"basalt/jobs/spot-check";

impl<T: Config> Pallet<T> {
    /// Moves `job` on from its current state at its deadline.
    pub(crate) fn advance(id: JobId, job: &mut Job, now: BlockNumber) -> DispatchResult {
        match job.state {
            JobState::Pending(_) => Self::assign_initial(id, job, now),
            JobState::Revealed => {
                let result = Self::original_result(job).ok_or(Error::<T>::NotRevealPhase)?;
                Self::complete(id, job, result)
            }
            JobState::Disputed(Phase::Commit) if Self::open_assignments(job) == 0 => {
                let added =
                    Self::assign_more(id, job, u32::from(T::DISPUTE_REPLICAS), Role::Dispute, now)?;
                if added > 0 {
                    return Ok(());
                }
                if now < job.assign_by {
                    // Every fresh provider is busy or ineligible now: a dispute must not fail
                    // because the network is loaded (or kept loaded), so it waits as a job does.
                    let retry = now
                        .saturating_add(T::ASSIGN_RETRY)
                        .min(job.assign_by)
                        .max(now.saturating_add(1));
                    return Self::schedule(id, job, retry);
                }
                // Nobody to re-execute it in time: the original result stands, the bond returns.
                let result = Self::original_result(job).ok_or(Error::<T>::NotRevealPhase)?;
                Self::complete(id, job, result)
            }
            state => match state.phase() {
                Some(Phase::Commit) => Self::close_commit(id, job, now),
                Some(Phase::Reveal) => Self::evaluate(id, job, now),
                None => Ok(()),
            },
        }
    }

    /// Assigns a pending job's replicas, all or none; retries until `assign_by`, then expires.
    fn assign_initial(id: JobId, job: &mut Job, now: BlockNumber) -> DispatchResult {
        let program = Programs::get(job.program).ok_or(Error::<T>::ProgramNotFound)?;
        let seed = Self::random_for(ASSIGN_SUBJECT, id);
        let chosen = Self::sample(job, &program, u32::from(job.replicas), &seed);
        if chosen.len() == usize::from(job.replicas) {
            job.state = JobState::Assigned;
            Self::add_assignments(id, job, chosen, Role::Replica, now)
        } else if now >= job.assign_by {
            job.state = JobState::Expired;
            Self::release_escrow(id, job, RefundReason::Expired)
        } else {
            job.state = JobState::Pending(PendingReason::TooFewProviders);
            Self::deposit_event(Event::JobPending {
                job: id,
                reason: PendingReason::TooFewProviders,
            });
            let retry = now
                .saturating_add(T::ASSIGN_RETRY)
                .min(job.assign_by)
                .max(now.saturating_add(1));
            Self::schedule(id, job, retry)
        }
    }

    /// Adds up to `want` fresh providers with `role` and opens a commit window for them;
    /// returns how many were found.
    fn assign_more(
        id: JobId,
        job: &mut Job,
        want: u32,
        role: Role,
        now: BlockNumber,
    ) -> Result<u32, DispatchError> {
        let room = MAX_ASSIGNMENTS.saturating_sub(job.assignments.len() as u32);
        let program = Programs::get(job.program).ok_or(Error::<T>::ProgramNotFound)?;
        let mut subject = ASSIGN_SUBJECT.to_vec();
        subject.extend_from_slice(&(job.assignments.len() as u32).to_le_bytes());
        let seed = Self::random_for(&subject, id);
        let chosen = Self::sample(job, &program, want.min(room), &seed);
        let found = chosen.len() as u32;
        if found > 0 {
            job.state = job.state.with_phase(Phase::Commit);
            Self::add_assignments(id, job, chosen, role, now)?;
        }
        Ok(found)
    }

    fn add_assignments(
        id: JobId,
        job: &mut Job,
        providers: Vec<AccountId>,
        role: Role,
        now: BlockNumber,
    ) -> DispatchResult {
        for who in &providers {
            job.assignments
                .try_push(Assignment {
                    provider: who.clone(),
                    role,
                    commitment: None,
                    result: None,
                    active: true,
                })
                .map_err(|_| Error::<T>::Overflow)?;
            ProviderJobs::try_mutate(who, |jobs| {
                jobs.try_push(id).map_err(|_| Error::<T>::Overflow)
            })?;
        }
        // The window is `COMMIT_WINDOW` blocks, this one included.
        let close = now.saturating_add(T::COMMIT_WINDOW.max(1));
        let commit_by = close.saturating_sub(1);
        Self::schedule(id, job, close)?;
        Self::deposit_event(Event::JobAssigned {
            job: id,
            providers,
            role,
            commit_by,
        });
        Ok(())
    }

    /// Active assignments still executing (committed or not, not revealed).
    fn open_assignments(job: &Job) -> usize {
        job.assignments
            .iter()
            .filter(|a| a.active && a.result.is_none())
            .count()
    }

    /// The commit window closed: providers that did not commit pay the liveness penalty and
    /// are replaced; reveals open for the rest.
    fn close_commit(id: JobId, job: &mut Job, now: BlockNumber) -> DispatchResult {
        let late: Vec<usize> = job
            .assignments
            .iter()
            .enumerate()
            .filter(|(_, a)| a.active && a.commitment.is_none())
            .map(|(i, _)| i)
            .collect();
        for &i in &late {
            Self::penalize(id, job, i, Offence::MissedCommit)?;
        }
        if !late.is_empty() {
            Self::deposit_event(Event::JobEscalated {
                job: id,
                reason: EscalationReason::MissedDeadline,
            });
            let role = job
                .assignments
                .get(late[0])
                .map(|a| a.role)
                .unwrap_or(Role::Escalation);
            let added = Self::assign_more(id, job, late.len() as u32, role, now)?;
            if added > 0 {
                return Ok(());
            }
        }
        if job
            .assignments
            .iter()
            .any(|a| a.active && a.commitment.is_some())
        {
            job.state = job.state.with_phase(Phase::Reveal);
            Self::schedule(id, job, now.saturating_add(T::REVEAL_WINDOW))
        } else {
            Self::refund(id, job, RefundReason::NoResult)
        }
    }

    /// `who` declined its assignment on `job` (checked by the caller: commit phase, not
    /// committed): it pays the decline slash, and a fresh provider with the same role gets a
    /// new commit window from this block; without one, the job keeps its deadline.
    pub(crate) fn replace_declined(
        id: JobId,
        job: &mut Job,
        who: &AccountId,
        now: BlockNumber,
    ) -> DispatchResult {
        let Some(i) = job
            .assignments
            .iter()
            .position(|a| a.active && a.provider == *who)
        else {
            return Err(Error::<T>::NotAssigned.into());
        };
        let role = job.assignments.get(i).map_or(Role::Escalation, |a| a.role);
        Self::penalize(id, job, i, Offence::Declined)?;
        let deadline = job.deadline;
        Self::unschedule(id, job);
        if Self::assign_more(id, job, 1, role, now)? == 0 {
            Self::schedule(id, job, deadline)?;
        }
        Ok(())
    }

    /// Reveals closed (or all came in): withheld results are slashed, then the results decide.
    fn evaluate(id: JobId, job: &mut Job, now: BlockNumber) -> DispatchResult {
        let withheld: Vec<usize> = job
            .assignments
            .iter()
            .enumerate()
            .filter(|(_, a)| a.active && a.commitment.is_some() && a.result.is_none())
            .map(|(i, _)| i)
            .collect();
        for &i in &withheld {
            Self::penalize(id, job, i, Offence::WithheldResult)?;
        }
        let results: Vec<H256> = job
            .assignments
            .iter()
            .filter(|a| a.active)
            .filter_map(|a| a.result)
            .collect();
        if results.is_empty() {
            return Self::escalate_or_refund(
                id,
                job,
                EscalationReason::MissedDeadline,
                RefundReason::NoResult,
                now,
            );
        }
        match job.state {
            // Optimistic: draw the spot check with this block's randomness, which the provider
            // could not know when it committed and revealed.
            JobState::Committed if job.replicas == 1 => {
                let program = Programs::get(job.program).ok_or(Error::<T>::ProgramNotFound)?;
                let r = Self::random_for(SPOT_CHECK_SUBJECT, id);
                if program.kind.is_deterministic() && Self::drawn(&r) {
                    Self::deposit_event(Event::SpotCheckStarted { job: id });
                    job.state = JobState::SpotCheck(Phase::Commit);
                    let added = Self::assign_more(id, job, 1, Role::SpotCheck, now)?;
                    if added > 0 {
                        return Ok(());
                    }
                }
                job.state = JobState::Revealed;
                Self::schedule(id, job, now.saturating_add(T::CHALLENGE_WINDOW))
            }
            JobState::SpotCheck(_) => {
                let original = Self::original_result(job);
                if results.iter().all(|r| Some(*r) == original) && results.len() >= 2 {
                    return Self::complete(id, job, results[0]);
                }
                Self::escalate_or_refund(
                    id,
                    job,
                    EscalationReason::SpotCheckMismatch,
                    RefundReason::NoMajority,
                    now,
                )
            }
            _ => {
                let (leader, count) = Self::leader(&results);
                let quorum = if job.state == JobState::Committed {
                    usize::from(job.replicas) / 2 + 1
                } else {
                    (results.len() / 2 + 1).max(2)
                };
                if count >= quorum {
                    Self::complete(id, job, leader)
                } else {
                    Self::escalate_or_refund(
                        id,
                        job,
                        EscalationReason::NoMajority,
                        RefundReason::NoMajority,
                        now,
                    )
                }
            }
        }
    }

    /// Whether a spot check is drawn: the first 32 bits of `r` below p x 2^32.
    fn drawn(r: &H256) -> bool {
        let mut word = [0u8; 4];
        word.copy_from_slice(&r.as_bytes()[..4]);
        let x = u64::from(u32::from_le_bytes(word));
        let threshold = mul_div_floor(
            u128::from(T::SPOT_CHECK_PROBABILITY.deconstruct()),
            1u128 << 32,
            1_000_000_000,
        )
        .unwrap_or(0);
        u128::from(x) < threshold
    }

    /// The most frequent result and its count (ties: the smallest hash, deterministically).
    fn leader(results: &[H256]) -> (H256, usize) {
        let mut best = (H256::zero(), 0usize);
        for r in results {
            let c = results.iter().filter(|x| *x == r).count();
            if c > best.1 || (c == best.1 && *r < best.0) {
                best = (*r, c);
            }
        }
        best
    }

    /// The first replica's revealed result (optimistic jobs have one replica).
    fn original_result(job: &Job) -> Option<H256> {
        job.assignments
            .iter()
            .find(|a| a.role == Role::Replica && a.active)
            .and_then(|a| a.result)
    }

    fn escalate_or_refund(
        id: JobId,
        job: &mut Job,
        reason: EscalationReason,
        refund: RefundReason,
        now: BlockNumber,
    ) -> DispatchResult {
        if !matches!(job.state, JobState::Disputed(_)) {
            job.state = JobState::Escalated(Phase::Commit);
        }
        let role = if matches!(job.state, JobState::Disputed(_)) {
            Role::Dispute
        } else {
            Role::Escalation
        };
        let added = Self::assign_more(id, job, u32::from(T::ESCALATION_STEP), role, now)?;
        if added > 0 {
            Self::deposit_event(Event::JobEscalated { job: id, reason });
            return Ok(());
        }
        Self::refund(id, job, refund)
    }

    /// Slashes assignment `i`'s provider for `offence` into the job's pot; jails it at
    /// `JAIL_AFTER` offences. The assignment stops counting.
    fn penalize(id: JobId, job: &mut Job, i: usize, offence: Offence) -> DispatchResult {
        let Some(a) = job.assignments.as_mut_slice().get_mut(i) else {
            return Ok(());
        };
        a.active = false;
        let who = a.provider.clone();
        Self::release_provider(&who, id);
        let multiple = match offence {
            Offence::Declined => T::DECLINE_SLASH_MULTIPLE,
            Offence::MissedCommit => T::LIVENESS_SLASH_MULTIPLE,
            Offence::WrongResult | Offence::WithheldResult => T::CHEAT_SLASH_MULTIPLE,
        };
        let reason = match offence {
            Offence::Declined | Offence::MissedCommit => ProviderOffence::MissedDeadline,
            Offence::WrongResult | Offence::WithheldResult => ProviderOffence::WrongResult,
        };
        let want = job.price.saturating_mul(Balance::from(multiple));
        let taken = Staking::<T>::slash_provider_now(&who, want, reason);
        if taken > 0 {
            Balances::<T>::deposit_creating(&Self::account_id(), taken)?;
            job.pot = job.pot.saturating_add(taken);
        }
        let mut record = ProviderRecords::get(&who);
        if offence == Offence::Declined {
            record.declined = record.declined.saturating_add(1);
        } else {
            record.offences = record.offences.saturating_add(1);
        }
        record.slashed = record.slashed.saturating_add(taken);
        let jail = record.jailed_since.is_none() && record.offences >= T::JAIL_AFTER;
        if jail {
            record.jailed_since = Some(System::<T>::block_number());
        }
        let offences = record.offences;
        ProviderRecords::insert(&who, &record);
        Self::deposit_event(Event::ProviderSlashed {
            job: id,
            provider: who.clone(),
            amount: taken,
            offence,
        });
        if jail {
            Self::deposit_event(Event::ProviderJailed {
                provider: who.clone(),
                offences,
            });
        }
        Self::refresh_provider(&who);
        Ok(())
    }

    /// `who` no longer works on job `id`.
    fn release_provider(who: &AccountId, id: JobId) {
        ProviderJobs::mutate_exists(who, |jobs| {
            if let Some(list) = jobs {
                list.retain(|j| *j != id);
                if list.is_empty() {
                    *jobs = None;
                }
            }
        });
    }

    /// Settles `job` on `result`: slashes disagreeing results, pays agreeing ones, splits the
    /// fee and the pot, and refunds what is left.
    fn complete(id: JobId, job: &mut Job, result: H256) -> DispatchResult {
        let wrong: Vec<usize> = job
            .assignments
            .iter()
            .enumerate()
            .filter(|(_, a)| a.active && a.result.is_some_and(|r| r != result))
            .map(|(i, _)| i)
            .collect();
        let exposed = !wrong.is_empty();
        for &i in &wrong {
            Self::penalize(id, job, i, Offence::WrongResult)?;
        }
        let disputed = matches!(job.state, JobState::Disputed(_));
        let client_won = disputed
            && exposed
            && job
                .assignments
                .iter()
                .any(|a| a.role == Role::Replica && !a.active);
        let treasury = <T as pallet_staking::Config>::treasury_account();
        let mut paid: Balance = 0;
        let agreeing: Vec<(usize, AccountId, Role)> = job
            .assignments
            .iter()
            .enumerate()
            .filter(|(_, a)| a.active && a.result == Some(result))
            .map(|(i, a)| (i, a.provider.clone(), a.role))
            .collect();
        for (_, who, role) in &agreeing {
            let price = job.price;
            let amount = match role {
                Role::Replica => Self::pay_from_escrow(job, who, price)?,
                Role::Dispute if !client_won => {
                    let from_bond = price.min(job.dispute_bond);
                    job.dispute_bond = job.dispute_bond.saturating_sub(from_bond);
                    Self::pay_from_escrow(job, who, from_bond)?
                }
                Role::SpotCheck => {
                    let from_pot = Self::pay_from_pot(job, who, price)?;
                    let from_fee = price.saturating_sub(from_pot).min(job.verification_fee);
                    job.verification_fee = job.verification_fee.saturating_sub(from_fee);
                    let from_fee = Self::pay_from_escrow(job, who, from_fee)?;
                    let rest = price.saturating_sub(from_pot).saturating_sub(from_fee);
                    let from_pool = Self::pay_from_pool(who, rest)?;
                    from_pot.saturating_add(from_fee).saturating_add(from_pool)
                }
                Role::Escalation | Role::Dispute => Self::pay_from_pot(job, who, price)?,
            };
            Self::note_paid(id, who, amount);
            paid = paid.saturating_add(amount);
        }
        // The exposers' share of what is left of the slashes, then the treasury's.
        if exposed && !agreeing.is_empty() {
            let share = T::EXPOSER_SHARE.mul_floor(job.pot);
            let each = share / agreeing.len() as Balance;
            for (_, who, _) in &agreeing {
                let amount = Self::pay_from_pot(job, who, each)?;
                Self::deposit_event(Event::ProviderPaid {
                    job: id,
                    provider: who.clone(),
                    amount,
                });
                ProviderRecords::mutate(who, |r| r.earned = r.earned.saturating_add(amount));
                paid = paid.saturating_add(amount);
            }
        }
        let pot = job.pot;
        Self::pay_from_pot(job, &treasury, pot)?;
        Self::pay_model_fee(job);
        // The protocol fee: the treasury's share, the rest burned.
        let fee = job.protocol_fee;
        let to_treasury = T::FEE_TREASURY_SHARE.mul_floor(fee);
        Self::pay_from_escrow(job, &treasury, to_treasury)?;
        Self::burn_from_escrow(job, fee.saturating_sub(to_treasury));
        // Unused verification fees fund future spot checks.
        let unused = job.verification_fee;
        let pooled = Self::pay_from_escrow(job, &Self::account_id(), unused)?;
        VerificationPool::mutate(|p| *p = p.saturating_add(pooled));
        if disputed {
            Self::deposit_event(Event::DisputeResolved {
                job: id,
                client_won,
            });
        }
        job.state = JobState::Completed(result);
        let refunded = Self::finish(id, job)?;
        Self::deposit_event(Event::JobCompleted {
            job: id,
            result,
            paid,
            refunded,
        });
        Ok(())
    }

    /// Pays the job's model fee to the model NFT's owner now. If the NFT is gone, or the
    /// payment cannot be made, the fee stays in the escrow and returns to the client: a model
    /// owner can never stall a settlement.
    fn pay_model_fee(job: &mut Job) {
        let fee = job.model_fee.min(job.escrow);
        let model = Programs::get(job.program).and_then(|p| p.model);
        let Some((model, owner)) = model.and_then(|m| Some((m, T::Models::owner(&m)?))) else {
            return;
        };
        if fee > 0
            && Balances::<T>::transfer_on_hold(&ESCROW_HOLD, &job.client, &owner, fee).is_ok()
        {
            job.escrow = job.escrow.saturating_sub(fee);
            T::Models::note_usage(&model, &owner, fee);
        }
    }

    /// Ends `job` without a result: slashed funds go to the treasury, the escrow to the client.
    pub(crate) fn refund(id: JobId, job: &mut Job, reason: RefundReason) -> DispatchResult {
        let treasury = <T as pallet_staking::Config>::treasury_account();
        let pot = job.pot;
        Self::pay_from_pot(job, &treasury, pot)?;
        job.state = JobState::Refunded(reason);
        Self::release_escrow(id, job, reason)
    }

    /// Releases everything still held for `job` to its client and reports the refund.
    fn release_escrow(id: JobId, job: &mut Job, reason: RefundReason) -> DispatchResult {
        let amount = Self::finish(id, job)?;
        Self::deposit_event(Event::JobRefunded {
            job: id,
            reason,
            amount,
        });
        Ok(())
    }

    /// Releases the rest of the job's escrow, frees its providers and its input, and counts it
    /// settled; returns the amount released.
    fn finish(id: JobId, job: &mut Job) -> Result<Balance, DispatchError> {
        let released = Balances::<T>::release(&ESCROW_HOLD, &job.client, job.escrow)?;
        job.escrow = 0;
        for a in job.assignments.iter() {
            if a.active {
                Self::release_provider(&a.provider, id);
            }
        }
        JobInputs::remove(id);
        LiveJobs::mutate(|n| *n = n.saturating_sub(1));
        Ok(released)
    }

    /// Pays up to `amount` of the client's escrow for this job to `to`; returns what was paid.
    fn pay_from_escrow(
        job: &mut Job,
        to: &AccountId,
        amount: Balance,
    ) -> Result<Balance, DispatchError> {
        let amount = amount.min(job.escrow);
        Balances::<T>::transfer_on_hold(&ESCROW_HOLD, &job.client, to, amount)?;
        job.escrow = job.escrow.saturating_sub(amount);
        Ok(amount)
    }

    /// Burns up to `amount` of the client's escrow for this job.
    fn burn_from_escrow(job: &mut Job, amount: Balance) {
        let burned = Balances::<T>::slash_held(&ESCROW_HOLD, &job.client, amount.min(job.escrow));
        job.escrow = job.escrow.saturating_sub(burned);
    }

    /// Pays up to `amount` of the job's pot to `to`; returns what was paid.
    fn pay_from_pot(
        job: &mut Job,
        to: &AccountId,
        amount: Balance,
    ) -> Result<Balance, DispatchError> {
        let amount = amount.min(job.pot);
        if amount > 0 {
            Balances::<T>::transfer(&Self::account_id(), to, amount, true)?;
            job.pot = job.pot.saturating_sub(amount);
        }
        Ok(amount)
    }

    /// Pays up to `amount` of the verification pool to `to`; returns what was paid.
    fn pay_from_pool(to: &AccountId, amount: Balance) -> Result<Balance, DispatchError> {
        let amount = amount.min(VerificationPool::get());
        if amount > 0 {
            Balances::<T>::transfer(&Self::account_id(), to, amount, true)?;
            VerificationPool::mutate(|p| *p = p.saturating_sub(amount));
        }
        Ok(amount)
    }

    /// Records one paid execution of `who`.
    fn note_paid(id: JobId, who: &AccountId, amount: Balance) {
        ProviderRecords::mutate(who, |r| {
            r.jobs_done = r.jobs_done.saturating_add(1);
            r.earned = r.earned.saturating_add(amount);
        });
        Self::deposit_event(Event::ProviderPaid {
            job: id,
            provider: who.clone(),
            amount,
        });
    }
}
