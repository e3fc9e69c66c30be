//! The provider's configuration file (`--provider-config PATH`, TOML): which local command
//! runs each registered program, which GPUs to use, and how much the worker may take of the
//! machine. Every field has a default, so a provider of the built-in kernels needs no file.
//!
//! ```toml
//! max_concurrent_jobs = 2          # runs at once
//! max_output_bytes = 1073741824    # outputs kept on disk, oldest evicted first
//! max_output_size = 67108864       # the largest output one run may write
//! gpus = [0]                       # CUDA device ordinals to use (empty: CPU only)
//!
//! [[programs]]
//! digest = "0x…"                   # the digest the program was registered with
//! command = ["/opt/runner/bin/run", "--fast"]
//! timeout_secs = 60                # wall-clock limit of one run
//! ```
//!
//! A command gets the input in the file named by `$BASALT_INPUT` and writes its output to
//! `$BASALT_OUTPUT`; it runs in an empty working directory with no other environment than
//! those two, `PATH`, `HOME` (the working directory) and `CUDA_VISIBLE_DEVICES` (the `gpus`).

use basalt_support::H256;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One registered program this provider runs with a local command.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProgramCommand {
    /// The digest the program was registered with (`0x` and 64 hex digits).
    pub digest: String,
    /// The executable and its arguments.
    pub command: Vec<String>,
    /// The longest one run may take, in seconds.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

/// The worker's settings.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Most jobs executed at once.
    #[serde(default = "default_concurrency")]
    pub max_concurrent_jobs: usize,
    /// Most bytes of outputs kept; the oldest jobs' outputs are evicted first.
    #[serde(default = "default_output_bytes")]
    pub max_output_bytes: u64,
    /// The largest output one run may produce, in bytes.
    #[serde(default = "default_output_size")]
    pub max_output_size: u64,
    /// CUDA device ordinals the GPU executor may use.
    #[serde(default)]
    pub gpus: Vec<u32>,
    /// Local commands for registered programs, by digest.
    #[serde(default)]
    pub programs: Vec<ProgramCommand>,
}

fn default_timeout_secs() -> u64 {
    60
}
fn default_concurrency() -> usize {
    2
}
fn default_output_bytes() -> u64 {
    1 << 30
}
fn default_output_size() -> u64 {
    64 << 20
}

impl Default for ProviderConfig {
    fn default() -> Self {
        ProviderConfig {
            max_concurrent_jobs: default_concurrency(),
            max_output_bytes: default_output_bytes(),
            max_output_size: default_output_size(),
            gpus: Vec::new(),
            programs: Vec::new(),
        }
    }
}

/// Why the configuration file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// It could not be read.
    #[error("cannot read the provider config {path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// It is not valid TOML of this shape.
    #[error("invalid provider config {path}: {error}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What was wrong, with its line.
        error: String,
    },
    /// A value is out of range.
    #[error("invalid provider config {path}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
}

impl ProviderConfig {
    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Io {
            path: path.to_path_buf(),
            error,
        })?;
        Self::parse(&text).map_err(|e| match e {
            ConfigError::Parse { error, .. } => ConfigError::Parse {
                path: path.to_path_buf(),
                error,
            },
            ConfigError::Invalid { reason, .. } => ConfigError::Invalid {
                path: path.to_path_buf(),
                reason,
            },
            other => other,
        })
    }

    /// Parses and checks TOML text.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        let config: ProviderConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::new(),
            error: e.to_string(),
        })?;
        let invalid = |reason: String| ConfigError::Invalid {
            path: PathBuf::new(),
            reason,
        };
        if config.max_concurrent_jobs == 0 {
            return Err(invalid("max_concurrent_jobs must be at least 1".into()));
        }
        if config.max_output_size == 0 || config.max_output_size > config.max_output_bytes {
            return Err(invalid(
                "max_output_size must be at least 1 and at most max_output_bytes".into(),
            ));
        }
        for p in &config.programs {
            parse_digest(&p.digest)
                .ok_or_else(|| invalid(format!("`{}` is not 0x and 64 hex digits", p.digest)))?;
            if p.command.is_empty() || p.command[0].is_empty() {
                return Err(invalid(format!(
                    "program {} has an empty command",
                    p.digest
                )));
            }
            if p.timeout_secs == 0 {
                return Err(invalid(format!("program {} has a zero timeout", p.digest)));
            }
        }
        Ok(config)
    }

    /// The command configured for a registered program's digest.
    pub fn command_for(&self, digest: &H256) -> Option<&ProgramCommand> {
        self.programs
            .iter()
            .find(|p| parse_digest(&p.digest).as_ref() == Some(digest))
    }
}

/// `0x` and 64 hex digits.
fn parse_digest(s: &str) -> Option<H256> {
    let hex = s.strip_prefix("0x")?;
    let bytes = hex::decode(hex).ok()?;
    <[u8; 32]>::try_from(bytes.as_slice()).ok().map(H256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_gives_the_defaults() {
        assert_eq!(
            ProviderConfig::parse("").unwrap(),
            ProviderConfig::default()
        );
    }

    #[test]
    fn programs_map_digests_to_commands() {
        let digest = format!("0x{}", "ab".repeat(32));
        let text = format!(
            "max_concurrent_jobs = 4\ngpus = [0, 1]\n[[programs]]\ndigest = \"{digest}\"\ncommand = [\"/bin/sh\", \"-c\", \"cat $BASALT_INPUT > $BASALT_OUTPUT\"]\ntimeout_secs = 5\n"
        );
        let config = ProviderConfig::parse(&text).unwrap();
        assert_eq!(config.max_concurrent_jobs, 4);
        assert_eq!(config.gpus, vec![0, 1]);
        let found = config.command_for(&H256::repeat_byte(0xab)).unwrap();
        assert_eq!(found.timeout_secs, 5);
        assert!(config.command_for(&H256::zero()).is_none());
    }

    #[test]
    fn bad_files_are_refused_with_a_clear_error() {
        for (text, needle) in [
            ("max_concurrent_jobs = 0", "max_concurrent_jobs"),
            ("max_concurent_jobs = 2", "unknown field"),
            ("max_concurrent_jobs = \"two\"", "invalid type"),
            (
                "[[programs]]\ndigest = \"0x12\"\ncommand = [\"x\"]",
                "64 hex digits",
            ),
            (
                &format!(
                    "[[programs]]\ndigest = \"0x{}\"\ncommand = []",
                    "00".repeat(32)
                ),
                "empty command",
            ),
            (
                "max_output_size = 10\nmax_output_bytes = 5",
                "max_output_size",
            ),
            ("this is not toml", "invalid provider config"),
        ] {
            let error = ProviderConfig::parse(text).unwrap_err().to_string();
            assert!(error.contains(needle), "{text}: {error}");
        }
    }
}
