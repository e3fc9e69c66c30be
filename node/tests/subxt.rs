//! subxt, the Rust client Substrate users reach for, with its dynamic API (no code generation)
//! against the real `basalt --dev`: constants and storage read through metadata, finalized blocks
//! followed, a transfer signed, submitted and watched to finality with its events and fee, and a
//! transaction from an account that cannot pay refused with a clear error. subxt picks the new
//! JSON-RPC interface (chainHead_v1, transaction_v1, archive_v1_storage) when the node offers it,
//! as Basalt does. With `BASALT_URL` set (a validator of scripts/testnet.sh), it runs against that
//! node instead of starting one.

mod common;

use common::Node;
use scale_decode::DecodeAsType;
use subxt::dynamic;
use subxt::{OnlineClient, PolkadotConfig};
use subxt_signer::sr25519::{dev, Keypair};

const UNIT: u128 = 1_000_000_000_000;

#[derive(Debug, DecodeAsType)]
struct AccountInfo {
    data: AccountData,
}

#[derive(Debug, DecodeAsType)]
struct AccountData {
    free: u128,
}

#[derive(Debug, DecodeAsType)]
struct RuntimeVersion {
    spec_name: String,
    spec_version: u32,
}

#[derive(Debug, DecodeAsType)]
struct FeePaid {
    actual_fee: u128,
}

#[derive(Debug, DecodeAsType)]
struct Transfer {
    amount: u128,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subxt_reads_follows_signs_watches_and_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (node, url) = match std::env::var("BASALT_URL") {
        Ok(url) => (None, url),
        Err(_) => {
            let node = Node::start(dir.path(), &["--dev", "--slot-duration-ms", "500"]);
            let url = format!("ws://127.0.0.1:{}", node.rpc_port);
            (Some(node), url)
        }
    };
    let log = || node.as_ref().map_or(String::new(), |n| n.log_tail(40));
    let api = OnlineClient::<PolkadotConfig>::from_insecure_url(&url)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}\n{}", log()));
    let at = api.at_current_block().await.expect("the current block");

    // Constants, decoded from metadata.
    let ss58 = at
        .constants()
        .entry(dynamic::constant::<u16>("System", "SS58Prefix"))
        .expect("SS58Prefix");
    assert_eq!(ss58, 42);
    let version = at
        .constants()
        .entry(dynamic::constant::<RuntimeVersion>("System", "Version"))
        .expect("Version");
    assert_eq!(version.spec_name, "basalt");
    assert_eq!(version.spec_version, basalt_runtime::version::SPEC_VERSION);

    // Storage.
    let account = dynamic::storage::<([u8; 32],), AccountInfo>("System", "Account");
    let (alice, dest) = (
        dev::alice(),
        Keypair::from_secret_key([7; 32]).expect("a key"),
    );
    let free_at = |at: subxt::client::ClientAtBlock<PolkadotConfig, _>, who: [u8; 32]| {
        let account = account.clone();
        async move {
            match at
                .storage()
                .try_fetch(account, (who,))
                .await
                .expect("storage")
            {
                Some(v) => v.decode().expect("AccountInfo").data.free,
                None => 0,
            }
        }
    };
    let before = free_at(at.clone(), alice.public_key().0).await;
    assert!(before > 0);

    // Two finalized blocks in a row.
    let mut blocks = api.stream_blocks().await.expect("finalized blocks");
    let first = blocks
        .next()
        .await
        .expect("a block")
        .expect("a block")
        .number();
    let second = blocks
        .next()
        .await
        .expect("a block")
        .expect("a block")
        .number();
    assert!(second > first, "{first} then {second}");
    drop(blocks);

    // A transfer, signed, submitted and watched to finality.
    let amount = 3 * UNIT;
    let tx = dynamic::transaction(
        "Balances",
        "transfer_keep_alive",
        (dest.public_key().to_address::<()>(), amount),
    );
    let progress = at
        .transactions()
        .sign_and_submit_then_watch_default(&tx, &alice)
        .await
        .expect("submitted");
    let in_block = progress.wait_for_finalized().await.expect("finalized");
    let block = in_block.block_hash();
    let events = in_block.wait_for_success().await.expect("succeeded");
    let mut fee = None;
    let mut transferred = None;
    for event in events.iter() {
        let event = event.expect("an event");
        match (event.pallet_name(), event.event_name()) {
            ("TransactionPayment", "TransactionFeePaid") => {
                fee = Some(
                    event
                        .decode_fields_unchecked_as::<FeePaid>()
                        .expect("fee")
                        .actual_fee,
                )
            }
            ("Balances", "Transfer") => {
                transferred = Some(
                    event
                        .decode_fields_unchecked_as::<Transfer>()
                        .expect("transfer")
                        .amount,
                )
            }
            _ => {}
        }
    }
    let fee = fee.expect("a TransactionFeePaid event");
    assert_eq!(transferred, Some(amount));
    let after = api.at_block(block).await.expect("the inclusion block");
    assert_eq!(free_at(after.clone(), dest.public_key().0).await, amount);
    assert_eq!(
        free_at(after, alice.public_key().0).await,
        before - amount - fee
    );

    // An account with nothing cannot pay: refused before any block, with the reason.
    let pauper = Keypair::from_secret_key([9; 32]).expect("a key");
    let at = api.at_current_block().await.expect("the current block");
    let refused = at
        .transactions()
        .sign_and_submit_then_watch_default(&tx, &pauper)
        .await;
    let message = match refused {
        Err(e) => e.to_string(),
        Ok(progress) => match progress.wait_for_finalized_success().await {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a transaction from an empty account was included"),
        },
    };
    assert!(
        message.to_lowercase().contains("invalid") || message.to_lowercase().contains("pay"),
        "{message}"
    );
    if let Some(node) = node {
        node.terminate();
    }
}
