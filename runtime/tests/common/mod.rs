//! A chain in memory for the runtime's integration tests: genesis over a trie of in-memory
//! nodes, blocks built and imported the way the node does it, and wallets that sign extrinsics
//! themselves with sp_core keys.

#![allow(dead_code)]

use basalt_runtime::extensions::{signed_extra, AdditionalSigned};
use basalt_runtime::genesis::{self, GenesisConfig};
use basalt_runtime::version::{SPEC_VERSION, TRANSACTION_VERSION};
use basalt_runtime::{api, RuntimeCall, RuntimeEvent, SignedExtra, UncheckedExtrinsic};
use basalt_support::generic::{
    extrinsics_root, Block, Digest, DigestItem, Era, Header, OpaqueExtrinsic,
};
use basalt_support::multiaddress::MultiAddress;
use basalt_support::multisig::MultiSignature;
use basalt_support::primitives::hashing::blake2_256;
use basalt_support::sp_core::{ecdsa, ed25519, sr25519, Pair};
use basalt_support::state::{Externalities, InMemoryNodes, TrieBackend};
use basalt_support::validity::{ApplyExtrinsicResult, TransactionSource, TransactionValidity};
use basalt_support::{AccountId, Balance, H256};
use codec::{Decode, Encode};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A block's storage changes (`None`: deleted).
pub type Changes = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

/// Milliseconds between the harness's blocks.
pub const SLOT_MS: u64 = 2_000;

/// A keypair of any scheme, signing exactly as a wallet does.
#[allow(clippy::large_enum_variant)]
pub enum Wallet {
    Sr25519(sr25519::Pair),
    Ed25519(ed25519::Pair),
    Ecdsa(ecdsa::Pair),
}

impl Wallet {
    pub fn sr(suri: &str) -> Self {
        Wallet::Sr25519(sr25519::Pair::from_string(suri, None).expect("suri"))
    }
    pub fn ed(suri: &str) -> Self {
        Wallet::Ed25519(ed25519::Pair::from_string(suri, None).expect("suri"))
    }
    pub fn ecdsa(suri: &str) -> Self {
        Wallet::Ecdsa(ecdsa::Pair::from_string(suri, None).expect("suri"))
    }

    /// The account: the public key, or blake2_256 of the compressed ecdsa key.
    pub fn account(&self) -> AccountId {
        match self {
            Wallet::Sr25519(p) => AccountId::from(p.public()),
            Wallet::Ed25519(p) => AccountId::from(p.public()),
            Wallet::Ecdsa(p) => AccountId::new(blake2_256(&p.public().0)),
        }
    }

    /// Signs `payload` (already hashed if over 256 bytes): sr25519 with context "substrate",
    /// ed25519 the bytes, ecdsa blake2_256 of the bytes (sp_core hashes it), 65 bytes.
    pub fn sign(&self, payload: &[u8]) -> MultiSignature {
        match self {
            Wallet::Sr25519(p) => MultiSignature::Sr25519(p.sign(payload).0),
            Wallet::Ed25519(p) => MultiSignature::Ed25519(p.sign(payload).0),
            Wallet::Ecdsa(p) => MultiSignature::Ecdsa(p.sign(payload).0),
        }
    }
}

/// How to sign: the parts of the extra and additional data tests tamper with.
#[derive(Clone)]
pub struct SignOptions {
    pub nonce: u32,
    pub tip: Balance,
    pub era: Era,
    pub spec_version: u32,
    pub tx_version: u32,
    /// `None`: the chain's genesis hash.
    pub genesis: Option<H256>,
    /// `None`: the hash of the era's birth block (genesis when immortal).
    pub birth: Option<H256>,
}

impl SignOptions {
    pub fn nonce(nonce: u32) -> Self {
        SignOptions {
            nonce,
            tip: 0,
            era: Era::Immortal,
            spec_version: SPEC_VERSION,
            tx_version: TRANSACTION_VERSION,
            genesis: None,
            birth: None,
        }
    }
}

/// A chain: the node store, the state root and hash of each block.
pub struct Chain {
    pub store: Arc<InMemoryNodes>,
    /// `(state root, header)` of every block, genesis first.
    pub blocks: Vec<Header>,
    pub timestamp: u64,
}

pub fn genesis_header(state_root: H256) -> Header {
    Header {
        parent_hash: H256::zero(),
        number: 0,
        state_root,
        extrinsics_root: extrinsics_root(&[]),
        digest: Digest::default(),
    }
}

/// The trie root and nodes of `changes` applied on the state `root` of `store`.
pub fn commit(
    store: &Arc<InMemoryNodes>,
    root: H256,
    changes: &BTreeMap<Vec<u8>, Option<Vec<u8>>>,
) -> H256 {
    let backend = TrieBackend::new(store.clone(), root);
    let (root, nodes) = backend
        .storage_root(changes.iter().map(|(k, v)| (k.as_slice(), v.as_deref())))
        .expect("store is complete");
    store.insert_nodes(nodes);
    root
}

/// The aura pre-runtime digest for `slot`.
pub fn aura_digest(slot: u64) -> Digest {
    Digest {
        logs: vec![DigestItem::PreRuntime(*b"aura", slot.encode())],
    }
}

impl Chain {
    pub fn dev() -> Self {
        Self::new(&genesis::dev_genesis())
    }

    pub fn new(config: &GenesisConfig) -> Self {
        let storage = genesis::build(config).expect("genesis builds");
        let store = Arc::new(InMemoryNodes::new());
        let changes = storage.into_iter().map(|(k, v)| (k, Some(v))).collect();
        let root = commit(
            &store,
            basalt_support::state::trie::EMPTY_TRIE_ROOT,
            &changes,
        );
        Chain {
            store,
            blocks: vec![genesis_header(root)],
            timestamp: 1_700_000_000_000,
        }
    }

    pub fn genesis_hash(&self) -> H256 {
        self.blocks[0].hash()
    }

    pub fn head(&self) -> &Header {
        self.blocks.last().expect("genesis")
    }

    pub fn best_number(&self) -> u32 {
        self.head().number
    }

    /// Externalities over the state after block `number`.
    pub fn ext_at(&self, number: u32) -> Externalities {
        let root = self.blocks[number as usize].state_root;
        Externalities::new(Arc::new(TrieBackend::new(self.store.clone(), root)))
    }

    /// Externalities over the best state.
    pub fn ext(&self) -> Externalities {
        self.ext_at(self.best_number())
    }

    /// Reads the best state.
    pub fn read<R>(&self, f: impl FnOnce() -> R) -> R {
        self.ext().execute_with(f)
    }

    /// The header the next block starts from: the Aura slot and, when the slot has an author,
    /// its VRF over the epoch randomness (the author's key is a dev name's, `//Alice` ...).
    pub fn next_header(&self, slot: u64) -> Header {
        let mut digest = aura_digest(slot);
        digest.logs.extend(self.vrf_item(slot));
        Header {
            parent_hash: self.head().hash(),
            number: self.best_number() + 1,
            state_root: H256::zero(),
            extrinsics_root: H256::zero(),
            digest,
        }
    }

    /// The VRF item the author of `slot` puts in its header, on the best state.
    pub fn vrf_item(&self, slot: u64) -> Option<DigestItem> {
        let (author, randomness) = self.read(|| {
            (
                basalt_runtime::consensus::slot_author(slot),
                api::vrf_randomness(),
            )
        });
        let author = author?;
        // Derived once: each derivation is about a millisecond of PBKDF2.
        static DEV_PAIRS: std::sync::OnceLock<Vec<sr25519::Pair>> = std::sync::OnceLock::new();
        let pairs = DEV_PAIRS.get_or_init(|| {
            genesis::DEV_ACCOUNTS
                .iter()
                .filter_map(|n| sr25519::Pair::from_string(&format!("//{n}"), None).ok())
                .collect()
        });
        let pair = pairs
            .iter()
            .find(|p| AccountId::from(p.public()) == author)?;
        Some(basalt_support::vrf::pre_digest(pair, &randomness, slot))
    }

    /// Builds the next block as an author does: inherents, then `xts` (those refused are left
    /// out), then finalisation. Returns the block, each transaction's result, and the changes.
    pub fn build(&self, xts: &[OpaqueExtrinsic]) -> (Block, Vec<ApplyExtrinsicResult>) {
        let (block, results, _) = self.build_with_changes(xts);
        (block, results)
    }

    pub fn build_with_changes(
        &self,
        xts: &[OpaqueExtrinsic],
    ) -> (Block, Vec<ApplyExtrinsicResult>, Changes) {
        let mut ext = self.ext();
        let slot = u64::from(self.best_number()) + 1;
        let header = self.next_header(slot);
        let timestamp = self.timestamp + SLOT_MS;
        let (header, included, results) = ext.execute_with(|| {
            api::initialize_block(&header);
            let mut included = Vec::new();
            for xt in api::inherent_extrinsics(timestamp) {
                assert_eq!(api::apply_extrinsic(&xt), Ok(Ok(())), "inherent applies");
                included.push(xt);
            }
            let mut results = Vec::new();
            for xt in xts {
                let result = api::apply_extrinsic(xt);
                if result.is_ok() {
                    included.push(xt.clone());
                }
                results.push(result);
            }
            let header = api::finalize_block().expect("finalizes");
            (header, included, results)
        });
        let changes = ext.into_changes();
        (
            Block {
                header,
                extrinsics: included,
            },
            results,
            changes,
        )
    }

    /// Imports `block` on the best state as a node does, and makes it the best block.
    pub fn import(
        &mut self,
        block: &Block,
    ) -> Result<(), basalt_runtime::executive::ExecuteBlockError> {
        let mut ext = self.ext();
        ext.execute_with(|| api::execute_block(block))?;
        assert!(!ext.is_corrupt());
        // The nodes of the root `finalize_block` computed are those of the changes.
        let (root, nodes) = ext
            .take_trie_nodes()
            .expect("finalize_block computed the root");
        assert_eq!(root, block.header.state_root);
        self.store.insert_nodes(nodes);
        let changes = ext.into_changes();
        let root = commit(&self.store, self.head().state_root, &changes);
        assert_eq!(
            root, block.header.state_root,
            "the trie root of the changes is the header's"
        );
        self.blocks.push(block.header.clone());
        self.timestamp += SLOT_MS;
        Ok(())
    }

    /// Builds, imports and returns the next block with `xts`.
    pub fn produce(&mut self, xts: &[OpaqueExtrinsic]) -> (Block, Vec<ApplyExtrinsicResult>) {
        let (block, results) = self.build(xts);
        self.import(&block)
            .expect("a block built by the runtime imports");
        (block, results)
    }

    /// Validates `xt` for the pool on the best state.
    pub fn validate(&self, xt: &OpaqueExtrinsic) -> TransactionValidity {
        let parent = self.head().hash();
        self.ext()
            .execute_with(|| api::validate_transaction(TransactionSource::External, xt, parent))
    }

    /// Applies `xt` alone in a fresh next block (after the inherent) and returns its result
    /// with the block's events so far.
    pub fn try_apply(
        &self,
        xt: &OpaqueExtrinsic,
    ) -> (ApplyExtrinsicResult, Vec<basalt_runtime::RuntimeEvent>) {
        let mut ext = self.ext();
        let header = self.next_header(u64::from(self.best_number()) + 1);
        let timestamp = self.timestamp + SLOT_MS;
        ext.execute_with(|| {
            api::initialize_block(&header);
            for inherent in api::inherent_extrinsics(timestamp) {
                assert_eq!(api::apply_extrinsic(&inherent), Ok(Ok(())));
            }
            let result = api::apply_extrinsic(xt);
            (result, current_events())
        })
    }

    /// Signs `call` from `wallet` as a wallet would on this chain.
    pub fn sign(&self, wallet: &Wallet, call: RuntimeCall, opts: &SignOptions) -> OpaqueExtrinsic {
        let birth = opts.birth.unwrap_or_else(|| {
            let number = opts.era.birth(u64::from(self.best_number()) + 1);
            self.blocks
                .get(number as usize)
                .map(Header::hash)
                .unwrap_or_default()
        });
        let birth = if opts.era.is_immortal() && opts.birth.is_none() {
            self.genesis_hash()
        } else {
            birth
        };
        let genesis = opts.genesis.unwrap_or_else(|| self.genesis_hash());
        let extra: SignedExtra = signed_extra(opts.nonce, opts.tip, opts.era);
        let additional: AdditionalSigned = (
            (),
            opts.spec_version,
            opts.tx_version,
            genesis,
            birth,
            (),
            (),
            (),
            None,
        );
        sign_parts(wallet, call, extra, &additional)
    }
}

/// Builds the extrinsic by hand: payload = call ++ extra ++ additional, blake2_256 over 256 bytes.
pub fn sign_parts(
    wallet: &Wallet,
    call: RuntimeCall,
    extra: SignedExtra,
    additional: &AdditionalSigned,
) -> OpaqueExtrinsic {
    let mut payload = call.encode();
    extra.encode_to(&mut payload);
    additional.encode_to(&mut payload);
    if payload.len() > 256 {
        payload = blake2_256(&payload).to_vec();
    }
    let signature = wallet.sign(&payload);
    let xt =
        UncheckedExtrinsic::new_signed(call, MultiAddress::Id(wallet.account()), signature, extra);
    OpaqueExtrinsic::from(&xt)
}

/// The events deposited so far in the block being executed, decoded.
pub fn current_events() -> Vec<RuntimeEvent> {
    basalt_support::state::io::events()
        .into_iter()
        .map(|record| {
            let mut input = &record[..];
            let _phase = pallet_system::Phase::decode(&mut input).expect("phase");
            RuntimeEvent::decode(&mut input).expect("event decodes")
        })
        .collect()
}

/// The events stored in `System.Events` of the best state, with their phases.
pub fn stored_events(chain: &Chain) -> Vec<(pallet_system::Phase, RuntimeEvent)> {
    chain.read(|| {
        let bytes =
            basalt_support::state::io::get(&pallet_system::events_key()).unwrap_or_default();
        let records: Vec<pallet_system::EventRecord<RuntimeEvent, H256>> =
            codec::DecodeAll::decode_all(&mut &bytes[..]).expect("System.Events decodes strictly");
        records.into_iter().map(|r| (r.phase, r.event)).collect()
    })
}

pub fn transfer(to: &AccountId, value: Balance) -> RuntimeCall {
    RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
        dest: MultiAddress::Id(to.clone()),
        value,
    })
}

pub fn free_balance(chain: &Chain, who: &AccountId) -> Balance {
    chain.read(|| basalt_runtime::Balances::free_balance(who))
}

pub fn alice() -> Wallet {
    Wallet::sr("//Alice")
}

pub fn bob() -> Wallet {
    Wallet::sr("//Bob")
}
