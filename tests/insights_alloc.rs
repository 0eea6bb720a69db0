//! Insights fed one event at a time allocate nothing per event in the steady state:
//! after a warm-up, pointer moves, clicks, scrolls, inputs, focus changes and text
//! changes over the rest of a session cost no allocation (mutations that add nodes grow
//! the page mirror, which is the page growing, and signals allocate their description
//! when found).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use session_replay::insights::{Insights, InsightsConfig};
use session_replay::model::{EventKind, Incremental};
use session_replay::{Limits, rrweb};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static A: Counting = Counting;

#[test]
fn the_steady_state_allocates_nothing_per_event() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/corpus/todo.raw.json"
    ))
    .unwrap();
    let events = rrweb::read(&bytes, &Limits::DEFAULT).unwrap();
    let mut i = Insights::new(InsightsConfig::default());
    let warm = events.len() / 3;
    i.push_batch(&events[..warm]);
    let mut counted = 0;
    for e in &events[warm..] {
        // Text changes of nodes already there allocate nothing either; adds,
        // removals and attribute changes (a new class is a new string) may.
        let grows = match &e.kind {
            EventKind::Incremental(Incremental::Mutation(m)) => {
                !(m.adds.is_empty() && m.removes.is_empty() && m.attributes.is_empty())
            }
            EventKind::FullSnapshot(_) | EventKind::Meta(_) => true,
            _ => false,
        };
        if !grows {
            counted += 1;
            COUNTING.store(true, Ordering::Relaxed);
        }
        i.push(e);
        COUNTING.store(false, Ordering::Relaxed);
        while i.poll_signal().is_some() {}
    }
    let allocs = ALLOCS.load(Ordering::Relaxed);
    assert!(counted > 1500, "{counted} events counted");
    assert_eq!(allocs, 0, "{allocs} allocations over {counted} events");
}
