//! The executive: how a block is built, imported and how transactions are validated.
//!
//! Block building (the node's author): [`initialize_block`], the inherents from
//! [`inherent_extrinsics`], then [`apply_extrinsic`] for each transaction (or, faster,
//! [`check_signatures_parallel`] once and [`apply_extrinsic_prechecked`] per extrinsic, so no
//! signature is verified twice), then [`finalize_block`], which returns the header with both
//! roots. Block import: [`execute_block`] does the same with the signatures verified on rayon's
//! pool while this thread executes the block, and compares the result with the header.
//! Transaction pool: [`validate_transaction`].
//!
//! Guarantees:
//! - An extrinsic refused by `apply_*` (`Err(TransactionValidityError)`) leaves no trace: its
//!   effects run inside a storage transaction that is rolled back. The caller need not undo
//!   anything, and the extrinsic must not go in the block.
//! - An included extrinsic whose call fails pays its fee and changes nothing else: the fee is
//!   withdrawn before the call, outside the call's own storage transaction.
//! - Every function is total; nothing panics on any input.
//!
//! The extrinsics of the block being built are recorded in `Executive.ExtrinsicData` (as
//! Substrate records them in `System.ExtrinsicData`) and taken out again when the block is
//! finalised to compute the extrinsics root, so they never reach the committed state. Keeping
//! them in storage keeps the executive free of any state outside the externalities, so blocks
//! and validations may run concurrently on different threads.

use crate::consensus;
use crate::extensions::{self, SignedExtra};
use crate::limits::{BASE_BLOCK_WEIGHT, MAX_BLOCK_WEIGHT};
use crate::{AllPallets, Runtime, RuntimeCall, Staking, Timestamp, UncheckedExtrinsic};
use basalt_support::dispatch::{DispatchClass, DispatchInfo, Dispatchable, PostDispatchInfo};
use basalt_support::generic::{
    extrinsics_root, signed_payload, Block, Digest, DigestItem, Header, OpaqueExtrinsic,
};
use basalt_support::state::io;
use basalt_support::storage::{OptionQuery, Twox64Concat};
use basalt_support::validity::{
    ApplyExtrinsicResult, InvalidTransaction, TransactionSource, TransactionValidity,
    TransactionValidityError, UnknownTransaction,
};
use basalt_support::{AccountId, DispatchError, DispatchResult, Moment, Origin, Weight, H256};
use codec::{Compact, CompactLen, Decode, Encode};
use pallet_system as system;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::mpsc;

type System = system::Pallet<Runtime>;

basalt_support::storage! {
    pallet = "Executive";
    /// The full encoding of each extrinsic applied so far in the block being built, by index;
    /// taken (and so removed) when the block is finalised.
    pub ExtrinsicData: StorageMap<Twox64Concat, u32, OpaqueExtrinsic, OptionQuery>;
}

/// Why a block cannot be imported (or, for `MissingInherent`, built).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum ExecuteBlockError {
    /// The header's number is not the parent's plus one.
    BadBlockNumber {
        /// The number the state's successor must have.
        expected: u32,
        /// The header's number.
        found: u32,
    },
    /// The extrinsic at this index may not be included.
    InvalidExtrinsic(u32, TransactionValidityError),
    /// The block does not start with the timestamp inherent.
    MissingInherent,
    /// The header's digest is not the one the runtime produced (seals excluded).
    BadDigest,
    /// The author's VRF item is missing, malformed or does not verify.
    BadVrf(basalt_support::vrf::VrfError),
    /// The header's extrinsics root does not commit to the block's extrinsics.
    BadExtrinsicsRoot {
        /// The root in the header.
        header: H256,
        /// The root of the block's extrinsics.
        computed: H256,
    },
    /// Executing the block gives another state root than the header's.
    BadStateRoot {
        /// The root in the header.
        header: H256,
        /// The root after execution.
        computed: H256,
    },
}

impl std::fmt::Display for ExecuteBlockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BadBlockNumber { expected, found } => {
                write!(f, "bad block number: expected {expected}, found {found}")
            }
            Self::InvalidExtrinsic(index, e) => {
                write!(
                    f,
                    "invalid extrinsic at index {index}: {} ({e:?})",
                    e.message()
                )
            }
            Self::MissingInherent => {
                f.write_str("the block does not start with the timestamp inherent")
            }
            Self::BadDigest => f.write_str("the header's digest differs from the runtime's"),
            Self::BadVrf(e) => write!(f, "the author's VRF item is refused: {e:?}"),
            Self::BadExtrinsicsRoot { header, computed } => {
                write!(
                    f,
                    "bad extrinsics root: header {header:?}, computed {computed:?}"
                )
            }
            Self::BadStateRoot { header, computed } => {
                write!(
                    f,
                    "bad state root: header {header:?}, computed {computed:?}"
                )
            }
        }
    }
}

impl std::error::Error for ExecuteBlockError {}

/// Core API v5's answer to `initialize_block`: which extrinsics the block may contain.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, scale_info::TypeInfo)]
#[scale_info(replace_segment("basalt_runtime", "sp_runtime"))]
pub enum ExtrinsicInclusionMode {
    /// Inherents and transactions (Basalt's only mode).
    AllExtrinsics,
    /// Inherents only.
    OnlyInherents,
}

/// The header's digest without its seals: seals are added after execution (Aura signs the
/// header without its seal), so they are never input to the runtime. What a block's digest
/// must equal once the block has executed.
fn pre_seal_digest(digest: &Digest) -> Digest {
    Digest {
        logs: digest
            .logs
            .iter()
            .filter(|item| !matches!(item, DigestItem::Seal(..)))
            .cloned()
            .collect(),
    }
}

/// The digest a block starts with: only the header's pre-runtime items (the author's Aura
/// slot), as Substrate's `extract_pre_digest`. Everything else in an imported header (seals,
/// and consensus items such as GRANDPA's scheduled change) is produced during execution, and
/// [`execute_block`] checks that the runtime produced exactly those.
fn pre_runtime_digest(digest: &Digest) -> Digest {
    Digest {
        logs: digest
            .logs
            .iter()
            .filter(|item| matches!(item, DigestItem::PreRuntime(..)))
            .cloned()
            .collect(),
    }
}

/// Starts a block on top of the current state (the parent's): resets the per-block state,
/// records the parent hash and the digest's pre-runtime items, notes the block author from
/// Aura's pre-runtime digest (and credits its era points to staking) and runs every pallet's
/// `on_initialize` in index order. The author's VRF output (an author builds on its own, valid
/// one) is recorded for the block's randomness.
pub fn initialize_block(header: &Header) -> ExtrinsicInclusionMode {
    let digest = pre_runtime_digest(&header.digest);
    let vrf_output = consensus::randomness::verify(&digest).ok().flatten();
    start_block(header, &digest, vrf_output)
}

/// [`initialize_block`] with the VRF output already verified (by [`execute_block`]).
fn start_block(
    header: &Header,
    digest: &Digest,
    vrf_output: Option<H256>,
) -> ExtrinsicInclusionMode {
    System::initialize(header.number, header.parent_hash, digest);
    consensus::note_author(digest);
    consensus::randomness::note_block(vrf_output, header.number);
    if let Some(author) = consensus::block_author() {
        Staking::note_author(&author);
    }
    let used = AllPallets::on_initialize(header.number);
    register_mandatory_weight(used.saturating_add(BASE_BLOCK_WEIGHT));
    ExtrinsicInclusionMode::AllExtrinsics
}

fn register_mandatory_weight(weight: Weight) {
    system::BlockWeight::mutate(|w| w.mandatory = w.mandatory.saturating_add(weight));
}

/// The inherent extrinsics of a block authored at `timestamp_ms`: the `Timestamp.set` call,
/// which must come first.
pub fn inherent_extrinsics(timestamp_ms: Moment) -> Vec<OpaqueExtrinsic> {
    let call = crate::timestamp_set_call(timestamp_ms);
    vec![OpaqueExtrinsic::from(&UncheckedExtrinsic::new_unsigned(
        call,
    ))]
}

/// The length an extrinsic counts for (fees and block length): its full encoding, length
/// prefix included, as Substrate counts it.
pub fn encoded_len(xt: &OpaqueExtrinsic) -> u32 {
    let body = u32::try_from(xt.body().len()).unwrap_or(u32::MAX);
    body.saturating_add(u32::try_from(Compact::<u32>::compact_len(&body)).unwrap_or(5))
}

/// Decodes an opaque extrinsic as this runtime's; `Invalid(Call)` when the bytes are not one
/// (wrong version byte, unknown pallet or call, trailing bytes, calls nested too deep).
pub fn decode_extrinsic(
    xt: &OpaqueExtrinsic,
) -> Result<UncheckedExtrinsic, TransactionValidityError> {
    xt.decode_as::<RuntimeCall, SignedExtra>()
        .map_err(|_| TransactionValidityError::Invalid(InvalidTransaction::Call))
}

/// The signer of a signed extrinsic; `Unknown(CannotLookup)` when its address does not name
/// an account.
fn signer(
    address: &basalt_support::generic::ExtrinsicAddress,
) -> Result<AccountId, TransactionValidityError> {
    address
        .clone()
        .lookup()
        .ok_or(TransactionValidityError::Unknown(
            UnknownTransaction::CannotLookup,
        ))
}

/// The signer and the payload it must have signed, or why there is none.
fn signer_and_payload(
    call: &RuntimeCall,
    address: &basalt_support::generic::ExtrinsicAddress,
    extra: &SignedExtra,
) -> Result<(AccountId, Vec<u8>), TransactionValidityError> {
    let who = signer(address)?;
    let additional = extensions::additional_signed(extra)?;
    Ok((who, signed_payload(call, extra, &additional)))
}

/// The outcome of one extrinsic's signature check.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum SignatureCheck {
    /// Unsigned, or signed and the signature verifies.
    Valid,
    /// The signature does not verify.
    Invalid,
    /// Not checked: the extrinsic does not decode, its signer or birth block is unknown.
    /// Applying it reports the precise error.
    Unchecked,
}

/// Signature checks started on rayon's pool, to be collected with [`PendingSignatures::finish`].
struct PendingSignatures {
    count: usize,
    outcome: Result<Vec<SignatureCheck>, mpsc::Receiver<Vec<SignatureCheck>>>,
}

impl PendingSignatures {
    /// Starts checking the signatures of `xts`. Decoding and the signed payloads' additional
    /// data are prepared on this thread (the latter reads state); the verification itself runs
    /// on rayon's pool in the background, unless this thread is one of the pool's, in which case
    /// it runs to completion here (waiting on the pool from inside it could deadlock).
    fn start(xts: &[OpaqueExtrinsic]) -> Self {
        let decoded: Vec<Option<UncheckedExtrinsic>> =
            xts.par_iter().map(|xt| decode_extrinsic(xt).ok()).collect();
        // Once per distinct era and metadata mode: the extrinsics of a block share a handful.
        let mut memo: BTreeMap<Vec<u8>, Option<extensions::AdditionalSigned>> = BTreeMap::new();
        let additional: Vec<Option<extensions::AdditionalSigned>> = decoded
            .iter()
            .map(|uxt| {
                let (_, _, extra) = uxt.as_ref()?.signature.as_ref()?;
                let key = (extra.4, extra.8).encode();
                *memo
                    .entry(key)
                    .or_insert_with(|| extensions::additional_signed(extra).ok())
            })
            .collect();
        let verify = move || -> Vec<SignatureCheck> {
            decoded
                .into_par_iter()
                .zip(additional)
                .map(|(uxt, additional)| check_one(uxt, additional))
                .collect()
        };
        let count = xts.len();
        if rayon::current_thread_index().is_some() {
            return PendingSignatures {
                count,
                outcome: Ok(verify()),
            };
        }
        let (sender, receiver) = mpsc::channel();
        rayon::spawn(move || {
            // The receiver only goes away if the block's execution was abandoned.
            let _ = sender.send(verify());
        });
        PendingSignatures {
            count,
            outcome: Err(receiver),
        }
    }

    /// Waits for the checks. Should the background task have died, every signature counts as
    /// invalid, so that nothing unverified is accepted.
    fn finish(self) -> Vec<SignatureCheck> {
        match self.outcome {
            Ok(checks) => checks,
            Err(receiver) => receiver
                .recv()
                .ok()
                .filter(|checks| checks.len() == self.count)
                .unwrap_or_else(|| vec![SignatureCheck::Invalid; self.count]),
        }
    }
}

fn check_one(
    uxt: Option<UncheckedExtrinsic>,
    additional: Option<extensions::AdditionalSigned>,
) -> SignatureCheck {
    let Some(uxt) = uxt else {
        return SignatureCheck::Unchecked;
    };
    let Some((address, signature, extra)) = &uxt.signature else {
        return SignatureCheck::Valid;
    };
    let (Ok(who), Some(additional)) = (signer(address), additional) else {
        return SignatureCheck::Unchecked;
    };
    if signature.verify(&signed_payload(&uxt.function, extra, &additional), &who) {
        SignatureCheck::Valid
    } else {
        SignatureCheck::Invalid
    }
}

/// Checks the signatures of `xts` on all cores, for the block being built: `true` where the
/// extrinsic is unsigned or its signature verifies, `false` where it does not decode, cannot
/// be checked or does not verify.
///
/// Must run after [`initialize_block`], in the block's externalities (the signed payload
/// contains block hashes read from state, which do not change during a block). Feed each
/// answer to [`apply_extrinsic_prechecked`]: a `false` makes it check again and report the
/// precise error.
pub fn check_signatures_parallel(xts: &[OpaqueExtrinsic]) -> Vec<bool> {
    PendingSignatures::start(xts)
        .finish()
        .into_iter()
        .map(|check| check == SignatureCheck::Valid)
        .collect()
}

/// Applies one extrinsic to the block being built: checks it, charges its fee, dispatches its
/// call and records the outcome in `System.Events`.
///
/// `Err` means the extrinsic may not be included (and left no trace); `Ok(Err(_))` means it is
/// included but its call failed (it paid its fee; nothing else changed).
pub fn apply_extrinsic(xt: &OpaqueExtrinsic) -> ApplyExtrinsicResult {
    apply(xt, false)
}

/// As [`apply_extrinsic`], but trusts `signature_checked == true` to mean the signature was
/// verified by [`check_signatures_parallel`] in this block; with `false` it verifies itself.
pub fn apply_extrinsic_prechecked(
    xt: &OpaqueExtrinsic,
    signature_checked: bool,
) -> ApplyExtrinsicResult {
    apply(xt, signature_checked)
}

/// Failure inside the extrinsic's storage transaction; converting from `DispatchError` is what
/// `with_transaction` needs to report a transaction-layer failure.
enum ApplyError {
    Invalid(TransactionValidityError),
    Layer,
}

impl From<DispatchError> for ApplyError {
    fn from(_: DispatchError) -> Self {
        ApplyError::Layer
    }
}

fn apply(xt: &OpaqueExtrinsic, signature_checked: bool) -> ApplyExtrinsicResult {
    let uxt = decode_extrinsic(xt)?;
    let len = encoded_len(xt);
    let outcome = io::with_transaction(|| {
        apply_decoded(xt, uxt, len, signature_checked).map_err(ApplyError::Invalid)
    });
    match outcome {
        Ok(result) => Ok(result),
        Err(ApplyError::Invalid(e)) => Err(e),
        Err(ApplyError::Layer) => Err(TransactionValidityError::Invalid(
            InvalidTransaction::ExhaustsResources,
        )),
    }
}

/// Dispatches `call` for `origin` in its own storage transaction, so a failure undoes it;
/// returns the outcome and what the call reported it used.
fn dispatch_transactional(call: RuntimeCall, origin: Origin) -> (DispatchResult, PostDispatchInfo) {
    match io::with_transaction(|| Dispatchable::<Runtime>::dispatch_with_post_info(call, origin)) {
        Ok(post) => (Ok(()), post),
        Err(e) => (Err(e.error), e.post_info),
    }
}

fn apply_decoded(
    xt: &OpaqueExtrinsic,
    uxt: UncheckedExtrinsic,
    len: u32,
    signature_checked: bool,
) -> Result<DispatchResult, TransactionValidityError> {
    let info = Dispatchable::<Runtime>::dispatch_info(&uxt.function);
    let index = system::ExtrinsicCount::get().unwrap_or(0);
    System::note_applying_extrinsic(index);
    let (result, post) = match uxt.signature {
        Some((address, signature, extra)) => {
            if info.class == DispatchClass::Mandatory {
                return Err(TransactionValidityError::Invalid(
                    InvalidTransaction::BadMandatory,
                ));
            }
            let who = if signature_checked {
                let who = signer(&address)?;
                // Still computed: an unknown birth block is refused with its own error.
                extensions::additional_signed(&extra)?;
                who
            } else {
                let (who, payload) = signer_and_payload(&uxt.function, &address, &extra)?;
                if !signature.verify(&payload, &who) {
                    return Err(TransactionValidityError::Invalid(
                        InvalidTransaction::BadProof,
                    ));
                }
                who
            };
            let pre = extensions::pre_dispatch(&who, &extra, &info, len)?;
            let (result, post) = dispatch_transactional(uxt.function, Origin::Signed(who));
            extensions::post_dispatch(pre, &post.corrected(&info), len);
            (result, post)
        }
        None if !uxt.function.is_inherent() => {
            // An unsigned transaction (an equivocation report) is valid only as the pool
            // admits it; a block including any other is invalid.
            uxt.function.validate_unsigned()?;
            extensions::pre_dispatch_unsigned(&info, len)?;
            dispatch_transactional(uxt.function, Origin::None)
        }
        None => {
            // The timestamp inherent is unsigned too, and only the block's first.
            if index != 0 {
                return Err(TransactionValidityError::Invalid(InvalidTransaction::Call));
            }
            extensions::pre_dispatch_unsigned(&info, len)?;
            let (result, post) = dispatch_transactional(uxt.function, Origin::None);
            if result.is_err() {
                // An inherent must not fail: a block with a failing one is invalid.
                return Err(TransactionValidityError::Invalid(
                    InvalidTransaction::BadMandatory,
                ));
            }
            (result, post)
        }
    };
    // The block counts, and events report, the weight and fee policy the call really had,
    // as FRAME's do.
    let actual = post.corrected(&info);
    extensions::refund_unused_weight(&info, &actual);
    ExtrinsicData::insert(index, xt);
    System::note_applied_extrinsic(&result, reported_info(&actual));
    Ok(result)
}

/// The dispatch info events carry: the weight includes the per-extrinsic base, as Substrate
/// reports it.
fn reported_info(info: &DispatchInfo) -> DispatchInfo {
    DispatchInfo {
        weight: extensions::extrinsic_weight(info),
        ..*info
    }
}

/// Ends the block being built: runs `on_idle` and `on_finalize` in index order, writes the
/// events to `System.Events`, and returns the header with its extrinsics root and state root.
///
/// Fails with `MissingInherent` when the block does not start with the timestamp inherent; a
/// block builder that applied [`inherent_extrinsics`] first never sees it.
pub fn finalize_block() -> Result<Header, ExecuteBlockError> {
    System::note_finished_extrinsics();
    let number = System::block_number();
    let count = system::ExtrinsicCount::get().unwrap_or(0);
    // The timestamp inherent is only accepted as the first extrinsic, so this means the block
    // starts with it.
    if !Timestamp::did_update() {
        return Err(ExecuteBlockError::MissingInherent);
    }

    let remaining = MAX_BLOCK_WEIGHT.saturating_sub(system::BlockWeight::get().total());
    let used = AllPallets::on_idle(number, remaining);
    register_mandatory_weight(used);
    AllPallets::on_finalize(number);
    enact_authority_change();

    let extrinsics: Vec<OpaqueExtrinsic> = (0..count).filter_map(ExtrinsicData::take).collect();
    let extrinsics_root = extrinsics_root(&extrinsics);
    consensus::clear_author();
    let digest = System::finalize();
    let state_root = crate::storage_root();
    Ok(Header {
        parent_hash: system::ParentHash::get(),
        number,
        state_root,
        extrinsics_root,
        digest,
    })
}

/// Applies the authority set staking elected in this block, if it changed: the new Aura
/// authorities to `Aura.Authorities` (from the next block on), the new GRANDPA voters to
/// `Grandpa.Authorities`, and GRANDPA's scheduled change (delay 0: enacted when this block is
/// finalised) to the header digest, where the node's finality gadget finds it.
fn enact_authority_change() {
    if let Some(aura) = Staking::pending_aura_authorities() {
        consensus::aura::Authorities::put(aura.into_iter().map(AccountId::new).collect::<Vec<_>>());
    }
    if let Some(grandpa) = Staking::pending_authority_change() {
        consensus::grandpa::Authorities::put(
            grandpa
                .into_iter()
                .map(|(key, weight)| (AccountId::new(key), weight))
                .collect::<Vec<_>>(),
        );
    }
    if let Some(item) = Staking::pending_authority_change_digest(0) {
        system::Digest::mutate(|digest| digest.logs.push(item));
    }
}

/// Imports `block` on the current state (its parent's): re-executes it and checks the header.
///
/// Pass the header without the author's seal or with it (seals are ignored). On `Ok` the
/// externalities hold the block's changes and their root is the header's state root.
pub fn execute_block(block: &Block) -> Result<(), ExecuteBlockError> {
    let header = &block.header;
    let expected = System::block_number().saturating_add(1);
    if header.number != expected {
        return Err(ExecuteBlockError::BadBlockNumber {
            expected,
            found: header.number,
        });
    }
    let digest = pre_runtime_digest(&header.digest);
    let vrf_output = consensus::randomness::verify(&digest).map_err(ExecuteBlockError::BadVrf)?;
    start_block(header, &digest, vrf_output);
    // The signatures are verified on the other cores while this thread executes the block
    // optimistically; a block with a bad signature is rejected when the checks come in, with
    // the error sequential execution would have reported first.
    let pending = PendingSignatures::start(&block.extrinsics);
    let mut failure = None;
    for (index, xt) in block.extrinsics.iter().enumerate() {
        if let Err(e) = apply_extrinsic_prechecked(xt, true) {
            failure = Some((index, e));
            break;
        }
    }
    let checks = pending.finish();
    let bad_signature = checks
        .iter()
        .position(|check| *check == SignatureCheck::Invalid);
    let failure = match (bad_signature, failure) {
        (Some(bad), Some((index, _))) if bad <= index => Some((
            bad,
            TransactionValidityError::Invalid(InvalidTransaction::BadProof),
        )),
        (Some(bad), None) => Some((
            bad,
            TransactionValidityError::Invalid(InvalidTransaction::BadProof),
        )),
        (_, failure) => failure,
    };
    if let Some((index, e)) = failure {
        return Err(ExecuteBlockError::InvalidExtrinsic(
            u32::try_from(index).unwrap_or(u32::MAX),
            e,
        ));
    }
    let computed = finalize_block()?;
    if computed.extrinsics_root != header.extrinsics_root {
        return Err(ExecuteBlockError::BadExtrinsicsRoot {
            header: header.extrinsics_root,
            computed: computed.extrinsics_root,
        });
    }
    if computed.digest != pre_seal_digest(&header.digest) {
        return Err(ExecuteBlockError::BadDigest);
    }
    if computed.state_root != header.state_root {
        return Err(ExecuteBlockError::BadStateRoot {
            header: header.state_root,
            computed: computed.state_root,
        });
    }
    Ok(())
}

/// The pool's check of an extrinsic on top of the block `parent_hash` (whose state the
/// externalities hold): as if it were applied in the next block, but without keeping any
/// effect. The caller must discard the externalities afterwards.
///
/// Unsigned extrinsics are valid transactions only as [`RuntimeCall::validate_unsigned`] says (equivocation
/// reports); the timestamp inherent gets `MandatoryValidation` (as in Substrate). `source` does
/// not change the answer.
pub fn validate_transaction(
    _source: TransactionSource,
    xt: &OpaqueExtrinsic,
    parent_hash: H256,
) -> TransactionValidity {
    let number = System::block_number().saturating_add(1);
    System::initialize(number, parent_hash, &Digest::default());
    let uxt = decode_extrinsic(xt)?;
    let len = encoded_len(xt);
    let info = Dispatchable::<Runtime>::dispatch_info(&uxt.function);
    if info.class == DispatchClass::Mandatory {
        return Err(TransactionValidityError::Invalid(
            InvalidTransaction::MandatoryValidation,
        ));
    }
    let Some((address, signature, extra)) = &uxt.signature else {
        return uxt.function.validate_unsigned();
    };
    let (who, payload) = signer_and_payload(&uxt.function, address, extra)?;
    if !signature.verify(&payload, &who) {
        return Err(TransactionValidityError::Invalid(
            InvalidTransaction::BadProof,
        ));
    }
    extensions::validate(&who, extra, &info, len)
}
