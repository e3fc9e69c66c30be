//! `chainHead_v1_*` (paritytech/json-rpc-interface-spec): following the head of the chain with
//! pinned blocks, and the operations (body, call, storage) whose results arrive as events on the
//! follow subscription.
//!
//! A follower is told the finalized block (`initialized`), every non-finalized block the node
//! knows, forks included, parents first (`newBlock`), the best block (`bestBlockChanged`), and
//! each finalization with the blocks it prunes (`finalized`). Every reported block stays pinned
//! for that follower until it calls `chainHead_v1_unpin`.
//!
//! Bounds, so that a client cannot grow the node's memory or take every slot: at most
//! [`MAX_FOLLOWS_PER_CONNECTION`] followers per connection and [`MAX_FOLLOWS`] on the server,
//! [`MAX_PINNED`] pinned blocks per follower (the follower gets `stop` when it
//! would pin more: it must unpin what it no longer needs), [`MAX_OPERATIONS`] operations in
//! flight per follower (`limitReached` beyond), and [`storage_query::PAGE`] storage items per event, after which
//! a descendants query waits for `chainHead_v1_continue`. A follower whose notifications fall
//! behind the client's buffer gets `stop` rather than a gap.
//!
//! The hash of `:code` answers the hash of the runtime's version ([`storage_query::native_code_hash`]): Basalt's
//! runtime is native, so no Wasm is stored, but clients identify runtimes by that hash.
//!
//! `closestDescendantMerkleValue` answers the Merkle value of the trie node at or closest
//! below the key, as Substrate does (one walk from the root, whatever lies below).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use basalt_support::state::Backend;
use basalt_support::H256;
use codec::Encode;
use jsonrpsee::types::ErrorObjectOwned;
use jsonrpsee::{PendingSubscriptionSink, RpcModule};
use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;

use super::error::{error, hex0x, hex_hash, invalid_params};
use super::params::{arg, call_parameters, hash, positional, string};
use super::storage_query::{self, ItemKind, StorageQuery};
use super::{send_json, RpcContext, RpcResult};

/// Most `chainHead_v1_follow` subscriptions open on one connection (the specification asks
/// for at least 2), so that one client cannot take every slot.
pub const MAX_FOLLOWS_PER_CONNECTION: usize = 8;
/// Most `chainHead_v1_follow` subscriptions open on one server.
pub const MAX_FOLLOWS: usize = 1024;
/// Most blocks one follower may have pinned.
pub const MAX_PINNED: usize = 512;
/// Most operations in flight per follower (the specification asks for at least 16).
pub const MAX_OPERATIONS: usize = 16;

/// -32801: a block that was not reported or is unpinned.
const INVALID_BLOCK: i32 = -32801;
/// -32803: `continue` on an operation that is not waiting.
const NOT_WAITING: i32 = -32803;
/// -32804: `unpin` of the same hash twice in one call.
const DUPLICATE_HASH: i32 = -32804;

/// The followers of one server, by subscription id.
#[derive(Default)]
pub(crate) struct Follows(BTreeMap<String, Arc<Mutex<Follow>>>);

/// One follower's state.
pub(crate) struct Follow {
    /// The connection it was opened on.
    connection: usize,
    with_runtime: bool,
    pinned: BTreeSet<H256>,
    /// Reported non-finalized blocks: number and parent.
    announced: BTreeMap<H256, (u32, H256)>,
    finalized: (H256, u32),
    best: H256,
    next_operation: u64,
    in_flight: usize,
    /// Descendants queries waiting for `continue`.
    waiting: BTreeMap<String, StorageQuery>,
    /// Operation events to send (`None`: stop the subscription).
    events: mpsc::UnboundedSender<Option<Value>>,
}

/// Registers the `chainHead_v1_*` methods.
pub(super) fn register(module: &mut RpcModule<RpcContext>) -> anyhow::Result<()> {
    module.register_subscription(
        "chainHead_v1_follow",
        "chainHead_v1_followEvent",
        "chainHead_v1_unfollow",
        |params, pending, ctx, ext| async move {
            let connection = ext
                .get::<jsonrpsee::core::server::ConnectionId>()
                .map_or(0, |c| c.0);
            follow(params, pending, ctx, connection).await
        },
    )?;
    module.register_blocking_method("chainHead_v1_header", |params, ctx, _| {
        let args = positional(&params, &["followSubscription", "hash"])?;
        let Some(follow) = follower(&ctx, &args)? else {
            return RpcResult::Ok(Value::Null);
        };
        let block = hash(arg(&args, 1), "hash")?;
        check_pinned(&follow, &block)?;
        Ok(ctx
            .client
            .header(block)
            .map_or(Value::Null, |h| json!(hex0x(&h.encode()))))
    })?;
    module.register_blocking_method("chainHead_v1_body", |params, ctx, _| {
        let args = positional(&params, &["followSubscription", "hash"])?;
        let block = hash(arg(&args, 1), "hash")?;
        start(&ctx, &args, block, move |ctx, id, follow| {
            finish(follow);
            let event = match ctx.client.body(block) {
                Some(body) => json!({
                    "event": "operationBodyDone",
                    "operationId": id,
                    "value": body.iter().map(|xt| hex0x(&xt.encode())).collect::<Vec<_>>(),
                }),
                None => json!({ "event": "operationInaccessible", "operationId": id }),
            };
            vec![event]
        })
    })?;
    module.register_blocking_method("chainHead_v1_call", |params, ctx, _| {
        let args = positional(
            &params,
            &["followSubscription", "hash", "function", "callParameters"],
        )?;
        let block = hash(arg(&args, 1), "hash")?;
        let function = string(arg(&args, 2), "function")?;
        let input = call_parameters(arg(&args, 3))?;
        start(&ctx, &args, block, move |ctx, id, follow| {
            finish(follow);
            let outcome = ctx.client.runtime_call(block, &function, &input);
            vec![match outcome {
                Ok(Ok(out)) => json!({
                    "event": "operationCallDone", "operationId": id, "output": hex0x(&out),
                }),
                Ok(Err(reason)) => json!({
                    "event": "operationError", "operationId": id, "error": reason.to_string(),
                }),
                Err(_) => json!({ "event": "operationInaccessible", "operationId": id }),
            }]
        })
    })?;
    module.register_blocking_method("chainHead_v1_storage", |params, ctx, _| {
        let args = positional(
            &params,
            &["followSubscription", "hash", "items", "childTrie"],
        )?;
        let block = hash(arg(&args, 1), "hash")?;
        if !arg(&args, 3).is_null() {
            return Err(invalid_params("child tries are not supported"));
        }
        let items = storage_query::parse_items(arg(&args, 2))?
            .into_iter()
            .map(|item| (item.key, item.kind))
            .collect();
        storage(&ctx, &args, block, items)
    })?;
    module.register_blocking_method("chainHead_v1_continue", |params, ctx, _| {
        let args = positional(&params, &["followSubscription", "operationId"])?;
        let Some(follow) = follower(&ctx, &args)? else {
            return RpcResult::Ok(Value::Null);
        };
        let id = string(arg(&args, 1), "operationId")?;
        let query = follow.lock().waiting.remove(&id);
        let Some(query) = query else {
            return Err(error(
                NOT_WAITING,
                "the operation is not waiting for continue",
                None,
            ));
        };
        let events = run_storage(&ctx, &id, query, &follow);
        send_all(&follow, events);
        Ok(Value::Null)
    })?;
    module.register_method("chainHead_v1_stopOperation", |params, ctx, _| {
        let args = positional(&params, &["followSubscription", "operationId"])?;
        if let Some(follow) = follower(ctx, &args)? {
            let id = string(arg(&args, 1), "operationId")?;
            let mut f = follow.lock();
            if f.waiting.remove(&id).is_some() {
                f.in_flight = f.in_flight.saturating_sub(1);
            }
        }
        RpcResult::Ok(Value::Null)
    })?;
    module.register_method("chainHead_v1_unpin", |params, ctx, _| {
        let args = positional(&params, &["followSubscription", "hashOrHashes"])?;
        let Some(follow) = follower(ctx, &args)? else {
            return RpcResult::Ok(Value::Null);
        };
        let hashes: Vec<H256> = match arg(&args, 1) {
            Value::Array(list) => list
                .iter()
                .map(|h| hash(h, "hashOrHashes"))
                .collect::<Result<_, _>>()?,
            one => vec![hash(one, "hashOrHashes")?],
        };
        let unique: BTreeSet<H256> = hashes.iter().copied().collect();
        if unique.len() != hashes.len() {
            return Err(error(DUPLICATE_HASH, "a hash is given twice", None));
        }
        let mut f = follow.lock();
        if let Some(h) = hashes.iter().find(|h| !f.pinned.contains(h)) {
            return Err(error(
                INVALID_BLOCK,
                format!("block {} is not pinned", hex_hash(h)),
                None,
            ));
        }
        for h in &hashes {
            f.pinned.remove(h);
        }
        Ok(Value::Null)
    })?;
    Ok(())
}

/// The follower `args[0]` names, `None` when it is unknown or stopped.
fn follower(
    ctx: &RpcContext,
    args: &[Value],
) -> Result<Option<Arc<Mutex<Follow>>>, ErrorObjectOwned> {
    let id = string(arg(args, 0), "followSubscription")?;
    Ok(ctx.follows.lock().0.get(&id).cloned())
}

fn check_pinned(follow: &Mutex<Follow>, block: &H256) -> Result<(), ErrorObjectOwned> {
    if follow.lock().pinned.contains(block) {
        Ok(())
    } else {
        Err(error(
            INVALID_BLOCK,
            format!("block {} is not pinned", hex_hash(block)),
            None,
        ))
    }
}

/// Starts an operation on a pinned block: answers `started` with a new id at once and runs
/// `work` on a blocking thread; its events go to the follower. `work` ends the operation (frees
/// its slot) with [`finish`], or parks it for `continue`.
fn start(
    ctx: &Arc<RpcContext>,
    args: &[Value],
    block: H256,
    work: impl FnOnce(&RpcContext, &str, &Mutex<Follow>) -> Vec<Value> + Send + 'static,
) -> RpcResult {
    let Some(follow) = follower(ctx, args)? else {
        return Ok(json!({ "result": "limitReached" }));
    };
    check_pinned(&follow, &block)?;
    let id = {
        let mut f = follow.lock();
        if f.in_flight >= MAX_OPERATIONS {
            return Ok(json!({ "result": "limitReached" }));
        }
        f.in_flight += 1;
        f.next_operation += 1;
        f.next_operation.to_string()
    };
    let (ctx, op) = (ctx.clone(), id.clone());
    tokio::task::spawn_blocking(move || {
        let events = work(&ctx, &op, &follow);
        send_all(&follow, events);
    });
    Ok(json!({ "result": "started", "operationId": id }))
}

/// Frees an operation's slot.
fn finish(follow: &Mutex<Follow>) {
    let mut f = follow.lock();
    f.in_flight = f.in_flight.saturating_sub(1);
}

fn send_all(follow: &Mutex<Follow>, events: Vec<Value>) {
    let f = follow.lock();
    for e in events {
        let _ = f.events.send(Some(e));
    }
}

/// `chainHead_v1_storage`: at most as many items as there are free operation slots (the rest
/// are `discardedItems`), run one after another as one operation.
fn storage(
    ctx: &Arc<RpcContext>,
    args: &[Value],
    block: H256,
    mut items: Vec<(Vec<u8>, ItemKind)>,
) -> RpcResult {
    let Some(follow) = follower(ctx, args)? else {
        return Ok(json!({ "result": "limitReached" }));
    };
    let free = MAX_OPERATIONS.saturating_sub(follow.lock().in_flight);
    let discarded = items.len().saturating_sub(free);
    items.truncate(free);
    let mut answer = start(ctx, args, block, move |ctx, id, follow| {
        let query = StorageQuery {
            at: block,
            items,
            resume_after: None,
        };
        run_storage(ctx, id, query, follow)
    })?;
    if answer["result"] == "started" {
        answer["discardedItems"] = json!(discarded);
    }
    Ok(answer)
}

/// Runs a storage query's next page for `follow`: done (its slot freed), or parked for
/// `continue`.
fn run_storage(
    ctx: &RpcContext,
    id: &str,
    query: StorageQuery,
    follow: &Mutex<Follow>,
) -> Vec<Value> {
    let (mut events, rest) = storage_page(ctx, id, query);
    match rest {
        None => finish(follow),
        Some(rest) => {
            events.push(json!({ "event": "operationWaitingForContinue", "operationId": id }));
            follow.lock().waiting.insert(id.to_string(), rest);
        }
    }
    events
}

/// One page of a storage query: its events, and what is left (`None`: done, and the events end
/// with `operationStorageDone`).
fn storage_page(
    ctx: &RpcContext,
    id: &str,
    mut query: StorageQuery,
) -> (Vec<Value>, Option<StorageQuery>) {
    let inaccessible = || vec![json!({ "event": "operationInaccessible", "operationId": id })];
    let Some(state) = ctx.client.state_at(query.at) else {
        return (inaccessible(), None);
    };
    let (found, more) = storage_query::collect(&state, &mut query, storage_query::PAGE);
    if more {
        let events = vec![json!({
            "event": "operationStorageItems", "operationId": id, "items": found,
        })];
        return (events, Some(query));
    }
    if state.is_corrupt() {
        return (inaccessible(), None);
    }
    let mut events = Vec::new();
    if !found.is_empty() {
        events.push(json!({ "event": "operationStorageItems", "operationId": id, "items": found }));
    }
    events.push(json!({ "event": "operationStorageDone", "operationId": id }));
    (events, None)
}

/// The runtime as `finalizedBlockRuntime` / `newRuntime` describe it.
fn runtime_spec() -> Value {
    let v = basalt_runtime::api::version();
    let apis: serde_json::Map<String, Value> = v
        .apis
        .iter()
        .map(|(id, version)| (hex0x(id), json!(version)))
        .collect();
    json!({
        "type": "valid",
        "spec": {
            "specName": v.spec_name,
            "implName": v.impl_name,
            "specVersion": v.spec_version,
            "implVersion": v.impl_version,
            "transactionVersion": v.transaction_version,
            "apis": apis,
        }
    })
}

/// Runs one `chainHead_v1_follow` subscription.
async fn follow(
    params: jsonrpsee::types::Params<'static>,
    pending: PendingSubscriptionSink,
    ctx: Arc<RpcContext>,
    connection: usize,
) {
    let with_runtime = match positional(&params, &["withRuntime"]).map(|a| arg(&a, 0).as_bool()) {
        Ok(Some(b)) => b,
        Ok(None) => {
            pending
                .reject(invalid_params("withRuntime must be a boolean"))
                .await;
            return;
        }
        Err(e) => {
            pending.reject(e).await;
            return;
        }
    };
    let (total, mine) = {
        let follows = ctx.follows.lock();
        let mine = follows
            .0
            .values()
            .filter(|f| f.lock().connection == connection)
            .count();
        (follows.0.len(), mine)
    };
    if total >= MAX_FOLLOWS || mine >= MAX_FOLLOWS_PER_CONNECTION {
        pending
            .reject(error(
                -32800,
                "too many chainHead_v1_follow subscriptions",
                None,
            ))
            .await;
        return;
    }
    let mut imports = ctx.client.import_notifications();
    let mut finality = ctx.client.finality_notifications();
    let Ok(sink) = pending.accept().await else {
        return;
    };
    let sid = match sink.subscription_id() {
        jsonrpsee::types::SubscriptionId::Num(n) => n.to_string(),
        jsonrpsee::types::SubscriptionId::Str(s) => s.to_string(),
    };
    let info = ctx.client.info();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let state = Arc::new(Mutex::new(Follow {
        connection,
        with_runtime,
        pinned: BTreeSet::from([info.finalized_hash]),
        announced: BTreeMap::new(),
        finalized: (info.finalized_hash, info.finalized_number),
        // Not a block: the first `bestBlockChanged` is always sent.
        best: H256::zero(),
        next_operation: 0,
        in_flight: 0,
        waiting: BTreeMap::new(),
        events: tx,
    }));
    ctx.follows.lock().0.insert(sid.clone(), state.clone());
    let mut initialized = json!({
        "event": "initialized",
        "finalizedBlockHashes": [hex_hash(&info.finalized_hash)],
    });
    if with_runtime {
        initialized["finalizedBlockRuntime"] = runtime_spec();
    }
    let mut ok = send_json(&sink, &initialized).await;
    // Every non-finalized block, parents first, then the best block.
    for (hash, parent) in non_finalized(&ctx, info.finalized_number) {
        if !ok {
            break;
        }
        ok = announce(&ctx, &sink, &state, hash, parent).await;
    }
    if ok {
        ok = set_best(&sink, &state, ctx.client.info().best_hash).await;
    }
    while ok {
        tokio::select! {
            _ = sink.closed() => break,
            event = rx.recv() => match event {
                Some(Some(e)) => ok = send_json(&sink, &e).await,
                _ => break,
            },
            n = imports.recv() => match n {
                Ok(n) => {
                    let known = state.lock().announced.contains_key(&n.hash);
                    if !known {
                        ok = announce(&ctx, &sink, &state, n.hash, n.header.parent_hash).await;
                    }
                    if ok && n.is_new_best {
                        ok = set_best(&sink, &state, n.hash).await;
                    }
                }
                Err(RecvError::Lagged(_)) => ok = stop(&sink).await,
                Err(RecvError::Closed) => break,
            },
            n = finality.recv() => match n {
                Ok(n) => ok = finalize(&ctx, &sink, &state, n.hash, n.header.number).await,
                Err(RecvError::Lagged(_)) => ok = stop(&sink).await,
                Err(RecvError::Closed) => break,
            },
        }
    }
    ctx.follows.lock().0.remove(&sid);
}

/// Every block above the finalized height on a path from a leaf, parents first.
fn non_finalized(ctx: &RpcContext, finalized: u32) -> Vec<(H256, H256)> {
    let mut blocks: BTreeMap<(u32, H256), H256> = BTreeMap::new();
    for (leaf, _) in ctx.client.leaves() {
        let mut cursor = leaf;
        while let Some(h) = ctx.client.header(cursor) {
            if h.number <= finalized || blocks.contains_key(&(h.number, cursor)) {
                break;
            }
            blocks.insert((h.number, cursor), h.parent_hash);
            cursor = h.parent_hash;
        }
    }
    blocks
        .into_iter()
        .map(|((_, hash), parent)| (hash, parent))
        .collect()
}

async fn stop(sink: &jsonrpsee::SubscriptionSink) -> bool {
    let _ = send_json(sink, &json!({ "event": "stop" })).await;
    false
}

/// Reports `hash` (`newBlock`) and pins it; `false` when the subscription ends (a gap: its
/// parent was never reported, or too many pinned blocks).
async fn announce(
    ctx: &RpcContext,
    sink: &jsonrpsee::SubscriptionSink,
    state: &Mutex<Follow>,
    hash: H256,
    parent: H256,
) -> bool {
    let Some(number) = ctx.client.header(hash).map(|h| h.number) else {
        return true;
    };
    let next = new_block_event(&mut state.lock(), hash, number, parent);
    next.run(sink).await
}

/// The `newBlock` event for `hash` (at `number`, child of `parent`), pinning it; `Stop` when
/// its parent was never reported or the follower already pins [`MAX_PINNED`] blocks (a
/// follower that never unpins is stopped rather than growing the node's memory).
fn new_block_event(f: &mut Follow, hash: H256, number: u32, parent: H256) -> Next {
    if number <= f.finalized.1 {
        return Next::Skip;
    }
    if (parent != f.finalized.0 && !f.announced.contains_key(&parent))
        || f.pinned.len() >= MAX_PINNED
    {
        return Next::Stop;
    }
    f.pinned.insert(hash);
    f.announced.insert(hash, (number, parent));
    let mut event = json!({
        "event": "newBlock",
        "blockHash": hex_hash(&hash),
        "parentBlockHash": hex_hash(&parent),
    });
    if f.with_runtime {
        event["newRuntime"] = Value::Null;
    }
    Next::Send(event)
}

/// What a follower is sent next, decided under its lock and sent after it.
enum Next {
    /// Nothing.
    Skip,
    /// `stop`: the subscription ends.
    Stop,
    /// This event.
    Send(Value),
}

impl Next {
    /// Sends it; `false` when the subscription ends.
    async fn run(self, sink: &jsonrpsee::SubscriptionSink) -> bool {
        match self {
            Next::Skip => true,
            Next::Stop => stop(sink).await,
            Next::Send(event) => send_json(sink, &event).await,
        }
    }
}

async fn set_best(sink: &jsonrpsee::SubscriptionSink, state: &Mutex<Follow>, best: H256) -> bool {
    let next = {
        let mut f = state.lock();
        if f.best == best || (best != f.finalized.0 && !f.announced.contains_key(&best)) {
            Next::Skip
        } else {
            f.best = best;
            Next::Send(json!({ "event": "bestBlockChanged", "bestBlockHash": hex_hash(&best) }))
        }
    };
    next.run(sink).await
}

/// Reports the finalization of `hash`: the newly finalized blocks, oldest first, and the
/// reported blocks that are not its descendants.
async fn finalize(
    ctx: &RpcContext,
    sink: &jsonrpsee::SubscriptionSink,
    state: &Mutex<Follow>,
    hash: H256,
    number: u32,
) -> bool {
    let next = {
        let mut f = state.lock();
        finalized_event(&mut f, hash, number)
    };
    if !next.run(sink).await {
        return false;
    }
    let best = ctx.client.info().best_hash;
    set_best(sink, state, best).await
}

/// The `finalized` event for `hash` at `number`, updating what `f` has announced.
fn finalized_event(f: &mut Follow, hash: H256, number: u32) -> Next {
    if number <= f.finalized.1 {
        return Next::Skip;
    }
    let mut path = Vec::new();
    let mut cursor = hash;
    while cursor != f.finalized.0 {
        let Some((_, parent)) = f.announced.get(&cursor).copied() else {
            return Next::Stop;
        };
        path.push(cursor);
        cursor = parent;
    }
    path.reverse();
    for h in &path {
        f.announced.remove(h);
    }
    let on_chain = |mut b: H256, announced: &BTreeMap<H256, (u32, H256)>| loop {
        match announced.get(&b) {
            Some((n, p)) if *n > number => b = *p,
            _ => return b == hash,
        }
    };
    let pruned: Vec<H256> = f
        .announced
        .iter()
        .filter(|(b, (n, _))| *n <= number || !on_chain(**b, &f.announced))
        .map(|(b, _)| *b)
        .collect();
    for h in &pruned {
        f.announced.remove(h);
    }
    f.finalized = (hash, number);
    if pruned.contains(&f.best) || path.contains(&f.best) {
        f.best = hash;
    }
    Next::Send(json!({
        "event": "finalized",
        "finalizedBlockHashes": path.iter().map(hex_hash).collect::<Vec<_>>(),
        "prunedBlockHashes": pruned.iter().map(hex_hash).collect::<Vec<_>>(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(n: u8) -> H256 {
        H256::repeat_byte(n)
    }

    /// A follower that was told: F(0) -> A(1) -> A'(2), F -> B(1), A -> C(2), A' -> D(3).
    fn forked() -> Follow {
        let (events, _) = mpsc::unbounded_channel();
        let announced = BTreeMap::from([
            (h(0xa1), (1, h(0xf0))),
            (h(0xa2), (2, h(0xa1))),
            (h(0xb1), (1, h(0xf0))),
            (h(0xc2), (2, h(0xa1))),
            (h(0xd3), (3, h(0xa2))),
        ]);
        Follow {
            connection: 0,
            with_runtime: false,
            pinned: announced.keys().copied().chain([h(0xf0)]).collect(),
            announced,
            finalized: (h(0xf0), 0),
            best: h(0xd3),
            next_operation: 0,
            in_flight: 0,
            waiting: BTreeMap::new(),
            events,
        }
    }

    fn hashes(v: &Value) -> BTreeSet<String> {
        v.as_array()
            .expect("a list")
            .iter()
            .map(|x| x.as_str().expect("a hash").to_string())
            .collect()
    }

    #[test]
    fn finality_reports_the_path_oldest_first_and_prunes_every_other_fork() {
        let mut f = forked();
        let Next::Send(event) = finalized_event(&mut f, h(0xa2), 2) else {
            panic!("an event")
        };
        assert_eq!(
            event["finalizedBlockHashes"],
            json!([hex_hash(&h(0xa1)), hex_hash(&h(0xa2))])
        );
        assert_eq!(
            hashes(&event["prunedBlockHashes"]),
            [h(0xb1), h(0xc2)].iter().map(hex_hash).collect()
        );
        // The descendant stays announced, and pinned blocks stay pinned until unpinned.
        assert_eq!(f.announced.keys().collect::<Vec<_>>(), vec![&h(0xd3)]);
        assert_eq!(f.pinned.len(), 6);
        assert_eq!(f.finalized, (h(0xa2), 2));
        assert_eq!(
            f.best,
            h(0xd3),
            "the best block was neither finalized nor pruned"
        );
    }

    #[test]
    fn a_follower_that_never_unpins_is_stopped_at_the_pinned_limit() {
        let mut f = forked();
        let mut parent = h(0xd3);
        let mut n = 4u32;
        while f.pinned.len() < MAX_PINNED {
            let hash = H256::from_low_u64_be(u64::from(n));
            assert!(matches!(
                new_block_event(&mut f, hash, n, parent),
                Next::Send(_)
            ));
            parent = hash;
            n += 1;
        }
        let next = H256::from_low_u64_be(u64::from(n));
        assert!(matches!(
            new_block_event(&mut f, next, n, parent),
            Next::Stop
        ));
        assert_eq!(f.pinned.len(), MAX_PINNED, "nothing more is kept");
    }

    #[test]
    fn a_block_whose_parent_was_never_reported_stops_the_follower() {
        let mut f = forked();
        assert!(matches!(
            new_block_event(&mut f, h(0x44), 4, h(0x99)),
            Next::Stop
        ));
        assert!(matches!(
            new_block_event(&mut f, h(0x45), 0, h(0x99)),
            Next::Skip
        ));
        let Next::Send(event) = new_block_event(&mut f, h(0xe4), 4, h(0xd3)) else {
            panic!("a newBlock")
        };
        assert_eq!(event["parentBlockHash"], json!(hex_hash(&h(0xd3))));
        assert!(
            event.get("newRuntime").is_none(),
            "only with runtime updates"
        );
    }

    #[test]
    fn finality_of_an_unannounced_block_stops_the_follower() {
        let mut f = forked();
        assert!(matches!(finalized_event(&mut f, h(0x99), 2), Next::Stop));
        assert!(matches!(finalized_event(&mut f, h(0xf0), 0), Next::Skip));
    }
}
