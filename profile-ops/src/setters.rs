//! Builder-style setters for the option structs (`Query`, `Filters`, `GraphOptions`,
//! `MergeOptions`).
//!
//! Those structs are `#[non_exhaustive]`, so that adding an option is not a breaking
//! change; outside this crate they are made from `Default` with these setters (or by
//! assigning fields of a default value). One macro writes every setter, so they all
//! behave and read the same.

/// `setters!(Type { field: T, .. } into { field: T, .. } optional { field: T, .. }
/// optional_into { field: T, .. })`, every section but the first optional, in that order:
/// a `fn field(self, T) -> Self` per plain field (numbers and flags: taking `T` itself
/// keeps integer literals working), `impl Into<T>` for `into` fields (strings), and
/// `Some(value)` for the `Option<T>` fields of the last two.
macro_rules! setters {
    (
        $ty:ident { $($field:ident: $t:ty),* $(,)? }
        $(into { $($ifield:ident: $it:ty),* $(,)? })?
        $(optional { $($ofield:ident: $ot:ty),* $(,)? })?
        $(optional_into { $($oifield:ident: $oit:ty),* $(,)? })?
    ) => {
        impl $ty {
            $(
                #[doc = concat!("Sets [`", stringify!($field), "`](Self::", stringify!($field), ").")]
                #[must_use]
                pub fn $field(mut self, value: $t) -> Self {
                    self.$field = value;
                    self
                }
            )*
            $($(
                #[doc = concat!("Sets [`", stringify!($ifield), "`](Self::", stringify!($ifield), ").")]
                #[must_use]
                pub fn $ifield(mut self, value: impl Into<$it>) -> Self {
                    self.$ifield = value.into();
                    self
                }
            )*)?
            $($(
                #[doc = concat!("Sets [`", stringify!($ofield), "`](Self::", stringify!($ofield), ") to `Some(value)`.")]
                #[must_use]
                pub fn $ofield(mut self, value: $ot) -> Self {
                    self.$ofield = Some(value);
                    self
                }
            )*)?
            $($(
                #[doc = concat!("Sets [`", stringify!($oifield), "`](Self::", stringify!($oifield), ") to `Some(value)`.")]
                #[must_use]
                pub fn $oifield(mut self, value: impl Into<$oit>) -> Self {
                    self.$oifield = Some(value.into());
                    self
                }
            )*)?
        }
    };
}
