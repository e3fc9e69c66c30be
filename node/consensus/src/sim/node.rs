//! A simulated validator: keys, the durable part that survives a crash (block tree and voter
//! state store, i.e. its disk), and the volatile part that a crash destroys (the GRANDPA worker
//! with all its buffers, the Aura equivocation detector, orphan blocks).

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Waker;

use basalt_support::{generic::Header, H256};
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender};
use parking_lot::Mutex;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sp_core::{ed25519, sr25519};

use super::exec::NodeClock;
use super::oracle::SimTree;
use crate::aura::{AuraSigner, EquivocationDetector};
use crate::grandpa::{
    GrandpaHandle, GrandpaInput, GrandpaOutput, GrandpaWorker, MemoryVoterStateStore,
};

/// sr25519 signing with a seeded nonce RNG, so block hashes are reproducible from the seed
/// (`sp_core`'s sr25519 signing draws its nonce from the OS).
pub struct DeterministicSr25519 {
    keypair: schnorrkel::Keypair,
    public: sr25519::Public,
    rng: Mutex<ChaCha20Rng>,
}

impl DeterministicSr25519 {
    /// The key `sp_core::sr25519::Pair::from_seed(seed)` would give, with a nonce RNG seeded by
    /// `rng_seed`.
    pub fn from_seed(seed: &[u8; 32], rng_seed: u64) -> Self {
        let mini = schnorrkel::MiniSecretKey::from_bytes(seed)
            .expect("a 32-byte mini secret key always parses");
        let keypair = mini.expand_to_keypair(schnorrkel::ExpansionMode::Ed25519);
        let public = sr25519::Public::from_raw(keypair.public.to_bytes());
        DeterministicSr25519 {
            keypair,
            public,
            rng: Mutex::new(ChaCha20Rng::seed_from_u64(rng_seed)),
        }
    }
}

impl AuraSigner for DeterministicSr25519 {
    fn public(&self) -> sr25519::Public {
        self.public
    }

    fn sign(&self, message: &[u8]) -> sr25519::Signature {
        let mut rng = self.rng.lock();
        let transcript = schnorrkel::context::attach_rng(
            schnorrkel::signing_context(b"substrate").bytes(message),
            &mut *rng,
        );
        sr25519::Signature::from_raw(self.keypair.sign(transcript).to_bytes())
    }
}

/// A block waiting for its parent: the header, its justification if one came with it, and the
/// actor that sent it.
pub type Orphan = (Header, Option<Vec<u8>>, usize);

/// The part of a validator that a crash destroys.
pub struct Live {
    /// The GRANDPA worker future.
    pub worker: Pin<Box<GrandpaWorker>>,
    /// Its query handle.
    pub handle: GrandpaHandle,
    /// Its input.
    pub input: UnboundedSender<GrandpaInput>,
    /// Its output.
    pub output: UnboundedReceiver<GrandpaOutput>,
    /// Aura equivocation detector.
    pub detector: EquivocationDetector,
    /// Blocks waiting for their parent: parent hash -> (header, justification, sender).
    pub orphans: BTreeMap<H256, Vec<Orphan>>,
    /// The waker that marks this actor ready.
    pub waker: Waker,
    /// Whether the worker future has completed (it never should).
    pub finished: bool,
}

/// One simulated validator.
pub struct Actor {
    /// Its index (also its peer id).
    pub index: usize,
    /// Whether it follows the protocol.
    pub honest: bool,
    /// Its Aura key.
    pub aura: DeterministicSr25519,
    /// Its GRANDPA key.
    pub grandpa: ed25519::Pair,
    /// Its block tree (durable).
    pub tree: Arc<SimTree>,
    /// Its voter state (durable).
    pub store: Arc<MemoryVoterStateStore>,
    /// Its clock.
    pub clock: NodeClock,
    /// The running part, `None` while crashed.
    pub live: Option<Live>,
    /// How many times it started.
    pub incarnation: u64,
    /// The last slot it authored.
    pub last_slot: u64,
    /// Global time of its next slot tick.
    pub next_tick: u64,
}
