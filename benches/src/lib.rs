//! Fixtures shared by permfw's criterion benches: 500 registered permissions and a user holding
//! 50 of them, the shape the README's figures are measured on.

use permfw::{Model, Permission, User};

pub mod db;
pub mod seed;

/// Removes what the write benches add (grants of `blog.feature_post` and their audit rows), so
/// that every run, and every iteration of the bulk grant, starts from the seeded database.
pub const CLEANUP: &str = "DELETE FROM auth_user_user_permissions WHERE permission_id = \
    (SELECT id FROM auth_permission WHERE app_label = 'blog' AND codename = 'feature_post'); \
    DELETE FROM permfw_audit WHERE permission = 'blog.feature_post'";

/// The guide's post.
#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post", feature_post = "Can feature post")]
pub struct Post;

macro_rules! filler_models {
    ($($name:ident)*) => {$(
        /// A filler model with the 4 default permissions.
        #[derive(Model)]
        #[model(app_label = "filler")]
        pub struct $name;
    )*
        /// Every filler model's permissions.
        #[must_use]
        pub fn filler_permissions() -> Vec<Permission> {
            let mut all = Vec::new();
            $(all.extend_from_slice(<$name as Model>::PERMISSIONS);)*
            all
        }
    };
}

filler_models! {
    F000 F001 F002 F003 F004 F005 F006 F007 F008 F009 F010 F011 F012 F013 F014 F015
    F016 F017 F018 F019 F020 F021 F022 F023 F024 F025 F026 F027 F028 F029 F030 F031
    F032 F033 F034 F035 F036 F037 F038 F039 F040 F041 F042 F043 F044 F045 F046 F047
    F048 F049 F050 F051 F052 F053 F054 F055 F056 F057 F058 F059 F060 F061 F062 F063
    F064 F065 F066 F067 F068 F069 F070 F071 F072 F073 F074 F075 F076 F077 F078 F079
    F080 F081 F082 F083 F084 F085 F086 F087 F088 F089 F090 F091 F092 F093 F094 F095
    F096 F097 F098 F099 F100 F101 F102 F103 F104 F105 F106 F107 F108 F109 F110 F111
    F112 F113 F114 F115 F116 F117 F118 F119 F120 F121 F122 F123
}

/// A user holding 50 of the registered permissions, `Post::PUBLISH_POST` among them, spread
/// over the id range (half granted directly, half through a group).
#[must_use]
pub fn user_with_50_permissions() -> User {
    let filler = filler_permissions();
    let step = filler.len() / 49;
    let picked: Vec<Permission> = filler.iter().step_by(step).take(49).copied().collect();
    let (direct, via_group) = picked.split_at(24);
    let group = permfw::Group::new("Bench").with_permissions(via_group.iter().copied());
    User::builder("bench").permissions(direct.iter().copied()).permission(Post::PUBLISH_POST).group(&group).build()
}
