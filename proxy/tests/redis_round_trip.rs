//! What one round trip of the Redis store costs against a real `redis-server` on loopback:
//! an idempotency claim, its release, and a rate-limit hit, one after another and many at
//! once. The timings are printed (`--nocapture`), not asserted; every answer is checked.

use std::time::{Duration, Instant};

use futures_util::future::join_all;
use moov_support_proxy::store::{RedisStore, Store};

#[path = "support/redis.rs"]
mod redis;
use redis::Redis;

/// Round trips per measurement: enough to average out scheduling noise on a busy machine.
const ROUNDS: u32 = 2_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_release_and_hit_round_trips() {
    let redis = Redis::start().await;
    let store = RedisStore::new(&redis.url).unwrap();
    let ttl = Duration::from_secs(60);
    let window = Duration::from_secs(60);
    store.ping().await.unwrap();

    let started = Instant::now();
    for i in 0..ROUNDS {
        assert!(store
            .claim(&format!("rt:claim:{i}"), "me", ttl)
            .await
            .unwrap());
    }
    let claim = started.elapsed() / ROUNDS;

    let started = Instant::now();
    for i in 0..ROUNDS {
        store.release(&format!("rt:claim:{i}"), "me").await.unwrap();
    }
    let release = started.elapsed() / ROUNDS;
    assert_eq!(store.get("rt:claim:0").await.unwrap(), None);

    let started = Instant::now();
    for i in 0..ROUNDS {
        let hits = store.hit("rt:hit", window).await.unwrap();
        assert_eq!(hits.count, u64::from(i) + 1);
    }
    let hit = started.elapsed() / ROUNDS;

    let started = Instant::now();
    let taken = join_all((0..ROUNDS).map(|i| {
        let store = &store;
        async move {
            store
                .claim(&format!("rt:many:{i}"), "me", ttl)
                .await
                .unwrap()
        }
    }))
    .await;
    let many = started.elapsed();
    assert!(taken.into_iter().all(|t| t));

    println!(
        "redis store round trips ({ROUNDS} each): claim {claim:?}, release {release:?}, \
         hit {hit:?}; {ROUNDS} concurrent claims in {many:?}"
    );
}
