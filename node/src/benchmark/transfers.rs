//! `basalt benchmark transfers`: how many signed balance transfers per second the node turns
//! into blocks, measured on the real code paths without networking or RPC in the way.
//!
//! On a temporary dev chain it signs `count` transfers per block (from the six funded dev
//! accounts to fresh accounts), then times each stage a transfer goes through in a node:
//!
//! 1. **pool**: `Pool::submit_batch`, i.e. runtime validation with signature checks in parallel;
//! 2. **build**: the author's [`build_block`] over the pool's ready queue (signatures trusted),
//!    state root and trie nodes, sealing, and the durable commit;
//! 3. **import**: a second node's [`Client::import_block`], which re-executes the block (with
//!    its own parallel signature check), recomputes the roots and commits it.
//!
//! It prints each stage's rate and the end-to-end rate of one node (pool + build), which is
//! the throughput a single validator can sustain, and of a follower (import).

use crate::author::{build_block, seal};
use crate::chain_spec::ChainSpec;
use crate::cli::BenchmarkTransfersCmd;
use crate::client::{BlockOrigin, Client};
use crate::keystore::{Keystore, Scheme, AURA};
use crate::pool::{Pool, PoolOptions};
use crate::service::open_client;
use anyhow::{anyhow, bail};
use basalt_runtime::extensions::{signed_extra, AdditionalSigned};
use basalt_runtime::{genesis, RuntimeCall, UncheckedExtrinsic};
use basalt_support::generic::{Era, OpaqueExtrinsic, SignedBlock};
use basalt_support::multiaddress::MultiAddress;
use basalt_support::multisig::MultiPair;
use basalt_support::validity::TransactionSource;
use basalt_support::{AccountId, H256};
use rayon::prelude::*;
use sp_core::crypto::Pair as _;
use sp_core::sr25519;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sign `count` transfers: sender `i % senders.len()`, nonces continuing from `nonces`.
fn sign_transfers(
    senders: &[MultiPair],
    nonces: &mut [u32],
    count: usize,
    genesis_hash: H256,
    round: u32,
) -> Vec<OpaqueExtrinsic> {
    let additional: AdditionalSigned = (
        (),
        basalt_runtime::version::SPEC_VERSION,
        basalt_runtime::version::TRANSACTION_VERSION,
        genesis_hash,
        genesis_hash,
        (),
        (),
        (),
        None,
    );
    let jobs: Vec<(usize, u32, usize)> = (0..count)
        .map(|i| {
            let s = i % senders.len();
            let nonce = nonces[s];
            nonces[s] += 1;
            (s, nonce, i)
        })
        .collect();
    jobs.into_par_iter()
        .map(|(s, nonce, i)| {
            let mut dest = [0u8; 32];
            dest[..4].copy_from_slice(&round.to_le_bytes());
            dest[4..12].copy_from_slice(&(i as u64).to_le_bytes());
            dest[31] = 0xbe;
            let call = RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
                dest: MultiAddress::Id(AccountId::new(dest)),
                value: basalt_support::UNIT,
            });
            let xt = UncheckedExtrinsic::new_signed_by(
                call,
                signed_extra(nonce, 0, Era::Immortal),
                &additional,
                &senders[s],
            );
            OpaqueExtrinsic::from(&xt)
        })
        .collect()
}

fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// Run the transfer benchmark and print its report.
pub fn transfers(cmd: BenchmarkTransfersCmd) -> anyhow::Result<()> {
    if cmd.count == 0 || cmd.blocks == 0 {
        bail!("--count and --blocks must be at least 1");
    }
    let dir = tempfile::Builder::new().prefix("basalt-bench").tempdir()?;
    let author_client = open_client(&dir.path().join("author"), ChainSpec::dev())?;
    let import_client = open_client(&dir.path().join("import"), ChainSpec::dev())?;
    let keystore = Keystore::in_memory();
    let alice = keystore.insert_suri(AURA, Scheme::Sr25519, "//Alice")?;
    let alice = AccountId::new(
        alice
            .try_into()
            .map_err(|_| anyhow!("Alice's key is not 32 bytes"))?,
    );
    let senders: Vec<MultiPair> = genesis::DEV_ACCOUNTS
        .iter()
        .map(|name| {
            sr25519::Pair::from_string(&format!("//{name}"), None)
                .map(MultiPair::from)
                .map_err(|e| anyhow!("dev key {name}: {e:?}"))
        })
        .collect::<anyhow::Result<_>>()?;
    let mut nonces = vec![0u32; senders.len()];
    let genesis_hash = author_client.info().genesis_hash;
    let per_sender = cmd.count.div_ceil(senders.len());
    let options = PoolOptions {
        ready: crate::pool::queue::Limit {
            count: cmd.count.max(PoolOptions::default().ready.count),
            bytes: usize::MAX / 2,
        },
        max_per_sender: per_sender.max(PoolOptions::default().max_per_sender),
        ..PoolOptions::default()
    };
    println!(
        "Benchmark: {} blocks of {} signed transfers (sr25519) on a temporary dev chain, {} threads",
        cmd.blocks,
        cmd.count,
        rayon::current_num_threads()
    );
    let (mut pool_time, mut build_time, mut import_time) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut total = 0usize;
    let slot_base = crate::client::now_ms() / 1000;
    for round in 0..cmd.blocks {
        let xts = sign_transfers(&senders, &mut nonces, cmd.count, genesis_hash, round);

        // Stage 1: the pool validates (signatures checked in parallel).
        let pool = Pool::new(author_client.clone(), options.clone());
        let started = Instant::now();
        let results = pool.submit_batch(TransactionSource::Local, xts);
        let pool_elapsed = started.elapsed();
        let refused = results.iter().filter(|r| r.is_err()).count();
        if let Some(Err(error)) = results.iter().find(|r| r.is_err()) {
            bail!(
                "the pool refused {refused} of {} transfers, e.g.: {error}",
                cmd.count
            );
        }

        // Stage 2: build, seal and commit (what the author does in a slot).
        let started = Instant::now();
        let candidates = pool.ready();
        let best = author_client.info().best_hash;
        let slot = slot_base + u64::from(round) + 1;
        let proposal = build_block(
            &author_client,
            &keystore,
            &alice,
            best,
            slot,
            slot * 1000,
            &candidates,
            Instant::now() + Duration::from_secs(3600),
        )?;
        let included = proposal.included.len();
        let mut block = proposal.block;
        seal(&mut block.header, &keystore, &alice)?;
        author_client.commit_own(block.clone(), proposal.trie_nodes, true)?;
        let build_elapsed = started.elapsed();
        if included != cmd.count {
            println!(
                "  block #{} holds {included} of {} transfers (block limits); rates count included ones",
                block.header.number, cmd.count
            );
        }

        // Stage 3: a follower re-executes and commits it.
        let started = Instant::now();
        import(&import_client, block)?;
        let import_elapsed = started.elapsed();

        println!(
            "  block {}: {included} transfers | pool {:>8.0}/s | build+commit {:>8.0}/s | import {:>8.0}/s",
            round + 1,
            rate(cmd.count, pool_elapsed),
            rate(included, build_elapsed),
            rate(included, import_elapsed),
        );
        pool_time += pool_elapsed;
        build_time += build_elapsed;
        import_time += import_elapsed;
        total += included;
    }
    let submitted = cmd.count * cmd.blocks as usize;
    println!("Totals over {} blocks, {total} transfers:", cmd.blocks);
    println!(
        "  pool validation:      {:>9.0} transfers/s",
        rate(submitted, pool_time)
    );
    println!(
        "  build + commit:       {:>9.0} transfers/s",
        rate(total, build_time)
    );
    println!(
        "  import (re-execute):  {:>9.0} transfers/s",
        rate(total, import_time)
    );
    println!(
        "  author node (pool + build): {:>9.0} transfers/s",
        rate(total, pool_time + build_time)
    );
    Ok(())
}

fn import(client: &Arc<Client>, block: basalt_support::generic::Block) -> anyhow::Result<()> {
    client.import_block(
        SignedBlock {
            block,
            justifications: None,
        },
        BlockOrigin::NetworkBroadcast,
    )?;
    Ok(())
}
