//! The export and import panel of every lab's page: three buttons that download the run file, the
//! charts' CSV and the picture's PNG, and a file picker (or a file dropped on the panel) that
//! imports a run file. One status line (`role=status`) says what happened, in the page's language.

use std::rc::Rc;

use flowlab_sim::kernel::lab::Lab;
use gloo::timers::callback::Timeout;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{
    Blob, BlobPropertyBag, CanvasRenderingContext2d, DragEvent, File, FileReader,
    HtmlAnchorElement, HtmlCanvasElement, HtmlInputElement, Url,
};
use yew::prelude::*;

use super::*;
use crate::i18n::{count, real, tr_id};
use crate::lab::host::NOT_STARTED;
use crate::lab::page::{ExportSink, LabUi, Shared};
use crate::lab::state::{Action, LabState};
use crate::lab::view::LabView;

/// Widest image the PNG export makes, pixels.
const MAX_PNG_W: u32 = 2400;

#[derive(Properties)]
pub struct RunExportProps<U: LabUi> {
    pub rt: Shared<U>,
    pub state: UseReducerHandle<LabState<U::L>>,
}

impl<U: LabUi> PartialEq for RunExportProps<U> {
    fn eq(&self, o: &Self) -> bool {
        self.rt == o.rt && self.state == o.state
    }
}

/// What the status line says: its kind, data for tests, and its words in either language.
#[derive(Clone)]
struct Status {
    kind: &'static str,
    /// What the digest check found (`same`, `differs`, `none`, `unchecked`, `failed`).
    check: &'static str,
    /// The file written or read.
    file: String,
    /// The digest the replay here gave.
    digest: String,
    /// Wall milliseconds the replay here took.
    replay_ms: Option<f64>,
    text: Rc<dyn Fn(Lang) -> String>,
}

impl PartialEq for Status {
    fn eq(&self, o: &Self) -> bool {
        self.kind == o.kind && self.file == o.file && Rc::ptr_eq(&self.text, &o.text)
    }
}

impl Status {
    fn new(kind: &'static str, file: &str, text: impl Fn(Lang) -> String + 'static) -> Self {
        Self {
            kind,
            check: "",
            file: file.to_string(),
            digest: String::new(),
            replay_ms: None,
            text: Rc::new(text),
        }
    }
}

/// What an import that opened another lab's page left for it: the file, which that page checks
/// as its live run replays it (and starts, for a lab that ends by itself).
#[derive(serde::Serialize, serde::Deserialize)]
struct Left {
    lab: String,
    file: String,
    text: String,
    start: bool,
}

/// A check's name for tests (`data-check`) and the digest the replay gave.
fn check_kind(c: &Check) -> (&'static str, String) {
    match c {
        Check::Done(Verdict::Same(d)) => ("same", d.to_string()),
        Check::Done(Verdict::Differs { replay, .. }) => ("differs", replay.to_string()),
        Check::Done(Verdict::NoDigest) => ("none", String::new()),
        Check::TooLong(_) => ("unchecked", String::new()),
        Check::Failed(_) => ("failed", String::new()),
        Check::Unanswered => ("unanswered", String::new()),
    }
}

/// Downloads `blob` as `name`: an object URL on a temporary `<a download>`, clicked.
fn download_blob(name: &str, blob: &Blob) -> Result<(), JsValue> {
    let url = Url::create_object_url_with_blob(blob)?;
    let doc = crate::web::window()
        .document()
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let a: HtmlAnchorElement = doc.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    doc.body()
        .ok_or_else(|| JsValue::from_str("no body"))?
        .append_child(&a)?;
    a.click();
    a.remove();
    // Revoked once the download has surely taken it.
    Timeout::new(60_000, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

fn download_text(name: &str, text: &str, mime: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let bag = BlobPropertyBag::new();
    bag.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &bag)?;
    download_blob(name, &blob)
}

fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// The picture's canvases, then each chart under its title, drawn into one canvas as wide as the
/// widest of them (each scaled to that width), on the page's background.
fn compose(
    title: &str,
    charts: &[(String, HtmlCanvasElement)],
) -> Result<HtmlCanvasElement, String> {
    let doc = crate::web::window().document().ok_or("no document")?;
    let mut stage = Vec::new();
    if let Ok(list) = doc.query_selector_all(".lab .stage canvas") {
        for i in 0..list.length() {
            if let Some(c) = list
                .item(i)
                .and_then(|n| n.dyn_into::<HtmlCanvasElement>().ok())
            {
                stage.push(c);
            }
        }
    }
    let usable = |c: &HtmlCanvasElement| c.width() > 0 && c.height() > 0;
    let stage: Vec<HtmlCanvasElement> = stage.into_iter().filter(usable).collect();
    let charts: Vec<&(String, HtmlCanvasElement)> =
        charts.iter().filter(|(_, c)| usable(c)).collect();
    let w = stage
        .iter()
        .chain(charts.iter().map(|(_, c)| c))
        .map(|c| c.width())
        .max()
        .ok_or("nothing is drawn yet")?
        .clamp(320, MAX_PNG_W) as f64;
    let (pad, head, label) = (12.0, 36.0, 26.0);
    let scaled = |c: &HtmlCanvasElement| c.height() as f64 * w / c.width() as f64;
    let mut h = pad + head;
    h += stage.iter().map(|c| scaled(c) + pad).sum::<f64>();
    h += charts
        .iter()
        .map(|(_, c)| label + scaled(c) + pad)
        .sum::<f64>();
    let out: HtmlCanvasElement = doc
        .create_element("canvas")
        .map_err(|e| js_text(&e))?
        .dyn_into()
        .map_err(|_| "no canvas")?;
    out.set_width((w + 2.0 * pad) as u32);
    out.set_height(h.ceil() as u32);
    let ctx: CanvasRenderingContext2d = crate::kit::canvas::context(&out).ok_or("no 2D context")?;
    ctx.set_fill_style_str("#0f1521");
    ctx.fill_rect(0.0, 0.0, out.width() as f64, out.height() as f64);
    let font = "600 18px system-ui, sans-serif";
    crate::kit::canvas::text(&ctx, title, pad, pad + 22.0, "#dfe6f0", font);
    let mut y = pad + head;
    for c in &stage {
        let sh = scaled(c);
        ctx.draw_image_with_html_canvas_element_and_dw_and_dh(c, pad, y, w, sh)
            .map_err(|e| js_text(&e))?;
        y += sh + pad;
    }
    for (t, c) in charts {
        crate::kit::canvas::text(
            &ctx,
            t,
            pad,
            y + 18.0,
            "#b4c0d2",
            "600 15px system-ui, sans-serif",
        );
        y += label;
        let sh = scaled(c);
        ctx.draw_image_with_html_canvas_element_and_dw_and_dh(c, pad, y, w, sh)
            .map_err(|e| js_text(&e))?;
        y += sh + pad;
    }
    Ok(out)
}

/// The export and import panel.
#[function_component(RunExport)]
pub fn run_export<U: LabUi>(props: &RunExportProps<U>) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let id = U::L::ID;
    let status = use_state(|| None::<Status>);
    let dragging = use_state(|| false);
    {
        // An import on another lab's page opened this one (its link holds the run): the run is
        // checked here as it replays, and a lab that ends by itself starts it.
        let (status, rt, state) = (status.clone(), props.rt.clone(), props.state.clone());
        use_effect_with((), move |_| {
            let left = crate::web::session_get(SESSION_KEY)
                .filter(|s| !s.is_empty())
                .and_then(|s| serde_json::from_str::<Left>(&s).ok());
            if let Some(l) = left.filter(|l| l.lab == id) {
                crate::web::session_set(SESSION_KEY, "");
                if let Ok(run) = read_import(&l.text) {
                    let head = head_text(&l.file, &run, l.start);
                    if l.start {
                        // After the page's own first rebuild (its effects run after this one).
                        let rt = rt.clone();
                        Timeout::new(0, move || rt.0.borrow_mut().start_run(&state)).forget();
                    }
                    match check_first(&run) {
                        Some(c) => status.set(Some(checked(&l.file, head, c, None))),
                        None => confirm(&rt, Rc::new(run), &l.file, head, &status),
                    }
                }
            }
        });
    }

    use_effect_with((), move |_| {
        // A file dropped beside the panel would make the browser leave the page to show it: it
        // is ignored (the panel takes the drops).
        let guard = |e: &Event| {
            let files = e
                .dyn_ref::<DragEvent>()
                .and_then(DragEvent::data_transfer)
                .is_some_and(|t| t.types().includes(&JsValue::from_str("Files"), 0));
            if files {
                e.prevent_default();
            }
        };
        let opts = gloo::events::EventListenerOptions::enable_prevent_default();
        let w = crate::web::window();
        let over = gloo::events::EventListener::new_with_options(&w, "dragover", opts, guard);
        let dropped = gloo::events::EventListener::new_with_options(&w, "drop", opts, guard);
        move || drop((over, dropped))
    });

    let on_run = {
        let (rt, status) = (props.rt.clone(), status.clone());
        Callback::from(move |_: MouseEvent| {
            status.set(Some(Status::new("working", "", |l| {
                tr(l, text::EXPORT_WORKING).to_string()
            })));
            let status = status.clone();
            let t0 = crate::web::now_ms();
            // The engine writes the file of its run where it stands (in the worker): no replay.
            let sink: ExportSink = Box::new(move |made| {
                let ms = crate::web::now_ms() - t0;
                let mut s = match made.and_then(|text| {
                    serde_json::from_str::<RunFile>(&text)
                        .map(|f| (text, f))
                        .map_err(|e| e.to_string())
                }) {
                    Err(e) if e == NOT_STARTED => Status::new("problem", "", |l| {
                        tr(l, text::EXPORT_NOT_STARTED).to_string()
                    }),
                    Err(e) => Status::new("problem", "", move |l| {
                        fill(tr(l, text::EXPORT_FAILED), std::slice::from_ref(&e))
                    }),
                    Ok((text, f)) => {
                        let name = file_name(id, f.seed, "json");
                        match download_text(&name, &text, "application/json") {
                            Err(e) => {
                                let e = js_text(&e);
                                Status::new("problem", "", move |l| {
                                    fill(tr(l, text::EXPORT_FAILED), std::slice::from_ref(&e))
                                })
                            }
                            Ok(()) => {
                                let n = name.clone();
                                let digest = f.digest.clone().unwrap_or_default();
                                let mut s = Status::new("ok", &name, move |l| match &f.until {
                                    Some(until) => fill(
                                        tr(l, text::EXPORT_SAVED),
                                        &[
                                            n.clone(),
                                            real(l, until.parse().unwrap_or(0.0), 3),
                                            count(l, f.actions.actions.len() as u64),
                                            f.digest.clone().unwrap_or_default(),
                                        ],
                                    ),
                                    None => fill(
                                        tr(l, text::EXPORT_SAVED_UNTIMED),
                                        std::slice::from_ref(&n),
                                    ),
                                });
                                s.digest = digest;
                                s
                            }
                        }
                    }
                };
                s.replay_ms = Some(ms);
                status.set(Some(s));
            });
            rt.0.borrow_mut().export(sink);
        })
    };

    let on_csv = {
        let (rt, state, status) = (props.rt.clone(), props.state.clone(), status.clone());
        Callback::from(move |_: MouseEvent| {
            let titles: Vec<String> = U::CHARTS
                .iter()
                .map(|t| tr_id(lang, t).to_string())
                .collect();
            let csv = charts_csv(&titles, &rt.0.borrow().shown.charts);
            let name = file_name(id, state.seed, "csv");
            let s = if csv.rows == 0 {
                Status::new("problem", "", |l| tr(l, text::EXPORT_NO_CHARTS).to_string())
            } else {
                match download_text(&name, &csv.text, "text/csv") {
                    Ok(()) => {
                        let n = name.clone();
                        Status::new("ok", &name, move |l| {
                            fill(
                                tr(l, text::EXPORT_CSV_SAVED),
                                &[
                                    n.clone(),
                                    count(l, csv.rows as u64),
                                    count(l, csv.series as u64),
                                ],
                            )
                        })
                    }
                    Err(e) => {
                        let e = js_text(&e);
                        Status::new("problem", "", move |l| {
                            fill(tr(l, text::EXPORT_FAILED), std::slice::from_ref(&e))
                        })
                    }
                }
            };
            status.set(Some(s));
        })
    };

    let on_png = {
        let (rt, state, status) = (props.rt.clone(), props.state.clone(), status.clone());
        Callback::from(move |_: MouseEvent| {
            let failed = |status: &UseStateHandle<Option<Status>>, e: String| {
                status.set(Some(Status::new("problem", "", move |l| {
                    fill(tr(l, text::EXPORT_PNG_FAILED), std::slice::from_ref(&e))
                })));
            };
            let doc = crate::web::window().document();
            let charts: Vec<(String, HtmlCanvasElement)> = U::CHARTS
                .iter()
                .enumerate()
                .filter_map(|(i, t)| {
                    let c = doc.as_ref()?.get_element_by_id(&format!("chart-{i}"))?;
                    Some((tr_id(lang, t).to_string(), c.dyn_into().ok()?))
                })
                .collect();
            let mut title = format!(
                "{} · {} {}",
                tr_id(lang, &format!("{id}.title")),
                tr(lang, text::SEED),
                state.seed
            );
            if U::V::TIMED {
                let now = rt.0.borrow().shown.head.now as f64 / NS_PER_S as f64;
                title = format!(
                    "{title} · {} {} s",
                    tr(lang, text::VIRTUAL_TIME),
                    real(lang, now, 3)
                );
            }
            let canvas = match compose(&title, &charts) {
                Ok(c) => c,
                Err(e) => return failed(&status, e),
            };
            let name = file_name(id, state.seed, "png");
            let status2 = status.clone();
            let done = Closure::once_into_js(move |blob: Option<Blob>| {
                let r = blob
                    .ok_or_else(|| "the browser made no image".to_string())
                    .and_then(|b| download_blob(&name, &b).map_err(|e| js_text(&e)));
                match r {
                    Ok(()) => {
                        let n = name.clone();
                        status2.set(Some(Status::new("ok", &name, move |l| {
                            fill(tr(l, text::EXPORT_PNG_SAVED), std::slice::from_ref(&n))
                        })));
                    }
                    Err(e) => failed(&status2, e),
                }
            });
            if let Err(e) = canvas.to_blob(done.unchecked_ref()) {
                failed(&status, js_text(&e));
            }
        })
    };

    // Reading a file, then importing it.
    let import = {
        let (rt, state, status) = (props.rt.clone(), props.state.clone(), status.clone());
        Rc::new(move |file: File| {
            let name = file.name();
            let size = file.size() as u64;
            if size > MAX_FILE_BYTES {
                let n = name.clone();
                status.set(Some(Status::new("problem", &name, move |l| {
                    let why = fill(
                        tr(l, text::IMPORT_TOO_BIG),
                        &[count(l, size), count(l, MAX_FILE_BYTES)],
                    );
                    fill(tr(l, text::IMPORT_REFUSED), &[n.clone(), why])
                })));
                return;
            }
            let n = name.clone();
            status.set(Some(Status::new("working", &name, move |l| {
                fill(tr(l, text::IMPORT_READING), std::slice::from_ref(&n))
            })));
            let Ok(reader) = FileReader::new() else {
                return;
            };
            let (r2, rt, state, status2) =
                (reader.clone(), rt.clone(), state.clone(), status.clone());
            let onloadend = Closure::once_into_js(move || {
                let text = r2.result().ok().and_then(|v| v.as_string());
                imported::<U>(&name, text, &rt, &state, &status2);
            });
            reader.set_onloadend(Some(onloadend.unchecked_ref()));
            if reader.read_as_text(&file).is_err() {
                let n = file.name();
                status.set(Some(Status::new("problem", &n.clone(), move |l| {
                    fill(
                        tr(l, text::IMPORT_REFUSED),
                        &[n.clone(), tr(l, text::IMPORT_UNREADABLE).to_string()],
                    )
                })));
            }
        })
    };
    let on_pick = {
        let import = import.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(f) = input.files().and_then(|l| l.get(0)) {
                import(f);
            }
            // The same file picked again imports again.
            input.set_value("");
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            if let Some(dt) = e.data_transfer() {
                dt.set_drop_effect("copy");
            }
            if !*dragging {
                dragging.set(true);
            }
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_drop = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(f) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|l| l.get(0))
            {
                import(f);
            }
        })
    };

    let s = (*status).clone();
    html! {
        <section class={classes!("panel", "export", dragging.then_some("dragging"))} id="export"
            aria-labelledby="export-title" ondragover={on_drag_over} ondragleave={on_drag_leave} ondrop={on_drop}>
            <h2 id="export-title">{ tr(lang, text::EXPORT_TITLE) }</h2>
            <p class="note">{ tr(lang, text::EXPORT_INTRO) }</p>
            <div class="export-buttons">
                <button id="btn-export-run" type="button" class="btn" onclick={on_run}>{ tr(lang, text::EXPORT_RUN) }</button>
                if !U::CHARTS.is_empty() {
                    <button id="btn-export-csv" type="button" class="btn" onclick={on_csv}>{ tr(lang, text::EXPORT_CSV) }</button>
                }
                <button id="btn-export-png" type="button" class="btn" onclick={on_png}>{ tr(lang, text::EXPORT_PNG) }</button>
            </div>
            <div class="import-pick">
                // The browser's own file button and "No file chosen" are in the browser's language:
                // the input is kept (for the keyboard and screen readers) but drawn as its label.
                <input id="import-file" class="file-input" type="file" accept=".json,application/json" onchange={on_pick} />
                <label for="import-file" id="import-file-button" class="btn">{ tr(lang, text::IMPORT_PICK) }</label>
                <span class="note">{ tr(lang, text::IMPORT_DROP) }</span>
            </div>
            <p id="export-status" class={classes!("export-status", s.as_ref().map(|s| s.kind))} role="status"
                data-kind={s.as_ref().map_or("", |s| s.kind)} data-check={s.as_ref().map_or("", |s| s.check)}
                data-file={s.as_ref().map(|s| s.file.clone()).unwrap_or_default()}
                data-digest={s.as_ref().map(|s| s.digest.clone()).unwrap_or_default()}
                data-replay-ms={s.as_ref().and_then(|s| s.replay_ms).map(|ms| format!("{ms:.0}")).unwrap_or_default()}>
                { s.as_ref().map(|s| (s.text)(lang)).unwrap_or_default() }
            </p>
        </section>
    }
}

/// A run file's text was read (or not): refused with what is wrong, replayed here by the live
/// engine (its digest then checked against the file's by [`confirm`]), or its lab's page opened
/// (which checks it there).
fn imported<U: LabUi>(
    name: &str,
    text: Option<String>,
    rt: &Shared<U>,
    state: &UseReducerHandle<LabState<U::L>>,
    status: &UseStateHandle<Option<Status>>,
) {
    let id = U::L::ID;
    let n = name.to_string();
    let Some(text) = text else {
        status.set(Some(Status::new("problem", name, move |l| {
            fill(
                tr(l, text::IMPORT_REFUSED),
                &[n.clone(), tr(l, text::IMPORT_UNREADABLE).to_string()],
            )
        })));
        return;
    };
    let run = match read_import(&text) {
        Ok(r) => r,
        Err(e) => {
            status.set(Some(Status::new("problem", name, move |l| {
                fill(
                    tr(l, text::IMPORT_REFUSED),
                    &[n.clone(), describe_import_error(l, &e)],
                )
            })));
            return;
        }
    };
    let first = check_first(&run);
    // A lab that ends by itself starts the imported run (unless motion is reduced: Run starts it).
    let start = !run.lab.timed() && !rt.0.borrow().look.reduced_motion;
    let head = head_text(name, &run, start);
    match plan_import(id, &run) {
        Import::Here {
            params,
            seed,
            actions,
            at,
        } => {
            if start {
                rt.0.borrow_mut().start_next_run();
            }
            state.dispatch(Action::Replay {
                params,
                seed,
                actions,
                at,
            });
            match first {
                Some(c) => status.set(Some(checked(name, head, c, None))),
                None => confirm(rt, Rc::new(run), name, head, status),
            }
        }
        Import::Elsewhere { hash } => {
            let left = Left {
                lab: run.lab.id().to_string(),
                file: name.to_string(),
                text,
                start,
            };
            if let Ok(json) = serde_json::to_string(&left) {
                crate::web::session_set(SESSION_KEY, &json);
            }
            status.set(Some(Status::new("working", name, |l| {
                tr(l, text::IMPORT_OTHER_LAB).to_string()
            })));
            let _ = crate::web::window().location().set_hash(&hash);
        }
    }
}

/// What the status says of an imported file before its check: its name, seed, time and actions.
fn head_text(name: &str, run: &Loaded, started: bool) -> Rc<dyn Fn(Lang) -> String> {
    let n = name.to_string();
    let (seed, timed) = (run.seed, run.lab.timed());
    let until_s = run.until as f64 / NS_PER_S as f64;
    let acts = run.actions.actions.len() as u64;
    Rc::new(move |l: Lang| {
        if timed {
            fill(
                tr(l, text::IMPORT_LOADED),
                &[
                    n.clone(),
                    seed.to_string(),
                    real(l, until_s, 3),
                    count(l, acts),
                ],
            )
        } else {
            let t = if started {
                text::IMPORT_RUNNING_UNTIMED
            } else {
                text::IMPORT_LOADED_UNTIMED
            };
            fill(tr(l, t), &[n.clone(), seed.to_string()])
        }
    })
}

/// The status of an imported file once its check is known (`ms`: how long the engine took).
fn checked(name: &str, head: Rc<dyn Fn(Lang) -> String>, c: Check, ms: Option<f64>) -> Status {
    let (kind, digest) = check_kind(&c);
    let mut s = Status::new("ok", name, move |l| {
        format!("{} {}", head(l), check_text(l, &c))
    });
    s.check = kind;
    s.digest = digest;
    s.replay_ms = ms;
    s
}

/// Most wall time the page waits for its live run to replay an imported file to its end (the
/// replay is bounded to about [`MAX_REPLAY_S`] by the lab's cost model; slack for a busy machine).
const CONFIRM_WAIT_MS: u32 = 120_000;
/// How often it looks.
const CONFIRM_EVERY_MS: u32 = 100;

/// Checks an imported `run` with the live engine, which replays it (the page dispatched it):
/// once the run shown is at the file's end, the engine writes the run's file
/// ([`Runtime::export`](crate::lab::page::Runtime::export)), and its digest is compared with the
/// file's. No replay on the page's main thread.
fn confirm<U: LabUi>(
    rt: &Shared<U>,
    run: Rc<Loaded>,
    name: &str,
    head: Rc<dyn Fn(Lang) -> String>,
    status: &UseStateHandle<Option<Status>>,
) {
    let h = head.clone();
    status.set(Some(Status::new("working", name, move |l| {
        format!("{} {}", h(l), tr(l, text::IMPORT_CHECKING_TAIL))
    })));
    let t0 = crate::web::now_ms();
    let tries = CONFIRM_WAIT_MS / CONFIRM_EVERY_MS;
    wait_and_check(
        rt.clone(),
        run,
        name.to_string(),
        head,
        status.clone(),
        t0,
        tries,
    );
}

fn wait_and_check<U: LabUi>(
    rt: Shared<U>,
    run: Rc<Loaded>,
    name: String,
    head: Rc<dyn Fn(Lang) -> String>,
    status: UseStateHandle<Option<Status>>,
    t0: f64,
    tries: u32,
) {
    Timeout::new(CONFIRM_EVERY_MS, move || {
        if tries == 0 {
            status.set(Some(checked(&name, head, Check::Unanswered, None)));
            return;
        }
        let there = rt.0.borrow().shown.head.now == run.until;
        if !there {
            return wait_and_check(rt, run, name, head, status, t0, tries - 1);
        }
        let again = rt.clone();
        let sink: ExportSink = Box::new(move |made| {
            let made =
                made.and_then(|t| serde_json::from_str::<RunFile>(&t).map_err(|e| e.to_string()));
            match made.map(|f| check_made(&run, &f)) {
                Ok(Some(c)) => {
                    let ms = crate::web::now_ms() - t0;
                    status.set(Some(checked(&name, head, c, Some(ms))));
                }
                // Not the file's run yet (the replay is still on its way).
                Ok(None) => wait_and_check(again, run, name, head, status, t0, tries - 1),
                Err(e) => status.set(Some(checked(&name, head, Check::Failed(e), None))),
            }
        });
        rt.0.borrow_mut().export(sink);
    })
    .forget();
}
