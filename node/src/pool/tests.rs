//! Pool behaviour against a chain double whose "runtime" checks nonces the way Basalt's does
//! (stale below the account nonce, `requires` the previous nonce above it) and whose blocks
//! apply transactions in order.

use super::*;
use basalt_support::generic::Digest;
use codec::Encode;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes of a fake signed extrinsic: `0x84`, `MultiAddress::Id([who; 32])`, nonce (u32 LE),
/// tip, flags (1 = bad signature), salt.
fn fake_xt(who: u8, nonce: u32, tip: u8, bad: bool, salt: u8) -> OpaqueExtrinsic {
    let mut body = vec![0x84, 0];
    body.extend([who; 32]);
    body.extend(nonce.to_le_bytes());
    body.extend([tip, u8::from(bad), salt]);
    OpaqueExtrinsic::from_body(body)
}

fn parse_xt(xt: &OpaqueExtrinsic) -> Option<(u8, u32, u8, bool)> {
    let b = xt.body();
    if b.len() != 41 || b[0] != 0x84 {
        return None;
    }
    let nonce = u32::from_le_bytes([b[34], b[35], b[36], b[37]]);
    Some((b[2], nonce, b[38], b[39] == 1))
}

fn tag(who: u8, nonce: u32) -> Vec<u8> {
    ([who; 32], nonce).encode()
}

#[derive(Clone)]
struct MockBlock {
    header: Header,
    extrinsics: Vec<OpaqueExtrinsic>,
    nonces: HashMap<u8, u32>,
}

#[derive(Default)]
struct MockState {
    blocks: HashMap<H256, MockBlock>,
    best: (H256, BlockNumber),
    finalized: (H256, BlockNumber),
    /// Senders whose transactions the "runtime" now refuses as unable to pay.
    broke: HashSet<u8>,
}

struct MockChain {
    state: Mutex<MockState>,
    validations: AtomicU64,
    wake: Mutex<Option<mpsc::UnboundedSender<()>>>,
}

impl MockChain {
    fn new() -> Arc<MockChain> {
        let genesis = Header::new(
            0,
            H256::zero(),
            H256::repeat_byte(1),
            H256::zero(),
            Digest::default(),
        );
        let hash = genesis.hash();
        let mut state = MockState::default();
        state.blocks.insert(
            hash,
            MockBlock {
                header: genesis,
                extrinsics: vec![],
                nonces: HashMap::new(),
            },
        );
        state.best = (hash, 0);
        state.finalized = (hash, 0);
        Arc::new(MockChain {
            state: Mutex::new(state),
            validations: AtomicU64::new(0),
            wake: Mutex::new(None),
        })
    }

    fn best(&self) -> H256 {
        self.state.lock().best.0
    }

    /// Imports a block on `parent` applying `xts` (those with the right nonce), makes it best.
    fn import(&self, parent: H256, xts: Vec<OpaqueExtrinsic>, salt: u8) -> H256 {
        let mut state = self.state.lock();
        let parent_block = state.blocks.get(&parent).cloned().expect("known parent");
        let mut nonces = parent_block.nonces.clone();
        for xt in &xts {
            if let Some((who, nonce, _, _)) = parse_xt(xt) {
                let current = nonces.entry(who).or_insert(0);
                if *current == nonce {
                    *current += 1;
                }
            }
        }
        let number = parent_block.header.number + 1;
        let header = Header::new(
            number,
            H256::repeat_byte(salt),
            H256::repeat_byte(number as u8),
            parent,
            Digest::default(),
        );
        let hash = header.hash();
        state.blocks.insert(
            hash,
            MockBlock {
                header,
                extrinsics: xts,
                nonces,
            },
        );
        state.best = (hash, number);
        hash
    }

    fn finalize(&self, hash: H256) {
        let mut state = self.state.lock();
        let number = state
            .blocks
            .get(&hash)
            .map(|b| b.header.number)
            .unwrap_or(0);
        state.finalized = (hash, number);
    }
}

impl ChainApi for MockChain {
    fn heads(&self) -> ChainHeads {
        let state = self.state.lock();
        ChainHeads {
            best_hash: state.best.0,
            best_number: state.best.1,
            finalized_hash: state.finalized.0,
            finalized_number: state.finalized.1,
        }
    }

    fn header(&self, hash: H256) -> Option<Header> {
        self.state
            .lock()
            .blocks
            .get(&hash)
            .map(|b| b.header.clone())
    }

    fn block_extrinsics(&self, hash: H256) -> Option<Vec<OpaqueExtrinsic>> {
        self.state
            .lock()
            .blocks
            .get(&hash)
            .map(|b| b.extrinsics.clone())
    }

    fn validate(
        &self,
        at: H256,
        _source: TransactionSource,
        xt: &OpaqueExtrinsic,
    ) -> Result<TransactionValidity, String> {
        self.validations.fetch_add(1, Ordering::Relaxed);
        let Some((who, nonce, tip, bad)) = parse_xt(xt) else {
            return Err("Execution failed: could not decode extrinsic".into());
        };
        let state = self.state.lock();
        let block = state.blocks.get(&at).ok_or("unknown block")?;
        if bad {
            return Ok(Err(InvalidTransaction::BadProof.into()));
        }
        if state.broke.contains(&who) {
            return Ok(Err(InvalidTransaction::Payment.into()));
        }
        let current = block.nonces.get(&who).copied().unwrap_or(0);
        if nonce < current {
            return Ok(Err(InvalidTransaction::Stale.into()));
        }
        Ok(Ok(basalt_support::validity::ValidTransaction {
            priority: u64::from(tip),
            requires: if nonce > current {
                vec![tag(who, nonce - 1)]
            } else {
                vec![]
            },
            provides: vec![tag(who, nonce)],
            longevity: 64,
            propagate: true,
        }))
    }

    fn wake_ups(&self) -> BoxStream<'static, ()> {
        let (tx, rx) = mpsc::unbounded_channel();
        *self.wake.lock() = Some(tx);
        futures::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|()| ((), rx)) },
        )
        .boxed()
    }
}

fn pool(chain: &Arc<MockChain>) -> Arc<Pool> {
    Pool::with_api(chain.clone(), PoolOptions::default())
}

fn drain(watcher: &mut Watcher) -> Vec<TxStatus> {
    let mut out = Vec::new();
    while let Ok(status) = watcher.rx.try_recv() {
        out.push(status);
    }
    out
}

const EXT: TransactionSource = TransactionSource::External;

#[test]
fn attack_distinct_invalid_transactions_cannot_grow_the_ban_list_without_bound() {
    let chain = MockChain::new();
    let pool = pool(&chain);
    let hashes: Vec<H256> = (0..MAX_BANNED.get() as u64 + 5_000)
        .map(|i| {
            let mut h = [0u8; 32];
            h[..8].copy_from_slice(&i.to_le_bytes());
            H256(h)
        })
        .collect();
    pool.report_invalid(&hashes);
    let inner = pool.inner.lock();
    assert_eq!(inner.banned.len(), MAX_BANNED.get());
    // The newest bans are the ones kept.
    let ban_time = pool.options().ban_time;
    assert!(inner.is_banned(hashes.last().unwrap(), ban_time));
    assert!(!inner.is_banned(&hashes[0], ban_time));
}

#[test]
fn ready_future_and_promotion_with_statuses() {
    let chain = MockChain::new();
    let pool = pool(&chain);
    let mut w2 = pool
        .submit_and_watch(EXT, fake_xt(1, 2, 0, false, 0))
        .unwrap();
    let mut w1 = pool
        .submit_and_watch(EXT, fake_xt(1, 1, 0, false, 0))
        .unwrap();
    assert_eq!(drain(&mut w2), vec![TxStatus::Future]);
    assert_eq!(drain(&mut w1), vec![TxStatus::Future]);
    assert_eq!(pool.status(), (0, 2));
    let mut w0 = pool
        .submit_and_watch(EXT, fake_xt(1, 0, 0, false, 0))
        .unwrap();
    assert_eq!(drain(&mut w0), vec![TxStatus::Ready]);
    assert_eq!(drain(&mut w1), vec![TxStatus::Ready]);
    assert_eq!(drain(&mut w2), vec![TxStatus::Ready]);
    let order: Vec<H256> = pool.ready().iter().map(|t| t.hash).collect();
    assert_eq!(order, vec![w0.hash, w1.hash, w2.hash]);
    assert!(pool.ready().iter().all(|t| t.checked_at.is_some()));
    assert!(pool.ready_provides(&tag(1, 2)));
    assert!(!pool.ready_provides(&tag(1, 3)));
}

#[test]
fn refusals_carry_substrates_reasons() {
    let chain = MockChain::new();
    let pool = pool(&chain);
    let xt = fake_xt(1, 0, 5, false, 0);
    let hash = pool.submit_one(EXT, xt.clone()).unwrap();
    assert_eq!(
        pool.submit_one(EXT, xt),
        Err(PoolError::AlreadyImported(hash))
    );
    // Same sender and nonce, same tip: refused; higher tip: replaces.
    assert_eq!(
        pool.submit_one(EXT, fake_xt(1, 0, 5, false, 1)),
        Err(PoolError::TooLowPriority { old: 5, new: 5 })
    );
    // A bad signature is refused, then banned without running the runtime again.
    let bad = fake_xt(2, 0, 0, true, 0);
    assert_eq!(
        pool.submit_one(EXT, bad.clone()),
        Err(PoolError::Invalid(InvalidTransaction::BadProof))
    );
    let before = chain.validations.load(Ordering::Relaxed);
    assert_eq!(pool.submit_one(EXT, bad), Err(PoolError::TemporarilyBanned));
    assert_eq!(chain.validations.load(Ordering::Relaxed), before);
    // Undecodable.
    let garbage = OpaqueExtrinsic::from_body(vec![1, 2, 3]);
    assert!(matches!(
        pool.submit_one(EXT, garbage),
        Err(PoolError::Verification(_))
    ));
}

#[test]
fn higher_tip_usurps() {
    let chain = MockChain::new();
    let pool = pool(&chain);
    let mut low = pool
        .submit_and_watch(EXT, fake_xt(1, 0, 1, false, 0))
        .unwrap();
    let high = pool.submit_one(EXT, fake_xt(1, 0, 9, false, 1)).unwrap();
    assert_eq!(
        drain(&mut low),
        vec![TxStatus::Ready, TxStatus::Usurped(high)]
    );
    assert_eq!(pool.ready().len(), 1);
}

#[test]
fn block_inclusion_then_finality() {
    let chain = MockChain::new();
    let pool = pool(&chain);
    let x0 = fake_xt(1, 0, 0, false, 0);
    let x1 = fake_xt(1, 1, 0, false, 0);
    let mut w0 = pool.submit_and_watch(EXT, x0.clone()).unwrap();
    let mut w1 = pool.submit_and_watch(EXT, x1).unwrap();
    // A competing transaction for nonce 0 that another node included instead is usurped.
    let genesis = chain.best();
    let b1 = chain.import(genesis, vec![x0], 1);
    pool.sync_with_chain();
    assert_eq!(drain(&mut w0), vec![TxStatus::Ready, TxStatus::InBlock(b1)]);
    // Nonce 1 stays ready (now requires nothing) without status noise.
    assert_eq!(drain(&mut w1), vec![TxStatus::Ready]);
    assert_eq!(pool.status(), (1, 0));
    chain.finalize(b1);
    pool.sync_with_chain();
    assert_eq!(drain(&mut w0), vec![TxStatus::Finalized(b1)]);
    // The channel is closed after a final status.
    assert!(w0.rx.try_recv().is_err());
    assert!(!pool.inner.lock().watchers.contains_key(&w0.hash));
}

#[test]
fn inclusion_of_a_competitor_usurps() {
    let chain = MockChain::new();
    let pool = pool(&chain);
    let mut mine = pool
        .submit_and_watch(EXT, fake_xt(1, 0, 0, false, 0))
        .unwrap();
    let theirs = fake_xt(1, 0, 0, false, 7);
    let b1 = chain.import(chain.best(), vec![theirs.clone()], 1);
    let _ = b1;
    pool.sync_with_chain();
    let statuses = drain(&mut mine);
    // Either usurped by tag knowledge or invalid (stale) on revalidation: both are final.
    assert_eq!(statuses.first(), Some(&TxStatus::Ready));
    assert!(
        statuses.last().is_some_and(TxStatus::is_final),
        "{statuses:?}"
    );
    assert_eq!(pool.status(), (0, 0));
}

#[test]
fn revalidation_drops_and_bans_what_became_invalid() {
    let chain = MockChain::new();
    let pool = pool(&chain);
    let xt = fake_xt(3, 0, 0, false, 0);
    let mut w = pool.submit_and_watch(EXT, xt.clone()).unwrap();
    chain.state.lock().broke.insert(3);
    chain.import(chain.best(), vec![], 1);
    pool.sync_with_chain();
    assert_eq!(drain(&mut w), vec![TxStatus::Ready, TxStatus::Invalid]);
    assert_eq!(pool.status(), (0, 0));
    assert_eq!(pool.submit_one(EXT, xt), Err(PoolError::TemporarilyBanned));
}

#[test]
fn revalidation_is_bounded_and_rotates() {
    let chain = MockChain::new();
    let opts = PoolOptions {
        revalidation_limit: 2,
        ..PoolOptions::default()
    };
    let pool = Pool::with_api(chain.clone(), opts);
    for who in 10..15 {
        pool.submit_one(EXT, fake_xt(who, 0, 0, false, 0)).unwrap();
    }
    chain.state.lock().broke.extend(10..15);
    let mut remaining = Vec::new();
    for salt in 1..=3 {
        chain.import(chain.best(), vec![], salt);
        pool.sync_with_chain();
        remaining.push(pool.status().0);
    }
    assert_eq!(remaining, vec![3, 1, 0]);
}

#[test]
fn senders_touched_by_a_block_are_revalidated_first() {
    let chain = MockChain::new();
    let opts = PoolOptions {
        revalidation_limit: 2,
        ..PoolOptions::default()
    };
    let pool = Pool::with_api(chain.clone(), opts);
    for who in 20..30 {
        pool.submit_one(EXT, fake_xt(who, 0, 0, false, 0)).unwrap();
    }
    // Another node's transaction of sender 29 for nonce 0 is included, and sender 29 went
    // broke: with room for two revalidations, its two transactions are the ones checked.
    let mut w = pool
        .submit_and_watch(EXT, fake_xt(29, 5, 0, false, 0))
        .unwrap();
    chain.state.lock().broke.insert(29);
    chain.import(chain.best(), vec![fake_xt(29, 0, 0, false, 9)], 1);
    pool.sync_with_chain();
    assert_eq!(drain(&mut w), vec![TxStatus::Future, TxStatus::Invalid]);
    assert_eq!(pool.status(), (9, 0));
}

#[test]
fn reorg_retracts_and_resubmits() {
    let chain = MockChain::new();
    let pool = pool(&chain);
    let genesis = chain.best();
    let x0 = fake_xt(1, 0, 0, false, 0);
    let mut w = pool.submit_and_watch(EXT, x0.clone()).unwrap();
    let a1 = chain.import(genesis, vec![x0], 1);
    pool.sync_with_chain();
    assert_eq!(drain(&mut w), vec![TxStatus::Ready, TxStatus::InBlock(a1)]);
    // A longer fork without it becomes best.
    let b1 = chain.import(genesis, vec![], 2);
    let _b2 = chain.import(b1, vec![], 3);
    pool.sync_with_chain();
    assert_eq!(
        drain(&mut w),
        vec![TxStatus::Retracted(a1), TxStatus::Ready]
    );
    assert_eq!(pool.status(), (1, 0));
}

#[test]
fn report_invalid_bans_and_demotes() {
    let chain = MockChain::new();
    let pool = pool(&chain);
    let h0 = pool.submit_one(EXT, fake_xt(1, 0, 0, false, 0)).unwrap();
    let mut w1 = pool
        .submit_and_watch(EXT, fake_xt(1, 1, 0, false, 0))
        .unwrap();
    assert_eq!(pool.report_invalid(&[h0]), vec![h0]);
    assert_eq!(drain(&mut w1), vec![TxStatus::Ready, TxStatus::Future]);
    assert_eq!(pool.status(), (0, 1));
    assert_eq!(
        pool.submit_one(EXT, fake_xt(1, 0, 0, false, 0)),
        Err(PoolError::TemporarilyBanned)
    );
}

#[test]
fn batch_validates_in_parallel_and_keeps_order() {
    let chain = MockChain::new();
    let pool = pool(&chain);
    let xts: Vec<_> = (0..200u32)
        .map(|i| fake_xt((i % 10) as u8, i / 10, 0, i == 57, 0))
        .collect();
    let results = pool.submit_batch(EXT, xts);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 199);
    assert_eq!(
        results[57],
        Err(PoolError::Invalid(InvalidTransaction::BadProof))
    );
    // Sender 7's chain is broken at nonce 5: 5 ready, the rest future.
    let (ready, future) = pool.status();
    assert_eq!((ready, future), (185, 14));
}

#[test]
fn per_sender_and_total_limits() {
    let chain = MockChain::new();
    let mut opts = PoolOptions {
        max_per_sender: 3,
        ..PoolOptions::default()
    };
    opts.ready.count = 5;
    let pool = Pool::with_api(chain.clone(), opts);
    for n in 0..3 {
        pool.submit_one(EXT, fake_xt(1, n, 1, false, 0)).unwrap();
    }
    assert!(matches!(
        pool.submit_one(EXT, fake_xt(1, 3, 1, false, 0)),
        Err(PoolError::ImmediatelyDropped(_))
    ));
    pool.submit_one(EXT, fake_xt(2, 0, 1, false, 0)).unwrap();
    pool.submit_one(EXT, fake_xt(3, 0, 1, false, 0)).unwrap();
    // Full: a lower tip cannot get in, a higher one evicts the newest lowest.
    assert!(matches!(
        pool.submit_one(EXT, fake_xt(4, 0, 0, false, 0)),
        Err(PoolError::ImmediatelyDropped(_))
    ));
    pool.submit_one(EXT, fake_xt(5, 0, 9, false, 0)).unwrap();
    assert_eq!(pool.status().0, 5);
}

#[test]
fn status_json_is_substrates() {
    let h = H256::repeat_byte(0xab);
    let hex = format!("\"0x{}\"", "ab".repeat(32));
    let cases = [
        (TxStatus::Future, "\"future\"".to_string()),
        (TxStatus::Ready, "\"ready\"".to_string()),
        (
            TxStatus::Broadcast(vec!["peer".into()]),
            r#"{"broadcast":["peer"]}"#.to_string(),
        ),
        (TxStatus::InBlock(h), format!(r#"{{"inBlock":{hex}}}"#)),
        (TxStatus::Retracted(h), format!(r#"{{"retracted":{hex}}}"#)),
        (
            TxStatus::FinalityTimeout(h),
            format!(r#"{{"finalityTimeout":{hex}}}"#),
        ),
        (TxStatus::Finalized(h), format!(r#"{{"finalized":{hex}}}"#)),
        (TxStatus::Usurped(h), format!(r#"{{"usurped":{hex}}}"#)),
        (TxStatus::Dropped, "\"dropped\"".to_string()),
        (TxStatus::Invalid, "\"invalid\"".to_string()),
    ];
    for (status, json) in cases {
        assert_eq!(serde_json::to_string(&status).unwrap(), json);
    }
}

#[test]
fn sender_is_read_from_the_body() {
    assert_eq!(
        sender_of(&fake_xt(9, 0, 0, false, 0)),
        Some([vec![0u8], vec![9u8; 32]].concat())
    );
    assert_eq!(sender_of(&OpaqueExtrinsic::from_body(vec![4, 0, 0])), None);
    assert_eq!(sender_of(&OpaqueExtrinsic::from_body(vec![0x84, 9])), None);
    assert_eq!(sender_of(&OpaqueExtrinsic::from_body(vec![])), None);
}

#[tokio::test]
async fn maintain_follows_wake_ups() {
    let chain = MockChain::new();
    let pool = pool(&chain);
    let x0 = fake_xt(1, 0, 0, false, 0);
    let mut w = pool.submit_and_watch_async(EXT, x0.clone()).await.unwrap();
    let task = tokio::spawn(pool.clone().maintain());
    // Wait until the task subscribed.
    for _ in 0..100 {
        if chain.wake.lock().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let b1 = chain.import(chain.best(), vec![x0], 1);
    chain.finalize(b1);
    let wake = chain.wake.lock().clone().expect("subscribed");
    wake.send(()).unwrap();
    let mut seen = Vec::new();
    while let Ok(Some(status)) = tokio::time::timeout(Duration::from_secs(5), w.next()).await {
        seen.push(status);
    }
    assert_eq!(
        seen,
        vec![
            TxStatus::Ready,
            TxStatus::InBlock(b1),
            TxStatus::Finalized(b1)
        ]
    );
    *chain.wake.lock() = None;
    drop(wake);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("maintenance ends with the chain")
        .expect("no panic");
}
