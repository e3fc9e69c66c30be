//! The seams between the network and the node's chain: what the network reads
//! ([`ChainAccess`]), how it hands blocks over for import ([`ImportQueue`]), and how it answers
//! block requests from what it reads ([`serve_block_request`]).
//!
//! Assumptions about the node's implementations: both are cheap enough to call from a blocking
//! thread (the network calls them through `spawn_blocking`, never on its event loop) and are
//! safe to call concurrently with block authoring and import. Guarantees to the node: the
//! network never writes to the chain except through [`ImportQueue::import`], and hands it
//! blocks in parent-before-child order.

use basalt_support::generic::{Header, SignedBlock};
use basalt_support::H256;
use codec::Encode;
use libp2p::PeerId;

use crate::protocol::{
    BlockData, BlockFields, BlockId, BlockRequest, BlockResponse, Direction,
    MAX_BLOCK_RESPONSE_SIZE,
};

/// Read access to the node's chain, for handshakes and for serving blocks to peers.
///
/// Invariants the node must keep: `block_by_number` answers from the current best chain;
/// `best()` and `finalized()` name blocks that `block_by_hash` can return; the genesis hash
/// never changes.
pub trait ChainAccess: Send + Sync {
    /// The hash of block 0.
    fn genesis_hash(&self) -> H256;
    /// The best block's number and hash.
    fn best(&self) -> (u32, H256);
    /// The last finalised block's number and hash.
    fn finalized(&self) -> (u32, H256);
    /// The block at `number` on the best chain, with its justifications.
    fn block_by_number(&self, number: u32) -> Option<SignedBlock>;
    /// The block with this hash, on any fork the node keeps, with its justifications.
    fn block_by_hash(&self, hash: &H256) -> Option<SignedBlock>;
    /// A chunk of a completed job's output, for a peer's [`crate::OutputRequest`]: `None`
    /// when the node does not serve it. Nodes without job outputs keep the default.
    fn job_output(&self, _request: &crate::OutputRequest) -> crate::OutputResponse {
        None
    }
}

/// Why the node refused a block handed to it by sync.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// The block's parent is not known; sync will look for a common ancestor. Not the sender's
    /// fault.
    #[error("unknown parent")]
    UnknownParent,
    /// The block is invalid (bad seal, bad state root, failing extrinsic...): the peer that
    /// sent it is penalised with [`crate::reputation::costs::BAD_BLOCK`] (and so banned).
    #[error("invalid block: {0}")]
    Invalid(String),
    /// The node could not import for its own reasons (disk full, shutting down); sync retries
    /// later and nobody is penalised.
    #[error("import failed: {0}")]
    Other(String),
}

/// Where sync hands downloaded blocks.
///
/// Contract: `blocks` are in ascending order, each the child of the previous one, and the
/// first one's parent was known to the node (or handed to it just before) when sync checked;
/// the node imports them in order and returns one result per block, in the same order. A
/// block already known must return `Ok(())`. After the first error the node may stop and
/// return errors for the rest. `from` is the peer that served them: pass it on with their
/// justifications to the finality gadget, which penalises it for a bad one. The call blocks;
/// sync runs it on a blocking thread, one call at a time.
pub trait ImportQueue: Send + Sync {
    /// Imports `blocks`, served by `from`, in order.
    fn import(&self, from: PeerId, blocks: Vec<SignedBlock>) -> Vec<Result<(), ImportError>>;
}

/// Builds the [`BlockData`] of `block` with the fields `fields` asks for.
fn block_data(block: SignedBlock, fields: BlockFields) -> BlockData {
    let hash = block.block.header.hash();
    BlockData {
        hash,
        header: fields
            .contains(BlockFields::HEADER)
            .then_some(block.block.header),
        body: fields
            .contains(BlockFields::BODY)
            .then_some(block.block.extrinsics),
        justifications: if fields.contains(BlockFields::JUSTIFICATION) {
            block.justifications
        } else {
            None
        },
    }
}

/// Answers `request` from `chain`: up to [`BlockRequest::effective_max`] linked blocks from the
/// requested one in the requested direction, stopping early at the end of the chain, at a
/// block that does not link (the best chain moved under us), or before the response would
/// exceed [`MAX_BLOCK_RESPONSE_SIZE`]. An unknown start block gives an empty response.
pub fn serve_block_request(chain: &dyn ChainAccess, request: &BlockRequest) -> BlockResponse {
    let max = request.effective_max();
    let first = match request.from {
        BlockId::Hash(hash) => chain.block_by_hash(&hash),
        BlockId::Number(number) => chain.block_by_number(number),
    };
    let mut blocks = Vec::new();
    // Room for the response's own length prefix.
    let mut size = 8usize;
    let mut next = first;
    while let Some(block) = next.take() {
        let header: Header = block.block.header.clone();
        let data = block_data(block, request.fields);
        size = size.saturating_add(data.encoded_size());
        if size > MAX_BLOCK_RESPONSE_SIZE {
            break;
        }
        blocks.push(data);
        if blocks.len() as u32 >= max {
            break;
        }
        let this_hash = header.hash();
        next = match request.direction {
            Direction::Ascending => header
                .number
                .checked_add(1)
                .and_then(|n| chain.block_by_number(n))
                .filter(|child| child.block.header.parent_hash == this_hash),
            Direction::Descending if header.number == 0 => None,
            Direction::Descending => chain.block_by_hash(&header.parent_hash),
        };
    }
    BlockResponse { blocks }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::check_response;
    use crate::testing::MemoryChain;

    #[test]
    fn serves_ranges_both_ways_and_clamps() {
        let chain = MemoryChain::new(1);
        chain.extend(200, 0);
        let asc = BlockRequest::ascending_from(5, 10);
        let resp = serve_block_request(&chain, &asc);
        assert_eq!(resp.blocks.len(), 10);
        assert_eq!(check_response(&asc, &resp), Ok(()));
        assert_eq!(resp.blocks[0].hash, chain.hash_at(5).expect("5"));

        // max is clamped to 1..=128, and the end of the chain stops the run.
        for (max, want) in [(0, 1), (u32::MAX, 128)] {
            let req = BlockRequest { max, ..asc };
            assert_eq!(serve_block_request(&chain, &req).blocks.len(), want);
        }
        let tail = BlockRequest::ascending_from(195, 128);
        assert_eq!(serve_block_request(&chain, &tail).blocks.len(), 6);
        assert!(
            serve_block_request(&chain, &BlockRequest::ascending_from(u32::MAX, 5))
                .blocks
                .is_empty()
        );

        let desc = BlockRequest {
            from: BlockId::Hash(chain.hash_at(3).expect("3")),
            direction: Direction::Descending,
            max: 10,
            fields: BlockFields::HEADER,
        };
        let resp = serve_block_request(&chain, &desc);
        assert_eq!(resp.blocks.len(), 4, "3, 2, 1 and genesis");
        assert_eq!(check_response(&desc, &resp), Ok(()));
        assert!(resp.blocks.iter().all(|b| b.body.is_none()));

        let unknown = BlockRequest {
            from: BlockId::Hash(H256::repeat_byte(0x55)),
            ..desc
        };
        assert!(serve_block_request(&chain, &unknown).blocks.is_empty());
    }
}
