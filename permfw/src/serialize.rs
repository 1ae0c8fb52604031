//! `Serialize` for the core's values (the `serde` feature): a permission is its
//! `app_label.codename` string, as Django's REST framework shows one.

use serde::{Serialize, Serializer};

use crate::permission::Permission;

impl Serialize for Permission {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
