//! Resource limits applied to untrusted input.

/// Bounds on what the crate accepts from untrusted input. Exceeding one gives an error
/// that names the limit, never an out-of-memory abort or a stack overflow.
///
/// The defaults fit the largest real recordings comfortably (a page of a million nodes,
/// a 32 MiB inlined data URL) while keeping a hostile input from costing more than a
/// small multiple of its own size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Deepest JSON nesting accepted when reading rrweb JSON (each DOM level costs two:
    /// the node object and its `childNodes` array). Default 512.
    pub json_depth: usize,
    /// Most nodes in one serialized tree (a full snapshot or an added subtree), and in
    /// a replayed DOM. Default 1,000,000.
    pub nodes: usize,
    /// Longest string (text, attribute value, CSS), in bytes. Default 32 MiB.
    pub string_len: usize,
    /// Largest rrweb JSON input, in bytes. Default 1 GiB.
    pub input_bytes: usize,
    /// Most adds in one mutation batch that may wait for a parent or sibling that has
    /// not arrived yet. Default 100,000.
    pub pending_adds: usize,
    /// Largest chunk of the binary format, before and after decompression, in bytes.
    /// Default 64 MiB.
    pub chunk_bytes: usize,
    /// Most events (keyframe included) in one chunk. Default 1,000,000.
    pub events_per_chunk: usize,
    /// Most bytes of text (strings, input values) one decoded chunk may produce. The
    /// binary format refers to a string once stored as many times as it likes, so a few
    /// bytes could otherwise ask for gigabytes. Default 256 MiB.
    pub decoded_bytes: usize,
}

impl Limits {
    /// The default limits (see the field docs).
    pub const DEFAULT: Limits = Limits {
        json_depth: 512,
        nodes: 1_000_000,
        string_len: 32 << 20,
        input_bytes: 1 << 30,
        pending_adds: 100_000,
        chunk_bytes: 64 << 20,
        events_per_chunk: 1_000_000,
        decoded_bytes: 256 << 20,
    };

    /// Sets [`Limits::json_depth`].
    pub fn with_json_depth(mut self, depth: usize) -> Self {
        self.json_depth = depth;
        self
    }

    /// Sets [`Limits::nodes`].
    pub fn with_nodes(mut self, nodes: usize) -> Self {
        self.nodes = nodes;
        self
    }

    /// Sets [`Limits::string_len`].
    pub fn with_string_len(mut self, len: usize) -> Self {
        self.string_len = len;
        self
    }

    /// Sets [`Limits::chunk_bytes`].
    pub fn with_chunk_bytes(mut self, n: usize) -> Self {
        self.chunk_bytes = n;
        self
    }

    /// Sets [`Limits::events_per_chunk`].
    pub fn with_events_per_chunk(mut self, n: usize) -> Self {
        self.events_per_chunk = n;
        self
    }

    /// Sets [`Limits::decoded_bytes`].
    pub fn with_decoded_bytes(mut self, n: usize) -> Self {
        self.decoded_bytes = n;
        self
    }

    /// Sets [`Limits::pending_adds`].
    pub fn with_pending_adds(mut self, n: usize) -> Self {
        self.pending_adds = n;
        self
    }

    /// Sets [`Limits::input_bytes`].
    pub fn with_input_bytes(mut self, bytes: usize) -> Self {
        self.input_bytes = bytes;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
