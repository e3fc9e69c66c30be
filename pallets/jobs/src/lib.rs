//! # Jobs pallet: compute settlement
//!
//! A client locks payment for a compute job in escrow; the chain assigns staked compute
//! providers at random, weighted by stake; each provider commits to the hash of its result and
//! then reveals it; agreeing results settle the job; wrong, withheld or missing results are
//! slashed; the client may dispute. docs/JOBS.md draws the lifecycle and explains every
//! parameter; docs/KERNELS.md specifies the built-in kernels.
//!
//! ## Lifecycle
//! ```text
//! submit_job ─► Pending ─(hook, later block's randomness)─► Assigned ─(all commit | window)─►
//! Committed ─(all reveal | window)─► evaluate:
//!   redundant (replicas >= 2): majority ─► Completed   | no majority ─► Escalated ─► evaluate
//!   optimistic (replicas = 1): spot check drawn with probability p ─► SpotCheck ─► evaluate
//!                              otherwise Revealed ─(challenge window)─► Completed
//!                                        └─ dispute(job) ─► Disputed ─► evaluate
//! Pending past its timeout ─► Expired; cancel_job while Pending ─► Refunded(Cancelled);
//! no majority with the most providers ─► Refunded(NoMajority).
//! ```
//!
//! ## Rules
//! - Every transition after submission is made by the chain in `on_initialize`, from a queue
//!   keyed by deadline block with bounded work per block ([`queue`]); never by a provider or
//!   the client, so no one can stall or time a settlement.
//! - Assignment draws distinct eligible providers without replacement, with probability
//!   proportional to stake ([`sampling`]), using randomness from a block after the one that
//!   fixed what is being drawn for (the submission, or the reveal).
//! - `commitment = blake2_256(result_hash ++ provider ++ salt)` binds a provider to its result
//!   before anyone reveals, so results cannot be copied; reveals open once every assigned
//!   provider has committed or the commit window has closed.
//! - Money ([`settlement`]): each agreeing execution is paid `price`; the protocol fee is split
//!   between the treasury and burn; unused escrow returns to the client. A wrong or withheld
//!   result is slashed `CHEAT_SLASH_MULTIPLE` x price from the provider's bond (through
//!   staking's provider seam), which pays the re-executions it caused, then
//!   `EXPOSER_SHARE` of the rest to the providers that exposed it and the remainder to the
//!   treasury. A missed commit costs `LIVENESS_SLASH_MULTIPLE` x price; declining an
//!   assignment before committing (`decline_job`) costs `DECLINE_SLASH_MULTIPLE` x price and
//!   replaces the provider at once. `JAIL_AFTER` offences (declines not counted) jail a
//!   provider until it registers again.
//!
//! Value is conserved: every balance moved here is a hold, a transfer of held funds, a slash
//! that is paid on in the same block, or the protocol fee's burn.

pub use pallet::*;
pub use types::*;

pub mod queue;
pub mod sampling;
pub mod settlement;
pub mod types;
pub mod weights;

#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

/// The pallet: configuration, storage, events, errors, calls, hooks and the runtime API.
pub mod pallet {
    use super::*;
    use basalt_support::hooks::Hooks;
    use basalt_support::metadata::{constant, DescribePallet, PalletDescription};
    use basalt_support::models::{ModelId, ModelRegistry};
    use basalt_support::primitives::hashing::blake2_256;
    use basalt_support::randomness::Randomness;
    use basalt_support::state::io::with_transaction;
    use basalt_support::storage::{Blake2_128Concat, OptionQuery, Twox64Concat, ValueQuery};
    use basalt_support::{
        ensure, AccountId, Balance, BlockNumber, BoundedVec, DispatchResult, Origin, PalletId,
        Perbill, Weight, H256,
    };
    use codec::{Decode, Encode};
    use core::marker::PhantomData;
    use pallet_balances::HoldReason;
    use scale_info::{meta_type, TypeInfo};

    pub(crate) type System<T> = pallet_system::Pallet<T>;
    pub(crate) type Balances<T> = pallet_balances::Pallet<T>;
    pub(crate) type Staking<T> = pallet_staking::Pallet<T>;

    /// The hold on a client's balance for its jobs' escrow (prices, fees, dispute bonds).
    pub const ESCROW_HOLD: HoldReason = *b"jobs/esc";
    /// The hold on a program owner's balance for its registration deposit.
    pub const PROGRAM_HOLD: HoldReason = *b"jobs/prg";
    /// Entries one deadline block holds; later entries go to the next block with room.
    pub const BUCKET_SIZE: u32 = 128;
    /// Active jobs one provider may be assigned to at once (also bounded by the runtime's
    /// `MAX_JOBS_PER_PROVIDER`).
    pub const MAX_PROVIDER_JOBS: u32 = 64;

    /// What the runtime tells the Jobs pallet. docs/JOBS.md says how the defaults were chosen.
    pub trait Config: pallet_staking::Config {
        /// This pallet's index in the runtime; its errors carry it.
        const INDEX: u8;
        /// The pallet's account: it holds slashed funds until they pay re-executions, and the
        /// pool of unused verification fees that pays spot checks.
        const PALLET_ID: PalletId;
        /// Randomness no block author can choose (the authors' VRF outputs).
        type Randomness: Randomness;
        /// The model NFTs programs may name, and whose owners their jobs pay.
        type Models: ModelRegistry;
        /// The deposit `register_program` holds from its caller, against storage squatting.
        const PROGRAM_DEPOSIT: Balance;
        /// The least price per replica (against dust jobs that cost the chain more than they
        /// pay).
        const MIN_PRICE: Balance;
        /// The most replicas a client may ask for.
        const MAX_REPLICAS: u8;
        /// The longest a job may wait for assignment, in blocks.
        const MAX_TIMEOUT: BlockNumber;
        /// The most jobs that are not settled yet; bounds the deadline queue.
        const MAX_LIVE_JOBS: u32;
        /// The protocol fee, as a fraction of price x replicas.
        const PROTOCOL_FEE: Perbill;
        /// The treasury's share of the protocol fee; the rest is burned.
        const FEE_TREASURY_SHARE: Perbill;
        /// The probability that an optimistic job is spot-checked.
        const SPOT_CHECK_PROBABILITY: Perbill;
        /// Blocks assigned providers have to commit.
        const COMMIT_WINDOW: BlockNumber;
        /// Blocks committed providers have to reveal.
        const REVEAL_WINDOW: BlockNumber;
        /// Blocks a client has to dispute an unchecked optimistic result.
        const CHALLENGE_WINDOW: BlockNumber;
        /// Blocks between assignment attempts while too few providers are eligible.
        const ASSIGN_RETRY: BlockNumber;
        /// A wrong or withheld result costs this many times the price; a provider needs this
        /// much stake to be assigned, so that the slash can be collected.
        const CHEAT_SLASH_MULTIPLE: u32;
        /// A missed commit costs this many times the price.
        const LIVENESS_SLASH_MULTIPLE: u32;
        /// Declining an assignment (`decline_job`) costs this many times the price: less
        /// than a missed commit, so that a provider that cannot run a job says so at once.
        const DECLINE_SLASH_MULTIPLE: u32;
        /// The share of a cheater's slash, after the re-executions it caused are paid, that
        /// goes to the providers whose results exposed it; the rest goes to the treasury.
        const EXPOSER_SHARE: Perbill;
        /// Fresh providers a dispute assigns; the client's bond is this many times the price.
        const DISPUTE_REPLICAS: u8;
        /// Providers added per escalation.
        const ESCALATION_STEP: u8;
        /// Jobs one provider may be assigned to at once (at most [`MAX_PROVIDER_JOBS`]).
        const MAX_JOBS_PER_PROVIDER: u32;
        /// Offences after which a provider is jailed.
        const JAIL_AFTER: u32;
        /// Deadline entries processed per block at most (bounds `on_initialize`).
        const MAX_DEADLINES_PER_BLOCK: u32;
    }

    /// The Jobs pallet's functions.
    pub struct Pallet<T>(PhantomData<T>);

    basalt_support::storage! {
        pallet = "Jobs";
        /// What can be run, by id.
        pub Programs: StorageMap<Twox64Concat, ProgramId, Program, OptionQuery>;
        /// The id the next registered program gets.
        pub NextProgramId: StorageValue<ProgramId, ValueQuery>;
        /// Every job, settled or not, by id.
        pub Jobs: StorageMap<Twox64Concat, JobId, Job, OptionQuery>;
        /// The inline input of each job that is not settled yet (removed at settlement).
        pub JobInputs: StorageMap<Twox64Concat, JobId, BoundedVec<u8, MAX_INPUT_LEN>, OptionQuery>;
        /// The id the next submitted job gets.
        pub NextJobId: StorageValue<JobId, ValueQuery>;
        /// How many jobs are not settled yet.
        pub LiveJobs: StorageValue<u32, ValueQuery>;
        /// Jobs the chain acts on at each block (their deadline).
        pub Deadlines: StorageMap<Twox64Concat, BlockNumber, BoundedVec<JobId, BUCKET_SIZE>, ValueQuery>;
        /// The first deadline block not fully processed yet.
        pub DeadlineCursor: StorageValue<BlockNumber, ValueQuery>;
        /// For a bucket found full: a later block to try next (every bucket in between was
        /// full when it was written), so scheduling skips runs of full buckets.
        pub NextWithRoom: StorageMap<Twox64Concat, BlockNumber, BlockNumber, OptionQuery>;
        /// Each provider's record: jobs done, offences, slashed, earned, jail.
        pub ProviderRecords: StorageMap<Blake2_128Concat, AccountId, ProviderRecord, ValueQuery>;
        /// The unsettled jobs each provider is assigned to (what its worker acts on).
        pub ProviderJobs: StorageMap<Blake2_128Concat, AccountId, BoundedVec<JobId, MAX_PROVIDER_JOBS>, ValueQuery>;
        /// Unused verification fees, in the pallet's account: pays spot checks.
        pub VerificationPool: StorageValue<Balance, ValueQuery>;
        /// Each provider's place in the sampling tree and the weight (stake) it has there.
        pub SamplingSlots: StorageMap<Blake2_128Concat, AccountId, (u32, Balance), OptionQuery>;
        /// The provider in each sampling slot.
        pub SlotOwners: StorageMap<Twox64Concat, u32, AccountId, OptionQuery>;
        /// The sampling tree: a Fenwick tree of provider weights over slots `1..=MAX_PROVIDERS`.
        pub SamplingTree: StorageMap<Twox64Concat, u32, Balance, ValueQuery>;
        /// The sum of all provider weights in the tree.
        pub SamplingTotal: StorageValue<Balance, ValueQuery>;
        /// Slots handed out so far (the highest slot in use).
        pub SlotCount: StorageValue<u32, ValueQuery>;
        /// Slots given back by providers that left, reused first.
        pub FreeSlots: StorageValue<Vec<u32>, ValueQuery>;
    }

    /// What a provider did wrong.
    #[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Offence {
        /// It revealed a result the accepted majority disagrees with.
        #[codec(index = 0)]
        WrongResult,
        /// It committed but did not reveal in time: hiding a committed result is treated as
        /// revealing a wrong one, or a cheater could escape its slash by staying silent.
        #[codec(index = 1)]
        WithheldResult,
        /// It did not commit in time.
        #[codec(index = 2)]
        MissedCommit,
        /// It declined the assignment (`decline_job`): replaced at once, a smaller slash,
        /// and not counted toward its jail.
        #[codec(index = 3)]
        Declined,
    }

    /// Why more providers were assigned.
    #[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum EscalationReason {
        /// The revealed results have no majority.
        #[codec(index = 0)]
        NoMajority,
        /// The spot check disagreed with the original result.
        #[codec(index = 1)]
        SpotCheckMismatch,
        /// Providers missed their deadlines and are replaced.
        #[codec(index = 2)]
        MissedDeadline,
    }

    /// Events of the Jobs pallet. Each state change says why.
    #[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
    pub enum Event {
        /// A program was registered.
        #[codec(index = 0)]
        ProgramRegistered {
            /// Its id.
            program: ProgramId,
            /// Who holds its deposit (`None`: built in).
            owner: Option<AccountId>,
            /// What it is.
            kind: ProgramKind,
        },
        /// A job was submitted and its escrow held.
        #[codec(index = 1)]
        JobSubmitted {
            /// The job.
            job: JobId,
            /// Who pays.
            client: AccountId,
            /// What it runs.
            program: ProgramId,
            /// Replicas paid for.
            replicas: u8,
            /// What was held from the client.
            held: Balance,
        },
        /// A job is waiting for providers.
        #[codec(index = 2)]
        JobPending {
            /// The job.
            job: JobId,
            /// Why.
            reason: PendingReason,
        },
        /// Providers were assigned to a job.
        #[codec(index = 3)]
        JobAssigned {
            /// The job.
            job: JobId,
            /// The providers.
            providers: Vec<AccountId>,
            /// Why they were assigned.
            role: Role,
            /// The last block in which they may commit.
            commit_by: BlockNumber,
        },
        /// A provider committed to its result.
        #[codec(index = 4)]
        ResultCommitted {
            /// The job.
            job: JobId,
            /// The provider.
            provider: AccountId,
        },
        /// A provider revealed its result hash.
        #[codec(index = 5)]
        ResultRevealed {
            /// The job.
            job: JobId,
            /// The provider.
            provider: AccountId,
            /// `blake2_256` of its output.
            result: H256,
        },
        /// An optimistic job was drawn for a spot check.
        #[codec(index = 6)]
        SpotCheckStarted {
            /// The job.
            job: JobId,
        },
        /// The client disputed an optimistic result and bonded for its re-execution.
        #[codec(index = 7)]
        DisputeOpened {
            /// The job.
            job: JobId,
            /// The bond held.
            bond: Balance,
        },
        /// More providers execute a job.
        #[codec(index = 8)]
        JobEscalated {
            /// The job.
            job: JobId,
            /// Why.
            reason: EscalationReason,
        },
        /// A job settled on a result.
        #[codec(index = 9)]
        JobCompleted {
            /// The job.
            job: JobId,
            /// The accepted result hash.
            result: H256,
            /// Paid to providers.
            paid: Balance,
            /// Returned to the client.
            refunded: Balance,
        },
        /// A job's escrow went back to its client without a result.
        #[codec(index = 10)]
        JobRefunded {
            /// The job.
            job: JobId,
            /// Why.
            reason: RefundReason,
            /// Returned to the client.
            amount: Balance,
        },
        /// A provider was paid for an execution.
        #[codec(index = 11)]
        ProviderPaid {
            /// The job.
            job: JobId,
            /// The provider.
            provider: AccountId,
            /// The amount.
            amount: Balance,
        },
        /// A provider was slashed.
        #[codec(index = 12)]
        ProviderSlashed {
            /// The job.
            job: JobId,
            /// The provider.
            provider: AccountId,
            /// Taken from its bond.
            amount: Balance,
            /// Why.
            offence: Offence,
        },
        /// A provider was jailed: no new jobs until it registers again.
        #[codec(index = 13)]
        ProviderJailed {
            /// The provider.
            provider: AccountId,
            /// Its offences.
            offences: u32,
        },
        /// A dispute was decided.
        #[codec(index = 14)]
        DisputeResolved {
            /// The job.
            job: JobId,
            /// Whether the client was right (the original result was wrong).
            client_won: bool,
        },
    }

    basalt_support::pallet_error! {
        /// Errors of the Jobs pallet. A failed call changes nothing (its fee is still paid).
        pub enum Error<T: Config> {
            /// No program has this id.
            ProgramNotFound,
            /// Built-in kernels are registered at genesis only.
            KernelsAreBuiltIn,
            /// The program's requirements are inconsistent (GPU memory without GPUs, or the
            /// reverse, or a zero time limit).
            InvalidRequirements,
            /// The input is not a SCALE encoding of the kernel's input type.
            InputUndecodable,
            /// The input has bytes after the kernel's input.
            InputTrailingBytes,
            /// `blake2-chain` needs at least one round.
            ZeroRounds,
            /// `blake2-chain` asks for more rounds than a job may.
            TooManyRounds,
            /// A `matmul-i8` dimension is zero.
            ZeroDimension,
            /// A `matmul-i8` dimension is above 4096.
            DimensionTooLarge,
            /// Replicas must be between 1 and `MAX_REPLICAS`.
            BadReplicas,
            /// A program that is not deterministic cannot be checked by comparing results, so
            /// it runs on one replica.
            NondeterministicRedundant,
            /// The price per replica is below `MIN_PRICE`.
            PriceTooLow,
            /// The timeout must be between 1 and `MAX_TIMEOUT` blocks.
            BadTimeout,
            /// Too many jobs are unsettled; try later.
            TooManyLiveJobs,
            /// An amount overflowed.
            Overflow,
            /// No job has this id.
            JobNotFound,
            /// Only the job's client may do this.
            NotClient,
            /// The job is no longer pending (already assigned or settled).
            NotPending,
            /// The caller has no active assignment in this job.
            NotAssigned,
            /// The job is not in a commit phase.
            NotCommitPhase,
            /// The caller already committed.
            AlreadyCommitted,
            /// The job is not in a reveal phase.
            NotRevealPhase,
            /// The caller did not commit.
            NotCommitted,
            /// The caller already revealed.
            AlreadyRevealed,
            /// `blake2_256(result_hash ++ provider ++ salt)` is not the commitment.
            CommitmentMismatch,
            /// Only an optimistic job with an unchecked result in its challenge window can be
            /// disputed.
            NotDisputable,
            /// Every deadline block within reach is full (cannot happen while
            /// `MAX_LIVE_JOBS` fits the queue).
            QueueFull,
            /// Only the owner of a model NFT may name it as a program's model.
            NotModelOwner,
        }
    }

    /// Calls of the Jobs pallet.
    #[basalt_support::call]
    impl<T: Config> Pallet<T> {
        /// Register a provider-run program by the digest of its definition, with what it needs
        /// and optionally the model NFT that earns from it (the caller must own it). Holds
        /// `ProgramDeposit`. Signed.
        #[pallet::call_index(0)]
        #[pallet::weight(weights::register_program())]
        pub fn register_program(
            origin: Origin,
            /// A human-readable name (at most 64 bytes).
            name: BoundedVec<u8, MAX_PROGRAM_NAME_LEN>,
            /// A container or executable digest, and whether it is deterministic.
            kind: ProgramKind,
            /// GPU memory, GPU count and time limit.
            requirements: Requirements,
            /// The model NFT `(collection, item)` that earns a usage fee from its jobs.
            model: Option<ModelId>,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_register_program(who, name, kind, requirements, model)
        }

        /// Submit a job: run `program` on `input` with `replicas` providers, each paid `price`,
        /// assigned within `timeout` blocks. Holds price x replicas, the protocol fee and (for
        /// one replica) the verification fee. Built-in kernels' inputs are checked here.
        /// Signed.
        #[pallet::call_index(1)]
        #[pallet::weight(weights::submit_job(input.len()))]
        pub fn submit_job(
            origin: Origin,
            /// The program.
            program: ProgramId,
            /// The input bytes (at most 64 KiB).
            input: BoundedVec<u8, MAX_INPUT_LEN>,
            /// Providers to pay (1: optimistic with spot checks; 2 or more: majority).
            replicas: u8,
            /// What each agreeing execution is paid.
            #[pallet::compact]
            price: Balance,
            /// Blocks from now within which it must be assigned.
            timeout: BlockNumber,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_submit_job(who, program, input, replicas, price, timeout)
        }

        /// Cancel a job that no provider has been assigned to yet; its escrow is refunded in
        /// full. Signed by its client.
        #[pallet::call_index(2)]
        #[pallet::weight(weights::cancel_job())]
        pub fn cancel_job(
            origin: Origin,
            /// The job.
            job: JobId,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_cancel_job(who, job)
        }

        /// Commit to a result: `commitment = blake2_256(result_hash ++ provider ++ salt)`.
        /// Signed by an assigned provider, during its commit window.
        #[pallet::call_index(3)]
        #[pallet::weight(weights::commit_result())]
        pub fn commit_result(
            origin: Origin,
            /// The job.
            job: JobId,
            /// The commitment.
            commitment: H256,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_commit(who, job, commitment)
        }

        /// Reveal the committed result hash (`blake2_256` of the output) and the salt. Signed
        /// by a provider that committed, once reveals are open.
        #[pallet::call_index(4)]
        #[pallet::weight(weights::reveal_result())]
        pub fn reveal_result(
            origin: Origin,
            /// The job.
            job: JobId,
            /// `blake2_256(output)`.
            result_hash: H256,
            /// The salt the commitment used.
            salt: H256,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_reveal(who, job, result_hash, salt)
        }

        /// Dispute an optimistic job's unchecked result during its challenge window: holds a
        /// bond of `DisputeReplicas` x price and has that many fresh providers re-execute it.
        /// The loser pays. Signed by the job's client.
        #[pallet::call_index(5)]
        #[pallet::weight(weights::dispute())]
        pub fn dispute(
            origin: Origin,
            /// The job.
            job: JobId,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_dispute(who, job)
        }

        /// Decline an assignment the provider cannot run (unknown program, executor failure,
        /// out of memory), before committing: it pays `DeclineSlashMultiple` x price, less
        /// than a missed commit, and a fresh provider is assigned in this block. Signed by the
        /// assigned provider, during its commit window.
        #[pallet::call_index(6)]
        #[pallet::weight(weights::decline_job())]
        pub fn decline_job(
            origin: Origin,
            /// The job.
            job: JobId,
        ) -> DispatchResult {
            let who = origin.ensure_signed()?;
            Self::do_decline(who, job)
        }
    }

    impl<T: Config> Pallet<T> {
        /// The pallet's account (slashed funds in flight and the verification pool).
        pub fn account_id() -> AccountId {
            T::PALLET_ID.into_account_truncating()
        }

        /// The jobs `provider` must act on now: commit or reveal, with the deadline. What the
        /// provider's off-chain worker reads through the runtime API.
        pub fn pending_work(provider: &AccountId) -> Vec<PendingWork> {
            ProviderJobs::get(provider)
                .iter()
                .filter_map(|id| {
                    let job = Jobs::get(id)?;
                    let phase = job.state.phase()?;
                    let mine = job
                        .assignments
                        .iter()
                        .find(|a| a.active && &a.provider == provider)?;
                    let due = match phase {
                        Phase::Commit => mine.commitment.is_none(),
                        Phase::Reveal => mine.commitment.is_some() && mine.result.is_none(),
                    };
                    due.then_some(PendingWork {
                        job: *id,
                        program: job.program,
                        phase,
                        deadline: job.deadline.saturating_sub(1),
                    })
                })
                .collect()
        }

        fn do_register_program(
            who: AccountId,
            name: BoundedVec<u8, MAX_PROGRAM_NAME_LEN>,
            kind: ProgramKind,
            requirements: Requirements,
            model: Option<ModelId>,
        ) -> DispatchResult {
            ensure!(
                !matches!(kind, ProgramKind::Kernel(_)),
                Error::<T>::KernelsAreBuiltIn
            );
            ensure!(
                (requirements.gpu_count > 0) == (requirements.gpu_memory_gb > 0)
                    && requirements.time_limit > 0,
                Error::<T>::InvalidRequirements
            );
            // Only the model's owner may attach it: no one can pass a program off as an
            // official model's.
            ensure!(
                model.is_none_or(|m| T::Models::owner(&m).as_ref() == Some(&who)),
                Error::<T>::NotModelOwner
            );
            let id = NextProgramId::get();
            let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
            Balances::<T>::hold(&PROGRAM_HOLD, &who, T::PROGRAM_DEPOSIT)?;
            Programs::insert(
                id,
                Program {
                    owner: Some(who.clone()),
                    name,
                    kind: kind.clone(),
                    requirements,
                    model,
                    deposit: T::PROGRAM_DEPOSIT,
                },
            );
            NextProgramId::put(next);
            Self::deposit_event(Event::ProgramRegistered {
                program: id,
                owner: Some(who),
                kind,
            });
            Ok(())
        }

        fn do_submit_job(
            client: AccountId,
            program_id: ProgramId,
            input: BoundedVec<u8, MAX_INPUT_LEN>,
            replicas: u8,
            price: Balance,
            timeout: BlockNumber,
        ) -> DispatchResult {
            let program = Programs::get(program_id).ok_or(Error::<T>::ProgramNotFound)?;
            if let ProgramKind::Kernel(id) = program.kind {
                Self::check_kernel_input(id, &input)?;
            }
            ensure!(
                replicas >= 1 && replicas <= T::MAX_REPLICAS,
                Error::<T>::BadReplicas
            );
            ensure!(
                replicas == 1 || program.kind.is_deterministic(),
                Error::<T>::NondeterministicRedundant
            );
            ensure!(price >= T::MIN_PRICE, Error::<T>::PriceTooLow);
            ensure!(
                timeout >= 1 && timeout <= T::MAX_TIMEOUT,
                Error::<T>::BadTimeout
            );
            ensure!(
                LiveJobs::get() < T::MAX_LIVE_JOBS,
                Error::<T>::TooManyLiveJobs
            );
            let Escrow {
                protocol_fee,
                verification_fee,
                model_fee,
                held,
            } = Self::escrow_for(&program, price, replicas).ok_or(Error::<T>::Overflow)?;
            let id = NextJobId::get();
            let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
            let now = System::<T>::block_number();
            with_transaction(|| {
                Balances::<T>::hold(&ESCROW_HOLD, &client, held)?;
                let mut job = Job {
                    client: client.clone(),
                    program: program_id,
                    replicas,
                    price,
                    protocol_fee,
                    verification_fee,
                    model_fee,
                    dispute_bond: 0,
                    escrow: held,
                    pot: 0,
                    submitted_at: now,
                    assign_by: now.saturating_add(timeout),
                    state: JobState::Pending(PendingReason::AwaitingRandomness),
                    deadline: 0,
                    assignments: BoundedVec::default(),
                };
                Self::schedule(id, &mut job, now.saturating_add(1))?;
                Jobs::insert(id, &job);
                JobInputs::insert(id, &input);
                NextJobId::put(next);
                LiveJobs::mutate(|n| *n = n.saturating_add(1));
                Self::deposit_event(Event::JobSubmitted {
                    job: id,
                    client,
                    program: program_id,
                    replicas,
                    held,
                });
                Ok(())
            })
        }

        /// What a job of `program` with `replicas` replicas at `price` holds from its client
        /// if submitted now: price x replicas, the protocol fee, for an optimistic job of a
        /// deterministic program the verification fee, and the model's usage fee (`None` on
        /// overflow). Also what `jobs_estimate` quotes.
        pub fn escrow_for(program: &Program, price: Balance, replicas: u8) -> Option<Escrow> {
            let deterministic = program.kind.is_deterministic();
            let model_fee = program.model.map_or(0, |m| T::Models::usage_fee(&m));
            let executions = price.checked_mul(Balance::from(replicas))?;
            let protocol_fee = T::PROTOCOL_FEE.mul_ceil(executions);
            let verification_fee = if replicas == 1 && deterministic {
                T::SPOT_CHECK_PROBABILITY.mul_ceil(price)
            } else {
                0
            };
            let held = executions
                .checked_add(protocol_fee)?
                .checked_add(verification_fee)?
                .checked_add(model_fee)?;
            Some(Escrow {
                protocol_fee,
                verification_fee,
                model_fee,
                held,
            })
        }

        /// Maps a built-in kernel's input check to this pallet's errors.
        fn check_kernel_input(kernel: u32, input: &[u8]) -> DispatchResult {
            use basalt_kernels::InputError as E;
            let kernel =
                basalt_kernels::Kernel::from_id(kernel).ok_or(Error::<T>::ProgramNotFound)?;
            basalt_kernels::check_input(kernel, input)
                .map(|_| ())
                .map_err(|e| {
                    match e {
                        E::Undecodable => Error::<T>::InputUndecodable,
                        E::TrailingBytes => Error::<T>::InputTrailingBytes,
                        E::ZeroRounds => Error::<T>::ZeroRounds,
                        E::TooManyRounds => Error::<T>::TooManyRounds,
                        E::ZeroDimension => Error::<T>::ZeroDimension,
                        E::DimensionTooLarge => Error::<T>::DimensionTooLarge,
                    }
                    .into()
                })
        }

        fn do_cancel_job(who: AccountId, id: JobId) -> DispatchResult {
            let mut job = Jobs::get(id).ok_or(Error::<T>::JobNotFound)?;
            ensure!(job.client == who, Error::<T>::NotClient);
            ensure!(
                matches!(job.state, JobState::Pending(_)),
                Error::<T>::NotPending
            );
            with_transaction(|| {
                Self::unschedule(id, &job);
                Self::refund(id, &mut job, RefundReason::Cancelled)?;
                Jobs::insert(id, &job);
                Ok(())
            })
        }

        /// `who`'s active assignment on `job`.
        fn assignment_of<'a>(
            job: &'a mut Job,
            who: &AccountId,
        ) -> Result<&'a mut Assignment, basalt_support::DispatchError> {
            let found = job
                .assignments
                .as_mut_slice()
                .iter_mut()
                .find(|a| a.active && a.provider == *who);
            found.ok_or_else(|| Error::<T>::NotAssigned.into())
        }

        fn do_commit(who: AccountId, id: JobId, commitment: H256) -> DispatchResult {
            let mut job = Jobs::get(id).ok_or(Error::<T>::JobNotFound)?;
            ensure!(
                job.state.phase() == Some(Phase::Commit),
                Error::<T>::NotCommitPhase
            );
            let mine = Self::assignment_of(&mut job, &who)?;
            ensure!(mine.commitment.is_none(), Error::<T>::AlreadyCommitted);
            mine.commitment = Some(commitment);
            with_transaction(|| {
                let all = job
                    .assignments
                    .iter()
                    .filter(|a| a.active)
                    .all(|a| a.commitment.is_some());
                if all {
                    // Reveals open at once: every commitment is fixed.
                    Self::unschedule(id, &job);
                    job.state = job.state.with_phase(Phase::Reveal);
                    let at = System::<T>::block_number().saturating_add(T::REVEAL_WINDOW);
                    Self::schedule(id, &mut job, at)?;
                }
                Jobs::insert(id, &job);
                Self::deposit_event(Event::ResultCommitted {
                    job: id,
                    provider: who,
                });
                Ok(())
            })
        }

        fn do_decline(who: AccountId, id: JobId) -> DispatchResult {
            let mut job = Jobs::get(id).ok_or(Error::<T>::JobNotFound)?;
            ensure!(
                job.state.phase() == Some(Phase::Commit),
                Error::<T>::NotCommitPhase
            );
            // A provider that committed may not decline: that would let a cheater escape the
            // withheld-result slash for the price of a decline.
            ensure!(
                Self::assignment_of(&mut job, &who)?.commitment.is_none(),
                Error::<T>::AlreadyCommitted
            );
            with_transaction(|| {
                let now = System::<T>::block_number();
                Self::replace_declined(id, &mut job, &who, now)?;
                Jobs::insert(id, &job);
                Ok(())
            })
        }

        fn do_reveal(who: AccountId, id: JobId, result: H256, salt: H256) -> DispatchResult {
            let mut job = Jobs::get(id).ok_or(Error::<T>::JobNotFound)?;
            ensure!(
                job.state.phase() == Some(Phase::Reveal),
                Error::<T>::NotRevealPhase
            );
            let mine = Self::assignment_of(&mut job, &who)?;
            let commitment = mine.commitment.ok_or(Error::<T>::NotCommitted)?;
            ensure!(mine.result.is_none(), Error::<T>::AlreadyRevealed);
            ensure!(
                commitment == Self::commitment_of(&result, &who, &salt),
                Error::<T>::CommitmentMismatch
            );
            mine.result = Some(result);
            with_transaction(|| {
                let all = job
                    .assignments
                    .iter()
                    .filter(|a| a.active && a.commitment.is_some())
                    .all(|a| a.result.is_some());
                if all {
                    // Evaluated in the next block, with randomness no one here could know.
                    Self::unschedule(id, &job);
                    let at = System::<T>::block_number().saturating_add(1);
                    Self::schedule(id, &mut job, at)?;
                }
                Jobs::insert(id, &job);
                Self::deposit_event(Event::ResultRevealed {
                    job: id,
                    provider: who,
                    result,
                });
                Ok(())
            })
        }

        fn do_dispute(who: AccountId, id: JobId) -> DispatchResult {
            let mut job = Jobs::get(id).ok_or(Error::<T>::JobNotFound)?;
            ensure!(job.client == who, Error::<T>::NotClient);
            ensure!(job.state == JobState::Revealed, Error::<T>::NotDisputable);
            let bond = job
                .price
                .checked_mul(Balance::from(T::DISPUTE_REPLICAS))
                .ok_or(Error::<T>::Overflow)?;
            with_transaction(|| {
                Balances::<T>::hold(&ESCROW_HOLD, &who, bond)?;
                job.dispute_bond = bond;
                job.escrow = job.escrow.saturating_add(bond);
                Self::unschedule(id, &job);
                job.state = JobState::Disputed(Phase::Commit);
                // Re-executors are sought as long as the job's own timeout allowed for its
                // first assignment, from now.
                let now = System::<T>::block_number();
                let patience = job.assign_by.saturating_sub(job.submitted_at);
                job.assign_by = now.saturating_add(patience);
                // Assigned in the next block, with randomness the client could not know.
                let at = now.saturating_add(1);
                Self::schedule(id, &mut job, at)?;
                Jobs::insert(id, &job);
                Self::deposit_event(Event::DisputeOpened { job: id, bond });
                Ok(())
            })
        }

        /// `blake2_256(result_hash ++ provider ++ salt)`: what a provider commits to.
        pub fn commitment_of(result: &H256, provider: &AccountId, salt: &H256) -> H256 {
            let mut data = Vec::with_capacity(96);
            data.extend_from_slice(result.as_bytes());
            data.extend_from_slice(provider.as_ref());
            data.extend_from_slice(salt.as_bytes());
            H256(blake2_256(&data))
        }

        /// A random 256-bit value for `subject` and `job` from the runtime's randomness.
        pub(crate) fn random_for(subject: &[u8], job: JobId) -> H256 {
            let mut s = subject.to_vec();
            s.extend_from_slice(&job.to_le_bytes());
            T::Randomness::random(&s).0
        }

        pub(crate) fn deposit_event(event: Event) {
            System::<T>::deposit_event_of(<T as Config>::INDEX, &event)
        }
    }

    impl<T: Config> basalt_support::genesis::BuildGenesis for Pallet<T> {
        type Config = ();

        /// Registers the built-in kernels as programs 0 and 1 and endows the pallet's account
        /// with the existential deposit, so small fees can always be paid into it. Genesis.
        fn build_genesis(_: &()) -> DispatchResult {
            with_transaction(|| {
                for kernel in basalt_kernels::Kernel::ALL {
                    let id = NextProgramId::get();
                    let name = BoundedVec::try_from(kernel.name().as_bytes().to_vec())
                        .map_err(|_| Error::<T>::Overflow)?;
                    let kind = ProgramKind::Kernel(kernel.id());
                    Programs::insert(
                        id,
                        Program {
                            owner: None,
                            name,
                            kind: kind.clone(),
                            requirements: Requirements {
                                gpu_memory_gb: 0,
                                gpu_count: 0,
                                time_limit: T::COMMIT_WINDOW,
                            },
                            model: None,
                            deposit: 0,
                        },
                    );
                    NextProgramId::put(id.saturating_add(1));
                    Self::deposit_event(Event::ProgramRegistered {
                        program: id,
                        owner: None,
                        kind,
                    });
                }
                let ed = <T as pallet_balances::Config>::EXISTENTIAL_DEPOSIT;
                if Balances::<T>::total_balance(&Self::account_id()) < ed {
                    Balances::<T>::deposit_creating(&Self::account_id(), ed)?;
                }
                DeadlineCursor::put(System::<T>::block_number());
                Ok(())
            })
        }
    }

    impl<T: Config> Hooks for Pallet<T> {
        /// Acts on the jobs whose deadline has come, at most `MAX_DEADLINES_PER_BLOCK` of
        /// them; the rest wait for the next block.
        fn on_initialize(n: BlockNumber) -> Weight {
            Self::process_deadlines(n)
        }
    }

    /// Staking tells the pallet when a provider's registration or bond changes: its weight in
    /// the sampling tree follows, and registering again after a jail lifts it.
    impl<T: Config> pallet_staking::OnProviderChange for Pallet<T> {
        fn on_provider_change(who: &AccountId) {
            Self::refresh_provider(who)
        }
    }

    impl<T: Config> DescribePallet for Pallet<T> {
        fn describe() -> PalletDescription {
            PalletDescription {
                name: "Jobs",
                storage: Some(storage_metadata()),
                calls: Some(meta_type::<Call>()),
                event: Some(meta_type::<Event>()),
                error: Some(meta_type::<Error<T>>()),
                constants: vec![
                    constant("PalletId", T::PALLET_ID.0, &[" The pallet's account id seed."]),
                    constant("ProgramDeposit", T::PROGRAM_DEPOSIT, &[" Held by `register_program`."]),
                    constant("MinPrice", T::MIN_PRICE, &[" The least price per replica."]),
                    constant("MaxReplicas", T::MAX_REPLICAS, &[" The most replicas per job."]),
                    constant("MaxTimeout", T::MAX_TIMEOUT, &[" The longest assignment timeout, in blocks."]),
                    constant("MaxLiveJobs", T::MAX_LIVE_JOBS, &[" The most unsettled jobs."]),
                    constant("MaxInputLen", MAX_INPUT_LEN, &[" The longest inline input, in bytes."]),
                    constant("ProtocolFee", T::PROTOCOL_FEE, &[" The protocol fee, of price x replicas."]),
                    constant("FeeTreasuryShare", T::FEE_TREASURY_SHARE, &[" The treasury's share of the protocol fee; the rest is burned."]),
                    constant("SpotCheckProbability", T::SPOT_CHECK_PROBABILITY, &[" The probability an optimistic job is spot-checked."]),
                    constant("CommitWindow", T::COMMIT_WINDOW, &[" Blocks to commit after assignment."]),
                    constant("RevealWindow", T::REVEAL_WINDOW, &[" Blocks to reveal after reveals open."]),
                    constant("ChallengeWindow", T::CHALLENGE_WINDOW, &[" Blocks to dispute an unchecked optimistic result."]),
                    constant("CheatSlashMultiple", T::CHEAT_SLASH_MULTIPLE, &[" A wrong or withheld result costs this many prices."]),
                    constant("LivenessSlashMultiple", T::LIVENESS_SLASH_MULTIPLE, &[" A missed commit costs this many prices."]),
                    constant("DeclineSlashMultiple", T::DECLINE_SLASH_MULTIPLE, &[" Declining an assignment costs this many prices."]),
                    constant("ExposerShare", T::EXPOSER_SHARE, &[" The exposing providers' share of a cheater's slash."]),
                    constant("DisputeReplicas", T::DISPUTE_REPLICAS, &[" Providers a dispute assigns; the bond is this many prices."]),
                    constant("MaxJobsPerProvider", T::MAX_JOBS_PER_PROVIDER, &[" Jobs one provider may hold at once."]),
                    constant("JailAfter", T::JAIL_AFTER, &[" Offences after which a provider is jailed."]),
                ],
                docs: vec![
                    " Compute settlement: job escrow, stake-weighted random assignment, commit-reveal,",
                    " spot checks, disputes and slashing.",
                ],
            }
        }
    }
}
