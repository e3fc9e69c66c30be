//! Macros that remove pallet boilerplate while keeping the generated items plain Rust.

/// Declares a pallet's `Error<T>` enum and its conversion to
/// [`DispatchError::Module`](crate::DispatchError) with the pallet index `<T as Config>::INDEX`.
///
/// ```ignore
/// basalt_support::pallet_error! {
///     /// Errors of the balances pallet.
///     pub enum Error<T: Config> {
///         /// Not enough free balance.
///         InsufficientBalance,
///     }
/// }
/// ```
/// The error's index in `ModuleError` is its position in the enum, as FRAME encodes it.
#[macro_export]
macro_rules! pallet_error {
    (
        $(#[$attr:meta])*
        pub enum Error<T: $config:ident> {
            $( $(#[doc = $doc:literal])* $variant:ident ),* $(,)?
        }
    ) => {
        #[derive(Clone, PartialEq, Eq, codec::Encode, codec::Decode, scale_info::TypeInfo)]
        #[scale_info(skip_type_params(T))]
        $(#[$attr])*
        pub enum Error<T> {
            $( $(#[doc = $doc])* $variant, )*
            #[doc(hidden)]
            #[codec(skip)]
            __Never(core::marker::PhantomData<T>, core::convert::Infallible),
        }

        impl<T> Error<T> {
            /// The variant's name, for logs and RPC messages.
            pub fn name(&self) -> &'static str {
                match self {
                    $( Error::$variant => stringify!($variant), )*
                    Error::__Never(_, never) => match *never {},
                }
            }
        }

        impl<T> core::fmt::Debug for Error<T> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl<T: $config> From<Error<T>> for $crate::DispatchError {
            fn from(e: Error<T>) -> Self {
                let code = codec::Encode::encode(&e).first().copied().unwrap_or(0);
                $crate::DispatchError::Module($crate::dispatch::ModuleError {
                    index: <T as $config>::INDEX,
                    error: [code, 0, 0, 0],
                    message: Some(e.name()),
                })
            }
        }
    };
}
