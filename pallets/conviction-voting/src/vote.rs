//! Votes and what they weigh, with pallet-conviction-voting's types, paths and encodings, so
//! that polkadot.js (`{ Standard: { vote: { aye, conviction }, balance } }`) and
//! py-substrate-interface build them unchanged.

use basalt_support::governance::{PollIndex, Tally};
use basalt_support::{AccountId, Balance, BlockNumber, BoundedVec};

/// The most votes one account keeps in one class (track): bounds the work of every vote.
pub const MAX_VOTES: u32 = 100;
use codec::{Decode, DecodeWithMemTracking, Encode, EncodeLike, Input, MaxEncodedLen, Output};
use scale_info::{build::Fields, Path, Type, TypeInfo};

/// How long a voter locks the tokens behind a vote after the referendum, in vote-locking
/// periods, and what that multiplies the vote by: 0.1x with no lock, 1x for one period, up to
/// 6x for 32 (`pallet_conviction_voting::conviction::Conviction`).
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
#[scale_info(replace_segment("vote", "conviction"))]
pub enum Conviction {
    /// 0.1x votes, no lock after the referendum.
    #[default]
    #[codec(index = 0)]
    None,
    /// 1x votes, locked for 1 period.
    #[codec(index = 1)]
    Locked1x,
    /// 2x votes, locked for 2 periods.
    #[codec(index = 2)]
    Locked2x,
    /// 3x votes, locked for 4 periods.
    #[codec(index = 3)]
    Locked3x,
    /// 4x votes, locked for 8 periods.
    #[codec(index = 4)]
    Locked4x,
    /// 5x votes, locked for 16 periods.
    #[codec(index = 5)]
    Locked5x,
    /// 6x votes, locked for 32 periods.
    #[codec(index = 6)]
    Locked6x,
}

impl Conviction {
    /// The conviction of a vote byte's low bits (values above 6 are refused).
    fn from_bits(bits: u8) -> Option<Conviction> {
        Some(match bits {
            0 => Conviction::None,
            1 => Conviction::Locked1x,
            2 => Conviction::Locked2x,
            3 => Conviction::Locked3x,
            4 => Conviction::Locked4x,
            5 => Conviction::Locked5x,
            6 => Conviction::Locked6x,
            _ => return None,
        })
    }

    /// The vote-locking periods the tokens stay locked after the referendum (if the vote won).
    pub fn lock_periods(self) -> u32 {
        match self {
            Conviction::None => 0,
            Conviction::Locked1x => 1,
            Conviction::Locked2x => 2,
            Conviction::Locked3x => 4,
            Conviction::Locked4x => 8,
            Conviction::Locked5x => 16,
            Conviction::Locked6x => 32,
        }
    }

    /// The votes `capital` carries at this conviction (rounded down).
    pub fn votes(self, capital: Balance) -> Balance {
        match self {
            Conviction::None => capital / 10,
            c => capital.saturating_mul(c as Balance),
        }
    }
}

/// Aye or nay, with a conviction: one byte, the aye bit (0x80) over the conviction
/// (`pallet_conviction_voting::vote::Vote`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, MaxEncodedLen)]
pub struct Vote {
    /// For (true) or against.
    pub aye: bool,
    /// The conviction.
    pub conviction: Conviction,
}

impl Encode for Vote {
    fn size_hint(&self) -> usize {
        1
    }
    fn encode_to<W: Output + ?Sized>(&self, dest: &mut W) {
        dest.push_byte(u8::from(self.aye) << 7 | self.conviction as u8)
    }
}

impl EncodeLike for Vote {}

impl Decode for Vote {
    fn decode<I: Input>(input: &mut I) -> Result<Self, codec::Error> {
        let byte = input.read_byte()?;
        Ok(Vote {
            aye: byte & 0x80 == 0x80,
            conviction: Conviction::from_bits(byte & 0x7f).ok_or("Invalid conviction")?,
        })
    }
}

impl DecodeWithMemTracking for Vote {}

impl TypeInfo for Vote {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("Vote", "pallet_conviction_voting::vote"))
            .composite(Fields::unnamed().field(|f| {
                f.ty::<u8>()
                    .docs(&["Raw vote byte, encodes aye + conviction"])
            }))
    }
}

/// A vote on one referendum (`pallet_conviction_voting::vote::AccountVote`).
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
pub enum AccountVote {
    /// All of `balance` for one side, with a conviction.
    #[codec(index = 0)]
    Standard {
        /// The side and conviction.
        vote: Vote,
        /// The capital behind it.
        balance: Balance,
    },
    /// Capital split between the sides, without conviction (0.1x).
    #[codec(index = 1)]
    Split {
        /// Capital for.
        aye: Balance,
        /// Capital against.
        nay: Balance,
    },
    /// Capital split between the sides and abstention, without conviction; abstaining
    /// capital counts towards support only.
    #[codec(index = 2)]
    SplitAbstain {
        /// Capital for.
        aye: Balance,
        /// Capital against.
        nay: Balance,
        /// Capital abstaining.
        abstain: Balance,
    },
}

impl AccountVote {
    /// The capital the vote locks while it stands.
    pub fn balance(&self) -> Balance {
        match *self {
            AccountVote::Standard { balance, .. } => balance,
            AccountVote::Split { aye, nay } => aye.saturating_add(nay),
            AccountVote::SplitAbstain { aye, nay, abstain } => {
                aye.saturating_add(nay).saturating_add(abstain)
            }
        }
    }

    /// The lock periods and capital that stay locked after a referendum that ended
    /// `approved`: only a standard vote with conviction on the winning side.
    pub fn locked_if(&self, approved: bool) -> Option<(u32, Balance)> {
        match *self {
            AccountVote::Standard { vote, balance } if vote.aye == approved => {
                Some((vote.conviction.lock_periods(), balance))
            }
            _ => None,
        }
    }

    /// Add this vote to `tally`.
    pub fn add_to(&self, tally: &mut Tally) {
        change(tally, self.weights(), Balance::saturating_add);
    }

    /// Take this vote (added before) out of `tally`.
    pub fn remove_from(&self, tally: &mut Tally) {
        change(tally, self.weights(), Balance::saturating_sub);
    }

    /// Add this vote to `tally` with what was delegated to its voter: delegations ride on
    /// standard votes only (as in Substrate).
    pub fn add_with(&self, delegations: Delegations, tally: &mut Tally) {
        self.add_to(tally);
        if let AccountVote::Standard { vote, .. } = self {
            delegations.add_to(vote.aye, tally);
        }
    }

    /// Take this vote and its voter's delegations (added before) out of `tally`.
    pub fn remove_with(&self, delegations: Delegations, tally: &mut Tally) {
        self.remove_from(tally);
        if let AccountVote::Standard { vote, .. } = self {
            delegations.remove_from(vote.aye, tally);
        }
    }

    /// What the vote adds to ayes, nays and support.
    fn weights(&self) -> (Balance, Balance, Balance) {
        let plain = Conviction::None;
        match *self {
            AccountVote::Standard { vote, balance } if vote.aye => {
                (vote.conviction.votes(balance), 0, balance)
            }
            AccountVote::Standard { vote, balance } => (0, vote.conviction.votes(balance), 0),
            AccountVote::Split { aye, nay } => (plain.votes(aye), plain.votes(nay), aye),
            AccountVote::SplitAbstain { aye, nay, abstain } => (
                plain.votes(aye),
                plain.votes(nay),
                aye.saturating_add(abstain),
            ),
        }
    }
}

/// Applies `op` (a saturating add or sub) of `(ayes, nays, support)` to `tally`.
fn change(
    tally: &mut Tally,
    (ayes, nays, support): (Balance, Balance, Balance),
    op: fn(Balance, Balance) -> Balance,
) {
    tally.ayes = op(tally.ayes, ayes);
    tally.nays = op(tally.nays, nays);
    tally.support = op(tally.support, support);
}

/// A lock left by votes already removed: `amount` stays locked until block `.0`
/// (`pallet_conviction_voting::types::PriorLock`).
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
#[scale_info(replace_segment("vote", "types"))]
pub struct PriorLock(pub BlockNumber, pub Balance);

impl PriorLock {
    /// Keep `amount` locked until `until` as well: the later time and the larger amount.
    pub fn accumulate(&mut self, until: BlockNumber, amount: Balance) {
        self.0 = self.0.max(until);
        self.1 = self.1.max(amount);
    }

    /// What is still locked at `now` (nothing once the time has passed).
    pub fn locked_at(&self, now: BlockNumber) -> Balance {
        if now >= self.0 {
            0
        } else {
            self.1
        }
    }
}

/// Votes and capital delegated to an account (`pallet_conviction_voting::types::Delegations`):
/// what its standard votes carry besides its own.
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
#[scale_info(replace_segment("vote", "types"))]
pub struct Delegations {
    /// The conviction-weighted votes.
    pub votes: Balance,
    /// The capital behind them.
    pub capital: Balance,
}

impl Delegations {
    /// These and `other`.
    pub fn saturating_add(self, other: Delegations) -> Delegations {
        Delegations {
            votes: self.votes.saturating_add(other.votes),
            capital: self.capital.saturating_add(other.capital),
        }
    }

    /// These less `other`.
    pub fn saturating_sub(self, other: Delegations) -> Delegations {
        Delegations {
            votes: self.votes.saturating_sub(other.votes),
            capital: self.capital.saturating_sub(other.capital),
        }
    }

    /// Add these to `tally` on the side `aye` says (support counts aye capital only).
    pub fn add_to(&self, aye: bool, tally: &mut Tally) {
        change(tally, self.weights(aye), Balance::saturating_add);
    }

    /// Take these (added before) out of `tally`.
    pub fn remove_from(&self, aye: bool, tally: &mut Tally) {
        change(tally, self.weights(aye), Balance::saturating_sub);
    }

    /// What these add to ayes, nays and support on the side `aye` says.
    fn weights(&self, aye: bool) -> (Balance, Balance, Balance) {
        if aye {
            (self.votes, 0, self.capital)
        } else {
            (0, self.votes, 0)
        }
    }
}

/// One account's votes in one class (track), sorted by referendum, the delegations it
/// carries, and the lock its removed votes left (`pallet_conviction_voting::vote::Casting`).
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Casting {
    /// The votes, by referendum index.
    pub votes: BoundedVec<(PollIndex, AccountVote), MAX_VOTES>,
    /// What others delegated to this account in this class.
    pub delegations: Delegations,
    /// The lock left by removed votes.
    pub prior: PriorLock,
}

/// One account's delegation of its votes in one class (`pallet_conviction_voting::vote::Delegating`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Delegating {
    /// The capital delegated.
    pub balance: Balance,
    /// Who votes with it.
    pub target: AccountId,
    /// Its conviction.
    pub conviction: Conviction,
    /// What others delegated to this account (kept, not passed on: delegation is not
    /// transitive).
    pub delegations: Delegations,
    /// The lock left by earlier votes and delegations.
    pub prior: PriorLock,
}

impl Delegating {
    /// What this delegation gives its target.
    pub fn given(&self) -> Delegations {
        Delegations {
            votes: self.conviction.votes(self.balance),
            capital: self.balance,
        }
    }
}

/// One account's voting in one class: casting its own votes, or delegating them
/// (`pallet_conviction_voting::vote::Voting`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum Voting {
    /// Voting directly.
    #[codec(index = 0)]
    Casting(Casting),
    /// Delegating.
    #[codec(index = 1)]
    Delegating(Delegating),
}

impl Default for Voting {
    fn default() -> Self {
        Voting::Casting(Casting::default())
    }
}

impl Voting {
    /// What this class needs locked at `now`: the largest standing vote or the delegated
    /// capital, or the prior lock.
    pub fn locked_balance(&self, now: BlockNumber) -> Balance {
        match self {
            Voting::Casting(c) => c
                .votes
                .iter()
                .map(|(_, v)| v.balance())
                .fold(c.prior.locked_at(now), Balance::max),
            Voting::Delegating(d) => d.balance.max(d.prior.locked_at(now)),
        }
    }

    /// Whether nothing is left at `now`: casting, with no votes, no delegations to it and no
    /// prior lock still running.
    pub fn is_empty_at(&self, now: BlockNumber) -> bool {
        match self {
            Voting::Casting(c) => {
                c.votes.is_empty()
                    && c.delegations == Delegations::default()
                    && c.prior.locked_at(now) == 0
            }
            Voting::Delegating(_) => false,
        }
    }

    /// The prior lock.
    pub fn prior_mut(&mut self) -> &mut PriorLock {
        match self {
            Voting::Casting(c) => &mut c.prior,
            Voting::Delegating(d) => &mut d.prior,
        }
    }

    /// What others delegated to this account.
    pub fn delegations_mut(&mut self) -> &mut Delegations {
        match self {
            Voting::Casting(c) => &mut c.delegations,
            Voting::Delegating(d) => &mut d.delegations,
        }
    }
}
