//! The election: which validator candidates win the era's seats and who backs them with what.
//!
//! Basalt uses a documented, simpler method than sequential Phragmén, in two rounds, both pure
//! functions of their inputs (no storage, no hash-map iteration, every tie broken by account id)
//! so that every node computes the same set:
//!
//! 1. **Approval ranking.** Each candidate's *approval stake* is its own active bond plus the
//!    full active bond of every eligible nominator that lists it (a nominator's bond counts once
//!    for each candidate it lists, as in approval voting). Candidates are ranked by approval
//!    stake, highest first, ties broken by the smaller account id. The top
//!    `max(seats, minimum)` win. If fewer than `max(minimum, 1)` candidates exist, the election
//!    fails ([`ElectionError::TooFewCandidates`]) and the caller keeps the current set.
//! 2. **Stake distribution.** Each nominator's active bond is split equally across those of its
//!    targets that won, in the order it listed them: each gets `floor(stake / k)`, and the first
//!    winning target also gets the remainder `stake mod k`, so no stake is lost or created.
//!    A nominator none of whose targets won backs nobody this era. A nominator that is itself a
//!    winner (possible only when the caller re-uses the current set) is ignored as a nominator:
//!    its bond already counts as its own stake.
//!
//! Each winner's backers are sorted by backing (largest first, ties by account id) and only the
//! `max_backers` largest are kept: a smaller backer beyond that bound backs that validator with
//! nothing this era (it earns nothing from it and cannot be slashed for it). This bounds the
//! work of a payout. The exposure's `total` is the winner's own stake plus the kept backings.

use crate::{Exposure, IndividualExposure};
use basalt_support::{AccountId, Balance};
use std::collections::{BTreeMap, BTreeSet};

/// A validator candidate: its stash and its own active bond.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Candidate {
    /// The candidate's stash.
    pub stash: AccountId,
    /// Its own active bond.
    pub own: Balance,
}

/// A nominator: its stash, active bond and targets in the order it listed them.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Voter {
    /// The nominator's stash.
    pub who: AccountId,
    /// Its active bond.
    pub stake: Balance,
    /// The validators it nominates.
    pub targets: Vec<AccountId>,
}

/// A winner and the stake behind it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Elected {
    /// The validator's stash.
    pub stash: AccountId,
    /// Its own stake and its backers for the era.
    pub exposure: Exposure,
}

/// Why an election produced no set.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ElectionError {
    /// Fewer eligible candidates than the minimum validator count (or none at all).
    TooFewCandidates {
        /// Eligible candidates found.
        found: u32,
        /// The number required.
        required: u32,
    },
}

/// Runs both rounds (see the module documentation). `candidates` must not repeat a stash
/// (the caller reads them from a map); `voters` likewise.
pub fn elect(
    candidates: &[Candidate],
    voters: &[Voter],
    seats: u32,
    minimum: u32,
    max_backers: u32,
) -> Result<Vec<Elected>, ElectionError> {
    let required = minimum.max(1);
    let found = u32::try_from(candidates.len()).unwrap_or(u32::MAX);
    if found < required {
        return Err(ElectionError::TooFewCandidates { found, required });
    }
    let mut approval: BTreeMap<&AccountId, Balance> =
        candidates.iter().map(|c| (&c.stash, c.own)).collect();
    for voter in voters {
        let unique: BTreeSet<&AccountId> = voter.targets.iter().collect();
        for target in unique {
            if let Some(stake) = approval.get_mut(target) {
                *stake = stake.saturating_add(voter.stake);
            }
        }
    }
    let mut ranked: Vec<(&Candidate, Balance)> = candidates
        .iter()
        .map(|c| (c, approval.get(&c.stash).copied().unwrap_or(c.own)))
        .collect();
    ranked.sort_by(|(a, a_stake), (b, b_stake)| {
        b_stake.cmp(a_stake).then_with(|| a.stash.cmp(&b.stash))
    });
    let take = usize::try_from(seats.max(required)).unwrap_or(usize::MAX);
    let winners: Vec<Candidate> = ranked
        .into_iter()
        .take(take)
        .map(|(c, _)| c.clone())
        .collect();
    Ok(distribute(&winners, voters, max_backers))
}

/// The second round alone: spreads the voters' stake over a fixed set of `winners` (also used
/// to re-snapshot the current set when an election fails). Returns the winners in input order.
pub fn distribute(winners: &[Candidate], voters: &[Voter], max_backers: u32) -> Vec<Elected> {
    let index: BTreeMap<&AccountId, usize> = winners
        .iter()
        .enumerate()
        .map(|(i, c)| (&c.stash, i))
        .collect();
    let mut backers: Vec<Vec<IndividualExposure>> = winners.iter().map(|_| Vec::new()).collect();
    for voter in voters {
        if index.contains_key(&voter.who) {
            continue;
        }
        let mut seen = BTreeSet::new();
        let elected: Vec<usize> = voter
            .targets
            .iter()
            .filter(|t| seen.insert(*t))
            .filter_map(|t| index.get(t).copied())
            .collect();
        let Ok(k) = u128::try_from(elected.len()) else {
            continue;
        };
        let (Some(share), Some(remainder)) =
            (voter.stake.checked_div(k), voter.stake.checked_rem(k))
        else {
            continue;
        };
        for (position, winner) in elected.into_iter().enumerate() {
            let value = if position == 0 {
                share.saturating_add(remainder)
            } else {
                share
            };
            if value == 0 {
                continue;
            }
            if let Some(list) = backers.get_mut(winner) {
                list.push(IndividualExposure {
                    who: voter.who.clone(),
                    value,
                });
            }
        }
    }
    let keep = usize::try_from(max_backers).unwrap_or(usize::MAX);
    winners
        .iter()
        .zip(backers)
        .map(|(winner, mut others)| {
            others.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.who.cmp(&b.who)));
            others.truncate(keep);
            let total = others
                .iter()
                .fold(winner.own, |sum, b| sum.saturating_add(b.value));
            Elected {
                stash: winner.stash.clone(),
                exposure: Exposure {
                    total,
                    own: winner.own,
                    others,
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(n: u8) -> AccountId {
        AccountId::new([n; 32])
    }
    fn cand(n: u8, own: Balance) -> Candidate {
        Candidate { stash: acc(n), own }
    }
    fn voter(n: u8, stake: Balance, targets: &[u8]) -> Voter {
        Voter {
            who: acc(n),
            stake,
            targets: targets.iter().map(|t| acc(*t)).collect(),
        }
    }

    #[test]
    fn approval_ranks_and_ties_break_by_account() {
        let c = [cand(1, 100), cand(2, 100), cand(3, 50), cand(4, 10)];
        let v = [voter(10, 60, &[3, 4])];
        // Approval: 1 -> 100, 2 -> 100, 3 -> 110, 4 -> 70. Two seats: 3, then 1 (tie with 2).
        let out = elect(&c, &v, 2, 1, 64).unwrap();
        let stashes: Vec<_> = out.iter().map(|e| e.stash.clone()).collect();
        assert_eq!(stashes, vec![acc(3), acc(1)]);
        // Nominator 10's stake goes wholly to 3, its only elected target.
        assert_eq!(
            out[0].exposure,
            Exposure {
                total: 110,
                own: 50,
                others: vec![IndividualExposure {
                    who: acc(10),
                    value: 60
                }]
            }
        );
        assert_eq!(
            out[1].exposure,
            Exposure {
                total: 100,
                own: 100,
                others: vec![]
            }
        );
    }

    #[test]
    fn equal_split_gives_the_remainder_to_the_first_listed_winner() {
        let c = [cand(1, 10), cand(2, 10), cand(3, 10)];
        let v = [voter(10, 100, &[3, 1, 2, 3])];
        let out = elect(&c, &v, 3, 1, 64).unwrap();
        let backing = |s: u8| {
            out.iter()
                .find(|e| e.stash == acc(s))
                .unwrap()
                .exposure
                .others[0]
                .value
        };
        assert_eq!(backing(3), 34);
        assert_eq!(backing(1), 33);
        assert_eq!(backing(2), 33);
        let total: Balance = out.iter().map(|e| e.exposure.total).sum();
        assert_eq!(total, 130, "no stake created or lost");
    }

    #[test]
    fn too_few_candidates_fail_and_minimum_raises_seats() {
        assert_eq!(
            elect(&[cand(1, 1)], &[], 5, 2, 64),
            Err(ElectionError::TooFewCandidates {
                found: 1,
                required: 2
            })
        );
        assert_eq!(
            elect(&[], &[], 5, 0, 64),
            Err(ElectionError::TooFewCandidates {
                found: 0,
                required: 1
            })
        );
        let out = elect(&[cand(1, 1), cand(2, 2), cand(3, 3)], &[], 1, 2, 64).unwrap();
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn backers_beyond_the_bound_are_dropped_smallest_first() {
        let c = [cand(1, 5)];
        let v = [voter(10, 7, &[1]), voter(11, 9, &[1]), voter(12, 7, &[1])];
        let out = elect(&c, &v, 1, 1, 2).unwrap();
        let others: Vec<_> = out[0]
            .exposure
            .others
            .iter()
            .map(|b| (b.who.clone(), b.value))
            .collect();
        assert_eq!(others, vec![(acc(11), 9), (acc(10), 7)]);
        assert_eq!(out[0].exposure.total, 21);
    }

    #[test]
    fn a_winner_is_not_also_counted_as_a_nominator() {
        let out = distribute(&[cand(1, 10), cand(2, 10)], &[voter(1, 10, &[2])], 64);
        assert!(out[1].exposure.others.is_empty());
    }
}
