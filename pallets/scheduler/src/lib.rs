//! # Scheduler pallet: calls dispatched at a future block
//!
//! As Substrate's pallet-scheduler (its call names, argument order and call and event
//! indices): root schedules a call for a block, with the origin it will be dispatched with,
//! optionally by name, optionally repeating; passed referenda are enacted through it.
//!
//! ## Rules
//! - A task is a call (SCALE-encoded, at most [`MAX_CALL_LEN`] bytes), an origin, a priority
//!   and an optional repetition. Only root may schedule or cancel through calls; other pallets
//!   schedule with any origin through [`Pallet::schedule_named_task`].
//! - Each block's agenda holds at most [`MAX_SCHEDULED_PER_BLOCK`] tasks. A task for a full
//!   block goes to the next block with room, up to [`MAX_OVERFLOW_BLOCKS`] later (its
//!   `Scheduled` event says where); beyond that scheduling fails (`FailedToSchedule`).
//! - At the start of each block, due tasks run in priority order (then in order of
//!   scheduling), each in its own storage transaction, while their weight fits in
//!   `MaximumWeight`; what does not fit stays for the next block (`AgendaIncomplete`), so the
//!   scheduler never takes more than `MaximumWeight` of a block. A task heavier than
//!   `MaximumWeight` on its own could never run: it is dropped (`PermanentlyOverweight`).
//!   At most [`MAX_AGENDAS_PER_BLOCK`] agendas are examined per block, however far behind.
//! - Every task's outcome is an event: `Dispatched` with the call's result, or
//!   `CallUnavailable` for a call that no longer decodes (after a runtime upgrade).
//!
//! Differences from pallet-scheduler, and why: calls are stored inline only (bounded), not
//! by preimage: the referenda fetch a proposal's preimage when they schedule its enactment,
//! so a task never waits on one; there are no retries; a full agenda overflows to the next
//! block instead of failing.

pub use pallet::*;
pub use types::*;

pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// The most tasks one block's agenda holds.
pub const MAX_SCHEDULED_PER_BLOCK: u32 = 50;

/// How many blocks past a full agenda a new task may be placed.
pub const MAX_OVERFLOW_BLOCKS: u32 = 16;

/// The most agendas one block examines (when the scheduler is behind).
pub const MAX_AGENDAS_PER_BLOCK: u32 = 50;

/// The pallet: configuration, storage, events, errors, calls and hooks.
pub mod pallet {
    use super::*;
    use basalt_support::dispatch::{ArithmeticError, Dispatchable};
    use basalt_support::generic::MAX_CALL_DEPTH;
    use basalt_support::hooks::Hooks;
    use basalt_support::metadata::{constant, DescribePallet, PalletDescription};
    use basalt_support::state::io;
    use basalt_support::storage::{OptionQuery, Twox64Concat, ValueQuery};
    use basalt_support::{BlockNumber, BoundedVec, DispatchError, DispatchResult, Origin, Weight};
    use codec::{Decode, DecodeLimit, Encode};
    use core::marker::PhantomData;
    use scale_info::{meta_type, TypeInfo};

    type System<T> = pallet_system::Pallet<T>;

    /// One block's agenda: slots freed by cancelled or serviced tasks are reused.
    pub type AgendaOf = BoundedVec<Option<Task>, MAX_SCHEDULED_PER_BLOCK>;

    /// A scheduled task, with the origin it is dispatched with.
    pub type Task = Scheduled<Origin>;

    /// What the runtime tells the scheduler.
    pub trait Config: pallet_system::Config + Sized {
        /// This pallet's index in the runtime; its events and errors carry it.
        const INDEX: u8;
        /// The runtime's outer call enum: what tasks dispatch.
        type RuntimeCall: basalt_support::dispatch::OuterCall<Self>;
        /// The most weight the scheduler's service may take in one block (its own bookkeeping
        /// included): below the block's limit, so that transactions keep room.
        const MAXIMUM_WEIGHT: Weight;
    }

    /// The scheduler's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "Scheduler";
        /// The first block whose agenda is not yet fully serviced, when one is behind.
        pub IncompleteSince: StorageValue<BlockNumber, OptionQuery>;
        /// Each block's tasks.
        pub Agenda: StorageMap<Twox64Concat, BlockNumber, AgendaOf, ValueQuery>;
        /// Where each named task sits.
        pub Lookup: StorageMap<Twox64Concat, TaskName, TaskAddress, OptionQuery>;
    }

    /// Events of the scheduler, at pallet-scheduler's indices.
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// A task was scheduled.
        #[codec(index = 0)]
        Scheduled {
            /// Its block (later than asked when that block's agenda was full).
            when: BlockNumber,
            /// Its index in that block's agenda.
            index: u32,
        },
        /// A task was cancelled.
        #[codec(index = 1)]
        Canceled {
            /// Its block.
            when: BlockNumber,
            /// Its index.
            index: u32,
        },
        /// A task was dispatched.
        #[codec(index = 2)]
        Dispatched {
            /// Where it was.
            task: TaskAddress,
            /// Its name.
            id: Option<TaskName>,
            /// The call's outcome.
            result: DispatchResult,
        },
        /// A task's call could not be decoded; the task was dropped.
        #[codec(index = 5)]
        CallUnavailable {
            /// Where it was.
            task: TaskAddress,
            /// Its name.
            id: Option<TaskName>,
        },
        /// A repeating task could not be placed again; it will not repeat.
        #[codec(index = 6)]
        PeriodicFailed {
            /// Where it was.
            task: TaskAddress,
            /// Its name.
            id: Option<TaskName>,
        },
        /// A task needs more weight than the scheduler ever has; it was dropped.
        #[codec(index = 8)]
        PermanentlyOverweight {
            /// Where it was.
            task: TaskAddress,
            /// Its name.
            id: Option<TaskName>,
        },
        /// A block's agenda did not fit in this block; the rest runs in the next.
        #[codec(index = 9)]
        AgendaIncomplete {
            /// The block whose agenda is incomplete.
            when: BlockNumber,
        },
    }

    basalt_support::pallet_error! {
        /// Errors of the scheduler, with pallet-scheduler's names.
        pub enum Error<T: Config> {
            /// No block within reach had room, or the name is taken.
            FailedToSchedule,
            /// No task is there, or by that name.
            NotFound,
            /// The block is not in the future.
            TargetBlockNumberInPast,
            /// The encoded call is longer than `MAX_CALL_LEN`.
            CallTooLarge,
        }
    }

    /// Calls of the scheduler, at pallet-scheduler's indices. Root only.
    #[basalt_support::call]
    impl<T: Config> Pallet<T> {
        /// Schedule `call`, dispatched as root at block `when`, repeating as `maybe_periodic`
        /// says (every `.0` blocks, `.1` times in all).
        #[pallet::call_index(0)]
        #[pallet::weight(weights::schedule(call.encoded_size()))]
        pub fn schedule(
            origin: Origin,
            /// The block.
            when: BlockNumber,
            /// The repetition: (period, total runs).
            maybe_periodic: Option<Period>,
            /// The priority (0 first).
            priority: Priority,
            /// The call.
            call: Box<<T as Config>::RuntimeCall>,
        ) -> DispatchResult {
            origin.ensure_root()?;
            let when = Self::at(when)?;
            Self::do_schedule(None, when, maybe_periodic, priority, Origin::Root, &call).map(|_| ())
        }

        /// Cancel the task at `(when, index)`.
        #[pallet::call_index(1)]
        #[pallet::weight(weights::cancel())]
        pub fn cancel(
            origin: Origin,
            /// Its block.
            when: BlockNumber,
            /// Its index.
            index: u32,
        ) -> DispatchResult {
            origin.ensure_root()?;
            Self::do_cancel((when, index))
        }

        /// As `schedule`, under the name `id` (which must be free).
        #[pallet::call_index(2)]
        #[pallet::weight(weights::schedule_named(call.encoded_size()))]
        pub fn schedule_named(
            origin: Origin,
            /// The name.
            id: TaskName,
            /// The block.
            when: BlockNumber,
            /// The repetition: (period, total runs).
            maybe_periodic: Option<Period>,
            /// The priority (0 first).
            priority: Priority,
            /// The call.
            call: Box<<T as Config>::RuntimeCall>,
        ) -> DispatchResult {
            origin.ensure_root()?;
            let when = Self::at(when)?;
            Self::schedule_named_task(id, when, maybe_periodic, priority, Origin::Root, &call)
                .map(|_| ())
        }

        /// Cancel the task named `id`.
        #[pallet::call_index(3)]
        #[pallet::weight(weights::cancel_named())]
        pub fn cancel_named(
            origin: Origin,
            /// The name.
            id: TaskName,
        ) -> DispatchResult {
            origin.ensure_root()?;
            Self::cancel_named_task(id)
        }

        /// As `schedule`, `after` blocks after the next.
        #[pallet::call_index(4)]
        #[pallet::weight(weights::schedule(call.encoded_size()))]
        pub fn schedule_after(
            origin: Origin,
            /// Blocks after the next.
            after: BlockNumber,
            /// The repetition: (period, total runs).
            maybe_periodic: Option<Period>,
            /// The priority (0 first).
            priority: Priority,
            /// The call.
            call: Box<<T as Config>::RuntimeCall>,
        ) -> DispatchResult {
            origin.ensure_root()?;
            let when = Self::after(after);
            Self::do_schedule(None, when, maybe_periodic, priority, Origin::Root, &call).map(|_| ())
        }

        /// As `schedule_named`, `after` blocks after the next.
        #[pallet::call_index(5)]
        #[pallet::weight(weights::schedule_named(call.encoded_size()))]
        pub fn schedule_named_after(
            origin: Origin,
            /// The name.
            id: TaskName,
            /// Blocks after the next.
            after: BlockNumber,
            /// The repetition: (period, total runs).
            maybe_periodic: Option<Period>,
            /// The priority (0 first).
            priority: Priority,
            /// The call.
            call: Box<<T as Config>::RuntimeCall>,
        ) -> DispatchResult {
            origin.ensure_root()?;
            let when = Self::after(after);
            Self::schedule_named_task(id, when, maybe_periodic, priority, Origin::Root, &call)
                .map(|_| ())
        }
    }

    impl<T: Config> Pallet<T> {
        /// Schedules `call` under the name `id` for block `when` (which must be in the
        /// future), dispatched with `origin`: how other pallets (Referenda) enact. Fails with
        /// `FailedToSchedule` when the name is taken.
        pub fn schedule_named_task(
            id: TaskName,
            when: BlockNumber,
            maybe_periodic: Option<Period>,
            priority: Priority,
            origin: Origin,
            call: &<T as Config>::RuntimeCall,
        ) -> Result<TaskAddress, DispatchError> {
            if Lookup::contains_key(id) {
                return Err(Error::<T>::FailedToSchedule.into());
            }
            let address =
                Self::do_schedule(Some(id), when, maybe_periodic, priority, origin, call)?;
            Lookup::insert(id, address);
            Ok(address)
        }

        /// Cancels the task named `id`.
        pub fn cancel_named_task(id: TaskName) -> DispatchResult {
            let address = Lookup::get(id).ok_or(Error::<T>::NotFound)?;
            Self::do_cancel(address)
        }

        /// `when`, if it is in the future.
        fn at(when: BlockNumber) -> Result<BlockNumber, DispatchError> {
            if when <= System::<T>::block_number() {
                return Err(Error::<T>::TargetBlockNumberInPast.into());
            }
            Ok(when)
        }

        /// `after` blocks after the next block (this block's agenda has already run).
        fn after(after: BlockNumber) -> BlockNumber {
            System::<T>::block_number()
                .saturating_add(after)
                .saturating_add(1)
        }

        fn do_schedule(
            maybe_id: Option<TaskName>,
            when: BlockNumber,
            maybe_periodic: Option<Period>,
            priority: Priority,
            origin: Origin,
            call: &<T as Config>::RuntimeCall,
        ) -> Result<TaskAddress, DispatchError> {
            let call = EncodedCall::new(call.encode()).ok_or(Error::<T>::CallTooLarge)?;
            // As pallet-scheduler: the caller gives the total number of runs; the task keeps
            // the number left after its first.
            let maybe_periodic = maybe_periodic
                .filter(|(period, count)| *period > 0 && *count > 1)
                .map(|(period, count)| (period, count - 1));
            let task = Task {
                maybe_id,
                priority,
                call,
                maybe_periodic,
                origin,
            };
            Self::place(when, task)
        }

        /// Puts `task` in the first agenda with room from `when` on (at most
        /// `MAX_OVERFLOW_BLOCKS` later), reusing a freed slot first.
        fn place(when: BlockNumber, task: Task) -> Result<TaskAddress, DispatchError> {
            for offset in 0..=MAX_OVERFLOW_BLOCKS {
                let block = when
                    .checked_add(offset)
                    .ok_or(DispatchError::Arithmetic(ArithmeticError::Overflow))?;
                let mut agenda = Agenda::get(block);
                let index = match agenda.as_slice().iter().position(Option::is_none) {
                    Some(hole) => {
                        agenda.as_mut_slice()[hole] = Some(task);
                        hole
                    }
                    None => {
                        let len = agenda.len();
                        if agenda.try_push(Some(task.clone())).is_err() {
                            continue;
                        }
                        len
                    }
                };
                Agenda::insert(block, agenda);
                let index = index as u32;
                Self::deposit_event(Event::Scheduled { when: block, index });
                return Ok((block, index));
            }
            Err(Error::<T>::FailedToSchedule.into())
        }

        fn do_cancel((when, index): TaskAddress) -> DispatchResult {
            let task = Self::take(when, index).ok_or(Error::<T>::NotFound)?;
            if let Some(id) = task.maybe_id {
                Lookup::remove(id);
            }
            Self::deposit_event(Event::Canceled { when, index });
            Ok(())
        }

        /// Removes the task at `(when, index)` from its agenda (dropping the agenda when it is
        /// left empty).
        fn take(when: BlockNumber, index: u32) -> Option<Task> {
            let mut agenda = Agenda::get(when);
            let task = agenda.as_mut_slice().get_mut(index as usize)?.take()?;
            if agenda.as_slice().iter().all(Option::is_none) {
                Agenda::remove(when);
            } else {
                Agenda::insert(when, agenda);
            }
            Some(task)
        }

        /// Runs due agendas, oldest first, within `MaximumWeight`; returns the weight used.
        fn service_agendas(now: BlockNumber) -> Weight {
            let limit = T::MAXIMUM_WEIGHT;
            let mut used = weights::service_base();
            let mut when = IncompleteSince::take().unwrap_or(now);
            let mut examined = 0;
            while when <= now {
                if examined == MAX_AGENDAS_PER_BLOCK {
                    IncompleteSince::put(when);
                    break;
                }
                examined += 1;
                used = used.saturating_add(weights::agenda());
                if !Self::service_agenda(when, &mut used, limit) {
                    IncompleteSince::put(when);
                    Self::deposit_event(Event::AgendaIncomplete { when });
                    break;
                }
                when = when.saturating_add(1);
            }
            used
        }

        /// Runs block `when`'s tasks in priority order while they fit; `false` when some did
        /// not (they stay in the agenda).
        fn service_agenda(when: BlockNumber, used: &mut Weight, limit: Weight) -> bool {
            let mut order: Vec<(Priority, u32)> = Agenda::get(when)
                .as_slice()
                .iter()
                .enumerate()
                .filter_map(|(i, t)| t.as_ref().map(|t| (t.priority, i as u32)))
                .collect();
            order.sort_unstable();
            // What a task may use at most: the limit less the fixed costs of one block.
            let ceiling = limit
                .saturating_sub(weights::service_base())
                .saturating_sub(weights::agenda());
            for (_, index) in order {
                // Re-read: an earlier task may have cancelled this one.
                let Some(task) = Agenda::get(when)
                    .as_slice()
                    .get(index as usize)
                    .cloned()
                    .flatten()
                else {
                    continue;
                };
                let address = (when, index);
                let Ok(call) = <T as Config>::RuntimeCall::decode_all_with_depth_limit(
                    MAX_CALL_DEPTH,
                    &mut &task.call[..],
                ) else {
                    Self::drop_task(address, &task);
                    *used = used.saturating_add(weights::task(task.call.len()));
                    Self::deposit_event(Event::CallUnavailable {
                        task: address,
                        id: task.maybe_id,
                    });
                    continue;
                };
                let info = call.dispatch_info();
                let needed = weights::task(task.call.len()).saturating_add(info.weight);
                if needed.any_gt(ceiling) {
                    Self::drop_task(address, &task);
                    Self::deposit_event(Event::PermanentlyOverweight {
                        task: address,
                        id: task.maybe_id,
                    });
                    continue;
                }
                if used.saturating_add(needed).any_gt(limit) {
                    return false;
                }
                Self::drop_task(address, &task);
                let (result, actual) = match io::with_transaction(|| {
                    call.dispatch_with_post_info(task.origin.clone())
                }) {
                    Ok(post) => (Ok(()), post.calc_actual_weight(&info)),
                    Err(e) => (Err(e.error), e.post_info.calc_actual_weight(&info)),
                };
                *used = used
                    .saturating_add(weights::task(task.call.len()))
                    .saturating_add(actual);
                Self::deposit_event(Event::Dispatched {
                    task: address,
                    id: task.maybe_id,
                    result,
                });
                Self::repeat(address, task);
            }
            true
        }

        /// Removes a task being serviced from its agenda and its name from the lookup.
        fn drop_task((when, index): TaskAddress, task: &Task) {
            Self::take(when, index);
            if let Some(id) = task.maybe_id {
                Lookup::remove(id);
            }
        }

        /// Places a repeating task again, a period after the block it ran in.
        fn repeat(address: TaskAddress, mut task: Task) {
            let Some((period, left)) = task.maybe_periodic else {
                return;
            };
            task.maybe_periodic = (left > 1).then(|| (period, left - 1));
            let id = task.maybe_id;
            let wake = System::<T>::block_number().saturating_add(period);
            match Self::place(wake, task) {
                Ok(new_address) => {
                    if let Some(id) = id {
                        Lookup::insert(id, new_address);
                    }
                }
                Err(_) => Self::deposit_event(Event::PeriodicFailed { task: address, id }),
            }
        }

        fn deposit_event(event: Event) {
            System::<T>::deposit_event_of(<T as Config>::INDEX, &event)
        }
    }

    impl<T: Config> Hooks for Pallet<T> {
        /// Runs the due tasks within `MaximumWeight`.
        fn on_initialize(n: BlockNumber) -> Weight {
            Self::service_agendas(n)
        }
    }

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "Scheduler",
                storage: Some(storage_metadata()),
                calls: Some(meta_type::<Call<T>>()),
                event: Some(meta_type::<Event>()),
                error: Some(meta_type::<Error<T>>()),
                constants: vec![
                    constant("MaximumWeight", T::MAXIMUM_WEIGHT, &[" The most weight the scheduler takes in one block."]),
                    constant("MaxScheduledPerBlock", MAX_SCHEDULED_PER_BLOCK, &[" The most tasks one block's agenda holds."]),
                ],
                docs: vec![
                    " Calls dispatched at a future block with a stored origin: named tasks, repetition,",
                    " bounded agendas that overflow to later blocks, weight-limited service.",
                ],
            }
        }
    }
}
