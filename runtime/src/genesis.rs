//! The genesis state, from the chain spec's `genesis.runtime` JSON object.
//!
//! ```json
//! {
//!   "system": {},
//!   "balances": { "balances": [["5Grwva...", 1000000000000000000]] },
//!   "sudo": { "key": "5Grwva..." },
//!   "aura": { "authorities": ["5Grwva..."] },
//!   "grandpa": { "authorities": [["5FA9nQ...", 1]] },
//!   "staking": {
//!     "validatorCount": 1,
//!     "minimumValidatorCount": 1,
//!     "stakers": [
//!       ["5Grwva...", 100000000000000000, "validator", { "aura": "5Grwva...", "grandpa": "5FA9nQ..." }],
//!       ["5FHneW...", 1000000000000000, { "nominator": ["5Grwva..."] }, null],
//!       ["5FLSig...", 1000000000000000, "idle", null]
//!     ],
//!     "providers": [
//!       { "account": "5FHneW...", "stake": 10000000000000000 },
//!       { "account": "5FLSig...", "stake": 10000000000000000, "gpuModel": "NVIDIA H100 80GB",
//!         "gpuMemoryGb": 80, "gpuCount": 8, "region": "eu-west" }
//!     ]
//!   }
//! }
//! ```
//!
//! `staking` is optional (older chain specs without it still read; staking then starts in
//! block 1 with no validators and the configured authorities stay). Each staker is
//! `[stash, bond, role, keys]`: the role is `"validator"`, `"idle"` or
//! `{"nominator": [validator stashes]}`; `keys` (Aura sr25519 and GRANDPA ed25519 public keys as
//! SS58, or `null`) are the session keys validators need to be elected. Staking's genesis runs
//! after balances' (stakers must be endowed with their bond) and elects era 0; when it elects
//! anyone, `Aura.Authorities` and `Grandpa.Authorities` are its authorities (sorted by stash),
//! whatever `aura` and `grandpa` say, so that consensus at era 0 is staking's; `aura` and
//! `grandpa` may then be empty. `providers` (optional) registers compute providers as their
//! own `register_provider` would (bonding `stake` if they have no bond yet); a provider without
//! `gpuModel` is CPU-only (model `"cpu"`, no GPUs).
//!
//! Accounts are SS58 strings with Basalt's prefix (42). Amounts are JSON integers, or decimal
//! strings for amounts above `u64::MAX` (JSON numbers that large lose precision). The timestamp
//! has no genesis configuration (`Timestamp.Now` stays zero until block 1).
//!
//! Authorities are kept as plain storage values (see [`crate::consensus`]): `Aura.Authorities`
//! (sr25519 keys) and `Grandpa.Authorities` (ed25519 keys with weights); the node reads them.
//!
//! Every malformed input is refused with a [`GenesisError`] naming the field: unknown fields,
//! bad SS58 strings, zero or below-existential-deposit balances, duplicate accounts or
//! authorities, an empty authority set, a zero GRANDPA weight, a total issuance that overflows.

use crate::consensus::{aura, grandpa};
use crate::Runtime;
use basalt_support::genesis::BuildGenesis;
use basalt_support::primitives::{SS58_PREFIX, UNIT};
use basalt_support::sp_core::crypto::{Ss58AddressFormat, Ss58Codec};
use basalt_support::sp_core::{ed25519, sr25519, Pair};
use basalt_support::state::empty_externalities;
use basalt_support::{AccountId, Balance, H256};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};

/// The runtime's genesis configuration (`genesis.runtime` in a chain spec).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisConfig {
    /// The system pallet has nothing to configure.
    #[serde(default)]
    pub system: SystemConfig,
    /// Initial balances.
    #[serde(default)]
    pub balances: BalancesConfig,
    /// The sudo key.
    #[serde(default)]
    pub sudo: SudoConfig,
    /// The block authors.
    #[serde(default)]
    pub aura: AuraConfig,
    /// The finality voters.
    #[serde(default)]
    pub grandpa: GrandpaConfig,
    /// The initial stakers and validator counts.
    #[serde(default)]
    pub staking: StakingConfig,
    /// Governance periods shorter than the runtime's (development chains).
    #[serde(default)]
    pub governance: GovernanceConfig,
}

/// Governance's genesis configuration: periods for chains that must decide in minutes, not
/// weeks (development and test chains). Absent fields keep the runtime's constants.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GovernanceConfig {
    /// `[trackId, periods]` for the tracks whose periods this chain shortens.
    #[serde(default)]
    pub track_periods: Vec<(u16, GenesisTrackPeriods)>,
    /// Blocks a referendum may wait to begin deciding.
    #[serde(default)]
    pub undeciding_timeout: Option<u32>,
    /// Blocks in one conviction lock period.
    #[serde(default)]
    pub vote_locking_period: Option<u32>,
}

/// A track's periods in blocks, as a chain spec writes them.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisTrackPeriods {
    /// From submission until deciding may begin.
    pub prepare_period: u32,
    /// How long deciding lasts, at most.
    pub decision_period: u32,
    /// How long a referendum must keep passing.
    pub confirm_period: u32,
    /// The least delay from approval to enactment.
    pub min_enactment_period: u32,
}

impl GenesisTrackPeriods {
    fn to_pallet(self) -> pallet_referenda::TrackPeriods {
        pallet_referenda::TrackPeriods {
            prepare_period: self.prepare_period,
            decision_period: self.decision_period,
            confirm_period: self.confirm_period,
            min_enactment_period: self.min_enactment_period,
        }
    }
}

/// Staking's genesis configuration.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StakingConfig {
    /// Seats in the validator set.
    #[serde(default)]
    pub validator_count: u32,
    /// The fewest validators an election may produce.
    #[serde(default)]
    pub minimum_validator_count: u32,
    /// `[stash, bond, role, keys]` of each initial staker.
    #[serde(default)]
    pub stakers: Vec<(Ss58Account, Amount, StakerRole, Option<StakerKeys>)>,
    /// The initial compute providers, registered after the stakers.
    #[serde(default)]
    pub providers: Vec<GenesisProvider>,
}

/// A compute provider registered at genesis.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisProvider {
    /// Its account (its stash).
    pub account: Ss58Account,
    /// The bond it keeps at least.
    pub stake: Amount,
    /// Its GPU model; `"cpu"` for a CPU-only provider.
    #[serde(default = "cpu_model")]
    pub gpu_model: String,
    /// Memory per GPU in GiB.
    #[serde(default)]
    pub gpu_memory_gb: u32,
    /// How many GPUs.
    #[serde(default)]
    pub gpu_count: u32,
    /// Where its machines are.
    #[serde(default)]
    pub region: String,
}

fn cpu_model() -> String {
    "cpu".into()
}

impl GenesisProvider {
    /// The call that registers this provider, as it would sign it.
    fn register_call(&self) -> Result<crate::RuntimeCall, GenesisError> {
        fn bounded<const N: u32>(
            field: &str,
            text: &str,
        ) -> Result<basalt_support::BoundedVec<u8, N>, GenesisError> {
            basalt_support::BoundedVec::try_from(text.as_bytes().to_vec())
                .map_err(|_| GenesisError::Staking(format!("{field}: longer than {N} bytes")))
        }
        Ok(crate::RuntimeCall::Staking(
            pallet_staking::Call::register_provider {
                stake: self.stake.0,
                capabilities: pallet_staking::Capabilities {
                    gpu_model: bounded("staking.providers.gpuModel", &self.gpu_model)?,
                    memory_gb: self.gpu_memory_gb,
                    count: self.gpu_count,
                    price_per_unit: 0,
                    region: bounded("staking.providers.region", &self.region)?,
                },
            },
        ))
    }
}

/// What a genesis staker does.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum StakerRole {
    /// A validator candidate (zero commission).
    Validator,
    /// A nominator of these genesis validators.
    Nominator(Vec<Ss58Account>),
    /// Bonded, with no role.
    Idle,
}

/// A genesis validator's session keys.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StakerKeys {
    /// The Aura (sr25519) public key, as SS58.
    pub aura: Ss58Account,
    /// The GRANDPA (ed25519) public key, as SS58.
    pub grandpa: Ss58Account,
}

impl StakingConfig {
    /// The staking pallet's view of this configuration.
    pub fn to_pallet(&self) -> pallet_staking::GenesisConfig {
        pallet_staking::GenesisConfig {
            validator_count: self.validator_count,
            minimum_validator_count: self.minimum_validator_count,
            stakers: self
                .stakers
                .iter()
                .map(|(stash, bond, role, keys)| pallet_staking::GenesisStaker {
                    stash: stash.0.clone(),
                    bond: bond.0,
                    status: match role {
                        StakerRole::Validator => pallet_staking::StakerStatus::Validator,
                        StakerRole::Idle => pallet_staking::StakerStatus::Idle,
                        StakerRole::Nominator(targets) => pallet_staking::StakerStatus::Nominator(
                            targets.iter().map(|t| t.0.clone()).collect(),
                        ),
                    },
                    keys: keys.as_ref().map(|k| pallet_staking::SessionKeys {
                        aura: *k.aura.0.as_ref(),
                        grandpa: *k.grandpa.0.as_ref(),
                    }),
                })
                .collect(),
        }
    }

    /// Whether some staker is a validator with session keys: then staking elects era 0's
    /// authorities at genesis.
    fn has_validators(&self) -> bool {
        self.stakers
            .iter()
            .any(|(_, _, role, keys)| *role == StakerRole::Validator && keys.is_some())
    }
}

/// The system pallet's (empty) genesis configuration.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SystemConfig {}

/// Initial balances: each account's free balance.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BalancesConfig {
    /// `[account, amount]` pairs; amounts in the smallest unit (10^-12 BSLT).
    pub balances: Vec<(Ss58Account, Amount)>,
}

/// The sudo key, if the chain has one.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SudoConfig {
    /// The account allowed to dispatch root calls; `null` for none.
    pub key: Option<Ss58Account>,
}

/// The Aura authorities, in slot order.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuraConfig {
    /// sr25519 public keys as SS58.
    pub authorities: Vec<Ss58Account>,
}

/// The GRANDPA authorities and their weights.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrandpaConfig {
    /// `[ed25519 key as SS58, weight]` pairs.
    pub authorities: Vec<(Ss58Account, u64)>,
}

/// An account written as an SS58 string (prefix 42) in JSON.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct Ss58Account(pub AccountId);

impl Serialize for Ss58Account {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(
            &self
                .0
                .to_ss58check_with_version(Ss58AddressFormat::custom(SS58_PREFIX)),
        )
    }
}

impl<'de> Deserialize<'de> for Ss58Account {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse_ss58(&text)
            .map(Ss58Account)
            .map_err(de::Error::custom)
    }
}

/// Parses an SS58 address with Basalt's prefix.
pub fn parse_ss58(text: &str) -> Result<AccountId, String> {
    let (account, format) = AccountId::from_ss58check_with_version(text)
        .map_err(|e| format!("`{text}` is not a valid SS58 address: {e:?}"))?;
    if u16::from(format) != SS58_PREFIX {
        return Err(format!(
            "`{text}` uses SS58 prefix {}, Basalt addresses use {SS58_PREFIX}",
            u16::from(format)
        ));
    }
    Ok(account)
}

/// A token amount: a JSON integer, or a decimal string for values above `u64::MAX`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub struct Amount(pub Balance);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match u64::try_from(self.0) {
            Ok(small) => s.serialize_u64(small),
            Err(_) => s.serialize_str(&self.0.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct AmountVisitor;
        impl de::Visitor<'_> for AmountVisitor {
            type Value = Amount;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a non-negative integer, or a decimal string for amounts above u64::MAX",
                )
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Ok(Amount(v.into()))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Amount, E> {
                Ok(Amount(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                u128::try_from(v)
                    .map(Amount)
                    .map_err(|_| E::custom(format!("negative amount {v}")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                Err(E::custom(format!(
                    "amount {v} is not an exact integer; write amounts above u64::MAX as decimal strings"
                )))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Amount, E> {
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(E::custom(format!("`{v}` is not a decimal amount")));
                }
                v.parse::<u128>()
                    .map(Amount)
                    .map_err(|_| E::custom(format!("amount `{v}` overflows u128")))
            }
        }
        d.deserialize_any(AmountVisitor)
    }
}

/// Why a genesis configuration is refused.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum GenesisError {
    /// The JSON does not have the configuration's shape (unknown field, bad SS58, bad amount).
    Json(String),
    /// An account is listed twice in `field`.
    Duplicate {
        /// The list.
        field: &'static str,
        /// The account, as SS58.
        account: String,
    },
    /// A genesis balance is below the existential deposit (zero included).
    BalanceTooLow {
        /// The account, as SS58.
        account: String,
        /// Its amount.
        amount: Balance,
        /// The existential deposit.
        existential_deposit: Balance,
    },
    /// The balances add up to more than `u128::MAX`.
    IssuanceOverflow,
    /// A required authority set is empty.
    NoAuthorities(&'static str),
    /// A GRANDPA authority has weight zero.
    ZeroWeight(String),
    /// The balances pallet refused the endowment.
    Balances(String),
    /// The staking pallet refused its genesis configuration.
    Staking(String),
    /// The jobs pallet refused its genesis (the built-in programs).
    Jobs(String),
    /// The governance periods name an unknown track or a zero decision period.
    Governance(String),
    /// Another pallet refused its genesis.
    Pallet(&'static str, String),
}

impl std::fmt::Display for GenesisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Json(e) => write!(f, "invalid genesis configuration: {e}"),
            Self::Duplicate { field, account } => write!(f, "{field}: account {account} is listed twice"),
            Self::BalanceTooLow { account, amount, existential_deposit } => write!(
                f,
                "balances.balances: {account} gets {amount}, below the existential deposit {existential_deposit}"
            ),
            Self::IssuanceOverflow => f.write_str("balances.balances: the total issuance overflows u128"),
            Self::NoAuthorities(field) => write!(f, "{field} must not be empty"),
            Self::ZeroWeight(account) => write!(f, "grandpa.authorities: {account} has weight 0"),
            Self::Balances(e) => write!(f, "balances.balances refused: {e}"),
            Self::Staking(e) => write!(f, "staking refused: {e}"),
            Self::Jobs(e) => write!(f, "jobs refused: {e}"),
            Self::Governance(e) => write!(f, "governance refused: {e}"),
            Self::Pallet(pallet, e) => write!(f, "{pallet} refused its genesis: {e}"),
        }
    }
}

impl std::error::Error for GenesisError {}

impl GenesisConfig {
    /// Parses the `genesis.runtime` JSON object.
    pub fn from_json(json: &str) -> Result<Self, GenesisError> {
        serde_json::from_str(json).map_err(|e| GenesisError::Json(e.to_string()))
    }

    /// The JSON object of this configuration.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Checks everything [`build`] relies on, without building.
    pub fn check(&self) -> Result<(), GenesisError> {
        let ed = crate::EXISTENTIAL_DEPOSIT;
        let mut seen = BTreeSet::new();
        let mut total: Balance = 0;
        for (who, amount) in &self.balances.balances {
            if !seen.insert(who) {
                return Err(GenesisError::Duplicate {
                    field: "balances.balances",
                    account: ss58(&who.0),
                });
            }
            if amount.0 < ed {
                return Err(GenesisError::BalanceTooLow {
                    account: ss58(&who.0),
                    amount: amount.0,
                    existential_deposit: ed,
                });
            }
            total = total
                .checked_add(amount.0)
                .ok_or(GenesisError::IssuanceOverflow)?;
        }
        // `build` endows the treasury with the existential deposit when it is not listed.
        if !self
            .balances
            .balances
            .iter()
            .any(|(who, _)| who.0 == crate::Treasury::account_id())
        {
            total
                .checked_add(ed)
                .ok_or(GenesisError::IssuanceOverflow)?;
        }
        let mut seen = BTreeSet::new();
        for (who, _, _, _) in &self.staking.stakers {
            if !seen.insert(who) {
                return Err(GenesisError::Duplicate {
                    field: "staking.stakers",
                    account: ss58(&who.0),
                });
            }
        }
        // Staking's validators, when there are any, replace the configured authorities.
        let staking_elects = self.staking.has_validators();
        if self.aura.authorities.is_empty() && !staking_elects {
            return Err(GenesisError::NoAuthorities("aura.authorities"));
        }
        let mut seen = BTreeSet::new();
        for who in &self.aura.authorities {
            if !seen.insert(who) {
                return Err(GenesisError::Duplicate {
                    field: "aura.authorities",
                    account: ss58(&who.0),
                });
            }
        }
        if self.grandpa.authorities.is_empty() && !staking_elects {
            return Err(GenesisError::NoAuthorities("grandpa.authorities"));
        }
        let mut seen = BTreeSet::new();
        for (who, weight) in &self.grandpa.authorities {
            if !seen.insert(who) {
                return Err(GenesisError::Duplicate {
                    field: "grandpa.authorities",
                    account: ss58(&who.0),
                });
            }
            if *weight == 0 {
                return Err(GenesisError::ZeroWeight(ss58(&who.0)));
            }
        }
        Ok(())
    }
}

fn ss58(account: &AccountId) -> String {
    account.to_ss58check_with_version(Ss58AddressFormat::custom(SS58_PREFIX))
}

/// Substrate's placeholder for the genesis block's hash in `System.BlockHash[0]` and
/// `System.ParentHash` (0x69 repeated): block 1 overwrites it with the real genesis hash, which
/// depends on this very state.
pub const GENESIS_HASH_PLACEHOLDER: H256 = H256([0x69; 32]);

/// The genesis storage of `config`: every key and value of the state at block 0.
pub fn build(config: &GenesisConfig) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, GenesisError> {
    config.check()?;
    let mut ext = empty_externalities();
    ext.execute_with(|| -> Result<(), GenesisError> {
        pallet_system::BlockHash::insert(0u32, GENESIS_HASH_PLACEHOLDER);
        pallet_system::ParentHash::put(GENESIS_HASH_PLACEHOLDER);
        let mut balances: Vec<(AccountId, Balance)> = config
            .balances
            .balances
            .iter()
            .map(|(who, amount)| (who.0.clone(), amount.0))
            .collect();
        // The treasury exists from genesis (as Substrate's treasury pallet ensures), so that
        // fee shares smaller than the existential deposit can be paid to it.
        let treasury = crate::Treasury::account_id();
        if !balances.iter().any(|(who, _)| *who == treasury) {
            balances.push((treasury, crate::EXISTENTIAL_DEPOSIT));
        }
        crate::Balances::build_genesis(&balances)
            .map_err(|e| GenesisError::Balances(format!("{e:?}")))?;
        crate::TransactionPayment::build_genesis(&())
            .map_err(|e| GenesisError::Pallet("TransactionPayment", format!("{e:?}")))?;
        if let Some(key) = &config.sudo.key {
            crate::Sudo::build_genesis(&Some(key.0.clone()))
                .map_err(|e| GenesisError::Pallet("Sudo", format!("{e:?}")))?;
        }
        aura::Authorities::put(
            config
                .aura
                .authorities
                .iter()
                .map(|a| a.0.clone())
                .collect::<Vec<_>>(),
        );
        grandpa::Authorities::put(
            config
                .grandpa
                .authorities
                .iter()
                .map(|(a, w)| (a.0.clone(), *w))
                .collect::<Vec<_>>(),
        );
        crate::Staking::build_genesis(&config.staking.to_pallet())
            .map_err(|e| GenesisError::Staking(format!("{e:?}")))?;
        for provider in &config.staking.providers {
            let call = provider.register_call()?;
            basalt_support::dispatch::Dispatchable::<Runtime>::dispatch_with_post_info(
                call,
                basalt_support::Origin::Signed(provider.account.0.clone()),
            )
            .map_err(|e| {
                GenesisError::Staking(format!(
                    "provider {}: {:?}",
                    ss58(&provider.account.0),
                    e.error
                ))
            })?;
        }
        crate::Jobs::build_genesis(&()).map_err(|e| GenesisError::Jobs(format!("{e:?}")))?;
        let governance = &config.governance;
        if let Some((id, _)) = governance
            .track_periods
            .iter()
            .find(|(_, p)| p.decision_period == 0)
        {
            return Err(GenesisError::Governance(format!(
                "governance.trackPeriods: track {id} has a zero decision period"
            )));
        }
        let referenda = pallet_referenda::GenesisConfig {
            track_periods: governance
                .track_periods
                .iter()
                .map(|(id, p)| (*id, p.to_pallet()))
                .collect(),
            undeciding_timeout: governance.undeciding_timeout,
        };
        crate::Referenda::build_genesis(&referenda).map_err(|_| {
            GenesisError::Governance("governance.trackPeriods: unknown track".into())
        })?;
        crate::ConvictionVoting::build_genesis(&governance.vote_locking_period)
            .map_err(|e| GenesisError::Governance(format!("{e:?}")))?;
        // Genesis has no events: registration's belong to no block.
        let _ = basalt_support::state::io::take_events();
        // Consensus at era 0 is staking's elected set.
        if !crate::Staking::authorities().is_empty() {
            aura::Authorities::put(crate::Staking::aura_authorities());
            grandpa::Authorities::put(crate::Staking::grandpa_authorities());
        }
        if aura::Authorities::get().is_empty() {
            return Err(GenesisError::NoAuthorities("aura.authorities"));
        }
        if grandpa::Authorities::get().is_empty() {
            return Err(GenesisError::NoAuthorities("grandpa.authorities"));
        }
        Ok(())
    })?;
    Ok(ext
        .into_changes()
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect())
}

/// The usual development accounts' names; their keys are `//Name`.
pub const DEV_ACCOUNTS: [&str; 6] = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"];

/// What each development account gets: 1,000,000 BSLT.
pub const DEV_BALANCE: Balance = 1_000_000 * UNIT;

/// The sr25519 account of a development name (`//Alice`, ...).
pub fn dev_account(name: &str) -> AccountId {
    AccountId::from(
        sr25519::Pair::from_string(&format!("//{name}"), None)
            .map(|p| p.public())
            .unwrap_or_default(),
    )
}

/// The ed25519 GRANDPA key of a development name, as an account.
pub fn dev_grandpa_key(name: &str) -> AccountId {
    AccountId::from(
        ed25519::Pair::from_string(&format!("//{name}"), None)
            .map(|p| p.public())
            .unwrap_or_default(),
    )
}

/// What each development validator bonds at genesis: 100,000 BSLT (a tenth of its balance).
pub const DEV_VALIDATOR_BOND: Balance = 100_000 * UNIT;

/// The development accounts registered as CPU compute providers at genesis, so that a
/// one-node chain runs jobs of up to three replicas.
pub const DEV_PROVIDERS: [&str; 3] = ["Alice", "Bob", "Charlie"];

/// What each development provider keeps bonded at least: 10,000 BSLT, enough for jobs priced
/// up to 100 BSLT per replica at the runtime's cheat slash of 100 x price.
pub const DEV_PROVIDER_STAKE: Balance = 10_000 * UNIT;

fn dev_config(authorities: &[&str], minimum_validator_count: u32) -> GenesisConfig {
    // Staking orders its authorities by stash; the configured sets say the same.
    let mut authorities = authorities.to_vec();
    authorities.sort_by_key(|n| dev_account(n));
    let authorities = &authorities[..];
    GenesisConfig {
        system: SystemConfig {},
        balances: BalancesConfig {
            balances: DEV_ACCOUNTS
                .iter()
                .map(|n| (Ss58Account(dev_account(n)), Amount(DEV_BALANCE)))
                .collect(),
        },
        sudo: SudoConfig {
            key: Some(Ss58Account(dev_account("Alice"))),
        },
        aura: AuraConfig {
            authorities: authorities
                .iter()
                .map(|n| Ss58Account(dev_account(n)))
                .collect(),
        },
        grandpa: GrandpaConfig {
            authorities: authorities
                .iter()
                .map(|n| (Ss58Account(dev_grandpa_key(n)), 1))
                .collect(),
        },
        staking: StakingConfig {
            validator_count: u32::try_from(authorities.len()).unwrap_or(u32::MAX),
            minimum_validator_count,
            stakers: authorities
                .iter()
                .map(|n| {
                    (
                        Ss58Account(dev_account(n)),
                        Amount(DEV_VALIDATOR_BOND),
                        StakerRole::Validator,
                        Some(StakerKeys {
                            aura: Ss58Account(dev_account(n)),
                            grandpa: Ss58Account(dev_grandpa_key(n)),
                        }),
                    )
                })
                .collect(),
            providers: DEV_PROVIDERS
                .iter()
                .map(|n| GenesisProvider {
                    account: Ss58Account(dev_account(n)),
                    stake: Amount(DEV_PROVIDER_STAKE),
                    gpu_model: cpu_model(),
                    gpu_memory_gb: 0,
                    gpu_count: 0,
                    region: String::new(),
                })
                .collect(),
        },
        governance: dev_governance(),
    }
}

/// Governance on development chains: referenda decide within about a minute of blocks, so that
/// tests and demos see them pass, and a conviction lock period is 10 blocks.
///
/// Both tracks: prepare 2 blocks, decide for up to 20, confirm 3, enact at least 2 after
/// approval; a referendum times out if it has not begun deciding within 50 blocks.
pub fn dev_governance() -> GovernanceConfig {
    let periods = GenesisTrackPeriods {
        prepare_period: 2,
        decision_period: 20,
        confirm_period: 3,
        min_enactment_period: 2,
    };
    GovernanceConfig {
        track_periods: vec![
            (crate::tracks::ROOT_TRACK, periods),
            (crate::tracks::TREASURER_TRACK, periods),
        ],
        undeciding_timeout: Some(50),
        vote_locking_period: Some(10),
    }
}

/// The development chain: Alice is sudo and the only authority, a validator staker bonding
/// [`DEV_VALIDATOR_BOND`] with her dev keys (one seat); Alice, Bob, Charlie, Dave, Eve and
/// Ferdie have 1,000,000 BSLT each; Alice, Bob and Charlie are CPU compute providers
/// ([`DEV_PROVIDERS`]).
pub fn dev_genesis() -> GenesisConfig {
    dev_config(&["Alice"], 1)
}

/// The local testnet: as [`dev_genesis`] with Alice, Bob, Charlie and Dave as validator
/// stakers and authorities (four seats, at least two).
pub fn local_genesis() -> GenesisConfig {
    dev_config(&["Alice", "Bob", "Charlie", "Dave"], 2)
}
