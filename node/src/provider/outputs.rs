//! Job outputs for clients: what `jobs_getResult` serves and what the job-output protocol
//! answers peers.
//!
//! Any node can serve a completed job's output: from its store when one of its providers
//! computed it (or it fetched it before), otherwise it fetches the output from its peers over
//! the job-output protocol, chunk by chunk, checks the whole against the result hash the chain
//! settled on, keeps it, and then serves it. A client can therefore ask its own node. Outputs
//! are never served to peers before the chain has completed the job: a provider could
//! otherwise copy another provider's output instead of computing it.

use super::store::OutputStore;
use crate::client::Client;
use basalt_network::{NetworkHandle, OutputChunk, OutputRequest, OutputResponse, MAX_OUTPUT_CHUNK};
use basalt_support::primitives::hashing::blake2_256;
use basalt_support::H256;
use pallet_jobs::{JobId, JobState};
use std::sync::{Arc, OnceLock};

/// The most peers asked for an output before giving up.
const MAX_PEERS_ASKED: usize = 16;
/// The largest output fetched from peers (the largest a built-in kernel makes is 64 MiB).
pub const MAX_FETCHED_OUTPUT: u64 = 256 << 20;

/// Why an output cannot be served.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// No job has this id.
    #[error("no job {0}")]
    UnknownJob(JobId),
    /// The job has not completed (or was refunded): there is no accepted result.
    #[error("job {0} has no accepted result (yet)")]
    NotCompleted(JobId),
    /// Neither this node nor any peer asked has an output matching the chain's hash.
    #[error("no peer served an output of job {0} that matches its result hash")]
    Unavailable(JobId),
    /// The node's client or database failed.
    #[error("{0}")]
    Node(String),
}

/// A chunk of a completed job's output, as `jobs_getResult` returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultChunk {
    /// The bytes.
    pub output: Vec<u8>,
    /// Where they start.
    pub offset: u64,
    /// The whole output's length.
    pub total: u64,
    /// The result hash the chain settled on (`blake2_256` of the whole output).
    pub result_hash: H256,
}

/// Serves outputs from the store, fetching them from peers when needed.
pub struct Outputs {
    client: Arc<Client>,
    store: Arc<OutputStore>,
    /// Set once the network has started (it needs this to serve peers, so it starts after).
    network: OnceLock<NetworkHandle>,
}

impl Outputs {
    /// Serves from `store`; local outputs only until [`Outputs::attach_network`].
    pub fn new(client: Arc<Client>, store: Arc<OutputStore>) -> Arc<Self> {
        Arc::new(Outputs {
            client,
            store,
            network: OnceLock::new(),
        })
    }

    /// Fetches missing outputs from the peers of `network` from now on.
    pub fn attach_network(&self, network: NetworkHandle) {
        let _ = self.network.set(network);
    }

    /// The result hash job `job` completed with, at the best block.
    fn accepted(&self, job: JobId) -> Result<H256, OutputError> {
        let best = self.client.info().best_hash;
        let found = self
            .client
            .call_at(best, || pallet_jobs::Jobs::get(job))
            .map_err(|e| OutputError::Node(e.to_string()))?
            .ok_or(OutputError::UnknownJob(job))?;
        match found.state {
            JobState::Completed(hash) => Ok(hash),
            _ => Err(OutputError::NotCompleted(job)),
        }
    }

    /// `length` bytes (at most [`MAX_OUTPUT_CHUNK`]) of completed job `job`'s output from
    /// `offset`, fetched from peers first if this node does not have it. Blocks.
    pub fn chunk(&self, job: JobId, offset: u64, length: u32) -> Result<ResultChunk, OutputError> {
        let hash = self.accepted(job)?;
        let output = match self.store.output_matching(job, &hash) {
            Some(output) => output,
            None => self.fetch(job, &hash)?,
        };
        Ok(ResultChunk {
            output: slice(&output, offset, length).to_vec(),
            offset,
            total: output.len() as u64,
            result_hash: hash,
        })
    }

    /// Fetches the whole output of `job` from peers, checks it against `hash` and stores it.
    fn fetch(&self, job: JobId, hash: &H256) -> Result<Vec<u8>, OutputError> {
        let Some(network) = self.network.get() else {
            return Err(OutputError::Unavailable(job));
        };
        for peer in network.peers().into_iter().take(MAX_PEERS_ASKED) {
            let Some(output) = fetch_from(network, peer.peer_id, job) else {
                continue;
            };
            if H256(blake2_256(&output)) != *hash {
                tracing::debug!(target: "basalt::provider", job, peer = %peer.peer_id, "a peer served an output that does not match the chain");
                network.report_peer(peer.peer_id, basalt_network::costs::BAD_RESPONSE);
                continue;
            }
            if let Err(error) = self.store.put_output(job, &output) {
                tracing::warn!(target: "basalt::provider", job, %error, "cannot keep a fetched output");
            }
            return Ok(output);
        }
        Err(OutputError::Unavailable(job))
    }

    /// What the job-output protocol answers a peer: a chunk of a stored output of a job the
    /// chain has completed with that output's hash; nothing otherwise.
    pub fn serve(&self, request: &OutputRequest) -> OutputResponse {
        let hash = self.accepted(request.job).ok()?;
        let output = self.store.output_matching(request.job, &hash)?;
        Some(OutputChunk {
            total: output.len() as u64,
            data: slice(&output, request.offset, request.length).to_vec(),
        })
    }
}

/// The bytes of `output` from `offset`, at most `length` of them and at most
/// [`MAX_OUTPUT_CHUNK`] (empty past the end).
fn slice(output: &[u8], offset: u64, length: u32) -> &[u8] {
    let total = output.len() as u64;
    let start = offset.min(total) as usize;
    let end = offset
        .saturating_add(u64::from(length.min(MAX_OUTPUT_CHUNK)))
        .min(total) as usize;
    &output[start..end]
}

/// Every chunk of `job`'s output from `peer`, or `None` if it does not serve it whole.
fn fetch_from(
    network: &NetworkHandle,
    peer: basalt_network::PeerId,
    job: JobId,
) -> Option<Vec<u8>> {
    let mut output = Vec::new();
    loop {
        let request = OutputRequest {
            job,
            offset: output.len() as u64,
            length: MAX_OUTPUT_CHUNK,
        };
        let chunk = futures::executor::block_on(network.request_output(peer, request))
            .ok()?
            .ok()??;
        if chunk.total > MAX_FETCHED_OUTPUT {
            return None;
        }
        let done = chunk.data.is_empty();
        output.extend_from_slice(&chunk.data);
        if output.len() as u64 >= chunk.total {
            return (output.len() as u64 == chunk.total).then_some(output);
        }
        if done {
            return None;
        }
    }
}
