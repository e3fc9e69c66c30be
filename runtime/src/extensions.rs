//! The signed extensions: the checks and effects every signed extrinsic goes through, and the
//! data wallets put in (the *extra*) or only sign over (the *additional signed* data).
//!
//! The tuple [`SignedExtra`] lists them in the order metadata declares them and stock clients
//! expect (py-substrate-interface and @polkadot/api know these names and use their own fixed
//! types for them):
//! `[CheckNonZeroSender, CheckSpecVersion, CheckTxVersion, CheckGenesis, CheckMortality,
//! CheckNonce, CheckWeight, ChargeTransactionPayment, CheckMetadataHash]`.
//!
//! | extension | extra | additional signed | check |
//! |---|---|---|---|
//! | CheckNonZeroSender | - | - | the zero account cannot sign (`BadSigner`) |
//! | CheckSpecVersion | - | `u32` spec version | by the signature |
//! | CheckTxVersion | - | `u32` transaction version | by the signature |
//! | CheckGenesis | - | `H256` genesis hash (`System.BlockHash[0]`) | by the signature |
//! | CheckMortality | `Era` | `H256` birth block hash | unknown birth: `AncientBirthBlock`; longevity |
//! | CheckNonce | `Compact<u32>` | - | `Stale` / `Future`; pool tags; bumps the nonce |
//! | CheckWeight | - | - | block weight and length limits (`ExhaustsResources`) |
//! | ChargeTransactionPayment | `Compact<u128>` tip | - | withdraws the fee (`Payment`); priority |
//! | CheckMetadataHash | `u8` mode | `Option<[u8; 32]>` | mode must be 0 (see below) |
//!
//! An expired mortal era is caught as Substrate catches it: the birth block number is derived
//! from the era and the current block number, so once the window has passed it names another
//! block, whose hash is not the one signed: the extrinsic fails with `BadProof` (or with
//! `AncientBirthBlock` when that block's hash is no longer kept).
//!
//! `CheckMetadataHash` with mode `Enabled` is refused with `BadProof`: Basalt publishes no
//! metadata hash, so a wallet that signed one made a signature Basalt cannot check (Substrate
//! would fail the signature the same way).
//!
//! Everything here runs inside externalities (it reads `System` state) and is total: errors
//! are [`TransactionValidityError`]s, never panics.

use crate::limits::{
    BASE_EXTRINSIC_WEIGHT, MAX_BLOCK_LENGTH, MAX_BLOCK_WEIGHT, NORMAL_BLOCK_LENGTH,
    NORMAL_BLOCK_WEIGHT,
};
use crate::{Runtime, TransactionPayment};
use basalt_support::dispatch::{DispatchClass, DispatchInfo, PerDispatchClass};
use basalt_support::generic::Era;
use basalt_support::validity::{InvalidTransaction, TransactionValidityError, ValidTransaction};
use basalt_support::{AccountId, Balance, Nonce, Weight, H256};
use codec::{Decode, Encode};
use frame_metadata::v14;
use pallet_system as system;
use scale_info::{form::MetaForm, meta_type, StaticTypeInfo, TypeInfo};

type System = system::Pallet<Runtime>;

/// Refuses extrinsics signed by the all-zero account, whose key nobody holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct CheckNonZeroSender;

/// Signs the runtime's `spec_version`, so an extrinsic built for other rules does not verify.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct CheckSpecVersion;

/// Signs the runtime's `transaction_version`, so an extrinsic built for other call indices
/// does not verify.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct CheckTxVersion;

/// Signs the genesis hash, so an extrinsic cannot be replayed on another chain.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct CheckGenesis;

/// The extrinsic's mortality; the birth block's hash is signed, so it cannot be replayed on
/// another fork or after its window.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct CheckMortality(pub Era);

/// The sender's nonce: replay protection and ordering of one sender's extrinsics.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct CheckNonce(#[codec(compact)] pub Nonce);

/// Keeps blocks within their weight and length limits.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct CheckWeight;

/// The tip offered on top of the fee; withdraws the fee before the call runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct ChargeTransactionPayment(#[codec(compact)] pub Balance);

/// Whether the signer included the metadata hash in the signed data (RFC 78).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub enum Mode {
    /// No metadata hash signed; the only mode Basalt accepts.
    #[default]
    #[codec(index = 0)]
    Disabled,
    /// A metadata hash was signed; refused, Basalt publishes none.
    #[codec(index = 1)]
    Enabled,
}

/// Substrate's `CheckMetadataHash`: the wallet says whether it signed a metadata hash.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct CheckMetadataHash {
    /// Must be [`Mode::Disabled`].
    pub mode: Mode,
}

/// The extra data of a signed extrinsic, in metadata order.
pub type SignedExtra = (
    CheckNonZeroSender,
    CheckSpecVersion,
    CheckTxVersion,
    CheckGenesis,
    CheckMortality,
    CheckNonce,
    CheckWeight,
    ChargeTransactionPayment,
    CheckMetadataHash,
);

/// The data signed but not sent, one element per extension of [`SignedExtra`] (`()` encodes to
/// nothing): spec version, transaction version, genesis hash, birth block hash, metadata hash.
pub type AdditionalSigned = ((), u32, u32, H256, H256, (), (), (), Option<[u8; 32]>);

/// The extra a wallet sends for `nonce`, `tip` and `era` with the metadata hash disabled;
/// used by tests, benchmarks and dev tooling.
pub fn signed_extra(nonce: Nonce, tip: Balance, era: Era) -> SignedExtra {
    (
        CheckNonZeroSender,
        CheckSpecVersion,
        CheckTxVersion,
        CheckGenesis,
        CheckMortality(era),
        CheckNonce(nonce),
        CheckWeight,
        ChargeTransactionPayment(tip),
        CheckMetadataHash {
            mode: Mode::Disabled,
        },
    )
}

/// One extension as metadata describes it.
trait Described {
    /// The name clients recognise.
    const IDENTIFIER: &'static str;
    /// The type of its additional signed data.
    type Additional: StaticTypeInfo;
}

macro_rules! described {
    ($($ext:ty => $name:literal, $additional:ty;)*) => {
        $(impl Described for $ext {
            const IDENTIFIER: &'static str = $name;
            type Additional = $additional;
        })*

        /// The signed extensions as metadata V14/V15 lists them, in [`SignedExtra`] order.
        pub fn metadata() -> Vec<v14::SignedExtensionMetadata<MetaForm>> {
            vec![$(v14::SignedExtensionMetadata {
                identifier: <$ext as Described>::IDENTIFIER,
                ty: meta_type::<$ext>(),
                additional_signed: meta_type::<<$ext as Described>::Additional>(),
            }),*]
        }
    };
}

described! {
    CheckNonZeroSender => "CheckNonZeroSender", ();
    CheckSpecVersion => "CheckSpecVersion", u32;
    CheckTxVersion => "CheckTxVersion", u32;
    CheckGenesis => "CheckGenesis", H256;
    CheckMortality => "CheckMortality", H256;
    CheckNonce => "CheckNonce", ();
    CheckWeight => "CheckWeight", ();
    ChargeTransactionPayment => "ChargeTransactionPayment", ();
    CheckMetadataHash => "CheckMetadataHash", Option<[u8; 32]>;
}

fn invalid(e: InvalidTransaction) -> TransactionValidityError {
    TransactionValidityError::Invalid(e)
}

/// The additional signed data of `extra` in the current state: what the signature must cover
/// besides the call and the extra.
///
/// Fails with `AncientBirthBlock` when the era's birth block is not among the kept block hashes
/// (or is in the future), and with `BadProof` for an enabled metadata hash.
pub fn additional_signed(
    extra: &SignedExtra,
) -> Result<AdditionalSigned, TransactionValidityError> {
    let genesis = System::block_hash(0).ok_or(invalid(InvalidTransaction::AncientBirthBlock))?;
    let birth_hash = birth_block_hash(extra.4 .0)?;
    if extra.8.mode != Mode::Disabled {
        return Err(invalid(InvalidTransaction::BadProof));
    }
    Ok((
        (),
        crate::version::SPEC_VERSION,
        crate::version::TRANSACTION_VERSION,
        genesis,
        birth_hash,
        (),
        (),
        (),
        None,
    ))
}

/// The hash of the block `era` was born at, seen from the block being built.
fn birth_block_hash(era: Era) -> Result<H256, TransactionValidityError> {
    let current = u64::from(System::block_number());
    let birth = era.birth(current);
    let birth = u32::try_from(birth).map_err(|_| invalid(InvalidTransaction::AncientBirthBlock))?;
    System::block_hash(birth).ok_or(invalid(InvalidTransaction::AncientBirthBlock))
}

/// What [`pre_dispatch`] did, for [`post_dispatch`]: the fee withdrawn and the tip in it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PreDispatch {
    /// The signer.
    pub who: AccountId,
    /// The whole fee withdrawn, tip included.
    pub fee: Balance,
    /// The tip part of `fee`.
    pub tip: Balance,
}

/// The pool's view of a signed extrinsic from `who`: every extension's check without keeping
/// any effect (the caller discards the externalities), and how to order it.
///
/// A nonce ahead of the account's is valid here (it `requires` its predecessor); in a block it
/// is `Future`.
pub fn validate(
    who: &AccountId,
    extra: &SignedExtra,
    info: &DispatchInfo,
    len: u32,
) -> Result<ValidTransaction, TransactionValidityError> {
    check_non_zero_sender(who)?;
    let longevity = mortality_longevity(extra.4 .0);
    let (requires, provides) = nonce_tags(who, extra.5 .0)?;
    check_weight(info, len)?;
    let tip = extra.7 .0;
    let fee = TransactionPayment::compute_fee(len, info, tip);
    TransactionPayment::can_withdraw_fee(who, fee).map_err(invalid)?;
    Ok(ValidTransaction {
        priority: TransactionPayment::priority(info, len, tip, fee),
        requires,
        provides,
        longevity,
        propagate: true,
    })
}

/// The block's view of a signed extrinsic from `who`, before its call runs: checks every
/// extension and takes their effects (bumps the nonce, counts weight and length, withdraws the
/// fee). The caller runs this inside a storage transaction that it rolls back on `Err`.
pub fn pre_dispatch(
    who: &AccountId,
    extra: &SignedExtra,
    info: &DispatchInfo,
    len: u32,
) -> Result<PreDispatch, TransactionValidityError> {
    check_non_zero_sender(who)?;
    check_and_bump_nonce(who, extra.5 .0)?;
    note_weight(info, len)?;
    let tip = extra.7 .0;
    let fee = TransactionPayment::compute_fee(len, info, tip);
    TransactionPayment::withdraw_fee(who, fee).map_err(invalid)?;
    Ok(PreDispatch {
        who: who.clone(),
        fee,
        tip,
    })
}

/// After the call ran (successfully or not): corrects the fee to what the call reported it
/// used (`actual`: the declared info with the post-dispatch weight and fee policy), refunds the
/// difference to the signer, hands the rest to its recipients and emits `TransactionFeePaid`
/// with the corrected fee. Returns the refund.
pub fn post_dispatch(pre: PreDispatch, actual: &DispatchInfo, len: u32) -> Balance {
    TransactionPayment::settle_fee(&pre.who, pre.fee, pre.tip, len, actual)
}

/// Gives the block back the weight a call declared but did not use (every extrinsic, signed or
/// not).
pub fn refund_unused_weight(declared: &DispatchInfo, actual: &DispatchInfo) {
    let unused = declared.weight.saturating_sub(actual.weight);
    if unused == Weight::ZERO {
        return;
    }
    let mut weight = system::BlockWeight::get();
    let class_weight = weight.get_mut(declared.class);
    *class_weight = class_weight.saturating_sub(unused);
    system::BlockWeight::put(weight);
}

/// The block's view of an inherent: only the weight and length are counted (mandatory class,
/// no limit but the block length).
pub fn pre_dispatch_unsigned(
    info: &DispatchInfo,
    len: u32,
) -> Result<(), TransactionValidityError> {
    note_weight(info, len)
}

fn check_non_zero_sender(who: &AccountId) -> Result<(), TransactionValidityError> {
    let bytes: &[u8; 32] = who.as_ref();
    if bytes.iter().all(|b| *b == 0) {
        return Err(invalid(InvalidTransaction::BadSigner));
    }
    Ok(())
}

/// Blocks from now until the era's death; `u64::MAX` when immortal.
fn mortality_longevity(era: Era) -> u64 {
    if era.is_immortal() {
        return u64::MAX;
    }
    let current = u64::from(System::block_number());
    era.death(current).saturating_sub(current)
}

/// What a transaction requires and provides in the pool: SCALE-encoded `(sender, nonce)` tags.
type PoolTags = (Vec<Vec<u8>>, Vec<Vec<u8>>);

/// Pool tags of `(who, nonce)`: it provides its own and requires its predecessor when ahead.
/// Fails with `Stale` for a used nonce, and with `Payment` when the account does not exist
/// (nothing could pay for it).
fn nonce_tags(who: &AccountId, nonce: Nonce) -> Result<PoolTags, TransactionValidityError> {
    let account = system::Account::get(who);
    if account.providers == 0 && account.sufficients == 0 {
        return Err(invalid(InvalidTransaction::Payment));
    }
    if nonce < account.nonce {
        return Err(invalid(InvalidTransaction::Stale));
    }
    let provides = vec![(who, nonce).encode()];
    let requires = match nonce.checked_sub(1) {
        Some(previous) if nonce > account.nonce => vec![(who, previous).encode()],
        _ => Vec::new(),
    };
    Ok((requires, provides))
}

/// In a block the nonce must be exactly the account's; it is then incremented.
fn check_and_bump_nonce(who: &AccountId, nonce: Nonce) -> Result<(), TransactionValidityError> {
    let mut account = system::Account::get(who);
    if account.providers == 0 && account.sufficients == 0 {
        return Err(invalid(InvalidTransaction::Payment));
    }
    if nonce < account.nonce {
        return Err(invalid(InvalidTransaction::Stale));
    }
    if nonce > account.nonce {
        return Err(invalid(InvalidTransaction::Future));
    }
    account.nonce = account.nonce.saturating_add(1);
    system::Account::insert(who, account);
    Ok(())
}

/// The weight an extrinsic counts for in its block: the call's plus the per-extrinsic base.
pub fn extrinsic_weight(info: &DispatchInfo) -> Weight {
    info.weight.saturating_add(BASE_EXTRINSIC_WEIGHT)
}

/// The block's weight and length after adding this extrinsic, if they stay within the limits
/// of its class: normal extrinsics may use 75% of the block, operational ones all of it,
/// mandatory ones (inherents) are never refused for weight.
fn check_weight(
    info: &DispatchInfo,
    len: u32,
) -> Result<(PerDispatchClass<Weight>, u32), TransactionValidityError> {
    let exhausted = invalid(InvalidTransaction::ExhaustsResources);
    let current_len = system::AllExtrinsicsLen::get().unwrap_or(0);
    let next_len = current_len.checked_add(len).ok_or(exhausted)?;
    let max_len = match info.class {
        DispatchClass::Normal => NORMAL_BLOCK_LENGTH,
        DispatchClass::Operational | DispatchClass::Mandatory => MAX_BLOCK_LENGTH,
    };
    if next_len > max_len {
        return Err(exhausted);
    }
    let mut weight = system::BlockWeight::get();
    let added = extrinsic_weight(info);
    let class_weight = weight.get_mut(info.class);
    *class_weight = class_weight.saturating_add(added);
    match info.class {
        DispatchClass::Normal => {
            if weight.normal.any_gt(NORMAL_BLOCK_WEIGHT) || weight.total().any_gt(MAX_BLOCK_WEIGHT)
            {
                return Err(exhausted);
            }
        }
        DispatchClass::Operational => {
            if weight.total().any_gt(MAX_BLOCK_WEIGHT) {
                return Err(exhausted);
            }
        }
        DispatchClass::Mandatory => {}
    }
    Ok((weight, next_len))
}

/// [`check_weight`], then records the new totals in `System.BlockWeight` and
/// `System.AllExtrinsicsLen`.
fn note_weight(info: &DispatchInfo, len: u32) -> Result<(), TransactionValidityError> {
    let (weight, next_len) = check_weight(info, len)?;
    system::BlockWeight::put(weight);
    system::AllExtrinsicsLen::put(next_len);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_encodes_as_wallets_send_it() {
        // Mortal(64, 42), nonce 5, tip 0, metadata hash off.
        let extra = signed_extra(5, 0, Era::mortal(64, 42));
        assert_eq!(extra.encode(), vec![0xa5, 0x02, 5 << 2, 0, 0]);
        assert_eq!(SignedExtra::decode(&mut &extra.encode()[..]), Ok(extra));
        // Immortal, nonce 0, tip 1_000_000.
        let extra = signed_extra(0, 1_000_000, Era::Immortal);
        assert_eq!(extra.encode()[..2], [0, 0]);
        // A metadata mode other than 0 or 1 does not decode.
        assert!(SignedExtra::decode(&mut &[0u8, 0, 0, 2][..]).is_err());
    }

    #[test]
    fn additional_encodes_in_order() {
        let additional: AdditionalSigned = (
            (),
            100,
            1,
            H256::repeat_byte(1),
            H256::repeat_byte(2),
            (),
            (),
            (),
            None,
        );
        let bytes = additional.encode();
        assert_eq!(bytes.len(), 4 + 4 + 32 + 32 + 1);
        assert_eq!(&bytes[..8], &[100, 0, 0, 0, 1, 0, 0, 0]);
        assert_eq!(bytes[72], 0);
    }

    #[test]
    fn metadata_lists_the_nine_extensions_in_order() {
        let names: Vec<&str> = metadata().iter().map(|e| e.identifier).collect();
        assert_eq!(
            names,
            vec![
                "CheckNonZeroSender",
                "CheckSpecVersion",
                "CheckTxVersion",
                "CheckGenesis",
                "CheckMortality",
                "CheckNonce",
                "CheckWeight",
                "ChargeTransactionPayment",
                "CheckMetadataHash",
            ]
        );
    }
}
