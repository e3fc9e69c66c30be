//! Genesis from JSON: what the dev chain holds, and every malformed input refused clearly.

mod common;

use basalt_runtime::consensus::{aura, grandpa};
use basalt_runtime::genesis::{self, GenesisConfig, GenesisError, DEV_BALANCE};
use basalt_runtime::{Balances, EXISTENTIAL_DEPOSIT};
use common::*;

const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
const BOB: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
const ALICE_ED25519: &str = "5FA9nQDVg267DEd8m1ZypXLBnvN7SFxYwV7ndqSYGiN9TTpu";

fn json(balances: &str) -> String {
    format!(
        r#"{{"system":{{}},"balances":{{"balances":{balances}}},"sudo":{{"key":"{ALICE}"}},
            "aura":{{"authorities":["{ALICE}"]}},"grandpa":{{"authorities":[["{ALICE_ED25519}",1]]}}}}"#
    )
}

#[test]
fn dev_genesis_funds_the_dev_accounts() {
    let chain = Chain::dev();
    for name in genesis::DEV_ACCOUNTS {
        assert_eq!(
            free_balance(&chain, &genesis::dev_account(name)),
            DEV_BALANCE,
            "{name}"
        );
    }
    assert_eq!(
        free_balance(&chain, &basalt_runtime::Treasury::account_id()),
        EXISTENTIAL_DEPOSIT
    );
    chain.read(|| {
        assert_eq!(
            Balances::total_issuance(),
            // The treasury and the Jobs pallet's account exist from genesis.
            6 * DEV_BALANCE + 2 * EXISTENTIAL_DEPOSIT
        );
        assert_eq!(pallet_sudo::Key::get(), Some(genesis::dev_account("Alice")));
        assert_eq!(
            aura::Authorities::get(),
            vec![genesis::dev_account("Alice")]
        );
        assert_eq!(
            grandpa::Authorities::get(),
            vec![(genesis::dev_grandpa_key("Alice"), 1)]
        );
        assert_eq!(pallet_system::Number::get(), 0);
    });
    let local = genesis::local_genesis();
    assert_eq!(local.aura.authorities.len(), 4);
    assert!(genesis::build(&local).is_ok());
}

#[test]
fn json_roundtrips_and_matches_the_dev_config() {
    let dev = genesis::dev_genesis();
    let value = dev.to_json();
    assert_eq!(value["sudo"]["key"], ALICE);
    assert_eq!(value["aura"]["authorities"][0], ALICE);
    assert_eq!(value["grandpa"]["authorities"][0][0], ALICE_ED25519);
    assert_eq!(value["balances"]["balances"][1][0], BOB);
    assert_eq!(
        value["balances"]["balances"][0][1],
        1_000_000_000_000_000_000u64
    );
    let back: GenesisConfig = serde_json::from_value(value).expect("roundtrip");
    assert_eq!(back, dev);
    assert_eq!(genesis::build(&back), genesis::build(&dev));
}

#[test]
fn amounts_may_be_numbers_or_decimal_strings() {
    let config = GenesisConfig::from_json(&json(&format!(
        r#"[["{ALICE}", 1000000000000], ["{BOB}", "340282366920938463463374607431768211"]]"#
    )))
    .expect("parses");
    assert_eq!(
        config.balances.balances[1].1 .0,
        340282366920938463463374607431768211
    );
    assert!(genesis::build(&config).is_ok());
    // Serialised back, a large amount is a string again.
    assert!(config.to_json()["balances"]["balances"][1][1].is_string());
}

#[test]
fn malformed_configurations_are_refused() {
    let parse_err = |text: &str| match GenesisConfig::from_json(text) {
        Err(GenesisError::Json(message)) => message,
        other => panic!("expected a JSON error for {text}: {other:?}"),
    };
    // Bad SS58: checksum, prefix, not base58.
    let mut bad = ALICE.to_string();
    bad.replace_range(5..6, "x");
    assert!(parse_err(&json(&format!(r#"[["{bad}", 1000000000000]]"#))).contains("SS58"));
    assert!(parse_err(&json(r#"[["hello", 1]]"#)).contains("SS58"));
    let polkadot_alice = "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5";
    assert!(
        parse_err(&json(&format!(r#"[["{polkadot_alice}", 1000000000000]]"#))).contains("prefix")
    );
    // Bad amounts.
    assert!(parse_err(&json(&format!(r#"[["{ALICE}", -1]]"#))).contains("negative"));
    assert!(parse_err(&json(&format!(r#"[["{ALICE}", 1e30]]"#))).contains("decimal strings"));
    assert!(parse_err(&json(&format!(r#"[["{ALICE}", "12ab"]]"#))).contains("decimal"));
    assert!(parse_err(&json(&format!(
        r#"[["{ALICE}", "999999999999999999999999999999999999999999"]]"#
    )))
    .contains("overflows"));
    // Unknown fields and wrong shapes.
    assert!(parse_err(r#"{"balances":{"balances":[]},"vesting":{}}"#).contains("vesting"));
    assert!(parse_err(r#"{"staking":{"validators":1}}"#).contains("validators"));
    assert!(!parse_err(&format!(
        r#"{{"staking":{{"stakers":[["{ALICE}", 1, "boss", null]]}}}}"#
    ))
    .is_empty());
    assert!(!parse_err(r#"{"balances":{"balances":[["x"]]}}"#).is_empty());
    assert!(!parse_err("not json").is_empty());

    let build = |balances: &str| {
        genesis::build(&GenesisConfig::from_json(&json(balances)).expect("parses"))
    };
    assert!(matches!(
        build(&format!(r#"[["{ALICE}", 0]]"#)),
        Err(GenesisError::BalanceTooLow { amount: 0, .. })
    ));
    assert!(matches!(
        build(&format!(r#"[["{ALICE}", 5]]"#)),
        Err(GenesisError::BalanceTooLow { .. })
    ));
    assert!(matches!(
        build(&format!(
            r#"[["{ALICE}", 1000000000000], ["{ALICE}", 1000000000000]]"#
        )),
        Err(GenesisError::Duplicate {
            field: "balances.balances",
            ..
        })
    ));
    let max = u128::MAX.to_string();
    assert_eq!(
        build(&format!(r#"[["{ALICE}", "{max}"], ["{BOB}", "{max}"]]"#)),
        Err(GenesisError::IssuanceOverflow)
    );

    // Staking's validators replace the configured authorities...
    let mut staking_only = genesis::dev_genesis();
    staking_only.aura.authorities.clear();
    staking_only.grandpa.authorities.clear();
    assert!(genesis::build(&staking_only).is_ok());
    // ... but without them, some authorities must be configured.
    let mut no_authorities = genesis::dev_genesis();
    no_authorities.aura.authorities.clear();
    no_authorities.staking = Default::default();
    assert_eq!(
        genesis::build(&no_authorities),
        Err(GenesisError::NoAuthorities("aura.authorities"))
    );
    let mut unfunded = genesis::dev_genesis();
    unfunded.staking.stakers[0].1 = genesis::Amount(genesis::DEV_BALANCE + 1);
    assert!(matches!(
        genesis::build(&unfunded),
        Err(GenesisError::Staking(_))
    ));
    let mut twice = genesis::local_genesis();
    let first = twice.staking.stakers[0].clone();
    twice.staking.stakers.push(first);
    assert!(matches!(
        genesis::build(&twice),
        Err(GenesisError::Duplicate {
            field: "staking.stakers",
            ..
        })
    ));
    let mut zero_weight = genesis::dev_genesis();
    zero_weight.grandpa.authorities[0].1 = 0;
    assert!(matches!(
        genesis::build(&zero_weight),
        Err(GenesisError::ZeroWeight(_))
    ));
    let mut twice = genesis::local_genesis();
    let first = twice.aura.authorities[0].clone();
    twice.aura.authorities.push(first);
    assert!(matches!(
        genesis::build(&twice),
        Err(GenesisError::Duplicate {
            field: "aura.authorities",
            ..
        })
    ));
    // Errors explain themselves.
    assert!(GenesisError::IssuanceOverflow
        .to_string()
        .contains("overflows"));
}

#[test]
fn dev_genesis_registers_cpu_providers_and_the_kernels() {
    let chain = Chain::dev();
    chain.read(|| {
        for name in genesis::DEV_PROVIDERS {
            let who = genesis::dev_account(name);
            let info = pallet_staking::Providers::get(&who).expect("a provider");
            assert_eq!(info.capabilities.count, 0, "{name} is CPU-only");
            assert!(
                pallet_staking::Pallet::<basalt_runtime::Runtime>::provider_stake(&who)
                    >= genesis::DEV_PROVIDER_STAKE
            );
        }
        assert!(!pallet_staking::Providers::contains_key(
            &genesis::dev_account("Dave")
        ));
        let name = |id| pallet_jobs::Programs::get(id).map(|p| p.name.into_inner());
        assert_eq!(name(0), Some(b"blake2-chain".to_vec()));
        assert_eq!(name(1), Some(b"matmul-i8".to_vec()));
        assert_eq!(pallet_jobs::NextProgramId::get(), 2);
    });
}
