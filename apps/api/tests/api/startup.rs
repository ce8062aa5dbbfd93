//! The API refuses to serve as a role that would bypass Row Level Security.

use theset_api::db::refuse_privileged_role;
use theset_database::testing::TestDatabase;

#[actix_web::test]
async fn privileged_roles_are_refused_at_start_up() {
    let db = TestDatabase::new().await;
    refuse_privileged_role(&db.config_as("theset_api"))
        .await
        .unwrap();
    let owner = refuse_privileged_role(&db.config()).await.unwrap_err();
    assert!(
        owner.contains("superuser") || owner.contains("owns tables"),
        "{owner}"
    );
    let service = refuse_privileged_role(&db.config_as("theset_service"))
        .await
        .unwrap_err();
    assert!(service.contains("BYPASSRLS"), "{service}");
}
