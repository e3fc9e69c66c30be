// Golden fixtures made by @polkadot/api 16.5.6: signed extrinsics for every key type and era, the
// metadata the node served, and storage values with the client's decoding.
//
//   node gen_fixtures.mjs                              # starts `basalt --dev --tmp` itself
//   node gen_fixtures.mjs --url ws://127.0.0.1:9944    # a running, fresh dev node
//
// Writes tests/fixtures/polkadot-js.json (see tests/fixtures/README.md for the layout). Every
// extrinsic is also submitted, in the order listed, and its outcome recorded. On a fresh dev chain
// every signer's first nonce is 0: the ed25519 and ecdsa accounts are funded by //Bob first, and
// //Bob signs no fixture.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { blake2AsHex, blake2AsU8a, cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';

import { startDevNode } from './harness.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const UNIT = 10n ** 12n;

function withTimeout (promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000}s`)), ms); })
  ]);
}

// Submit through the provider (not api.rpc, which memoises subscriptions) and wait for finality.
function submitFinalized (provider, hex) {
  return withTimeout(new Promise((resolve, reject) => {
    provider.subscribe('author_extrinsicUpdate', 'author_submitAndWatchExtrinsic', [hex], (error, status) => {
      if (error) reject(error);
      else if (status && typeof status === 'object' && status.finalized) resolve(status.finalized);
      else if (['invalid', 'dropped'].includes(status)) reject(new Error(`status ${status}`));
    }).catch(reject);
  }), 60000, 'author_submitAndWatchExtrinsic');
}

async function main () {
  const args = process.argv.slice(2);
  const urlArg = args.indexOf('--url') >= 0 ? args[args.indexOf('--url') + 1] : null;
  const out = args.indexOf('--out') >= 0 ? args[args.indexOf('--out') + 1] : path.join(HERE, '..', 'fixtures', 'polkadot-js.json');
  await cryptoWaitReady();
  let node = null;
  let url = urlArg;
  if (!url) {
    node = await startDevNode({ extraArgs: ['--slot-duration-ms', process.env.BASALT_TEST_SLOT_MS || '500'] });
    url = node.wsUrl;
  }
  let api;
  try {
    const provider = new WsProvider(url, false);
    await provider.connect();
    api = await withTimeout(ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true }), 30000, 'ApiPromise.create');
    const send = (method, params = []) => provider.send(method, params);
    const pair = (type, suri) => new Keyring({ type, ss58Format: 42 }).addFromUri(suri);
    const alice = pair('sr25519', '//Alice');
    const bob = pair('sr25519', '//Bob');
    const ed = pair('ed25519', '//Alice');
    const ec = pair('ecdsa', '//Alice');
    const dest = pair('sr25519', '//Ferdie').address;
    const genesisHash = api.genesisHash.toHex();
    const specVersion = api.runtimeVersion.specVersion.toNumber();
    const transactionVersion = api.runtimeVersion.transactionVersion.toNumber();

    // Fund the ed25519 and ecdsa accounts from Bob, so that Alice's nonce stays 0.
    const endowed = {};
    for (const kp of [ed, ec]) {
      if ((await api.query.system.account(kp.address)).data.free.isZero()) {
        const tx = await api.tx.balances.transferAllowDeath(kp.address, 1000n * UNIT).signAsync(bob);
        await submitFinalized(provider, tx.toHex());
      }
      endowed[u8aToHex(kp.addressRaw)] = (await api.query.system.account(kp.address)).data.free.toString();
    }

    const nonces = new Map();
    for (const kp of [alice, ed, ec]) nonces.set(kp, (await api.call.accountNonceApi.accountNonce(kp.address)).toNumber());
    const nextNonce = (kp) => { const n = nonces.get(kp); nonces.set(kp, n + 1); return n; };

    const finHash = await api.rpc.chain.getFinalizedHead();
    const finNumber = (await api.rpc.chain.getHeader(finHash)).number.toNumber();
    const fixtures = [];

    async function make (name, scheme, suri, kp, tx, { nonce, mortal = false, tip = 0n, note } = {}) {
      const opts = { nonce, tip };
      let eraInfo = { immortal: true };
      let blockHash = genesisHash;
      if (mortal) {
        const era = api.registry.createType('ExtrinsicEra', { current: finNumber, period: 64 });
        blockHash = finHash.toHex();
        Object.assign(opts, { era, blockHash });
        eraInfo = { immortal: false, period: 64, current: finNumber, birth_block_number: Number(era.asMortalEra.birth(finNumber)), birth_block_hash: blockHash };
        assert.equal(eraInfo.birth_block_number, finNumber);
      } else {
        opts.era = 0;
      }
      // What the client hands to the key ...
      const captured = [];
      const realSign = kp.sign;
      kp.sign = (message, options) => { captured.push(message); return realSign.call(kp, message, options); };
      try {
        await tx.signAsync(kp, opts);
      } finally {
        kp.sign = realSign;
      }
      eraInfo.encoded = tx.era.toHex();
      // ... and Substrate's payload, built by the client's own ExtrinsicPayload type.
      const payload = api.registry.createType('ExtrinsicPayload', {
        method: tx.method.toHex(),
        era: tx.era,
        nonce,
        tip,
        mode: 0,
        specVersion,
        transactionVersion,
        genesisHash,
        blockHash
      }, { version: 4 }).toU8a({ method: true });
      const signed = payload.length > 256 ? blake2AsU8a(payload) : payload;
      assert.equal(u8aToHex(captured[0]), u8aToHex(signed), `${name}: signed bytes differ from the payload`);
      const multi = tx.inner.signature.multiSignature;
      const sigBytes = multi.value.toU8a();
      assert.ok(signatureVerify(signed, sigBytes, kp.publicKey).isValid, `${name}: signature does not verify`);
      const fixture = {
        name,
        signer: { scheme, suri, public_key: u8aToHex(kp.publicKey), account_id: u8aToHex(kp.addressRaw), ss58: kp.address },
        call: { pallet: tx.method.section, name: tx.method.method, args: tx.method.toJSON().args, encoded: tx.method.toHex() },
        nonce,
        tip: Number(tip),
        era: eraInfo,
        genesis_hash: genesisHash,
        spec_version: specVersion,
        transaction_version: transactionVersion,
        metadata_hash_mode: 0,
        signing_payload: u8aToHex(payload),
        signing_payload_hashed: payload.length > 256,
        signed_message: u8aToHex(signed),
        signature: { type: multi.type, bytes: u8aToHex(sigBytes) },
        extrinsic: tx.toHex(),
        extrinsic_hash: tx.hash.toHex()
      };
      assert.equal(fixture.extrinsic_hash, blake2AsHex(tx.toU8a()));
      if (note) fixture.note = note;
      fixtures.push(fixture);
    }

    const t = api.tx;
    for (const [scheme, kp] of [['sr25519', alice], ['ed25519', ed], ['ecdsa', ec]]) {
      await make(`${scheme}-immortal-transfer_keep_alive`, scheme, '//Alice', kp, t.balances.transferKeepAlive(dest, 12n * UNIT), { nonce: nextNonce(kp) });
      await make(`${scheme}-mortal64-transfer_allow_death`, scheme, '//Alice', kp, t.balances.transferAllowDeath(dest, 3n * UNIT), { nonce: nextNonce(kp), mortal: true });
    }
    await make('sr25519-immortal-tip-transfer_keep_alive', 'sr25519', '//Alice', alice, t.balances.transferKeepAlive(dest, UNIT), { nonce: nextNonce(alice), tip: UNIT / 100n });
    await make('sr25519-immortal-remark-300-bytes', 'sr25519', '//Alice', alice, t.system.remark('0x' + 'ab'.repeat(300)), { nonce: nextNonce(alice), note: 'signing payload longer than 256 bytes: the key signs blake2_256(payload)' });
    await make('sr25519-mortal64-sudo-force_set_balance', 'sr25519', '//Alice', alice, t.sudo.sudo(t.balances.forceSetBalance(pair('sr25519', '//Eve').address, 777n * UNIT)), { nonce: nextNonce(alice), mortal: true });
    await make('ecdsa-immortal-failing-transfer', 'ecdsa', '//Alice', ec, t.balances.transferAllowDeath(dest, 10n ** 9n * UNIT), { nonce: nextNonce(ec), note: 'more than the balance: included, pays its fee, fails with Balances.InsufficientBalance' });
    await make('ed25519-mortal64-transfer_all', 'ed25519', '//Alice', ed, t.balances.transferAll(dest, true), { nonce: nextNonce(ed), mortal: true });

    // Submit them all, in order, and record what happened.
    for (const f of fixtures) {
      const best = await api.rpc.chain.getBlockHash();
      const source = '0x02'; // TransactionSource::External
      f.validate_transaction_at_generation = await send('state_call', ['TaggedTransactionQueue_validate_transaction', source + f.extrinsic.slice(2) + best.toHex().slice(2)]);
      const blockHash = await submitFinalized(provider, f.extrinsic);
      const apiAt = await api.at(blockHash);
      const block = await api.rpc.chain.getBlock(blockHash);
      const index = block.block.extrinsics.findIndex((x) => x.hash.toHex() === f.extrinsic_hash);
      assert.ok(index >= 0, `${f.name} not found in its block`);
      const events = (await apiAt.query.system.events()).filter(({ phase }) => phase.isApplyExtrinsic && phase.asApplyExtrinsic.eq(index));
      const failed = events.find(({ event }) => event.section === 'system' && event.method === 'ExtrinsicFailed');
      const fee = events.find(({ event }) => event.section === 'transactionPayment' && event.method === 'TransactionFeePaid');
      let dispatchError = null;
      if (failed) {
        const err = failed.event.data[0];
        dispatchError = err.isModule ? (({ section, name }) => `${section}.${name}`)(api.registry.findMetaError(err.asModule)) : err.toString();
      }
      f.outcome = {
        block_number: block.block.header.number.toNumber(),
        block_hash: blockHash,
        extrinsic_index: index,
        success: events.some(({ event }) => event.section === 'system' && event.method === 'ExtrinsicSuccess'),
        dispatch_error: dispatchError,
        events: events.map(({ event }) => `${event.section}.${event.method}`),
        fee: fee ? fee.event.data.actualFee.toString() : null
      };
      console.log(`  ${f.name}: #${f.outcome.block_number} ${f.outcome.success ? 'ok' : 'failed'} ${f.outcome.events.join(' ')}`);
    }

    // Storage at the last block, raw and as the client decodes it.
    const last = fixtures[fixtures.length - 1].outcome.block_hash;
    const apiAt = await api.at(last);
    const items = [
      ['system', 'number', []], ['system', 'parentHash', []], ['system', 'events', []], ['system', 'digest', []],
      ['timestamp', 'now', []], ['balances', 'totalIssuance', []], ['sudo', 'key', []], ['transactionPayment', 'nextFeeMultiplier', []],
      ...[alice.address, ed.address, ec.address, dest].map((a) => ['system', 'account', [a]])
    ];
    const storage = [];
    for (const [section, item, params] of items) {
      const key = api.query[section][item].key(...params);
      storage.push({
        pallet: section,
        item,
        params,
        key,
        value: await send('state_getStorage', [key, last]),
        decoded: (await apiAt.query[section][item](...params)).toJSON()
      });
    }

    const doc = {
      generator: 'tests/js/gen_fixtures.mjs',
      client: '@polkadot/api 16.5.6 (@polkadot/keyring 14.0.3, @polkadot/util-crypto 14.0.3)',
      generated_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      chain: (await api.rpc.system.chain()).toString(),
      genesis_hash: genesisHash,
      runtime_version: await send('state_getRuntimeVersion'),
      ss58_format: 42,
      notes: [
        'Extrinsics are listed in the order they were applied; each signer\'s nonces start at the value it had on a fresh dev chain (0).',
        'Prerequisites to apply them without a node: the dev genesis, plus `endowed` (the ed25519 and ecdsa accounts, funded by //Bob before any fixture); mortal ones need System.BlockHash of era.birth_block_number = era.birth_block_hash and a current block number inside the era.',
        'Keys are @polkadot/keyring\'s: ed25519 and ecdsa //Alice by hard derivation as in Substrate; the ecdsa AccountId32 is blake2_256 of the 33-byte compressed key.',
        `The client used metadata V${api.runtimeMetadata.version} (metadata.client_metadata); state_getMetadata served V14.`
      ],
      endowed,
      extrinsics: fixtures,
      storage: { block_hash: last, items: storage },
      metadata: {
        metadata_versions_state_call: await send('state_call', ['Metadata_metadata_versions', '0x']),
        state_getMetadata: await send('state_getMetadata'),
        client_metadata_version: api.runtimeMetadata.version,
        client_metadata: api.runtimeMetadata.toHex()
      }
    };
    doc.metadata.state_getMetadata_blake2_256 = blake2AsHex(doc.metadata.state_getMetadata);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
    console.log(`wrote ${path.relative(process.cwd(), out)}: ${fixtures.length} extrinsics`);
    const unexpected = fixtures.filter((f) => f.outcome.success === f.name.includes('failing')).map((f) => f.name);
    if (unexpected.length) {
      console.log(`unexpected outcomes: ${unexpected}`);
      return 1;
    }
    return 0;
  } finally {
    try { await api?.disconnect(); } catch (_) { /* ignore */ }
    if (node) await node.stop();
  }
}

main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
