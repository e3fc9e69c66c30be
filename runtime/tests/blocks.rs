//! Blocks built by the executive import on another state; tampered blocks do not.

mod common;

use basalt_runtime::executive::ExecuteBlockError;
use basalt_runtime::{api, UncheckedExtrinsic};
use basalt_support::generic::{Block, DigestItem, OpaqueExtrinsic};
use basalt_support::primitives::UNIT;
use basalt_support::validity::{InvalidTransaction, TransactionValidityError};
use basalt_support::H256;
use common::*;

fn block_with_transfers(chain: &Chain, n: u32) -> Block {
    let alice = alice();
    let first = chain.read(|| api::account_nonce(&alice.account()));
    let xts: Vec<OpaqueExtrinsic> = (first..first + n)
        .map(|i| {
            chain.sign(
                &alice,
                transfer(&bob().account(), UNIT),
                &SignOptions::nonce(i),
            )
        })
        .collect();
    let (block, results) = chain.build(&xts);
    assert!(results.iter().all(|r| *r == Ok(Ok(()))));
    block
}

#[test]
fn built_blocks_import_and_chain_on() {
    let mut chain = Chain::dev();
    for round in 0..3u32 {
        let block = block_with_transfers(&chain, 3);
        assert_eq!(block.header.number, round + 1);
        assert_eq!(
            block.header.extrinsics_root,
            block.compute_extrinsics_root()
        );
        assert_ne!(block.header.state_root, chain.head().state_root);
        // The author's digest survives, and a seal added afterwards is ignored on import.
        let mut sealed = block.clone();
        sealed
            .header
            .digest
            .logs
            .push(DigestItem::Seal(*b"aura", vec![1; 64]));
        chain.import(&sealed).expect("imports");
        let alice = alice().account();
        chain.read(|| assert_eq!(api::account_nonce(&alice), 3 * (round + 1)));
    }
    // System.Events of the last block: inherent success plus three transfers.
    let events = stored_events(&chain);
    let successes = events
        .iter()
        .filter(|(_, e)| {
            matches!(
                e,
                basalt_runtime::RuntimeEvent::System(pallet_system::Event::ExtrinsicSuccess { .. })
            )
        })
        .count();
    assert_eq!(successes, 4);
}

#[test]
fn import_makes_exactly_the_authors_changes() {
    let chain = Chain::dev();
    let alice = alice();
    let xts: Vec<OpaqueExtrinsic> = (0..3)
        .map(|i| {
            chain.sign(
                &alice,
                transfer(&bob().account(), UNIT),
                &SignOptions::nonce(i),
            )
        })
        .collect();
    let (block, _, author_changes) = chain.build_with_changes(&xts);
    let mut importer = chain.ext();
    importer
        .execute_with(|| api::execute_block(&block))
        .expect("imports");
    let import_changes = importer.into_changes();
    assert_eq!(import_changes, author_changes);
    let root = commit(&chain.store, chain.head().state_root, &import_changes);
    assert_eq!(root, block.header.state_root);
}

#[test]
fn tampered_blocks_are_rejected() {
    let chain = Chain::dev();
    let block = block_with_transfers(&chain, 2);
    let run = |block: &Block| chain.ext().execute_with(|| api::execute_block(block));
    assert_eq!(run(&block), Ok(()));

    let mut bad_root = block.clone();
    bad_root.header.state_root = H256::repeat_byte(1);
    assert!(matches!(
        run(&bad_root),
        Err(ExecuteBlockError::BadStateRoot { .. })
    ));

    let mut bad_xt_root = block.clone();
    bad_xt_root.header.extrinsics_root = H256::repeat_byte(1);
    assert!(matches!(
        run(&bad_xt_root),
        Err(ExecuteBlockError::BadExtrinsicsRoot { .. })
    ));

    // Dropping a transaction changes the extrinsics root (and the state).
    let mut dropped = block.clone();
    dropped.extrinsics.pop();
    assert!(matches!(
        run(&dropped),
        Err(ExecuteBlockError::BadExtrinsicsRoot { .. })
    ));

    // A flipped byte in a signed extrinsic breaks its signature (or its decoding).
    let mut flipped = block.clone();
    let mut body = flipped.extrinsics[1].body().to_vec();
    let last = body.len() - 1;
    body[last] ^= 1;
    flipped.extrinsics[1] = OpaqueExtrinsic::from_body(body);
    assert!(matches!(
        run(&flipped),
        Err(ExecuteBlockError::InvalidExtrinsic(1, _))
    ));

    // Reordered transactions: the second goes first with a future nonce.
    let mut reordered = block.clone();
    reordered.extrinsics.swap(1, 2);
    assert_eq!(
        run(&reordered),
        Err(ExecuteBlockError::InvalidExtrinsic(
            1,
            TransactionValidityError::Invalid(InvalidTransaction::Future)
        ))
    );

    // Without the timestamp inherent.
    let mut no_inherent = block.clone();
    no_inherent.extrinsics.remove(0);
    assert_eq!(run(&no_inherent), Err(ExecuteBlockError::MissingInherent));

    // The inherent twice, or not first.
    let mut twice = block.clone();
    twice.extrinsics.insert(1, block.extrinsics[0].clone());
    assert_eq!(
        run(&twice),
        Err(ExecuteBlockError::InvalidExtrinsic(
            1,
            TransactionValidityError::Invalid(InvalidTransaction::Call)
        ))
    );

    // A different digest than the one executed: only pre-runtime items are input to the
    // runtime, anything else must be what execution produced.
    let mut digest = block.clone();
    digest.header.digest.logs.push(DigestItem::Other(vec![1]));
    assert_eq!(run(&digest), Err(ExecuteBlockError::BadDigest));
    let mut consensus = block.clone();
    consensus
        .header
        .digest
        .logs
        .push(DigestItem::Consensus(*b"FRNK", vec![1, 0, 0, 0, 0, 0]));
    assert_eq!(run(&consensus), Err(ExecuteBlockError::BadDigest));
    // A different pre-runtime item is input, stored in `System.Digest`: the state differs.
    let mut pre = block.clone();
    pre.header
        .digest
        .logs
        .push(DigestItem::PreRuntime(*b"test", vec![1]));
    assert!(matches!(
        run(&pre),
        Err(ExecuteBlockError::BadStateRoot { .. })
    ));

    // A block number that does not follow the parent.
    let mut number = block.clone();
    number.header.number = 5;
    assert_eq!(
        run(&number),
        Err(ExecuteBlockError::BadBlockNumber {
            expected: 1,
            found: 5
        })
    );
}

#[test]
fn finalize_without_inherent_is_an_error() {
    let chain = Chain::dev();
    let header = chain.next_header(1);
    chain.ext().execute_with(|| {
        api::initialize_block(&header);
        assert_eq!(
            api::finalize_block(),
            Err(ExecuteBlockError::MissingInherent)
        );
    });
}

#[test]
fn a_failing_inherent_makes_the_block_invalid() {
    let mut chain = Chain::dev();
    chain.produce(&[]);
    // A timestamp before the previous block's fails the call: the inherent is refused.
    let early = OpaqueExtrinsic::from(&UncheckedExtrinsic::new_unsigned(
        basalt_runtime::timestamp_set_call(1),
    ));
    let header = chain.next_header(2);
    chain.ext().execute_with(|| {
        api::initialize_block(&header);
        assert_eq!(
            api::apply_extrinsic(&early),
            Err(TransactionValidityError::Invalid(
                InvalidTransaction::BadMandatory
            ))
        );
    });
}

#[test]
fn check_inherents_refuses_blocks_from_the_future() {
    let chain = Chain::dev();
    let block = block_with_transfers(&chain, 0);
    let now = chain.timestamp + SLOT_MS;
    assert!(api::check_inherents(&block, now).okay);
    assert!(api::check_inherents(&block, now - 29_000).okay);
    let far = api::check_inherents(&block, now - 31_000);
    assert!(!far.okay && far.fatal_error);
}

#[test]
fn imported_blocks_with_bad_signatures_are_rejected_at_the_first_one() {
    let chain = Chain::dev();
    let block = block_with_transfers(&chain, 3);
    let run = |block: &Block| chain.ext().execute_with(|| api::execute_block(block));
    // Extrinsic 2 (Alice's nonce 1) re-signed by Bob under Alice's address.
    let forged = {
        let honest = api::decode_extrinsic(&block.extrinsics[2]).expect("decodes");
        let by_bob = chain.sign(&bob(), honest.function.clone(), &SignOptions::nonce(1));
        let by_bob = api::decode_extrinsic(&by_bob).expect("decodes");
        let mut forged = honest;
        if let (Some((_, sig, _)), Some((_, bob_sig, _))) =
            (&mut forged.signature, &by_bob.signature)
        {
            *sig = *bob_sig;
        }
        OpaqueExtrinsic::from(&forged)
    };
    let bad_proof = TransactionValidityError::Invalid(InvalidTransaction::BadProof);
    let mut bad = block.clone();
    bad.extrinsics[2] = forged.clone();
    assert_eq!(
        run(&bad),
        Err(ExecuteBlockError::InvalidExtrinsic(2, bad_proof))
    );
    // A later extrinsic that fails on its own does not hide the earlier bad signature.
    let mut both = bad.clone();
    both.extrinsics[3] = block.extrinsics[1].clone();
    assert_eq!(
        run(&both),
        Err(ExecuteBlockError::InvalidExtrinsic(2, bad_proof))
    );
    // An earlier failure is reported first.
    let mut earlier = bad.clone();
    earlier.extrinsics[1] = block.extrinsics[3].clone();
    assert_eq!(
        run(&earlier),
        Err(ExecuteBlockError::InvalidExtrinsic(
            1,
            TransactionValidityError::Invalid(InvalidTransaction::Future)
        ))
    );
}
