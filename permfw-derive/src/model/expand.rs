//! Generates the model's description, its consts, `impl Model` and its registration.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use syn::DeriveInput;

use super::check::Model;
use crate::crate_path;

pub fn expand(input: &DeriveInput, model: &Model, register: bool) -> TokenStream {
    let ident = &input.ident;
    // Generics are an error reported elsewhere; keeping them here avoids a cascade of E0107.
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let Model { type_name, app_label, model_name, verbose_name, perms, root } = model;
    let use_private = crate_path::use_private(root.as_ref());

    let infos = perms.iter().map(|p| {
        let (codename, name) = (&p.codename, &p.name);
        let full = format!("{app_label}.{codename}");
        quote!(__permfw::PermissionInfo::new(#codename, #name, #full))
    });
    let const_idents: Vec<Ident> = perms.iter().map(|p| Ident::new(&p.codename.to_uppercase(), p.span)).collect();
    let consts = perms.iter().zip(&const_idents).enumerate().map(|(index, (p, konst))| {
        let doc = format!("`{app_label}.{}`: {}.", p.codename, p.name);
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        quote! {
            #[doc = #doc]
            pub const #konst: __permfw::Permission = __permfw::permission(&__PERMFW_MODEL, #index);
        }
    });
    let registration = register.then(|| {
        quote! {
            __permfw::inventory::submit! {
                __permfw::ModelEntry::new(&__PERMFW_MODEL)
            }
        }
    });

    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::absolute_paths)]
        const _: () = {
            #use_private

            static __PERMFW_FIRST_ID: __permfw::FirstId = __permfw::FirstId::new();
            fn __permfw_first_id() -> &'static __permfw::FirstId {
                &__PERMFW_FIRST_ID
            }
            static __PERMFW_MODEL: __permfw::ModelInfo = __permfw::ModelInfo::new(
                #app_label,
                #model_name,
                #verbose_name,
                #type_name,
                ::core::module_path!(),
                &[#(#infos),*],
                __permfw_first_id,
            );

            #[automatically_derived]
            impl #impl_generics #ident #ty_generics #where_clause {
                #(#consts)*
            }

            #[automatically_derived]
            impl #impl_generics __permfw::Model for #ident #ty_generics #where_clause {
                const INFO: &'static __permfw::ModelInfo = &__PERMFW_MODEL;
                const PERMISSIONS: &'static [__permfw::Permission] = &[#(Self::#const_idents),*];
            }

            #registration
        };
    }
}
