//! Stake-weighted sampling of providers in bounded work, whatever their number.
//!
//! Every registered provider owns a slot in `1..=MAX_PROVIDERS` of a Fenwick tree whose leaves
//! are the providers' weights (their bond, or zero while jailed or below the minimum stake).
//! Staking reports every change to a provider's bond ([`Pallet::refresh_provider`], O(log n)
//! writes). A draw picks `r` uniformly in `[0, total)` and finds the slot whose cumulative
//! weight first exceeds it (O(log n) reads), so each provider is drawn with probability
//! `weight / total`.
//!
//! A job draws providers one by one and rejects those it cannot use (ineligible for its
//! program, already in the job, the client itself, busy): that is sampling without replacement
//! proportional to stake among the eligible providers, in at most `MAX_DRAWS_PER_PROVIDER`
//! draws per wanted provider. When the draws run out the job waits and retries, rather than
//! scanning the registry.
//!
//! `r` is the randomness reduced modulo `total`: with 128-bit randomness and a total below
//! 2^96 (all issuance), the bias is below 2^-32.

use crate::pallet::*;
use crate::types::*;
use basalt_support::primitives::hashing::blake2_256;
use basalt_support::{AccountId, Balance, H256};

/// Draws a job may make per provider it wants, before it gives up until its next attempt.
pub const MAX_DRAWS_PER_PROVIDER: u32 = 8;

impl<T: Config> Pallet<T> {
    /// The sampling weight `who` should have now: its bond while it is an active provider and
    /// not jailed, else zero. Registering again after a jail lifts the jail.
    pub(crate) fn refresh_provider(who: &AccountId) {
        let mut weight: Balance = 0;
        if Staking::<T>::is_active_provider(who) {
            let mut record = ProviderRecords::get(who);
            if let (Some(jailed), Some(info)) =
                (record.jailed_since, Staking::<T>::provider_info(who))
            {
                if info.registered_at > jailed {
                    record.jailed_since = None;
                    record.offences = 0;
                    ProviderRecords::insert(who, &record);
                }
            }
            if record.jailed_since.is_none() {
                weight = Staking::<T>::provider_stake(who);
            }
        }
        Self::set_weight(who, weight);
    }

    /// Puts `who` in the tree with `weight` (taking a slot if it has none), or frees its slot
    /// when the weight is zero and it is no longer a provider.
    pub(crate) fn set_weight(who: &AccountId, weight: Balance) {
        let slot = match SamplingSlots::get(who) {
            Some((slot, old)) => {
                if old == weight {
                    return;
                }
                Self::tree_add(slot, old, weight);
                slot
            }
            None if weight == 0 => return,
            None => {
                let Some(slot) = Self::take_slot() else {
                    return;
                };
                SlotOwners::insert(slot, who);
                Self::tree_add(slot, 0, weight);
                slot
            }
        };
        if weight == 0 && !Staking::<T>::is_active_provider(who) {
            SamplingSlots::remove(who);
            SlotOwners::remove(slot);
            FreeSlots::mutate(|free| free.push(slot));
        } else {
            SamplingSlots::insert(who, (slot, weight));
        }
    }

    /// A free slot: one given back, else the next unused one, if any is left.
    fn take_slot() -> Option<u32> {
        let reused = FreeSlots::mutate(|free| free.pop());
        if reused.is_some() {
            return reused;
        }
        let next = SlotCount::get().checked_add(1)?;
        if next > Self::capacity() {
            return None;
        }
        SlotCount::put(next);
        Some(next)
    }

    /// Slots in the tree: staking's `MAX_PROVIDERS` (at least one).
    fn capacity() -> u32 {
        <T as pallet_staking::Config>::MAX_PROVIDERS.max(1)
    }

    /// Replaces `old` by `new` at `slot`: every tree node covering it, and the total.
    fn tree_add(slot: u32, old: Balance, new: Balance) {
        let cap = Self::capacity();
        let mut i = slot;
        while i >= 1 && i <= cap {
            SamplingTree::mutate(i, |w| *w = w.saturating_sub(old).saturating_add(new));
            let step = i & i.wrapping_neg();
            i = match i.checked_add(step) {
                Some(next) => next,
                None => break,
            };
        }
        SamplingTotal::mutate(|t| *t = t.saturating_sub(old).saturating_add(new));
    }

    /// The provider whose cumulative weight range holds `r` (`r < SamplingTotal`).
    fn find(mut r: Balance) -> Option<AccountId> {
        let cap = Self::capacity();
        let mut pos: u32 = 0;
        let mut step: u32 = 1 << (31 - cap.leading_zeros());
        while step > 0 {
            let next = pos.saturating_add(step);
            if next <= cap {
                let w = SamplingTree::get(next);
                if w <= r {
                    pos = next;
                    r = r.saturating_sub(w);
                }
            }
            step >>= 1;
        }
        SlotOwners::get(pos.saturating_add(1))
    }

    /// The `i`-th stake-weighted draw from `seed`.
    pub(crate) fn draw(seed: &H256, i: u32) -> Option<AccountId> {
        let total = SamplingTotal::get();
        if total == 0 {
            return None;
        }
        let mut data = seed.as_bytes().to_vec();
        data.extend_from_slice(&i.to_le_bytes());
        let h = blake2_256(&data);
        let mut r = [0u8; 16];
        r.copy_from_slice(&h[..16]);
        Self::find(u128::from_le_bytes(r) % total)
    }

    /// Whether `who` may take another execution of `job` (running `program`) now.
    pub(crate) fn is_eligible(who: &AccountId, job: &Job, program: &Program) -> bool {
        if who == &job.client || job.assignments.iter().any(|a| &a.provider == who) {
            return false;
        }
        if ProviderRecords::get(who).jailed_since.is_some()
            || !Staking::<T>::is_active_provider(who)
        {
            return false;
        }
        let busy = ProviderJobs::get(who).len() as u64;
        if busy >= u64::from(T::MAX_JOBS_PER_PROVIDER.min(MAX_PROVIDER_JOBS)) {
            return false;
        }
        let collateral = job
            .price
            .saturating_mul(Balance::from(T::CHEAT_SLASH_MULTIPLE));
        if Staking::<T>::provider_stake(who) < collateral {
            return false;
        }
        let Some(info) = Staking::<T>::provider_info(who) else {
            return false;
        };
        let needs = program.requirements;
        info.capabilities.count >= needs.gpu_count
            && info.capabilities.memory_gb >= needs.gpu_memory_gb
    }

    /// Up to `want` distinct eligible providers for `job`, stake-weighted, from `seed`.
    pub(crate) fn sample(job: &Job, program: &Program, want: u32, seed: &H256) -> Vec<AccountId> {
        let mut chosen: Vec<AccountId> = Vec::new();
        let draws = want.saturating_mul(MAX_DRAWS_PER_PROVIDER);
        for i in 0..draws {
            if chosen.len() as u64 >= u64::from(want) {
                break;
            }
            let Some(who) = Self::draw(seed, i) else {
                break;
            };
            if !chosen.contains(&who) && Self::is_eligible(&who, job, program) {
                chosen.push(who);
            }
        }
        chosen
    }
}
