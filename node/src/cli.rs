//! The `basalt` command line.
//!
//! It mirrors the flags and subcommands of a Substrate node (`--dev`, `--chain`, `--base-path`,
//! `--validator`, `--rpc-port`, `build-spec`, `key`, `purge-chain`, ...) so that an operator's
//! scripts, muscle memory and documentation carry over unchanged. This module only describes
//! and normalises the command line; [`crate::service`] and [`crate::main`] act on it.

use crate::keystore::Scheme;
use clap::builder::TypedValueParser as _;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// `basalt`: a Substrate-style proof-of-stake node that settles GPU compute.
#[derive(Debug, Parser)]
#[command(name = "basalt", version, about, long_about = None)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// A subcommand; without one the node runs.
    #[command(subcommand)]
    pub subcommand: Option<Command>,
    /// How to run the node.
    #[command(flatten)]
    pub run: RunCmd,
}

/// The subcommands an operator uses besides running the node.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the chain specification as JSON (human-readable genesis or, with --raw, storage).
    BuildSpec(BuildSpecCmd),
    /// Generate, inspect and insert keys, like Substrate's `subkey`.
    #[command(subcommand)]
    Key(KeyCmd),
    /// Delete the chain's database (keys and node identity are kept).
    PurgeChain(PurgeChainCmd),
    /// Write the blocks of the canonical chain to a file or stdout.
    ExportBlocks(ExportBlocksCmd),
    /// Re-execute and import blocks from a file written by export-blocks.
    ImportBlocks(ImportBlocksCmd),
    /// Measure block production throughput on a temporary dev chain.
    #[command(subcommand)]
    Benchmark(BenchmarkCmd),
}

/// The options every command shares: which chain, where its data lives, how to log.
#[derive(Debug, Clone, Args)]
pub struct SharedParams {
    /// The chain specification: `dev`, `local`, or the path of a JSON chain spec.
    #[arg(long, value_name = "CHAIN_SPEC")]
    pub chain: Option<String>,
    /// The development chain: same as `--chain dev`, plus (when running) `--tmp` unless a
    /// base path is given, `--alice`, `--validator`, `--rpc-cors all` and `--rpc-methods unsafe`.
    #[arg(long)]
    pub dev: bool,
    /// Where the node keeps its data (databases, keystore, node key), per chain.
    #[arg(long, short = 'd', value_name = "PATH")]
    pub base_path: Option<PathBuf>,
    /// Log filter directives, e.g. `-l info,basalt=debug` (tracing's env-filter syntax);
    /// may be repeated. `RUST_LOG` is honoured too.
    #[arg(
        long = "log",
        short = 'l',
        value_name = "LOG_PATTERN",
        value_delimiter = ','
    )]
    pub log: Vec<String>,
}

impl SharedParams {
    /// The chain to use: `--chain`, or `dev` under `--dev`, or `local` by default (as Substrate's
    /// template node, which has no live network yet).
    pub fn chain_id(&self) -> String {
        match (&self.chain, self.dev) {
            (Some(chain), _) => chain.clone(),
            (None, true) => "dev".into(),
            (None, false) => "local".into(),
        }
    }
}

/// Who may call which RPC methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RpcMethodsArg {
    /// Safe methods when the RPC port is public, all of them when it listens on localhost only.
    Auto,
    /// Only methods that cannot harm the node (no key insertion, no rotation).
    Safe,
    /// Every method, including author_insertKey and author_rotateKeys.
    Unsafe,
}

/// How much state history to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pruning {
    /// Keep every state (the only mode implemented).
    Archive,
    /// Keep the last N states (accepted for compatibility; the node keeps everything).
    Last(u32),
}

/// Parse `--pruning archive|archive-canonical|N`.
fn parse_pruning(s: &str) -> Result<Pruning, String> {
    match s {
        "archive" | "archive-canonical" => Ok(Pruning::Archive),
        n => n
            .parse::<u32>()
            .map(Pruning::Last)
            .map_err(|_| format!("expected `archive` or a number of blocks, got `{n}`")),
    }
}

/// Running the node.
#[derive(Debug, Clone, Args)]
pub struct RunCmd {
    /// Chain, base path and logging.
    #[command(flatten)]
    pub shared: SharedParams,
    /// Author blocks when this node holds the key of a block author.
    #[arg(long)]
    pub validator: bool,
    /// The node's human-readable name (reported by system_name and in logs).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Run on a temporary base path, deleted when the node stops.
    #[arg(long, conflicts_with = "base_path")]
    pub tmp: bool,
    /// The p2p TCP port, on all interfaces (default 30333; on a development chain a busy
    /// default port is replaced by a free one).
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Listen on these multiaddresses (e.g. `/ip4/127.0.0.1/tcp/30333`) instead of `--port`.
    #[arg(long, value_name = "LISTEN_ADDR", num_args = 1..)]
    pub listen_addr: Vec<String>,
    /// Peers to connect to at start and whenever disconnected: multiaddresses ending with
    /// `/p2p/<peer id>` (added to the chain spec's boot nodes).
    #[arg(long, value_name = "ADDR", num_args = 1..)]
    pub bootnodes: Vec<String>,
    /// The node's libp2p secret key: 64 hex characters (an ed25519 seed). Without it the key is
    /// read from (or generated into) `<chain>/network/secret_ed25519`.
    #[arg(long, value_name = "KEY", conflicts_with = "node_key_file")]
    pub node_key: Option<String>,
    /// A file holding the node's libp2p secret key (32 raw bytes or 64 hex characters);
    /// generated there if missing.
    #[arg(long, value_name = "FILE")]
    pub node_key_file: Option<PathBuf>,
    /// Do not look for peers on the local network with mDNS. Development chains never use
    /// mDNS (every `--dev` node has the same genesis and would join the others).
    #[arg(long)]
    pub no_mdns: bool,
    /// The most connections peers may open to this node.
    #[arg(long, value_name = "COUNT", default_value_t = 32)]
    pub in_peers: u32,
    /// The most connections this node opens to peers.
    #[arg(long, value_name = "COUNT", default_value_t = 8)]
    pub out_peers: u32,
    /// The JSON-RPC port (HTTP and WebSocket on the same port).
    #[arg(long, value_name = "PORT", default_value_t = 9944)]
    pub rpc_port: u16,
    /// Listen for RPC on all interfaces instead of localhost only.
    #[arg(long)]
    pub rpc_external: bool,
    /// Listen for RPC on all interfaces even with unsafe methods enabled (Substrate's flag for
    /// operators who know the port is firewalled).
    #[arg(long)]
    pub unsafe_rpc_external: bool,
    /// Origins allowed to call the RPC from a browser: `all`, or a comma-separated list.
    #[arg(long, value_name = "ORIGINS")]
    pub rpc_cors: Option<String>,
    /// Which RPC methods to serve.
    #[arg(long, value_enum, value_name = "METHOD SET", default_value_t = RpcMethodsArg::Auto)]
    pub rpc_methods: RpcMethodsArg,
    /// The most simultaneous RPC connections.
    #[arg(long, value_name = "COUNT", default_value_t = 100)]
    pub rpc_max_connections: u32,
    /// The largest RPC request, in megabytes.
    #[arg(long, value_name = "MB", default_value_t = 15)]
    pub rpc_max_request_size: u32,
    /// The largest RPC response, in megabytes.
    #[arg(long, value_name = "MB", default_value_t = 15)]
    pub rpc_max_response_size: u32,
    /// The most subscriptions one RPC connection may hold.
    #[arg(long, value_name = "COUNT", default_value_t = 1024)]
    pub rpc_max_subscriptions_per_connection: u32,
    /// The Prometheus metrics port (served at /metrics).
    #[arg(long, value_name = "PORT", default_value_t = 9615)]
    pub prometheus_port: u16,
    /// Serve Prometheus metrics on all interfaces instead of localhost only.
    #[arg(long)]
    pub prometheus_external: bool,
    /// Do not serve Prometheus metrics.
    #[arg(long)]
    pub no_prometheus: bool,
    /// State pruning: `archive` (keep every state) or a number of blocks. Only archive is
    /// implemented; a number is accepted with a warning and the node keeps every state.
    #[arg(long, value_name = "PRUNING_MODE", value_parser = parse_pruning, default_value = "archive")]
    pub pruning: Pruning,
    /// Slot length in milliseconds: one block may be authored per slot.
    #[arg(long, value_name = "MS", default_value_t = 2000,
          value_parser = clap::value_parser!(u64).range(100..=3_600_000))]
    pub slot_duration_ms: u64,
    /// Testing only: author a second, conflicting block in each of this validator's slots (an
    /// Aura equivocation), to test detection and slashing. Never use it on a real network.
    #[arg(long, hide = true)]
    pub test_equivocate: bool,
    /// Run the provider worker: execute the jobs assigned to the provider keys (`prov`) in the
    /// keystore, commit and reveal their results, and serve their outputs. On by default under
    /// --dev, for Alice, Bob and Charlie.
    #[arg(long)]
    pub provider: bool,
    /// Keep the provider worker off, even under --dev (for tests that play providers by hand).
    #[arg(long, conflicts_with = "provider")]
    pub no_provider: bool,
    /// The provider worker's configuration (TOML): commands for registered programs, GPUs,
    /// concurrency and disk limits.
    #[arg(long, value_name = "PATH")]
    pub provider_config: Option<PathBuf>,
    /// Testing only: the provider worker reveals a wrong result hash for this fraction of its
    /// jobs (0 to 1), so that detection and slashing can be tested. Never use it on a real
    /// network.
    #[arg(long, hide = true, value_name = "F", default_value_t = 0.0, value_parser = parse_fraction)]
    pub test_cheat_rate: f64,
    /// The largest number of transactions the pool holds.
    #[arg(long = "pool-limit", value_name = "COUNT", default_value_t = 8192)]
    pub pool_limit: usize,
    /// Use the development key of Alice (`//Alice`) as this node's authority key and name.
    #[arg(long, conflicts_with_all = ["bob", "charlie", "dave"])]
    pub alice: bool,
    /// Use the development key of Bob (`//Bob`).
    #[arg(long, conflicts_with_all = ["charlie", "dave"])]
    pub bob: bool,
    /// Use the development key of Charlie (`//Charlie`).
    #[arg(long, conflicts_with = "dave")]
    pub charlie: bool,
    /// Use the development key of Dave (`//Dave`).
    #[arg(long)]
    pub dave: bool,
}

impl RunCmd {
    /// The development key seed chosen by --alice/--bob/--charlie/--dave (Alice under --dev).
    pub fn dev_key(&self) -> Option<&'static str> {
        if self.alice {
            Some("Alice")
        } else if self.bob {
            Some("Bob")
        } else if self.charlie {
            Some("Charlie")
        } else if self.dave {
            Some("Dave")
        } else if self.shared.dev {
            Some("Alice")
        } else {
            None
        }
    }

    /// Whether this node authors blocks: --validator, a dev key, or --dev.
    pub fn is_validator(&self) -> bool {
        self.validator || self.dev_key().is_some()
    }

    /// Whether the provider worker runs: --provider, or --dev without --no-provider.
    pub fn is_provider(&self) -> bool {
        self.provider || (self.shared.dev && !self.no_provider)
    }

    /// The development accounts whose provider keys the node holds: Alice, Bob and Charlie
    /// under --dev (the genesis providers), else the --alice/--bob/... key with --provider.
    pub fn dev_provider_keys(&self) -> Vec<&'static str> {
        if !self.is_provider() {
            Vec::new()
        } else if self.shared.dev && self.dev_key() == Some("Alice") && !self.alice {
            vec!["Alice", "Bob", "Charlie"]
        } else {
            self.dev_key().into_iter().collect()
        }
    }

    /// Whether the node runs on a temporary directory: --tmp, or --dev without --base-path.
    pub fn is_tmp(&self) -> bool {
        self.tmp || (self.shared.dev && self.shared.base_path.is_none())
    }

    /// The RPC method set: as given, but --dev turns `auto` into `unsafe`.
    pub fn rpc_methods(&self) -> RpcMethodsArg {
        if self.shared.dev && self.rpc_methods == RpcMethodsArg::Auto {
            RpcMethodsArg::Unsafe
        } else {
            self.rpc_methods
        }
    }

    /// The allowed CORS origins: `None` means any origin. Without --rpc-cors a production node
    /// allows only local and polkadot.js origins (as Substrate); --dev allows all.
    pub fn rpc_cors(&self) -> Option<Vec<String>> {
        match self.rpc_cors.as_deref() {
            Some("all") => None,
            Some(list) => Some(
                list.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            ),
            None if self.shared.dev => None,
            None => Some(
                [
                    "http://localhost:*",
                    "http://127.0.0.1:*",
                    "https://localhost:*",
                    "https://127.0.0.1:*",
                    "https://polkadot.js.org",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            ),
        }
    }

    /// Whether the RPC server listens on every interface.
    pub fn rpc_is_external(&self) -> bool {
        self.rpc_external || self.unsafe_rpc_external
    }
}

/// `basalt build-spec`.
#[derive(Debug, Clone, Args)]
pub struct BuildSpecCmd {
    /// The chain (shared options).
    #[command(flatten)]
    pub shared: SharedParams,
    /// Print the genesis as raw storage (`{"raw":{"top":{..}}}`) instead of the runtime
    /// genesis configuration.
    #[arg(long)]
    pub raw: bool,
    /// Leave out the dev chain's boot nodes (accepted for compatibility; there are none).
    #[arg(long)]
    pub disable_default_bootnode: bool,
}

/// How key commands print their result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputType {
    /// Aligned text as `subkey` prints it.
    Text,
    /// A JSON object.
    Json,
}

/// `basalt key ...`.
#[derive(Debug, Clone, Subcommand)]
pub enum KeyCmd {
    /// Generate a random key and print its secret phrase, seed, public key and address.
    Generate(KeyGenerateCmd),
    /// Print the public key and address of a secret URI, or inspect an SS58 address.
    Inspect(KeyInspectCmd),
    /// Insert a key into the node's keystore.
    Insert(KeyInsertCmd),
    /// Generate a random node (network identity) key and print its peer id.
    GenerateNodeKey(GenerateNodeKeyCmd),
    /// Print the peer id of the node key stored in a file.
    InspectNodeKey(InspectNodeKeyCmd),
}

/// `basalt key generate`.
#[derive(Debug, Clone, Args)]
pub struct KeyGenerateCmd {
    /// The signature scheme.
    #[arg(long, value_enum, default_value_t = Scheme::Sr25519)]
    pub scheme: Scheme,
    /// The number of words of the phrase.
    #[arg(long, short = 'w', default_value_t = 12,
          value_parser = clap::builder::PossibleValuesParser::new(["12", "15", "18", "21", "24"])
              .map(|s| s.parse::<usize>().unwrap_or(12)))]
    pub words: usize,
    /// The SS58 network prefix (a number; default 42, Substrate's generic format).
    #[arg(long, short = 'n', default_value_t = basalt_support::SS58_PREFIX)]
    pub network: u16,
    /// Text or JSON output.
    #[arg(long, value_enum, default_value_t = OutputType::Text)]
    pub output_type: OutputType,
    /// A password for the phrase (the "25th word").
    #[arg(long)]
    pub password: Option<String>,
}

/// `basalt key inspect`.
#[derive(Debug, Clone, Args)]
pub struct KeyInspectCmd {
    /// A secret URI (`//Alice`, a phrase with a derivation path, a 0x seed) or, with
    /// --public, a public key in hex or SS58.
    pub uri: String,
    /// Treat the URI as a public key.
    #[arg(long)]
    pub public: bool,
    /// The signature scheme.
    #[arg(long, value_enum, default_value_t = Scheme::Sr25519)]
    pub scheme: Scheme,
    /// The SS58 network prefix of the printed address.
    #[arg(long, short = 'n', default_value_t = basalt_support::SS58_PREFIX)]
    pub network: u16,
    /// Text or JSON output.
    #[arg(long, value_enum, default_value_t = OutputType::Text)]
    pub output_type: OutputType,
    /// A password overriding the one in the URI.
    #[arg(long)]
    pub password: Option<String>,
}

/// `basalt key insert`.
#[derive(Debug, Clone, Args)]
pub struct KeyInsertCmd {
    /// The chain and base path whose keystore receives the key.
    #[command(flatten)]
    pub shared: SharedParams,
    /// The secret URI of the key; read from stdin when absent.
    #[arg(long)]
    pub suri: Option<String>,
    /// The key type, four ASCII characters: `aura` (block authoring), `gran` (finality), ...
    #[arg(long, value_name = "KEY_TYPE")]
    pub key_type: String,
    /// The signature scheme (default: sr25519 for aura, ed25519 for gran).
    #[arg(long, value_enum)]
    pub scheme: Option<Scheme>,
}

/// `basalt key generate-node-key`.
#[derive(Debug, Clone, Args)]
pub struct GenerateNodeKeyCmd {
    /// Write the secret key to this file (raw 32 bytes) instead of printing it as hex.
    #[arg(long)]
    pub file: Option<PathBuf>,
}

/// `basalt key inspect-node-key`.
#[derive(Debug, Clone, Args)]
pub struct InspectNodeKeyCmd {
    /// The file holding the node key (raw 32 bytes or 64 hex characters).
    #[arg(long)]
    pub file: PathBuf,
}

/// `basalt purge-chain`.
#[derive(Debug, Clone, Args)]
pub struct PurgeChainCmd {
    /// The chain and base path.
    #[command(flatten)]
    pub shared: SharedParams,
    /// Do not ask for confirmation.
    #[arg(short = 'y', long)]
    pub yes: bool,
}

/// `basalt export-blocks`.
#[derive(Debug, Clone, Args)]
pub struct ExportBlocksCmd {
    /// The chain and base path.
    #[command(flatten)]
    pub shared: SharedParams,
    /// The file to write; stdout when absent.
    #[arg(value_name = "OUTPUT")]
    pub output: Option<PathBuf>,
    /// The first block to export.
    #[arg(long, value_name = "BLOCK", default_value_t = 1)]
    pub from: u32,
    /// The last block to export (default: the best block).
    #[arg(long, value_name = "BLOCK")]
    pub to: Option<u32>,
    /// Write SCALE bytes instead of a JSON list of hex blocks.
    #[arg(long)]
    pub binary: bool,
}

/// `basalt import-blocks`.
#[derive(Debug, Clone, Args)]
pub struct ImportBlocksCmd {
    /// The chain and base path.
    #[command(flatten)]
    pub shared: SharedParams,
    /// The file to read (from export-blocks); stdin when absent.
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,
    /// The file holds SCALE bytes instead of hex lines.
    #[arg(long)]
    pub binary: bool,
}

/// `basalt benchmark ...`.
#[derive(Debug, Clone, Subcommand)]
pub enum BenchmarkCmd {
    /// Build and import blocks of signed balance transfers on a temporary dev chain and report
    /// transfers per second.
    Transfers(BenchmarkTransfersCmd),
    /// Run the built-in compute kernels through the provider's executors and report their
    /// speed (multiply-accumulates and hashes per second).
    Kernels(BenchmarkKernelsCmd),
}

/// `basalt benchmark kernels`.
#[derive(Debug, Clone, Args)]
pub struct BenchmarkKernelsCmd {
    /// `matmul-i8` sizes n (m = k = n), comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1024u32, 4096])]
    pub sizes: Vec<u32>,
    /// Runs of each measurement (the best is reported).
    #[arg(long, default_value_t = 3)]
    pub repeat: u32,
    /// `blake2-chain` rounds.
    #[arg(long, default_value_t = 1_000_000)]
    pub rounds: u32,
}

/// `basalt benchmark transfers`.
#[derive(Debug, Clone, Args)]
pub struct BenchmarkTransfersCmd {
    /// Transfers per block.
    #[arg(long, default_value_t = 5000)]
    pub count: usize,
    /// Blocks to build.
    #[arg(long, default_value_t = 3)]
    pub blocks: u32,
    /// Log filter, as for the node.
    #[arg(
        long = "log",
        short = 'l',
        value_name = "LOG_PATTERN",
        value_delimiter = ','
    )]
    pub log: Vec<String>,
}

/// A number between 0 and 1.
fn parse_fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!("`{s}` is not a number between 0 and 1")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn dev_implies_alice_validator_tmp_unsafe() {
        let cli = Cli::parse_from(["basalt", "--dev"]);
        assert!(cli.subcommand.is_none());
        assert_eq!(cli.run.shared.chain_id(), "dev");
        assert_eq!(cli.run.dev_key(), Some("Alice"));
        assert!(cli.run.is_validator());
        assert!(cli.run.is_tmp());
        assert_eq!(cli.run.rpc_methods(), RpcMethodsArg::Unsafe);
        assert_eq!(cli.run.rpc_cors(), None);
        assert!(cli.run.is_provider());
        assert_eq!(cli.run.dev_provider_keys(), ["Alice", "Bob", "Charlie"]);
        let cli = Cli::parse_from(["basalt", "--dev", "--no-provider"]);
        assert!(!cli.run.is_provider());
        let cli = Cli::parse_from(["basalt", "--chain", "local", "--bob", "--provider"]);
        assert_eq!(cli.run.dev_provider_keys(), ["Bob"]);
        let cli = Cli::parse_from(["basalt", "--chain", "local", "--bob"]);
        assert!(!cli.run.is_provider());
        assert_eq!(cli.run.rpc_port, 9944);

        let cli = Cli::parse_from([
            "basalt",
            "--dev",
            "--base-path",
            "/x",
            "--rpc-methods",
            "safe",
        ]);
        assert!(!cli.run.is_tmp());
        assert_eq!(cli.run.rpc_methods(), RpcMethodsArg::Safe);
    }

    #[test]
    fn pruning_and_subcommands() {
        let cli = Cli::parse_from(["basalt", "--pruning", "256", "-l", "info,basalt=debug"]);
        assert_eq!(cli.run.pruning, Pruning::Last(256));
        assert_eq!(cli.run.shared.log, vec!["info", "basalt=debug"]);
        assert!(Cli::try_parse_from(["basalt", "--pruning", "some"]).is_err());
        let cli = Cli::parse_from(["basalt", "build-spec", "--chain", "local", "--raw"]);
        assert!(matches!(cli.subcommand, Some(Command::BuildSpec(ref b)) if b.raw));
        let cli = Cli::parse_from(["basalt", "key", "generate", "--scheme", "ed25519"]);
        assert!(matches!(
            cli.subcommand,
            Some(Command::Key(KeyCmd::Generate(ref g))) if g.scheme == Scheme::Ed25519 && g.words == 12
        ));
        assert!(Cli::try_parse_from(["basalt", "--tmp", "--base-path", "/x"]).is_err());
        assert!(Cli::try_parse_from(["basalt", "--alice", "--bob"]).is_err());
        assert!(Cli::try_parse_from(["basalt", "--test-cheat-rate", "1.5"]).is_err());
        assert!(Cli::try_parse_from(["basalt", "--provider", "--no-provider"]).is_err());
    }
}
