//! A flood of public comments from one address: the rate limit holds (exactly
//! the bucket's worth is appended, every other attempt is a 429 that appends nothing),
//! while a commenter at another address and readers keep being served during the flood.
//! The figures of the same situation at full speed come from `bench/load/run` (docs/performance.md).

use std::net::{IpAddr, Ipv4Addr};

use reqwest::StatusCode;
use serde_json::json;

use crate::public_channel::{Consultation, CONSULTATION};
use crate::support::Backend;

both_backends!(a_flood_from_one_address_does_not_starve_the_others);

const PER_MINUTE: u32 = 3;
const FLOOD: usize = 300;

async fn a_flood_from_one_address_does_not_starve_the_others(backend: Backend) {
    let c = Consultation::open(backend, PER_MINUTE).await;
    let size = c.tree_size().await;
    let url = c.url(&format!("/v1/consultations/{CONSULTATION}/comments"));

    // The flood: many concurrent posts from 127.0.0.1.
    let flood: Vec<_> = (0..FLOOD)
        .map(|i| {
            let (http, url) = (c.http.clone(), url.clone());
            tokio::spawn(async move {
                http.post(url)
                    .json(&json!({"text": format!("Inondation {i}"), "article": null}))
                    .send()
                    .await
                    .map(|r| r.status())
            })
        })
        .collect();

    // Meanwhile another address comments, and readers read.
    let other = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .build()
        .expect("a client at 127.0.0.2");
    let mut other_statuses = Vec::new();
    for i in 0..PER_MINUTE {
        let status = other
            .post(&url)
            .json(&json!({"text": format!("Avis d'une autre adresse {i}"), "article": null}))
            .send()
            .await
            .expect("the other address's post")
            .status();
        other_statuses.push(status);
        let read = other
            .get(c.url(&format!("/v1/consultations/{CONSULTATION}")))
            .send()
            .await
            .expect("a read during the flood")
            .status();
        assert_eq!(read, StatusCode::OK, "reads are served during the flood");
    }

    let mut created = 0;
    let mut limited = 0;
    for task in flood {
        match task.await.expect("flood task").expect("flood post") {
            StatusCode::CREATED => created += 1,
            StatusCode::TOO_MANY_REQUESTS => limited += 1,
            other => panic!("a flood post got {other}"),
        }
    }
    assert_eq!(
        other_statuses,
        vec![StatusCode::CREATED; PER_MINUTE as usize],
        "the other address keeps its own allowance"
    );
    assert_eq!(
        created, PER_MINUTE as usize,
        "the flooding address gets its bucket, no more"
    );
    assert_eq!(limited, FLOOD - created);
    assert_eq!(
        c.tree_size().await,
        size + 2 * u64::from(PER_MINUTE),
        "only accepted comments are in the log"
    );
}
