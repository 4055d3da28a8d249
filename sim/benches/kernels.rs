//! Benchmarks of the engine's hot paths: the event queue, a limiter's `offer`, a whole lab run, and
//! traffic generation. Run with `cargo bench -p flowlab-sim`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flowlab_sim::kernel::event::EventQueue;
use flowlab_sim::kernel::rng::SimRng;
use flowlab_sim::kernel::time::{secs, Nanos};
use flowlab_sim::kernel::traffic::{Pattern, TrafficGen, TrafficParams};
use flowlab_sim::limiter::algo::TokenBucket;
use flowlab_sim::limiter::{LimiterLab, LimiterParams, Verdict};
use flowlab_sim::Model;

const QUEUE_EVENTS: usize = 100_000;
const OFFERS: usize = 1_000_000;
const LAB_SECONDS: u64 = 600;
const ARRIVALS: usize = 1_000_000;

fn poisson(rate_per_s: u32) -> TrafficParams {
    TrafficParams {
        pattern: Pattern::Poisson,
        rate_per_s,
        ..TrafficParams::default()
    }
}

fn event_queue(c: &mut Criterion) {
    let mut rng = SimRng::new(1);
    let times: Vec<Nanos> = (0..QUEUE_EVENTS).map(|_| rng.below(secs(600))).collect();
    let mut g = c.benchmark_group("event_queue");
    g.throughput(Throughput::Elements(QUEUE_EVENTS as u64));
    g.bench_function("push_pop_100k", |b| {
        b.iter(|| {
            let mut q = EventQueue::with_capacity(QUEUE_EVENTS);
            for (i, &t) in times.iter().enumerate() {
                q.push(t, i as u32).expect("sized for every event");
            }
            let mut sum = 0u64;
            while let Some((t, e)) = q.pop_due(Nanos::MAX) {
                sum = sum.wrapping_add(t ^ e as u64);
            }
            black_box(sum)
        })
    });
    g.finish();
}

fn token_bucket(c: &mut Criterion) {
    let mut gen = TrafficGen::new(&poisson(1_000), 2);
    let times: Vec<Nanos> = (0..OFFERS)
        .map(|_| gen.next_arrival().expect("endless stream").at)
        .collect();
    let mut g = c.benchmark_group("token_bucket");
    g.throughput(Throughput::Elements(OFFERS as u64));
    g.bench_function("offer_1m", |b| {
        b.iter(|| {
            let mut tb = TokenBucket::new(500, 100);
            times
                .iter()
                .filter(|&&t| tb.offer(black_box(t)) == Verdict::Accept)
                .count()
        })
    });
    g.finish();
}

fn limiter_lab(c: &mut Criterion) {
    let mut probe = LimiterLab::new(LimiterParams::default(), 42).expect("defaults are valid");
    probe.run_to(secs(LAB_SECONDS));
    let mut g = c.benchmark_group("limiter_lab");
    // Throughput in arrivals (each offered to the five limiters).
    g.throughput(Throughput::Elements(probe.arrived()));
    g.bench_function("default_params_600s", |b| {
        b.iter(|| {
            let mut lab = LimiterLab::new(LimiterParams::default(), black_box(42))
                .expect("defaults are valid");
            lab.run_to(secs(LAB_SECONDS));
            lab.digest()
        })
    });
    g.finish();
}

fn traffic(c: &mut Criterion) {
    let p = poisson(1_000);
    let mut g = c.benchmark_group("traffic");
    g.throughput(Throughput::Elements(ARRIVALS as u64));
    g.bench_function("poisson_1m_arrivals", |b| {
        b.iter(|| {
            let mut gen = TrafficGen::new(&p, black_box(3));
            let mut last = 0;
            for _ in 0..ARRIVALS {
                last = gen.next_arrival().expect("endless stream").at;
            }
            last
        })
    });
    g.finish();
}

/// The scenario runs the command line and the page make, at a tenth of full scale.
fn scenarios(c: &mut Criterion) {
    use flowlab_sim::scenario::{flash_sale, limiter_queue};
    let mut g = c.benchmark_group("scenario");
    g.sample_size(10);
    let lq = limiter_queue::LimiterQueueParams {
        requests: 10_000_000,
        ..Default::default()
    };
    g.throughput(Throughput::Elements(lq.requests));
    g.bench_function("limiter_queue_10m", |b| {
        b.iter(|| limiter_queue::run(&lq, 1, |_| {}).unwrap())
    });
    let fs = flash_sale::FlashSaleParams {
        users: 10_000_000,
        stock: 10_000,
        ..Default::default()
    };
    g.throughput(Throughput::Elements(fs.users));
    g.bench_function("flash_sale_10m", |b| {
        b.iter(|| flash_sale::run(&fs, 1, |_| {}).unwrap())
    });
    g.finish();
}

/// One chat lab run: 20 groups of 50 members, 20 msgs/s, 60 virtual seconds.
fn chat_lab(c: &mut Criterion) {
    use flowlab_sim::chat::{ChatLab, ChatParams};
    let mut g = c.benchmark_group("chat_lab");
    g.sample_size(10);
    g.bench_function("default_params_60s", |b| {
        b.iter(|| {
            let mut lab = ChatLab::new(ChatParams::default(), 1).unwrap();
            lab.run_to(flowlab_sim::kernel::time::secs(60));
            lab.digest()
        })
    });
    g.finish();
}

/// The queue lab's whole message path, by messages: send, batch, append to a partition leader,
/// replicate, acknowledge, poll, process, commit. 20,000 msgs/s for 10 virtual seconds with the
/// default cluster (3 brokers, 4 partitions, acks=all, idempotence, 3 consumers); 200k messages.
fn queue_lab(c: &mut Criterion) {
    use flowlab_sim::queue::{QueueLab, QueueParams};
    let mut g = c.benchmark_group("queue_lab");
    g.sample_size(10);
    let p = QueueParams {
        rate_per_s: 20_000,
        consumers: 4,
        process_ms: 0,
        buffer_memory_bytes: 100_000_000,
        ..QueueParams::default()
    };
    let mut probe = QueueLab::new(p.clone(), 1).unwrap();
    probe.run_to(flowlab_sim::kernel::time::secs(10));
    g.throughput(Throughput::Elements(probe.stats().sent));
    g.bench_function("messages_20k_per_s_10s", |b| {
        b.iter(|| {
            let mut lab = QueueLab::new(p.clone(), 1).unwrap();
            lab.run_to(flowlab_sim::kernel::time::secs(10));
            lab.digest()
        })
    });
    g.finish();
}

/// Cache lookups: a key's owner on a consistent-hash ring (8 nodes × 160 virtual nodes), then a
/// get (and an insert on a miss) in that node's LRU of 5,000 values, for 1M Zipf-popular keys out of
/// 50,000.
fn cache_lookup(c: &mut Criterion) {
    use flowlab_sim::cache::lru::Lru;
    use flowlab_sim::cache::ring::{key_hash, Ring};
    use flowlab_sim::kernel::rng::SimRng;
    use flowlab_sim::kernel::traffic::{KeyChoice, KeyPicker};
    let mut g = c.benchmark_group("cache_lookup");
    g.sample_size(10);
    let keys = KeyPicker::new(KeyChoice::Zipf, 50_000, 1.0);
    let mut rng = SimRng::new(1);
    let stream: Vec<u32> = (0..1_000_000)
        .map(|_| keys.pick(&mut rng).unwrap())
        .collect();
    let nodes: Vec<u32> = (0..8).collect();
    let ring = Ring::new(&nodes, 160);
    g.throughput(Throughput::Elements(stream.len() as u64));
    g.bench_function("ring_owner_then_lru_1m", |b| {
        b.iter(|| {
            let mut lrus: Vec<Lru<u32>> = (0..8).map(|_| Lru::new(5_000)).collect();
            let mut hits = 0u64;
            for &k in &stream {
                let node = ring.owner(key_hash(k)).unwrap() as usize;
                if lrus[node].get(k).is_some() {
                    hits += 1;
                } else {
                    lrus[node].insert(k, k);
                }
            }
            hits
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    cache_lookup,
    queue_lab,
    event_queue,
    token_bucket,
    limiter_lab,
    traffic,
    scenarios,
    chat_lab
);
criterion_main!(benches);
