//! Block sync between in-process nodes: a new node syncs 300 blocks from genesis in ranges, a
//! restarted node catches up, an announced block is fetched, and a peer serving an invalid
//! block is banned while an honest peer completes the sync.

mod common;

use std::sync::Arc;
use std::time::Duration;

use basalt_network::testing::{make_block, make_invalid_block, MemoryChain};
use basalt_network::{BlockRequest, ChainAccess, MAX_BLOCKS_PER_REQUEST};
use common::{start, wait_until, Opts};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn new_node_syncs_300_blocks_then_follows_announcements() {
    let source = Arc::new(MemoryChain::new(1));
    source.extend(300, 0);
    let a = start(source.clone(), Opts::default()).await;
    let fresh = Arc::new(MemoryChain::new(1));
    let b = start(
        fresh.clone(),
        Opts {
            boot_nodes: vec![a.addr.clone()],
            sync: true,
            ..Opts::default()
        },
    )
    .await;
    assert!(
        wait_until(Duration::from_secs(60), || fresh.best() == source.best()).await,
        "B syncs to A's head: B at {:?}",
        fresh.best()
    );
    for n in [1, 128, 129, 300] {
        assert_eq!(fresh.hash_at(n), source.hash_at(n));
    }
    let batches = fresh.import_batches();
    assert!(batches
        .iter()
        .all(|b| *b <= MAX_BLOCKS_PER_REQUEST as usize));
    assert_eq!(batches.iter().sum::<usize>(), 300);
    assert!(batches.len() >= 3, "ranges of at most 128: {batches:?}");
    let state = b.sync.as_ref().expect("sync").state();
    assert_eq!(state.starting_block, 0);
    assert_eq!(state.current_block, 300);
    assert!(!state.is_major_syncing);

    // A new block on A is announced and fetched.
    let header = source.extend(1, 0).remove(0);
    a.handle.announce_block(header.clone());
    assert!(
        wait_until(Duration::from_secs(20), || fresh.best().1 == header.hash()).await,
        "B fetches the announced block"
    );

    // Range requests are answered directly too.
    let peer = a.handle.local_peer_id();
    let response = b
        .handle
        .request_blocks(peer, BlockRequest::ascending_from(10, 500))
        .await
        .expect("answered")
        .expect("valid");
    assert_eq!(response.blocks.len(), MAX_BLOCKS_PER_REQUEST as usize);
    assert_eq!(
        response.blocks[0].hash,
        source.hash_at(10).expect("block 10")
    );

    b.stop().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn restarted_node_catches_up() {
    let source = Arc::new(MemoryChain::new(1));
    source.extend(100, 0);
    let a = start(source.clone(), Opts::default()).await;
    let local = Arc::new(MemoryChain::new(1));
    let opts = Opts {
        boot_nodes: vec![a.addr.clone()],
        sync: true,
        ..Opts::default()
    };
    let b = start(local.clone(), opts.clone()).await;
    assert!(wait_until(Duration::from_secs(30), || local.best() == source.best()).await);
    b.stop().await;

    // A goes on without B; B restarts on the same chain and catches up from where it was.
    source.extend(200, 0);
    let before = local.import_batches().len();
    let b = start(local.clone(), opts).await;
    assert!(
        wait_until(Duration::from_secs(60), || local.best() == source.best()).await,
        "restarted B catches up: at {:?}",
        local.best()
    );
    let resumed: usize = local.import_batches()[before..].iter().sum();
    assert_eq!(resumed, 200, "only the missing blocks are fetched");
    b.stop().await;
    a.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn invalid_block_bans_its_sender_and_honest_peer_serves() {
    // The liar's chain is longer, so sync tries it first; block 21 is invalid.
    let liar_chain = Arc::new(MemoryChain::new(1));
    liar_chain.extend(20, 0);
    liar_chain.insert_unchecked(make_invalid_block(&liar_chain.best_header()));
    let mut parent = liar_chain.best_header();
    for _ in 0..200 {
        let block = make_block(&parent, 0);
        parent = block.block.header.clone();
        liar_chain.insert_unchecked(block);
    }
    let honest_chain = Arc::new(MemoryChain::new(1));
    honest_chain.extend(150, 0);
    let liar = start(liar_chain, Opts::default()).await;
    let honest = start(honest_chain.clone(), Opts::default()).await;
    let local = Arc::new(MemoryChain::new(1));
    let b = start(
        local.clone(),
        Opts {
            boot_nodes: vec![liar.addr.clone(), honest.addr.clone()],
            sync: true,
            ..Opts::default()
        },
    )
    .await;
    let liar_id = liar.handle.local_peer_id();
    assert!(
        wait_until(Duration::from_secs(30), || b
            .handle
            .banned_peers()
            .contains(&liar_id))
        .await,
        "the sender of the invalid block is banned"
    );
    assert!(
        wait_until(Duration::from_secs(30), || local.best()
            == honest_chain.best())
        .await,
        "the honest peer's chain is synced: at {:?}",
        local.best()
    );
    assert!(b.handle.peers().iter().all(|p| p.peer_id != liar_id));
    for node in [b, liar, honest] {
        node.stop().await;
    }
}
