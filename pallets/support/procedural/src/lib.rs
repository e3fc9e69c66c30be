//! # basalt-support-procedural: a pallet's calls, declared once
//!
//! Without this, every call of a pallet is written four times: the `Call` enum variant, its
//! `dispatch` arm, its `dispatch_info` arm and its weight, and a call that holds a boxed
//! runtime call needs hand-written `Clone`/`PartialEq`/`Debug` on top. [`call`] reads the one
//! place where a call is naturally written, the handler function, and generates the rest.
//!
//! Why a procedural macro rather than `macro_rules!`: the declaration is a plain `impl` block of
//! ordinary Rust functions (so rustfmt, rust-analyzer and rustdoc treat it as code), and the
//! macro must look inside argument types (does one mention the runtime's `T`?) and move
//! attributes from arguments to enum fields, which `macro_rules!` cannot do without a second,
//! made-up syntax. The generated items are plain Rust, kept small enough to read with
//! `cargo expand`.

use proc_macro::TokenStream;

mod call;
mod runtime;

/// Declares a pallet's calls on an `impl<T: Config> Pallet<T>` block.
///
/// Each function with `#[pallet::call_index(N)]` becomes a call:
/// ```ignore
/// #[basalt_support::call]
/// impl<T: Config> Pallet<T> {
///     /// Transfer `value` to `dest`. Signed.
///     #[pallet::call_index(0)]
///     #[pallet::weight(weights::transfer())]
///     pub fn transfer(
///         origin: Origin,
///         /// The recipient.
///         dest: Address,
///         /// The amount.
///         #[pallet::compact] value: Balance,
///     ) -> DispatchResult { ... }
/// }
/// ```
/// generates `enum Call` (variant `transfer { dest, value }` at codec index 0, with the
/// function's and arguments' docs, `value` compact) deriving `Clone`, `PartialEq`, `Eq`,
/// `Debug`, `Encode`, `Decode`, `DecodeWithMemTracking` and `TypeInfo`, and
/// `Dispatchable<T> for Call` whose `dispatch_with_post_info` calls the function and whose
/// `dispatch_info` is built from the weight expression (which sees the arguments by
/// reference). A handler returns `DispatchResult`, or `DispatchResultWithPostInfo` when it
/// reports the weight it really used (`Ok(Some(actual).into())`), which the executive refunds.
///
/// Optional attributes per call: `#[pallet::class(Operational)]` or `(Mandatory)`,
/// `#[pallet::pays(No)]`, or `#[pallet::dispatch_info(expr)]` for a `DispatchInfo` computed
/// from the arguments (as sudo takes its class from the inner call) instead of `weight`.
///
/// When an argument's type mentions `T` (a boxed runtime call), the enum is `Call<T>`, with a
/// hidden uninhabited variant holding `PhantomData<T>`, and its traits are implemented with
/// bounds on the argument types rather than on `T`, so the runtime marker type needs none.
#[proc_macro_attribute]
pub fn call(attr: TokenStream, item: TokenStream) -> TokenStream {
    call::expand(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Declares a runtime's pallets in one place: name, crate, index and parts.
///
/// ```ignore
/// basalt_support::construct_runtime! {
///     runtime = Runtime;
///     /// The system pallet of this runtime.
///     System: pallet_system = 0 { Call, Event, Error<Runtime> },
///     /// The sudo pallet.
///     Sudo: pallet_sudo = 4 { Call<Runtime>, Event, Error<Runtime> },
/// }
/// ```
/// generates the pallets' type aliases, `RuntimeCall` (dispatchable), `RuntimeEvent`,
/// `RuntimeError`, `PALLETS`, `AllPallets` (hooks in index order and metadata descriptions) and a
/// compile-time check of each index against the pallet's `Config::INDEX`. Adding a pallet is
/// its crate, its `Config` impl and one line here. A procedural macro, like [`call`], because it
/// picks parts out of each entry and sorts entries by index, which `macro_rules!` cannot.
#[proc_macro]
pub fn construct_runtime(input: TokenStream) -> TokenStream {
    runtime::expand(input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
