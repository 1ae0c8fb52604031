use permfw::{permission_required, HasPerms, Model, PermissionDenied, User};

#[derive(Model)]
#[model(app_label = "blog")]
#[permissions(publish_post = "Can publish post")]
struct Post;

#[permission_required("blog.publish_post")]
fn sync_fn(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

#[permission_required(Post::PUBLISH_POST)]
async fn async_fn(user: &User) -> Result<(), PermissionDenied> {
    Ok(())
}

struct Desk {
    count: u32,
}

impl Desk {
    #[permission_required(Post::PUBLISH_POST)]
    fn by_ref(&self, user: &User) -> Result<u32, PermissionDenied> {
        Ok(self.count)
    }

    #[permission_required(Post::PUBLISH_POST)]
    fn by_mut(&mut self, user: &User) -> Result<u32, PermissionDenied> {
        self.count += 1;
        Ok(self.count)
    }

    #[permission_required(Post::PUBLISH_POST)]
    async fn async_by_ref(&self, user: &User) -> Result<u32, PermissionDenied> {
        Ok(self.count)
    }

    #[permission_required(Post::PUBLISH_POST)]
    fn by_value(self, user: User) -> Result<u32, PermissionDenied> {
        Ok(self.count)
    }

    #[permission_required(Self::PERM)]
    fn self_const(&self, user: &User) -> Result<(), PermissionDenied> {
        Ok(())
    }

    const PERM: permfw::Permission = Post::PUBLISH_POST;
}

trait Publisher {
    fn publish(&self, user: &User) -> Result<(), PermissionDenied>;

    #[permission_required(Post::PUBLISH_POST)]
    fn publish_default(&self, user: &User) -> Result<(), PermissionDenied> {
        Ok(())
    }
}

impl Publisher for Desk {
    #[permission_required(Post::PUBLISH_POST)]
    fn publish(&self, user: &User) -> Result<(), PermissionDenied> {
        Ok(())
    }
}

fn main() {
    let user = User::builder("u").permission(Post::PUBLISH_POST).build();
    assert!(user.has_perm(Post::PUBLISH_POST));
    let mut desk = Desk { count: 0 };
    let _ = (sync_fn(&user), async_fn(&user), desk.by_mut(&user), desk.by_ref(&user));
    let _ = (desk.async_by_ref(&user), desk.self_const(&user), desk.publish(&user), desk.publish_default(&user));
    let _ = desk.by_value(user);
}
