//! What the Nfts pallet's heaviest calls and its expiry hook cost in compute, in the real
//! runtime over the dev genesis: `cargo bench -p basalt-runtime --bench nfts`. Each is measured
//! at its worst case (5 royalty recipients, a full item's offers, a full expiry block, a burn
//! with every attribute and offer). State lives in the externalities' overlay, so storage reads
//! and writes cost memory, not RocksDB; the declared weights add their reads and writes on top
//! of the compute measured here. Results are in docs/BENCHMARKS.md.

mod common;

use basalt_runtime::{Balances, Nfts, Runtime, RuntimeCall};
use basalt_support::dispatch::Dispatchable;
use basalt_support::generic::Digest;
use basalt_support::hooks::Hooks;
use basalt_support::primitives::UNIT;
use basalt_support::{AccountId, Balance, BoundedVec, Origin, H256};
use common::dev_state;
use criterion::{criterion_group, criterion_main, Criterion};
use pallet_nfts::{
    AttributeNamespace, Call, CollectionConfig, CollectionId, ItemId, MintType, Royalty,
    RoyaltyShare, MAX_ATTRIBUTES, MAX_EXPIRIES_PER_BLOCK, MAX_OFFERS_PER_ITEM,
};
use std::time::{Duration, Instant};

const PRICE: Balance = 1_000 * UNIT;

/// Test account `n` (seeded; funded by [`fund`]).
fn acc(n: u32) -> AccountId {
    let mut raw = [7u8; 32];
    raw[..4].copy_from_slice(&n.to_le_bytes());
    AccountId::new(raw)
}

fn fund(who: &AccountId) {
    Balances::deposit_creating(who, 1_000_000_000 * UNIT).expect("funded");
}

fn open(n: u32) -> Duration {
    pallet_system::Pallet::<Runtime>::initialize(n, H256::repeat_byte(n as u8), &Digest::default());
    let started = Instant::now();
    let _ = <Nfts as Hooks>::on_initialize(n);
    started.elapsed()
}

fn call(c: Call, who: &AccountId) {
    RuntimeCall::Nfts(c.clone())
        .dispatch(Origin::Signed(who.clone()))
        .unwrap_or_else(|e| panic!("{c:?}: {e:?}"));
}

fn timed(c: Call, who: &AccountId) -> Duration {
    let started = Instant::now();
    call(c, who);
    started.elapsed()
}

/// A collection by `owner` whose royalty (10%) is shared by five accounts, with a fallback
/// fee; returns its id.
fn royalty_collection(owner: &AccountId) -> CollectionId {
    let recipients = (100..105)
        .map(|n| {
            let who = acc(n);
            fund(&who);
            RoyaltyShare { who, share: 2_000 }
        })
        .collect();
    let id = pallet_nfts::NextCollectionId::get();
    call(
        Call::create {
            admin: owner.clone().into(),
            config: CollectionConfig {
                max_supply: None,
                mint_type: MintType::Issuer,
                royalty: Some(Royalty {
                    rate: 1_000,
                    recipients: BoundedVec::new(recipients).expect("5"),
                    fallback_fee: Some(UNIT),
                }),
            },
        },
        owner,
    );
    id
}

fn mint(collection: CollectionId, item: ItemId, admin: &AccountId, to: &AccountId) {
    call(
        Call::mint {
            collection,
            item,
            mint_to: to.clone().into(),
        },
        admin,
    );
}

/// `iters` runs of `each(item)` on fresh items of a royalty collection whose owner is
/// account 1 and holder account 2; `prepare(item)` runs untimed first.
fn on_items(
    iters: u64,
    mut prepare: impl FnMut(CollectionId, ItemId),
    mut each: impl FnMut(CollectionId, ItemId) -> Duration,
) -> Duration {
    let mut ext = dev_state();
    ext.execute_with(|| {
        open(1);
        let (admin, holder) = (acc(1), acc(2));
        fund(&admin);
        fund(&holder);
        let collection = royalty_collection(&admin);
        let mut spent = Duration::ZERO;
        for i in 0..iters {
            let item = i as ItemId;
            mint(collection, item, &admin, &holder);
            prepare(collection, item);
            spent += each(collection, item);
        }
        spent
    })
}

fn nfts(c: &mut Criterion) {
    let mut g = c.benchmark_group("nfts");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    let buyer = acc(3);
    g.bench_function("buy_item (5 royalty recipients)", |b| {
        b.iter_custom(|iters| {
            on_items(
                iters,
                |collection, item| {
                    if item == 0 {
                        fund(&buyer);
                    }
                    call(
                        Call::set_price {
                            collection,
                            item,
                            price: Some(PRICE),
                            whitelisted_buyer: None,
                        },
                        &acc(2),
                    )
                },
                |collection, item| {
                    timed(
                        Call::buy_item {
                            collection,
                            item,
                            bid_price: PRICE,
                        },
                        &buyer,
                    )
                },
            )
        })
    });
    g.bench_function("transfer paying a fallback fee (5 recipients)", |b| {
        b.iter_custom(|iters| {
            on_items(
                iters,
                |_, _| {},
                |collection, item| {
                    timed(
                        Call::transfer {
                            collection,
                            item,
                            dest: acc(3).into(),
                        },
                        &acc(2),
                    )
                },
            )
        })
    });
    let bidders: Vec<AccountId> = (200..200 + MAX_OFFERS_PER_ITEM + 1).map(acc).collect();
    g.bench_function("place_offer outbidding the lowest of a full item", |b| {
        b.iter_custom(|iters| {
            on_items(
                iters,
                |collection, item| {
                    for (i, who) in bidders
                        .iter()
                        .take(MAX_OFFERS_PER_ITEM as usize)
                        .enumerate()
                    {
                        if item == 0 {
                            fund(who);
                        }
                        call(
                            Call::place_offer {
                                collection,
                                item,
                                amount: PRICE + i as Balance,
                                duration: 1_000 + item,
                            },
                            who,
                        );
                    }
                    if item == 0 {
                        fund(&bidders[MAX_OFFERS_PER_ITEM as usize]);
                    }
                },
                |collection, item| {
                    timed(
                        Call::place_offer {
                            collection,
                            item,
                            amount: 2 * PRICE,
                            duration: 2_000 + item,
                        },
                        &bidders[MAX_OFFERS_PER_ITEM as usize],
                    )
                },
            )
        })
    });
    g.bench_function("burn with every attribute and offer", |b| {
        b.iter_custom(|iters| {
            on_items(
                iters,
                |collection, item| {
                    for k in 0..MAX_ATTRIBUTES as u8 {
                        call(
                            Call::set_attribute {
                                collection,
                                maybe_item: Some(item),
                                namespace: AttributeNamespace::ItemOwner,
                                key: BoundedVec::new(vec![k; 32]).expect("short"),
                                value: BoundedVec::new(vec![k; 64]).expect("short"),
                            },
                            &acc(2),
                        );
                    }
                    for (i, who) in bidders
                        .iter()
                        .take(MAX_OFFERS_PER_ITEM as usize)
                        .enumerate()
                    {
                        if item == 0 {
                            fund(who);
                        }
                        call(
                            Call::place_offer {
                                collection,
                                item,
                                amount: PRICE + i as Balance,
                                duration: 1_000 + item,
                            },
                            who,
                        );
                    }
                },
                |collection, item| timed(Call::burn { collection, item }, &acc(2)),
            )
        })
    });
    // The hook releasing a full block of expired offers (64), per offer.
    g.bench_function("expiry hook: one expired offer (of 64)", |b| {
        b.iter_custom(|iters| {
            let mut ext = dev_state();
            ext.execute_with(|| {
                open(1);
                let (admin, holder) = (acc(1), acc(2));
                fund(&admin);
                fund(&holder);
                let collection = royalty_collection(&admin);
                let per_item = MAX_OFFERS_PER_ITEM;
                for who in bidders.iter().take(per_item as usize) {
                    fund(who);
                }
                let mut spent = Duration::ZERO;
                let mut block = 1u32;
                let mut item: ItemId = 0;
                let rounds = iters.div_ceil(MAX_EXPIRIES_PER_BLOCK as u64);
                for _ in 0..rounds {
                    // 64 offers expiring at `block + 1`: 8 items x 8 bidders.
                    for _ in 0..MAX_EXPIRIES_PER_BLOCK / per_item {
                        mint(collection, item, &admin, &holder);
                        for who in bidders.iter().take(per_item as usize) {
                            call(
                                Call::place_offer {
                                    collection,
                                    item,
                                    amount: PRICE,
                                    duration: 1,
                                },
                                who,
                            );
                        }
                        item += 1;
                    }
                    block += 2;
                    pallet_system::Pallet::<Runtime>::finalize();
                    spent += open(block);
                }
                let released = rounds * MAX_EXPIRIES_PER_BLOCK as u64;
                Duration::from_nanos((spent.as_nanos() as u64).saturating_mul(iters) / released)
            })
        })
    });
    g.finish();
}

criterion_group!(benches, nfts);
criterion_main!(benches);
