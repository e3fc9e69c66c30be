//! Signed extrinsics from all three key schemes, and every way a transaction can be refused.

mod common;

use basalt_runtime::executive::ExecuteBlockError;
use basalt_runtime::extensions::{signed_extra, AdditionalSigned, CheckMetadataHash, Mode};
use basalt_runtime::limits::NORMAL_BLOCK_LENGTH;
use basalt_runtime::{api, RuntimeCall, RuntimeEvent, UncheckedExtrinsic};
use basalt_support::dispatch::{DispatchClass, ModuleError};
use basalt_support::generic::{Era, OpaqueExtrinsic};
use basalt_support::multiaddress::MultiAddress;
use basalt_support::primitives::UNIT;
use basalt_support::sp_core::Pair;
use basalt_support::validity::{InvalidTransaction, TransactionValidityError, UnknownTransaction};
use basalt_support::{AccountId, DispatchError, H256};
use codec::Encode;
use common::*;

/// The events the extrinsic at `index` of the last block emitted, in order.
fn events_of_extrinsic(chain: &Chain, index: u32) -> Vec<RuntimeEvent> {
    stored_events(chain)
        .into_iter()
        .filter(|(phase, _)| *phase == pallet_system::Phase::ApplyExtrinsic(index))
        .map(|(_, e)| e)
        .collect()
}

fn invalid(e: InvalidTransaction) -> TransactionValidityError {
    TransactionValidityError::Invalid(e)
}

#[test]
fn transfers_signed_with_every_scheme_apply() {
    let mut chain = Chain::dev();
    let alice = alice();
    let ed = Wallet::ed("//Edward");
    let ec = Wallet::ecdsa("//Ecdsa");
    // The ecdsa account is blake2_256 of the compressed public key, not the key itself.
    if let Wallet::Ecdsa(pair) = &ec {
        assert_eq!(
            ec.account(),
            AccountId::new(basalt_support::primitives::hashing::blake2_256(
                &pair.public().0
            ))
        );
    }
    let fund = [
        chain.sign(
            &alice,
            transfer(&ed.account(), 100 * UNIT),
            &SignOptions::nonce(0),
        ),
        chain.sign(
            &alice,
            transfer(&ec.account(), 100 * UNIT),
            &SignOptions::nonce(1),
        ),
    ];
    let (_, results) = chain.produce(&fund);
    assert_eq!(results, vec![Ok(Ok(())), Ok(Ok(()))]);
    assert_eq!(free_balance(&chain, &ed.account()), 100 * UNIT);

    let carol = AccountId::new([0xca; 32]);
    let sends = [
        chain.sign(&ed, transfer(&carol, 10 * UNIT), &SignOptions::nonce(0)),
        chain.sign(&ec, transfer(&carol, 10 * UNIT), &SignOptions::nonce(0)),
        chain.sign(&alice, transfer(&carol, 10 * UNIT), &SignOptions::nonce(2)),
    ];
    for xt in &sends {
        let valid = chain.validate(xt).expect("valid in the pool");
        assert!(valid.priority > 0);
        assert_eq!(valid.longevity, u64::MAX);
        assert!(valid.requires.is_empty());
    }
    let (_, results) = chain.produce(&sends);
    assert_eq!(results, vec![Ok(Ok(())), Ok(Ok(())), Ok(Ok(()))]);
    assert_eq!(free_balance(&chain, &carol), 30 * UNIT);
    chain.read(|| {
        assert_eq!(api::account_nonce(&ed.account()), 1);
        assert_eq!(api::account_nonce(&ec.account()), 1);
        assert_eq!(api::account_nonce(&alice.account()), 3);
    });
    // Each paid about 0.01 BSLT.
    let ed_left = free_balance(&chain, &ed.account());
    let fee = 90 * UNIT - ed_left;
    assert!(fee > UNIT / 200 && fee < UNIT / 50, "fee {fee}");
}

#[test]
fn bad_signature_genesis_or_versions_are_bad_proofs() {
    let chain = Chain::dev();
    let alice = alice();
    let call = transfer(&bob().account(), UNIT);
    let wrong = [
        SignOptions {
            genesis: Some(H256::repeat_byte(7)),
            ..SignOptions::nonce(0)
        },
        SignOptions {
            spec_version: 99,
            ..SignOptions::nonce(0)
        },
        SignOptions {
            tx_version: 1,
            ..SignOptions::nonce(0)
        },
    ];
    for opts in &wrong {
        let xt = chain.sign(&alice, call.clone(), opts);
        assert_eq!(
            chain.validate(&xt),
            Err(invalid(InvalidTransaction::BadProof))
        );
        assert_eq!(
            chain.try_apply(&xt).0,
            Err(invalid(InvalidTransaction::BadProof))
        );
    }
    // Bob's signature on Alice's extrinsic.
    let good = chain.sign(&alice, call.clone(), &SignOptions::nonce(0));
    let mut uxt = api::decode_extrinsic(&good).expect("decodes");
    let forged = chain.sign(&bob(), call, &SignOptions::nonce(0));
    let forged = api::decode_extrinsic(&forged).expect("decodes");
    if let (Some((_, sig, _)), Some((_, bob_sig, _))) = (&mut uxt.signature, &forged.signature) {
        *sig = *bob_sig;
    }
    let xt = OpaqueExtrinsic::from(&uxt);
    assert_eq!(
        chain.validate(&xt),
        Err(invalid(InvalidTransaction::BadProof))
    );
    assert_eq!(
        chain.try_apply(&xt).0,
        Err(invalid(InvalidTransaction::BadProof))
    );
    // An address that does not resolve.
    if let Some((address, ..)) = &mut uxt.signature {
        *address = MultiAddress::Index(());
    }
    let xt = OpaqueExtrinsic::from(&uxt);
    assert_eq!(
        chain.validate(&xt),
        Err(TransactionValidityError::Unknown(
            UnknownTransaction::CannotLookup
        ))
    );
}

#[test]
fn long_payloads_are_signed_through_their_hash() {
    let mut chain = Chain::dev();
    let remark = RuntimeCall::System(pallet_system::Call::remark_with_event {
        remark: vec![7; 1000],
    });
    let xt = chain.sign(&alice(), remark, &SignOptions::nonce(0));
    assert!(chain.validate(&xt).is_ok());
    let (_, results) = chain.produce(&[xt]);
    assert_eq!(results, vec![Ok(Ok(()))]);
}

#[test]
fn nonces_stale_and_future() {
    let mut chain = Chain::dev();
    let alice = alice();
    let first = chain.sign(
        &alice,
        transfer(&bob().account(), UNIT),
        &SignOptions::nonce(0),
    );
    chain.produce(std::slice::from_ref(&first));

    // Replaying nonce 0 is stale, in the pool and in a block.
    assert_eq!(
        chain.validate(&first),
        Err(invalid(InvalidTransaction::Stale))
    );
    assert_eq!(
        chain.try_apply(&first).0,
        Err(invalid(InvalidTransaction::Stale))
    );

    // Nonce 3 while the account is at 1: valid for the pool, requiring nonce 2; not in a block.
    let future = chain.sign(
        &alice,
        transfer(&bob().account(), UNIT),
        &SignOptions::nonce(3),
    );
    let valid = chain
        .validate(&future)
        .expect("future nonces wait in the pool");
    assert_eq!(valid.requires, vec![(alice.account(), 2u32).encode()]);
    assert_eq!(valid.provides, vec![(alice.account(), 3u32).encode()]);
    assert_eq!(
        chain.try_apply(&future).0,
        Err(invalid(InvalidTransaction::Future))
    );

    let next = chain.sign(
        &alice,
        transfer(&bob().account(), UNIT),
        &SignOptions::nonce(1),
    );
    let valid = chain.validate(&next).expect("valid");
    assert!(valid.requires.is_empty());
    assert_eq!(valid.provides, vec![(alice.account(), 1u32).encode()]);
}

#[test]
fn mortal_eras_live_for_their_period_only() {
    let mut chain = Chain::dev();
    let alice = alice();
    for _ in 0..5 {
        chain.produce(&[]);
    }
    // Born at block 5 (the best block), for 8 blocks: valid until block 12.
    let era = Era::mortal(8, 5);
    let opts = SignOptions {
        era,
        ..SignOptions::nonce(0)
    };
    let xt = chain.sign(&alice, transfer(&bob().account(), UNIT), &opts);
    let valid = chain.validate(&xt).expect("valid");
    assert_eq!(valid.longevity, 13 - 6, "from block 6 to its death at 13");
    for _ in 0..3 {
        chain.produce(&[]);
    }
    assert!(chain.validate(&xt).is_ok(), "still within its period");
    for _ in 0..5 {
        chain.produce(&[]);
    }
    // Block 14 would be built: the era now names block 13 as its birth, not block 5.
    assert_eq!(
        chain.validate(&xt),
        Err(invalid(InvalidTransaction::BadProof))
    );
    assert_eq!(
        chain.try_apply(&xt).0,
        Err(invalid(InvalidTransaction::BadProof))
    );

    // A birth block in the future is unknown.
    let ahead = SignOptions {
        era: Era::mortal(64, 40),
        birth: Some(H256::zero()),
        ..SignOptions::nonce(0)
    };
    let xt = chain.sign(&alice, transfer(&bob().account(), UNIT), &ahead);
    assert_eq!(
        chain.validate(&xt),
        Err(invalid(InvalidTransaction::AncientBirthBlock))
    );
}

#[test]
fn unfunded_senders_cannot_pay() {
    let chain = Chain::dev();
    let poor = Wallet::sr("//Nobody");
    let xt = chain.sign(&poor, transfer(&bob().account(), 1), &SignOptions::nonce(0));
    assert_eq!(
        chain.validate(&xt),
        Err(invalid(InvalidTransaction::Payment))
    );
    assert_eq!(
        chain.try_apply(&xt).0,
        Err(invalid(InvalidTransaction::Payment))
    );
}

#[test]
fn undecodable_and_trailing_bytes_are_refused() {
    let chain = Chain::dev();
    let good = chain.sign(
        &alice(),
        transfer(&bob().account(), UNIT),
        &SignOptions::nonce(0),
    );
    let mut trailing = good.body().to_vec();
    trailing.push(0);
    let garbage = [
        OpaqueExtrinsic::from_body(trailing),
        OpaqueExtrinsic::from_body(vec![0x84, 0xff, 0x00]),
        OpaqueExtrinsic::from_body(vec![]),
        OpaqueExtrinsic::from_body(vec![0x04, 9, 9]),
        OpaqueExtrinsic::from_body(good.body()[..good.body().len() - 1].to_vec()),
    ];
    for xt in &garbage {
        assert_eq!(chain.validate(xt), Err(invalid(InvalidTransaction::Call)));
        assert_eq!(
            chain.try_apply(xt).0,
            Err(invalid(InvalidTransaction::Call))
        );
    }
    // Full encodings with a bad length prefix or trailing bytes do not even make an extrinsic.
    let mut full = good.to_full_bytes();
    full.push(0);
    assert!(OpaqueExtrinsic::from_bytes(&full).is_err());
}

#[test]
fn unsigned_extrinsics_other_than_the_inherent_are_refused() {
    let chain = Chain::dev();
    let unsigned_transfer = OpaqueExtrinsic::from(&UncheckedExtrinsic::new_unsigned(transfer(
        &bob().account(),
        1,
    )));
    assert_eq!(
        chain.validate(&unsigned_transfer),
        Err(invalid(InvalidTransaction::Call))
    );
    assert_eq!(
        chain.try_apply(&unsigned_transfer).0,
        Err(invalid(InvalidTransaction::Call))
    );
    // The timestamp inherent is not a transaction, and only goes first in a block.
    let inherent = api::inherent_extrinsics(1).remove(0);
    assert_eq!(
        chain.validate(&inherent),
        Err(invalid(InvalidTransaction::MandatoryValidation))
    );
    assert_eq!(
        chain.try_apply(&inherent).0,
        Err(invalid(InvalidTransaction::Call))
    );
    // Signed, the inherent call is refused too.
    let signed = chain.sign(
        &alice(),
        basalt_runtime::timestamp_set_call(5),
        &SignOptions::nonce(0),
    );
    assert_eq!(
        chain.validate(&signed),
        Err(invalid(InvalidTransaction::MandatoryValidation))
    );
    assert_eq!(
        chain.try_apply(&signed).0,
        Err(invalid(InvalidTransaction::BadMandatory))
    );
}

#[test]
fn zero_sender_is_a_bad_signer() {
    // Nobody can sign for the zero key, so the check is reached through a pre-checked signature.
    let chain = Chain::dev();
    let call = transfer(&bob().account(), 1);
    let xt = UncheckedExtrinsic::new_signed(
        call,
        MultiAddress::Id(AccountId::new([0; 32])),
        basalt_support::multisig::MultiSignature::Sr25519([0; 64]),
        signed_extra(0, 0, Era::Immortal),
    );
    let xt = OpaqueExtrinsic::from(&xt);
    let header = chain.next_header(1);
    chain.ext().execute_with(|| {
        api::initialize_block(&header);
        for inherent in api::inherent_extrinsics(chain.timestamp + SLOT_MS) {
            assert_eq!(api::apply_extrinsic(&inherent), Ok(Ok(())));
        }
        assert_eq!(
            api::check_signatures_parallel(std::slice::from_ref(&xt)),
            vec![false]
        );
        assert_eq!(
            api::apply_extrinsic_prechecked(&xt, true),
            Err(invalid(InvalidTransaction::BadSigner))
        );
        assert_eq!(
            api::apply_extrinsic_prechecked(&xt, false),
            Err(invalid(InvalidTransaction::BadProof))
        );
    });
}

#[test]
fn metadata_hash_mode_enabled_is_refused() {
    let chain = Chain::dev();
    let alice = alice();
    let mut extra = signed_extra(0, 0, Era::Immortal);
    extra.8 = CheckMetadataHash {
        mode: Mode::Enabled,
    };
    let genesis = chain.genesis_hash();
    let additional: AdditionalSigned = ((), 100, 1, genesis, genesis, (), (), (), Some([1; 32]));
    let xt = sign_parts(&alice, transfer(&bob().account(), 1), extra, &additional);
    assert_eq!(
        chain.validate(&xt),
        Err(invalid(InvalidTransaction::BadProof))
    );
}

#[test]
fn oversized_extrinsics_exhaust_the_block() {
    let chain = Chain::dev();
    let remark = RuntimeCall::System(pallet_system::Call::remark {
        remark: vec![0; NORMAL_BLOCK_LENGTH as usize],
    });
    let xt = chain.sign(&alice(), remark, &SignOptions::nonce(0));
    assert_eq!(
        chain.validate(&xt),
        Err(invalid(InvalidTransaction::ExhaustsResources))
    );
    assert_eq!(
        chain.try_apply(&xt).0,
        Err(invalid(InvalidTransaction::ExhaustsResources))
    );
}

#[test]
fn a_failing_call_pays_its_fee_and_changes_nothing_else() {
    let mut chain = Chain::dev();
    let alice = alice();
    let bob = bob().account();
    let before_alice = free_balance(&chain, &alice.account());
    let before_bob = free_balance(&chain, &bob);
    let treasury_before = free_balance(&chain, &basalt_runtime::Treasury::account_id());
    let issuance_before = chain.read(basalt_runtime::Balances::total_issuance);
    let xt = chain.sign(
        &alice,
        transfer(&bob, before_alice * 2),
        &SignOptions::nonce(0),
    );
    let (block, results) = chain.produce(&[xt]);
    let Ok(Err(DispatchError::Module(ModuleError { index, .. }))) = results[0] else {
        panic!("the transfer fails in its pallet: {:?}", results[0]);
    };
    assert_eq!(index, 2, "Balances' index");
    assert_eq!(
        block.extrinsics.len(),
        2,
        "the failed extrinsic is included"
    );

    let of_xt = events_of_extrinsic(&chain, 1);
    let fee = match of_xt.first() {
        Some(RuntimeEvent::Balances(pallet_balances::Event::Withdraw { who, amount })) => {
            assert_eq!(*who, alice.account());
            *amount
        }
        other => panic!("first event is the fee withdrawal: {other:?}"),
    };
    assert!(of_xt.iter().any(|e| matches!(e,
        RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid { who, actual_fee, tip: 0 })
            if *who == alice.account() && *actual_fee == fee)));
    match of_xt.last() {
        Some(RuntimeEvent::System(pallet_system::Event::ExtrinsicFailed {
            dispatch_error,
            dispatch_info,
        })) => {
            assert!(matches!(
                dispatch_error,
                DispatchError::Module(ModuleError { index: 2, .. })
            ));
            assert_eq!(dispatch_info.class, DispatchClass::Normal);
        }
        other => panic!("last event is ExtrinsicFailed: {other:?}"),
    }
    assert!(!of_xt.iter().any(|e| matches!(
        e,
        RuntimeEvent::Balances(pallet_balances::Event::Transfer { .. })
    )));

    let (treasury, burned) = (fee * 50 / 100, fee * 20 / 100);
    let author = fee - treasury - burned;
    assert_eq!(
        free_balance(&chain, &alice.account()),
        before_alice - fee,
        "Alice authored, but her 30% waits in staking for the era's payout"
    );
    assert_eq!(
        chain.read(|| pallet_staking::ErasValidatorFees::get(0, alice.account())),
        author,
        "the author's share is credited to her era reward"
    );
    assert_eq!(free_balance(&chain, &bob), before_bob);
    assert_eq!(
        free_balance(&chain, &basalt_runtime::Treasury::account_id()),
        treasury_before + treasury
    );
    assert_eq!(
        chain.read(basalt_runtime::Balances::total_issuance),
        issuance_before - burned - author,
        "burned for good; the author's share is minted again when it is paid out"
    );
    chain.read(|| assert_eq!(api::account_nonce(&alice.account()), 1));
}

#[test]
fn successful_transfer_events_in_substrate_order() {
    let mut chain = Chain::dev();
    let alice = alice();
    let dave = Wallet::sr("//NewAccount").account();
    let xt = chain.sign(
        &alice,
        transfer(&dave, UNIT),
        &SignOptions {
            tip: 1_000,
            ..SignOptions::nonce(0)
        },
    );
    chain.produce(&[xt]);
    let events = events_of_extrinsic(&chain, 1);
    assert!(matches!(
        events.first(),
        Some(RuntimeEvent::Balances(
            pallet_balances::Event::Withdraw { .. }
        ))
    ));
    assert!(events.iter().any(|e| matches!(e, RuntimeEvent::System(pallet_system::Event::NewAccount { account }) if *account == dave)));
    assert!(events.iter().any(|e| matches!(e, RuntimeEvent::Balances(pallet_balances::Event::Transfer { to, .. }) if *to == dave)));
    assert!(events.iter().any(|e| matches!(
        e,
        RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid {
            tip: 1_000,
            ..
        })
    )));
    assert!(matches!(
        events.last(),
        Some(RuntimeEvent::System(
            pallet_system::Event::ExtrinsicSuccess { .. }
        ))
    ));
    assert_eq!(free_balance(&chain, &dave), UNIT);
}

#[test]
fn higher_tips_get_higher_priority() {
    let chain = Chain::dev();
    let low = chain.sign(
        &alice(),
        transfer(&bob().account(), UNIT),
        &SignOptions::nonce(0),
    );
    let high = chain.sign(
        &alice(),
        transfer(&bob().account(), UNIT),
        &SignOptions {
            tip: UNIT,
            ..SignOptions::nonce(0)
        },
    );
    let low = chain.validate(&low).expect("valid").priority;
    let high = chain.validate(&high).expect("valid").priority;
    assert!(high > low);
}

#[test]
fn sudo_dispatches_as_root_for_the_key_only() {
    let mut chain = Chain::dev();
    let target = AccountId::new([0x42; 32]);
    let set = RuntimeCall::Balances(pallet_balances::Call::force_set_balance {
        who: MultiAddress::Id(target.clone()),
        new_free: 5 * UNIT,
    });
    let sudo = RuntimeCall::Sudo(pallet_sudo::Call::sudo {
        call: Box::new(set.clone()),
    });
    let by_bob = chain.sign(&bob(), sudo.clone(), &SignOptions::nonce(0));
    let by_alice = chain.sign(&alice(), sudo, &SignOptions::nonce(0));
    let (_, results) = chain.produce(&[by_bob, by_alice]);
    assert!(matches!(
        results[0],
        Ok(Err(DispatchError::Module(ModuleError { index: 4, .. })))
    ));
    assert_eq!(results[1], Ok(Ok(())));
    assert_eq!(free_balance(&chain, &target), 5 * UNIT);
    // Without sudo, root calls are refused.
    let direct = chain.sign(&alice(), set, &SignOptions::nonce(1));
    let (_, results) = chain.produce(&[direct]);
    assert_eq!(results[0], Ok(Err(DispatchError::BadOrigin)));
}

#[test]
fn parallel_signature_checks_agree_with_apply() {
    let chain = Chain::dev();
    let good = chain.sign(
        &alice(),
        transfer(&bob().account(), UNIT),
        &SignOptions::nonce(0),
    );
    let bad = chain.sign(
        &alice(),
        transfer(&bob().account(), UNIT),
        &SignOptions {
            spec_version: 1,
            ..SignOptions::nonce(1)
        },
    );
    let inherent = api::inherent_extrinsics(chain.timestamp + SLOT_MS).remove(0);
    let garbage = OpaqueExtrinsic::from_body(vec![1, 2, 3]);
    let header = chain.next_header(1);
    chain.ext().execute_with(|| {
        api::initialize_block(&header);
        let checks = api::check_signatures_parallel(&[
            inherent.clone(),
            good.clone(),
            bad.clone(),
            garbage.clone(),
        ]);
        assert_eq!(checks, vec![true, true, false, false]);
        assert_eq!(
            api::apply_extrinsic_prechecked(&inherent, checks[0]),
            Ok(Ok(()))
        );
        assert_eq!(
            api::apply_extrinsic_prechecked(&good, checks[1]),
            Ok(Ok(()))
        );
        assert_eq!(
            api::apply_extrinsic_prechecked(&bad, checks[2]),
            Err(invalid(InvalidTransaction::BadProof))
        );
    });
    let _ = ExecuteBlockError::MissingInherent;
}

/// A call that used less weight than it declared is refunded: the fee is corrected to the
/// actual weight, the difference returns to the payer, the treasury/burn/author split is taken
/// of the corrected fee, and `ExtrinsicSuccess` reports the actual weight.
#[test]
fn a_call_that_used_less_weight_is_refunded_and_split_on_the_corrected_fee() {
    use basalt_runtime::extensions::extrinsic_weight;
    use basalt_support::dispatch::{Dispatchable, PostDispatchInfo};

    let mut chain = Chain::dev();
    let alice = alice();
    // Sudo: delete up to 1,000 keys under a prefix that has none. Declared for 1,000 writes;
    // it reports sudo's base plus zero writes.
    let call = RuntimeCall::Sudo(pallet_sudo::Call::sudo {
        call: Box::new(RuntimeCall::System(pallet_system::Call::kill_prefix {
            prefix: b"no-such-prefix:".to_vec(),
            subkeys: 1_000,
        })),
    });
    let declared = Dispatchable::<basalt_runtime::Runtime>::dispatch_info(&call);
    let actual = PostDispatchInfo {
        actual_weight: Some(
            pallet_sudo::weights::sudo().saturating_add(pallet_system::weights::writes(0)),
        ),
        pays_fee: basalt_support::dispatch::Pays::Yes,
    }
    .corrected(&declared);
    assert!(actual.weight.ref_time < declared.weight.ref_time);

    let before_alice = free_balance(&chain, &alice.account());
    let treasury_before = free_balance(&chain, &basalt_runtime::Treasury::account_id());
    let issuance_before = chain.read(basalt_runtime::Balances::total_issuance);
    let xt = chain.sign(&alice, call, &SignOptions::nonce(0));
    let len = basalt_runtime::executive::encoded_len(&xt);
    let (declared_fee, corrected_fee) = chain.read(|| {
        (
            basalt_runtime::TransactionPayment::compute_fee(len, &declared, 0),
            basalt_runtime::TransactionPayment::compute_fee(len, &actual, 0),
        )
    });
    assert!(
        corrected_fee < declared_fee,
        "{corrected_fee} < {declared_fee}"
    );
    let (_, results) = chain.produce(&[xt]);
    assert_eq!(results[0], Ok(Ok(())));

    let of_xt = events_of_extrinsic(&chain, 1);
    // The declared fee is withdrawn first, then the unused part comes back.
    assert!(matches!(of_xt.first(),
        Some(RuntimeEvent::Balances(pallet_balances::Event::Withdraw { amount, .. })) if *amount == declared_fee));
    assert!(
        of_xt.iter().any(|e| matches!(e,
            RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid { actual_fee, .. })
                if *actual_fee == corrected_fee)),
        "{of_xt:?}"
    );
    match of_xt.last() {
        Some(RuntimeEvent::System(pallet_system::Event::ExtrinsicSuccess { dispatch_info })) => {
            assert_eq!(dispatch_info.weight, extrinsic_weight(&actual));
            assert!(dispatch_info.weight.ref_time < extrinsic_weight(&declared).ref_time);
        }
        other => panic!("last event is ExtrinsicSuccess: {other:?}"),
    }

    let (treasury, burned) = (corrected_fee * 50 / 100, corrected_fee * 20 / 100);
    let author = corrected_fee - treasury - burned;
    assert_eq!(
        free_balance(&chain, &alice.account()),
        before_alice - corrected_fee,
        "Alice paid only the corrected fee"
    );
    assert_eq!(
        free_balance(&chain, &basalt_runtime::Treasury::account_id()),
        treasury_before + treasury
    );
    assert_eq!(
        chain.read(|| pallet_staking::ErasValidatorFees::get(0, alice.account())),
        author
    );
    assert_eq!(
        chain.read(basalt_runtime::Balances::total_issuance),
        issuance_before - burned - author,
        "issuance moves by the corrected fee's burn and author parts only"
    );
    // The block's weight counts what the call used, not what it declared.
    let block_weight = chain.read(pallet_system::BlockWeight::get);
    assert!(
        block_weight.operational.ref_time < extrinsic_weight(&declared).ref_time,
        "{block_weight:?}"
    );
}
