//! The built-in dictionary: bytes of a generic web page that every compressed stream
//! starts from unless a host's primer replaces it, so a short session's first keyframe
//! refers back into a page it has never seen instead of spelling out every tag,
//! attribute and CSS property.
//!
//! Why: a short session is mostly its first keyframe (login: 4.6 of 5.8 KB), and the
//! first bytes of a brotli stream have no history to refer to. A primer from another
//! site's keyframe already took 6-8% off login (measured in the session that added
//! this), since pages share their vocabulary (`display: flex`, `class`, `aria-label`,
//! the wire's own patterns), so the format carries one that every reader has, as
//! brotli carries its static dictionary.
//!
//! What it is: the stylesheets (the part asset chunks start from), then the first
//! keyframe chunk's body (the part event segments start from), of a page written
//! for it (`tools/dictionary/page`: a generic dashboard with a navigation bar, cards, a
//! table, a form and a footer, recorded in Chromium). None of the streams the size
//! figures are measured on went into it. `tests/codec_dictionary.rs` makes it; its
//! SHA-256 is part of the format (see "Dictionary" in `docs/FORMAT.md`): a reader
//! decompresses a chunk flagged with it from these exact bytes.

/// The dictionary's bytes.
static BYTES: &[u8] = include_bytes!("dictionary.bin");

/// Where the stylesheets end and the keyframe starts.
const STYLESHEETS: usize = 10_570;

/// The part an asset chunk's stream starts from: the stylesheets. Each kind of stream
/// gets the part it draws on, because brotli hashes every byte of a dictionary into its
/// match finder when a stream starts, and on a short session that is a tenth of the
/// encoding time: giving each kind only its part took 5-8% off encoding the short
/// streams, and the total was 0.05% smaller, not larger (measured with the split).
pub(crate) fn for_assets() -> &'static [u8] {
    BYTES.get(..STYLESHEETS).unwrap_or_default()
}

/// The part an event segment's stream starts from: the keyframe chunk body.
pub(crate) fn for_events() -> &'static [u8] {
    BYTES.get(STYLESHEETS..).unwrap_or_default()
}

/// Their SHA-256, as `docs/FORMAT.md` gives it.
#[cfg(test)]
const SHA256: &str = "2d7adecff266d19557341887428d6e23748ccd73b2a3229acfb6d0bf930dce93";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bytes_are_the_ones_the_format_names() {
        assert_eq!(
            super::super::assets::AssetHash::of_bytes(BYTES).to_string(),
            SHA256
        );
        // The stylesheet part is text that ends with a rule; the keyframe part is the
        // rest, a binary chunk body.
        let css = std::str::from_utf8(for_assets()).unwrap();
        assert!(css.starts_with("*, ::before, ::after { box-sizing: border-box; }"));
        assert!(css.ends_with("}\n}\n"));
        assert_eq!(for_assets().len() + for_events().len(), BYTES.len());
        assert!(std::str::from_utf8(for_events()).is_err());
    }
}
