//! Executors: what turns a job's input into its output, behind one trait.
//!
//! - [`CpuExecutor`] runs the built-in kernels (`basalt-kernels`, data-parallel with rayon on
//!   every core).
//! - [`CommandExecutor`] runs a provider's own command for a registered program: the input in
//!   a file, the output read back from another, in an empty working directory with a clean
//!   environment, its own process group, a wall-clock limit and an output size limit (the
//!   kernel's `RLIMIT_FSIZE` stops a writer at the limit; the worker also watches the file).
//!   A command that hangs, crashes or floods is killed with its whole process group and
//!   reported, and never holds the node up.
//!
//! - `gpu` (cargo feature `gpu`, [`gpu::GpuExecutor`]) runs `matmul-i8` on the first
//!   configured GPU that answers, through cudarc with the CUDA libraries loaded at run time;
//!   its outputs are bit-identical to the CPU's. Without the feature, or without a usable
//!   device, the CPU executor runs every kernel.
//!
//! [`executors`] builds the list the worker picks from, most specialised first.

#[cfg(feature = "gpu")]
pub mod gpu;

use super::config::{ProgramCommand, ProviderConfig};
use basalt_kernels::Kernel;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one job runs.
#[derive(Clone, Debug)]
pub enum Workload {
    /// A built-in kernel.
    Kernel(Kernel),
    /// A registered program, run with the provider's command for it.
    Command(ProgramCommand),
}

/// Why a run gave no output. Each is a reason to decline the job.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ExecError {
    /// No executor of this node runs this workload.
    #[error("no executor for this program")]
    Unsupported,
    /// The input is not what the program takes.
    #[error("bad input: {0}")]
    BadInput(String),
    /// The run took longer than its limit and was killed.
    #[error("timed out after {0:?}")]
    TimedOut(Duration),
    /// The program failed (non-zero exit, killed by a signal, or no output written).
    #[error("the program failed: {0}")]
    Crashed(String),
    /// The output exceeded the limit and the run was stopped.
    #[error("the output exceeded {0} bytes")]
    OutputTooLarge(u64),
    /// The executor could not set the run up (temporary files, spawning).
    #[error("executor I/O error: {0}")]
    Io(String),
    /// At this machine's measured speed the run would end after the commit deadline: declining
    /// now costs less than missing the commit.
    #[error("it would take about {needed_s:.1} s and the commit deadline is {left_s:.1} s away")]
    TooSlow {
        /// The estimated run time, in seconds.
        needed_s: f64,
        /// The time left before the commit window closes, in seconds.
        left_s: f64,
    },
}

/// Runs workloads of some kinds.
pub trait Executor: Send + Sync {
    /// Its name, in logs and the `executor` label of metrics.
    fn name(&self) -> &'static str;
    /// Whether it runs `workload`.
    fn can_run(&self, workload: &Workload) -> bool;
    /// Runs `workload` on `input`; the output is at most `max_output` bytes.
    fn execute(
        &self,
        workload: &Workload,
        input: &[u8],
        max_output: u64,
    ) -> Result<Vec<u8>, ExecError>;
}

/// The executors of a provider with `config`, in the order the worker tries them: the GPU
/// (when built with the `gpu` feature and a configured device answers), then the CPU, then
/// the provider's commands.
pub fn executors(config: &ProviderConfig) -> Vec<Box<dyn Executor>> {
    let mut list: Vec<Box<dyn Executor>> = Vec::new();
    #[cfg(feature = "gpu")]
    for &ordinal in &config.gpus {
        match gpu::GpuExecutor::probe(ordinal) {
            Ok(gpu) => {
                tracing::info!(target: "basalt::provider", "GPU executor on CUDA device {}", gpu.ordinal());
                list.push(Box::new(gpu));
                break;
            }
            Err(why) => {
                tracing::warn!(target: "basalt::provider", "no GPU executor on device {ordinal}: {why}; matmul-i8 runs on the CPU")
            }
        }
    }
    #[cfg(not(feature = "gpu"))]
    if !config.gpus.is_empty() {
        tracing::warn!(target: "basalt::provider", "`gpus` is set but this binary was built without the `gpu` feature: kernels run on the CPU");
    }
    list.push(Box::new(CpuExecutor));
    list.push(Box::new(CommandExecutor {
        gpus: config.gpus.clone(),
    }));
    list
}

/// The built-in kernels on the CPU.
pub struct CpuExecutor;

impl Executor for CpuExecutor {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn can_run(&self, workload: &Workload) -> bool {
        matches!(workload, Workload::Kernel(_))
    }

    fn execute(
        &self,
        workload: &Workload,
        input: &[u8],
        max_output: u64,
    ) -> Result<Vec<u8>, ExecError> {
        let Workload::Kernel(kernel) = workload else {
            return Err(ExecError::Unsupported);
        };
        let output = basalt_kernels::execute(*kernel, input)
            .map_err(|e| ExecError::BadInput(format!("{e:?}")))?;
        if output.len() as u64 > max_output {
            return Err(ExecError::OutputTooLarge(max_output));
        }
        Ok(output)
    }
}

/// A provider's command for a registered program.
pub struct CommandExecutor {
    /// The GPUs a command may see (`CUDA_VISIBLE_DEVICES`; none when empty).
    pub gpus: Vec<u32>,
}

/// How often a running command is checked on.
const POLL: Duration = Duration::from_millis(10);
/// The most of a failed command's standard error quoted in its report.
const STDERR_TAIL: usize = 512;

impl Executor for CommandExecutor {
    fn name(&self) -> &'static str {
        "command"
    }

    fn can_run(&self, workload: &Workload) -> bool {
        matches!(workload, Workload::Command(_))
    }

    fn execute(
        &self,
        workload: &Workload,
        input: &[u8],
        max_output: u64,
    ) -> Result<Vec<u8>, ExecError> {
        let Workload::Command(spec) = workload else {
            return Err(ExecError::Unsupported);
        };
        run_command(spec, input, max_output, &self.gpus)
    }
}

fn io(e: std::io::Error) -> ExecError {
    ExecError::Io(e.to_string())
}

/// Kills the whole process group `pgid` (the command and anything it started).
fn kill_group(pgid: u32) {
    if let Ok(pgid) = i32::try_from(pgid) {
        // SAFETY: kill(2) with a negative pid signals a process group; no memory is touched.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn run_command(
    spec: &ProgramCommand,
    input: &[u8],
    max_output: u64,
    gpus: &[u32],
) -> Result<Vec<u8>, ExecError> {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    let dir = tempfile::Builder::new()
        .prefix("basalt-job")
        .tempdir()
        .map_err(io)?;
    let input_path = dir.path().join("input");
    let output_path = dir.path().join("output");
    let stderr_path = dir.path().join("stderr");
    std::fs::write(&input_path, input).map_err(io)?;
    let stderr = std::fs::File::create(&stderr_path).map_err(io)?;
    let limit = max_output.saturating_add(1);
    let mut command = Command::new(&spec.command[0]);
    command
        .args(&spec.command[1..])
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", dir.path())
        .env("BASALT_INPUT", &input_path)
        .env("BASALT_OUTPUT", &output_path)
        .env(
            "CUDA_VISIBLE_DEVICES",
            gpus.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(","),
        )
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .process_group(0);
    // SAFETY: between fork and exec the closure only calls setrlimit(2), which is
    // async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(move || {
            let rlimit = libc::rlimit {
                rlim_cur: limit as libc::rlim_t,
                rlim_max: limit as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command
        .spawn()
        .map_err(|e| ExecError::Io(format!("cannot start {}: {e}", spec.command[0])))?;
    let pgid = child.id();
    let timeout = Duration::from_secs(spec.timeout_secs);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(io)? {
            break status;
        }
        if file_len(&output_path) > max_output || file_len(&stderr_path) > max_output {
            kill_group(pgid);
            let _ = child.wait();
            return Err(ExecError::OutputTooLarge(max_output));
        }
        if started.elapsed() >= timeout {
            kill_group(pgid);
            let _ = child.wait();
            return Err(ExecError::TimedOut(timeout));
        }
        std::thread::sleep(POLL);
    };
    // Whatever the command left running in its group goes with it.
    kill_group(pgid);
    if status.signal() == Some(libc::SIGXFSZ) || file_len(&output_path) > max_output {
        return Err(ExecError::OutputTooLarge(max_output));
    }
    if !status.success() {
        let mut tail = Vec::new();
        if let Ok(mut f) = std::fs::File::open(&stderr_path) {
            let _ = f.read_to_end(&mut tail);
        }
        let tail = &tail[tail.len().saturating_sub(STDERR_TAIL)..];
        return Err(ExecError::Crashed(format!(
            "{status}: {}",
            String::from_utf8_lossy(tail).trim()
        )));
    }
    match std::fs::read(&output_path) {
        Ok(output) => Ok(output),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ExecError::Crashed(
            "it exited without writing $BASALT_OUTPUT".into(),
        )),
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codec::Encode;

    fn command() -> CommandExecutor {
        CommandExecutor { gpus: Vec::new() }
    }

    fn sh(script: &str, timeout_secs: u64) -> Workload {
        Workload::Command(ProgramCommand {
            digest: String::new(),
            command: vec!["/bin/sh".into(), "-c".into(), script.into()],
            timeout_secs,
        })
    }

    #[test]
    fn the_cpu_executor_runs_the_kernels_as_the_spec_says() {
        let input = (b"basalt".to_vec(), 3u32).encode();
        let out = CpuExecutor
            .execute(&Workload::Kernel(Kernel::Blake2Chain), &input, 1 << 20)
            .unwrap();
        assert_eq!(
            out,
            basalt_kernels::execute(Kernel::Blake2Chain, &input).unwrap()
        );
        assert!(matches!(
            CpuExecutor.execute(&Workload::Kernel(Kernel::MatmulI8), b"\x01", 1 << 20),
            Err(ExecError::BadInput(_))
        ));
    }

    #[test]
    fn a_command_reads_its_input_and_writes_its_output_in_a_clean_environment() {
        let w = sh(
            "test -z \"$SECRET_OF_THE_NODE\" && test \"$PWD\" = \"$HOME\" && { cat \"$BASALT_INPUT\"; echo -n done; } > \"$BASALT_OUTPUT\"",
            10,
        );
        std::env::set_var("SECRET_OF_THE_NODE", "leak");
        let out = command().execute(&w, b"input:", 1 << 20).unwrap();
        assert_eq!(out, b"input:done");
    }

    #[test]
    fn a_hanging_command_and_its_children_are_killed_at_the_time_limit() {
        let started = Instant::now();
        let w = sh("sleep 30 & sleep 30", 1);
        assert_eq!(
            command().execute(&w, b"", 1 << 20),
            Err(ExecError::TimedOut(Duration::from_secs(1)))
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_crashing_command_is_reported_with_its_stderr() {
        let w = sh("echo boom >&2; exit 3", 10);
        match command().execute(&w, b"", 1 << 20) {
            Err(ExecError::Crashed(why)) => assert!(why.contains("boom"), "{why}"),
            other => panic!("{other:?}"),
        }
        let w = sh("true", 10);
        assert!(matches!(
            command().execute(&w, b"", 1 << 20),
            Err(ExecError::Crashed(_))
        ));
    }

    #[test]
    fn a_flooding_command_is_stopped_at_the_output_limit() {
        let w = sh("yes flood > \"$BASALT_OUTPUT\"", 30);
        let started = Instant::now();
        assert_eq!(
            command().execute(&w, b"", 1 << 16),
            Err(ExecError::OutputTooLarge(1 << 16))
        );
        assert!(started.elapsed() < Duration::from_secs(10));
        let w = sh("yes flood >&2", 30);
        assert_eq!(
            command().execute(&w, b"", 1 << 16),
            Err(ExecError::OutputTooLarge(1 << 16))
        );
    }
}
