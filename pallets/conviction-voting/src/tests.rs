//! Unit tests of the voting pallet: every call and error, tally arithmetic with convictions
//! and splits, locks that block a transfer until they expire, and the attacks a voter would
//! try (voting one balance twice by moving it, voting more than it has, removing another's
//! vote early, flooding a class with votes).
//!
//! Accounts 1..=6 hold 1 000 each. Every test ends with [`check_invariants`]: voting moves
//! nothing (total issuance and every account's total balance are unchanged), each account's
//! balances lock is its largest class lock, and every open poll's tally is the sum of the
//! votes cast on it.

use crate::mock::*;
use crate::pallet::*;
use crate::vote::*;
use basalt_support::dispatch::Dispatchable;
use basalt_support::generic::Digest;
use basalt_support::genesis::BuildGenesis;
use basalt_support::governance::Tally;
use basalt_support::state::{empty_externalities, io};
use basalt_support::{AccountId, Balance, DispatchError, Origin, H256};

type Balances = pallet_balances::Pallet<Test>;
type System = pallet_system::Pallet<Test>;
type ConvictionVoting = Pallet<Test>;

const ENDOWMENT: Balance = 1_000;
const CLASS: u16 = 0;
const OTHER_CLASS: u16 = 11;

fn test(f: impl FnOnce()) {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        let endow: Vec<(AccountId, Balance)> = (1..=6).map(|n| (acc(n), ENDOWMENT)).collect();
        Balances::genesis_endow(&endow).expect("endowed");
        System::initialize(1, H256::repeat_byte(1), &Digest::default());
        let issuance = Balances::total_issuance();
        f();
        check_invariants(issuance);
    });
}

fn check_invariants(issuance: Balance) {
    assert_eq!(
        Balances::total_issuance(),
        issuance,
        "voting mints and burns nothing"
    );
    for n in 1..=6 {
        let who = acc(n);
        let largest = ClassLocksFor::get(&who)
            .iter()
            .map(|(_, l)| *l)
            .max()
            .unwrap_or(0);
        let lock = pallet_balances::Locks::get(&who)
            .iter()
            .find(|l| l.id == crate::CONVICTION_VOTING_ID)
            .map_or(0, |l| l.amount);
        assert_eq!(lock, largest, "account {n}: lock is the largest class lock");
    }
    for (index, poll) in Polls::iter() {
        let TestPoll::Ongoing(tally, class) = poll else {
            continue;
        };
        let mut sum = Tally::default();
        for n in 1..=6 {
            let Voting::Casting(casting) = VotingFor::get(acc(n), class) else {
                continue;
            };
            for (i, v) in casting.votes.iter() {
                if *i == index {
                    v.add_with(casting.delegations, &mut sum);
                }
            }
        }
        assert_eq!(tally, sum, "poll {index}: tally is the sum of its votes");
    }
}

fn open(index: u32, class: u16) {
    Polls::insert(index, TestPoll::Ongoing(Tally::default(), class));
}

fn close(index: u32, approved: bool) {
    Polls::insert(index, TestPoll::Completed(System::block_number(), approved));
}

fn run_to(n: u32) {
    while System::block_number() < n {
        let next = System::block_number() + 1;
        System::finalize();
        System::initialize(next, H256::repeat_byte(next as u8), &Digest::default());
    }
}

fn signed(c: Call, who: u8) -> Result<(), DispatchError> {
    io::with_transaction(|| {
        Dispatchable::<Test>::dispatch_with_post_info(c, Origin::Signed(acc(who)))
    })
    .map(|_| ())
    .map_err(|e| e.error)
}

fn err(e: Error<Test>) -> Result<(), DispatchError> {
    Err(e.into())
}

fn standard(aye: bool, conviction: Conviction, balance: Balance) -> AccountVote {
    AccountVote::Standard {
        vote: Vote { aye, conviction },
        balance,
    }
}

fn vote(who: u8, poll: u32, v: AccountVote) -> Result<(), DispatchError> {
    signed(
        Call::vote {
            poll_index: poll,
            vote: v,
        },
        who,
    )
}

fn remove(who: u8, class: Option<u16>, poll: u32) -> Result<(), DispatchError> {
    signed(Call::remove_vote { class, index: poll }, who)
}

fn unlock(who: u8, class: u16) -> Result<(), DispatchError> {
    signed(
        Call::unlock {
            class,
            target: Address::Id(acc(who)),
        },
        who,
    )
}

fn votes_of(n: u8, class: u16) -> Vec<(u32, AccountVote)> {
    match VotingFor::get(acc(n), class) {
        Voting::Casting(c) => c.votes.into_inner(),
        Voting::Delegating(_) => Vec::new(),
    }
}

fn delegate(
    who: u8,
    to: u8,
    conviction: Conviction,
    balance: Balance,
) -> Result<(), DispatchError> {
    signed(
        Call::delegate {
            class: CLASS,
            to: Address::Id(acc(to)),
            conviction,
            balance,
        },
        who,
    )
}

fn locked(n: u8) -> Balance {
    pallet_balances::Locks::get(acc(n))
        .iter()
        .map(|l| l.amount)
        .max()
        .unwrap_or(0)
}

fn transfer(from: u8, to: u8, amount: Balance) -> Result<(), DispatchError> {
    Balances::transfer(&acc(from), &acc(to), amount, true)
}

#[test]
fn vote_bytes_encode_as_substrate_does() {
    let v = Vote {
        aye: true,
        conviction: Conviction::Locked3x,
    };
    assert_eq!(codec::Encode::encode(&v), vec![0x83]);
    let nay = Vote {
        aye: false,
        conviction: Conviction::None,
    };
    assert_eq!(codec::Encode::encode(&nay), vec![0x00]);
    assert_eq!(
        <Vote as codec::Decode>::decode(&mut &[0x86u8][..]),
        Ok(Vote {
            aye: true,
            conviction: Conviction::Locked6x
        })
    );
    assert!(
        <Vote as codec::Decode>::decode(&mut &[0x87u8][..]).is_err(),
        "conviction 7 is refused"
    );
    let standard = standard(true, Conviction::Locked1x, 5);
    let mut expected = vec![0u8, 0x81];
    expected.extend_from_slice(&5u128.to_le_bytes());
    assert_eq!(codec::Encode::encode(&standard), expected);
}

#[test]
fn convictions_multiply_votes_and_lock_periods() {
    let table = [
        (Conviction::None, 100, 0),
        (Conviction::Locked1x, 1_000, 1),
        (Conviction::Locked2x, 2_000, 2),
        (Conviction::Locked3x, 3_000, 4),
        (Conviction::Locked4x, 4_000, 8),
        (Conviction::Locked5x, 5_000, 16),
        (Conviction::Locked6x, 6_000, 32),
    ];
    for (c, votes, periods) in table {
        assert_eq!(c.votes(1_000), votes, "{c:?}");
        assert_eq!(c.lock_periods(), periods, "{c:?}");
    }
    assert_eq!(Conviction::None.votes(9), 0, "0.1x rounds down");
    assert_eq!(
        Conviction::Locked6x.votes(Balance::MAX),
        Balance::MAX,
        "saturates"
    );
}

#[test]
fn tally_counts_conviction_splits_and_abstentions() {
    test(|| {
        open(0, CLASS);
        vote(1, 0, standard(true, Conviction::Locked2x, 100)).unwrap();
        vote(2, 0, standard(false, Conviction::Locked1x, 50)).unwrap();
        vote(3, 0, standard(true, Conviction::None, 30)).unwrap();
        vote(4, 0, AccountVote::Split { aye: 40, nay: 20 }).unwrap();
        vote(
            5,
            0,
            AccountVote::SplitAbstain {
                aye: 10,
                nay: 10,
                abstain: 100,
            },
        )
        .unwrap();
        assert_eq!(
            tally(0),
            Tally {
                ayes: 200 + 3 + 4 + 1,
                nays: 50 + 2 + 1,
                support: 100 + 30 + 40 + 10 + 100,
            }
        );
        assert_eq!(locked(5), 120, "a split locks all its capital");
    });
}

#[test]
fn voting_again_replaces_the_vote() {
    test(|| {
        open(0, CLASS);
        vote(1, 0, standard(true, Conviction::Locked1x, 100)).unwrap();
        vote(1, 0, standard(false, Conviction::Locked3x, 10)).unwrap();
        assert_eq!(
            tally(0),
            Tally {
                ayes: 0,
                nays: 30,
                support: 0
            }
        );
        assert_eq!(votes_of(1, CLASS).len(), 1);
        assert_eq!(locked(1), 100, "a lock never shrinks until unlocked");
        unlock(1, CLASS).unwrap();
        assert_eq!(locked(1), 10);
    });
}

#[test]
fn vote_errors() {
    test(|| {
        assert_eq!(
            vote(1, 9, standard(true, Conviction::None, 1)),
            err(Error::NotOngoing)
        );
        open(0, CLASS);
        assert_eq!(
            vote(1, 0, standard(true, Conviction::None, ENDOWMENT + 1)),
            err(Error::InsufficientFunds)
        );
        close(0, true);
        assert_eq!(
            vote(1, 0, standard(true, Conviction::None, 1)),
            err(Error::NotOngoing)
        );
        assert_eq!(
            ConvictionVoting::dispatch_unsigned_for_test(),
            Err(DispatchError::BadOrigin)
        );
    });
}

impl ConvictionVoting {
    /// An unsigned vote, which the call must refuse.
    fn dispatch_unsigned_for_test() -> Result<(), DispatchError> {
        Dispatchable::<Test>::dispatch(
            Call::vote {
                poll_index: 0,
                vote: standard(true, Conviction::None, 1),
            },
            Origin::None,
        )
    }
}

#[test]
fn the_lock_blocks_transfers_until_it_expires() {
    test(|| {
        open(0, CLASS);
        vote(1, 0, standard(true, Conviction::Locked2x, 600)).unwrap();
        assert_eq!(locked(1), 600);
        assert!(transfer(1, 2, 500).is_err(), "locked tokens cannot move");
        transfer(1, 2, 300).unwrap();
        close(0, true);
        let end = System::block_number();
        remove(1, Some(CLASS), 0).unwrap();
        unlock(1, CLASS).unwrap();
        assert_eq!(
            locked(1),
            600,
            "a winning 2x vote stays locked for 2 periods"
        );
        run_to(end + 2 * PERIOD - 1);
        unlock(1, CLASS).unwrap();
        assert!(transfer(1, 2, 200).is_err());
        run_to(end + 2 * PERIOD);
        unlock(1, CLASS).unwrap();
        assert_eq!(locked(1), 0);
        assert!(ClassLocksFor::get(acc(1)).is_empty());
        assert_eq!(
            VotingFor::get(acc(1), CLASS),
            Voting::default(),
            "the record is gone"
        );
        transfer(1, 2, 600).unwrap();
    });
}

#[test]
fn losing_and_unconvinced_votes_leave_no_lock() {
    test(|| {
        open(0, CLASS);
        vote(1, 0, standard(false, Conviction::Locked6x, 100)).unwrap();
        vote(2, 0, standard(true, Conviction::None, 100)).unwrap();
        vote(3, 0, AccountVote::Split { aye: 50, nay: 50 }).unwrap();
        close(0, true);
        for who in [1, 2, 3] {
            remove(who, Some(CLASS), 0).unwrap();
            unlock(who, CLASS).unwrap();
            assert_eq!(locked(who), 0, "account {who}");
        }
    });
}

#[test]
fn removing_a_vote_on_an_open_poll_takes_it_from_the_tally() {
    test(|| {
        open(0, CLASS);
        vote(1, 0, standard(true, Conviction::Locked1x, 100)).unwrap();
        remove(1, None, 0).unwrap();
        assert_eq!(tally(0), Tally::default());
        unlock(1, CLASS).unwrap();
        assert_eq!(locked(1), 0, "no lock for a vote withdrawn before the end");
        assert_eq!(remove(1, None, 0), err(Error::NotVoter));
        close(0, true);
        assert_eq!(remove(1, None, 0), err(Error::ClassNeeded));
    });
}

#[test]
fn locks_are_kept_per_class_and_the_largest_applies() {
    test(|| {
        open(0, CLASS);
        open(1, OTHER_CLASS);
        vote(1, 0, standard(true, Conviction::Locked1x, 300)).unwrap();
        vote(1, 1, standard(true, Conviction::Locked1x, 500)).unwrap();
        assert_eq!(locked(1), 500);
        assert_eq!(ClassLocksFor::get(acc(1)).len(), 2);
        remove(1, None, 1).unwrap();
        unlock(1, OTHER_CLASS).unwrap();
        assert_eq!(locked(1), 300, "the other class's lock remains");
    });
}

#[test]
fn the_same_tokens_may_vote_on_several_polls() {
    test(|| {
        open(0, CLASS);
        open(1, CLASS);
        vote(1, 0, standard(true, Conviction::Locked1x, 1_000)).unwrap();
        vote(1, 1, standard(false, Conviction::Locked1x, 1_000)).unwrap();
        assert_eq!(tally(0).ayes, 1_000);
        assert_eq!(tally(1).nays, 1_000);
        assert_eq!(locked(1), 1_000, "one lock covers both");
    });
}

#[test]
fn remove_other_vote_waits_for_the_lock() {
    test(|| {
        open(0, CLASS);
        vote(1, 0, standard(true, Conviction::Locked1x, 100)).unwrap();
        let other = |class| {
            signed(
                Call::remove_other_vote {
                    target: Address::Id(acc(1)),
                    class,
                    index: 0,
                },
                2,
            )
        };
        assert_eq!(
            other(CLASS),
            err(Error::NoPermission),
            "not while the poll is open"
        );
        close(0, true);
        let end = System::block_number();
        assert_eq!(other(CLASS), err(Error::NoPermissionYet));
        run_to(end + PERIOD);
        other(CLASS).unwrap();
        assert!(votes_of(1, CLASS).is_empty());
        unlock(1, CLASS).unwrap();
        assert_eq!(locked(1), 0);
        assert_eq!(other(CLASS), err(Error::NotVoter));
    });
}

#[test]
fn a_vote_on_a_killed_poll_is_simply_removed() {
    test(|| {
        open(0, CLASS);
        vote(1, 0, standard(true, Conviction::Locked6x, 100)).unwrap();
        Polls::remove(0);
        remove(1, Some(CLASS), 0).unwrap();
        unlock(1, CLASS).unwrap();
        assert_eq!(locked(1), 0);
    });
}

#[test]
fn attack_vote_one_balance_twice_by_moving_it() {
    test(|| {
        open(0, CLASS);
        vote(1, 0, standard(true, Conviction::Locked6x, 900)).unwrap();
        assert!(
            transfer(1, 2, 900).is_err(),
            "the voted balance cannot move to vote again"
        );
        assert!(transfer(1, 2, 200).is_err());
        transfer(1, 2, 100).unwrap();
        vote(2, 0, standard(true, Conviction::Locked6x, 1_100)).unwrap();
        assert_eq!(
            tally(0).support,
            2_000,
            "every token counted once: 900 + 1 100"
        );
        assert_eq!(
            Balances::total_balance(&acc(1)) + Balances::total_balance(&acc(2)),
            2_000
        );
    });
}

#[test]
fn attack_vote_with_more_than_the_balance() {
    test(|| {
        open(0, CLASS);
        assert_eq!(
            vote(
                1,
                0,
                AccountVote::SplitAbstain {
                    aye: 400,
                    nay: 400,
                    abstain: 201
                }
            ),
            err(Error::InsufficientFunds)
        );
        assert_eq!(
            vote(
                1,
                0,
                AccountVote::Split {
                    aye: Balance::MAX,
                    nay: Balance::MAX
                }
            ),
            err(Error::InsufficientFunds),
            "saturating sums do not wrap around to a small balance"
        );
        assert_eq!(tally(0), Tally::default());
        assert_eq!(locked(1), 0);
    });
}

#[test]
fn attack_flood_a_class_with_votes() {
    test(|| {
        for i in 0..MAX_VOTES {
            open(i, CLASS);
            vote(1, i, standard(true, Conviction::None, 1)).unwrap();
        }
        open(MAX_VOTES, CLASS);
        assert_eq!(
            vote(1, MAX_VOTES, standard(true, Conviction::None, 1)),
            err(Error::MaxVotesReached)
        );
        assert_eq!(
            tally(MAX_VOTES),
            Tally::default(),
            "the refused vote left nothing"
        );
        vote(1, 5, standard(false, Conviction::None, 1)).unwrap();
    });
}

#[test]
fn attack_unlock_before_the_conviction_has_run() {
    test(|| {
        open(0, CLASS);
        vote(1, 0, standard(true, Conviction::Locked1x, 500)).unwrap();
        close(0, true);
        remove(1, Some(CLASS), 0).unwrap();
        // Voting again elsewhere and removing that vote must not reset the prior lock.
        open(1, CLASS);
        vote(1, 1, standard(true, Conviction::None, 10)).unwrap();
        remove(1, None, 1).unwrap();
        unlock(1, CLASS).unwrap();
        assert_eq!(locked(1), 500);
        assert!(transfer(1, 2, 600).is_err());
    });
}

#[test]
fn attack_spread_votes_over_more_classes_than_locks_are_kept_for() {
    test(|| {
        for class in 0..crate::MAX_CLASSES as u16 {
            open(u32::from(class), class);
            vote(1, u32::from(class), standard(true, Conviction::None, 1)).unwrap();
        }
        let extra = crate::MAX_CLASSES;
        open(extra, extra as u16);
        assert_eq!(
            vote(1, extra, standard(true, Conviction::None, 1)),
            err(Error::BadClass)
        );
        assert_eq!(
            tally(extra),
            Tally::default(),
            "the refused vote left nothing"
        );
        assert_eq!(
            ClassLocksFor::get(acc(1)).len(),
            crate::MAX_CLASSES as usize
        );
    });
}

#[test]
fn genesis_sets_the_chains_lock_period() {
    test(|| {
        assert_eq!(ConvictionVoting::vote_locking_period(), PERIOD);
        ConvictionVoting::build_genesis(&Some(3)).unwrap();
        assert_eq!(ConvictionVoting::vote_locking_period(), 3);
    });
}

#[test]
fn events_report_votes_removals_and_unlocks() {
    test(|| {
        open(0, CLASS);
        let v = standard(true, Conviction::Locked1x, 5);
        vote(1, 0, v).unwrap();
        remove(1, None, 0).unwrap();
        unlock(1, CLASS).unwrap();
        assert_eq!(
            System::events_of::<Event>(11),
            vec![
                Event::Voted {
                    who: acc(1),
                    vote: v
                },
                Event::VoteRemoved {
                    who: acc(1),
                    vote: v
                },
                Event::VoteUnlocked {
                    who: acc(1),
                    class: CLASS
                },
            ]
        );
    });
}

#[test]
fn a_delegation_counts_in_the_targets_standing_and_later_votes_until_undelegated() {
    test(|| {
        open(0, CLASS);
        open(1, CLASS);
        vote(2, 0, standard(true, Conviction::Locked1x, 100)).unwrap();
        // 3 delegates 200 at 2x to 2: it joins 2's standing aye at once.
        delegate(3, 2, Conviction::Locked2x, 200).unwrap();
        assert_eq!(
            tally(0),
            Tally {
                ayes: 100 + 400,
                nays: 0,
                support: 300
            }
        );
        assert_eq!(locked(3), 200, "delegated capital is locked");
        // 2's later nay carries it too.
        vote(2, 1, standard(false, Conviction::None, 50)).unwrap();
        assert_eq!(
            tally(1),
            Tally {
                ayes: 0,
                nays: 5 + 400,
                support: 0
            }
        );
        // Changing the vote moves the delegation with it.
        vote(2, 1, standard(true, Conviction::None, 50)).unwrap();
        assert_eq!(
            tally(1),
            Tally {
                ayes: 5 + 400,
                nays: 0,
                support: 250
            }
        );
        signed(Call::undelegate { class: CLASS }, 3).unwrap();
        let events = System::events_of::<Event>(11);
        assert!(
            events.contains(&Event::Delegated(acc(3), acc(2))),
            "{events:?}"
        );
        assert!(events.contains(&Event::Undelegated(acc(3))), "{events:?}");
        assert_eq!(
            tally(0),
            Tally {
                ayes: 100,
                nays: 0,
                support: 100
            }
        );
        assert_eq!(
            tally(1),
            Tally {
                ayes: 5,
                nays: 0,
                support: 50
            }
        );
        // The 2x delegation stays locked for 2 periods after it ended.
        let ended = System::block_number();
        unlock(3, CLASS).unwrap();
        assert_eq!(locked(3), 200);
        run_to(ended + 2 * PERIOD);
        unlock(3, CLASS).unwrap();
        assert_eq!(locked(3), 0);
    });
}

#[test]
fn delegations_ride_on_standard_votes_only_and_are_not_transitive() {
    test(|| {
        open(0, CLASS);
        delegate(3, 2, Conviction::Locked1x, 100).unwrap();
        delegate(2, 1, Conviction::Locked1x, 50).unwrap();
        // 1 votes: 2's 50 counts, 3's 100 (given to 2) does not reach 1.
        vote(1, 0, standard(true, Conviction::Locked1x, 10)).unwrap();
        assert_eq!(
            tally(0),
            Tally {
                ayes: 60,
                nays: 0,
                support: 60
            }
        );
        // A split vote carries no delegation.
        vote(1, 0, AccountVote::Split { aye: 10, nay: 10 }).unwrap();
        assert_eq!(
            tally(0),
            Tally {
                ayes: 1,
                nays: 1,
                support: 10
            }
        );
    });
}

#[test]
fn delegation_errors() {
    test(|| {
        open(0, CLASS);
        assert_eq!(delegate(1, 1, Conviction::None, 1), err(Error::Nonsense));
        assert_eq!(
            delegate(1, 2, Conviction::None, ENDOWMENT + 1),
            err(Error::InsufficientFunds)
        );
        assert_eq!(
            signed(Call::undelegate { class: CLASS }, 1),
            err(Error::NotDelegating)
        );
        vote(1, 0, standard(true, Conviction::None, 1)).unwrap();
        assert_eq!(
            delegate(1, 2, Conviction::None, 1),
            err(Error::AlreadyVoting)
        );
        delegate(3, 2, Conviction::None, 1).unwrap();
        assert_eq!(
            delegate(3, 4, Conviction::None, 1),
            err(Error::AlreadyDelegating)
        );
        assert_eq!(
            vote(3, 0, standard(true, Conviction::None, 1)),
            err(Error::AlreadyDelegating)
        );
        assert_eq!(remove(3, Some(CLASS), 0), err(Error::NotVoter));
    });
}

#[test]
fn attack_delegate_and_vote_with_the_same_balance() {
    test(|| {
        open(0, CLASS);
        vote(2, 0, standard(true, Conviction::Locked6x, 100)).unwrap();
        delegate(3, 2, Conviction::Locked6x, 900).unwrap();
        // 3 cannot also vote, nor move the delegated capital to vote from another account.
        assert_eq!(
            vote(3, 0, standard(true, Conviction::Locked6x, 900)),
            err(Error::AlreadyDelegating)
        );
        assert!(transfer(3, 4, 200).is_err());
        transfer(3, 4, 100).unwrap();
        vote(4, 0, standard(true, Conviction::Locked6x, 1_100)).unwrap();
        assert_eq!(tally(0).support, 100 + 900 + 1_100, "each token once");
        // Undelegating and delegating again does not count it twice.
        signed(Call::undelegate { class: CLASS }, 3).unwrap();
        delegate(3, 2, Conviction::Locked6x, 900).unwrap();
        assert_eq!(tally(0).support, 100 + 900 + 1_100);
    });
}
