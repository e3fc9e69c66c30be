//! Unit tests of the scheduler: every call and error, dispatch with the stored origin,
//! priorities, repetition, full agendas that overflow, agendas heavier than a block that carry
//! over, and the attacks a signer would try (scheduling as root, flooding, self-rescheduling).
//! Every test ends with [`check_invariants`]: every name in `Lookup` points at its task and
//! every named task is in `Lookup`.

use crate::mock::*;
use crate::pallet::*;
use crate::types::*;
use crate::{weights, MAX_OVERFLOW_BLOCKS, MAX_SCHEDULED_PER_BLOCK};
use basalt_support::dispatch::Dispatchable;
use basalt_support::generic::Digest;
use basalt_support::hooks::Hooks;
use basalt_support::state::{empty_externalities, io};
use basalt_support::{AccountId, DispatchError, Origin, Weight, H256};
use codec::Encode;

type Scheduler = Pallet<Test>;
type System = pallet_system::Pallet<Test>;

fn test(f: impl FnOnce()) {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        System::initialize(1, H256::repeat_byte(1), &Digest::default());
        f();
        check_invariants();
    });
}

fn check_invariants() {
    for (id, (when, index)) in Lookup::iter() {
        let task = Agenda::get(when)
            .as_slice()
            .get(index as usize)
            .cloned()
            .flatten();
        assert_eq!(
            task.and_then(|t| t.maybe_id),
            Some(id),
            "lookup points at its task"
        );
    }
    for (_, agenda) in Agenda::iter() {
        for task in agenda.as_slice().iter().flatten() {
            if let Some(id) = task.maybe_id {
                assert!(Lookup::contains_key(id), "named task is in the lookup");
            }
        }
    }
}

/// Opens block `n`, running the scheduler's service; the weight it reported.
fn open(n: u32) -> Weight {
    System::finalize();
    System::initialize(n, H256::repeat_byte(n as u8), &Digest::default());
    Scheduler::on_initialize(n)
}

fn run_to(n: u32) {
    while System::block_number() < n {
        open(System::block_number() + 1);
    }
}

fn acc(n: u8) -> AccountId {
    AccountId::new([n; 32])
}

fn root(c: Call<Test>) -> Result<(), DispatchError> {
    io::with_transaction(|| Dispatchable::<Test>::dispatch(c, Origin::Root))
}

fn err(e: Error<Test>) -> Result<(), DispatchError> {
    Err(e.into())
}

fn schedule(when: u32, priority: u8, call: TestCall) -> Call<Test> {
    Call::schedule {
        when,
        maybe_periodic: None,
        priority,
        call: Box::new(call),
    }
}

fn named(id: u8, when: u32, call: TestCall) -> Call<Test> {
    Call::schedule_named {
        id: [id; 32],
        when,
        maybe_periodic: None,
        priority: 0,
        call: Box::new(call),
    }
}

fn events() -> Vec<Event> {
    System::events_of::<Event>(9)
}

fn logged() -> Vec<u32> {
    Logged::get().into_iter().map(|(n, _)| n).collect()
}

#[test]
fn a_scheduled_call_runs_at_its_block_as_root() {
    test(|| {
        assert_eq!(root(schedule(4, 0, TestCall::RootLog(7))), Ok(()));
        assert!(events().contains(&Event::Scheduled { when: 4, index: 0 }));
        run_to(3);
        assert!(logged().is_empty());
        run_to(4);
        assert_eq!(Logged::get(), vec![(7, Origin::Root)]);
        assert!(events().contains(&Event::Dispatched {
            task: (4, 0),
            id: None,
            result: Ok(())
        }));
        assert_eq!(Agenda::get(4).len(), 0, "a serviced agenda is removed");
    });
}

#[test]
fn only_root_schedules_and_cancels() {
    test(|| {
        let who = Origin::Signed(acc(1));
        for c in [
            schedule(4, 0, TestCall::Log(1)),
            Call::cancel { when: 4, index: 0 },
            named(1, 4, TestCall::Log(1)),
            Call::cancel_named { id: [1; 32] },
        ] {
            assert_eq!(
                Dispatchable::<Test>::dispatch(c, who.clone()),
                Err(DispatchError::BadOrigin)
            );
        }
        assert_eq!(Agenda::iter().count(), 0);
    });
}

#[test]
fn a_task_runs_with_the_origin_it_was_scheduled_with() {
    test(|| {
        let origin = Origin::Signed(acc(5));
        Scheduler::schedule_named_task([9; 32], 3, None, 0, origin.clone(), &TestCall::Log(1))
            .expect("scheduled");
        Scheduler::schedule_named_task([8; 32], 3, None, 1, origin, &TestCall::RootLog(2))
            .expect("scheduled");
        run_to(3);
        assert_eq!(Logged::get(), vec![(1, Origin::Signed(acc(5)))]);
        assert!(events().contains(&Event::Dispatched {
            task: (3, 1),
            id: Some([8; 32]),
            result: Err(DispatchError::BadOrigin)
        }));
    });
}

#[test]
fn the_target_block_must_be_in_the_future() {
    test(|| {
        run_to(5);
        assert_eq!(
            root(schedule(5, 0, TestCall::Log(1))),
            err(Error::TargetBlockNumberInPast)
        );
        assert_eq!(
            root(schedule(2, 0, TestCall::Log(1))),
            err(Error::TargetBlockNumberInPast)
        );
        // `after` counts from the next block.
        assert_eq!(
            root(Call::schedule_after {
                after: 0,
                maybe_periodic: None,
                priority: 0,
                call: Box::new(TestCall::Log(1)),
            }),
            Ok(())
        );
        assert!(events().contains(&Event::Scheduled { when: 6, index: 0 }));
        assert_eq!(
            root(Call::schedule_named_after {
                id: [1; 32],
                after: 3,
                maybe_periodic: None,
                priority: 0,
                call: Box::new(TestCall::Log(2)),
            }),
            Ok(())
        );
        assert_eq!(Lookup::get([1; 32]), Some((9, 0)));
        run_to(9);
        assert_eq!(logged(), vec![1, 2]);
    });
}

#[test]
fn cancel_by_address_and_by_name() {
    test(|| {
        assert_eq!(root(schedule(4, 0, TestCall::Log(1))), Ok(()));
        assert_eq!(root(named(2, 4, TestCall::Log(2))), Ok(()));
        assert_eq!(
            root(named(2, 5, TestCall::Log(3))),
            err(Error::FailedToSchedule)
        );
        assert_eq!(root(Call::cancel { when: 4, index: 0 }), Ok(()));
        assert!(events().contains(&Event::Canceled { when: 4, index: 0 }));
        assert_eq!(
            root(Call::cancel { when: 4, index: 0 }),
            err(Error::NotFound)
        );
        assert_eq!(
            root(Call::cancel { when: 4, index: 7 }),
            err(Error::NotFound)
        );
        assert_eq!(root(Call::cancel_named { id: [2; 32] }), Ok(()));
        assert_eq!(
            root(Call::cancel_named { id: [2; 32] }),
            err(Error::NotFound)
        );
        assert_eq!(Lookup::get([2; 32]), None);
        // The name is free again.
        assert_eq!(root(named(2, 5, TestCall::Log(3))), Ok(()));
        run_to(5);
        assert_eq!(logged(), vec![3]);
    });
}

#[test]
fn a_call_longer_than_the_limit_is_refused() {
    test(|| {
        let mut call = TestCall::Log(0);
        for _ in 0..(MAX_CALL_LEN as usize) {
            call = TestCall::Scheduler(Call::schedule {
                when: 9,
                maybe_periodic: None,
                priority: 0,
                call: Box::new(call),
            });
            if call.encoded_size() > MAX_CALL_LEN as usize {
                break;
            }
        }
        assert_eq!(root(schedule(4, 0, call)), err(Error::CallTooLarge));
    });
}

#[test]
fn tasks_run_in_priority_order_then_in_order_of_scheduling() {
    test(|| {
        assert_eq!(root(schedule(3, 5, TestCall::Log(1))), Ok(()));
        assert_eq!(root(schedule(3, 0, TestCall::Log(2))), Ok(()));
        assert_eq!(root(schedule(3, 5, TestCall::Log(3))), Ok(()));
        assert_eq!(root(schedule(3, 1, TestCall::Log(4))), Ok(()));
        run_to(3);
        assert_eq!(logged(), vec![2, 4, 1, 3]);
    });
}

#[test]
fn a_failing_task_is_undone_alone_and_reported() {
    test(|| {
        assert_eq!(root(schedule(3, 0, TestCall::LogThenFail(1))), Ok(()));
        assert_eq!(root(schedule(3, 1, TestCall::Log(2))), Ok(()));
        run_to(3);
        assert_eq!(logged(), vec![2]);
        // (`DispatchError::Other`'s message is not encoded.)
        assert!(events().iter().any(|e| matches!(
            e,
            Event::Dispatched {
                task: (3, 0),
                id: None,
                result: Err(DispatchError::Other(_))
            }
        )));
    });
}

#[test]
fn a_repeating_task_runs_its_total_number_of_times() {
    test(|| {
        assert_eq!(
            root(Call::schedule_named {
                id: [3; 32],
                when: 2,
                maybe_periodic: Some((3, 3)),
                priority: 0,
                call: Box::new(TestCall::Log(1)),
            }),
            Ok(())
        );
        run_to(20);
        assert_eq!(logged(), vec![1, 1, 1]);
        assert_eq!(
            Lookup::get([3; 32]),
            None,
            "the name is freed after the last run"
        );
        assert_eq!(Agenda::iter().count(), 0);
    });
}

#[test]
fn a_repeating_task_can_be_cancelled_by_name_between_runs() {
    test(|| {
        assert_eq!(
            root(Call::schedule_named {
                id: [3; 32],
                when: 2,
                maybe_periodic: Some((2, 10)),
                priority: 0,
                call: Box::new(TestCall::Log(1)),
            }),
            Ok(())
        );
        run_to(4);
        assert_eq!(Lookup::get([3; 32]), Some((6, 0)));
        assert_eq!(root(Call::cancel_named { id: [3; 32] }), Ok(()));
        run_to(20);
        assert_eq!(logged(), vec![1, 1]);
    });
}

#[test]
fn a_full_agenda_overflows_to_the_next_block_with_room() {
    test(|| {
        for n in 0..MAX_SCHEDULED_PER_BLOCK {
            assert_eq!(root(schedule(5, 0, TestCall::Log(n))), Ok(()));
        }
        assert_eq!(root(schedule(5, 0, TestCall::Log(999))), Ok(()));
        assert!(events().contains(&Event::Scheduled { when: 6, index: 0 }));
        // A freed slot is reused before overflowing.
        assert_eq!(root(Call::cancel { when: 5, index: 3 }), Ok(()));
        assert_eq!(root(schedule(5, 0, TestCall::Log(1000))), Ok(()));
        assert!(events().contains(&Event::Scheduled { when: 5, index: 3 }));
        // About eleven tasks fit in the mock's block: the agendas drain over several blocks.
        run_to(15);
        assert_eq!(logged().len() as u32, MAX_SCHEDULED_PER_BLOCK + 1);
        assert_eq!(logged().last(), Some(&999));
    });
}

#[test]
fn scheduling_fails_when_every_block_within_reach_is_full() {
    test(|| {
        for _ in 0..(MAX_OVERFLOW_BLOCKS + 1) * MAX_SCHEDULED_PER_BLOCK {
            assert_eq!(root(schedule(5, 0, TestCall::Log(0))), Ok(()));
        }
        assert_eq!(
            Agenda::get(5 + MAX_OVERFLOW_BLOCKS).len() as u32,
            MAX_SCHEDULED_PER_BLOCK
        );
        assert_eq!(
            root(schedule(5, 0, TestCall::Log(0))),
            err(Error::FailedToSchedule)
        );
    });
}

#[test]
fn an_agenda_heavier_than_the_limit_carries_over_and_never_exceeds_it() {
    test(|| {
        // Ten tasks of 300 us each: at most three fit in the 1 000 us a block allows.
        for n in 0..10 {
            assert_eq!(root(schedule(3, 0, TestCall::Heavy(n, 300))), Ok(()));
        }
        run_to(2);
        let mut per_block = vec![];
        for b in 3..=8 {
            let before = logged().len();
            let used = open(b);
            assert!(used.all_lte(MAX_WEIGHT), "block {b} used {used:?}");
            per_block.push(logged().len() - before);
        }
        assert_eq!(per_block.iter().sum::<usize>(), 10);
        assert!(per_block.iter().all(|n| *n <= 3), "{per_block:?}");
        assert_eq!(
            logged(),
            (0..10).collect::<Vec<_>>(),
            "in order, none twice"
        );
        assert_eq!(IncompleteSince::get(), None);
        assert_eq!(Agenda::get(3).len(), 0);
    });
}

#[test]
fn an_incomplete_agenda_is_reported_and_later_agendas_wait_for_it() {
    test(|| {
        for n in 0..4 {
            assert_eq!(root(schedule(3, 0, TestCall::Heavy(n, 400))), Ok(()));
        }
        assert_eq!(root(schedule(4, 0, TestCall::Log(100))), Ok(()));
        run_to(3);
        assert!(events().contains(&Event::AgendaIncomplete { when: 3 }));
        assert_eq!(IncompleteSince::get(), Some(3));
        run_to(4);
        assert_eq!(logged(), vec![0, 1, 2, 3], "block 3's tasks first");
        run_to(5);
        assert_eq!(logged(), vec![0, 1, 2, 3, 100]);
        assert_eq!(IncompleteSince::get(), None);
    });
}

#[test]
fn a_task_heavier_than_the_limit_is_dropped_as_permanently_overweight() {
    test(|| {
        assert_eq!(root(named(4, 3, TestCall::Heavy(1, 2_000))), Ok(()));
        assert_eq!(root(schedule(3, 1, TestCall::Log(2))), Ok(()));
        run_to(3);
        assert!(events().contains(&Event::PermanentlyOverweight {
            task: (3, 0),
            id: Some([4; 32])
        }));
        assert_eq!(logged(), vec![2]);
        assert_eq!(Lookup::get([4; 32]), None);
    });
}

#[test]
fn a_call_that_no_longer_decodes_is_reported_and_dropped() {
    test(|| {
        assert_eq!(root(named(5, 3, TestCall::Log(1))), Ok(()));
        // As after a runtime upgrade that removed the call: bytes no call decodes from.
        Agenda::mutate(3, |a| {
            if let Some(Some(task)) = a.as_mut_slice().get_mut(0) {
                task.call = EncodedCall::new(vec![0xff, 0x00]).expect("short");
            }
        });
        run_to(3);
        assert!(events().contains(&Event::CallUnavailable {
            task: (3, 0),
            id: Some([5; 32])
        }));
        assert!(logged().is_empty());
        assert_eq!(Lookup::get([5; 32]), None);
    });
}

#[test]
fn a_task_may_cancel_a_later_task_of_its_own_block() {
    test(|| {
        assert_eq!(
            root(schedule(
                3,
                0,
                TestCall::Scheduler(Call::cancel_named { id: [6; 32] })
            )),
            Ok(())
        );
        assert_eq!(
            root(Call::schedule_named {
                id: [6; 32],
                when: 3,
                maybe_periodic: None,
                priority: 9,
                call: Box::new(TestCall::Log(1)),
            }),
            Ok(())
        );
        run_to(3);
        assert!(logged().is_empty(), "the cancelled task did not run");
        assert_eq!(Agenda::get(3).len(), 0);
    });
}

#[test]
fn attack_signed_account_cannot_schedule_as_root_through_a_task() {
    test(|| {
        // A task with a signed origin that tries to schedule a root call is refused.
        let inner = TestCall::Scheduler(schedule(9, 0, TestCall::RootLog(1)));
        Scheduler::schedule_named_task([1; 32], 3, None, 0, Origin::Signed(acc(1)), &inner)
            .expect("scheduled");
        run_to(10);
        assert!(logged().is_empty());
        assert!(
            events().is_empty()
                || !events()
                    .iter()
                    .any(|e| matches!(e, Event::Scheduled { when: 9, .. }))
        );
        assert_eq!(Agenda::iter().count(), 0);
    });
}

#[test]
fn attack_a_task_that_reschedules_itself_every_block_is_bounded_by_weight() {
    test(|| {
        // Root's mistake or a malicious proposal: a task repeating every block as often as
        // possible, beside a flood of heavy tasks. Each block's service stays within the limit.
        assert_eq!(
            root(Call::schedule {
                when: 2,
                maybe_periodic: Some((1, u32::MAX)),
                priority: 0,
                call: Box::new(TestCall::Heavy(0, 100)),
            }),
            Ok(())
        );
        for n in 1..40 {
            assert_eq!(root(schedule(2, 1, TestCall::Heavy(n, 250))), Ok(()));
        }
        for b in 2..30 {
            assert!(open(b).all_lte(MAX_WEIGHT));
        }
        assert!(logged().len() > 28, "the repeating task ran every block");
    });
}

#[test]
fn weights_grow_with_the_call() {
    let small = weights::schedule(10);
    let large = weights::schedule(4_000);
    assert!(large.ref_time > small.ref_time && large.proof_size > small.proof_size);
    assert!(weights::schedule_named(10).ref_time > small.ref_time);
    let info = Dispatchable::<Test>::dispatch_info(&schedule(3, 0, TestCall::Log(1)));
    assert!(info.weight.ref_time > 0);
}
