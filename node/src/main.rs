//! `basalt`: the Basalt node binary.
//!
//! Parses the command line ([`cli`]), sets up logging, and either runs the node
//! ([`service::run`]) or one of the operator subcommands (build-spec, key, purge-chain,
//! export-blocks, import-blocks, benchmark). Errors are printed as one clear message and the
//! process exits with status 1; nothing here panics on bad input.

mod author;
mod benchmark;
mod chain_spec;
mod cli;
mod client;
mod db;
mod finality;
mod keystore;
mod networking;
mod pool;
mod provider;
mod rpc;
mod service;

use anyhow::{anyhow, bail, Context};
use basalt_support::generic::SignedBlock;
use clap::Parser;
use cli::{
    BuildSpecCmd, Cli, Command, ExportBlocksCmd, ImportBlocksCmd, KeyCmd, KeyGenerateCmd,
    KeyInsertCmd, KeyInspectCmd, OutputType, PurgeChainCmd, SharedParams,
};
use codec::{Decode, Encode};
use keystore::Scheme;
use sp_core::crypto::{Pair as _, Ss58AddressFormat, Ss58Codec};
use sp_core::{ecdsa, ed25519, sr25519};
use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log = match &cli.subcommand {
        None => cli.run.shared.log.clone(),
        Some(Command::BuildSpec(c)) => c.shared.log.clone(),
        Some(Command::PurgeChain(c)) => c.shared.log.clone(),
        Some(Command::ExportBlocks(c)) => c.shared.log.clone(),
        Some(Command::ImportBlocks(c)) => c.shared.log.clone(),
        Some(Command::Key(KeyCmd::Insert(c))) => c.shared.log.clone(),
        Some(Command::Benchmark(cli::BenchmarkCmd::Transfers(c))) => c.log.clone(),
        Some(Command::Benchmark(cli::BenchmarkCmd::Kernels(_))) => Vec::new(),
        Some(Command::Key(_)) => Vec::new(),
    };
    if let Err(error) = init_logging(&log) {
        eprintln!("Error: {error:#}");
        return ExitCode::FAILURE;
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("Error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr (stdout is for command output such as build-spec's JSON), filtered by
/// `info` plus the `-l` directives plus `RUST_LOG`. libp2p's gossipsub warns on every
/// de-duplicated re-send (GRANDPA re-sends its votes on purpose) and Kademlia on a bootstrap
/// without peers (a lone dev node): those two start at `error`.
fn init_logging(directives: &[String]) -> anyhow::Result<()> {
    let mut filter = String::from("info,libp2p_gossipsub=error,libp2p_kad=error");
    for d in directives {
        filter.push(',');
        filter.push_str(d);
    }
    if let Ok(env) = std::env::var("RUST_LOG") {
        if !env.is_empty() {
            filter.push(',');
            filter.push_str(&env);
        }
    }
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .map_err(|e| anyhow!("invalid log filter `{filter}`: {e}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init()
        .map_err(|e| anyhow!("cannot initialise logging: {e}"))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.subcommand {
        None => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .thread_name("basalt")
                .build()
                .context("cannot start the async runtime")?;
            runtime.block_on(service::run(cli.run))
        }
        Some(Command::BuildSpec(cmd)) => build_spec(cmd),
        Some(Command::Key(cmd)) => key(cmd),
        Some(Command::PurgeChain(cmd)) => purge_chain(cmd),
        Some(Command::ExportBlocks(cmd)) => export_blocks(cmd),
        Some(Command::ImportBlocks(cmd)) => import_blocks(cmd),
        Some(Command::Benchmark(cli::BenchmarkCmd::Transfers(cmd))) => benchmark::transfers(cmd),
        Some(Command::Benchmark(cli::BenchmarkCmd::Kernels(cmd))) => benchmark::kernels::run(cmd),
    }
}

/// The chain spec and base path of a subcommand.
fn spec_and_base(shared: &SharedParams) -> anyhow::Result<(chain_spec::ChainSpec, PathBuf)> {
    let spec = chain_spec::ChainSpec::load(&shared.chain_id())?;
    let base = shared
        .base_path
        .clone()
        .unwrap_or_else(service::default_base_path);
    Ok((spec, base))
}

fn build_spec(cmd: BuildSpecCmd) -> anyhow::Result<()> {
    let spec = chain_spec::ChainSpec::load(&cmd.shared.chain_id())?;
    let spec = if cmd.raw {
        spec.to_raw()
            .map_err(|e| anyhow!("cannot build the raw genesis: {e}"))?
    } else {
        spec
    };
    let json = spec.to_json_string()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{json}").context("cannot write the chain spec")?;
    Ok(())
}

fn purge_chain(cmd: PurgeChainCmd) -> anyhow::Result<()> {
    let (spec, base) = spec_and_base(&cmd.shared)?;
    let dir = service::db_dir(&base, &spec);
    if !dir.exists() {
        eprintln!("{:?} did not exist.", dir.display());
        return Ok(());
    }
    if !cmd.yes {
        eprint!("Are you sure to remove {:?}? [y/N]: ", dir.display());
        std::io::stderr().flush().ok();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            eprintln!("Aborted");
            return Ok(());
        }
    }
    std::fs::remove_dir_all(&dir).with_context(|| format!("cannot remove {}", dir.display()))?;
    eprintln!("{:?} removed.", dir.display());
    // GRANDPA's voter state belongs to the database it voted on: both go, or neither.
    let grandpa = service::grandpa_dir(&base, &spec);
    if grandpa.exists() {
        std::fs::remove_dir_all(&grandpa)
            .with_context(|| format!("cannot remove {}", grandpa.display()))?;
        eprintln!("{:?} removed.", grandpa.display());
    }
    Ok(())
}

fn export_blocks(cmd: ExportBlocksCmd) -> anyhow::Result<()> {
    let (spec, base) = spec_and_base(&cmd.shared)?;
    let client = service::open_client(&base, spec)?;
    let best = client.info().best_number;
    let to = cmd.to.unwrap_or(best).min(best);
    if cmd.from > to {
        bail!(
            "nothing to export: --from {} is after the last block #{to}",
            cmd.from
        );
    }
    let mut out: Box<dyn Write> = match &cmd.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let count = u64::from(to - cmd.from) + 1;
    if cmd.binary {
        out.write_all(&count.encode())?;
    }
    for number in cmd.from..=to {
        let hash = client
            .hash_at(number)
            .ok_or_else(|| anyhow!("block #{number} is missing from the canonical index"))?;
        let block = client.block(hash).ok_or_else(|| {
            anyhow!("block #{number} ({hash:?}) is missing or corrupt in the database")
        })?;
        if cmd.binary {
            out.write_all(&block.encode())?;
        } else {
            writeln!(out, "0x{}", hex::encode(block.encode()))?;
        }
    }
    out.flush()?;
    tracing::info!("Exported {count} blocks (#{} to #{to})", cmd.from);
    Ok(())
}

fn import_blocks(cmd: ImportBlocksCmd) -> anyhow::Result<()> {
    let (spec, base) = spec_and_base(&cmd.shared)?;
    let client = service::open_client(&base, spec)?;
    let mut input = Vec::new();
    match &cmd.input {
        Some(path) => {
            std::fs::File::open(path)
                .with_context(|| format!("cannot open {}", path.display()))?
                .read_to_end(&mut input)?;
        }
        None => {
            std::io::stdin().lock().read_to_end(&mut input)?;
        }
    }
    let blocks: Vec<SignedBlock> = if cmd.binary {
        let mut cursor = &input[..];
        let count = u64::decode(&mut cursor)
            .map_err(|_| anyhow!("the file does not start with a block count"))?;
        let mut blocks = Vec::new();
        for i in 0..count {
            let block = SignedBlock::decode(&mut cursor).map_err(|e| {
                anyhow!(
                    "block {} of {count} in the file does not decode: {e}",
                    i + 1
                )
            })?;
            blocks.push(block);
        }
        if !cursor.is_empty() {
            bail!("{} trailing bytes after the last block", cursor.len());
        }
        blocks
    } else {
        let text = String::from_utf8(input)
            .map_err(|_| anyhow!("the file is not text; use --binary for SCALE files"))?;
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, line)| {
                let line = line.trim();
                let bytes = hex::decode(line.strip_prefix("0x").unwrap_or(line))
                    .map_err(|_| anyhow!("line {}: not hex", i + 1))?;
                <SignedBlock as codec::DecodeAll>::decode_all(&mut &bytes[..])
                    .map_err(|e| anyhow!("line {}: not a SCALE-encoded block: {e}", i + 1))
            })
            .collect::<anyhow::Result<_>>()?
    };
    let started = std::time::Instant::now();
    let (mut imported, mut known) = (0u64, 0u64);
    let total = blocks.len();
    for (position, block) in blocks.into_iter().enumerate() {
        match client.import_block(block, client::BlockOrigin::File) {
            Ok(client::ImportResult::Imported { .. }) => imported += 1,
            Ok(client::ImportResult::AlreadyInChain) => known += 1,
            Err(error) => bail!(
                "import stopped at block {} of {total} in the file ({imported} imported before it): {error}",
                position + 1
            ),
        }
        if imported > 0 && imported % 1000 == 0 {
            tracing::info!("Imported {imported} blocks");
        }
    }
    let info = client.info();
    tracing::info!(
        "🎉 Imported {imported} blocks ({known} already known) in {:.2} s. Best: #{} ({:?})",
        started.elapsed().as_secs_f64(),
        info.best_number,
        info.best_hash
    );
    Ok(())
}

fn key(cmd: KeyCmd) -> anyhow::Result<()> {
    match cmd {
        KeyCmd::Generate(c) => key_generate(c),
        KeyCmd::Inspect(c) => key_inspect(c),
        KeyCmd::Insert(c) => key_insert(c),
        KeyCmd::GenerateNodeKey(c) => {
            let key = basalt_network::generate_node_key();
            match c.file {
                Some(path) => basalt_network::write_key_file(&path, &key)?,
                None => println!(
                    "{}",
                    basalt_network::node_key_to_hex(&key).unwrap_or_default()
                ),
            }
            eprintln!("{}", basalt_network::peer_id_of(&key));
            Ok(())
        }
        KeyCmd::InspectNodeKey(c) => {
            let key = basalt_network::read_node_key(&c.file)?;
            println!("{}", basalt_network::peer_id_of(&key));
            Ok(())
        }
    }
}

/// What `key generate` and `key inspect` print about one key.
struct KeyInfo {
    secret_phrase: Option<String>,
    secret_seed: Option<String>,
    public: Vec<u8>,
    public_ss58: String,
    account: [u8; 32],
}

fn network_name(prefix: u16) -> String {
    if prefix == 42 {
        "substrate".into()
    } else {
        Ss58AddressFormat::custom(prefix).to_string()
    }
}

fn print_key(header: &str, info: &KeyInfo, network: u16, output: OutputType) {
    let account_ss58 = keystore::ss58(&info.account, network);
    match output {
        OutputType::Json => {
            let json = serde_json::json!({
                "secretPhrase": info.secret_phrase,
                "networkId": network_name(network),
                "secretSeed": info.secret_seed.clone().unwrap_or_else(|| "n/a".into()),
                "publicKey": format!("0x{}", hex::encode(&info.public)),
                "ss58PublicKey": info.public_ss58,
                "accountId": format!("0x{}", hex::encode(info.account)),
                "ss58Address": account_ss58,
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&json).unwrap_or_default()
            );
        }
        OutputType::Text => {
            println!("{header}");
            println!("  Network ID:        {}", network_name(network));
            println!(
                "  Secret seed:       {}",
                info.secret_seed.clone().unwrap_or_else(|| "n/a".into())
            );
            println!("  Public key (hex):  0x{}", hex::encode(&info.public));
            println!("  Account ID:        0x{}", hex::encode(info.account));
            println!("  Public key (SS58): {}", info.public_ss58);
            println!("  SS58 Address:      {account_ss58}");
        }
    }
}

/// The key a secret URI gives under `scheme`.
fn key_info(
    suri: &str,
    password: Option<&str>,
    scheme: Scheme,
    network: u16,
) -> anyhow::Result<KeyInfo> {
    let format = Ss58AddressFormat::custom(network);
    let bad = |e| {
        anyhow!("`{suri}` is not a valid secret URI ({e:?}): expected a BIP-39 phrase, a 0x-prefixed 32-byte seed or a derivation path such as //Alice")
    };
    Ok(match scheme {
        Scheme::Sr25519 => {
            let (pair, seed) = sr25519::Pair::from_string_with_seed(suri, password).map_err(bad)?;
            let public = pair.public();
            KeyInfo {
                secret_phrase: None,
                secret_seed: seed.map(|s| format!("0x{}", hex::encode(s))),
                public: public.0.to_vec(),
                public_ss58: public.to_ss58check_with_version(format),
                account: public.0,
            }
        }
        Scheme::Ed25519 => {
            let (pair, seed) = ed25519::Pair::from_string_with_seed(suri, password).map_err(bad)?;
            let public = pair.public();
            KeyInfo {
                secret_phrase: None,
                secret_seed: seed.map(|s| format!("0x{}", hex::encode(s))),
                public: public.0.to_vec(),
                public_ss58: public.to_ss58check_with_version(format),
                account: public.0,
            }
        }
        Scheme::Ecdsa => {
            let (pair, seed) = ecdsa::Pair::from_string_with_seed(suri, password).map_err(bad)?;
            let public = pair.public();
            KeyInfo {
                secret_phrase: None,
                secret_seed: seed.map(|s| format!("0x{}", hex::encode(s))),
                public: public.0.to_vec(),
                public_ss58: public.to_ss58check_with_version(format),
                account: basalt_support::hashing::blake2_256(&public.0),
            }
        }
    })
}

fn key_generate(cmd: KeyGenerateCmd) -> anyhow::Result<()> {
    let entropy_len = cmd.words / 3 * 4;
    let mut entropy = vec![0u8; entropy_len];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut entropy);
    let mnemonic = bip39::Mnemonic::from_entropy(&entropy)
        .map_err(|e| anyhow!("cannot build a phrase: {e}"))?;
    let phrase = mnemonic.words().collect::<Vec<_>>().join(" ");
    let mut info = key_info(&phrase, cmd.password.as_deref(), cmd.scheme, cmd.network)?;
    info.secret_phrase = Some(phrase.clone());
    print_key(
        &format!("Secret phrase:       {phrase}"),
        &info,
        cmd.network,
        cmd.output_type,
    );
    Ok(())
}

fn key_inspect(cmd: KeyInspectCmd) -> anyhow::Result<()> {
    let format = Ss58AddressFormat::custom(cmd.network);
    if cmd.public {
        let uri = cmd.uri.trim();
        let public: Vec<u8> = if let Some(hex_str) = uri.strip_prefix("0x") {
            hex::decode(hex_str).map_err(|_| anyhow!("`{uri}` is not a hex public key"))?
        } else {
            match cmd.scheme {
                Scheme::Ecdsa => ecdsa::Public::from_ss58check(uri)
                    .map_err(|e| anyhow!("`{uri}` is not an SS58 ecdsa public key: {e:?}"))?
                    .0
                    .to_vec(),
                _ => <[u8; 32]>::from(
                    sp_core::crypto::AccountId32::from_ss58check(uri)
                        .map_err(|e| anyhow!("`{uri}` is not an SS58 address: {e:?}"))?,
                )
                .to_vec(),
            }
        };
        let (account, public_ss58) = match (cmd.scheme, public.len()) {
            (Scheme::Ecdsa, 33) => {
                let mut raw = [0u8; 33];
                raw.copy_from_slice(&public);
                (
                    basalt_support::hashing::blake2_256(&public),
                    ecdsa::Public::from_raw(raw).to_ss58check_with_version(format),
                )
            }
            (Scheme::Ecdsa, n) => bail!("an ecdsa public key is 33 bytes, got {n}"),
            (_, 32) => {
                let mut raw = [0u8; 32];
                raw.copy_from_slice(&public);
                (raw, keystore::ss58(&raw, cmd.network))
            }
            (_, n) => bail!("an sr25519/ed25519 public key is 32 bytes, got {n}"),
        };
        let info = KeyInfo {
            secret_phrase: None,
            secret_seed: None,
            public,
            public_ss58,
            account,
        };
        match cmd.output_type {
            OutputType::Json => print_key("", &info, cmd.network, cmd.output_type),
            OutputType::Text => {
                println!("Network ID/Version: {}", network_name(cmd.network));
                println!("  Public key (hex):   0x{}", hex::encode(&info.public));
                println!("  Account ID:         0x{}", hex::encode(info.account));
                println!("  Public key (SS58):  {}", info.public_ss58);
                println!(
                    "  SS58 Address:       {}",
                    keystore::ss58(&info.account, cmd.network)
                );
            }
        }
        return Ok(());
    }
    let info = key_info(&cmd.uri, cmd.password.as_deref(), cmd.scheme, cmd.network)?;
    let is_phrase = !cmd.uri.contains('/') && !cmd.uri.starts_with("0x");
    let header = if is_phrase {
        format!("Secret phrase `{}` is account:", cmd.uri)
    } else {
        format!("Secret Key URI `{}` is account:", cmd.uri)
    };
    print_key(&header, &info, cmd.network, cmd.output_type);
    Ok(())
}

fn key_insert(cmd: KeyInsertCmd) -> anyhow::Result<()> {
    let (spec, base) = spec_and_base(&cmd.shared)?;
    let key_type = keystore::parse_key_type(&cmd.key_type)?;
    let scheme = cmd
        .scheme
        .unwrap_or_else(|| keystore::default_scheme(key_type));
    let suri = match cmd.suri {
        Some(s) => s,
        None => {
            eprint!("Secret URI: ");
            std::io::stderr().flush().ok();
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim().to_string()
        }
    };
    let store = keystore::Keystore::open(service::keystore_dir(&base, &spec))?;
    let public = store.insert_suri(key_type, scheme, &suri)?;
    eprintln!(
        "Inserted {} key 0x{} into {}",
        cmd.key_type,
        hex::encode(public),
        store
            .dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default()
    );
    Ok(())
}
