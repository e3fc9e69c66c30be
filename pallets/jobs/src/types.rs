//! The records the Jobs pallet keeps: programs, jobs, their states and assignments. Field
//! order and codec indices are part of the storage format stock clients decode.

use basalt_support::models::ModelId;
use basalt_support::{AccountId, Balance, BlockNumber, BoundedVec, H256};
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;

/// Identifies a registered program. The built-in kernels are 0 (`blake2-chain`) and 1
/// (`matmul-i8`).
pub type ProgramId = u32;
/// Identifies a job, counting from 0.
pub type JobId = u64;
/// The longest program name, in bytes.
pub const MAX_PROGRAM_NAME_LEN: u32 = 64;
/// The longest inline job input, in bytes (64 KiB).
pub const MAX_INPUT_LEN: u32 = 64 * 1024;
/// The most providers one job may ever have (replicas plus spot checks, escalations and
/// dispute re-executions): bounds every loop over a job's assignments.
pub const MAX_ASSIGNMENTS: u32 = 9;

/// What a program is, and so how a provider runs it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum ProgramKind {
    /// A kernel built into every node (`basalt-kernels`), by its kernel id; registered at
    /// genesis only. Inputs are checked on chain.
    #[codec(index = 0)]
    Kernel(u32),
    /// A container image, by the digest of its definition, that providers map to a local
    /// command.
    #[codec(index = 1)]
    Container {
        /// The image digest.
        digest: H256,
        /// Whether equal inputs give equal outputs; only deterministic programs can be
        /// verified by comparing result hashes.
        deterministic: bool,
    },
    /// An executable, by the digest of its file, that providers map to a local command.
    #[codec(index = 2)]
    Executable {
        /// The file digest.
        digest: H256,
        /// Whether equal inputs give equal outputs.
        deterministic: bool,
    },
}

impl ProgramKind {
    /// Whether results can be checked by comparing hashes (built-in kernels always can).
    pub fn is_deterministic(&self) -> bool {
        match self {
            ProgramKind::Kernel(_) => true,
            ProgramKind::Container { deterministic, .. }
            | ProgramKind::Executable { deterministic, .. } => *deterministic,
        }
    }
}

/// What a provider needs to run a program.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo,
)]
pub struct Requirements {
    /// Memory per GPU, in GiB (zero: runs on CPU).
    pub gpu_memory_gb: u32,
    /// GPUs needed (zero: runs on CPU).
    pub gpu_count: u32,
    /// The longest a run may take, in blocks; providers kill runs that exceed it.
    pub time_limit: BlockNumber,
}

/// A registered program.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Program {
    /// Who registered it and holds its deposit (`None` for the built-in kernels).
    pub owner: Option<AccountId>,
    /// A human-readable name (not unique).
    pub name: BoundedVec<u8, MAX_PROGRAM_NAME_LEN>,
    /// What it is.
    pub kind: ProgramKind,
    /// What it needs.
    pub requirements: Requirements,
    /// The model NFT `(collection, item)` whose owner earns its usage fee from every settled
    /// job of this program.
    pub model: Option<ModelId>,
    /// The deposit held from `owner` while the program is registered.
    pub deposit: Balance,
}

/// Why a job is waiting for providers.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum PendingReason {
    /// Submitted; assigned with the randomness of a later block.
    #[codec(index = 0)]
    AwaitingRandomness,
    /// Not enough eligible providers right now; retried until the job's timeout.
    #[codec(index = 1)]
    TooFewProviders,
}

/// The phase of an execution round.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum Phase {
    /// Assigned providers commit to their result hashes.
    #[codec(index = 0)]
    Commit,
    /// Providers that committed reveal their hashes.
    #[codec(index = 1)]
    Reveal,
}

/// Why a job's escrow went back to its client.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum RefundReason {
    /// The client cancelled it before assignment.
    #[codec(index = 0)]
    Cancelled,
    /// The providers did not agree on a result, even after escalating to the most providers.
    #[codec(index = 1)]
    NoMajority,
    /// No provider committed and revealed a result.
    #[codec(index = 2)]
    NoResult,
    /// No providers were assigned before the timeout.
    #[codec(index = 3)]
    Expired,
}

/// Where a job is in its life. Every event that changes it says why.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum JobState {
    /// Waiting for providers.
    #[codec(index = 0)]
    Pending(PendingReason),
    /// Providers assigned; the commit window is open.
    #[codec(index = 1)]
    Assigned,
    /// Every assigned provider committed, or the commit window closed; reveals are open.
    #[codec(index = 2)]
    Committed,
    /// Single-provider (optimistic) job revealed: the spot-check draw, then the challenge
    /// window in which the client may dispute.
    #[codec(index = 3)]
    Revealed,
    /// A fresh provider re-executes an optimistic job, drawn at random after its reveal.
    #[codec(index = 4)]
    SpotCheck(Phase),
    /// The client disputed the result; fresh providers re-execute.
    #[codec(index = 5)]
    Disputed(Phase),
    /// No majority yet (or a spot check disagreed); more providers execute.
    #[codec(index = 6)]
    Escalated(Phase),
    /// Settled on this result hash.
    #[codec(index = 7)]
    Completed(H256),
    /// The escrow was refunded.
    #[codec(index = 8)]
    Refunded(RefundReason),
    /// No providers were assigned before the timeout; the escrow was refunded.
    #[codec(index = 9)]
    Expired,
}

impl JobState {
    /// The execution phase providers are in, if any.
    pub fn phase(&self) -> Option<Phase> {
        match self {
            JobState::Assigned => Some(Phase::Commit),
            JobState::Committed => Some(Phase::Reveal),
            JobState::SpotCheck(p) | JobState::Disputed(p) | JobState::Escalated(p) => Some(*p),
            _ => None,
        }
    }

    /// The same state in phase `phase` (initial rounds: `Assigned` or `Committed`).
    pub fn with_phase(self, phase: Phase) -> JobState {
        match self {
            JobState::SpotCheck(_) => JobState::SpotCheck(phase),
            JobState::Disputed(_) => JobState::Disputed(phase),
            JobState::Escalated(_) => JobState::Escalated(phase),
            _ if phase == Phase::Commit => JobState::Assigned,
            _ => JobState::Committed,
        }
    }

    /// Whether the job is settled (no more transitions).
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            JobState::Completed(_) | JobState::Refunded(_) | JobState::Expired
        )
    }
}

/// Why a provider was given a job.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum Role {
    /// One of the replicas the client paid for.
    #[codec(index = 0)]
    Replica,
    /// A spot check of an optimistic job.
    #[codec(index = 1)]
    SpotCheck,
    /// A re-execution after disagreement or a missed deadline.
    #[codec(index = 2)]
    Escalation,
    /// A re-execution the client asked for by disputing.
    #[codec(index = 3)]
    Dispute,
}

/// One provider's part in one job.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Assignment {
    /// The provider (its stash).
    pub provider: AccountId,
    /// Why it was assigned.
    pub role: Role,
    /// `blake2_256(result_hash ++ provider ++ salt)`, once committed.
    pub commitment: Option<H256>,
    /// `blake2_256(output)`, once revealed and matching the commitment.
    pub result: Option<H256>,
    /// Whether it still counts (false once it missed a deadline or the job settled it).
    pub active: bool,
}

/// A compute job and its escrow.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Job {
    /// Who submitted and pays for it.
    pub client: AccountId,
    /// What to run.
    pub program: ProgramId,
    /// Providers paid to run it (1: optimistic verification; 2 or more: redundant).
    pub replicas: u8,
    /// What each agreeing execution is paid.
    pub price: Balance,
    /// The protocol fee, split between treasury and burn at settlement.
    pub protocol_fee: Balance,
    /// The verification fee of an optimistic job: pays spot checks in expectation.
    pub verification_fee: Balance,
    /// The program's model usage fee when the job was submitted: paid to the model NFT's
    /// owner at settlement with a result, refunded otherwise.
    pub model_fee: Balance,
    /// The client's dispute bond, while disputed.
    pub dispute_bond: Balance,
    /// What is still held on the client for this job (prices not paid yet, fees, bond):
    /// released to the client when the job settles.
    pub escrow: Balance,
    /// Slashed funds this job collected (in the pallet's account), which pay the providers
    /// that re-executed because of the offence.
    pub pot: Balance,
    /// The block it was submitted in.
    pub submitted_at: BlockNumber,
    /// The last block in which it may still be assigned; refunded (`Expired`) after. A
    /// dispute moves it on by the job's timeout, for finding re-executors.
    pub assign_by: BlockNumber,
    /// Where it is.
    pub state: JobState,
    /// The block at which the chain next acts on it (`Deadlines` has it under this block).
    pub deadline: BlockNumber,
    /// Its providers, in assignment order.
    pub assignments: BoundedVec<Assignment, MAX_ASSIGNMENTS>,
}

/// What the chain remembers of a provider's work: what explorers show, and what jails it.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct ProviderRecord {
    /// Executions paid for.
    pub jobs_done: u32,
    /// Offences (wrong or withheld results, missed commits) since it last registered.
    pub offences: u32,
    /// Assignments it declined (`decline_job`), ever; not offences.
    pub declined: u32,
    /// Total slashed, ever.
    pub slashed: Balance,
    /// Total earned, ever.
    pub earned: Balance,
    /// The block it was jailed in, while jailed: it gets no jobs until it registers again
    /// (`Staking.register_provider`) after this block.
    pub jailed_since: Option<BlockNumber>,
}

/// What a job holds from its client at submission (`Pallet::escrow_for`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Escrow {
    /// The protocol fee (treasury and burn).
    pub protocol_fee: Balance,
    /// The verification fee of an optimistic job (pays spot checks in expectation).
    pub verification_fee: Balance,
    /// The model NFT's usage fee (to its owner at settlement).
    pub model_fee: Balance,
    /// Everything held: price x replicas plus the three fees.
    pub held: Balance,
}

/// A job waiting for one provider's commit or reveal: what the provider's off-chain worker
/// reads through the runtime API.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct PendingWork {
    /// The job.
    pub job: JobId,
    /// Its program.
    pub program: ProgramId,
    /// Whether the provider should commit or reveal.
    pub phase: Phase,
    /// The last block in which the chain accepts it.
    pub deadline: BlockNumber,
}
