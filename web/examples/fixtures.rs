//! Writes the synthetic recordings the browser tests play (`web/test/seek.test.mjs`):
//! the 3-hour session the seek bench builds (`synthetic-3h.bin`, in the crate's binary
//! format) and the 10,000-row table page being edited (`big-page.json`, rrweb JSON, so
//! that rrweb's player can play it too).
//!
//! `cargo run --release -p session-replay-web --example fixtures -- OUT_DIR`

#[path = "../../tests/common/big_page.rs"]
mod big_page;
#[path = "../../tests/common/synth.rs"]
mod synth;

use session_replay::codec::{self, EncoderConfig};
use session_replay::{EventCount, Limits, Millis, rrweb};

fn main() {
    let out = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "web/test/out".into()),
    );
    std::fs::create_dir_all(&out).expect("output directory");
    let todo =
        std::fs::read("tests/data/corpus/todo.raw.json").expect("run from the repository root");
    let todo = rrweb::read(&todo, &Limits::DEFAULT).expect("todo recording");
    let long = synth::long_session(&todo, 3 * 3600 * 1000);
    let bin = codec::encode(&long, EncoderConfig::default());
    std::fs::write(out.join("synthetic-3h.bin"), &bin).expect("write");
    println!(
        "synthetic-3h.bin: {} events, {} bytes",
        long.len(),
        bin.len()
    );
    // A binary stream with a damaged chunk in the middle: the player plays the intact
    // chunks and says what was lost.
    let login = std::fs::read("tests/data/corpus/login.raw.json").expect("login recording");
    let login = rrweb::read(&login, &Limits::DEFAULT).expect("login recording");
    // Small chunks, each a keyframe, so that damage costs a stretch, not the rest.
    let config =
        EncoderConfig::default().with_keyframe_every(EventCount(20), Millis::seconds(3), 1 << 20);
    let mut bin = codec::encode(&login, config);
    std::fs::write(out.join("login.bin"), &bin).expect("write");
    let at = bin.len() * 3 / 4;
    for b in bin.iter_mut().skip(at).take(16) {
        *b ^= 0x5a;
    }
    std::fs::write(out.join("login-damaged.bin"), &bin).expect("write");
    println!("login.bin and login-damaged.bin: {} bytes", bin.len());
    let big = big_page::big_session(10_000, 10 * 60 * 1000);
    let json = rrweb::write_events(&big);
    std::fs::write(out.join("big-page.json"), &json).expect("write");
    println!("big-page.json: {} events, {} bytes", big.len(), json.len());
}
