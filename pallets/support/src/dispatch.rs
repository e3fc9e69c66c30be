//! Dispatch: who calls ([`Origin`]), what it costs ([`Weight`], [`DispatchInfo`]) and how it fails
//! ([`DispatchError`]).
//!
//! The types mirror Substrate's so that `System.ExtrinsicSuccess`/`ExtrinsicFailed` and
//! `TransactionPaymentApi` answers decode in stock clients. Type paths are rewritten to FRAME's
//! (`frame_support::dispatch::DispatchInfo`, `sp_runtime::DispatchError`, ...).

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

pub use crate::weight_v2::Weight;

pub use crate::origin::{GovernanceOrigin, Origin, OriginCaller, RawOrigin};

/// The longest SCALE-encoded call kept in state to be dispatched later (a scheduled task, a
/// proposal's preimage), in bytes: longer ones are refused where they are stored.
pub const MAX_STORED_CALL_LEN: u32 = 4 * 1024;

/// The result of a dispatchable call.
pub type DispatchResult = Result<(), DispatchError>;

/// Why a call failed. Encoded exactly as `sp_runtime::DispatchError`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
#[scale_info(replace_segment("basalt_support", "sp_runtime"))]
pub enum DispatchError {
    /// Some other error; the string is for logs only and is not encoded.
    Other(#[codec(skip)] &'static str),
    /// An address could not be resolved to an account.
    CannotLookup,
    /// The origin is not allowed to make this call.
    BadOrigin,
    /// A pallet's own typed error.
    Module(ModuleError),
    /// The account still has consumers and cannot be removed.
    ConsumerRemaining,
    /// The account has no providers and cannot exist.
    NoProviders,
    /// Too many consumers reference the account.
    TooManyConsumers,
    /// A token (balance) rule was broken.
    Token(TokenError),
    /// Checked arithmetic failed.
    Arithmetic(ArithmeticError),
    /// A transactional layer rule was broken.
    Transactional(TransactionalError),
    /// Resources are exhausted (e.g. a weight limit).
    Exhausted,
    /// State is corrupt.
    Corruption,
    /// A resource is temporarily unavailable.
    Unavailable,
    /// Root may not make this call.
    RootNotAllowed,
}

/// A pallet's error: the pallet index in the runtime and the error's index in its enum.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
#[scale_info(replace_segment("basalt_support", "sp_runtime"))]
pub struct ModuleError {
    /// Index of the pallet in the runtime.
    pub index: u8,
    /// The error variant's index in its first byte; the rest is zero.
    pub error: [u8; 4],
    /// The variant's name, for logs only; not encoded.
    #[codec(skip)]
    pub message: Option<&'static str>,
}

/// Balance rules, as `sp_runtime::TokenError`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
#[scale_info(replace_segment("basalt_support", "sp_runtime"))]
pub enum TokenError {
    /// Not enough free funds.
    FundsUnavailable,
    /// The account would be reaped while it still provides for something.
    OnlyProvider,
    /// The amount is below the minimum (existential deposit).
    BelowMinimum,
    /// The account cannot be created.
    CannotCreate,
    /// Unknown asset.
    UnknownAsset,
    /// The funds are frozen.
    Frozen,
    /// The operation is not supported.
    Unsupported,
    /// A hold could not be created.
    CannotCreateHold,
    /// The withdrawal would kill an account that must stay alive.
    NotExpendable,
    /// The account is blocked.
    Blocked,
}

/// Checked arithmetic failures, as `sp_arithmetic::ArithmeticError`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
#[scale_info(replace_segment("basalt_support", "sp_arithmetic"))]
pub enum ArithmeticError {
    /// A subtraction went below zero.
    Underflow,
    /// An addition or multiplication overflowed.
    Overflow,
    /// Division by zero.
    DivisionByZero,
}

/// Transactional layer failures, as `sp_runtime::TransactionalError`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
#[scale_info(replace_segment("basalt_support", "sp_runtime"))]
pub enum TransactionalError {
    /// Too many nested layers.
    LimitReached,
    /// No layer is open.
    NoLayer,
}

impl From<ArithmeticError> for DispatchError {
    fn from(e: ArithmeticError) -> Self {
        DispatchError::Arithmetic(e)
    }
}

impl From<TokenError> for DispatchError {
    fn from(e: TokenError) -> Self {
        DispatchError::Token(e)
    }
}

impl From<TransactionalError> for DispatchError {
    fn from(e: TransactionalError) -> Self {
        DispatchError::Transactional(e)
    }
}

/// Which block resources a call uses, as `frame_support::dispatch::DispatchClass`.
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
#[scale_info(replace_segment("basalt_support", "frame_support"))]
pub enum DispatchClass {
    /// Ordinary transactions.
    #[default]
    Normal,
    /// Operational transactions that may use the reserved share of a block.
    Operational,
    /// Inherents and hooks that must be included whatever the block's load.
    Mandatory,
}

/// Whether the sender pays the fee, as `frame_support::dispatch::Pays`.
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
#[scale_info(replace_segment("basalt_support", "frame_support"))]
pub enum Pays {
    /// The sender pays.
    #[default]
    Yes,
    /// The call is free.
    No,
}

/// What a call declares before it runs: its weight, class and whether it pays a fee.
/// Carried by `System.ExtrinsicSuccess`/`ExtrinsicFailed`.
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
#[scale_info(replace_segment("basalt_support", "frame_support"))]
pub struct DispatchInfo {
    /// The weight charged (the declared worst case).
    pub weight: Weight,
    /// The class of the call.
    pub class: DispatchClass,
    /// Whether the fee is paid.
    pub pays_fee: Pays,
}

impl DispatchInfo {
    /// A normal, fee-paying call of the given weight.
    pub const fn normal(weight: Weight) -> Self {
        DispatchInfo {
            weight,
            class: DispatchClass::Normal,
            pays_fee: Pays::Yes,
        }
    }

    /// An operational, fee-paying call of the given weight.
    pub const fn operational(weight: Weight) -> Self {
        DispatchInfo {
            weight,
            class: DispatchClass::Operational,
            pays_fee: Pays::Yes,
        }
    }

    /// A mandatory, free call (inherents).
    pub const fn mandatory(weight: Weight) -> Self {
        DispatchInfo {
            weight,
            class: DispatchClass::Mandatory,
            pays_fee: Pays::No,
        }
    }
}

/// What a call reports after it ran, as `frame_support::dispatch::PostDispatchInfo`: the
/// weight it really used (when less than declared) and whether it pays after all. The
/// executive corrects the fee and the block's weight by it and refunds the difference.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PostDispatchInfo {
    /// The weight used, if the call knows it; `None` means the declared weight.
    pub actual_weight: Option<Weight>,
    /// Whether the sender pays; `No` makes the call free even if declared paying.
    pub pays_fee: Pays,
}

impl PostDispatchInfo {
    /// The weight to charge: the actual weight, never more than the declared one (a call
    /// cannot raise its own fee after the fact).
    pub fn calc_actual_weight(&self, info: &DispatchInfo) -> Weight {
        match self.actual_weight {
            Some(actual) => Weight {
                ref_time: actual.ref_time.min(info.weight.ref_time),
                proof_size: actual.proof_size.min(info.weight.proof_size),
            },
            None => info.weight,
        }
    }

    /// Whether the sender pays: only when both the declaration and the outcome say so.
    pub fn pays_fee(&self, info: &DispatchInfo) -> Pays {
        if info.pays_fee == Pays::No || self.pays_fee == Pays::No {
            Pays::No
        } else {
            Pays::Yes
        }
    }

    /// The info events report after the call: the declared info with the actual weight and
    /// fee policy.
    pub fn corrected(&self, info: &DispatchInfo) -> DispatchInfo {
        DispatchInfo {
            weight: self.calc_actual_weight(info),
            class: info.class,
            pays_fee: self.pays_fee(info),
        }
    }
}

/// A call that returns `Ok(())` used its declared weight and pays.
impl From<()> for PostDispatchInfo {
    fn from(_: ()) -> Self {
        PostDispatchInfo::default()
    }
}

/// A call that knows its actual weight returns `Ok(Some(weight).into())`.
impl From<Option<Weight>> for PostDispatchInfo {
    fn from(actual_weight: Option<Weight>) -> Self {
        PostDispatchInfo {
            actual_weight,
            pays_fee: Pays::Yes,
        }
    }
}

/// A call's failure with what it used until it failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DispatchErrorWithPostInfo {
    /// What the call used before failing.
    pub post_info: PostDispatchInfo,
    /// Why it failed.
    pub error: DispatchError,
}

impl<E: Into<DispatchError>> From<E> for DispatchErrorWithPostInfo {
    fn from(error: E) -> Self {
        DispatchErrorWithPostInfo {
            post_info: PostDispatchInfo::default(),
            error: error.into(),
        }
    }
}

/// The result of a call that may report its actual weight.
pub type DispatchResultWithPostInfo = Result<PostDispatchInfo, DispatchErrorWithPostInfo>;

/// A call that can be dispatched in the runtime `T`.
///
/// Implemented by every pallet's `Call` enum and by the runtime's `RuntimeCall`. Dispatching
/// runs inside a storage transaction opened by the caller: when it returns `Err`, the caller
/// rolls back everything the call wrote.
pub trait Dispatchable<T>: Sized {
    /// Run the call for `origin`, reporting what it used.
    fn dispatch_with_post_info(self, origin: Origin) -> DispatchResultWithPostInfo;
    /// The weight, class and fee policy of this call, known before it runs.
    fn dispatch_info(&self) -> DispatchInfo;
    /// Run the call for `origin`, when only its outcome matters (sudo's inner calls, tests).
    fn dispatch(self, origin: Origin) -> DispatchResult {
        self.dispatch_with_post_info(origin)
            .map(|_| ())
            .map_err(|e| e.error)
    }
}

/// What a pallet that holds and dispatches runtime calls (sudo, the scheduler) needs of the
/// runtime's outer call enum: dispatchable, SCALE-encoded, described in metadata, comparable
/// and printable. Every such enum has it.
pub trait OuterCall<T>:
    Dispatchable<T> + codec::Codec + TypeInfo + Clone + PartialEq + core::fmt::Debug + 'static
{
}

impl<T, C> OuterCall<T> for C where
    C: Dispatchable<T> + codec::Codec + TypeInfo + Clone + PartialEq + core::fmt::Debug + 'static
{
}

/// Fails the enclosing function with `$err` unless `$cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $err:expr $(,)?) => {
        if !$cond {
            return Err($err.into());
        }
    };
}

/// One value per dispatch class, as `frame_support::dispatch::PerDispatchClass`; `System.BlockWeight`
/// holds the weight consumed by each class so far in the block.
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
#[scale_info(replace_segment("basalt_support", "frame_support"))]
pub struct PerDispatchClass<T> {
    /// Value for normal transactions.
    pub normal: T,
    /// Value for operational transactions.
    pub operational: T,
    /// Value for mandatory calls.
    pub mandatory: T,
}

impl<T> PerDispatchClass<T> {
    /// The value of `class`.
    pub fn get(&self, class: DispatchClass) -> &T {
        match class {
            DispatchClass::Normal => &self.normal,
            DispatchClass::Operational => &self.operational,
            DispatchClass::Mandatory => &self.mandatory,
        }
    }

    /// The value of `class`, mutably.
    pub fn get_mut(&mut self, class: DispatchClass) -> &mut T {
        match class {
            DispatchClass::Normal => &mut self.normal,
            DispatchClass::Operational => &mut self.operational,
            DispatchClass::Mandatory => &mut self.mandatory,
        }
    }
}

impl PerDispatchClass<Weight> {
    /// The sum over all classes.
    pub fn total(&self) -> Weight {
        self.normal
            .saturating_add(self.operational)
            .saturating_add(self.mandatory)
    }
}
