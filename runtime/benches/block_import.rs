//! Block throughput: blocks of N signed sr25519 transfers (distinct funded senders to distinct
//! new receivers) executed over a trie of in-memory nodes holding the genesis state.
//!
//! - `author/N`: what a block author does: initialise, the timestamp inherent, the signatures
//!   of all transfers checked in parallel (rayon), each transfer applied without checking its
//!   signature again, finalisation, and the new state root with its trie nodes.
//! - `import/N`: what an importing node does: `execute_block` (which checks signatures in
//!   parallel too and compares the roots), then the state root and trie nodes to store.
//!
//! Throughput is reported in transfers per second. Run with
//! `cargo bench -p basalt-runtime --bench block_import`; a single timed pass per size is printed
//! first (with `PHASES=1`, the author's time split into signatures, application and
//! finalisation), so `cargo bench ... -- nomatch` gives a quick reading without criterion's
//! sampling. `RAYON_NUM_THREADS` sets the number of cores used for signatures.

use basalt_runtime::extensions::{signed_extra, AdditionalSigned};
use basalt_runtime::genesis::{self, Amount, Ss58Account};
use basalt_runtime::version::{SPEC_VERSION, TRANSACTION_VERSION};
use basalt_runtime::{api, RuntimeCall, UncheckedExtrinsic};
use basalt_support::generic::{
    extrinsics_root, Block, Digest, DigestItem, Era, Header, OpaqueExtrinsic,
};
use basalt_support::multiaddress::MultiAddress;
use basalt_support::primitives::{hashing::blake2_256, UNIT};
use basalt_support::sp_core::{sr25519, Pair};
use basalt_support::state::trie::EMPTY_TRIE_ROOT;
use basalt_support::state::{Externalities, InMemoryNodes, TrieBackend};
use basalt_support::{AccountId, H256};
use codec::Encode;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use rayon::prelude::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SIZES: [u32; 3] = [1_000, 5_000, 10_000];
const TIMESTAMP: u64 = 1_700_000_000_000;

/// The genesis state with `n` funded senders, and the senders' keys.
struct Fixture {
    store: Arc<InMemoryNodes>,
    genesis: Header,
    senders: Vec<sr25519::Pair>,
}

impl Fixture {
    fn new(n: u32) -> Self {
        let senders: Vec<sr25519::Pair> = (0..n)
            .into_par_iter()
            .map(|i| sr25519::Pair::from_seed(&blake2_256(&i.to_le_bytes())))
            .collect();
        let mut config = genesis::dev_genesis();
        config.balances.balances.extend(senders.iter().map(|p| {
            (
                Ss58Account(AccountId::from(p.public())),
                Amount(1_000 * UNIT),
            )
        }));
        let storage = genesis::build(&config).expect("genesis");
        let store = Arc::new(InMemoryNodes::new());
        let (root, nodes) = TrieBackend::new(store.clone(), EMPTY_TRIE_ROOT)
            .storage_root(
                storage
                    .iter()
                    .map(|(k, v)| (k.as_slice(), Some(v.as_slice()))),
            )
            .expect("genesis trie");
        store.insert_nodes(nodes);
        let genesis = Header {
            parent_hash: H256::zero(),
            number: 0,
            state_root: root,
            extrinsics_root: extrinsics_root(&[]),
            digest: Digest::default(),
        };
        Fixture {
            store,
            genesis,
            senders,
        }
    }

    fn ext(&self) -> Externalities {
        Externalities::new(Arc::new(TrieBackend::new(
            self.store.clone(),
            self.genesis.state_root,
        )))
    }

    /// One immortal transfer of 1 BSLT from each sender to a distinct new account.
    fn transfers(&self) -> Vec<OpaqueExtrinsic> {
        let genesis_hash = self.genesis.hash();
        let additional: AdditionalSigned = (
            (),
            SPEC_VERSION,
            TRANSACTION_VERSION,
            genesis_hash,
            genesis_hash,
            (),
            (),
            (),
            None,
        );
        self.senders
            .par_iter()
            .enumerate()
            .map(|(i, pair)| {
                let mut dest = [0x77u8; 32];
                dest[..8].copy_from_slice(&(i as u64).to_le_bytes());
                let call = RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
                    dest: MultiAddress::Id(AccountId::new(dest)),
                    value: UNIT,
                });
                let extra = signed_extra(0, 0, Era::Immortal);
                let mut payload = call.encode();
                extra.encode_to(&mut payload);
                additional.encode_to(&mut payload);
                let signature =
                    basalt_support::multisig::MultiSignature::Sr25519(pair.sign(&payload).0);
                let xt = UncheckedExtrinsic::new_signed(
                    call,
                    MultiAddress::Id(AccountId::from(pair.public())),
                    signature,
                    extra,
                );
                OpaqueExtrinsic::from(&xt)
            })
            .collect()
    }

    fn header(&self) -> Header {
        Header {
            parent_hash: self.genesis.hash(),
            number: 1,
            state_root: H256::zero(),
            extrinsics_root: H256::zero(),
            digest: Digest {
                // Slot 1 is Alice's; her VRF is over genesis's (zero) epoch randomness.
                logs: vec![
                    DigestItem::PreRuntime(*b"aura", 1u64.encode()),
                    basalt_support::vrf::pre_digest(
                        &sr25519::Pair::from_string("//Alice", None).expect("dev key"),
                        &H256::zero(),
                        1,
                    ),
                ],
            },
        }
    }

    /// The author's work; returns the block and the number of new trie nodes.
    fn author(&self, xts: &[OpaqueExtrinsic]) -> (Block, usize) {
        let mut ext = self.ext();
        let header = self.header();
        let (header, extrinsics) = ext.execute_with(|| {
            api::initialize_block(&header);
            let mut included = api::inherent_extrinsics(TIMESTAMP);
            for inherent in &included {
                assert_eq!(api::apply_extrinsic(inherent), Ok(Ok(())));
            }
            let t0 = Instant::now();
            let checked = api::check_signatures_parallel(xts);
            let t1 = Instant::now();
            for (xt, ok) in xts.iter().zip(checked) {
                assert_eq!(api::apply_extrinsic_prechecked(xt, ok), Ok(Ok(())));
            }
            let t2 = Instant::now();
            included.extend_from_slice(xts);
            let h = api::finalize_block().expect("finalizes");
            let t3 = Instant::now();
            if std::env::var("PHASES").is_ok() {
                eprintln!(
                    "  sigs {:?} apply {:?} finalize {:?}",
                    t1 - t0,
                    t2 - t1,
                    t3 - t2
                );
            }
            (h, included)
        });
        let (root, nodes) = self.commit(ext);
        assert_eq!(root, header.state_root);
        (Block { header, extrinsics }, nodes)
    }

    /// The importer's work; returns the number of new trie nodes.
    fn import(&self, block: &Block) -> usize {
        let mut ext = self.ext();
        ext.execute_with(|| api::execute_block(block))
            .expect("imports");
        self.commit(ext).1
    }

    /// The state root `finalize_block` computed and how many trie nodes it adds (what the node
    /// stores with the block).
    fn commit(&self, mut ext: Externalities) -> (H256, usize) {
        let (root, nodes) = ext
            .take_trie_nodes()
            .expect("finalize_block computed the root");
        assert!(!ext.is_corrupt());
        (root, nodes.len())
    }
}

fn report_once(n: u32, fixture: &Fixture, xts: &[OpaqueExtrinsic]) -> Block {
    let start = Instant::now();
    let (block, nodes) = fixture.author(xts);
    let author = start.elapsed();
    let start = Instant::now();
    let imported_nodes = fixture.import(&block);
    let import = start.elapsed();
    assert_eq!(nodes, imported_nodes);
    let rate = |d: Duration| f64::from(n) / d.as_secs_f64();
    eprintln!(
        "block of {n} transfers ({} threads): author {author:?} ({:.0} transfers/s), import {import:?} ({:.0} transfers/s), {nodes} new trie nodes",
        rayon::current_num_threads(),
        rate(author),
        rate(import),
    );
    block
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("block");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    for n in SIZES {
        let fixture = Fixture::new(n);
        let xts = fixture.transfers();
        let block = report_once(n, &fixture, &xts);
        group.throughput(Throughput::Elements(u64::from(n)));
        group.bench_function(format!("author/{n}"), |b| {
            b.iter_batched(|| (), |()| fixture.author(&xts), BatchSize::PerIteration)
        });
        group.bench_function(format!("import/{n}"), |b| {
            b.iter_batched(|| (), |()| fixture.import(&block), BatchSize::PerIteration)
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
