//! `construct_runtime!`: a runtime's pallets declared in one place.
//!
//! ```ignore
//! basalt_support::construct_runtime! {
//!     runtime = Runtime;
//!     /// The system pallet of this runtime.
//!     System: pallet_system = 0 { Call, Event, Error<Runtime> },
//!     /// The transaction-payment pallet.
//!     TransactionPayment: pallet_transaction_payment = 3 { Event },
//!     /// The sudo pallet.
//!     Sudo: pallet_sudo = 4 { Call<Runtime>, Event, Error<Runtime> },
//! }
//! ```
//! Each entry is a pallet's name, its crate, its index and the parts it has; the parts are
//! named as the crate's types (`Call`, `Call<Runtime>`, `Event`, `Error<Runtime>`), plus the
//! markers `ValidateUnsigned` (its unsigned calls are checked by the pallet's
//! `ValidateUnsigned`) and `Inherent` (its `ProvideInherent` says which calls are inherents),
//! which `RuntimeCall::validate_unsigned` and `RuntimeCall::is_inherent` route by. Generated,
//! for the entries in order: a type alias per pallet (`pub type System =
//! pallet_system::Pallet<Runtime>`, with the entry's docs), `RuntimeCall` (with its
//! `Dispatchable` impl and unsigned and inherent routing), `RuntimeEvent` and `RuntimeError` with
//! each variant at the pallet's index, `AllPallets` (every pallet's `on_initialize`, `on_idle`
//! and `on_finalize`, in index
//! order, and their metadata descriptions), `PALLETS` (names and indices), and a compile-time
//! check that each index is the one the pallet's `Config::INDEX` says (the index its events and
//! errors carry).

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{braced, Attribute, Ident, LitInt, Path, Token};

/// The whole declaration.
struct Runtime {
    runtime: Ident,
    pallets: Vec<Entry>,
}

/// One pallet: `Name: crate = index { parts }`, with its docs.
struct Entry {
    docs: Vec<Attribute>,
    name: Ident,
    krate: Path,
    index: LitInt,
    parts: Vec<Path>,
}

impl Parse for Runtime {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: Ident = input.parse()?;
        if key != "runtime" {
            return Err(syn::Error::new(
                key.span(),
                "expected `runtime = <type>;` first",
            ));
        }
        input.parse::<Token![=]>()?;
        let runtime: Ident = input.parse()?;
        input.parse::<Token![;]>()?;
        let entries = Punctuated::<Entry, Token![,]>::parse_terminated(input)?;
        Ok(Runtime {
            runtime,
            pallets: entries.into_iter().collect(),
        })
    }
}

impl Parse for Entry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let docs = input.call(Attribute::parse_outer)?;
        let name: Ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let krate: Path = input.parse()?;
        input.parse::<Token![=]>()?;
        let index: LitInt = input.parse()?;
        let body;
        braced!(body in input);
        let parts = Punctuated::<Path, Token![,]>::parse_terminated(&body)?;
        let parts: Vec<Path> = parts.into_iter().collect();
        for part in &parts {
            let known = ["Call", "Event", "Error", "ValidateUnsigned", "Inherent"];
            if !known.iter().any(|k| part_name(part) == *k) {
                return Err(syn::Error::new_spanned(
                    part,
                    "a part is `Call`, `Event` or `Error` (with its generics), `ValidateUnsigned` or `Inherent`",
                ));
            }
        }
        Ok(Entry {
            docs,
            name,
            krate,
            index,
            parts,
        })
    }
}

fn part_name(part: &Path) -> String {
    part.segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

impl Entry {
    /// Whether the entry has part `name`.
    fn has(&self, name: &str) -> bool {
        self.parts.iter().any(|p| part_name(p) == name)
    }

    /// The crate's type for part `name` (`pallet_x::Call<Runtime>`), if the entry has it.
    fn part(&self, name: &str) -> Option<TokenStream> {
        let part = self.parts.iter().find(|p| part_name(p) == name)?;
        let krate = &self.krate;
        Some(quote!(#krate::#part))
    }
}

/// Expands the declaration.
pub fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let Runtime { runtime, pallets } = syn::parse2(input)?;
    let mut seen = std::collections::BTreeSet::new();
    for p in &pallets {
        let index: u8 = p.index.base10_parse()?;
        if !seen.insert(index) {
            return Err(syn::Error::new(p.index.span(), "two pallets at one index"));
        }
    }
    let aliases = pallets.iter().map(|p| {
        let (docs, name, krate) = (&p.docs, &p.name, &p.krate);
        quote!(#(#docs)* pub type #name = #krate::Pallet<#runtime>;)
    });
    let checks = pallets.iter().map(|p| {
        let (name, krate, index) = (&p.name, &p.krate, &p.index);
        let message = format!("{name} is declared at index {index}, but its Config::INDEX differs");
        quote!(
            const _: () = assert!(<#runtime as #krate::Config>::INDEX == #index, #message);
        )
    });
    let variants = |part: &str| -> Vec<TokenStream> {
        pallets
            .iter()
            .filter_map(|p| {
                let ty = p.part(part)?;
                let (name, index) = (&p.name, &p.index);
                let doc = format!(" The {name} pallet's {}.", part.to_lowercase());
                Some(quote!(#[doc = #doc] #[codec(index = #index)] #name(#ty),))
            })
            .collect()
    };
    let (calls, events, errors) = (variants("Call"), variants("Event"), variants("Error"));
    let with_calls: Vec<&Ident> = pallets
        .iter()
        .filter(|p| p.part("Call").is_some())
        .map(|p| &p.name)
        .collect();
    let unsigned: Vec<&Ident> = pallets
        .iter()
        .filter(|p| p.has("ValidateUnsigned"))
        .map(|p| &p.name)
        .collect();
    let inherents: Vec<&Ident> = pallets
        .iter()
        .filter(|p| p.has("Inherent"))
        .map(|p| &p.name)
        .collect();
    let mut ordered: Vec<&Entry> = pallets.iter().collect();
    ordered.sort_by_key(|p| p.index.base10_parse::<u8>().unwrap_or(u8::MAX));
    let names: Vec<&Ident> = ordered.iter().map(|p| &p.name).collect();
    let name_strs: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let indices: Vec<&LitInt> = ordered.iter().map(|p| &p.index).collect();
    let count = ordered.len();
    let support = quote!(::basalt_support);
    Ok(quote! {
        #(#aliases)*
        #(#checks)*

        /// Every call of the runtime: the pallet index, then the pallet's call. What signed
        /// extrinsics carry and sudo, the scheduler and referenda dispatch.
        #[derive(Clone, PartialEq, Eq, Debug, codec::Encode, codec::Decode, scale_info::TypeInfo)]
        pub enum RuntimeCall { #(#calls)* }

        impl #support::dispatch::Dispatchable<#runtime> for RuntimeCall {
            fn dispatch_with_post_info(
                self,
                origin: #support::Origin,
            ) -> #support::dispatch::DispatchResultWithPostInfo {
                match self {
                    #(RuntimeCall::#with_calls(call) =>
                        #support::dispatch::Dispatchable::<#runtime>::dispatch_with_post_info(call, origin),)*
                }
            }

            fn dispatch_info(&self) -> #support::dispatch::DispatchInfo {
                match self {
                    #(RuntimeCall::#with_calls(call) =>
                        #support::dispatch::Dispatchable::<#runtime>::dispatch_info(call),)*
                }
            }
        }

        impl RuntimeCall {
            /// Whether this call, unsigned, is a valid transaction: asked of its pallet's
            /// `ValidateUnsigned` (the pallets with that part), refused (`Call`) for any other.
            pub fn validate_unsigned(&self) -> #support::validity::TransactionValidity {
                #[allow(unreachable_patterns)]
                match self {
                    #(RuntimeCall::#unsigned(call) =>
                        <#unsigned as #support::validity::ValidateUnsigned>::validate_unsigned(call),)*
                    _ => Err(#support::validity::InvalidTransaction::Call.into()),
                }
            }

            /// Whether this call is an inherent of its pallet (the pallets with the
            /// `Inherent` part).
            pub fn is_inherent(&self) -> bool {
                #[allow(unreachable_patterns)]
                match self {
                    #(RuntimeCall::#inherents(call) =>
                        <#inherents as #support::validity::ProvideInherent>::is_inherent(call),)*
                    _ => false,
                }
            }
        }

        /// Every event of the runtime: the pallet index, then the pallet's event, as they
        /// appear in `System.Events`. Only pallets with events are listed.
        #[derive(Clone, PartialEq, Eq, Debug, codec::Encode, codec::Decode, scale_info::TypeInfo)]
        pub enum RuntimeEvent { #(#events)* }

        /// Every pallet error of the runtime, as metadata V15's outer error enum: the pallet
        /// index, then the pallet's error (the first bytes of `DispatchError::Module`).
        #[derive(Clone, PartialEq, Eq, Debug, codec::Encode, codec::Decode, scale_info::TypeInfo)]
        pub enum RuntimeError { #(#errors)* }

        /// Every pallet of the runtime with its index, in index order.
        pub const PALLETS: [(&str, u8); #count] = [#((#name_strs, #indices),)*];

        /// The pallets' block hooks, called in index order, and their descriptions.
        pub struct AllPallets;

        impl AllPallets {
            /// `on_initialize` of every pallet; the weight they used.
            pub fn on_initialize(n: #support::BlockNumber) -> #support::Weight {
                #support::Weight::ZERO
                    #(.saturating_add(<#names as #support::hooks::Hooks>::on_initialize(n)))*
            }

            /// `on_idle` of every pallet, each offered what the previous ones left; the weight
            /// used.
            pub fn on_idle(n: #support::BlockNumber, remaining: #support::Weight) -> #support::Weight {
                let mut used = #support::Weight::ZERO;
                #(used = used.saturating_add(
                    <#names as #support::hooks::Hooks>::on_idle(n, remaining.saturating_sub(used)),
                );)*
                used
            }

            /// `on_finalize` of every pallet.
            pub fn on_finalize(n: #support::BlockNumber) {
                #(<#names as #support::hooks::Hooks>::on_finalize(n);)*
            }

            /// Every pallet's metadata description with its index, in index order.
            pub fn descriptions() -> Vec<(u8, #support::metadata::PalletDescription)> {
                vec![#((#indices, <#names as #support::metadata::DescribePallet>::describe()),)*]
            }
        }
    })
}
