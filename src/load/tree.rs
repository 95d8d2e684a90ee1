//! A compact YAML tree in which every node, key and value keeps its span.

use crate::source::{Span, Spanned};

/// How a scalar was written. Only plain scalars can be `null`, booleans or numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    Quoted,
    Block,
}

/// A scalar's text. Most keys and values of a manifest are short: up to
/// [`Text::INLINE`] bytes are kept in the node itself, longer text in one
/// allocation of its exact size. (A heap string per scalar was over a
/// third of a tree's memory: malloc's smallest block is 32 bytes.)
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; Text::INLINE] },
    Heap(Box<str>),
}

impl Text {
    pub const INLINE: usize = 22;

    pub fn new(s: &str) -> Text {
        if s.len() <= Text::INLINE {
            let mut bytes = [0; Text::INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            Text(Repr::Inline {
                len: s.len() as u8,
                bytes,
            })
        } else {
            Text(Repr::Heap(s.into()))
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                let bytes = &bytes[..*len as usize];
                // SAFETY: `bytes[..len]` is a copy of a whole `&str` (see
                // `Text::new`), and nothing else writes to it.
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            Repr::Heap(s) => s,
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::new(s)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Text, ScalarStyle),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

const EMPTY_ENTRIES: &[Entry] = &[];
const EMPTY_NODES: &[Node] = &[];

impl Node {
    pub fn scalar(text: &str, style: ScalarStyle, span: Span) -> Node {
        Node {
            span,
            value: Value::Scalar(Text::new(text), style),
        }
    }

    /// The scalar's text (after YAML unescaping), whatever its type.
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// A scalar that is not `null`. Numbers and booleans come back as written,
    /// which is what Kubernetes does with names that look like numbers.
    pub fn as_str(&self) -> Option<&str> {
        if self.is_null() {
            return None;
        }
        self.as_scalar()
    }

    /// A non-empty string scalar with its span.
    pub fn spanned_str(&self) -> Option<Spanned<String>> {
        self.as_str()
            .filter(|s| !s.is_empty())
            .map(|s| Spanned::new(s.to_string(), self.span))
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar(s, ScalarStyle::Plain) if matches!(&**s, "" | "~" | "null" | "Null" | "NULL"))
    }

    /// YAML 1.1 and 1.2 booleans, as kubectl (YAML 1.1) reads them.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar(s, ScalarStyle::Plain) => match &**s {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y"
                | "Y" => Some(true),
                "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n"
                | "N" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(e) => e,
            _ => EMPTY_ENTRIES,
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => EMPTY_NODES,
        }
    }

    /// The entry for `key`; the last one wins, as in Kubernetes.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()
            .iter()
            .rev()
            .find(|e| e.key.as_scalar() == Some(key))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follow a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Node::as_str)
    }

    /// Bytes this subtree takes in memory: its nodes and its scalars' text
    /// (used to budget anchors and aliases: one long scalar repeated by
    /// thousands of aliases is few nodes but gigabytes).
    pub fn weight(&self) -> usize {
        let node = std::mem::size_of::<Node>();
        match &self.value {
            Value::Scalar(s, _) => node + s.len(),
            Value::Seq(items) => node + items.iter().map(Node::weight).sum::<usize>(),
            Value::Map(entries) => {
                node + entries
                    .iter()
                    .map(|e| e.key.weight() + e.value.weight())
                    .sum::<usize>()
            }
        }
    }

    /// Name `file` as the file of every span of this subtree.
    pub fn set_file(&mut self, file: crate::source::FileId) {
        self.span.file = file;
        match &mut self.value {
            Value::Scalar(..) => {}
            Value::Seq(items) => items.iter_mut().for_each(|i| i.set_file(file)),
            Value::Map(entries) => {
                for e in entries {
                    e.key.set_file(file);
                    e.value.set_file(file);
                }
            }
        }
    }

    /// Name `file` as the file of every span of this subtree, and move its
    /// positions `byte` bytes and `lines` lines on (a region of a file was
    /// parsed on its own).
    pub fn relocate(&mut self, file: crate::source::FileId, byte: u32, lines: u32) {
        if byte == 0 && lines == 0 {
            return self.set_file(file);
        }
        for p in [&mut self.span.start, &mut self.span.end] {
            p.byte += byte;
            p.line += lines;
        }
        self.span.file = file;
        match &mut self.value {
            Value::Scalar(..) => {}
            Value::Seq(items) => items.iter_mut().for_each(|i| i.relocate(file, byte, lines)),
            Value::Map(entries) => {
                for e in entries {
                    e.key.relocate(file, byte, lines);
                    e.value.relocate(file, byte, lines);
                }
            }
        }
    }

    /// Number of nodes in this subtree.
    pub fn count(&self) -> usize {
        match &self.value {
            Value::Scalar(..) => 1,
            Value::Seq(items) => 1 + items.iter().map(Node::count).sum::<usize>(),
            Value::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|e| e.key.count() + e.value.count())
                    .sum::<usize>()
            }
        }
    }
}
