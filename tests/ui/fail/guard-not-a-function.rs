use permfw::permission_required;

#[permission_required("blog.publish_post")]
struct Post;

#[permission_required("blog.publish_post")]
mod views {}

fn main() {}
