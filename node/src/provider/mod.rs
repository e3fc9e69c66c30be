//! The provider's worker: runs the jobs the chain assigns to this node's provider keys, keeps
//! their outputs, and commits and reveals their result hashes with transactions it signs.
//!
//! After every imported block it asks the runtime (`JobsApi_pending_work`, called natively
//! at the best block) what each provider key in the keystore (key type `prov`, an sr25519
//! account key: the provider's stash) must do now, and drives each assignment:
//!
//! ```text
//! Commit due, no journal entry ─► fetch the input (Jobs.JobInputs) ─► execute (bounded
//!   concurrency) ─► store the output ─► journal {result hash, salt} ─► commit_result
//!   └─ unknown program / executor failure ─► journal Failed ─► decline_job
//! Commit due, journal entry     ─► (re)send the journaled commit or decline
//! Reveal due                    ─► reveal_result with the journaled hash and salt
//! ```
//!
//! Guarantees:
//! - Nothing is committed twice: the result hash and salt are journaled (fsynced) before the
//!   commit is sent, and a restarted node re-sends that same commitment; the chain refuses a
//!   second commit anyway.
//! - A transaction is re-sent only once it has left the pool (dropped, or included in a
//!   block that lost a fork) and the chain still asks for it after `RESEND_AFTER` blocks.
//! - Nonces come from the pool: the account's nonce at the best block, past every nonce a
//!   pooled transaction of the account (ready or future) uses, so the worker never collides
//!   with the operator's own transactions.
//! - Executions run on blocking threads, at most `max_concurrent_jobs` at once; a command that
//!   hangs or floods is stopped by its executor ([`executor`]), so the node keeps serving.

pub mod config;
pub mod executor;
pub mod outputs;
pub mod store;

use crate::client::Client;
use crate::keystore::{Keystore, PROVIDER};
use crate::pool::Pool;
use basalt_runtime::extensions::{additional_signed, signed_extra};
use basalt_runtime::{api, RuntimeCall, UncheckedExtrinsic};
use basalt_support::generic::{Era, OpaqueExtrinsic};
use basalt_support::multisig::MultiPair;
use basalt_support::primitives::hashing::blake2_256;
use basalt_support::validity::TransactionSource;
use basalt_support::{AccountId, BlockNumber, H256};
use codec::Encode;
use config::ProviderConfig;
use executor::{ExecError, Executor, Workload};
use pallet_jobs::{PendingWork, Phase, ProgramKind};
use parking_lot::Mutex;
use prometheus::{HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry};
use sp_core::sr25519;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Instant;
use store::{Outcome, OutputStore, Sent, WorkRecord};
use tokio::sync::{watch, Semaphore};

const LOG: &str = "basalt::provider";

/// Every this many blocks the journal entries of settled jobs are dropped.
const PRUNE_EVERY: BlockNumber = 64;
/// Journal entries looked at per pruning.
const PRUNE_LIMIT: usize = 4096;

/// Blocks after which a transaction that left the pool without the chain acting on it is sent
/// again.
const RESEND_AFTER: BlockNumber = 2;

/// How the worker runs.
#[derive(Clone, Debug)]
pub struct WorkerOptions {
    /// The configuration file's settings.
    pub config: ProviderConfig,
    /// Testing only (`--test-cheat-rate`): the fraction of jobs whose revealed hash is wrong.
    pub cheat_rate: f64,
}

/// The worker's Prometheus metrics.
#[derive(Clone)]
pub struct WorkerMetrics {
    jobs_run: IntCounterVec,
    jobs_failed: IntCounterVec,
    jobs_declined: IntCounter,
    execution_seconds: HistogramVec,
}

impl WorkerMetrics {
    /// Creates the metrics and registers them on `registry`.
    pub fn register(registry: &Registry) -> anyhow::Result<Self> {
        let jobs_run = IntCounterVec::new(
            Opts::new(
                "basalt_provider_jobs_run_total",
                "Jobs executed, by executor",
            ),
            &["executor"],
        )?;
        let jobs_failed = IntCounterVec::new(
            Opts::new(
                "basalt_provider_jobs_failed_total",
                "Executions that failed, by executor",
            ),
            &["executor"],
        )?;
        let jobs_declined = IntCounter::new(
            "basalt_provider_jobs_declined_total",
            "Assignments declined (the program could not be run)",
        )?;
        let execution_seconds = HistogramVec::new(
            HistogramOpts::new(
                "basalt_provider_execution_seconds",
                "Wall-clock time of one execution, by executor",
            )
            .buckets(vec![0.001, 0.01, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0, 600.0]),
            &["executor"],
        )?;
        registry.register(Box::new(jobs_run.clone()))?;
        registry.register(Box::new(jobs_failed.clone()))?;
        registry.register(Box::new(jobs_declined.clone()))?;
        registry.register(Box::new(execution_seconds.clone()))?;
        Ok(WorkerMetrics {
            jobs_run,
            jobs_failed,
            jobs_declined,
            execution_seconds,
        })
    }
}

/// The share of the time left before the commit deadline a run may be estimated to take:
/// the rest is for journaling, signing and getting the commit into a block.
const DEADLINE_MARGIN: f64 = 0.7;

/// Whether a run of `ops` basic operations, at `rate` operations per second (measured on this
/// machine), would miss a commit deadline `left_s` seconds away; `None` when it would not (or
/// nothing is measured yet), else the estimated seconds.
fn too_slow(ops: u64, rate: Option<f64>, left_s: f64) -> Option<f64> {
    let rate = rate.filter(|r| *r > 0.0)?;
    let needed = ops as f64 / rate;
    (needed > left_s * DEADLINE_MARGIN).then_some(needed)
}

/// Whether the transaction the chain still asks for should be sent (again): never sent, or
/// sent at least `RESEND_AFTER` blocks ago and no longer in the pool (dropped, or included in
/// a block that lost a fork), so the chain will not act on it.
fn should_send(sent: Option<Sent>, in_pool: bool, best: BlockNumber) -> bool {
    match sent {
        None => true,
        Some(sent) => !in_pool && best >= sent.at.saturating_add(RESEND_AFTER),
    }
}

/// The worker. See the module documentation.
pub struct Worker {
    client: Arc<Client>,
    pool: Arc<Pool>,
    keystore: Arc<Keystore>,
    store: Arc<OutputStore>,
    options: WorkerOptions,
    executors: Vec<Box<dyn Executor>>,
    /// Assignments being executed now.
    running: Mutex<HashSet<(pallet_jobs::JobId, AccountId)>>,
    /// Held while deciding and sending a transaction, so that a pass and a finished execution
    /// never both send the same commit.
    sending: Mutex<()>,
    slots: Arc<Semaphore>,
    metrics: WorkerMetrics,
    /// Measured speed of each built-in kernel on this machine, in operations per second
    /// (a moving average of recent runs).
    rates: Mutex<BTreeMap<u32, f64>>,
}

/// Why the worker could not act on an assignment this block (logged; retried next block).
#[derive(Debug, thiserror::Error)]
enum WorkError {
    #[error("client: {0}")]
    Client(#[from] crate::client::ClientError),
    #[error("database: {0}")]
    Db(#[from] crate::db::DbError),
    #[error("the runtime refused to sign for this chain: {0:?}")]
    Extra(basalt_support::validity::TransactionValidityError),
    #[error("the pool refused the transaction: {0}")]
    Pool(String),
}

impl Worker {
    /// A worker for this node's provider keys.
    pub fn new(
        client: Arc<Client>,
        pool: Arc<Pool>,
        keystore: Arc<Keystore>,
        store: Arc<OutputStore>,
        options: WorkerOptions,
        metrics: WorkerMetrics,
    ) -> Arc<Self> {
        let slots = Arc::new(Semaphore::new(options.config.max_concurrent_jobs.max(1)));
        let executors = executor::executors(&options.config);
        Arc::new(Worker {
            client,
            pool,
            keystore,
            store,
            options,
            executors,
            running: Mutex::new(HashSet::new()),
            sending: Mutex::new(()),
            rates: Mutex::new(BTreeMap::new()),
            slots,
            metrics,
        })
    }

    /// Runs until `shutdown`: a pass over the pending work at start (resuming after a
    /// restart), then one after every imported block.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let keys = self.keystore.public_keys(PROVIDER).len();
        if keys == 0 {
            tracing::warn!(target: LOG, "--provider, but the keystore holds no provider (prov) key: insert one with `basalt key insert --key-type prov`");
        } else {
            tracing::info!(target: LOG, "🛠  Provider worker started for {keys} key(s)");
        }
        let mut imports = self.client.import_notifications();
        loop {
            let worker = self.clone();
            let _ = tokio::task::spawn_blocking(move || worker.pass()).await;
            tokio::select! {
                n = imports.recv() => match n {
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
                _ = shutdown.changed() => return,
            }
        }
    }

    /// One pass over every provider key's pending work at the best block.
    fn pass(self: &Arc<Self>) {
        let info = self.client.info();
        if info.best_number % PRUNE_EVERY == 0 {
            self.prune(info.finalized_hash);
        }
        for public in self.keystore.public_keys(PROVIDER) {
            let Ok(raw) = <[u8; 32]>::try_from(public.as_slice()) else {
                continue;
            };
            let Some(pair) = self
                .keystore
                .sr25519_pair(PROVIDER, &sr25519::Public::from_raw(raw))
            else {
                continue;
            };
            let provider = AccountId::new(raw);
            let work = match self
                .client
                .call_at(info.best_hash, || api::pending_work(&provider))
            {
                Ok(work) => work,
                Err(error) => {
                    tracing::warn!(target: LOG, %error, "cannot read the pending work");
                    continue;
                }
            };
            for item in work {
                if let Err(error) = self.drive(&provider, &pair, &item, info.best_number) {
                    tracing::warn!(target: LOG, job = item.job, %error, "cannot act on the job now; retrying next block");
                }
            }
        }
    }

    /// Drops the journal entries of jobs settled at the finalized block `at`.
    fn prune(&self, at: H256) {
        let settled = |job| {
            self.client
                .call_at(at, || pallet_jobs::Jobs::get(job))
                .map(|j| j.is_none_or(|j| j.state.is_final()))
                .unwrap_or(false)
        };
        match self.store.prune_work(settled, PRUNE_LIMIT) {
            Ok(0) => {}
            Ok(n) => tracing::debug!(target: LOG, "dropped {n} journal entries of settled jobs"),
            Err(error) => tracing::warn!(target: LOG, %error, "cannot prune the journal"),
        }
    }

    /// Acts on one assignment: starts its execution, or sends (again) what is due.
    fn drive(
        self: &Arc<Self>,
        provider: &AccountId,
        pair: &sr25519::Pair,
        item: &PendingWork,
        best: BlockNumber,
    ) -> Result<(), WorkError> {
        let _sending = self.sending.lock();
        if self.running.lock().contains(&(item.job, provider.clone())) {
            return Ok(());
        }
        let Some(mut record) = self.store.work(item.job, provider)? else {
            if item.phase == Phase::Commit {
                self.start(provider.clone(), pair.clone(), item.clone());
            } else {
                tracing::warn!(target: LOG, job = item.job, "a reveal is due but this node has no record of the commitment (journal lost?)");
            }
            return Ok(());
        };
        let due = match item.phase {
            Phase::Commit => &mut record.commit,
            Phase::Reveal => &mut record.reveal,
        };
        let in_pool = due.is_some_and(|sent| self.pool.contains(&sent.tx));
        if !should_send(*due, in_pool, best) {
            return Ok(());
        }
        if due.is_some() {
            tracing::info!(target: LOG, job = item.job, "the transaction left the pool without effect; sending it again");
        }
        let call = match (&record.outcome, item.phase) {
            (Outcome::Result { hash, salt }, Phase::Commit) => {
                RuntimeCall::Jobs(pallet_jobs::Call::commit_result {
                    job: item.job,
                    commitment: pallet_jobs::Pallet::<basalt_runtime::Runtime>::commitment_of(
                        hash, provider, salt,
                    ),
                })
            }
            (Outcome::Result { hash, salt }, Phase::Reveal) => {
                RuntimeCall::Jobs(pallet_jobs::Call::reveal_result {
                    job: item.job,
                    result_hash: *hash,
                    salt: *salt,
                })
            }
            (Outcome::Failed(_), Phase::Commit) => {
                self.metrics.jobs_declined.inc();
                RuntimeCall::Jobs(pallet_jobs::Call::decline_job { job: item.job })
            }
            (Outcome::Failed(_), Phase::Reveal) => return Ok(()),
        };
        let tx = self.submit(provider, pair, call)?;
        *due = Some(Sent { at: best, tx });
        self.store.set_work(item.job, provider, &record)?;
        Ok(())
    }

    /// Executes `item` on a blocking thread when a slot is free, then journals the outcome and
    /// sends the commit or decline.
    fn start(self: &Arc<Self>, provider: AccountId, pair: sr25519::Pair, item: PendingWork) {
        self.running.lock().insert((item.job, provider.clone()));
        let worker = self.clone();
        let slots = self.slots.clone();
        tokio::runtime::Handle::current().spawn(async move {
            let Ok(_permit) = slots.acquire_owned().await else {
                return;
            };
            let w = worker.clone();
            let (p, job) = (provider.clone(), item.clone());
            let _ = tokio::task::spawn_blocking(move || {
                let outcome = w.execute(&job);
                let record = WorkRecord {
                    outcome,
                    commit: None,
                    reveal: None,
                };
                match w.store.set_work(job.job, &p, &record) {
                    Ok(()) => {
                        let best = w.client.info().best_number;
                        w.running.lock().remove(&(job.job, p.clone()));
                        if let Err(error) = w.drive(&p, &pair, &job, best) {
                            tracing::warn!(target: LOG, job = job.job, %error, "cannot send the commitment now; retrying next block");
                        }
                    }
                    Err(error) => {
                        tracing::error!(target: LOG, job = job.job, %error, "cannot journal the result; the job will run again");
                    }
                }
            })
            .await;
            worker.running.lock().remove(&(item.job, provider));
        });
    }

    /// Runs the job and stores its output; what the provider will commit to.
    fn execute(&self, item: &PendingWork) -> Outcome {
        match self.run_job(item) {
            Ok(output) => {
                let mut hash = H256(blake2_256(&output));
                if let Err(error) = self.store.put_output(item.job, &output) {
                    tracing::error!(target: LOG, job = item.job, %error, "cannot store the output; it cannot be served");
                }
                if self.options.cheat_rate > 0.0 && rand::random::<f64>() < self.options.cheat_rate
                {
                    tracing::warn!(target: LOG, job = item.job, "😈 --test-cheat-rate: revealing a wrong result");
                    hash = H256(blake2_256(&[hash.as_bytes(), b"cheat"].concat()));
                }
                Outcome::Result {
                    hash,
                    salt: H256(rand::random()),
                }
            }
            Err(error) => {
                tracing::warn!(target: LOG, job = item.job, %error, "declining the job");
                Outcome::Failed(error.to_string())
            }
        }
    }

    fn run_job(&self, item: &PendingWork) -> Result<Vec<u8>, ExecError> {
        let best = self.client.info().best_hash;
        let (program, input) = self
            .client
            .call_at(best, || {
                (
                    pallet_jobs::Programs::get(item.program),
                    pallet_jobs::JobInputs::get(item.job),
                )
            })
            .map_err(|e| ExecError::Io(e.to_string()))?;
        let program = program.ok_or(ExecError::Unsupported)?;
        let input = input.ok_or_else(|| ExecError::BadInput("the job has no input".into()))?;
        let workload = match &program.kind {
            ProgramKind::Kernel(id) => basalt_kernels::Kernel::from_id(*id).map(Workload::Kernel),
            ProgramKind::Container { digest, .. } | ProgramKind::Executable { digest, .. } => self
                .options
                .config
                .command_for(digest)
                .cloned()
                .map(Workload::Command),
        }
        .ok_or(ExecError::Unsupported)?;
        let executor = self
            .executors
            .iter()
            .find(|e| e.can_run(&workload))
            .ok_or(ExecError::Unsupported)?;
        // A kernel's work is known from its input: decline at once what cannot be committed
        // in time at this machine's measured speed.
        let kernel_ops = match &workload {
            Workload::Kernel(kernel) => basalt_kernels::check_input(*kernel, &input)
                .ok()
                .map(|work| (kernel.id(), work.ops)),
            Workload::Command(_) => None,
        };
        if let Some((kernel, ops)) = kernel_ops {
            let info = self.client.info();
            let blocks_left = item.deadline.saturating_sub(info.best_number);
            let left_s = f64::from(blocks_left) * self.client.slot_duration_ms() as f64 / 1000.0;
            let rate = self.rates.lock().get(&kernel).copied();
            if let Some(needed_s) = too_slow(ops, rate, left_s) {
                return Err(ExecError::TooSlow { needed_s, left_s });
            }
        }
        let name = executor.name();
        let started = Instant::now();
        let result = executor.execute(&workload, &input, self.options.config.max_output_size);
        if let (Some((kernel, ops)), Ok(_)) = (kernel_ops, &result) {
            let seconds = started.elapsed().as_secs_f64();
            if seconds > 0.0 {
                let measured = ops as f64 / seconds;
                let mut rates = self.rates.lock();
                let rate = rates.entry(kernel).or_insert(measured);
                *rate = 0.5 * *rate + 0.5 * measured;
            }
        }
        self.metrics
            .execution_seconds
            .with_label_values(&[name])
            .observe(started.elapsed().as_secs_f64());
        match &result {
            Ok(_) => self.metrics.jobs_run.with_label_values(&[name]).inc(),
            Err(_) => self.metrics.jobs_failed.with_label_values(&[name]).inc(),
        }
        result
    }

    /// Signs `call` as `provider` with the next free nonce and submits it to the pool (which
    /// gossips it); returns its hash.
    fn submit(
        &self,
        provider: &AccountId,
        pair: &sr25519::Pair,
        call: RuntimeCall,
    ) -> Result<H256, WorkError> {
        let best = self.client.info().best_hash;
        let mut nonce = self.client.call_at(best, || api::account_nonce(provider))?;
        while self.pool.provides(&(provider, nonce).encode()) {
            nonce = nonce.saturating_add(1);
        }
        let extra = signed_extra(nonce, 0, Era::Immortal);
        let additional = self
            .client
            .call_at(best, || additional_signed(&extra))?
            .map_err(WorkError::Extra)?;
        let xt = UncheckedExtrinsic::new_signed_by(
            call,
            extra,
            &additional,
            &MultiPair::from(pair.clone()),
        );
        self.pool
            .submit_one(TransactionSource::Local, OpaqueExtrinsic::from(&xt))
            .map_err(|e| WorkError::Pool(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_that_cannot_be_committed_in_time_is_declined_at_once() {
        // Nothing measured yet: run it.
        assert_eq!(too_slow(1 << 36, None, 10.0), None);
        // 7.5e9 ops/s (matmul-i8 on 2 cores): 4096^3 needs about 9.2 s, too much for 10 s
        // left with the margin; 1024^3 (0.14 s) is fine.
        let rate = Some(7.5e9);
        assert!(too_slow(4096u64.pow(3), rate, 10.0).is_some_and(|s| s > 9.0));
        assert_eq!(too_slow(1024u64.pow(3), rate, 10.0), None);
        // At the commit deadline itself nothing fits.
        assert!(too_slow(1, rate, 0.0).is_some());
    }

    #[test]
    fn a_transaction_is_sent_again_only_once_it_left_the_pool_without_effect() {
        let sent = Some(Sent {
            at: 10,
            tx: H256::repeat_byte(1),
        });
        assert!(should_send(None, false, 10));
        // Still in the pool: wait for it, however long it takes.
        assert!(!should_send(sent, true, 100));
        // Gone from the pool, but perhaps in a block the best chain is about to include.
        assert!(!should_send(sent, false, 11));
        // Gone for RESEND_AFTER blocks and the chain still asks: dropped or lost in a fork.
        assert!(should_send(sent, false, 12));
    }
}
