//! Transaction validity, as Substrate's `sp_runtime::transaction_validity`: what the runtime tells
//! the transaction pool about an extrinsic (`TaggedTransactionQueue_validate_transaction`) and why
//! it refuses one. The node maps these to JSON-RPC error 1010 with Substrate's messages.

use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;

/// Why an extrinsic is invalid now and forever (for this state).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum InvalidTransaction {
    /// The call is not allowed.
    Call,
    /// The sender cannot pay the fees.
    Payment,
    /// The nonce is ahead of the account's: valid later.
    Future,
    /// The nonce was already used.
    Stale,
    /// The signature does not verify.
    BadProof,
    /// The mortal era's birth block is unknown or not on this chain.
    AncientBirthBlock,
    /// The block has no room for it.
    ExhaustsResources,
    /// A pallet-specific reason.
    Custom(u8),
    /// A mandatory extrinsic failed.
    BadMandatory,
    /// A mandatory extrinsic was sent as a transaction.
    MandatoryValidation,
    /// The signer is not allowed (e.g. the zero account).
    BadSigner,
    /// Implicit data could not be computed.
    IndeterminateImplicit,
    /// The origin is unknown.
    UnknownOrigin,
}

/// Why the validity of an extrinsic cannot be decided now.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum UnknownTransaction {
    /// The account state needed is not available.
    CannotLookup,
    /// No unsigned validator handles this call.
    NoUnsignedValidator,
    /// A pallet-specific reason.
    Custom(u8),
}

/// A refused extrinsic.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum TransactionValidityError {
    /// Invalid for good.
    Invalid(InvalidTransaction),
    /// Undecided.
    Unknown(UnknownTransaction),
}

impl TransactionValidityError {
    /// Substrate's message for this error, as clients see it in RPC error data.
    pub fn message(&self) -> &'static str {
        match self {
            Self::Invalid(i) => match i {
                InvalidTransaction::Call => "Transaction call is not expected",
                InvalidTransaction::Payment => {
                    "Inability to pay some fees (e.g. account balance too low)"
                }
                InvalidTransaction::Future => "Transaction will be valid in the future",
                InvalidTransaction::Stale => "Transaction is outdated",
                InvalidTransaction::BadProof => "Transaction has a bad signature",
                InvalidTransaction::AncientBirthBlock => "Transaction has an ancient birth block",
                InvalidTransaction::ExhaustsResources => {
                    "Transaction would exhaust the block limits"
                }
                InvalidTransaction::Custom(_) => "Custom error",
                InvalidTransaction::BadMandatory => {
                    "A call was labelled as mandatory, but resulted in an Error."
                }
                InvalidTransaction::MandatoryValidation => {
                    "Transaction dispatch is mandatory; transactions must not be validated."
                }
                InvalidTransaction::BadSigner => "Invalid signing address",
                InvalidTransaction::IndeterminateImplicit => {
                    "The implicit data was unable to be calculated"
                }
                InvalidTransaction::UnknownOrigin => "The origin is unknown",
            },
            Self::Unknown(u) => match u {
                UnknownTransaction::CannotLookup => {
                    "Could not lookup information required to validate the transaction"
                }
                UnknownTransaction::NoUnsignedValidator => {
                    "Could not find an unsigned validator for the unsigned transaction"
                }
                UnknownTransaction::Custom(_) => "Custom error",
            },
        }
    }
}

impl From<InvalidTransaction> for TransactionValidityError {
    fn from(e: InvalidTransaction) -> Self {
        Self::Invalid(e)
    }
}

/// Where a transaction came from; local ones may be treated more leniently.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum TransactionSource {
    /// Already in a block being imported.
    InBlock,
    /// Submitted over this node's RPC.
    Local,
    /// Received from a peer.
    External,
}

/// A valid transaction and how the pool should order it, as `sp_runtime::ValidTransaction`.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct ValidTransaction {
    /// Higher goes first.
    pub priority: u64,
    /// Tags that must be provided by other transactions first (e.g. the previous nonce).
    pub requires: Vec<Vec<u8>>,
    /// Tags this transaction provides (its sender and nonce).
    pub provides: Vec<Vec<u8>>,
    /// For how many blocks it stays valid.
    pub longevity: u64,
    /// Whether to gossip it.
    pub propagate: bool,
}

/// The answer of `validate_transaction`.
pub type TransactionValidity = Result<ValidTransaction, TransactionValidityError>;

/// The answer of `apply_extrinsic`: `Err` if the extrinsic may not be included at all, otherwise
/// the outcome of its call (a failed call is still included and pays its fee).
pub type ApplyExtrinsicResult = Result<crate::DispatchResult, TransactionValidityError>;

/// The unsigned transactions a pallet accepts (FRAME's `ValidateUnsigned`): the runtime routes
/// every unsigned extrinsic that is not an inherent to the pallet of its call, through the
/// `ValidateUnsigned` part of `construct_runtime!`; a call of a pallet without the part is
/// refused (`Call`).
pub trait ValidateUnsigned {
    /// The pallet's call.
    type Call;
    /// Whether `call`, unsigned, is a valid transaction, and with which priority and tags.
    fn validate_unsigned(call: &Self::Call) -> TransactionValidity;
}

/// A pallet whose calls include inherents (FRAME's `ProvideInherent::is_inherent`): the
/// runtime applies them unsigned without `ValidateUnsigned` (the block author puts them in),
/// through the `Inherent` part of `construct_runtime!`.
pub trait ProvideInherent {
    /// The pallet's call.
    type Call;
    /// Whether `call` is one of the pallet's inherents.
    fn is_inherent(call: &Self::Call) -> bool;
}
