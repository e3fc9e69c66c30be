//! The records the NFT pallet keeps: collections and their royalties, items, metadata,
//! attributes, listings, offers and model usage. Field order and codec indices are part of the
//! storage format stock clients decode.

use basalt_support::{AccountId, Balance, BlockNumber, BoundedVec, H256};
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;

pub use basalt_support::models::{CollectionId, ItemId, ModelId};

/// Basis points in one whole: royalty rates, market fees and recipient shares are counted in
/// ten-thousandths.
pub const BASIS_POINTS: u16 = 10_000;
/// The most accounts one royalty is shared by.
pub const MAX_ROYALTY_RECIPIENTS: u32 = 5;
/// The longest metadata (a URI, for items) and attribute value, in bytes.
pub const MAX_DATA_LEN: u32 = 256;
/// The longest attribute key, in bytes.
pub const MAX_KEY_LEN: u32 = 64;
/// The most attributes one item (or one collection) may carry: bounds the work of a burn.
pub const MAX_ATTRIBUTES: u32 = 16;
/// The most open offers on one item; a higher offer replaces the lowest when full.
pub const MAX_OFFERS_PER_ITEM: u32 = 8;
/// The most offers that may expire in one block: bounds `on_initialize`.
pub const MAX_EXPIRIES_PER_BLOCK: u32 = 64;

/// Metadata bytes (a URI for items, free-form for collections).
pub type Data = BoundedVec<u8, MAX_DATA_LEN>;
/// An attribute key.
pub type AttributeKey = BoundedVec<u8, MAX_KEY_LEN>;

/// One account's part of a collection's royalty.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct RoyaltyShare {
    /// Who is paid.
    pub who: AccountId,
    /// Its part of the royalty, in basis points; the parts of one royalty add up to exactly
    /// [`BASIS_POINTS`].
    pub share: u16,
}

/// The royalty every change of owner of a collection's items pays its creators. Fixed when the
/// collection is created: no one can raise it on the holders later.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct Royalty {
    /// The royalty on a sale, in basis points of the price (at most the runtime's
    /// `MaxRoyalty`).
    pub rate: u16,
    /// Who is paid, with their shares (1 to 5 accounts).
    pub recipients: BoundedVec<RoyaltyShare, MAX_ROYALTY_RECIPIENTS>,
    /// What a transfer without a sale pays the recipients (as Hedera's fallback fee), and the
    /// least royalty any sale pays. `None`: items change owner only by a sale in this pallet,
    /// which pays at least the runtime's `MinRoyalty`.
    pub fallback_fee: Option<Balance>,
}

/// Who may mint a collection's items.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum MintType {
    /// Only the collection's admin.
    #[codec(index = 0)]
    Issuer,
    /// Anyone (each minter holds its item's deposit).
    #[codec(index = 1)]
    Public,
}

/// A new collection's settings (`create`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct CollectionConfig {
    /// The most items that may ever exist at once (`None`: unbounded).
    pub max_supply: Option<u32>,
    /// Who may mint.
    pub mint_type: MintType,
    /// The royalty of every sale and transfer (`None`: none; items move freely).
    pub royalty: Option<Royalty>,
}

/// A collection.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct CollectionDetails {
    /// Who created it, holds its deposit and may destroy it.
    pub owner: AccountId,
    /// Who may mint (for `MintType::Issuer`) and set item metadata.
    pub admin: AccountId,
    /// The deposit held from `owner`.
    pub owner_deposit: Balance,
    /// Items that exist now.
    pub items: u32,
    /// Collection-level attributes that exist now.
    pub attributes: u32,
    /// Its settings.
    pub config: CollectionConfig,
}

/// A deposit and who holds it: returned to that account when the thing it pays for goes.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Deposit {
    /// The account the deposit is held on.
    pub account: AccountId,
    /// The amount.
    pub amount: Balance,
}

/// A transfer approval: `delegate` may transfer the item, under the same royalty rules.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Approval {
    /// Who may transfer.
    pub delegate: AccountId,
    /// The last block in which it may (`None`: until cancelled or the item moves).
    pub deadline: Option<BlockNumber>,
}

/// An item.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ItemDetails {
    /// Who owns it.
    pub owner: AccountId,
    /// Who may transfer it besides its owner (cleared whenever it changes owner).
    pub approval: Option<Approval>,
    /// Its deposit (held from its minter).
    pub deposit: Deposit,
    /// Attributes it carries now.
    pub attributes: u32,
    /// Whether it has ever changed owner; its metadata is frozen from then on, so that what
    /// a buyer bought cannot be changed under it.
    pub moved: bool,
}

/// A collection's metadata.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct CollectionMetadata {
    /// Its deposit.
    pub deposit: Deposit,
    /// The bytes.
    pub data: Data,
}

/// An item's metadata: where its content is and what it hashes to.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct ItemMetadata {
    /// Its deposit.
    pub deposit: Deposit,
    /// A URI of the content.
    pub data: Data,
    /// `blake2_256` of the content (for a model NFT: of the model's weights), so anyone who
    /// fetches it can check it.
    pub content_hash: H256,
}

/// Whose attribute this is: who may set and clear it. Encoded as pallet-nfts's
/// `AttributeNamespace`; Basalt supports the owner namespaces.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub enum AttributeNamespace {
    /// Set by a pallet (not through calls).
    #[codec(index = 0)]
    Pallet,
    /// Set by the collection's owner.
    #[codec(index = 1)]
    CollectionOwner,
    /// Set by the item's owner (items only).
    #[codec(index = 2)]
    ItemOwner,
    /// Set by an approved account (not supported).
    #[codec(index = 3)]
    Account(AccountId),
}

/// An attribute's value and deposit.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct AttributeValue {
    /// The value.
    pub value: Data,
    /// Its deposit.
    pub deposit: Deposit,
}

/// A listing: the item is for sale at `price`, to anyone or to one buyer.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Listing {
    /// The price.
    pub price: Balance,
    /// The only account that may buy (`None`: anyone).
    pub whitelisted_buyer: Option<AccountId>,
}

/// An offer to buy an item, its amount held from the bidder until it is accepted, cancelled,
/// outbid or expires.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct Offer {
    /// Who offers.
    pub bidder: AccountId,
    /// The amount offered and held.
    pub amount: Balance,
    /// The last block in which it may be accepted; released at the next.
    pub expires_at: BlockNumber,
}

/// A model NFT's usage fee: what each job using the model pays its owner. A raise takes effect
/// only after the runtime's `UsageFeeDelay`, so that no client is charged a fee it could not
/// see when it signed; a cut takes effect at once.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct UsageFee {
    /// The fee in force.
    pub fee: Balance,
    /// A raised fee and the block from which it is in force.
    pub pending: Option<(Balance, BlockNumber)>,
}

impl UsageFee {
    /// The fee in force at block `now`.
    pub fn at(&self, now: BlockNumber) -> Balance {
        match self.pending {
            Some((fee, from)) if from <= now => fee,
            _ => self.fee,
        }
    }
}

/// What a model NFT has earned from the jobs that used it.
#[derive(Clone, PartialEq, Eq, Debug, Default, Encode, Decode, TypeInfo)]
pub struct ModelEarnings {
    /// Settled jobs that paid its fee.
    pub jobs: u64,
    /// Their fees, paid to whoever owned it at each settlement.
    pub earned: Balance,
}
