//! [`ChainApi`] for the node's [`Client`]: validation runs the runtime's
//! `validate_transaction` in externalities over the given block's state (changes discarded),
//! and wake-ups come from the client's import and finality notifications.

use std::sync::Arc;

use basalt_support::generic::{Header, OpaqueExtrinsic};
use basalt_support::validity::{TransactionSource, TransactionValidity};
use basalt_support::H256;
use futures::stream::BoxStream;
use futures::StreamExt;
use tokio::sync::broadcast;

use super::{ChainApi, ChainHeads};
use crate::client::Client;

/// The pool's view of the node's client.
pub(super) struct ClientApi {
    client: Arc<Client>,
}

impl ClientApi {
    /// Wraps the client.
    pub(super) fn new(client: Arc<Client>) -> Self {
        ClientApi { client }
    }
}

/// A stream that yields once per message of `rx` (lagging counts as a message: the pool reads
/// the chain's heads itself, so missed notifications lose nothing) and ends when it closes.
fn ticks<T: Clone + Send + 'static>(rx: broadcast::Receiver<T>) -> BoxStream<'static, ()> {
    futures::stream::unfold(rx, |mut rx| async move {
        match rx.recv().await {
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => Some(((), rx)),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    })
    .boxed()
}

impl ChainApi for ClientApi {
    fn heads(&self) -> ChainHeads {
        let info = self.client.info();
        ChainHeads {
            best_hash: info.best_hash,
            best_number: info.best_number,
            finalized_hash: info.finalized_hash,
            finalized_number: info.finalized_number,
        }
    }

    fn header(&self, hash: H256) -> Option<Header> {
        self.client.header(hash)
    }

    fn block_extrinsics(&self, hash: H256) -> Option<Vec<OpaqueExtrinsic>> {
        self.client.body(hash)
    }

    fn validate(
        &self,
        at: H256,
        source: TransactionSource,
        xt: &OpaqueExtrinsic,
    ) -> Result<TransactionValidity, String> {
        // An extrinsic that does not even decode is a verification error (RPC 1002), as when
        // a Substrate runtime fails to decode it, not an "invalid call".
        if basalt_runtime::api::decode_extrinsic(xt).is_err() {
            return Err("Could not decode extrinsic".into());
        }
        self.client
            .call_at(at, || {
                basalt_runtime::api::validate_transaction(source, xt, at)
            })
            .map_err(|e| format!("Execution failed: {e}"))
    }

    fn wake_ups(&self) -> BoxStream<'static, ()> {
        let imports = ticks(self.client.import_notifications());
        let finality = ticks(self.client.finality_notifications());
        futures::stream::select(imports, finality).boxed()
    }
}
