//! The simulation's deterministic runtime: a logical clock with timers, and wakers that mark
//! an actor ready to be polled. No threads, no wall clock, no OS randomness: given the same
//! inputs, the same futures are polled in the same order and see the same time.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use futures::task::ArcWake;
use parking_lot::Mutex;

use crate::grandpa::{Clock, Delay};

#[derive(Default)]
struct ClockInner {
    now: u64,
    next_id: u64,
    timers: BTreeMap<(u64, u64), Option<Waker>>,
}

/// Logical time shared by every actor, advanced only by the simulation loop.
#[derive(Clone, Default)]
pub struct LogicalClock {
    inner: Arc<Mutex<ClockInner>>,
}

impl LogicalClock {
    /// The current logical time in milliseconds.
    pub fn now(&self) -> u64 {
        self.inner.lock().now
    }

    /// The earliest pending timer deadline.
    pub fn next_deadline(&self) -> Option<u64> {
        self.inner.lock().timers.keys().next().map(|(t, _)| *t)
    }

    /// Moves time forward to `t` and wakes every timer due by then.
    pub fn advance_to(&self, t: u64) {
        let wakers: Vec<Waker> = {
            let mut inner = self.inner.lock();
            if t > inner.now {
                inner.now = t;
            }
            let now = inner.now;
            let due: Vec<(u64, u64)> = inner
                .timers
                .range(..=(now, u64::MAX))
                .map(|(k, _)| *k)
                .collect();
            due.into_iter()
                .filter_map(|k| inner.timers.remove(&k).flatten())
                .collect()
        };
        for w in wakers {
            w.wake();
        }
    }

    /// A future resolving at `now + ms`.
    pub fn delay(&self, ms: u64) -> LogicalDelay {
        let mut inner = self.inner.lock();
        let id = inner.next_id;
        inner.next_id += 1;
        let deadline = inner.now.saturating_add(ms);
        inner.timers.insert((deadline, id), None);
        LogicalDelay {
            clock: self.inner.clone(),
            key: (deadline, id),
        }
    }
}

/// A timer of the logical clock.
pub struct LogicalDelay {
    clock: Arc<Mutex<ClockInner>>,
    key: (u64, u64),
}

impl Future for LogicalDelay {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut inner = self.clock.lock();
        if inner.now >= self.key.0 {
            inner.timers.remove(&self.key);
            return Poll::Ready(());
        }
        inner.timers.insert(self.key, Some(cx.waker().clone()));
        Poll::Pending
    }
}

impl Drop for LogicalDelay {
    fn drop(&mut self) {
        self.clock.lock().timers.remove(&self.key);
    }
}

/// One actor's view of the logical clock: shifted by a bounded offset (clock drift).
#[derive(Clone)]
pub struct NodeClock {
    /// The shared clock.
    pub clock: LogicalClock,
    /// This actor's offset in milliseconds (may be negative).
    pub offset_ms: i64,
}

impl NodeClock {
    /// This actor's idea of the current time.
    pub fn local_now(&self) -> u64 {
        (self.clock.now() as i64 + self.offset_ms).max(0) as u64
    }
}

impl Clock for NodeClock {
    fn now_ms(&self) -> u64 {
        self.local_now()
    }

    fn delay(&self, ms: u64) -> Delay {
        Box::pin(self.clock.delay(ms))
    }
}

/// The set of actors whose futures must be polled.
#[derive(Clone, Default)]
pub struct ReadySet(Arc<Mutex<BTreeSet<usize>>>);

impl ReadySet {
    /// Marks an actor ready.
    pub fn mark(&self, actor: usize) {
        self.0.lock().insert(actor);
    }

    /// Takes the lowest-numbered ready actor.
    pub fn pop(&self) -> Option<usize> {
        self.0.lock().pop_first()
    }
}

struct ActorWaker {
    actor: usize,
    ready: ReadySet,
}

impl ArcWake for ActorWaker {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        arc_self.ready.mark(arc_self.actor);
    }
}

/// The waker of actor `actor`: waking it marks the actor ready.
pub fn actor_waker(actor: usize, ready: &ReadySet) -> Waker {
    futures::task::waker(Arc::new(ActorWaker {
        actor,
        ready: ready.clone(),
    }))
}
