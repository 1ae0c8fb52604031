//! The blog of the guide: its models, shared by the `blog` example and the `manage` binary.

use permfw::Model;

/// The guide's `Post`, with its two custom permissions.
#[derive(Model, Debug)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post", feature_post = "Can feature post")]
pub struct Post {
    /// The title.
    pub title: String,
    /// Whether it is published.
    pub published: bool,
    /// Whether it is on the front page.
    pub featured: bool,
}
