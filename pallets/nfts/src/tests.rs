//! Unit tests of the NFT pallet: every call and error, exact royalty splits, the bypass
//! attempts a holder would try, deposits, offers and their expiry, and model usage fees.
//!
//! Accounts 1..=6 and 8 hold 10 000 each, 9 holds 2 000 000; 7 does not exist; the treasury
//! (99) holds 2. Every
//! test ends with [`check_invariants`]: issuance unchanged and equal to the sum of accounts,
//! every deposit hold equal to the deposits recorded for its account, every offer hold equal
//! to the account's open offers, every offer in exactly its expiry block, and the owner index
//! and item counts matching the items.

use crate::mock::*;
use crate::pallet::*;
use crate::types::*;
use basalt_support::dispatch::Dispatchable;
use basalt_support::generic::Digest;
use basalt_support::hooks::Hooks;
use basalt_support::models::ModelRegistry;
use basalt_support::state::{empty_externalities, io};
use basalt_support::{AccountId, Balance, BoundedVec, DispatchError, Origin, H256};
use std::collections::BTreeMap;

type Nfts = Pallet<Test>;
type Balances = pallet_balances::Pallet<Test>;
type System = pallet_system::Pallet<Test>;

const ENDOWMENT: Balance = 10_000;
const CREATOR: u8 = 1;
const BUYER: u8 = 4;
const BIDDER: u8 = 5;
const DEAD: u8 = 7;
const RICH: u8 = 9;
const RICH_ENDOWMENT: Balance = 2_000_000;

fn test(f: impl FnOnce()) {
    let mut ext = empty_externalities();
    ext.execute_with(|| {
        let mut endow: Vec<(AccountId, Balance)> = [1, 2, 3, 4, 5, 6, 8]
            .iter()
            .map(|n| (acc(*n), ENDOWMENT))
            .collect();
        endow.push((acc(TREASURY), 2));
        endow.push((acc(RICH), RICH_ENDOWMENT));
        Balances::genesis_endow(&endow).expect("endowed");
        open(1);
        let issuance = Balances::total_issuance();
        f();
        check_invariants(issuance);
    });
}

fn open(n: u32) {
    System::initialize(n, H256::repeat_byte(n as u8), &Digest::default());
    Nfts::on_initialize(n);
}

fn run_to(n: u32) {
    while System::block_number() < n {
        let next = System::block_number() + 1;
        System::finalize();
        open(next);
    }
}

fn call(c: Call, who: u8) -> Result<(), DispatchError> {
    io::with_transaction(|| Dispatchable::<Test>::dispatch(c, Origin::Signed(acc(who))))
}

fn err(e: Error<Test>) -> Result<(), DispatchError> {
    Err(e.into())
}

fn addr(n: u8) -> Address {
    Address::Id(acc(n))
}

fn free(n: u8) -> Balance {
    Balances::free_balance(&acc(n))
}

fn deposits(n: u8) -> Balance {
    Balances::balance_on_hold(&DEPOSIT_HOLD, &acc(n))
}

fn offered(n: u8) -> Balance {
    Balances::balance_on_hold(&OFFER_HOLD, &acc(n))
}

fn events() -> Vec<Event> {
    System::events_of::<Event>(<Test as Config>::INDEX)
}

fn bytes<const N: u32>(b: &[u8]) -> BoundedVec<u8, N> {
    BoundedVec::new(b.to_vec()).unwrap()
}

fn royalty(rate: u16, shares: &[(u8, u16)], fallback_fee: Option<Balance>) -> Royalty {
    Royalty {
        rate,
        recipients: BoundedVec::new(
            shares
                .iter()
                .map(|(who, share)| RoyaltyShare {
                    who: acc(*who),
                    share: *share,
                })
                .collect(),
        )
        .unwrap(),
        fallback_fee,
    }
}

fn config(royalty: Option<Royalty>) -> CollectionConfig {
    CollectionConfig {
        max_supply: None,
        mint_type: MintType::Issuer,
        royalty,
    }
}

fn create_with(config: CollectionConfig) -> CollectionId {
    let id = NextCollectionId::get();
    call(
        Call::create {
            admin: addr(CREATOR),
            config,
        },
        CREATOR,
    )
    .expect("created");
    id
}

/// A collection by 1 with a 7.5% royalty shared 60/40 by 2 and 3, without a fallback fee.
fn royalty_collection() -> CollectionId {
    create_with(config(Some(royalty(750, &[(2, 6_000), (3, 4_000)], None))))
}

fn mint(collection: CollectionId, item: ItemId, to: u8) {
    call(
        Call::mint {
            collection,
            item,
            mint_to: addr(to),
        },
        CREATOR,
    )
    .expect("minted");
}

fn list(
    collection: CollectionId,
    item: ItemId,
    price: Balance,
    seller: u8,
) -> Result<(), DispatchError> {
    call(
        Call::set_price {
            collection,
            item,
            price: Some(price),
            whitelisted_buyer: None,
        },
        seller,
    )
}

fn buy(
    collection: CollectionId,
    item: ItemId,
    bid_price: Balance,
    buyer: u8,
) -> Result<(), DispatchError> {
    call(
        Call::buy_item {
            collection,
            item,
            bid_price,
        },
        buyer,
    )
}

fn transfer(
    collection: CollectionId,
    item: ItemId,
    dest: u8,
    who: u8,
) -> Result<(), DispatchError> {
    call(
        Call::transfer {
            collection,
            item,
            dest: addr(dest),
        },
        who,
    )
}

fn offer(
    collection: CollectionId,
    item: ItemId,
    amount: Balance,
    duration: u32,
    who: u8,
) -> Result<(), DispatchError> {
    call(
        Call::place_offer {
            collection,
            item,
            amount,
            duration,
        },
        who,
    )
}

fn owner(collection: CollectionId, item: ItemId) -> u8 {
    AsRef::<[u8]>::as_ref(&Item::get(collection, item).expect("item").owner)[0]
}

fn check_invariants(issuance_at_start: Balance) {
    assert_eq!(Balances::total_issuance(), issuance_at_start, "issuance");
    let sum: Balance = pallet_system::Account::iter()
        .map(|(_, a)| a.data.free + a.data.reserved)
        .sum();
    assert_eq!(
        Balances::total_issuance(),
        sum,
        "accounts add up to issuance"
    );

    let mut deposits: BTreeMap<AccountId, Balance> = BTreeMap::new();
    let mut add = |d: &Deposit| *deposits.entry(d.account.clone()).or_default() += d.amount;
    let mut items: BTreeMap<CollectionId, u32> = BTreeMap::new();
    for (id, c) in Collection::iter() {
        add(&Deposit {
            account: c.owner.clone(),
            amount: c.owner_deposit,
        });
        let attributes = Attribute::iter_prefix((id, None::<ItemId>)).count() as u32;
        assert_eq!(c.attributes, attributes, "collection {id} attribute count");
    }
    for (collection, item, i) in Item::iter() {
        add(&i.deposit);
        *items.entry(collection).or_default() += 1;
        assert!(
            Account::contains_key(&i.owner, (collection, item)),
            "owner index"
        );
        let attributes = Attribute::iter_prefix((collection, Some(item))).count() as u32;
        assert_eq!(i.attributes, attributes, "item attribute count");
    }
    for (_, m) in CollectionMetadataOf::iter() {
        add(&m.deposit);
    }
    for (_, _, m) in ItemMetadataOf::iter() {
        add(&m.deposit);
    }
    for (_, _, a) in Attribute::iter() {
        add(&a.deposit);
    }
    for (who, (collection, item), ()) in Account::iter() {
        assert_eq!(
            Item::get(collection, item).map(|i| i.owner),
            Some(who),
            "index entry"
        );
    }
    for (id, c) in Collection::iter() {
        assert_eq!(
            c.items,
            items.get(&id).copied().unwrap_or(0),
            "collection {id} items"
        );
    }
    let mut offers: BTreeMap<AccountId, Balance> = BTreeMap::new();
    let mut scheduled = 0usize;
    for (collection, item, list) in Offers::iter() {
        assert!(!list.is_empty(), "no empty offer lists are stored");
        assert!(
            Item::contains_key(collection, item),
            "offers on a live item"
        );
        for o in list.iter() {
            *offers.entry(o.bidder.clone()).or_default() += o.amount;
            assert!(
                OfferExpiries::get(o.expires_at).contains(&(collection, item, o.bidder.clone())),
                "offer in its expiry block"
            );
            scheduled += 1;
        }
    }
    let queued: usize = OfferExpiries::iter().map(|(_, l)| l.len()).sum();
    assert_eq!(queued, scheduled, "one expiry entry per offer");
    for (who, _) in pallet_system::Account::iter() {
        assert_eq!(
            Balances::balance_on_hold(&DEPOSIT_HOLD, &who),
            deposits.get(&who).copied().unwrap_or(0),
            "deposits of {who:?}"
        );
        assert_eq!(
            Balances::balance_on_hold(&OFFER_HOLD, &who),
            offers.get(&who).copied().unwrap_or(0),
            "offers of {who:?}"
        );
    }
}

// --------------------------------------------------------------------------------------------
// Collections
// --------------------------------------------------------------------------------------------

#[test]
fn create_holds_the_deposit_and_fixes_the_royalty() {
    test(|| {
        let id = royalty_collection();
        assert_eq!(id, 0);
        assert_eq!(deposits(CREATOR), 10);
        let c = Collection::get(id).unwrap();
        assert_eq!(c.config.royalty.unwrap().rate, 750);
        assert_eq!(NextCollectionId::get(), 1);
        assert!(events().contains(&Event::Created {
            collection: 0,
            creator: acc(CREATOR),
            owner: acc(CREATOR),
        }));
    });
}

#[test]
fn create_refuses_malformed_royalties() {
    test(|| {
        let cases = [
            (
                royalty(0, &[(2, 10_000)], None),
                Error::<Test>::BadRoyaltyRate,
            ),
            (
                royalty(2_501, &[(2, 10_000)], None),
                Error::<Test>::BadRoyaltyRate,
            ),
            (
                royalty(10, &[(2, 5_000), (3, 4_999)], None),
                Error::<Test>::BadRoyaltyShares,
            ),
            (
                royalty(10, &[(2, 10_000), (3, 0)], None),
                Error::<Test>::BadRoyaltyShares,
            ),
            (royalty(10, &[], None), Error::<Test>::BadRoyaltyShares),
            (
                royalty(10, &[(2, 5_000), (2, 5_000)], None),
                Error::<Test>::DuplicateRoyaltyRecipient,
            ),
            (
                royalty(10, &[(2, 10_000)], Some(4)),
                Error::<Test>::FallbackFeeTooLow,
            ),
        ];
        for (r, e) in cases {
            assert_eq!(
                call(
                    Call::create {
                        admin: addr(CREATOR),
                        config: config(Some(r))
                    },
                    CREATOR
                ),
                err(e)
            );
        }
        // Six recipients do not even decode: the bound is in the type.
        assert!(
            BoundedVec::<RoyaltyShare, MAX_ROYALTY_RECIPIENTS>::new(vec![
                RoyaltyShare {
                    who: acc(1),
                    share: 1
                };
                6
            ])
            .is_none()
        );
        assert_eq!(
            call(
                Call::create {
                    admin: Address::Index(()),
                    config: config(None)
                },
                CREATOR
            ),
            err(Error::<Test>::BadAddress)
        );
        // A poor creator cannot pay the deposit.
        assert!(call(
            Call::create {
                admin: addr(DEAD),
                config: config(None)
            },
            DEAD
        )
        .is_err());
        assert_eq!(NextCollectionId::get(), 0);
        assert_eq!(deposits(CREATOR), 0);
    });
}

#[test]
fn destroy_returns_every_deposit_of_an_empty_collection() {
    test(|| {
        let id = create_with(config(None));
        call(
            Call::set_collection_metadata {
                collection: id,
                data: bytes(b"ipfs://c"),
            },
            CREATOR,
        )
        .unwrap();
        call(
            Call::set_attribute {
                collection: id,
                maybe_item: None,
                namespace: AttributeNamespace::CollectionOwner,
                key: bytes(b"k"),
                value: bytes(b"v"),
            },
            CREATOR,
        )
        .unwrap();
        assert_eq!(deposits(CREATOR), 10 + (3 + 8) + (2 + 2));
        mint(id, 1, 2);
        assert_eq!(
            call(Call::destroy { collection: id }, CREATOR),
            err(Error::<Test>::CollectionNotEmpty)
        );
        call(
            Call::burn {
                collection: id,
                item: 1,
            },
            2,
        )
        .unwrap();
        assert_eq!(
            call(Call::destroy { collection: id }, 2),
            err(Error::<Test>::NoPermission)
        );
        call(Call::destroy { collection: id }, CREATOR).unwrap();
        assert_eq!(deposits(CREATOR), 0);
        assert_eq!(free(CREATOR), ENDOWMENT);
        assert!(Collection::get(id).is_none() && CollectionMetadataOf::get(id).is_none());
        assert_eq!(
            call(Call::destroy { collection: id }, CREATOR),
            err(Error::<Test>::UnknownCollection)
        );
    });
}

// --------------------------------------------------------------------------------------------
// Items
// --------------------------------------------------------------------------------------------

#[test]
fn mint_is_for_the_admin_unless_public_and_respects_supply() {
    test(|| {
        let id = create_with(CollectionConfig {
            max_supply: Some(2),
            mint_type: MintType::Issuer,
            royalty: None,
        });
        assert_eq!(
            call(
                Call::mint {
                    collection: id,
                    item: 1,
                    mint_to: addr(2)
                },
                2
            ),
            err(Error::<Test>::NoPermission)
        );
        mint(id, 1, 2);
        assert_eq!(
            call(
                Call::mint {
                    collection: id,
                    item: 1,
                    mint_to: addr(3)
                },
                CREATOR
            ),
            err(Error::<Test>::AlreadyExists)
        );
        mint(id, 2, 3);
        assert_eq!(
            call(
                Call::mint {
                    collection: id,
                    item: 3,
                    mint_to: addr(3)
                },
                CREATOR
            ),
            err(Error::<Test>::MaxSupplyReached)
        );
        assert_eq!(
            call(
                Call::mint {
                    collection: 9,
                    item: 1,
                    mint_to: addr(3)
                },
                CREATOR
            ),
            err(Error::<Test>::UnknownCollection)
        );
        assert_eq!(deposits(CREATOR), 10 + 2);
        assert!(Account::contains_key(acc(2), (id, 1)));

        let public = create_with(CollectionConfig {
            max_supply: None,
            mint_type: MintType::Public,
            royalty: None,
        });
        call(
            Call::mint {
                collection: public,
                item: 7,
                mint_to: addr(6),
            },
            6,
        )
        .unwrap();
        assert_eq!(deposits(6), 1, "the minter holds the item deposit");
        assert_eq!(owner(public, 7), 6);
    });
}

#[test]
fn burn_returns_deposits_and_releases_offers() {
    test(|| {
        let id = create_with(config(None));
        mint(id, 1, 2);
        call(
            Call::set_metadata {
                collection: id,
                item: 1,
                data: bytes(b"ipfs://x"),
                content_hash: H256::repeat_byte(1),
            },
            CREATOR,
        )
        .unwrap();
        call(
            Call::set_attribute {
                collection: id,
                maybe_item: Some(1),
                namespace: AttributeNamespace::ItemOwner,
                key: bytes(b"colour"),
                value: bytes(b"red"),
            },
            2,
        )
        .unwrap();
        offer(id, 1, 50, 5, BIDDER).unwrap();
        list(id, 1, 80, 2).unwrap();
        assert_eq!(deposits(2), 2 + 6 + 3);
        assert_eq!(
            call(
                Call::burn {
                    collection: id,
                    item: 1
                },
                CREATOR
            ),
            err(Error::<Test>::NoPermission)
        );
        call(
            Call::burn {
                collection: id,
                item: 1,
            },
            2,
        )
        .unwrap();
        assert_eq!((deposits(2), deposits(CREATOR)), (0, 10));
        assert_eq!(offered(BIDDER), 0);
        assert_eq!(free(BIDDER), ENDOWMENT);
        assert!(ItemPriceOf::get(id, 1).is_none() && ItemMetadataOf::get(id, 1).is_none());
        assert!(!Account::contains_key(acc(2), (id, 1)));
        assert_eq!(Collection::get(id).unwrap().items, 0);
        assert_eq!(
            call(
                Call::burn {
                    collection: id,
                    item: 1
                },
                2
            ),
            err(Error::<Test>::UnknownItem)
        );
    });
}

#[test]
fn transfer_is_free_without_a_royalty() {
    test(|| {
        let id = create_with(config(None));
        mint(id, 1, 2);
        assert_eq!(transfer(id, 1, 3, 6), err(Error::<Test>::NoPermission));
        transfer(id, 1, 3, 2).unwrap();
        assert_eq!(owner(id, 1), 3);
        assert_eq!(free(2), ENDOWMENT);
        assert!(events().contains(&Event::Transferred {
            collection: id,
            item: 1,
            from: acc(2),
            to: acc(3)
        }));
    });
}

#[test]
fn attack_plain_transfer_bypasses_royalty() {
    // A holder who sold off-chain tries to hand the item over without paying the creators.
    test(|| {
        let id = royalty_collection();
        mint(id, 1, 6);
        assert_eq!(
            transfer(id, 1, BUYER, 6),
            err(Error::<Test>::TransferRequiresSale)
        );
        assert_eq!(owner(id, 1), 6);
    });
}

#[test]
fn attack_approve_then_transfer() {
    // The holder approves the off-chain buyer, who moves the item itself.
    test(|| {
        let id = royalty_collection();
        mint(id, 1, 6);
        call(
            Call::approve_transfer {
                collection: id,
                item: 1,
                delegate: addr(BUYER),
                maybe_deadline: None,
            },
            6,
        )
        .unwrap();
        assert_eq!(
            transfer(id, 1, BUYER, BUYER),
            err(Error::<Test>::TransferRequiresSale)
        );
        assert_eq!(owner(id, 1), 6);
        // With a fallback fee the delegate may move it, and pays the fee.
        let fallback = create_with(config(Some(royalty(
            750,
            &[(2, 6_000), (3, 4_000)],
            Some(25),
        ))));
        mint(fallback, 1, 6);
        call(
            Call::approve_transfer {
                collection: fallback,
                item: 1,
                delegate: addr(BUYER),
                maybe_deadline: None,
            },
            6,
        )
        .unwrap();
        transfer(fallback, 1, BUYER, BUYER).unwrap();
        assert_eq!(owner(fallback, 1), BUYER);
        assert_eq!((free(2), free(3)), (ENDOWMENT + 15, ENDOWMENT + 10));
        assert_eq!(free(BUYER), ENDOWMENT - 25);
        assert!(events().contains(&Event::FallbackFeePaid {
            collection: fallback,
            item: 1,
            payer: acc(BUYER),
            amount: 25
        }));
        // The approval went with the move.
        assert_eq!(Item::get(fallback, 1).unwrap().approval, None);
    });
}

#[test]
fn a_transfer_that_cannot_pay_the_fallback_fee_changes_nothing() {
    test(|| {
        let id = create_with(config(Some(royalty(750, &[(2, 10_000)], Some(50)))));
        mint(id, 1, 8);
        // 8 moves almost everything away, keeping too little for the fee.
        call(
            Call::approve_transfer {
                collection: id,
                item: 1,
                delegate: addr(6),
                maybe_deadline: None,
            },
            8,
        )
        .unwrap();
        Balances::transfer(&acc(8), &acc(6), ENDOWMENT - 40, false).unwrap();
        assert!(transfer(id, 1, 3, 8).is_err());
        assert_eq!(owner(id, 1), 8);
        assert_eq!(free(2), ENDOWMENT);
        assert!(Item::get(id, 1).unwrap().approval.is_some());
    });
}

#[test]
fn approvals_expire_and_cancel() {
    test(|| {
        let id = create_with(config(None));
        mint(id, 1, 2);
        assert_eq!(
            call(
                Call::approve_transfer {
                    collection: id,
                    item: 1,
                    delegate: addr(3),
                    maybe_deadline: Some(2)
                },
                3
            ),
            err(Error::<Test>::NoPermission)
        );
        call(
            Call::approve_transfer {
                collection: id,
                item: 1,
                delegate: addr(3),
                maybe_deadline: Some(2),
            },
            2,
        )
        .unwrap();
        run_to(4);
        assert_eq!(
            transfer(id, 1, 3, 3),
            err(Error::<Test>::NoPermission),
            "past its deadline"
        );
        call(
            Call::approve_transfer {
                collection: id,
                item: 1,
                delegate: addr(3),
                maybe_deadline: None,
            },
            2,
        )
        .unwrap();
        assert_eq!(
            call(
                Call::cancel_approval {
                    collection: id,
                    item: 1,
                    delegate: addr(6)
                },
                2
            ),
            err(Error::<Test>::NotDelegate)
        );
        assert_eq!(
            call(
                Call::cancel_approval {
                    collection: id,
                    item: 1,
                    delegate: addr(3)
                },
                3
            ),
            err(Error::<Test>::NoPermission)
        );
        call(
            Call::cancel_approval {
                collection: id,
                item: 1,
                delegate: addr(3),
            },
            2,
        )
        .unwrap();
        assert_eq!(transfer(id, 1, 3, 3), err(Error::<Test>::NoPermission));
        call(
            Call::approve_transfer {
                collection: id,
                item: 1,
                delegate: addr(3),
                maybe_deadline: None,
            },
            2,
        )
        .unwrap();
        transfer(id, 1, 6, 3).unwrap();
        assert_eq!(owner(id, 1), 6);
    });
}

// --------------------------------------------------------------------------------------------
// Metadata and attributes
// --------------------------------------------------------------------------------------------

#[test]
fn metadata_is_the_admins_until_the_item_moves() {
    test(|| {
        let id = create_with(config(None));
        mint(id, 1, 2);
        let set = |data: &[u8], who| {
            call(
                Call::set_metadata {
                    collection: id,
                    item: 1,
                    data: bytes(data),
                    content_hash: H256::repeat_byte(9),
                },
                who,
            )
        };
        assert_eq!(set(b"ipfs://a", 2), err(Error::<Test>::NoPermission));
        set(b"ipfs://a", CREATOR).unwrap();
        assert_eq!(deposits(CREATOR), 10 + 1 + 3 + 8);
        set(b"ipfs://ab", CREATOR).unwrap();
        assert_eq!(
            deposits(CREATOR),
            10 + 1 + 3 + 9,
            "the deposit follows the size"
        );
        assert_eq!(
            ItemMetadataOf::get(id, 1).unwrap().content_hash,
            H256::repeat_byte(9)
        );
        transfer(id, 1, 3, 2).unwrap();
        assert_eq!(
            set(b"ipfs://swap", CREATOR),
            err(Error::<Test>::MetadataFrozen)
        );
        assert_eq!(
            call(
                Call::set_metadata {
                    collection: id,
                    item: 5,
                    data: bytes(b"x"),
                    content_hash: H256::zero()
                },
                CREATOR
            ),
            err(Error::<Test>::UnknownItem)
        );
        assert_eq!(
            call(
                Call::set_collection_metadata {
                    collection: id,
                    data: bytes(b"c")
                },
                2
            ),
            err(Error::<Test>::NoPermission)
        );
    });
}

#[test]
fn attributes_follow_their_namespace_and_return_deposits() {
    test(|| {
        let id = create_with(config(None));
        mint(id, 1, 2);
        let set = |item: Option<ItemId>, ns: AttributeNamespace, key: &[u8], who| {
            call(
                Call::set_attribute {
                    collection: id,
                    maybe_item: item,
                    namespace: ns,
                    key: bytes(key),
                    value: bytes(b"vv"),
                },
                who,
            )
        };
        assert_eq!(
            set(Some(1), AttributeNamespace::CollectionOwner, b"a", 2),
            err(Error::<Test>::NoPermission)
        );
        assert_eq!(
            set(Some(1), AttributeNamespace::ItemOwner, b"a", CREATOR),
            err(Error::<Test>::NoPermission)
        );
        assert_eq!(
            set(None, AttributeNamespace::ItemOwner, b"a", 2),
            err(Error::<Test>::NoPermission)
        );
        assert_eq!(
            set(Some(1), AttributeNamespace::Pallet, b"a", CREATOR),
            err(Error::<Test>::UnsupportedNamespace)
        );
        assert_eq!(
            set(Some(1), AttributeNamespace::Account(acc(2)), b"a", 2),
            err(Error::<Test>::UnsupportedNamespace)
        );
        set(Some(1), AttributeNamespace::CollectionOwner, b"a", CREATOR).unwrap();
        set(Some(1), AttributeNamespace::ItemOwner, b"a", 2).unwrap();
        set(Some(1), AttributeNamespace::ItemOwner, b"a", 2).unwrap();
        assert_eq!(
            Item::get(id, 1).unwrap().attributes,
            2,
            "overwriting adds none"
        );
        assert_eq!(deposits(2), 2 + 1 + 2);
        for k in 2..MAX_ATTRIBUTES as u8 {
            set(Some(1), AttributeNamespace::ItemOwner, &[k], 2).unwrap();
        }
        assert_eq!(
            set(Some(1), AttributeNamespace::ItemOwner, b"full", 2),
            err(Error::<Test>::TooManyAttributes)
        );
        let clear = |ns: AttributeNamespace, key: &[u8], who| {
            call(
                Call::clear_attribute {
                    collection: id,
                    maybe_item: Some(1),
                    namespace: ns,
                    key: bytes(key),
                },
                who,
            )
        };
        assert_eq!(
            clear(AttributeNamespace::ItemOwner, b"zz", 2),
            err(Error::<Test>::UnknownAttribute)
        );
        clear(AttributeNamespace::ItemOwner, b"a", 2).unwrap();
        set(Some(1), AttributeNamespace::ItemOwner, b"full", 2).unwrap();
        // Burning returns every attribute's deposit to whoever paid it.
        call(
            Call::burn {
                collection: id,
                item: 1,
            },
            2,
        )
        .unwrap();
        assert_eq!((deposits(2), deposits(CREATOR)), (0, 10));
    });
}

// --------------------------------------------------------------------------------------------
// Sales
// --------------------------------------------------------------------------------------------

#[test]
fn a_sale_splits_exactly_between_creators_treasury_and_seller() {
    test(|| {
        let id = royalty_collection();
        mint(id, 1, 6);
        // 7.5% of 9 973 (prime) is 747.975: 747, shared 448.2 / 298.8: 448 + 1 remainder, 298.
        // The market fee is 1%: 99. The seller gets 9 973 - 747 - 99 = 9 127.
        list(id, 1, 9_973, 6).unwrap();
        buy(id, 1, 9_973, BUYER).unwrap();
        assert_eq!(owner(id, 1), BUYER);
        assert_eq!(free(2), ENDOWMENT + 449);
        assert_eq!(free(3), ENDOWMENT + 298);
        assert_eq!(free(TREASURY), 2 + 99);
        assert_eq!(free(6), ENDOWMENT + 9_127);
        assert_eq!(free(BUYER), ENDOWMENT - 9_973);
        let ev = events();
        assert!(ev.contains(&Event::RoyaltyPaid {
            collection: id,
            item: 1,
            recipient: acc(2),
            amount: 449
        }));
        assert!(ev.contains(&Event::RoyaltyPaid {
            collection: id,
            item: 1,
            recipient: acc(3),
            amount: 298
        }));
        assert!(ev.contains(&Event::ItemBought {
            collection: id,
            item: 1,
            price: 9_973,
            seller: acc(6),
            buyer: acc(BUYER),
            royalty: 747,
            market_fee: 99,
            seller_amount: 9_127,
        }));
        assert!(ItemPriceOf::get(id, 1).is_none(), "the listing is gone");
        assert!(Item::get(id, 1).unwrap().moved);
    });
}

#[test]
fn five_recipients_and_one_basis_point_add_up() {
    test(|| {
        let id = create_with(config(Some(royalty(
            1,
            &[(2, 1), (3, 2_000), (5, 2_999), (6, 4_000), (8, 1_000)],
            None,
        ))));
        mint(id, 1, CREATOR);
        // 1 bps of 999 983 (prime) is 99 (above the floor of 5). Shares: 0, 19, 29, 39, 9;
        // the remainder of 3 goes to the first. The market fee is 9 999.
        list(id, 1, 999_983, CREATOR).unwrap();
        buy(id, 1, 999_983, RICH).unwrap();
        let gained: Vec<Balance> = [2, 3, 5, 6, 8]
            .iter()
            .map(|n| free(*n) - ENDOWMENT)
            .collect();
        assert_eq!(gained, vec![3, 19, 29, 39, 9]);
        assert_eq!(free(TREASURY), 2 + 9_999);
        assert_eq!(free(CREATOR), ENDOWMENT - 10 - 1 + 999_983 - 99 - 9_999);
        assert_eq!(free(RICH), RICH_ENDOWMENT - 999_983);
    });
}

#[test]
fn attack_zero_price_sale_with_side_payment() {
    // Seller and buyer agree off-chain and "sell" on-chain at 0: the price must pay the
    // royalty floor (MinRoyalty without a fallback fee, the fallback fee with one).
    test(|| {
        let id = royalty_collection();
        mint(id, 1, 6);
        assert_eq!(
            list(id, 1, 0, 6),
            err(Error::<Test>::PriceBelowRoyaltyFloor)
        );
        assert_eq!(
            list(id, 1, 4, 6),
            err(Error::<Test>::PriceBelowRoyaltyFloor)
        );
        assert_eq!(offer(id, 1, 4, 5, BUYER), err(Error::<Test>::OfferTooSmall));
        // At the least listable price the creators get the floor, whatever the rate says.
        list(id, 1, 5, 6).unwrap();
        buy(id, 1, 5, BUYER).unwrap();
        assert_eq!((free(2), free(3)), (ENDOWMENT + 3, ENDOWMENT + 2));
        assert_eq!(free(6), ENDOWMENT);

        let with_fallback = create_with(config(Some(royalty(750, &[(2, 10_000)], Some(40)))));
        mint(with_fallback, 1, 6);
        assert_eq!(
            list(with_fallback, 1, 39, 6),
            err(Error::<Test>::PriceBelowRoyaltyFloor)
        );
        assert_eq!(
            offer(with_fallback, 1, 39, 5, BUYER),
            err(Error::<Test>::PriceBelowRoyaltyFloor)
        );
        list(with_fallback, 1, 40, 6).unwrap();
        buy(with_fallback, 1, 40, BUYER).unwrap();
        assert_eq!(free(2), ENDOWMENT + 3 + 40);
    });
}

#[test]
fn listings_check_owner_buyer_and_bid() {
    test(|| {
        let id = create_with(config(None));
        mint(id, 1, 6);
        assert_eq!(buy(id, 1, 100, BUYER), err(Error::<Test>::NotForSale));
        assert_eq!(list(id, 1, 100, BUYER), err(Error::<Test>::NoPermission));
        call(
            Call::set_price {
                collection: id,
                item: 1,
                price: Some(100),
                whitelisted_buyer: Some(addr(3)),
            },
            6,
        )
        .unwrap();
        assert_eq!(
            buy(id, 1, 100, BUYER),
            err(Error::<Test>::NotWhitelistedBuyer)
        );
        assert_eq!(buy(id, 1, 100, 6), err(Error::<Test>::BuyerIsOwner));
        assert_eq!(buy(id, 1, 99, 3), err(Error::<Test>::BidTooLow));
        // A bid above the price pays the price.
        buy(id, 1, 500, 3).unwrap();
        assert_eq!(free(3), ENDOWMENT - 100);
        assert_eq!(free(6), ENDOWMENT + 99);
        // Unlisting.
        list(id, 1, 10, 3).unwrap();
        call(
            Call::set_price {
                collection: id,
                item: 1,
                price: None,
                whitelisted_buyer: None,
            },
            3,
        )
        .unwrap();
        assert_eq!(buy(id, 1, 10, BUYER), err(Error::<Test>::NotForSale));
        assert!(events().contains(&Event::ItemPriceRemoved {
            collection: id,
            item: 1
        }));
        assert_eq!(buy(id, 2, 10, BUYER), err(Error::<Test>::UnknownItem));
    });
}

#[test]
fn attack_seller_front_runs_price_raise() {
    // The seller sees a purchase in the pool and raises the price before it is included.
    test(|| {
        let id = create_with(config(None));
        mint(id, 1, 6);
        list(id, 1, 100, 6).unwrap();
        list(id, 1, 5_000, 6).unwrap();
        assert_eq!(buy(id, 1, 100, BUYER), err(Error::<Test>::BidTooLow));
        assert_eq!(free(BUYER), ENDOWMENT);
        assert_eq!(owner(id, 1), 6);
    });
}

#[test]
fn a_buyer_who_cannot_pay_changes_nothing() {
    test(|| {
        let id = royalty_collection();
        mint(id, 1, 6);
        list(id, 1, 20_000, 6).unwrap();
        assert!(buy(id, 1, 20_000, BUYER).is_err());
        assert_eq!(owner(id, 1), 6);
        assert_eq!(
            (free(2), free(3), free(TREASURY), free(BUYER)),
            (ENDOWMENT, ENDOWMENT, 2, ENDOWMENT)
        );
        assert!(ItemPriceOf::get(id, 1).is_some());
    });
}

#[test]
fn a_royalty_part_too_small_for_a_dead_recipient_goes_to_the_treasury() {
    test(|| {
        // 7 does not exist; its part of the 5-planck floor (1) is below the ED of 2.
        let id = create_with(config(Some(royalty(1, &[(2, 8_000), (DEAD, 2_000)], None))));
        mint(id, 1, 6);
        list(id, 1, 100, 6).unwrap();
        buy(id, 1, 100, BUYER).unwrap();
        assert_eq!(free(2), ENDOWMENT + 4);
        assert_eq!(
            free(TREASURY),
            2 + 1 + 1,
            "the dead part and the market fee"
        );
        assert!(events().contains(&Event::RoyaltyPaid {
            collection: id,
            item: 1,
            recipient: acc(TREASURY),
            amount: 1
        }));
    });
}

// --------------------------------------------------------------------------------------------
// Offers
// --------------------------------------------------------------------------------------------

#[test]
fn offers_are_held_and_accepted_as_sales() {
    test(|| {
        let id = royalty_collection();
        mint(id, 1, 6);
        assert_eq!(
            offer(id, 1, 9, 5, BIDDER),
            err(Error::<Test>::OfferTooSmall)
        );
        assert_eq!(
            offer(id, 1, 100, 0, BIDDER),
            err(Error::<Test>::BadOfferDuration)
        );
        assert_eq!(
            offer(id, 1, 100, 21, BIDDER),
            err(Error::<Test>::BadOfferDuration)
        );
        assert_eq!(offer(id, 1, 100, 5, 6), err(Error::<Test>::BuyerIsOwner));
        assert_eq!(
            offer(id, 2, 100, 5, BIDDER),
            err(Error::<Test>::UnknownItem)
        );
        offer(id, 1, 1_000, 5, BIDDER).unwrap();
        assert_eq!(offered(BIDDER), 1_000);
        // A new offer from the same bidder replaces the old.
        offer(id, 1, 2_003, 5, BIDDER).unwrap();
        assert_eq!(offered(BIDDER), 2_003);
        assert_eq!(Offers::get(id, 1).len(), 1);
        let accept = |bidder: u8, amount, who| {
            call(
                Call::accept_offer {
                    collection: id,
                    item: 1,
                    bidder: addr(bidder),
                    amount,
                },
                who,
            )
        };
        assert_eq!(
            accept(BIDDER, 2_003, BIDDER),
            err(Error::<Test>::NoPermission)
        );
        assert_eq!(accept(BUYER, 2_003, 6), err(Error::<Test>::UnknownOffer));
        accept(BIDDER, 2_003, 6).unwrap();
        // 7.5% of 2 003 = 150 (90 + 60); 1% = 20; seller 1 833.
        assert_eq!(owner(id, 1), BIDDER);
        assert_eq!((free(2), free(3)), (ENDOWMENT + 90, ENDOWMENT + 60));
        assert_eq!(free(TREASURY), 2 + 20);
        assert_eq!(free(6), ENDOWMENT + 1_833);
        assert_eq!((offered(BIDDER), free(BIDDER)), (0, ENDOWMENT - 2_003));
        assert!(Offers::get(id, 1).is_empty());
    });
}

#[test]
fn attack_bidder_swaps_offer_under_acceptance() {
    // The bidder sees the owner's acceptance in the pool and replaces its offer with a lower
    // one before it is included.
    test(|| {
        let id = create_with(config(None));
        mint(id, 1, 6);
        offer(id, 1, 1_000, 5, BIDDER).unwrap();
        offer(id, 1, 10, 5, BIDDER).unwrap();
        assert_eq!(
            call(
                Call::accept_offer {
                    collection: id,
                    item: 1,
                    bidder: addr(BIDDER),
                    amount: 1_000
                },
                6
            ),
            err(Error::<Test>::OfferChanged)
        );
        assert_eq!(owner(id, 1), 6);
    });
}

#[test]
fn attack_offer_spam_cannot_lock_out_real_bidders() {
    // An attacker fills an item's offer slots with the least offers; a real bid replaces the
    // lowest, and ties do not.
    test(|| {
        let id = create_with(config(None));
        mint(id, 1, 6);
        let spammers: Vec<u8> = (20..20 + MAX_OFFERS_PER_ITEM as u8).collect();
        for s in &spammers {
            Balances::transfer(&acc(8), &acc(*s), 100, false).unwrap();
            offer(id, 1, 10, 20, *s).unwrap();
        }
        assert_eq!(
            offer(id, 1, 10, 20, BIDDER),
            err(Error::<Test>::OfferTooLow)
        );
        offer(id, 1, 11, 20, BIDDER).unwrap();
        assert_eq!(Offers::get(id, 1).len(), MAX_OFFERS_PER_ITEM as usize);
        assert_eq!(
            offered(spammers[0]),
            0,
            "the first lowest was outbid and released"
        );
        assert!(events().iter().any(|e| matches!(
            e,
            Event::OfferWithdrawn {
                reason: OfferEnd::Outbid,
                ..
            }
        )));
    });
}

#[test]
fn offers_expire_and_release_their_holds() {
    test(|| {
        let id = create_with(config(None));
        mint(id, 1, 6);
        offer(id, 1, 300, 3, BIDDER).unwrap();
        assert_eq!(Offers::get(id, 1)[0].expires_at, 4);
        run_to(4);
        // Still acceptable in its last block.
        assert_eq!(offered(BIDDER), 300);
        call(
            Call::cancel_offer {
                collection: id,
                item: 1,
            },
            BUYER,
        )
        .expect_err("not BUYER's");
        run_to(5);
        assert_eq!(offered(BIDDER), 0);
        assert_eq!(free(BIDDER), ENDOWMENT);
        assert!(Offers::get(id, 1).is_empty());
        assert!(events().iter().any(|e| matches!(
            e,
            Event::OfferWithdrawn {
                reason: OfferEnd::Expired,
                ..
            }
        )));
        assert_eq!(
            call(
                Call::accept_offer {
                    collection: id,
                    item: 1,
                    bidder: addr(BIDDER),
                    amount: 300
                },
                6
            ),
            err(Error::<Test>::UnknownOffer)
        );
        // Cancelling releases at once and unschedules the expiry.
        offer(id, 1, 300, 3, BIDDER).unwrap();
        call(
            Call::cancel_offer {
                collection: id,
                item: 1,
            },
            BIDDER,
        )
        .unwrap();
        assert_eq!(offered(BIDDER), 0);
        assert_eq!(
            call(
                Call::cancel_offer {
                    collection: id,
                    item: 1
                },
                BIDDER
            ),
            err(Error::<Test>::UnknownOffer)
        );
    });
}

#[test]
fn the_expiry_hook_is_bounded_per_block() {
    test(|| {
        let id = create_with(CollectionConfig {
            max_supply: None,
            mint_type: MintType::Public,
            royalty: None,
        });
        // Fill one expiry block from many items and bidders.
        let mut placed = 0;
        'fill: for item in 0..20u32 {
            call(
                Call::mint {
                    collection: id,
                    item,
                    mint_to: addr(6),
                },
                6,
            )
            .unwrap();
            for bidder in [1u8, 2, 3, 4, 5, 8] {
                if placed == MAX_EXPIRIES_PER_BLOCK {
                    break 'fill;
                }
                offer(id, item, 10, 5, bidder).unwrap();
                placed += 1;
            }
        }
        assert_eq!(OfferExpiries::get(6).len() as u32, MAX_EXPIRIES_PER_BLOCK);
        call(
            Call::mint {
                collection: id,
                item: 99,
                mint_to: addr(6),
            },
            6,
        )
        .unwrap();
        assert_eq!(
            offer(id, 99, 10, 5, BUYER),
            err(Error::<Test>::TooManyExpiries)
        );
        offer(id, 99, 10, 6, BUYER).unwrap();
        run_to(6);
        System::finalize();
        System::initialize(7, H256::repeat_byte(7), &Digest::default());
        let used = Nfts::on_initialize(7);
        assert_eq!(
            used,
            super::weights::expiry_overhead().saturating_add(
                super::weights::expire_offer().saturating_mul(MAX_EXPIRIES_PER_BLOCK as u64)
            )
        );
        assert_eq!(OfferExpiries::get(6).len(), 0);
        assert_eq!(offered(BUYER), 10, "the next block's offer is still open");
        for n in [1u8, 2, 3, 5, 8] {
            assert_eq!(offered(n), 0);
        }
    });
}

// --------------------------------------------------------------------------------------------
// Model NFTs
// --------------------------------------------------------------------------------------------

#[test]
fn usage_fees_are_capped_and_raises_are_delayed() {
    test(|| {
        let id = royalty_collection();
        mint(id, 1, 6);
        let set = |fee, who| {
            call(
                Call::set_usage_fee {
                    collection: id,
                    item: 1,
                    fee,
                },
                who,
            )
        };
        assert_eq!(set(10, BUYER), err(Error::<Test>::NoPermission));
        assert_eq!(set(1_001, 6), err(Error::<Test>::UsageFeeTooHigh));
        assert_eq!(set(1, 6), err(Error::<Test>::UsageFeeBelowMinimum));
        assert_eq!(
            call(
                Call::set_usage_fee {
                    collection: id,
                    item: 2,
                    fee: 5
                },
                6
            ),
            err(Error::<Test>::UnknownItem)
        );
        set(100, 6).unwrap();
        assert_eq!(
            <Nfts as ModelRegistry>::usage_fee(&(id, 1)),
            0,
            "a raise waits"
        );
        assert!(events().contains(&Event::UsageFeeSet {
            collection: id,
            item: 1,
            fee: 100,
            effective_from: 11
        }));
        run_to(11);
        assert_eq!(<Nfts as ModelRegistry>::usage_fee(&(id, 1)), 100);
        set(40, 6).unwrap();
        assert_eq!(
            <Nfts as ModelRegistry>::usage_fee(&(id, 1)),
            40,
            "a cut is at once"
        );
        set(0, 6).unwrap();
        assert_eq!(<Nfts as ModelRegistry>::usage_fee(&(id, 1)), 0);
    });
}

#[test]
fn attack_owner_front_runs_fee_raise() {
    // The model's owner sees a client's job in the pool and raises the fee to the cap: jobs
    // submitted before the delay still hold the old fee.
    test(|| {
        let id = create_with(config(None));
        mint(id, 1, 6);
        call(
            Call::set_usage_fee {
                collection: id,
                item: 1,
                fee: 10,
            },
            6,
        )
        .unwrap();
        run_to(11);
        call(
            Call::set_usage_fee {
                collection: id,
                item: 1,
                fee: 1_000,
            },
            6,
        )
        .unwrap();
        assert_eq!(<Nfts as ModelRegistry>::usage_fee(&(id, 1)), 10);
        run_to(20);
        assert_eq!(<Nfts as ModelRegistry>::usage_fee(&(id, 1)), 10);
        run_to(21);
        assert_eq!(<Nfts as ModelRegistry>::usage_fee(&(id, 1)), 1_000);
    });
}

#[test]
fn the_registry_follows_the_owner_and_records_earnings() {
    test(|| {
        let id = create_with(config(None));
        mint(id, 1, 6);
        assert_eq!(<Nfts as ModelRegistry>::owner(&(id, 1)), Some(acc(6)));
        assert_eq!(<Nfts as ModelRegistry>::owner(&(id, 2)), None);
        <Nfts as ModelRegistry>::note_usage(&(id, 1), &acc(6), 30);
        list(id, 1, 100, 6).unwrap();
        buy(id, 1, 100, BUYER).unwrap();
        assert_eq!(<Nfts as ModelRegistry>::owner(&(id, 1)), Some(acc(BUYER)));
        <Nfts as ModelRegistry>::note_usage(&(id, 1), &acc(BUYER), 30);
        assert_eq!(
            ModelUsage::get(id, 1),
            ModelEarnings {
                jobs: 2,
                earned: 60
            }
        );
        assert!(events().contains(&Event::UsageFeePaid {
            collection: id,
            item: 1,
            owner: acc(BUYER),
            amount: 30
        }));
        // A burned model has no owner and no fee.
        call(
            Call::set_usage_fee {
                collection: id,
                item: 1,
                fee: 5,
            },
            BUYER,
        )
        .unwrap();
        call(
            Call::burn {
                collection: id,
                item: 1,
            },
            BUYER,
        )
        .unwrap();
        assert_eq!(<Nfts as ModelRegistry>::owner(&(id, 1)), None);
        assert_eq!(<Nfts as ModelRegistry>::usage_fee(&(id, 1)), 0);
        assert_eq!(ModelUsage::get(id, 1), ModelEarnings::default());
    });
}
