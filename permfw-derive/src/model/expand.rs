//! Generates the model's description, its consts, `impl Model` and its registration.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use syn::DeriveInput;

use super::check::Model;

pub fn expand(input: &DeriveInput, model: &Model, register: bool) -> TokenStream {
    let ident = &input.ident;
    // Generics are an error reported elsewhere; keeping them here avoids a cascade of E0107.
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let Model { type_name, app_label, model_name, verbose_name, perms } = model;

    let infos = perms.iter().map(|p| {
        let (codename, name) = (&p.codename, &p.name);
        let full = format!("{app_label}.{codename}");
        quote!(::permfw::__private::PermissionInfo::new(#codename, #name, #full))
    });
    let const_idents: Vec<Ident> = perms.iter().map(|p| Ident::new(&p.codename.to_uppercase(), p.span)).collect();
    let consts = perms.iter().zip(&const_idents).enumerate().map(|(index, (p, konst))| {
        let doc = format!("`{app_label}.{}`: {}.", p.codename, p.name);
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        quote! {
            #[doc = #doc]
            pub const #konst: ::permfw::Permission = ::permfw::__private::permission(&__PERMFW_MODEL, #index);
        }
    });
    let registration = register.then(|| {
        quote! {
            ::permfw::__private::inventory::submit! {
                ::permfw::__private::ModelEntry::new(&__PERMFW_MODEL)
            }
        }
    });

    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::absolute_paths)]
        const _: () = {
            static __PERMFW_FIRST_ID: ::permfw::__private::FirstId = ::permfw::__private::FirstId::new();
            fn __permfw_first_id() -> &'static ::permfw::__private::FirstId {
                &__PERMFW_FIRST_ID
            }
            static __PERMFW_MODEL: ::permfw::__private::ModelInfo = ::permfw::__private::ModelInfo::new(
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
            impl #impl_generics ::permfw::Model for #ident #ty_generics #where_clause {
                const INFO: &'static ::permfw::ModelInfo = &__PERMFW_MODEL;
                const PERMISSIONS: &'static [::permfw::Permission] = &[#(Self::#const_idents),*];
            }

            #registration
        };
    }
}
