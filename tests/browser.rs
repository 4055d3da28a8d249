//! Browser tests (wasm-bindgen-test in headless Chromium): the engine gives the same figures in wasm
//! as natively, and the app mounts, draws and switches language.
#![cfg(target_arch = "wasm32")]

use flowlab_sim::kernel::time::secs;
use flowlab_sim::limiter::{LimiterLab, LimiterParams};
use flowlab_sim::Model;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The digest the native test suite checks (sim/tests/determinism.rs) for the same run.
const GOLDEN: &str = include_str!("../sim/tests/golden/limiter_default_seed42_60s.txt");

#[wasm_bindgen_test]
fn limiter_run_in_wasm_matches_the_native_digest() {
    let expected: u64 = GOLDEN.trim().parse().expect("golden digest is a number");
    let mut lab = LimiterLab::new(LimiterParams::default(), 42).unwrap();
    lab.run_to(secs(60));
    assert_eq!(
        lab.digest(),
        expected,
        "wasm run differs from the native run"
    );
}

#[wasm_bindgen_test]
fn chat_run_in_wasm_matches_the_native_digest() {
    use flowlab_sim::chat::{ChatLab, ChatParams};
    let expected: u64 = include_str!("../sim/tests/golden/chat_default_seed42_30s.txt")
        .trim()
        .parse()
        .unwrap();
    // The same run as sim/tests/chat_golden.rs.
    let mut lab = ChatLab::new(
        ChatParams {
            crash_prob: 0.01,
            ack_batch_ms: 200,
            ..ChatParams::default()
        },
        42,
    )
    .unwrap();
    lab.run_to(secs(30));
    assert_eq!(
        lab.digest(),
        expected,
        "wasm chat run differs from the native run"
    );
}

#[wasm_bindgen_test]
fn queue_run_in_wasm_matches_the_native_digest() {
    use flowlab_sim::queue::{presets, QueueLab};
    let expected: u64 = include_str!("../sim/tests/golden/queue_safe_producer_20s.txt")
        .trim()
        .parse()
        .unwrap();
    // The same run as sim/tests/queue_golden.rs.
    let p = presets::by_id("safe_producer").unwrap();
    let mut lab = QueueLab::new(p.params, p.seed).unwrap();
    lab.run_to(secs(20));
    assert_eq!(
        lab.digest(),
        expected,
        "wasm queue run differs from the native run"
    );
}

#[wasm_bindgen_test]
fn cache_run_in_wasm_matches_the_native_digest() {
    use flowlab_sim::cache::{presets, CacheLab};
    let expected: u64 = include_str!("../sim/tests/golden/cache_race_seed42_10s.txt")
        .trim()
        .parse()
        .unwrap();
    // The same run as sim/tests/cache_golden.rs.
    let mut lab = CacheLab::new(presets::cache_aside_race().params, 42).unwrap();
    lab.run_to(secs(10));
    assert_eq!(
        lab.digest(),
        expected,
        "wasm cache run differs from the native run"
    );
}

#[wasm_bindgen_test]
fn snowflake_run_in_wasm_matches_the_native_digest() {
    use flowlab_sim::labs::snowflake::{presets, SnowflakeLab};
    let expected: u64 = include_str!("../sim/tests/golden/snowflake_clock_back_4s.txt")
        .trim()
        .parse()
        .unwrap();
    // The same run as sim/tests/snowflake_golden.rs.
    let p = presets::by_id("clock_back_5ms").unwrap();
    let mut lab = SnowflakeLab::new(p.params, p.seed).unwrap();
    lab.run_to(secs(4));
    assert_eq!(
        lab.digest(),
        expected,
        "wasm snowflake run differs from the native run"
    );
}

#[wasm_bindgen_test]
fn limiter_run_is_repeatable_in_wasm() {
    let run = || {
        let mut lab =
            LimiterLab::new(flowlab_sim::limiter::presets::boundary_burst().params, 9).unwrap();
        lab.run_to(secs(30));
        lab.digest()
    };
    assert_eq!(run(), run());
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn text_of(selector: &str) -> String {
    document()
        .query_selector(selector)
        .unwrap()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn app_mounts_draws_and_switches_language() {
    let doc = document();
    if let Some(s) = web_sys::window().unwrap().local_storage().unwrap() {
        s.set_item("flowlab.lang", "en").unwrap();
    }
    web_sys::window()
        .unwrap()
        .location()
        .set_hash("#/limiter?seed=5&fixed_window.limit=0")
        .unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    // The test runner serves no `worker.js`: without `Worker` the live run starts on the main
    // thread at once (the page's own fallback), instead of after the worker's start timeout. The
    // engine's worker is tested end to end (tests/e2e/labs/engine.mjs).
    let _ = js_sys::Reflect::delete_property(web_sys::window().unwrap().as_ref(), &"Worker".into());
    let handle = yew::Renderer::<flowlab::app::App>::with_root(root.clone()).render();
    TimeoutFuture::new(800).await;

    assert_eq!(text_of("h1"), "Rate limiters, side by side");
    // The bad limit in the URL is reported, naming the field and the range.
    let notice = text_of("#url-notice");
    assert!(
        notice.contains("fixed_window.limit") && notice.contains("1..=100000"),
        "{notice}"
    );

    // The canvas has been drawn (not blank).
    let canvas: web_sys::HtmlCanvasElement = doc
        .query_selector("#lab-canvas")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let px = ctx
        .get_image_data(0.0, 0.0, canvas.width() as f64, canvas.height() as f64)
        .unwrap()
        .data();
    let distinct: std::collections::HashSet<_> = px
        .chunks(4)
        .map(|c| (c[0], c[1], c[2]))
        .take(200_000)
        .collect();
    assert!(distinct.len() > 5, "canvas looks blank");

    // Switch language.
    let btn: web_sys::HtmlElement = doc
        .query_selector("#lang-switch")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    btn.click();
    TimeoutFuture::new(300).await;
    assert_eq!(text_of("h1"), "限流算法并排对比");
    assert_eq!(
        web_sys::window()
            .unwrap()
            .local_storage()
            .unwrap()
            .unwrap()
            .get_item("flowlab.lang")
            .unwrap()
            .as_deref(),
        Some("zh")
    );

    handle.destroy();
    root.remove();
}

#[wasm_bindgen_test]
fn the_panic_view_shows_the_error_and_a_reset_button() {
    let doc = document();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item("flowlab.lang", "zh").unwrap();
    flowlab::panic::render_error_view(&root, "boom <script>");
    let view = root
        .query_selector("#panic-view")
        .unwrap()
        .expect("error view shown");
    assert!(
        view.text_content().unwrap().contains("出错了"),
        "in the remembered language"
    );
    assert!(
        view.inner_html().contains("boom &lt;script&gt;"),
        "detail escaped"
    );
    let reset = root
        .query_selector("#panic-reset")
        .unwrap()
        .expect("reset button");
    assert!(reset
        .get_attribute("onclick")
        .unwrap()
        .contains("location.reload()"));
    root.remove();
    storage.set_item("flowlab.lang", "en").unwrap();
}

/// The timeline says interventions in the lab's words (the page shows them in both languages).
#[wasm_bindgen_test]
fn interventions_are_said_in_the_labs_words_in_both_languages() {
    use flowlab::i18n::Lang::{En, Zh};
    use flowlab::lab::timeline::act_words;
    use flowlab_sim::replay::Act;
    type Q = flowlab::labs::queue::Ui;
    type S = flowlab::labs::snowflake::Ui;
    type L = flowlab::labs::limiter::Ui;
    let crash = Act::Verb(serde_json::json!({ "crash_leader_of": 2 }));
    assert_eq!(act_words::<Q>(&crash, En), "Crash the leader of P2");
    assert_eq!(act_words::<Q>(&crash, Zh), "让 P2 的 Leader 崩溃");
    let step = Act::Verb(serde_json::json!({ "step_back": { "all": false, "ms": 7 } }));
    assert_eq!(act_words::<S>(&step, En), "Step worker 0's clock back 7 ms");
    assert_eq!(act_words::<S>(&step, Zh), "节点 0 的时钟回拨 7 毫秒");
    // The cache's three, as its buttons say them.
    type C = flowlab::labs::cache::Ui;
    let add = Act::Verb(serde_json::json!("add_node"));
    assert_eq!(act_words::<C>(&add, En), "Add node");
    assert_eq!(act_words::<C>(&add, Zh), "添加节点");
    let remove = Act::Verb(serde_json::json!("remove_node"));
    assert_eq!(act_words::<C>(&remove, En), "Remove node");
    assert_eq!(act_words::<C>(&remove, Zh), "移除节点");
    let crash_node = Act::Verb(serde_json::json!({ "crash_node": { "node": 3 } }));
    assert_eq!(act_words::<C>(&crash_node, En), "Crash cache node 3");
    assert_eq!(act_words::<C>(&crash_node, Zh), "缓存节点 3 崩溃");
    // A live knob: its name on the form, and the value.
    let set = Act::Set {
        key: "token_bucket.rate_per_s".into(),
        value: "25".into(),
    };
    let (en, zh) = (act_words::<L>(&set, En), act_words::<L>(&set, Zh));
    assert!(
        en.ends_with(" set to 25") && !en.contains("token_bucket"),
        "{en}"
    );
    assert!(zh.ends_with(" 改为 25") && zh != en, "{zh}");
    // What the lab cannot read stays in the link's notation.
    let odd = Act::Verb(serde_json::json!("no_such_action"));
    assert_eq!(act_words::<Q>(&odd, Zh), odd.to_string());
}
