//! Retention: after IDV_RETENTION the sweeper deletes both files from the storage backend; the
//! links then answer 404/410 and the check record stays, marked with the deletion time.

use crate::common::{spawn_app_with, storage_backend};

#[tokio::test]
async fn expired_files_are_deleted_and_records_remain() {
    // a long sweep interval: the test runs the sweep itself, deterministically
    let app = spawn_app_with(&[
        ("IDV_RETENTION", "1s"),
        ("IDV_RETENTION_SWEEP_INTERVAL", "1h"),
    ])
    .await;
    let p = app.partner("Acme").await;
    let body = app
        .submit_media(&p.api_key, "u1", "seq_obama.webm", "id_obama.jpg")
        .await;
    let check_id = body["check_id"].as_str().unwrap().to_string();
    let urls: Vec<String> = ["selfieVideo", "idPhoto"]
        .iter()
        .map(|k| {
            body["result"]["files"][k]["url"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for u in &urls {
        assert_eq!(app.client.get(u).send().await.unwrap().status(), 200);
    }

    // not yet expired: nothing to do
    let early = app::server::retention::sweep_once(&app.state)
        .await
        .unwrap();
    assert_eq!(early.deleted, 0);

    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let stats = app::server::retention::sweep_once(&app.state)
        .await
        .unwrap();
    assert_eq!((stats.deleted, stats.failed), (1, 0));
    for u in &urls {
        let s = app.client.get(u).send().await.unwrap().status().as_u16();
        let expected: &[u16] = if storage_backend() == "azure" {
            &[404]
        } else {
            &[410]
        };
        assert!(expected.contains(&s), "{u} answered {s} after deletion");
    }
    let rec = app.stored_check(&p.partner_id, &check_id).await;
    assert!(rec.files_deleted_at.is_some());
    // the sweep's deletion is in the partner's audit log
    let log = app::server::audit::list(&app.state.db, &p.partner_id, true, Some(&check_id), 10)
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "retention.files_deleted" && e.actor == "system (retention sweep)"),
        "{log:?}"
    );
    // a second sweep finds nothing (and repeating a deletion is harmless)
    assert_eq!(
        app::server::retention::sweep_once(&app.state)
            .await
            .unwrap()
            .deleted,
        0
    );
    let result = app::server::checks::to_result(
        &rec,
        &app.state.storage,
        std::time::Duration::from_secs(60),
    )
    .await
    .unwrap();
    assert_eq!(
        result.files.selfie_video.url, "",
        "no links once the files are gone"
    );
    assert_eq!(result.status, rec.status);
}
