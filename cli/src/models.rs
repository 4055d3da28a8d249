//! The models the command line runs, and the figures it reports for each.

use flowlab_sim::cache::{self, CacheLab, CacheParams};
use flowlab_sim::chat::{self, ChatLab, ChatParams, Scheme};
use flowlab_sim::kernel::metrics::Percentiles;
use flowlab_sim::kernel::model::Validate;
use flowlab_sim::kernel::time::{Nanos, NS_PER_MS, NS_PER_S};
use flowlab_sim::limiter::{self, Algo, LimiterLab, LimiterParams};
use flowlab_sim::queue::{self, QueueLab, QueueParams};
use flowlab_sim::scenario::flash_sale::{self, FlashSaleParams};
use flowlab_sim::scenario::limiter_queue::{self, LimiterQueueParams};
use flowlab_sim::{Model, ParamError};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::figures::Figures;
use crate::progress;

/// A named starting point: params and seed (the engine's own type).
pub use flowlab_sim::kernel::preset::Preset;

/// What one run produced.
pub struct Outcome {
    pub figures: Figures,
    /// Digest of the model's integer metrics (models that follow [`Model`]).
    pub digest: Option<u64>,
}

/// Called with the run's position (virtual ms, or requests done) now and then.
pub type Report<'a> = &'a (dyn Fn(u64) + Sync);

/// One model the command line can run.
pub trait Spec {
    /// The name on the command line.
    const NAME: &'static str;
    /// One line for `flowlab list`.
    const ABOUT: &'static str;
    /// Runs for a span of virtual time (`--until-s`), rather than to its own end.
    const TIMED: bool;
    type Params: Clone + Default + Validate + Serialize + DeserializeOwned + Send + Sync;

    fn presets() -> Vec<Preset<Self::Params>>;

    /// The figures printed per seed by `--seeds` (all figures are summarised).
    fn key_figures() -> Vec<String>;

    /// How far a run goes, and in what unit, for the progress bar.
    fn extent(p: &Self::Params, until: Nanos) -> (u64, &'static str);

    fn run(
        p: &Self::Params,
        seed: u64,
        until: Nanos,
        report: Report,
    ) -> Result<Outcome, ParamError>;
}

/// The models, by command-line name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Limiter,
    Queue,
    Chat,
    LimiterQueue,
    FlashSale,
    Cache,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Limiter,
        Kind::Queue,
        Kind::Chat,
        Kind::LimiterQueue,
        Kind::FlashSale,
        Kind::Cache,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Limiter => LimiterSpec::NAME,
            Kind::Queue => QueueSpec::NAME,
            Kind::Chat => ChatSpec::NAME,
            Kind::LimiterQueue => LimiterQueueSpec::NAME,
            Kind::FlashSale => FlashSaleSpec::NAME,
            Kind::Cache => CacheSpec::NAME,
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn about(self) -> &'static str {
        match self {
            Kind::Limiter => LimiterSpec::ABOUT,
            Kind::Queue => QueueSpec::ABOUT,
            Kind::Chat => ChatSpec::ABOUT,
            Kind::LimiterQueue => LimiterQueueSpec::ABOUT,
            Kind::FlashSale => FlashSaleSpec::ABOUT,
            Kind::Cache => CacheSpec::ABOUT,
        }
    }

    /// Preset ids and seeds.
    pub fn presets(self) -> Vec<(&'static str, u64)> {
        fn ids<P>(v: Vec<Preset<P>>) -> Vec<(&'static str, u64)> {
            v.into_iter().map(|p| (p.id, p.seed)).collect()
        }
        match self {
            Kind::Limiter => ids(LimiterSpec::presets()),
            Kind::Queue => ids(QueueSpec::presets()),
            Kind::Chat => ids(ChatSpec::presets()),
            Kind::LimiterQueue => ids(LimiterQueueSpec::presets()),
            Kind::FlashSale => ids(FlashSaleSpec::presets()),
            Kind::Cache => ids(CacheSpec::presets()),
        }
    }
}

/// The snake_case name a serde enum serialises to (`Algo::FixedWindow` -> `fixed_window`).
fn snake<T: Serialize + std::fmt::Debug>(t: T) -> String {
    match serde_json::to_value(&t) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{t:?}"),
    }
}

fn ms(ns: u64) -> f64 {
    ns as f64 / NS_PER_MS as f64
}

fn latency(f: &mut Figures, prefix: &str, p: Percentiles) {
    // The histogram stores a zero as 1 ns (its lowest bucket) but keeps the exact maximum: no
    // percentile is above the maximum.
    let q = |ns: u64| ms(ns.min(p.max_ns));
    f.f(format!("{prefix}_p50_ms"), q(p.p50_ns));
    f.f(format!("{prefix}_p90_ms"), q(p.p90_ns));
    f.f(format!("{prefix}_p99_ms"), q(p.p99_ns));
    f.f(format!("{prefix}_max_ms"), ms(p.max_ns));
}

/// Slices of virtual time a timed run advances by (the result does not depend on them: the models
/// give the same run however they are stepped).
const SLICES: u64 = 100;

fn advance_in_slices<M: Model>(lab: &mut M, until: Nanos, report: Report) {
    for k in 1..=SLICES {
        let t = (until as u128 * k as u128 / SLICES as u128) as Nanos;
        lab.run_to(t);
        report(t / NS_PER_MS);
    }
}

pub struct LimiterSpec;

impl Spec for LimiterSpec {
    const NAME: &'static str = "limiter";
    const ABOUT: &'static str =
        "five rate limiters (fixed window, sliding log, sliding counter, token bucket, leaky bucket) fed the same arrivals; runs --until-s virtual seconds";
    const TIMED: bool = true;
    type Params = LimiterParams;

    fn presets() -> Vec<Preset<LimiterParams>> {
        limiter::presets::all()
    }

    fn key_figures() -> Vec<String> {
        let mut v = vec!["arrived".to_string()];
        for a in Algo::ALL {
            for f in ["accepted", "rejected", "max_in_window", "over_limit"] {
                v.push(format!("{}.{f}", snake(a)));
            }
        }
        v
    }

    fn extent(_: &LimiterParams, until: Nanos) -> (u64, &'static str) {
        (until / NS_PER_MS, "virtual ms")
    }

    fn run(
        p: &LimiterParams,
        seed: u64,
        until: Nanos,
        report: Report,
    ) -> Result<Outcome, ParamError> {
        let mut lab = LimiterLab::new(p.clone(), seed)?;
        advance_in_slices(&mut lab, until, report);
        let mut f = Figures::default();
        f.f("virtual_s", lab.now() as f64 / NS_PER_S as f64);
        f.u("arrived", lab.arrived());
        f.b("accounted", lab.accounted());
        for a in Algo::ALL {
            let l = lab.lane(a);
            let n = snake(a);
            let queued = if a == Algo::LeakyBucket {
                lab.leaky_queued()
            } else {
                0
            };
            f.u(format!("{n}.arrived"), l.arrived);
            f.u(format!("{n}.accepted"), l.accepted);
            f.u(format!("{n}.rejected"), l.rejected);
            f.u(format!("{n}.queued"), queued);
            f.u(format!("{n}.max_in_window"), l.max_in_window);
            f.f(
                format!("{n}.max_in_window_at_s"),
                l.max_in_window_at as f64 / NS_PER_S as f64,
            );
            f.f(format!("{n}.nominal_limit"), l.nominal_limit());
            f.u(format!("{n}.over_limit"), l.over_limit);
            latency(&mut f, &format!("{n}.delay"), l.delay.percentiles());
        }
        Ok(Outcome {
            figures: f,
            digest: Some(lab.digest()),
        })
    }
}

pub struct QueueSpec;

impl Spec for QueueSpec {
    const NAME: &'static str = "queue";
    const ABOUT: &'static str =
        "partitioned message queue: producers, replicated partitions, a consumer group and faults; runs --until-s virtual seconds, then stops sending, heals every fault and reports the exact checks once quiet";
    const TIMED: bool = true;
    type Params = QueueParams;

    fn presets() -> Vec<Preset<QueueParams>> {
        queue::presets::all()
    }

    fn key_figures() -> Vec<String> {
        [
            "sent",
            "lost",
            "failed_visibly",
            "dup_written",
            "dup_processed",
            "order_violations",
            "lag",
            "e2e_latency_p99_ms",
            "final.lost",
            "final.processed_twice",
        ]
        .map(String::from)
        .to_vec()
    }

    fn extent(_: &QueueParams, until: Nanos) -> (u64, &'static str) {
        (until / NS_PER_MS, "virtual ms")
    }

    fn run(
        p: &QueueParams,
        seed: u64,
        until: Nanos,
        report: Report,
    ) -> Result<Outcome, ParamError> {
        let mut lab = QueueLab::new(p.clone(), seed)?;
        advance_in_slices(&mut lab, until, report);
        let mut f = Figures::default();
        let digest = lab.digest();
        f.f("virtual_s", lab.now() as f64 / NS_PER_S as f64);
        let s = lab.stats();
        for (name, v) in [
            ("sent", s.sent),
            ("acked", s.acked),
            ("failed_visibly", s.failed_visibly),
            ("lost", s.lost),
            ("requests", s.requests),
            ("retries", s.retries),
            ("appended", s.appended),
            ("dup_written", s.dup_written),
            ("truncated", s.truncated),
            ("elections", s.elections),
            ("unclean_elections", s.unclean_elections),
            ("rebalances", s.rebalances),
            ("delivered", s.delivered),
            ("dup_delivered", s.dup_delivered),
            ("processed", s.processed),
            ("dup_processed", s.dup_processed),
            ("deduped", s.deduped),
            ("order_violations", s.order_violations),
            ("dead_lettered", s.dead_lettered),
            ("expired", s.expired),
            ("dropped_events", s.dropped_events),
            ("idle_consumers", lab.idle_members() as u64),
            ("lag", lab.total_lag()),
        ] {
            f.u(name, v);
        }
        latency(&mut f, "e2e_latency", s.e2e_latency.percentiles());
        latency(&mut f, "send_latency", s.send_latency.percentiles());
        // Then quiet: the exact checks.
        let quiet = lab.quiesce(600 * NS_PER_S);
        let fc = lab.final_check();
        f.b("final.quiet", quiet);
        f.u("final.lost", fc.lost);
        f.u("final.processed_twice", fc.processed_twice);
        f.u("final.written_twice", fc.written_twice);
        f.u("final.failed", fc.failed);
        f.u("final.order_violations", lab.stats().order_violations);
        Ok(Outcome {
            figures: f,
            digest: Some(digest),
        })
    }
}

pub struct ChatSpec;

impl Spec for ChatSpec {
    const NAME: &'static str = "chat";
    const ABOUT: &'static str =
        "group-chat offline store: four storage schemes fed the same messages, churn and faults; runs --until-s virtual seconds";
    const TIMED: bool = true;
    type Params = ChatParams;

    fn presets() -> Vec<Preset<ChatParams>> {
        chat::presets::all()
    }

    fn key_figures() -> Vec<String> {
        let mut v = vec!["messages".to_string()];
        for s in Scheme::ALL {
            for f in [
                "lost",
                "delivered",
                "writes_per_message",
                "peak_rows",
                "rows_read",
                "pull_latency_p99_ms",
            ] {
                v.push(format!("{}.{f}", snake(s)));
            }
        }
        v
    }

    fn extent(_: &ChatParams, until: Nanos) -> (u64, &'static str) {
        (until / NS_PER_MS, "virtual ms")
    }

    fn run(p: &ChatParams, seed: u64, until: Nanos, report: Report) -> Result<Outcome, ParamError> {
        let mut lab = ChatLab::new(p.clone(), seed)?;
        advance_in_slices(&mut lab, until, report);
        let mut f = Figures::default();
        f.f("virtual_s", lab.now() as f64 / NS_PER_S as f64);
        f.u("users", lab.users() as u64);
        f.u("messages", lab.messages());
        f.u("online_faults", lab.online_faults());
        f.u("dropped_events", lab.dropped_events());
        let msgs = lab.messages();
        for s in Scheme::ALL {
            let st = lab.stats(s);
            let n = snake(s);
            for (name, v) in [
                ("inserts", st.inserts),
                ("deletes", st.deletes),
                ("updates", st.updates),
                ("write_bytes", st.write_bytes),
                ("rows_stored", st.rows_stored),
                ("peak_rows", st.peak_rows),
                ("bytes_stored", st.bytes_stored),
                ("pulls", st.pulls),
                ("reconnect_pulls", st.reconnect_pulls),
                ("rows_read", st.rows_read),
                ("reconnect_rows_read", st.reconnect_rows_read),
                ("lost", st.lost),
                ("delivered", st.delivered),
                ("duplicates_delivered", st.duplicates_delivered),
                ("shown_twice", st.shown_twice),
                ("unread_checks", st.unread_checks),
                ("unread_wrong", st.unread_wrong),
                ("unread_abs_error", st.unread_abs_error),
            ] {
                f.u(format!("{n}.{name}"), v);
            }
            f.f(
                format!("{n}.writes_per_message"),
                st.writes_per_message(msgs),
            );
            f.f(format!("{n}.rows_per_reconnect"), st.rows_per_reconnect());
            latency(
                &mut f,
                &format!("{n}.pull_latency"),
                st.pull_latency.percentiles(),
            );
        }
        Ok(Outcome {
            figures: f,
            digest: Some(lab.digest()),
        })
    }
}

pub struct LimiterQueueSpec;

impl Spec for LimiterQueueSpec {
    const NAME: &'static str = "limiter-queue";
    const ABOUT: &'static str =
        "reference model: Poisson arrivals, a token bucket, one FIFO queue and servers; runs `requests` arrivals and reports wall-clock requests_per_s";
    const TIMED: bool = false;
    type Params = LimiterQueueParams;

    fn presets() -> Vec<Preset<LimiterQueueParams>> {
        Vec::new()
    }

    fn key_figures() -> Vec<String> {
        [
            "admitted",
            "rejected",
            "dropped",
            "completed",
            "mean_wait_ms",
            "max_queue_len",
            "requests_per_s",
        ]
        .map(String::from)
        .to_vec()
    }

    fn extent(p: &LimiterQueueParams, _: Nanos) -> (u64, &'static str) {
        (p.requests, "requests")
    }

    fn run(
        p: &LimiterQueueParams,
        seed: u64,
        _: Nanos,
        report: Report,
    ) -> Result<Outcome, ParamError> {
        let started = progress::now();
        let r = limiter_queue::run(p, seed, report)?;
        let wall_s = started.elapsed().as_secs_f64();
        let mut f = Figures::default();
        f.u("arrived", r.arrived);
        f.u("admitted", r.admitted);
        f.u("rejected", r.rejected);
        f.u("dropped", r.dropped);
        f.u("completed", r.completed);
        f.f("mean_wait_ms", r.mean_wait_ms);
        f.u("max_queue_len", r.max_queue_len);
        f.f("virtual_s", r.virtual_s);
        // Any field the report gains later is printed too, after these.
        if let Ok(serde_json::Value::Object(m)) = serde_json::to_value(&r) {
            for (k, v) in m {
                if f.get(&k).is_some() {
                    continue;
                }
                if let Some(u) = v.as_u64() {
                    f.u(k, u);
                } else if let Some(x) = v.as_f64() {
                    f.f(k, x);
                } else if let Some(b) = v.as_bool() {
                    f.b(k, b);
                }
            }
        }
        f.f("requests_per_s", r.arrived as f64 / wall_s.max(1e-9));
        f.f("wall_s", wall_s);
        Ok(Outcome {
            figures: f,
            digest: None,
        })
    }
}

pub struct FlashSaleSpec;

impl Spec for FlashSaleSpec {
    const NAME: &'static str = "flash-sale";
    const ABOUT: &'static str =
        "100,000,000 users grab a gift within one second; every request simulated; reports answers, oversell, response times and wall-clock requests_per_s";
    const TIMED: bool = false;
    type Params = FlashSaleParams;

    fn presets() -> Vec<Preset<FlashSaleParams>> {
        flash_sale::presets::all()
    }

    fn key_figures() -> Vec<String> {
        [
            "success",
            "sold_out",
            "rejected",
            "oversold",
            "answered_within_1s",
            "response_p99_ms",
            "requests_per_s",
        ]
        .map(String::from)
        .to_vec()
    }

    fn extent(p: &FlashSaleParams, _: Nanos) -> (u64, &'static str) {
        (p.users, "users")
    }

    fn run(
        p: &FlashSaleParams,
        seed: u64,
        _: Nanos,
        report: Report,
    ) -> Result<Outcome, ParamError> {
        let started = progress::now();
        let r = flash_sale::run(p, seed, report)?;
        let wall_s = started.elapsed().as_secs_f64();
        let mut f = Figures::default();
        if let Ok(serde_json::Value::Object(m)) = serde_json::to_value(&r) {
            for (k, v) in m {
                if let Some(u) = v.as_u64() {
                    f.u(k, u);
                } else if let Some(x) = v.as_f64() {
                    f.f(k, x);
                }
            }
        }
        f.f("requests_per_s", r.users as f64 / wall_s.max(1e-9));
        f.f("wall_s", wall_s);
        Ok(Outcome {
            figures: f,
            digest: None,
        })
    }
}

pub struct CacheSpec;

impl Spec for CacheSpec {
    const NAME: &'static str = "cache";
    const ABOUT: &'static str =
        "cache lab: update strategies, penetration/breakdown/avalanche protections and consistent hashing, variants side by side on the same requests; runs --until-s virtual seconds";
    const TIMED: bool = true;
    type Params = CacheParams;

    fn presets() -> Vec<Preset<CacheParams>> {
        cache::presets::all()
    }

    fn key_figures() -> Vec<String> {
        // The lanes depend on `compare`; these are the lane-independent ones.
        vec!["arrivals".to_string(), "dropped_events".to_string()]
    }

    fn extent(_: &CacheParams, until: Nanos) -> (u64, &'static str) {
        (until / NS_PER_MS, "virtual ms")
    }

    fn run(
        p: &CacheParams,
        seed: u64,
        until: Nanos,
        report: Report,
    ) -> Result<Outcome, ParamError> {
        let mut lab = CacheLab::new(p.clone(), seed)?;
        advance_in_slices(&mut lab, until, report);
        let mut f = Figures::default();
        f.f("virtual_s", lab.now() as f64 / NS_PER_S as f64);
        f.u("arrivals", lab.arrivals());
        f.u("dropped_events", lab.dropped_events());
        if let Some(c) = lab.last_change() {
            f.f("ring_change.ring_share", c.ring_share);
            f.f("ring_change.mod_n_share", c.mod_n_share);
        }
        for i in 0..lab.lane_count() {
            let s = lab.stats(i);
            let n = s.kind.id();
            for (name, v) in [
                ("reads", s.reads),
                ("writes", s.writes),
                ("hits_l1", s.hits_l1),
                ("hits_cache", s.hits_cache),
                ("filtered", s.filtered),
                ("miss_served", s.miss_served),
                ("read_errors", s.read_errors),
                ("writes_acked", s.writes_acked),
                ("write_errors", s.write_errors),
                ("db_queries", s.db_queries),
                ("db_timeouts", s.db_timeouts),
                ("peak_db_qps", s.peak_db_qps),
                ("stale_reads", s.stale_reads),
                ("lost_writes", s.lost_writes),
                ("bloom_false_positives", s.bloom_false_positives),
                ("max_loads_per_fill", s.max_loads_per_fill),
                ("hot_key_max_loads", s.hot_key_max_loads),
                ("keys_moved", s.keys_moved),
            ] {
                f.u(format!("{n}.{name}"), v);
            }
            f.f(format!("{n}.hit_ratio"), s.hit_ratio());
            f.f(format!("{n}.db_overload_ms"), ms(s.overload_ns));
            f.f(format!("{n}.max_staleness_ms"), ms(s.max_staleness_ns));
            latency(
                &mut f,
                &format!("{n}.read_latency"),
                s.read_latency.percentiles(),
            );
            latency(
                &mut f,
                &format!("{n}.write_latency"),
                s.write_latency.percentiles(),
            );
        }
        Ok(Outcome {
            figures: f,
            digest: Some(lab.digest()),
        })
    }
}
