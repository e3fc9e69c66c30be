//! An in-memory chain implementing [`ChainAccess`] and [`ImportQueue`], for this crate's tests,
//! the node's network tests and simulations. Not for production: it keeps every block in
//! memory and checks nothing but parent links and a marker for "invalid" blocks.
//!
//! Fork choice is the longest chain (first seen wins a tie), like the node's before finality;
//! blocks below the finalised one are never reorganised.

use std::collections::HashMap;

use basalt_support::generic::{
    extrinsics_root, Block, Digest, Header, OpaqueExtrinsic, SignedBlock,
};
use basalt_support::H256;
use libp2p::PeerId;
use parking_lot::RwLock;

use crate::chain::{ChainAccess, ImportError, ImportQueue};

/// The body of the extrinsic that makes a block invalid for [`MemoryChain`]'s importer.
pub const INVALID_MARKER: &[u8] = b"invalid block";

/// A chain kept in memory.
pub struct MemoryChain {
    inner: RwLock<Inner>,
}

struct Inner {
    blocks: HashMap<H256, SignedBlock>,
    /// Hashes of the best chain, by number.
    canonical: Vec<H256>,
    finalized: u32,
    /// Sizes of the batches handed to `import`, in order.
    batches: Vec<usize>,
}

/// Builds a block on `parent` whose contents are derived from `seed` (different seeds give
/// different blocks at the same height, i.e. forks).
pub fn make_block(parent: &Header, seed: u64) -> SignedBlock {
    let mut body = seed.to_le_bytes().to_vec();
    body.extend_from_slice(&(parent.number + 1).to_le_bytes());
    body_block(parent, vec![OpaqueExtrinsic::from_body(body)])
}

/// Builds a block on `parent` that [`MemoryChain`]'s importer rejects as invalid.
pub fn make_invalid_block(parent: &Header) -> SignedBlock {
    body_block(
        parent,
        vec![OpaqueExtrinsic::from_body(INVALID_MARKER.to_vec())],
    )
}

fn body_block(parent: &Header, extrinsics: Vec<OpaqueExtrinsic>) -> SignedBlock {
    let header = Header::new(
        parent.number + 1,
        extrinsics_root(&extrinsics),
        H256::repeat_byte(0xaa),
        parent.hash(),
        Digest::default(),
    );
    SignedBlock {
        block: Block { header, extrinsics },
        justifications: None,
    }
}

impl MemoryChain {
    /// A chain holding only a genesis block derived from `genesis_seed` (chains with different
    /// seeds have different genesis hashes).
    pub fn new(genesis_seed: u8) -> Self {
        let header = Header::new(
            0,
            extrinsics_root(&[]),
            H256::repeat_byte(genesis_seed),
            H256::zero(),
            Digest::default(),
        );
        let hash = header.hash();
        let genesis = SignedBlock {
            block: Block {
                header,
                extrinsics: vec![],
            },
            justifications: None,
        };
        MemoryChain {
            inner: RwLock::new(Inner {
                blocks: HashMap::from([(hash, genesis)]),
                canonical: vec![hash],
                finalized: 0,
                batches: Vec::new(),
            }),
        }
    }

    /// The header of the best block.
    pub fn best_header(&self) -> Header {
        let inner = self.inner.read();
        inner
            .canonical
            .last()
            .and_then(|best| inner.blocks.get(best))
            .map(|b| b.block.header.clone())
            .unwrap_or_default()
    }

    /// Authors `count` valid blocks on the best block, with contents derived from `seed`;
    /// returns their headers.
    pub fn extend(&self, count: u32, seed: u64) -> Vec<Header> {
        let mut headers = Vec::new();
        for _ in 0..count {
            let block = make_block(&self.best_header(), seed);
            headers.push(block.block.header.clone());
            self.insert_unchecked(block);
        }
        headers
    }

    /// Stores a block without checking its validity (its parent must be known); updates the
    /// best chain if it is now the longest. Returns whether it was stored.
    pub fn insert_unchecked(&self, block: SignedBlock) -> bool {
        let mut inner = self.inner.write();
        let header = block.block.header.clone();
        let hash = header.hash();
        if inner.blocks.contains_key(&hash) {
            return true;
        }
        if !inner.blocks.contains_key(&header.parent_hash) {
            return false;
        }
        inner.blocks.insert(hash, block);
        let best_number = inner.canonical.len() as u32 - 1;
        if header.number > best_number {
            // Re-point the canonical chain at the new head, walking back to where it joins.
            let mut cursor = hash;
            let mut number = header.number as usize;
            inner.canonical.resize(number + 1, H256::zero());
            loop {
                if inner.canonical[number] == cursor {
                    break;
                }
                inner.canonical[number] = cursor;
                if number == 0 {
                    break;
                }
                match inner.blocks.get(&cursor) {
                    Some(block) => cursor = block.block.header.parent_hash,
                    None => break,
                }
                number -= 1;
            }
        }
        true
    }

    /// Marks block `number` of the best chain finalised.
    pub fn set_finalized(&self, number: u32) {
        let mut inner = self.inner.write();
        inner.finalized = number.min(inner.canonical.len() as u32 - 1);
    }

    /// The hash of block `number` on the best chain.
    pub fn hash_at(&self, number: u32) -> Option<H256> {
        self.inner.read().canonical.get(number as usize).copied()
    }

    /// The sizes of the batches handed to [`ImportQueue::import`], in order.
    pub fn import_batches(&self) -> Vec<usize> {
        self.inner.read().batches.clone()
    }
}

impl ChainAccess for MemoryChain {
    fn genesis_hash(&self) -> H256 {
        self.inner.read().canonical[0]
    }

    fn best(&self) -> (u32, H256) {
        let inner = self.inner.read();
        let n = inner.canonical.len() - 1;
        (n as u32, inner.canonical[n])
    }

    fn finalized(&self) -> (u32, H256) {
        let inner = self.inner.read();
        (inner.finalized, inner.canonical[inner.finalized as usize])
    }

    fn block_by_number(&self, number: u32) -> Option<SignedBlock> {
        let inner = self.inner.read();
        let hash = inner.canonical.get(number as usize)?;
        inner.blocks.get(hash).cloned()
    }

    fn block_by_hash(&self, hash: &H256) -> Option<SignedBlock> {
        self.inner.read().blocks.get(hash).cloned()
    }
}

impl ImportQueue for MemoryChain {
    fn import(&self, _from: PeerId, blocks: Vec<SignedBlock>) -> Vec<Result<(), ImportError>> {
        self.inner.write().batches.push(blocks.len());
        let mut results = Vec::with_capacity(blocks.len());
        let mut failed = false;
        for block in blocks {
            if failed {
                results.push(Err(ImportError::Other("earlier block failed".into())));
                continue;
            }
            let result = if block
                .block
                .extrinsics
                .iter()
                .any(|x| x.body() == INVALID_MARKER)
            {
                Err(ImportError::Invalid("marked invalid".into()))
            } else if self.insert_unchecked(block) {
                Ok(())
            } else {
                Err(ImportError::UnknownParent)
            };
            failed = result.is_err();
            results.push(result);
        }
        results
    }
}
