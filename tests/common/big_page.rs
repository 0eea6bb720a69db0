//! A synthetic BIG session (issue 15): a page with a table of `rows` rows (11 nodes a
//! row: a `<tr>`, five `<td>`s and their texts, so 10,000 rows make ~110,000 nodes) and a
//! few-KB `<style>`, then edits at a human rate for `duration_ms`: cell texts,
//! attributes, rows added and removed, with some input, scroll, clicks and mouse moves.
//! Deterministic: a fixed-seed xorshift drives every choice, so the same arguments give
//! the same events on every run and platform.
#![allow(dead_code)]

use session_replay::model::*;

/// When the recording starts (epoch ms).
pub const START: i64 = 1_700_000_000_000;

/// xorshift64*: small, deterministic, good enough to pick rows and delays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// True with probability `pct` percent.
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
}

/// Ids handed out in order, as rrweb's mirror does.
struct Ids(i32);

impl Ids {
    fn next(&mut self) -> NodeId {
        self.0 += 1;
        NodeId(self.0)
    }
}

fn node(id: NodeId, kind: NodeKind) -> SerializedNode {
    let shape = match kind {
        NodeKind::Document { .. } | NodeKind::Element { .. } => NodeShape::CHILD_LIST,
        _ => NodeShape::empty(),
    };
    SerializedNode {
        id,
        kind,
        root_id: None,
        is_shadow_host: None,
        is_shadow: None,
        shape,
        extra: Vec::new(),
    }
}

fn attr(name: &str, value: &str) -> Attribute {
    Attribute {
        name: name.into(),
        value: AttrValue::Str(value.into()),
    }
}

fn element(id: NodeId, tag: &str, attributes: Vec<Attribute>) -> SerializedNode {
    node(
        id,
        NodeKind::Element {
            tag: tag.into(),
            attributes: attributes.into_iter().collect(),
            is_svg: None,
            need_block: None,
            is_custom: None,
        },
    )
}

fn text(id: NodeId, t: String) -> SerializedNode {
    node(
        id,
        NodeKind::Text {
            text: t,
            is_style: None,
        },
    )
}

/// Appends `n` under the tree node at index `parent`; returns its index.
fn push(tree: &mut NodeTree, parent: usize, n: SerializedNode) -> usize {
    tree.nodes.push(TreeNode {
        parent: Some(parent as u32),
        node: n,
    });
    tree.nodes.len() - 1
}

const STATUS: [&str; 4] = ["open", "pending", "shipped", "closed"];
const CELL_CLASS: [&str; 5] = ["c-name", "c-sku", "c-price", "c-status", "c-date"];

/// The text of cell `col` of row `key`, at version `v` (edits bump it).
fn cell_text(key: u64, col: usize, v: u64) -> String {
    match col {
        0 => format!("Item {key} — batch {}", key % 97),
        1 => format!("SKU-{:06X}", key.wrapping_mul(2_654_435_761) % 0xFF_FFFF),
        2 => format!("€{}.{:02}", (key * 7 + v * 13) % 5000, (key + v) % 100),
        3 => STATUS[((key + v) % 4) as usize].to_string(),
        _ => format!(
            "2024-{:02}-{:02}",
            1 + (key + v) % 12,
            1 + (key * 3 + v) % 28
        ),
    }
}

/// A row: the `<tr>` and, per cell, the `<td>` and its text node ids.
#[derive(Clone, Copy)]
struct Row {
    tr: NodeId,
    cells: [(NodeId, NodeId); 5],
    key: u64,
}

/// The nodes of a row as a pre-order subtree under `parent`.
fn row_nodes(ids: &mut Ids, key: u64, tree: &mut NodeTree, parent: usize) -> Row {
    let tr = ids.next();
    let zebra = if key.is_multiple_of(2) {
        "row even"
    } else {
        "row odd"
    };
    let tr_at = push(
        tree,
        parent,
        element(
            tr,
            "tr",
            vec![attr("class", zebra), attr("data-id", &key.to_string())],
        ),
    );
    let mut cells = [(NodeId(0), NodeId(0)); 5];
    for (col, cell) in cells.iter_mut().enumerate() {
        let td = ids.next();
        let td_at = push(
            tree,
            tr_at,
            element(td, "td", vec![attr("class", CELL_CLASS[col])]),
        );
        let t = ids.next();
        push(tree, td_at, text(t, cell_text(key, col, 0)));
        *cell = (td, t);
    }
    Row { tr, cells, key }
}

/// A realistic stylesheet of a few KB.
fn stylesheet() -> String {
    let mut css = String::from(
        "html,body{margin:0;padding:0;font:14px/1.4 system-ui,-apple-system,sans-serif;color:#1d1d1f}\n\
         .table-wrap{height:80vh;overflow:auto;border:1px solid #d0d0d7}\n\
         table{border-collapse:collapse;width:100%}\n\
         th{position:sticky;top:0;background:#f5f5f7;text-align:left}\n",
    );
    for (i, class) in CELL_CLASS.iter().enumerate() {
        css.push_str(&format!(
            ".{class}{{padding:4px 8px;min-width:{}px;white-space:nowrap;text-overflow:ellipsis}}\n",
            60 + 20 * i
        ));
    }
    for (i, s) in STATUS.iter().enumerate() {
        css.push_str(&format!(
            ".row[data-status=\"{s}\"] .c-status{{color:hsl({},60%,40%);font-weight:{}}}\n",
            i * 90,
            400 + 100 * i
        ));
    }
    for i in 0..40 {
        css.push_str(&format!(
            ".theme-{i} .row.even{{background:hsl({},30%,97%)}} .theme-{i} .row.selected{{outline:2px solid hsl({},70%,50%)}}\n",
            i * 9,
            i * 9
        ));
    }
    css
}

fn event(t: i64, kind: EventKind) -> Event {
    Event {
        timestamp: Timestamp(t),
        kind,
        extra: Vec::new(),
    }
}

fn incremental(t: i64, inc: Incremental) -> Event {
    event(t, EventKind::Incremental(inc))
}

fn mutation(t: i64, m: Mutation) -> Event {
    incremental(t, Incremental::Mutation(m))
}

/// A session of a page with a `rows`-row table, edited for `duration_ms` after the
/// snapshot: Meta, FullSnapshot, then an edit every 1-3 s and mouse moves in between.
pub fn big_session(rows: usize, duration_ms: i64) -> Vec<Event> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut ids = Ids(0);
    let mut tree = NodeTree::default();

    // The document, its head (title, style) and body (heading, search box, table).
    let doc = ids.next();
    tree.nodes.push(TreeNode {
        parent: None,
        node: node(
            doc,
            NodeKind::Document {
                compat_mode: Some("CSS1Compat".into()),
            },
        ),
    });
    push(
        &mut tree,
        0,
        node(
            ids.next(),
            NodeKind::DocumentType {
                name: "html".into(),
                public_id: String::new(),
                system_id: String::new(),
            },
        ),
    );
    let html = push(
        &mut tree,
        0,
        element(ids.next(), "html", vec![attr("lang", "en")]),
    );
    let head = push(&mut tree, html, element(ids.next(), "head", vec![]));
    push(
        &mut tree,
        head,
        element(ids.next(), "meta", vec![attr("charset", "utf-8")]),
    );
    let title = push(&mut tree, head, element(ids.next(), "title", vec![]));
    push(&mut tree, title, text(ids.next(), "Orders — admin".into()));
    let style = push(&mut tree, head, element(ids.next(), "style", vec![]));
    push(
        &mut tree,
        style,
        node(
            ids.next(),
            NodeKind::Text {
                text: stylesheet(),
                is_style: Some(true),
            },
        ),
    );
    let body_id = ids.next();
    let body = push(
        &mut tree,
        html,
        element(body_id, "body", vec![attr("class", "theme-0")]),
    );
    let h1 = push(&mut tree, body, element(ids.next(), "h1", vec![]));
    push(&mut tree, h1, text(ids.next(), "Orders".into()));
    let search = ids.next();
    push(
        &mut tree,
        body,
        element(
            search,
            "input",
            vec![
                attr("type", "search"),
                attr("placeholder", "Filter orders"),
                attr("value", ""),
            ],
        ),
    );
    let wrap = ids.next();
    let wrap_at = push(
        &mut tree,
        body,
        element(wrap, "div", vec![attr("class", "table-wrap")]),
    );
    let table = push(
        &mut tree,
        wrap_at,
        element(ids.next(), "table", vec![attr("class", "orders")]),
    );
    let thead = push(&mut tree, table, element(ids.next(), "thead", vec![]));
    let head_tr = push(&mut tree, thead, element(ids.next(), "tr", vec![]));
    for name in ["Name", "SKU", "Price", "Status", "Date"] {
        let th = push(&mut tree, head_tr, element(ids.next(), "th", vec![]));
        push(&mut tree, th, text(ids.next(), name.into()));
    }
    let tbody_id = ids.next();
    let tbody = push(&mut tree, table, element(tbody_id, "tbody", vec![]));
    // Rows in document order; `live` is kept in that order too.
    let mut live: Vec<Row> = (0..rows as u64)
        .map(|key| row_nodes(&mut ids, key, &mut tree, tbody))
        .collect();
    let mut next_key = rows as u64;
    let mut version = 0u64;

    let mut out = vec![
        event(
            START,
            EventKind::Meta(Meta {
                href: "https://shop.example/admin/orders".into(),
                width: Num::Int(1440),
                height: Num::Int(900),
                extra: Vec::new(),
            }),
        ),
        event(
            START + 12,
            EventKind::FullSnapshot(FullSnapshot {
                tree,
                initial_offset: ScrollOffset {
                    top: Num::Int(0),
                    left: Num::Int(0),
                    extra: Vec::new(),
                },
                extra: Vec::new(),
            }),
        ),
    ];

    let end = START + 12 + duration_ms;
    let mut t = START + 12;
    let mut scroll_y = 0i64;
    let mut query = String::new();
    loop {
        t += 1_000 + rng.below(2_001) as i64;
        if t > end {
            break;
        }
        version += 1;
        // Mouse moves half-way through the pause before the edit.
        if rng.chance(60) {
            let positions = (0..1 + rng.below(4))
                .map(|k| Position {
                    x: Num::Int(rng.below(1440) as i64),
                    y: Num::Int(rng.below(900) as i64),
                    id: live
                        .get(rng.below(live.len() as u64) as usize)
                        .map_or(wrap, |r| r.tr),
                    time_offset: Num::Int(-50 * k as i64),
                    extra: Vec::new(),
                })
                .collect();
            out.push(incremental(
                t - 500,
                Incremental::Moves(PointerMoves {
                    source: MoveSource::Mouse,
                    positions,
                    extra: Vec::new(),
                }),
            ));
        }
        let roll = rng.below(100);
        let row = live.get(rng.below(live.len() as u64) as usize).copied();
        let ev = match (roll, row) {
            // Cell texts: a price or status update touches a few cells.
            (0..45, Some(_)) => {
                let texts = (0..1 + rng.below(5))
                    .filter_map(|_| {
                        let r = live.get(rng.below(live.len() as u64) as usize)?;
                        let col = rng.below(5) as usize;
                        Some(TextChange {
                            id: r.cells[col].1,
                            value: Some(cell_text(r.key, col, version)),
                            extra: Vec::new(),
                        })
                    })
                    .collect();
                mutation(
                    t,
                    Mutation {
                        texts,
                        ..Mutation::default()
                    },
                )
            }
            // Attributes: selection and status markers on a row, a removed flag.
            (45..65, Some(r)) => {
                let class = if rng.chance(50) {
                    "row selected"
                } else if r.key.is_multiple_of(2) {
                    "row even"
                } else {
                    "row odd"
                };
                let status = if rng.chance(20) {
                    AttrValue::Removed
                } else {
                    AttrValue::Str(STATUS[rng.below(4) as usize].into())
                };
                let mut attributes = vec![AttributeChange {
                    id: r.tr,
                    attributes: [
                        attr("class", class),
                        Attribute {
                            name: "data-status".into(),
                            value: status,
                        },
                    ]
                    .into_iter()
                    .collect(),
                    extra: Vec::new(),
                }];
                if rng.chance(10) {
                    attributes.push(AttributeChange {
                        id: body_id,
                        attributes: [attr("class", &format!("theme-{}", rng.below(40)))]
                            .into_iter()
                            .collect(),
                        extra: Vec::new(),
                    });
                }
                mutation(
                    t,
                    Mutation {
                        attributes,
                        ..Mutation::default()
                    },
                )
            }
            // A new row, inserted before a live one (or appended), one add per node as
            // rrweb sends them: the row first, then its cells last to first.
            (65..77, _) => {
                let at = rng.below(live.len() as u64 + 1) as usize;
                let next_id = live.get(at).map(|r| r.tr);
                let mut sub = NodeTree::default();
                sub.nodes.push(TreeNode {
                    parent: None,
                    node: element(NodeId(0), "tbody", vec![]),
                });
                let new = row_nodes(&mut ids, next_key, &mut sub, 0);
                next_key += 1;
                live.insert(at, new);
                let nodes: Vec<TreeNode> = sub.nodes.into_iter().skip(1).collect();
                let tr = nodes[0].node.clone();
                let mut adds = vec![Addition {
                    parent_id: tbody_id,
                    next_id,
                    previous_id: None,
                    node: NodeTree::single(tr),
                    extra: Vec::new(),
                }];
                for col in (0..5).rev() {
                    let (td, tx) = (&nodes[1 + 2 * col].node, &nodes[2 + 2 * col].node);
                    adds.push(Addition {
                        parent_id: new.tr,
                        next_id: new.cells.get(col + 1).map(|c| c.0),
                        previous_id: None,
                        node: NodeTree::single(td.clone()),
                        extra: Vec::new(),
                    });
                    adds.push(Addition {
                        parent_id: td.id,
                        next_id: None,
                        previous_id: None,
                        node: NodeTree::single(tx.clone()),
                        extra: Vec::new(),
                    });
                }
                mutation(
                    t,
                    Mutation {
                        adds,
                        ..Mutation::default()
                    },
                )
            }
            // A row deleted.
            (77..87, Some(_)) => {
                let at = rng.below(live.len() as u64) as usize;
                let gone = live.remove(at);
                mutation(
                    t,
                    Mutation {
                        removes: vec![Removal {
                            parent_id: tbody_id,
                            id: gone.tr,
                            is_shadow: None,
                            extra: Vec::new(),
                        }],
                        ..Mutation::default()
                    },
                )
            }
            // Typing in the search box.
            (87..92, _) => {
                if query.len() > 12 || rng.chance(20) {
                    query.clear();
                }
                query.push((b'a' + rng.below(26) as u8) as char);
                incremental(
                    t,
                    Incremental::Input(Input {
                        id: search,
                        text: query.clone(),
                        is_checked: false,
                        user_triggered: Some(true),
                        extra: Vec::new(),
                    }),
                )
            }
            // Scrolling the table.
            (92..97, _) => {
                scroll_y =
                    (scroll_y + rng.below(4_000) as i64 - 1_800).clamp(0, 11 * 33 * rows as i64);
                incremental(
                    t,
                    Incremental::Scroll(Scroll {
                        id: wrap,
                        x: Num::Int(0),
                        y: Num::Int(scroll_y),
                        extra: Vec::new(),
                    }),
                )
            }
            // A click on a row.
            _ => incremental(
                t,
                Incremental::MouseInteraction(MouseInteraction {
                    kind: MouseInteractionKind::Click,
                    id: row.map_or(wrap, |r| r.cells[0].0),
                    x: Some(Num::Int(rng.below(1440) as i64)),
                    y: Some(Num::Int(rng.below(900) as i64)),
                    pointer_type: Some(PointerKind::Mouse),
                    extra: Vec::new(),
                }),
            ),
        };
        out.push(ev);
    }
    out
}
