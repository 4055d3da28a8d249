//! Peak heap of a run: `cargo run --release -p flowlab-sim --example peak_memory -- <lab> <seconds>
//! [key=value ...]`. Prints the estimate of the lab's cost model beside it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use flowlab_sim::kernel::time::NS_PER_S;
use flowlab_sim::labs::by_id;

struct Counting;
static CUR: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = CUR.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        CUR.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new > l.size() {
                let now = CUR.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CUR.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static A: Counting = Counting;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let lab = by_id(&args[0]).expect("a lab id");
    let secs: f64 = args[1].parse().expect("seconds");
    let mut p = lab.defaults();
    for kv in &args[2..] {
        let (k, v) = kv.split_once('=').expect("key=value");
        p = lab.set(&p, k, v).unwrap_or_else(|e| panic!("{kv}: {e:?}"));
    }
    let base = CUR.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut run = lab.start(&p, 1).expect("valid");
    let until = (secs * NS_PER_S as f64) as u64;
    let mut frames = 0u64;
    let mut worst = 0u64;
    loop {
        let w0 = run.work();
        let r = if run.extent() == flowlab_sim::kernel::lab::Extent::Timed {
            let t = (run.now() + 16_000_000).min(until);
            let r = run.advance_to(t, 200_000);
            if run.now() >= until && r == flowlab_sim::Advance::Reached {
                break;
            }
            r
        } else {
            let r = run.advance(200_000);
            if r == flowlab_sim::Advance::Reached {
                break;
            }
            r
        };
        let _ = r;
        worst = worst.max(run.work() - w0);
        frames += 1;
    }
    let peak = PEAK.load(Ordering::Relaxed) - base;
    let cost = lab.cost(&p).expect("valid");
    println!(
        "{} peak_heap_mb={:.1} model_mb={:.1} frames={frames} max_work_per_frame={worst} work={} model_work_per_s={}",
        args[0],
        peak as f64 / 1e6,
        cost.memory() as f64 / 1e6,
        run.work(),
        cost.work_per_s
    );
}
