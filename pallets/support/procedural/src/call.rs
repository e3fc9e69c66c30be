//! The expansion of `#[basalt_support::call]`: one handler function per call in, the `Call`
//! enum and its `Dispatchable` implementation out.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{Attribute, Error, Expr, FnArg, ImplItem, ItemImpl, Pat, Result, Type};

/// One declared call.
struct Call {
    /// The handler's name, also the variant's.
    name: Ident,
    /// The codec index of the variant.
    index: u8,
    /// The handler's doc comments, copied to the variant.
    docs: Vec<Attribute>,
    /// What `dispatch_info` returns for this call.
    info: Info,
    /// The arguments after the origin.
    args: Vec<Arg>,
}

/// How a call's `DispatchInfo` is found.
enum Info {
    /// A weight expression with a class and fee policy.
    Weight {
        weight: Expr,
        class: Ident,
        pays: Ident,
    },
    /// An expression that is the whole `DispatchInfo`.
    Full(Expr),
}

/// One argument of a call: a field of its variant.
struct Arg {
    name: Ident,
    ty: Type,
    docs: Vec<Attribute>,
    compact: bool,
}

/// Whether `attr` is `#[pallet::<name>...]`.
fn is_pallet_attr(attr: &Attribute, name: &str) -> bool {
    let segments: Vec<String> = attr
        .path()
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments.len() == 2 && segments[0] == "pallet" && segments[1] == name
}

/// Takes the `#[pallet::<name>(...)]` attribute out of `attrs`, if there is one.
fn take_attr(attrs: &mut Vec<Attribute>, name: &str) -> Option<Attribute> {
    let position = attrs.iter().position(|a| is_pallet_attr(a, name))?;
    Some(attrs.remove(position))
}

/// Whether `ty` mentions the identifier `param` anywhere (e.g. `Box<<T as Config>::RuntimeCall>`).
fn mentions(ty: &Type, param: &Ident) -> bool {
    fn walk(tokens: TokenStream, param: &Ident) -> bool {
        tokens.into_iter().any(|tree| match tree {
            proc_macro2::TokenTree::Ident(ident) => ident == *param,
            proc_macro2::TokenTree::Group(group) => walk(group.stream(), param),
            _ => false,
        })
    }
    walk(quote!(#ty), param)
}

/// Reads the calls out of the impl block, removing the macro's own attributes from it.
fn parse_calls(block: &mut ItemImpl) -> Result<Vec<Call>> {
    let mut calls = Vec::new();
    for item in &mut block.items {
        let ImplItem::Fn(function) = item else {
            continue;
        };
        let Some(index_attr) = take_attr(&mut function.attrs, "call_index") else {
            continue;
        };
        let index: syn::LitInt = index_attr.parse_args()?;
        let index: u8 = index.base10_parse()?;
        let info = match (
            take_attr(&mut function.attrs, "weight"),
            take_attr(&mut function.attrs, "dispatch_info"),
        ) {
            (Some(weight), None) => {
                let class = match take_attr(&mut function.attrs, "class") {
                    Some(attr) => attr.parse_args()?,
                    None => format_ident!("Normal"),
                };
                let pays = match take_attr(&mut function.attrs, "pays") {
                    Some(attr) => attr.parse_args()?,
                    None => format_ident!("Yes"),
                };
                Info::Weight {
                    weight: weight.parse_args()?,
                    class,
                    pays,
                }
            }
            (None, Some(full)) => Info::Full(full.parse_args()?),
            _ => {
                return Err(Error::new(
                    function.sig.ident.span(),
                    "a call needs exactly one of #[pallet::weight(..)] and #[pallet::dispatch_info(..)]",
                ))
            }
        };
        let docs = function
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect();
        let mut inputs = function.sig.inputs.iter_mut();
        match inputs.next() {
            Some(FnArg::Typed(_)) => {}
            _ => {
                return Err(Error::new(
                    function.sig.span(),
                    "a call's first argument is its origin",
                ))
            }
        }
        let mut args = Vec::new();
        for input in inputs {
            let FnArg::Typed(typed) = input else {
                return Err(Error::new(input.span(), "a call takes no `self`"));
            };
            let Pat::Ident(pat) = &*typed.pat else {
                return Err(Error::new(
                    typed.pat.span(),
                    "a call's arguments are plain names: they become the call's fields",
                ));
            };
            let compact = take_attr(&mut typed.attrs, "compact").is_some();
            let (docs, rest): (Vec<_>, Vec<_>) = typed
                .attrs
                .drain(..)
                .partition(|a| a.path().is_ident("doc"));
            typed.attrs = rest;
            args.push(Arg {
                name: pat.ident.clone(),
                ty: (*typed.ty).clone(),
                docs,
                compact,
            });
        }
        calls.push(Call {
            name: function.sig.ident.clone(),
            index,
            docs,
            info,
            args,
        });
    }
    if calls.is_empty() {
        return Err(Error::new(
            block.span(),
            "no calls: mark each call with #[pallet::call_index(N)]",
        ));
    }
    Ok(calls)
}

/// The expansion: the impl block as written (less the macro's attributes), the `Call` enum and
/// its `Dispatchable` implementation.
pub fn expand(attr: TokenStream, item: TokenStream) -> Result<TokenStream> {
    if !attr.is_empty() {
        return Err(Error::new(attr.span(), "#[call] takes no arguments"));
    }
    let mut block: ItemImpl = syn::parse2(item)?;
    let calls = parse_calls(&mut block)?;
    // The block's docs describe the enum too; its `#[scale_info(..)]` attributes (a type path
    // replacement, say) belong to the enum alone.
    let (type_attrs, rest): (Vec<_>, Vec<_>) = block
        .attrs
        .drain(..)
        .partition(|a| a.path().is_ident("scale_info"));
    block.attrs = rest;
    let enum_attrs: Vec<&Attribute> = block
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .collect();
    let param = block
        .generics
        .type_params()
        .next()
        .map(|p| p.ident.clone())
        .ok_or_else(|| Error::new(block.generics.span(), "expected impl<T: Config> Pallet<T>"))?;
    let (impl_generics, _, where_clause) = block.generics.split_for_impl();
    let generic = calls
        .iter()
        .flat_map(|c| &c.args)
        .any(|a| mentions(&a.ty, &param));

    let variants = calls.iter().map(|call| {
        let (name, index, docs) = (&call.name, call.index, &call.docs);
        let fields = call.args.iter().map(|arg| {
            let (name, ty, docs) = (&arg.name, &arg.ty, &arg.docs);
            let compact = arg.compact.then(|| quote!(#[codec(compact)]));
            quote!(#(#docs)* #compact #name: #ty)
        });
        if call.args.is_empty() {
            quote!(#(#docs)* #[codec(index = #index)] #name)
        } else {
            quote!(#(#docs)* #[codec(index = #index)] #name { #(#fields),* })
        }
    });
    let names: Vec<_> = calls.iter().map(|c| &c.name).collect();
    let fields: Vec<Vec<&Ident>> = calls
        .iter()
        .map(|c| c.args.iter().map(|a| &a.name).collect())
        .collect();
    let infos = calls.iter().map(|call| match &call.info {
        Info::Weight {
            weight,
            class,
            pays,
        } => quote!(::basalt_support::dispatch::DispatchInfo {
            weight: #weight,
            class: ::basalt_support::dispatch::DispatchClass::#class,
            pays_fee: ::basalt_support::dispatch::Pays::#pays,
        }),
        Info::Full(expr) => quote!(#expr),
    });

    let (call_ty, enum_decl, never_arm, never_ref_arm, extra) = if generic {
        let field_tys: Vec<&Type> = calls.iter().flat_map(|c| &c.args).map(|a| &a.ty).collect();
        let debug_arms = calls.iter().map(|call| {
            let name = &call.name;
            let label = name.to_string();
            let fields: Vec<_> = call.args.iter().map(|a| &a.name).collect();
            let labels = fields.iter().map(|f| f.to_string());
            quote!(Call::#name { #(#fields),* } => f.debug_struct(#label)#(.field(#labels, #fields))*.finish())
        });
        let eq_arms = calls.iter().map(|call| {
            let name = &call.name;
            let left: Vec<_> = call.args.iter().map(|a| format_ident!("left_{}", a.name)).collect();
            let right: Vec<_> = call.args.iter().map(|a| format_ident!("right_{}", a.name)).collect();
            let fields: Vec<_> = call.args.iter().map(|a| &a.name).collect();
            quote!((Call::#name { #(#fields: #left),* }, Call::#name { #(#fields: #right),* }) => true #(&& #left == #right)*)
        });
        let clone_arms = calls.iter().map(|call| {
            let name = &call.name;
            let fields: Vec<_> = call.args.iter().map(|a| &a.name).collect();
            quote!(Call::#name { #(#fields),* } => Call::#name { #(#fields: ::core::clone::Clone::clone(#fields)),* })
        });
        let decl = quote! {
            #(#enum_attrs)*
            #[allow(non_camel_case_types)]
            #[derive(codec::Encode, codec::Decode, scale_info::TypeInfo)]
            #(#type_attrs)*
            #[scale_info(skip_type_params(#param))]
            #[codec(encode_bound(#(#field_tys: codec::Encode),*))]
            #[codec(decode_bound(#(#field_tys: codec::Decode),*))]
            pub enum Call #impl_generics #where_clause {
                #(#variants,)*
                #[doc(hidden)]
                #[codec(skip)]
                __Ignore(::core::marker::PhantomData<#param>, ::core::convert::Infallible),
            }
        };
        let extra = quote! {
            impl #impl_generics ::core::clone::Clone for Call<#param> where #(#field_tys: ::core::clone::Clone),* {
                fn clone(&self) -> Self {
                    match self {
                        #(#clone_arms,)*
                        Call::__Ignore(_, never) => match *never {},
                    }
                }
            }
            impl #impl_generics ::core::cmp::PartialEq for Call<#param> where #(#field_tys: ::core::cmp::PartialEq),* {
                fn eq(&self, other: &Self) -> bool {
                    match (self, other) {
                        #(#eq_arms,)*
                        _ => false,
                    }
                }
            }
            impl #impl_generics ::core::cmp::Eq for Call<#param> where #(#field_tys: ::core::cmp::Eq),* {}
            impl #impl_generics ::core::fmt::Debug for Call<#param> where #(#field_tys: ::core::fmt::Debug),* {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    match self {
                        #(#debug_arms,)*
                        Call::__Ignore(_, never) => match *never {},
                    }
                }
            }
            /// Decoding is the derived `Decode`, which tracks its allocations through the
            /// argument types.
            impl #impl_generics codec::DecodeWithMemTracking for Call<#param>
                where #(#field_tys: codec::DecodeWithMemTracking),* {}
        };
        (
            quote!(Call<#param>),
            decl,
            quote!(Call::__Ignore(_, never) => match never {},),
            quote!(Call::__Ignore(_, never) => match *never {},),
            extra,
        )
    } else {
        let decl = quote! {
            #(#enum_attrs)*
            #[allow(non_camel_case_types)]
            #[derive(
                Clone, PartialEq, Eq, Debug, codec::Encode, codec::Decode,
                codec::DecodeWithMemTracking, scale_info::TypeInfo,
            )]
            #(#type_attrs)*
            pub enum Call {
                #(#variants,)*
            }
        };
        (quote!(Call), decl, quote!(), quote!(), quote!())
    };
    let self_ty = &block.self_ty;

    Ok(quote! {
        #block

        #enum_decl

        #extra

        impl #impl_generics ::basalt_support::dispatch::Dispatchable<#param> for #call_ty #where_clause {
            fn dispatch_with_post_info(
                self,
                origin: ::basalt_support::Origin,
            ) -> ::basalt_support::dispatch::DispatchResultWithPostInfo {
                match self {
                    #(Call::#names { #(#fields),* } => <#self_ty>::#names(origin, #(#fields),*)
                        .map(::core::convert::Into::into)
                        .map_err(::core::convert::Into::into),)*
                    #never_arm
                }
            }

            fn dispatch_info(&self) -> ::basalt_support::dispatch::DispatchInfo {
                match self {
                    #(
                        #[allow(unused_variables)]
                        Call::#names { #(#fields),* } => #infos,
                    )*
                    #never_ref_arm
                }
            }
        }
    })
}
