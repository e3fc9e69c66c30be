//! GRANDPA in the node: the consensus crate's worker over the node's client.
//!
//! [`ClientTree`] answers the worker's questions from the client ([`BlockTree`]: headers on
//! every fork, the finalized block, the best chain above a base, durable finalization with the
//! justification stored in RocksDB) and tells it who the validators are ([`AuthoritySource`]:
//! Aura authors from the state of the block asked about; the GRANDPA set of genesis to start
//! from, later sets arriving in `FRNK` header digests). [`start`] builds the worker with the
//! node's durable voter state (`<chain>/grandpa/voter-state`, fsynced before each vote leaves
//! the node) and the GRANDPA key from the keystore, and spawns it.
//!
//! The network side (gossip in and out, block requests, peer reports) is wired in
//! [`crate::networking`].

use crate::client::{Client, ClientError};
use crate::keystore::{Keystore, GRANDPA};
use basalt_consensus::authorities::{AuthorityList, AuthoritySource, SetId};
use basalt_consensus::chain::{BlockTree, ChainError};
use basalt_consensus::grandpa::{
    FileVoterStateStore, GrandpaConfig, GrandpaHandle, GrandpaInput, GrandpaOutput, GrandpaParams,
    GrandpaWorker, LocalKeys, SystemClock,
};
use basalt_support::generic::Header;
use basalt_support::H256;
use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use sp_core::{ed25519, sr25519};
use std::path::Path;
use std::sync::Arc;

const LOG: &str = "basalt::grandpa";

/// The client as GRANDPA's block tree and validator-set source.
pub struct ClientTree(pub Arc<Client>);

impl BlockTree for ClientTree {
    fn header(&self, hash: &H256) -> Option<Header> {
        self.0.header(*hash)
    }

    fn finalized(&self) -> (H256, u32) {
        let info = self.0.info();
        (info.finalized_hash, info.finalized_number)
    }

    fn best_chain_containing(&self, base: &H256) -> Option<(H256, u32)> {
        self.0.best_chain_containing(*base)
    }

    fn finalize(&self, hash: &H256, number: u32, justification: Vec<u8>) -> Result<(), ChainError> {
        self.0
            .finalize(*hash, number, justification)
            .map_err(|error| match error {
                ClientError::UnknownBlock(h) => ChainError::UnknownBlock(h),
                ClientError::ConflictsWithFinality { .. } => ChainError::ConflictingFinality {
                    finalized: self.finalized(),
                    requested: (*hash, number),
                },
                other => ChainError::Backend(other.to_string()),
            })
    }

    fn justification(&self, hash: &H256) -> Option<Vec<u8>> {
        self.0.grandpa_justification(*hash)
    }
}

impl AuthoritySource for ClientTree {
    fn aura_authorities(&self, at: &H256) -> Vec<sr25519::Public> {
        self.0.aura_keys_at(*at).unwrap_or_default()
    }

    /// Set 0 of genesis: the worker only asks when it has no voter state yet, and every later
    /// set is learnt from the `FRNK` scheduled changes in headers and the handoff
    /// justifications that carry it.
    fn grandpa_authorities(&self, at: &H256) -> (SetId, AuthorityList) {
        let genesis = self.0.info().genesis_hash;
        if *at != genesis {
            tracing::warn!(
                target: LOG,
                "no GRANDPA voter state next to a database finalized past genesis: starting from the genesis set (run purge-chain if the set has changed since)"
            );
        }
        (
            0,
            self.0.grandpa_authorities_at(genesis).unwrap_or_default(),
        )
    }
}

/// The keystore's `gran` keys as the voter's signing keys: looked up for each set, so a
/// validator whose keys were inserted while the node runs votes once elected.
pub struct KeystoreKeys(pub Arc<Keystore>);

impl LocalKeys for KeystoreKeys {
    fn key_among(&self, voters: &[ed25519::Public]) -> Option<ed25519::Pair> {
        voters
            .iter()
            .find_map(|id| self.0.ed25519_pair(GRANDPA, &id.0))
    }
}

/// A running GRANDPA worker and the node's ends of its channels.
pub struct Grandpa {
    /// Queries for RPC (`grandpa_roundState`) and the evidence it collected.
    pub handle: GrandpaHandle,
    /// Gossip, block imports and justifications go in here.
    pub input: UnboundedSender<GrandpaInput>,
    /// Messages to send, blocks to fetch, peers to report come out here.
    pub output: UnboundedReceiver<GrandpaOutput>,
    /// The worker task: it ends when `input` closes, or with an error when voting cannot go
    /// on safely (it is then not restarted).
    pub task: tokio::task::JoinHandle<()>,
}

/// Build and spawn the GRANDPA worker for `client`, voting with a key of `keys` when it holds
/// one of the current set, its durable voter state in `dir`. `gossip_duration_ms` is GRANDPA's estimated network latency: rounds
/// take a few of them.
pub fn start(
    client: Arc<Client>,
    keys: Arc<dyn LocalKeys>,
    dir: &Path,
    gossip_duration_ms: u64,
) -> anyhow::Result<Grandpa> {
    std::fs::create_dir_all(dir)?;
    let state_file = dir.join("voter-state");
    let finalized = client.info().finalized_number;
    // Every node that ran GRANDPA has its voter state from its first start on. Without it, on
    // a chain finalized past genesis, this node may already have voted in the round it would
    // join: voting again could sign an equivocation. It follows finality without voting.
    let keys: Arc<dyn LocalKeys> = if !state_file.exists() && finalized > 0 {
        tracing::error!(
            target: LOG,
            "💔 GRANDPA voter state is missing ({}) on a chain finalized to #{finalized}: this node will not vote, since it may already have voted in the current round. To vote again, restore the file from a backup, or stop the node, run `basalt purge-chain` with the same --chain and --base-path, and resync",
            state_file.display()
        );
        Arc::new(None)
    } else {
        keys
    };
    let (input, input_rx) = unbounded();
    let (output_tx, output) = unbounded();
    let tree = Arc::new(ClientTree(client));
    let worker = GrandpaWorker::new(GrandpaParams {
        config: GrandpaConfig {
            gossip_duration_ms,
            relay: false,
            seed: rand::random(),
            ..Default::default()
        },
        local_key: keys,
        tree: tree.clone(),
        authorities: tree,
        store: Arc::new(FileVoterStateStore::new(state_file)),
        clock: Arc::new(SystemClock),
        input: input_rx,
        output: output_tx,
    })
    .map_err(|e| anyhow::anyhow!("cannot start GRANDPA: {e}"))?;
    let handle = worker.handle();
    let task = tokio::spawn(async move {
        match worker.await {
            Ok(()) => tracing::debug!(target: LOG, "GRANDPA stopped"),
            // Voting stops: restarting blindly could sign against a state we failed to save.
            Err(error) => tracing::error!(target: LOG, "💔 GRANDPA stopped voting: {error}"),
        }
    });
    Ok(Grandpa {
        handle,
        input,
        output,
        task,
    })
}
