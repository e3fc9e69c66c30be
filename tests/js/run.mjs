// @polkadot/api (stock, 16.5.6), polkadot-api and dedot against the real `basalt --dev` binary.
//
//   BASALT_BIN=target/release/basalt node run.mjs [filter|filter...]
//   BASALT_URL=ws://127.0.0.1:9945 node run.mjs 'polkadot-api|dedot'   # a running node instead
//
// Starts the node on free ports (harness.mjs), runs the checks below in order (later checks use
// accounts funded by earlier ones), stops the node whatever happens, prints 'N passed, N failed'
// and exits non-zero on any failure. BASALT_TEST_SLOT_MS sets the node's slot length (default 500).
// A filter runs the checks whose names contain one of its '|'-separated parts.

import assert from 'node:assert/strict';

import { createClient } from 'polkadot-api';
import { getWsProvider } from 'polkadot-api/ws';
import { getPolkadotSigner } from 'polkadot-api/signer';
import { WebSocket } from 'ws';
import { DedotClient, LegacyClient, WsProvider as DedotWsProvider } from 'dedot';
import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { stringCamelCase, u8aToHex, hexToU8a } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';

import { startNode } from './harness.mjs';

const UNIT = 10n ** 12n;
// The treasury account (`modlpy/trsry` padded): it receives half of every fee.
const TREASURY = '5EYCAe5ijiYfyeZ2JJCGq56LmPyNRAKzpG4QkoQkkQNB5e6Z';
const tests = [];
const test = (name, fn) => tests.push({ name, fn });
const ctx = {};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function withTimeout (promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000}s`)), ms); })
  ]);
}

// What the runtime must show to a stock client (issue 2). More items are fine; missing ones fail.
const EXPECTED_PALLETS = {
  System: { index: 0, calls: ['remark'], events: ['ExtrinsicSuccess', 'ExtrinsicFailed', 'NewAccount', 'KilledAccount'], storage: ['Account', 'Events', 'Number', 'ParentHash', 'BlockHash', 'Digest'], constants: ['SS58Prefix', 'BlockHashCount', 'BlockWeights', 'BlockLength', 'DbWeight', 'Version'] },
  Timestamp: { index: 1, calls: ['set'], storage: ['Now'] },
  Balances: {
    index: 2,
    calls: ['transfer_allow_death', 'transfer_keep_alive', 'transfer_all', 'force_transfer', 'force_set_balance'],
    events: ['Endowed', 'Transfer', 'BalanceSet', 'Reserved', 'Unreserved', 'Deposit', 'Withdraw'],
    storage: ['TotalIssuance'],
    constants: ['ExistentialDeposit'],
    errors: ['InsufficientBalance', 'ExistentialDeposit', 'Expendability']
  },
  TransactionPayment: { index: 3, events: ['TransactionFeePaid'] },
  Sudo: { index: 4, calls: ['sudo'], events: ['Sudid'], storage: ['Key'], errors: ['RequireSudo'] },
  Staking: {
    index: 5,
    calls: ['bond', 'bond_extra', 'unbond', 'withdraw_unbonded', 'validate', 'nominate', 'chill', 'payout_stakers', 'rebond', 'register_provider', 'deregister_provider', 'set_keys'],
    events: ['EraPaid', 'Rewarded', 'Slashed', 'StakersElected', 'Bonded', 'Unbonded', 'Withdrawn', 'ProviderRegistered'],
    storage: ['Ledger', 'Bonded', 'Validators', 'Nominators', 'Providers', 'ErasStakers', 'ErasRewardPoints', 'ErasValidatorReward', 'CurrentEra', 'ActiveEra', 'UnappliedSlashes'],
    constants: ['BondingDuration', 'HistoryDepth', 'EraLength'],
    errors: ['AlreadyBonded', 'AlreadyClaimed']
  },
  Nfts: {
    index: 7,
    calls: ['create', 'mint', 'burn', 'transfer', 'set_price', 'buy_item', 'place_offer', 'cancel_offer', 'accept_offer', 'set_usage_fee'],
    events: ['Created', 'Issued', 'Transferred', 'ItemBought', 'RoyaltyPaid', 'OfferPlaced', 'OfferWithdrawn', 'UsageFeePaid'],
    storage: ['Collection', 'Item', 'Account', 'ItemPriceOf', 'Offers', 'ModelUsage'],
    constants: ['MaxRoyalty', 'MinRoyalty', 'MarketFee'],
    errors: ['TransferRequiresSale', 'PriceBelowRoyaltyFloor', 'OfferChanged']
  },
  Treasury: {
    index: 8,
    calls: ['spend', 'payout', 'check_status', 'void_spend'],
    events: ['Burnt', 'Rollover', 'AssetSpendApproved', 'Paid', 'SpendProcessed'],
    storage: ['SpendCount', 'Spends'],
    constants: ['SpendPeriod', 'Burn', 'PalletId', 'PayoutPeriod'],
    errors: ['InvalidIndex', 'InsufficientPermission', 'AlreadyAttempted']
  },
  Scheduler: {
    index: 9,
    calls: ['schedule', 'cancel', 'schedule_named', 'cancel_named', 'schedule_after', 'schedule_named_after'],
    events: ['Scheduled', 'Canceled', 'Dispatched'],
    storage: ['Agenda', 'Lookup', 'IncompleteSince'],
    constants: ['MaximumWeight', 'MaxScheduledPerBlock'],
    errors: ['FailedToSchedule', 'NotFound', 'TargetBlockNumberInPast']
  },
  ConvictionVoting: {
    index: 11,
    calls: ['vote', 'delegate', 'undelegate', 'unlock', 'remove_vote', 'remove_other_vote'],
    events: ['Delegated', 'Undelegated', 'Voted', 'VoteRemoved', 'VoteUnlocked'],
    storage: ['VotingFor', 'ClassLocksFor'],
    constants: ['MaxVotes', 'VoteLockingPeriod'],
    errors: ['NotOngoing', 'InsufficientFunds']
  },
  Referenda: {
    index: 12,
    calls: ['submit', 'place_decision_deposit', 'refund_decision_deposit', 'cancel', 'kill', 'refund_submission_deposit'],
    events: ['Submitted', 'DecisionStarted', 'Confirmed', 'Approved', 'Rejected'],
    storage: ['ReferendumCount', 'ReferendumInfoFor', 'TrackQueue', 'DecidingCount'],
    constants: ['SubmissionDeposit', 'Tracks', 'UndecidingTimeout'],
    errors: ['NoTrack', 'NotOngoing']
  },
  Preimage: {
    index: 14,
    calls: ['note_preimage', 'unnote_preimage'],
    events: ['Noted', 'Cleared'],
    storage: ['RequestStatusFor', 'PreimageFor'],
    errors: ['AlreadyNoted', 'Requested']
  }
};

const freeOf = async (address, at) => {
  const api = at ? await ctx.api.at(at) : ctx.api;
  return (await api.query.system.account(address)).data.free.toBigInt();
};

function newAccount (type = 'sr25519') {
  return new Keyring({ type, ss58Format: 42 }).addFromUri(mnemonicGenerate());
}

// signAndSend with a status callback: resolves at Finalized with every status seen.
function sendAndWatch (tx, signer, options = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    const statuses = [];
    let inBlock = null;
    let inBlockResult = null;
    tx.signAndSend(signer, options, (result) => {
      const { status } = result;
      statuses.push(status.type);
      if (status.isInBlock) {
        inBlock = status.asInBlock.toHex();
        inBlockResult = result;
      }
      if (status.isFinalized) {
        resolve({ statuses, inBlock, finalized: status.asFinalized.toHex(), result, inBlockResult });
      }
      if (result.isError) reject(new Error(`transaction status ${status.type}`));
    }).catch(reject);
  }), 60000, 'signAndSend');
}

const eventsOf = (result) => result.events.map(({ event }) => event);
function findEvent (result, section, method) {
  const ev = eventsOf(result).find((e) => e.section === section && e.method === method);
  assert.ok(ev, `no ${section}.${method} among ${eventsOf(result).map((e) => `${e.section}.${e.method}`)}`);
  return ev;
}

async function parentOf (blockHash) {
  return (await ctx.api.rpc.chain.getHeader(blockHash)).parentHash.toHex();
}

// Events, balances and fee of an included, successful transfer.
async function checkPaidTransfer (sent, tx, sender, dest, amount) {
  const { api } = ctx;
  const { result, finalized } = sent;
  // The block it is in: from InBlock, else Finalized (see the status test for why both).
  const inBlock = sent.inBlock ?? finalized;
  assert.equal(finalized, inBlock, 'finalized in another block than it was included in');
  assert.ok(!result.dispatchError, `dispatch error ${result.dispatchError?.toString()}`);
  const t = findEvent(result, 'balances', 'Transfer');
  assert.equal(t.data.from.toString(), sender);
  assert.equal(t.data.to.toString(), dest);
  assert.equal(t.data.amount.toBigInt(), amount);
  const feeEv = findEvent(result, 'transactionPayment', 'TransactionFeePaid');
  assert.equal(feeEv.data.who.toString(), sender);
  assert.equal(feeEv.data.tip.toBigInt(), 0n);
  const fee = feeEv.data.actualFee.toBigInt();
  assert.ok(fee > 0n);
  const success = findEvent(result, 'system', 'ExtrinsicSuccess');
  assert.ok(success.data.dispatchInfo.weight.refTime.toBigInt() > 0n, 'dispatch info weight');
  const names = eventsOf(result).map((e) => `${e.section}.${e.method}`);
  assert.equal(names[names.length - 1], 'system.ExtrinsicSuccess');
  assert.ok(result.dispatchInfo, 'SubmittableResult.dispatchInfo missing');

  const parent = await parentOf(inBlock);
  // The block author's 30% is not deposited: staking credits it to the author's era reward
  // (paid by payout_stakers, shared with its nominators). Only the treasury gets a Deposit.
  const deposits = eventsOf(result).filter((e) => e.section === 'balances' && e.method === 'Deposit');
  assert.deepEqual(deposits.map((e) => e.data.who.toString()), [TREASURY], 'only the treasury is paid at once');
  const [b0, b1, d0, d1] = await Promise.all([freeOf(sender, parent), freeOf(sender, inBlock), freeOf(dest, parent), freeOf(dest, inBlock)]);
  assert.equal(b0 - b1, amount + fee, `sender paid ${b0 - b1}, expected ${amount} + fee ${fee}`);
  assert.equal(d1 - d0, amount, `dest got ${d1 - d0}`);
  const era = (await (await api.at(inBlock)).query.staking.activeEra()).unwrap().index.toNumber();
  const author = ctx.alice.address; // --dev: Alice authors every block
  const [f0, f1] = await Promise.all([parent, inBlock].map(async (at) =>
    (await (await api.at(at)).query.staking.erasValidatorFees(era, author)).toBigInt()));
  const share = fee - fee * 50n / 100n - fee * 20n / 100n;
  assert.ok(f1 - f0 >= share, `author's fee share credited in staking: ${f1 - f0} < ${share}`);

  // The fee the runtime predicts for this very extrinsic at the parent state is the fee paid.
  // (@polkadot/api decodes payment_queryInfo's weight as a V1 u64, which Substrate's V2 weight
  // object does not fit: it deprecates the RPC for the runtime call below. Read it raw.)
  const info = await ctx.provider.send('payment_queryInfo', [tx.toHex(), parent]);
  assert.equal(BigInt(info.partialFee), fee, `payment_queryInfo ${JSON.stringify(info)} but fee ${fee}`);
  const feeDetailsRpc = await api.rpc.payment.queryFeeDetails(tx.toHex(), parent);
  assert.ok(feeDetailsRpc.inclusionFee.isSome, feeDetailsRpc.toString());
  const apiAt = await api.at(parent);
  const info2 = await apiAt.call.transactionPaymentApi.queryInfo(tx.toU8a(), tx.encodedLength);
  assert.equal(info2.partialFee.toBigInt(), fee, `TransactionPaymentApi.query_info ${info2.toString()}`);
  const details = await apiAt.call.transactionPaymentApi.queryFeeDetails(tx.toU8a(), tx.encodedLength);
  const inc = details.inclusionFee.unwrap();
  assert.equal(inc.baseFee.toBigInt() + inc.lenFee.toBigInt() + inc.adjustedWeightFee.toBigInt(), fee, `fee details ${details.toString()}`);
  return fee;
}

// Expect a JSON-RPC error on submit; returns {code, message}.
async function submitError (hex, method = 'submitExtrinsic') {
  const { api } = ctx;
  try {
    if (method === 'submitExtrinsic') {
      const h = await withTimeout(api.rpc.author.submitExtrinsic(hex), 20000, 'author_submitExtrinsic');
      return { accepted: h.toHex() };
    }
    // Straight through the provider: api.rpc memoises subscriptions by their parameters, so a
    // second watch of the same bytes would replay the first one's statuses.
    await withTimeout(new Promise((resolve, reject) => {
      ctx.provider.subscribe('author_extrinsicUpdate', 'author_submitAndWatchExtrinsic', [hex], (error, status) => {
        resolve(error ? { subscriptionError: error.message } : { acceptedWithStatus: status });
      }).catch(reject);
    }), 20000, 'author_submitAndWatchExtrinsic').then((r) => { throw Object.assign(new Error('accepted'), { r }); });
  } catch (e) {
    if (e.r) return e.r;
    const m = /^(-?\d+): (.*)$/s.exec(e.message);
    assert.ok(m, `not a JSON-RPC error: ${e.message}`);
    return { code: Number(m[1]), message: m[2] };
  }
}

// 1010 Invalid Transaction with one of the reasons, on submitExtrinsic (make(0)) and on
// submitAndWatchExtrinsic (make(1), different bytes: the node may ban an invalid hash, like
// Substrate, and answer 1012 to the same bytes).
async function expectInvalid (make, reasons) {
  const first = await make(0);
  const errs = [await submitError(first), await submitError(await make(1), 'submitAndWatchExtrinsic')];
  for (const err of errs) {
    assert.equal(err.code, 1010, JSON.stringify(err));
    assert.ok(err.message.startsWith('Invalid Transaction'), err.message);
    assert.ok(reasons.some((r) => err.message.includes(r)), `reason '${err.message}' not one of ${reasons}`);
  }
  const again = await submitError(first);
  assert.ok([1010, 1012].includes(again.code), JSON.stringify(again));
  return errs[0];
}

const transfer = (method, dest, value) => ctx.api.tx.balances[method](dest, value);

// ---------------------------------------------------------------------------------------------

test('connect and chain info', async () => {
  const { api } = ctx;
  assert.equal((await api.rpc.system.chain()).toString(), 'Basalt Development');
  assert.equal(api.runtimeVersion.specName.toString(), 'basalt');
  assert.equal(api.registry.chainSS58, 42);
  assert.deepEqual(api.registry.chainDecimals, [12]);
  assert.deepEqual(api.registry.chainTokens, ['BSLT']);
  assert.equal(api.genesisHash.toHex(), (await api.rpc.chain.getBlockHash(0)).toHex());
  const props = await api.rpc.system.properties();
  assert.equal(props.ss58Format.unwrap().toNumber(), 42);
  // Metadata: V15 through the runtime API when offered, and V14 from state_getMetadata.
  const versions = await api.call.metadata.metadataVersions();
  assert.ok(versions.map((v) => v.toNumber()).includes(14), `metadata versions ${versions}`);
  assert.equal(api.runtimeMetadata.version, Math.max(...versions.map((v) => v.toNumber()).filter((v) => v <= 15)));
  const v14 = await api.rpc.state.getMetadata();
  assert.equal(v14.version, 14);
  const names = (md) => md.asLatest.pallets.map((p) => `${p.index}:${p.name}`).join(',');
  assert.equal(names(v14), names(api.runtimeMetadata));
  ctx.metadataV14Hex = v14.toHex();
});

test('metadata: every pallet, call, event, storage item, error and constant', async () => {
  const { api } = ctx;
  const lookup = api.registry.lookup;
  const variants = (ty) => lookup.getSiType(ty).def.asVariant.variants.map((v) => v.name.toString());
  const seen = {};
  let n = { calls: 0, events: 0, storage: 0, errors: 0, constants: 0 };
  for (const p of api.runtimeMetadata.asLatest.pallets) {
    const name = p.name.toString();
    const section = stringCamelCase(name);
    const calls = p.calls.isSome ? variants(p.calls.unwrap().type) : [];
    const events = p.events.isSome ? variants(p.events.unwrap().type) : [];
    const errors = p.errors.isSome ? variants(p.errors.unwrap().type) : [];
    const storage = p.storage.isSome ? p.storage.unwrap().items.map((i) => i.name.toString()) : [];
    const constants = p.constants.map((c) => c.name.toString());
    seen[name] = { index: p.index.toNumber(), calls, events, errors, storage, constants };
    for (const c of calls) {
      const fn = api.tx[section]?.[stringCamelCase(c)];
      assert.equal(typeof fn, 'function', `api.tx.${section}.${stringCamelCase(c)} missing`);
      fn.meta.args.forEach((a) => api.registry.createType(a.type.toString()));
    }
    for (const e of events) assert.equal(typeof api.events[section]?.[e]?.is, 'function', `api.events.${section}.${e} missing`);
    for (const e of errors) assert.equal(typeof api.errors[section]?.[e]?.is, 'function', `api.errors.${section}.${e} missing`);
    for (const c of constants) assert.ok(api.consts[section]?.[stringCamelCase(c)] !== undefined, `api.consts.${section}.${c} missing`);
    for (const s of storage) {
      const q = api.query[section]?.[stringCamelCase(s)];
      assert.equal(typeof q, 'function', `api.query.${section}.${stringCamelCase(s)} missing`);
      // Read every plain item (strict decode by the client) and the first page of every map.
      if (q.creator.meta.type.isPlain) await q();
      else if (q.creator.meta.type.asMap.hashers.length === 1) await q.entriesPaged({ args: [], pageSize: 10 });
    }
    n = { calls: n.calls + calls.length, events: n.events + events.length, storage: n.storage + storage.length, errors: n.errors + errors.length, constants: n.constants + constants.length };
  }
  for (const [name, exp] of Object.entries(EXPECTED_PALLETS)) {
    assert.ok(seen[name], `pallet ${name} missing; metadata has ${Object.keys(seen)}`);
    assert.equal(seen[name].index, exp.index, `${name} index`);
    for (const kind of ['calls', 'events', 'storage', 'constants', 'errors']) {
      for (const item of exp[kind] || []) assert.ok(seen[name][kind].includes(item), `${kind} ${name}.${item} not visible; has ${seen[name][kind]}`);
    }
  }
  assert.equal(api.consts.system.ss58Prefix.toNumber(), 42);
  assert.ok(api.consts.balances.existentialDeposit.toBigInt() > 0n);
  assert.deepEqual(api.registry.signedExtensions, ['CheckNonZeroSender', 'CheckSpecVersion', 'CheckTxVersion', 'CheckGenesis', 'CheckMortality', 'CheckNonce', 'CheckWeight', 'ChargeTransactionPayment', 'CheckMetadataHash']);
  console.log(`    metadata V${api.runtimeMetadata.version}: ${Object.keys(seen).length} pallets, ${n.calls} calls, ${n.events} events, ${n.storage} storage items, ${n.errors} errors, ${n.constants} constants`);
});

test('FRAME System constants: Version, BlockWeights, BlockLength, DbWeight', async () => {
  const { api } = ctx;
  const version = api.consts.system.version;
  assert.equal(version.specVersion.toNumber(), api.runtimeVersion.specVersion.toNumber());
  assert.equal(version.specName.toString(), 'basalt');
  const weights = api.consts.system.blockWeights;
  assert.equal(weights.maxBlock.refTime.toBigInt(), 2_000_000_000_000n);
  assert.equal(weights.perClass.normal.maxTotal.unwrap().refTime.toBigInt(), 1_500_000_000_000n);
  assert.ok(weights.perClass.mandatory.maxTotal.isNone);
  assert.equal(api.consts.system.blockLength.max.operational.toNumber(), 5 * 1024 * 1024);
  assert.equal(api.consts.system.dbWeight.read.toBigInt(), 2_000_000n);
});

test('balances of //Alice and //Bob (System.Account, query.multi)', async () => {
  const { api } = ctx;
  const [a, b] = await api.query.system.account.multi([ctx.alice.address, ctx.bob.address]);
  assert.ok(a.data.free.toBigInt() >= 1000n * UNIT);
  assert.equal(b.data.free.toBigInt(), 1000000n * UNIT);
  for (const k of ['free', 'reserved', 'frozen', 'flags']) assert.ok(b.data[k] !== undefined, k);
  const nobody = await api.query.system.account(newAccount().address);
  assert.equal(nobody.nonce.toNumber(), 0);
  assert.equal(nobody.data.free.toBigInt(), 0n);
  const all = await api.query.system.account.entries();
  const addrs = all.map(([k]) => k.args[0].toString());
  assert.ok(addrs.includes(ctx.alice.address) && addrs.includes(ctx.bob.address));
  const derived = await api.derive.balances.all(ctx.bob.address);
  assert.equal(derived.freeBalance.toBigInt(), 1000000n * UNIT);
  assert.equal((await api.rpc.system.accountNextIndex(ctx.bob.address)).toNumber(), 0);
  assert.equal((await api.call.accountNonceApi.accountNonce(ctx.bob.address)).toNumber(), 0);
  assert.ok((await api.query.timestamp.now()).toNumber() > 1600000000000);
});

test('subscribeNewHeads and subscribeFinalizedHeads; header hashes match', async () => {
  const { api } = ctx;
  const collect = (subscribe, count) => withTimeout(new Promise((resolve, reject) => {
    const got = [];
    subscribe((header) => {
      got.push(header);
      if (got.length === count) resolve(got);
    }).then((unsub) => { ctx.unsubs.push(unsub); }).catch(reject);
  }), 30000, 'header subscription');
  const [heads, fins] = await Promise.all([collect(api.rpc.chain.subscribeNewHeads, 3), collect(api.rpc.chain.subscribeFinalizedHeads, 3)]);
  for (const list of [heads, fins]) {
    for (let i = 1; i < list.length; i++) {
      assert.equal(list[i].number.toNumber(), list[i - 1].number.toNumber() + 1, 'consecutive heads');
      assert.equal(list[i].parentHash.toHex(), list[i - 1].hash.toHex(), 'parent hash links');
    }
    for (const h of list) {
      // The client computes blake2_256(SCALE(header)); the node's hash must be the same.
      assert.equal(h.hash.toHex(), (await api.rpc.chain.getBlockHash(h.number.toNumber())).toHex());
      // Every block but genesis (the first finalized head right after start) is Aura-sealed.
      if (h.number.toNumber() > 0) assert.ok(h.digest.logs.some((l) => l.isPreRuntime) && h.digest.logs.some((l) => l.isSeal), 'aura digest');
    }
  }
  const block = await api.rpc.chain.getBlock(heads[2].hash);
  assert.equal(block.block.header.hash.toHex(), heads[2].hash.toHex());
  assert.equal(block.block.extrinsics[0].method.section, 'timestamp');
  for (const unsub of ctx.unsubs.splice(0)) unsub();
});

test('sr25519 transferKeepAlive from //Alice (immortal)', async () => {
  const dest = newAccount().address;
  const tx = transfer('transferKeepAlive', dest, 10n * UNIT);
  const sent = await sendAndWatch(tx, ctx.alice, { era: 0 });
  assert.ok(tx.era.isImmortalEra);
  await checkPaidTransfer(sent, tx, ctx.alice.address, dest, 10n * UNIT);
  ctx.replay = tx.toHex();
});

test('signAndSend status callbacks: isReady, isInBlock (with events), isFinalized', async () => {
  const dest = newAccount().address;
  const sent = await sendAndWatch(transfer('transferKeepAlive', dest, UNIT), ctx.dave);
  const seen = sent.statuses.filter((s) => ['Ready', 'InBlock', 'Finalized'].includes(s));
  assert.deepEqual(seen, ['Ready', 'InBlock', 'Finalized'], `statuses seen by the callback: ${sent.statuses}`);
  assert.ok(sent.inBlockResult.events.length > 0, 'InBlock result without events');
  assert.equal(sent.inBlock, sent.finalized);
});

test('sr25519 transferAllowDeath from //Bob (default mortal era)', async () => {
  const dest = newAccount().address;
  const tx = transfer('transferAllowDeath', dest, 3n * UNIT);
  const sent = await sendAndWatch(tx, ctx.bob);
  assert.ok(tx.era.isMortalEra, 'the default era is mortal');
  await checkPaidTransfer(sent, tx, ctx.bob.address, dest, 3n * UNIT);
  ctx.replay2 = tx.toHex();
});

test('fund ed25519 and ecdsa accounts from //Alice', async () => {
  for (const kp of [ctx.ed, ctx.ec]) {
    const sent = await sendAndWatch(transfer('transferAllowDeath', kp.address, 100n * UNIT), ctx.alice);
    findEvent(sent.result, 'system', 'NewAccount');
    const endowed = findEvent(sent.result, 'balances', 'Endowed');
    assert.equal(endowed.data.account.toString(), kp.address);
    assert.equal(await freeOf(kp.address), 100n * UNIT);
  }
});

for (const scheme of ['ed25519', 'ecdsa']) {
  test(`${scheme} transfers, immortal and mortal`, async () => {
    const kp = scheme === 'ed25519' ? ctx.ed : ctx.ec;
    for (const era of [0, undefined]) {
      const tx = transfer('transferKeepAlive', ctx.bob.address, 2n * UNIT);
      const sent = await sendAndWatch(tx, kp, era === 0 ? { era: 0 } : {});
      assert.equal(tx.signature.toHex().length > 0, true);
      assert.equal(tx.inner.signature.multiSignature[scheme === 'ed25519' ? 'isEd25519' : 'isEcdsa'], true, 'MultiSignature variant');
      await checkPaidTransfer(sent, tx, kp.address, ctx.bob.address, 2n * UNIT);
    }
    assert.equal((await ctx.api.call.accountNonceApi.accountNonce(kp.address)).toNumber(), 2);
  });
}

test('a failing transfer is included, pays its fee, and changes nothing else', async () => {
  const { api } = ctx;
  const balance = await freeOf(ctx.charlie.address);
  const tx = transfer('transferAllowDeath', ctx.dave.address, balance * 2n);
  const sent = await sendAndWatch(tx, ctx.charlie);
  const { result } = sent;
  const inBlock = sent.inBlock ?? sent.finalized;
  assert.ok(result.dispatchError, 'no dispatch error');
  const failed = findEvent(result, 'system', 'ExtrinsicFailed');
  assert.ok(failed.data.dispatchInfo, 'ExtrinsicFailed.dispatchInfo');
  const err = result.dispatchError;
  if (err.isModule) {
    const meta = api.registry.findMetaError(err.asModule);
    assert.equal(`${meta.section}.${meta.name}`, 'balances.InsufficientBalance');
  } else {
    assert.ok(err.isToken && ['FundsUnavailable', 'BelowMinimum'].includes(err.asToken.type), err.toString());
  }
  assert.ok(!eventsOf(result).some((e) => e.method === 'Transfer'));
  const fee = findEvent(result, 'transactionPayment', 'TransactionFeePaid').data.actualFee.toBigInt();
  const parent = await parentOf(inBlock);
  assert.equal(await freeOf(ctx.charlie.address, parent) - await freeOf(ctx.charlie.address, inBlock), fee);
  assert.equal(await freeOf(ctx.dave.address, parent), await freeOf(ctx.dave.address, inBlock));
  assert.equal(BigInt((await ctx.provider.send('payment_queryInfo', [tx.toHex(), parent])).partialFee), fee);
  assert.equal((await (await api.at(parent)).call.transactionPaymentApi.queryInfo(tx.toU8a(), tx.encodedLength)).partialFee.toBigInt(), fee);
  // The client's own paymentInfo() (the runtime call, with a fake signature) predicts the same fee.
  const predicted = await transfer('transferAllowDeath', ctx.dave.address, balance * 2n).paymentInfo(ctx.charlie);
  assert.ok(predicted.partialFee.toBigInt() > 0n);
  assert.equal((await api.rpc.system.accountNextIndex(ctx.charlie.address)).toNumber(), 1);
});

test('refusals: garbage bytes', async () => {
  for (const garbage of ['0xdeadbeef', '0x' + 'ff'.repeat(100), '0x00', '0x1084000000']) {
    const err = await ctx.node.rpc('author_submitExtrinsic', [garbage]);
    assert.ok(err.error && [1002, 1010].includes(err.error.code), `${garbage}: ${JSON.stringify(err)}`);
  }
  const err = await ctx.node.rpc('author_submitExtrinsic', ['not hex']);
  assert.ok(err.error && Number.isInteger(err.error.code), JSON.stringify(err));
});

test('refusals: replayed extrinsic is outdated', async () => {
  const replays = [ctx.replay, ctx.replay2];
  await expectInvalid((i) => replays[i], ['Transaction is outdated']);
  // The client's signAndSend path rejects too.
  await assert.rejects(ctx.api.rpc.author.submitExtrinsic(ctx.replay2), /101[02]/);
});

test('refusals: unfunded sender cannot pay fees', async () => {
  for (const type of ['sr25519', 'ed25519', 'ecdsa']) {
    await expectInvalid(async () => (await transfer('transferKeepAlive', ctx.bob.address, UNIT).signAsync(newAccount(type), { nonce: 0 })).toHex(),
      ['Inability to pay some fees']);
    // And signAndSend rejects with the same error.
    await assert.rejects(withTimeout(new Promise((resolve, reject) => {
      transfer('transferKeepAlive', ctx.bob.address, UNIT).signAndSend(newAccount(type), () => {}).then(resolve, reject);
    }), 20000, 'signAndSend'), /1010.*Inability to pay some fees/);
  }
});

test('refusals: wrongly signed', async () => {
  const { api } = ctx;
  for (const kp of [ctx.dave, ctx.ed, ctx.ec]) {
    const tx = await transfer('transferKeepAlive', ctx.bob.address, UNIT).signAsync(kp);
    const raw = tx.toU8a();
    const sigHex = tx.signature.toHex();
    const off = Buffer.from(raw).indexOf(Buffer.from(hexToU8a(sigHex)));
    assert.ok(off > 0);
    await expectInvalid((i) => { const b = raw.slice(); b[off + 10 + i] ^= 1; return u8aToHex(b); }, ['Transaction has a bad signature']);
  }
  // Signed for another chain.
  const nonce = (await api.rpc.system.accountNextIndex(ctx.dave.address)).toNumber();
  await expectInvalid(async (i) => (await transfer('transferKeepAlive', ctx.bob.address, UNIT + BigInt(i))
    .signAsync(ctx.dave, { nonce, era: 0, genesisHash: '0x' + '11'.repeat(32), blockHash: '0x' + '11'.repeat(32) })).toHex(),
  ['Transaction has a bad signature']);
});

test('mortal era (the default) after many blocks', async () => {
  const { api } = ctx;
  // Past 64 blocks: the era's phase and the block numbers no longer coincide.
  await withTimeout((async () => { while ((await api.rpc.chain.getHeader()).number.toNumber() < 70) await sleep(250); })(), 120000, 'block 70');
  const tx = transfer('transferKeepAlive', ctx.dave.address, UNIT);
  await tx.signAsync(ctx.bob);
  assert.ok(tx.era.isMortalEra);
  const start = (await api.rpc.chain.getHeader()).number.toNumber();
  while ((await api.rpc.chain.getHeader()).number.toNumber() < start + 4) await sleep(250);
  const sent = await withTimeout(new Promise((resolve, reject) => {
    const statuses = [];
    tx.send((result) => {
      statuses.push(result.status.type);
      if (result.status.isInBlock || result.status.isFinalized) resolve({ statuses, result });
      if (result.isError) reject(new Error(result.status.type));
    }).catch(reject);
  }), 60000, 'send');
  assert.ok(!sent.result.dispatchError);
  // Short explicit eras: valid inside the window, refused after it.
  const tx8 = transfer('transferKeepAlive', ctx.dave.address, UNIT);
  const ok8 = await sendAndWatch(tx8, ctx.bob, { era: 8 });
  assert.ok(!ok8.result.dispatchError);
  const expired = [];
  for (let i = 0; i < 2; i++) expired.push((await transfer('transferKeepAlive', ctx.dave.address, UNIT + BigInt(i)).signAsync(ctx.bob, { era: 4 })).toHex());
  const fin = (await api.rpc.chain.getHeader()).number.toNumber();
  while ((await api.rpc.chain.getHeader()).number.toNumber() < fin + 8) await sleep(250);
  const err = await expectInvalid((i) => expired[i], ['Transaction has a bad signature', 'Transaction has an ancient birth block', 'Transaction is outdated']);
  console.log(`    expired era refused with: ${JSON.stringify(err)}`);
});

test('state subscription pushes the current value, then changes', async () => {
  const { api } = ctx;
  const target = newAccount().address;
  const seen = [];
  await withTimeout(new Promise((resolve, reject) => {
    api.query.system.account(target, (acct) => {
      seen.push(acct.data.free.toBigInt());
      if (seen.length === 1) transfer('transferAllowDeath', target, 5n * UNIT).signAndSend(ctx.eve).catch(reject);
      if (seen[seen.length - 1] === 5n * UNIT) resolve();
    }).then((unsub) => ctx.unsubs.push(unsub)).catch(reject);
  }), 30000, 'state_subscribeStorage');
  for (const unsub of ctx.unsubs.splice(0)) unsub();
  assert.equal(seen[0], 0n);
});

test('sudo(Balances.force_set_balance) by //Alice; refused for //Bob', async () => {
  const { api } = ctx;
  const who = newAccount().address;
  const call = api.tx.sudo.sudo(api.tx.balances.forceSetBalance(who, 123n * UNIT));
  const sent = await sendAndWatch(call, ctx.alice);
  const sudid = findEvent(sent.result, 'sudo', 'Sudid');
  assert.ok(sudid.data.sudoResult.isOk, sudid.toString());
  findEvent(sent.result, 'balances', 'BalanceSet');
  assert.equal(await freeOf(who), 123n * UNIT);
  const denied = await sendAndWatch(call, ctx.bob);
  const err = denied.result.dispatchError;
  assert.ok(err && err.isModule, `expected a module error, got ${err?.toString()}`);
  const meta = api.registry.findMetaError(err.asModule);
  assert.equal(`${meta.section}.${meta.name}`, 'sudo.RequireSudo');
  assert.equal((await api.query.sudo.key()).unwrap().toString(), ctx.alice.address);
});

test('staking: storage reads (api.query.staking.*); bond and nominate //Alice', async () => {
  const { api } = ctx;
  const alice = ctx.alice.address;
  const active = (await api.query.staking.activeEra()).unwrap();
  const era = active.index.toNumber();
  assert.equal((await api.query.staking.currentEra()).unwrap().toNumber(), era);
  assert.equal((await api.query.staking.bonded(alice)).unwrap().toString(), alice);
  const ledger = (await api.query.staking.ledger(alice)).unwrap();
  assert.equal(ledger.active.toBigInt(), 100000n * UNIT);
  assert.equal(ledger.stash.toString(), alice);
  const prefs = await api.query.staking.validators(alice);
  assert.equal(prefs.commission.toNumber(), 0);
  const exposure = await api.query.staking.erasStakers(era, alice);
  assert.equal(exposure.own.toBigInt(), 100000n * UNIT);
  assert.equal((await api.query.staking.validatorCount()).toNumber(), 1);
  assert.equal(api.consts.staking.bondingDuration.toNumber(), 4);
  assert.equal(api.consts.staking.eraLength.toNumber(), 50);
  assert.deepEqual((await api.query.aura.authorities()).map((a) => a.toString()), [alice]);
  // A fresh account bonds and nominates Alice with the stock API.
  const who = newAccount();
  await sendAndWatch(api.tx.balances.transferKeepAlive(who.address, 100n * UNIT), ctx.alice);
  const bonded = await sendAndWatch(api.tx.staking.bond(20n * UNIT, 'Staked'), who);
  const ev = findEvent(bonded.result, 'staking', 'Bonded');
  assert.equal(ev.data.amount.toBigInt(), 20n * UNIT);
  await sendAndWatch(api.tx.staking.nominate([alice]), who);
  const nominations = (await api.query.staking.nominators(who.address)).unwrap();
  assert.deepEqual(nominations.targets.map((t) => t.toString()), [alice]);
  assert.equal((await api.query.staking.ledger(who.address)).unwrap().active.toBigInt(), 20n * UNIT);
  const nominators = await api.query.staking.nominators.entries();
  assert.ok(nominators.some(([key]) => key.args[0].toString() === who.address));
});

test('nfts: an offer accepted splits exactly between two creators, the treasury and the seller; a plain transfer is refused', async () => {
  const { api } = ctx;
  const seller = ctx.dave;
  const bidder = ctx.eve;
  const creators = [newAccount(), newAccount()];
  const marketBps = BigInt(api.consts.nfts.marketFee.toNumber());
  const minRoyalty = api.consts.nfts.minRoyalty.toBigInt();
  const created = await sendAndWatch(api.tx.nfts.create(seller.address, {
    maxSupply: 10,
    mintType: 'Issuer',
    royalty: { rate: 750, recipients: [{ who: creators[0].address, share: 6000 }, { who: creators[1].address, share: 4000 }], fallbackFee: null }
  }), seller);
  const collection = findEvent(created.result, 'nfts', 'Created').data.collection.toNumber();
  await sendAndWatch(api.tx.nfts.mint(collection, 7, seller.address), seller);
  // A plain transfer would bypass the royalty.
  const refused = await sendAndWatch(api.tx.nfts.transfer(collection, 7, bidder.address), seller);
  const err = refused.result.dispatchError;
  assert.ok(err && err.isModule, `expected a module error, got ${err?.toString()}`);
  const meta = api.registry.findMetaError(err.asModule);
  assert.equal(`${meta.section}.${meta.name}`, 'nfts.TransferRequiresSale');
  assert.equal((await api.query.nfts.item(collection, 7)).unwrap().owner.toString(), seller.address);
  // An offer at a prime price in planck, held until accepted.
  const amount = 89n * UNIT + 7n;
  const reservedBefore = (await api.query.system.account(bidder.address)).data.reserved.toBigInt();
  const placed = await sendAndWatch(api.tx.nfts.placeOffer(collection, 7, amount, 100), bidder);
  assert.equal(findEvent(placed.result, 'nfts', 'OfferPlaced').data.amount.toBigInt(), amount);
  assert.equal((await api.query.system.account(bidder.address)).data.reserved.toBigInt(), reservedBefore + amount);
  const offers = await api.query.nfts.offers(collection, 7);
  assert.deepEqual(offers.map((o) => [o.bidder.toString(), o.amount.toBigInt()]), [[bidder.address, amount]]);
  // A stale amount is refused: the seller accepts exactly what it saw.
  const stale = await sendAndWatch(api.tx.nfts.acceptOffer(collection, 7, bidder.address, amount - 1n), seller);
  assert.equal(api.registry.findMetaError(stale.result.dispatchError.asModule).name, 'OfferChanged');
  const sellerBefore = await freeOf(seller.address);
  const accepted = await sendAndWatch(api.tx.nfts.acceptOffer(collection, 7, bidder.address, amount), seller);
  // The chain's split (pallets/nfts/src/royalty.rs).
  let royalty = amount * 750n / 10000n;
  if (royalty < minRoyalty) royalty = minRoyalty;
  const parts = [royalty * 6000n / 10000n, royalty * 4000n / 10000n];
  parts[0] += royalty - parts[0] - parts[1];
  const market = amount * marketBps / 10000n;
  const sellerAmount = amount - royalty - market;
  const bought = findEvent(accepted.result, 'nfts', 'ItemBought').data;
  assert.equal(bought.royalty.toBigInt(), royalty);
  assert.equal(bought.marketFee.toBigInt(), market);
  assert.equal(bought.sellerAmount.toBigInt(), sellerAmount);
  assert.equal(bought.buyer.toString(), bidder.address);
  for (const [i, c] of creators.entries()) assert.equal(await freeOf(c.address), parts[i]);
  const fee = findEvent(accepted.result, 'transactionPayment', 'TransactionFeePaid').data.actualFee.toBigInt();
  assert.equal(await freeOf(seller.address), sellerBefore + sellerAmount - fee);
  const toTreasury = eventsOf(accepted.result).filter((e) => e.section === 'balances' && e.method === 'TransferOnHold' &&
    e.data.dest.toString() === TREASURY).map((e) => e.data.amount.toBigInt());
  assert.deepEqual(toTreasury, [market]);
  assert.equal((await api.query.system.account(bidder.address)).data.reserved.toBigInt(), reservedBefore);
  assert.equal((await api.query.nfts.item(collection, 7)).unwrap().owner.toString(), bidder.address);
  const owned = await api.query.nfts.account.keys(bidder.address);
  assert.ok(owned.some((k) => k.args[1].toJSON().toString() === [collection, 7].toString()), owned.map((k) => k.toHuman()));
});

test('scheduler: a named task runs as root at its block, a cancelled one never runs; agendas decode', async () => {
  const { api } = ctx;
  const who = newAccount().address;
  const id = (b) => '0x' + b.toString(16).padStart(2, '0').repeat(32);
  const runs = api.tx.balances.forceSetBalance(who, 5n * UNIT);
  const never = api.tx.treasury.spend(UNIT, who, null);
  const spendsBefore = (await api.query.treasury.spendCount()).toNumber();
  const sent = await sendAndWatch(api.tx.sudo.sudo(api.tx.scheduler.scheduleNamedAfter(id(1), 30, null, 0, runs)), ctx.alice);
  const when = findEvent(sent.result, 'scheduler', 'Scheduled').data.when.toNumber();
  await sendAndWatch(api.tx.sudo.sudo(api.tx.scheduler.scheduleNamed(id(2), when, null, 1, never)), ctx.alice);
  // Explorer view: the lookup and the agenda, decoded from metadata alone.
  const [at, index] = (await api.query.scheduler.lookup(id(1))).unwrap();
  assert.equal(at.toNumber(), when);
  const agenda = await api.query.scheduler.agenda(when);
  const task = agenda[index.toNumber()].unwrap();
  assert.equal(task.maybeId.unwrap().toHex(), id(1));
  assert.ok(task.origin.isSystem && task.origin.asSystem.isRoot, task.origin.toString()); // OriginCaller, as FRAME stores it
  assert.equal(api.createType('Call', task.call.toU8a(true)).method, 'forceSetBalance');
  // Only root schedules.
  const denied = await sendAndWatch(api.tx.scheduler.cancelNamed(id(2)), ctx.bob);
  assert.ok(denied.result.dispatchError?.isBadOrigin, denied.result.dispatchError?.toString());
  await sendAndWatch(api.tx.sudo.sudo(api.tx.scheduler.cancelNamed(id(2))), ctx.alice);
  assert.ok((await api.query.scheduler.lookup(id(2))).isNone);
  while ((await api.rpc.chain.getHeader()).number.toNumber() < when) await new Promise((resolve) => setTimeout(resolve, 200));
  const events = await (await api.at(await api.rpc.chain.getBlockHash(when))).query.system.events();
  const dispatched = events.map(({ event }) => event).filter((e) => e.section === 'scheduler' && e.method === 'Dispatched');
  assert.equal(dispatched.length, 1, dispatched.map((e) => e.toString()).join());
  assert.ok(dispatched[0].data.result.isOk, dispatched[0].toString());
  assert.equal(await freeOf(who), 5n * UNIT);
  assert.equal((await api.query.treasury.spendCount()).toNumber(), spendsBefore, 'the cancelled spend never ran');
  assert.ok((await api.query.scheduler.lookup(id(1))).isNone);
});

test('governance: a Treasurer referendum voted at three convictions pays its beneficiary; tracks, tally and votes decode', async () => {
  const { api } = ctx;
  const who = newAccount().address;
  // polkadot.js reads the tracks (names, curves) from metadata alone, as apps' governance pages do.
  const tracks = api.consts.referenda.tracks.map(([id, info]) => [id.toNumber(), info.name.toString()]);
  assert.deepEqual(tracks, [[0, 'root'], [11, 'treasurer']]);
  assert.ok(api.consts.referenda.tracks[1][1].minApproval.isLinearDecreasing);
  await sendAndWatch(api.tx.balances.transferKeepAlive(TREASURY, 10n * UNIT), ctx.alice);
  const spend = api.tx.treasury.spend(7n * UNIT, who, null);
  const submitted = await sendAndWatch(api.tx.referenda.submit({ Origins: 'Treasurer' }, { Inline: spend.method.toHex() }, { After: 0 }), ctx.charlie);
  const index = findEvent(submitted.result, 'referenda', 'Submitted').data.index.toNumber();
  await sendAndWatch(api.tx.referenda.placeDecisionDeposit(index), ctx.dave);
  const stakes = [[ctx.eve, 'Locked1x', 700000n], [ctx.alice, 'Locked6x', 300000n], [ctx.bob, 'None', 100000n]];
  for (const [kp, conviction, amount] of stakes) {
    const vote = { Standard: { vote: { aye: kp !== ctx.bob, conviction }, balance: amount * UNIT } };
    await sendAndWatch(api.tx.convictionVoting.vote(index, vote), kp);
  }
  const ongoing = (await api.query.referenda.referendumInfoFor(index)).unwrap().asOngoing;
  assert.equal(ongoing.track.toNumber(), 11);
  assert.ok(ongoing.origin.isOrigins && ongoing.origin.asOrigins.isTreasurer, ongoing.origin.toString());
  assert.equal(ongoing.tally.ayes.toBigInt(), (700000n + 6n * 300000n) * UNIT);
  assert.equal(ongoing.tally.nays.toBigInt(), 10000n * UNIT);
  assert.equal(ongoing.tally.support.toBigInt(), 1000000n * UNIT);
  const eveVotes = (await api.query.convictionVoting.votingFor(ctx.eve.address, 11)).asCasting.votes;
  assert.equal(eveVotes.length, 1);
  assert.ok(eveVotes[0][1].asStandard.vote.isAye && eveVotes[0][1].asStandard.vote.conviction.isLocked1x, eveVotes.toString());
  for (let i = 0; i < 240; i++) {
    if ((await api.query.referenda.referendumInfoFor(index)).unwrap().isApproved) break;
    await sleep(250);
  }
  const info = (await api.query.referenda.referendumInfoFor(index)).unwrap();
  assert.ok(info.isApproved, info.toString());
  let spendIndex = null;
  for (let i = 0; i < 40 && spendIndex === null; i++) {
    const entries = await api.query.treasury.spends.entries();
    const mine = entries.find(([, v]) => v.unwrap().beneficiary.toString() === who);
    if (mine) spendIndex = mine[0].args[0].toNumber();
    else await sleep(250);
  }
  assert.notEqual(spendIndex, null, 'the enacted spend is approved');
  await sendAndWatch(api.tx.treasury.payout(spendIndex), ctx.alice);
  assert.equal(await freeOf(who), 7n * UNIT);
});

test('polkadot-api over chainHead_v1: constants, storage, finalized blocks, a transfer watched to finality, a refused transaction', async () => {
  const client = createClient(getWsProvider(ctx.node.wsUrl, { websocketClass: WebSocket }));
  try {
    const papi = client.getUnsafeApi();
    const version = await papi.constants.System.Version();
    assert.equal(version.spec_version, ctx.api.runtimeVersion.specVersion.toNumber());
    assert.equal(await papi.constants.System.SS58Prefix(), 42);
    const weights = await papi.constants.System.BlockWeights();
    assert.equal(weights.max_block.ref_time, 2_000_000_000_000n);
    // Two finalized blocks in a row, each the child of the one before.
    const finalized = [];
    await new Promise((resolve, reject) => {
      const sub = client.finalizedBlock$.subscribe({
        next: (b) => { finalized.push(b); if (finalized.length === 2) { sub.unsubscribe(); resolve(); } },
        error: reject
      });
    });
    assert.ok(finalized[1].number > finalized[0].number, JSON.stringify(finalized));
    const dest = newAccount().address;
    const signer = getPolkadotSigner(ctx.charlie.publicKey, 'Sr25519', (data) => ctx.charlie.sign(data));
    const before = (await papi.query.System.Account.getValue(ctx.charlie.address)).data.free;
    const tx = papi.tx.Balances.transfer_keep_alive({ dest: { type: 'Id', value: dest }, value: 3n * UNIT });
    const result = await tx.signAndSubmit(signer);
    assert.ok(result.ok, JSON.stringify(result.dispatchError));
    const fee = result.events.find((e) => e.type === 'TransactionPayment' && e.value.type === 'TransactionFeePaid').value.value.actual_fee;
    const transfer = result.events.find((e) => e.type === 'Balances' && e.value.type === 'Transfer').value.value;
    assert.equal(transfer.to, dest);
    assert.equal(transfer.amount, 3n * UNIT);
    const after = (await papi.query.System.Account.getValue(ctx.charlie.address, { at: result.block.hash })).data.free;
    assert.equal(after, before - 3n * UNIT - fee);
    assert.equal((await papi.query.System.Account.getValue(dest, { at: result.block.hash })).data.free, 3n * UNIT);
    // An account with nothing cannot pay: refused before any block.
    const pauper = newAccount();
    const broke = getPolkadotSigner(pauper.publicKey, 'Sr25519', (data) => pauper.sign(data));
    await assert.rejects(() => tx.signAndSubmit(broke), (e) => /invalid|payment|pay/i.test(`${e.message} ${JSON.stringify(e)}`));
  } finally {
    client.destroy();
  }
});

test('dedot, both rpc versions (chainHead_v1 and legacy): constants, storage, a transfer watched to finality, a refused transaction', async () => {
  for (const rpcVersion of ['v2', 'legacy']) {
    const provider = new DedotWsProvider(ctx.node.wsUrl);
    const client = rpcVersion === 'v2'
      ? await DedotClient.new({ provider, rpcVersion: 'v2' })
      : await LegacyClient.new(provider);
    try {
      assert.equal(client.consts.system.version.specVersion, ctx.api.runtimeVersion.specVersion.toNumber(), rpcVersion);
      assert.equal(client.consts.system.ss58Prefix, 42, rpcVersion);
      const dest = newAccount().address;
      const before = (await client.query.system.account(ctx.dave.address)).data.free;
      const result = await client.tx.balances.transferKeepAlive(dest, 2n * UNIT).signAndSend(ctx.dave).untilFinalized();
      assert.ok(!result.dispatchError, `${rpcVersion}: ${JSON.stringify(result.dispatchError)}`);
      const fee = result.events.find((r) => r.event.pallet === 'TransactionPayment' && r.event.palletEvent.name === 'TransactionFeePaid')
        .event.palletEvent.data.actualFee;
      const at = await client.at(result.status.value.blockHash);
      assert.equal((await at.query.system.account(dest)).data.free, 2n * UNIT, rpcVersion);
      assert.equal((await at.query.system.account(ctx.dave.address)).data.free, before - 2n * UNIT - fee, rpcVersion);
      const pauper = newAccount();
      await assert.rejects(async () => {
        const sent = client.tx.balances.transferKeepAlive(dest, UNIT).signAndSend(pauper);
        await Promise.all([sent, sent.untilFinalized()]);
      }, (e) => /invalid|payment|pay/i.test(`${e.message}`), rpcVersion);
    } finally {
      await client.disconnect();
    }
  }
});

test('the node still serves', async () => {
  const { api } = ctx;
  const health = await api.rpc.system.health();
  assert.equal(health.isSyncing.isFalse, true);
  assert.ok(ctx.node.alive(), 'the node process died');
  const before = (await api.rpc.chain.getHeader()).number.toNumber();
  await withTimeout((async () => {
    while ((await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead())).number.toNumber() <= before) await sleep(200);
  })(), 30000, 'finality after the suite');
  const raw = await ctx.node.rpc('system_health');
  assert.equal(raw.result.isSyncing, false);
});

// ---------------------------------------------------------------------------------------------

async function main () {
  const filter = process.argv[2];
  const t0 = Date.now();
  await cryptoWaitReady();
  let node;
  try {
    node = await startNode({ extraArgs: ['--slot-duration-ms', process.env.BASALT_TEST_SLOT_MS || '500'] });
  } catch (e) {
    console.log(`FAILED to start the node: ${e.message}`);
    console.log('0 passed, 1 failed');
    return 1;
  }
  ctx.node = node;
  ctx.unsubs = [];
  const passed = [];
  const failed = [];
  try {
    const provider = new WsProvider(node.wsUrl, false);
    await provider.connect();
    ctx.provider = provider;
    ctx.api = await withTimeout(ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true }), 30000, 'ApiPromise.create');
    const sr = new Keyring({ type: 'sr25519', ss58Format: 42 });
    for (const n of ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve']) ctx[n.toLowerCase()] = sr.addFromUri(`//${n}`);
    ctx.ed = new Keyring({ type: 'ed25519', ss58Format: 42 }).addFromUri('//Alice');
    ctx.ec = new Keyring({ type: 'ecdsa', ss58Format: 42 }).addFromUri('//Alice');
    assert.equal(u8aToHex(ctx.ec.addressRaw), blake2AsHex(ctx.ec.publicKey), 'ecdsa AccountId = blake2_256(compressed key)');
    for (const { name, fn } of tests) {
      if (filter && !filter.split('|').some((f) => name.includes(f))) continue;
      const start = Date.now();
      try {
        await withTimeout(fn(), 300000, name);
        passed.push(name);
        console.log(`ok   ${name} (${((Date.now() - start) / 1000).toFixed(1)}s)`);
      } catch (e) {
        failed.push(name);
        console.log(`FAIL ${name} (${((Date.now() - start) / 1000).toFixed(1)}s)\n${e.stack}`);
        if (!node.alive()) console.log('the node process has exited');
      }
    }
  } catch (e) {
    failed.push('setup');
    console.log(`FAIL setup\n${e.stack}`);
  } finally {
    if (failed.length) console.log(`--- node log (last lines) ---\n${node.logTail(80)}`);
    try { await withTimeout(ctx.api?.disconnect() ?? Promise.resolve(), 5000, 'disconnect'); } catch (_) { /* ignore */ }
    await node.stop();
    if (!failed.length) node.removeLog();
  }
  console.log(`@polkadot/api suite: ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  if (failed.length) console.log(`failed: ${failed.join(', ')}`);
  console.log(`${passed.length} passed, ${failed.length} failed`);
  return failed.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
