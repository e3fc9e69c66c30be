//! Block authoring: Aura slots, round-robin among the validator set of the best block.
//!
//! Time is cut into slots of `slot_duration` milliseconds (`slot = unix_ms / slot_duration`).
//! The author of a slot is `authorities[slot % n]`, the Aura authorities of the best block's
//! state. When this node holds that authority's `aura` sr25519 key, at the start of the slot it
//!
//! 1. opens externalities over the best block's state and starts a block whose header carries
//!    `PreRuntime(*b"aura", SCALE(slot))` and its VRF `PreRuntime(*b"bvrf", ..)` over the epoch
//!    randomness and the slot ([`basalt_support::vrf`]);
//! 2. applies the inherents (the timestamp), then the pool's ready transactions in block order,
//!    trusting the pool's signature check (no second verification), until the block's weight or
//!    length limit is reached or a third of the slot has passed; transactions the runtime
//!    refuses are dropped from the block and reported to the pool;
//! 3. finalises the block, seals it (`Seal(*b"aura", sr25519 signature over the pre-seal header
//!    hash)`), and commits it with the trie nodes its execution produced, without executing it
//!    again; the network announces it and GRANDPA finalizes it with the other validators.
//!
//! Slots are skipped while the node is far behind its peers (major sync, counting only peers
//! that delivered the blocks they claim) and its best block is not from a recent slot: a block
//! built on a stale head would only fork the chain, but a node whose chain advances authors
//! whatever its peers claim.
//! Guarantees: a block is never authored twice for one slot, nor on a slot not after its
//! parent's; a failure to build (corrupt state, a runtime refusal of the inherents) skips the
//! slot with an error log and leaves the chain untouched.

use crate::client::{now_ms, short_hash, Client, ImportResult};
use crate::keystore::{Keystore, AURA};
use crate::pool::{Pool, PoolTransaction};
use basalt_consensus::aura::{self, AuraError};
use basalt_runtime::api;
use basalt_support::generic::{Block, Digest, Header, OpaqueExtrinsic};
use basalt_support::state::{Backend, Externalities};
use basalt_support::validity::{InvalidTransaction, TransactionValidityError};
use basalt_support::vrf;
use basalt_support::{AccountId, H256};
use sp_core::sr25519;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

const LOG: &str = "basalt::author";

/// How many transactions in a row may not fit in the block before the author stops trying
/// (the block is full; a smaller transaction further on might still fit, as in Substrate).
const MAX_SKIPPED_TRANSACTIONS: usize = 8;

/// Author settings.
#[derive(Clone, Debug)]
pub struct AuthorConfig {
    /// Slot length in milliseconds.
    pub slot_duration_ms: u64,
    /// The share of the slot spent applying transactions (Substrate's default: a third, the
    /// rest is for sealing, committing and propagating).
    pub proposing_fraction: f64,
    /// Testing only (`--test-equivocate`): also author a second, conflicting block in each of
    /// this node's slots, so that detection and slashing of equivocations can be tested.
    pub equivocate: bool,
}

/// A block built and executed, ready to be sealed.
pub struct Proposal {
    /// The block, header without seal.
    pub block: Block,
    /// The trie nodes of the new state.
    pub trie_nodes: crate::client::TrieNodes,
    /// The pool transactions included, in order.
    pub included: Vec<H256>,
    /// Pool transactions the runtime refused for good.
    pub invalid: Vec<H256>,
}

/// Why a block could not be built.
#[derive(Debug, thiserror::Error)]
pub enum AuthorError {
    /// The parent block is not in the database.
    #[error("unknown parent block {0:?}")]
    UnknownParent(H256),
    /// A state read found the database corrupt.
    #[error("the state of {0:?} is corrupt")]
    CorruptState(H256),
    /// The runtime refused the block's inherents or could not finalise it.
    #[error("the runtime refused the block: {0}")]
    Runtime(String),
    /// The keystore cannot sign with the authority key.
    #[error("the keystore cannot sign with the aura key {0}")]
    NoKey(AccountId),
    /// The client refused to commit.
    #[error(transparent)]
    Client(#[from] crate::client::ClientError),
}

/// Whether a signature the pool checked at block `checked_at` still holds for a block built on
/// `parent` (number `parent_number`): both are on the best chain and `checked_at` is not above
/// the parent, so every block the transaction's era can name is the same on both. Otherwise
/// (a reorg retracted the block it was checked at) the author checks it again.
pub fn signature_still_valid(
    client: &Client,
    parent: H256,
    parent_number: u32,
    checked_at: Option<(u32, H256)>,
) -> bool {
    let Some((number, hash)) = checked_at else {
        return false;
    };
    number <= parent_number
        && client.hash_at(parent_number) == Some(parent)
        && client.hash_at(number) == Some(hash)
}

/// Build a block on `parent_hash` for `slot` at `timestamp_ms` from `candidates` (in block
/// order), applying transactions until `deadline`. Signatures the pool checked on an ancestor
/// of the parent are not checked again ([`signature_still_valid`]).
pub fn build_block(
    client: &Client,
    keystore: &Keystore,
    author: &AccountId,
    parent_hash: H256,
    slot: u64,
    timestamp_ms: u64,
    candidates: &[Arc<PoolTransaction>],
    deadline: Instant,
) -> Result<Proposal, AuthorError> {
    let parent = client
        .header(parent_hash)
        .ok_or(AuthorError::UnknownParent(parent_hash))?;
    let state = client
        .state_at(parent_hash)
        .ok_or(AuthorError::UnknownParent(parent_hash))?;
    let mut ext = Externalities::new(state.clone() as Arc<dyn Backend>);
    let randomness = ext.execute_with(api::vrf_randomness);
    let pair = author_pair(keystore, author)?;
    let pre_header = Header {
        parent_hash,
        number: parent.number.saturating_add(1),
        state_root: H256::zero(),
        extrinsics_root: H256::zero(),
        digest: Digest {
            logs: vec![
                aura::pre_digest(slot),
                vrf::pre_digest(&pair, &randomness, slot),
            ],
        },
    };
    let started = Instant::now();
    let mut applied_at = started;
    let built = ext.execute_with(|| {
        api::initialize_block(&pre_header);
        let mut extrinsics: Vec<OpaqueExtrinsic> = Vec::with_capacity(candidates.len() + 1);
        for xt in api::inherent_extrinsics(timestamp_ms) {
            match api::apply_extrinsic(&xt) {
                Ok(Ok(())) => extrinsics.push(xt),
                Ok(Err(e)) => return Err(format!("an inherent failed: {e:?}")),
                Err(e) => return Err(format!("an inherent was refused: {}", e.message())),
            }
        }
        let mut included = Vec::new();
        let mut invalid = Vec::new();
        let mut skipped = 0usize;
        // Most transactions were checked at the same few blocks: decide once per block.
        let mut trusted: std::collections::HashMap<Option<(u32, H256)>, bool> =
            std::collections::HashMap::new();
        for tx in candidates {
            if Instant::now() >= deadline {
                tracing::debug!(target: LOG, "proposing time is up after {} transactions", included.len());
                break;
            }
            let checked = *trusted
                .entry(tx.checked_at)
                .or_insert_with(|| signature_still_valid(client, parent_hash, parent.number, tx.checked_at));
            match api::apply_extrinsic_prechecked(&tx.data, checked) {
                Ok(_) => {
                    extrinsics.push(tx.data.clone());
                    included.push(tx.hash);
                    skipped = 0;
                }
                Err(TransactionValidityError::Invalid(InvalidTransaction::ExhaustsResources)) => {
                    skipped += 1;
                    if skipped >= MAX_SKIPPED_TRANSACTIONS {
                        tracing::debug!(target: LOG, "the block is full");
                        break;
                    }
                }
                Err(TransactionValidityError::Invalid(reason)) => {
                    tracing::debug!(target: LOG, "dropping invalid transaction {:?}: {reason:?}", tx.hash);
                    invalid.push(tx.hash);
                }
                // Undecidable now; it stays in the pool for a later block.
                Err(TransactionValidityError::Unknown(_)) => {}
            }
        }
        applied_at = Instant::now();
        let header = api::finalize_block().map_err(|e| e.to_string())?;
        Ok((header, extrinsics, included, invalid))
    });
    if ext.is_corrupt() {
        return Err(AuthorError::CorruptState(parent_hash));
    }
    let (header, extrinsics, included, invalid) = built.map_err(AuthorError::Runtime)?;
    let (root, trie_nodes) = crate::client::post_state(ext, &state)
        .map_err(|_| AuthorError::CorruptState(parent_hash))?;
    tracing::debug!(
        target: LOG,
        "built #{} with {} transactions: apply {} ms, finalize and state root {} ms",
        header.number,
        included.len(),
        applied_at.duration_since(started).as_millis(),
        applied_at.elapsed().as_millis()
    );
    if root != header.state_root {
        return Err(AuthorError::Runtime(format!(
            "the runtime's state root {:?} differs from the trie's {root:?}",
            header.state_root
        )));
    }
    Ok(Proposal {
        block: Block { header, extrinsics },
        trie_nodes,
        included,
        invalid,
    })
}

/// Seal `header` with `author`'s aura key through basalt-consensus's [`aura::seal_header`]
/// (the sealing the seeded simulation runs): append `Seal(aura, signature over the pre-seal
/// header hash)`. Returns the pre-seal hash.
pub fn seal(
    header: &mut Header,
    keystore: &Keystore,
    author: &AccountId,
) -> Result<H256, AuthorError> {
    let pair = author_pair(keystore, author)?;
    let pre_hash = header.hash();
    aura::seal_header(header, &pair);
    Ok(pre_hash)
}

/// `author`'s Aura key pair, from the keystore: it seals the block and signs its VRF.
fn author_pair(keystore: &Keystore, author: &AccountId) -> Result<sr25519::Pair, AuthorError> {
    let public = sr25519::Public::from_raw(*<AccountId as AsRef<[u8; 32]>>::as_ref(author));
    keystore
        .sr25519_pair(AURA, &public)
        .ok_or_else(|| AuthorError::NoKey(author.clone()))
}

/// The authority of `slot` when this node holds its aura key.
fn our_authority(client: &Client, keystore: &Keystore, at: H256, slot: u64) -> Option<AccountId> {
    let authorities = match client.aura_keys_at(at) {
        Ok(a) => a,
        Err(error) => {
            tracing::error!(target: LOG, %error, "cannot read the Aura authorities");
            return None;
        }
    };
    let (_, author) = aura::slot_author(slot, &authorities)?;
    keystore
        .has_keys(&[(author.0.to_vec(), AURA)])
        .then(|| AccountId::new(author.0))
}

/// One slot: build, seal and commit a block if this node is the slot's author.
fn author_slot(
    client: &Client,
    pool: &Pool,
    keystore: &Keystore,
    config: &AuthorConfig,
    slot: u64,
) -> Result<(), AuthorError> {
    let started = Instant::now();
    let info = client.info();
    let parent_hash = info.best_hash;
    let Some(parent) = client.header(parent_hash) else {
        return Err(AuthorError::UnknownParent(parent_hash));
    };
    // Only a slot not after the parent's is skipped (a parent without a slot, genesis, bounds
    // nothing), by the rule block import applies.
    if let Err(AuraError::SlotNotIncreasing { .. }) = aura::ensure_slot_increases(&parent, slot) {
        return Ok(());
    }
    let Some(author) = our_authority(client, keystore, parent_hash, slot) else {
        return Ok(());
    };
    tracing::info!(
        target: LOG,
        "🙌 Starting consensus session on top of parent {} (#{})",
        short_hash(&parent_hash),
        info.best_number
    );
    let budget = Duration::from_millis(
        ((config.slot_duration_ms as f64) * config.proposing_fraction).max(1.0) as u64,
    );
    let deadline = started + budget;
    let candidates = pool.ready();
    let timestamp = now_ms().max(slot.saturating_mul(config.slot_duration_ms));
    let proposal = build_block(
        client,
        keystore,
        &author,
        parent_hash,
        slot,
        timestamp,
        &candidates,
        deadline,
    )?;
    if !proposal.invalid.is_empty() {
        pool.report_invalid(&proposal.invalid);
    }
    let Proposal {
        mut block,
        trie_nodes,
        included,
        ..
    } = proposal;
    let number = block.header.number;
    let hashes: Vec<String> = block
        .extrinsics
        .iter()
        .take(8)
        .map(|xt| format!("{:?}", xt.hash()))
        .collect();
    let more = block.extrinsics.len().saturating_sub(hashes.len());
    let pre_hash = seal(&mut block.header, keystore, &author)?;
    let hash = block.header.hash();
    tracing::info!(
        target: LOG,
        "🎁 Prepared block for proposing at {number} ({} ms) [hash: {pre_hash:?}; parent_hash: {parent_hash:?}; extrinsics ({}): [{}{}]]",
        started.elapsed().as_millis(),
        block.extrinsics.len(),
        hashes.join(", "),
        if more > 0 { format!(", … {more} more") } else { String::new() },
    );
    tracing::info!(
        target: LOG,
        "🔖 Pre-sealed block for proposal at {number}. Hash now {hash:?}, previously {pre_hash:?}."
    );
    if config.equivocate {
        equivocate(client, keystore, &block, slot, timestamp, &author)?;
    }
    match client.commit_own(block, trie_nodes, true)? {
        ImportResult::Imported { .. } => {
            tracing::debug!(
                target: LOG,
                "authored #{number} with {} transactions in {} ms",
                included.len(),
                started.elapsed().as_millis()
            );
        }
        ImportResult::AlreadyInChain => {}
    }
    Ok(())
}

/// Author a second block for `slot` on the parent of `first`, differing from it only in its
/// timestamp, and store it as a fork (the network announces it): an Aura equivocation.
fn equivocate(
    client: &Client,
    keystore: &Keystore,
    first: &Block,
    slot: u64,
    timestamp: u64,
    author: &AccountId,
) -> Result<(), AuthorError> {
    let far = Instant::now() + Duration::from_secs(60);
    let parent = first.header.parent_hash;
    let proposal = build_block(
        client,
        keystore,
        author,
        parent,
        slot,
        timestamp.saturating_add(1),
        &[],
        far,
    )?;
    let mut block = proposal.block;
    seal(&mut block.header, keystore, author)?;
    tracing::warn!(
        target: LOG,
        "😈 --test-equivocate: also authored {} for slot {slot}",
        short_hash(&block.header.hash())
    );
    client.commit_own(block, proposal.trie_nodes, false)?;
    Ok(())
}

/// Whether the best block is from one of the last `MAJOR_SYNC_DISTANCE` slots: a node whose
/// chain is advancing is at the tip, whatever its peers claim, and keeps authoring (a peer that
/// lies about its best block must not be able to stop block production).
fn best_is_recent(client: &Client, slot: u64) -> bool {
    client
        .header(client.info().best_hash)
        .and_then(|h| aura::find_slot(&h).ok())
        .is_some_and(|best| {
            slot.saturating_sub(best) <= u64::from(basalt_network::sync::MAJOR_SYNC_DISTANCE)
        })
}

/// The authoring task: waits for each slot and authors when it is this node's turn, until
/// `shutdown` turns true. The block in progress is finished before the task returns.
pub async fn run(
    client: Arc<Client>,
    pool: Arc<Pool>,
    keystore: Arc<Keystore>,
    config: AuthorConfig,
    is_major_syncing: Arc<dyn Fn() -> bool + Send + Sync>,
    mut shutdown: watch::Receiver<bool>,
) {
    let duration = config.slot_duration_ms.max(1);
    let mut last_slot = now_ms() / duration;
    loop {
        let now = now_ms();
        let next_slot_at = (now / duration + 1).saturating_mul(duration);
        let wait = Duration::from_millis(next_slot_at.saturating_sub(now));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            break;
        }
        let slot = now_ms() / duration;
        if slot <= last_slot {
            continue;
        }
        last_slot = slot;
        if is_major_syncing() && !best_is_recent(&client, slot) {
            tracing::debug!(target: LOG, "skipping slot {slot}: major sync in progress");
            continue;
        }
        let (c, p, k, cfg) = (
            client.clone(),
            pool.clone(),
            keystore.clone(),
            config.clone(),
        );
        let outcome =
            tokio::task::spawn_blocking(move || author_slot(&c, &p, &k, &cfg, slot)).await;
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::error!(target: LOG, "❌ Failed to author a block for slot {slot}: {error}")
            }
            Err(join) => {
                tracing::error!(target: LOG, "❌ The block author panicked in slot {slot}: {join}")
            }
        }
    }
    tracing::debug!(target: LOG, "block authoring stopped");
}
