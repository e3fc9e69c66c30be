//! `basalt benchmark …`: measurements on the real code paths, printed as reports
//! (docs/BENCHMARKS.md records them).
//!
//! - [`transfers`]: signed balance transfers through pool, block building and import;
//! - [`kernels`]: the built-in compute kernels through the provider's executors.

pub mod kernels;
mod transfers;

pub use transfers::transfers;
