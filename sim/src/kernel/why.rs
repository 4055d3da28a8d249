//! The "why did that happen" log, written once for every lab: each counted anomaly (a lost
//! message, a duplicate, a stale read, an oversell ...) is one [`Entry`]: the virtual time, the
//! lab's kind of anomaly (an index into its [`Kind`] table), a few numbers that explain the rule
//! that made it happen, and the entities involved (a broker, a partition, a key ...).
//!
//! Entries are structured, not text: the page words them in its language from the kind's text id
//! (`<lab>.why.<key>`) and the numbers; the command line uses the kind's English. The log is
//! bounded: it counts every entry of every kind, and keeps the most recent [`KEEP`] entries in a
//! ring allocated once, so noting one costs a constant time and no allocation, however long the
//! run. It is not part of a run's figures or digest.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::time::{Nanos, NS_PER_MS, NS_PER_S};

/// Entries kept (the most recent).
pub const KEEP: usize = 300;
/// Numbers an entry carries at most.
pub const ARGS: usize = 6;
/// Entities an entry names at most.
pub const ENTS: usize = 4;

/// What kind of anomaly, across labs: the page filters and counts by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Lost,
    Duplicate,
    OutOfOrder,
    Stale,
    Oversell,
    Refused,
    DeadLetter,
    Expired,
    Election,
    DuplicateId,
    /// A message a member should have had and did not (chat).
    Missed,
    /// A window of time let through more than the limit (rate limiters).
    OverLimit,
    /// An unread count that is not what the member misses (chat).
    WrongCount,
}

impl Class {
    pub const ALL: &'static [Class] = &[
        Class::Lost,
        Class::Duplicate,
        Class::OutOfOrder,
        Class::Stale,
        Class::Oversell,
        Class::Refused,
        Class::DeadLetter,
        Class::Expired,
        Class::Election,
        Class::DuplicateId,
        Class::Missed,
        Class::OverLimit,
        Class::WrongCount,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Lost => "lost",
            Class::Duplicate => "duplicate",
            Class::OutOfOrder => "out_of_order",
            Class::Stale => "stale",
            Class::Oversell => "oversell",
            Class::Refused => "refused",
            Class::DeadLetter => "dead_letter",
            Class::Expired => "expired",
            Class::Election => "election",
            Class::DuplicateId => "duplicate_id",
            Class::Missed => "missed",
            Class::OverLimit => "over_limit",
            Class::WrongCount => "wrong_count",
        }
    }

    /// The text id of its name on the page.
    pub fn text(self) -> String {
        format!("why.class.{}", self.as_str())
    }
}

/// How a number of an entry is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fmt {
    /// A whole number, with thousands separators (an offset, a count).
    Int,
    /// An id, as is (a broker, a key, a version: no separators).
    Id,
    /// A virtual time in ns, written in seconds (`3.412 s`).
    Time,
    /// A duration in ns, written in milliseconds (`14 ms`).
    Ms,
}

/// One kind of entry a lab writes: its key (the text id is `<lab>.why.<key>`), its class, how each
/// number is written, and its English with `{0}`, `{1}` … for the numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kind {
    pub key: &'static str,
    pub class: Class,
    pub args: &'static [Fmt],
    pub english: &'static str,
}

impl Kind {
    /// The text id of its words on the page.
    pub fn text(&self, lab: &str) -> String {
        format!("{lab}.why.{}", self.key)
    }
}

/// What an entity of an entry is (the picture marks the ones it draws).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EntKind {
    #[default]
    None,
    Broker,
    Partition,
    Producer,
    Consumer,
    Key,
    /// A cache node.
    Node,
    /// A lane (a limiter algorithm, a policy, a storage scheme: variants run side by side).
    Lane,
    /// A chat member.
    Member,
    /// A generator (snowflake worker).
    Worker,
}

/// An entity: what it is and its id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Ent {
    pub kind: EntKind,
    pub id: u32,
}

impl Ent {
    pub const fn new(kind: EntKind, id: u32) -> Self {
        Self { kind, id }
    }
}

/// One line of the log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its number in the run (0, 1, 2 …): what the page has seen.
    pub seq: u64,
    pub at: Nanos,
    /// Index into the lab's kinds.
    pub kind: u16,
    pub args: [i64; ARGS],
    pub ents: [Ent; ENTS],
}

impl Entry {
    /// The entities it names.
    pub fn entities(&self) -> impl Iterator<Item = Ent> + '_ {
        self.ents
            .iter()
            .copied()
            .filter(|e| e.kind != EntKind::None)
    }

    /// Whether it names `e`.
    pub fn names(&self, e: Ent) -> bool {
        self.entities().any(|x| x == e)
    }
}

/// A lab's log: counts of every kind, the most recent entries.
#[derive(Clone, Debug)]
pub struct WhyLog {
    kinds: &'static [Kind],
    counts: Vec<u64>,
    ring: VecDeque<Entry>,
    next: u64,
    /// What [`WhyLog::gather`] took of this log so far: its lines, and its counts.
    taken: u64,
    taken_counts: Vec<u64>,
}

impl WhyLog {
    pub fn new(kinds: &'static [Kind]) -> Self {
        Self {
            kinds,
            counts: vec![0; kinds.len()],
            ring: VecDeque::with_capacity(KEEP),
            next: 0,
            taken: 0,
            taken_counts: vec![0; kinds.len()],
        }
    }

    pub fn kinds(&self) -> &'static [Kind] {
        self.kinds
    }

    /// Notes an anomaly of kind `kind` (an index into the kinds) at `at`, with its numbers and
    /// entities (extra ones are left out; a kind out of range is ignored).
    pub fn note(&mut self, at: Nanos, kind: usize, args: &[i64], ents: &[Ent]) {
        let Some(c) = self.counts.get_mut(kind) else {
            return;
        };
        *c += 1;
        let mut e = Entry {
            seq: self.next,
            at,
            kind: kind as u16,
            ..Entry::default()
        };
        for (d, s) in e.args.iter_mut().zip(args) {
            *d = *s;
        }
        for (d, s) in e.ents.iter_mut().zip(ents) {
            *d = *s;
        }
        self.next += 1;
        if self.ring.len() == KEEP {
            self.ring.pop_front();
        }
        self.ring.push_back(e);
    }

    /// Entries noted of each kind (all of them, not only those kept).
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Entries noted in all (for a log that gathers its parts' lines: the lines it took, which
    /// may be fewer than its counts when a part noted more than it keeps between two calls).
    pub fn total(&self) -> u64 {
        self.next
    }

    /// The entries kept, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.ring.iter()
    }

    /// The entries kept numbered `seq` or later, oldest first.
    pub fn since(&self, seq: u64) -> impl Iterator<Item = &Entry> {
        let first = self.ring.front().map_or(self.next, |e| e.seq);
        let skip = seq.saturating_sub(first).min(self.ring.len() as u64) as usize;
        self.ring.iter().skip(skip)
    }

    /// Takes in what `parts` (logs of the same kinds, one per lane of a lab that runs variants
    /// side by side) noted since the last call: their counts, and their lines in time order (those
    /// each part still keeps). `scratch` is reused between calls.
    pub fn gather<'a>(
        &mut self,
        parts: impl Iterator<Item = &'a mut WhyLog>,
        scratch: &mut Vec<Entry>,
    ) {
        scratch.clear();
        for part in parts {
            if part.taken == part.next {
                continue;
            }
            for (c, (now, before)) in self
                .counts
                .iter_mut()
                .zip(part.counts.iter().zip(part.taken_counts.iter_mut()))
            {
                *c += *now - *before;
                *before = *now;
            }
            scratch.extend(part.since(part.taken).copied());
            part.taken = part.next;
        }
        scratch.sort_by_key(|e| e.at);
        for e in scratch.iter().skip(scratch.len().saturating_sub(KEEP)) {
            if self.ring.len() == KEEP {
                self.ring.pop_front();
            }
            self.ring.push_back(Entry {
                seq: self.next,
                ..*e
            });
            self.next += 1;
        }
    }

    /// Bytes it holds at most (for a lab's cost).
    pub fn bytes(kinds: usize) -> u64 {
        (KEEP * std::mem::size_of::<Entry>() + kinds * 8) as u64
    }
}

/// Writes number `v` as `f` says, in English (the page has its own, with its language's
/// separators).
pub fn english_arg(f: Fmt, v: i64) -> String {
    match f {
        Fmt::Int => {
            let s = v.unsigned_abs().to_string();
            let mut out = String::new();
            for (i, c) in s.chars().enumerate() {
                if i > 0 && (s.len() - i) % 3 == 0 {
                    out.push(',');
                }
                out.push(c);
            }
            if v < 0 {
                format!("-{out}")
            } else {
                out
            }
        }
        Fmt::Id => v.to_string(),
        Fmt::Time => format!("{:.3} s", v as f64 / NS_PER_S as f64),
        Fmt::Ms => {
            let ms = v as f64 / NS_PER_MS as f64;
            if ms.fract() == 0.0 || ms.abs() >= 100.0 {
                format!("{ms:.0} ms")
            } else {
                format!("{ms:.1} ms")
            }
        }
    }
}

/// Fills `{0}`, `{1}` … of `template` with `args`.
pub fn fill(template: &str, args: &[String]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after
            .find('}')
            .and_then(|j| Some((j, after[..j].parse::<usize>().ok()?)))
        {
            Some((j, n)) => {
                out.push_str(args.get(n).map_or("?", String::as_str));
                rest = &after[j + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// An entry in English: `3.412 s  lost  offset 1,204 was …` (the command line's `--why`).
pub fn english(kinds: &[Kind], e: &Entry) -> String {
    let Some(k) = kinds.get(e.kind as usize) else {
        return String::new();
    };
    let args: Vec<String> = k
        .args
        .iter()
        .zip(e.args)
        .map(|(&f, v)| english_arg(f, v))
        .collect();
    format!(
        "{:>10.3} s  {:<12} {}",
        e.at as f64 / NS_PER_S as f64,
        k.class.as_str(),
        fill(k.english, &args)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: &[Kind] = &[
        Kind {
            key: "a",
            class: Class::Lost,
            args: &[Fmt::Int, Fmt::Id],
            english: "offset {0} on broker {1}",
        },
        Kind {
            key: "b",
            class: Class::Stale,
            args: &[Fmt::Time, Fmt::Ms],
            english: "at {0}, {1} late",
        },
    ];

    #[test]
    fn the_ring_keeps_the_latest_and_counts_everything() {
        let mut w = WhyLog::new(KINDS);
        let cap = w.ring.capacity();
        for i in 0..(KEEP as i64 * 3 + 7) {
            w.note(
                i as Nanos,
                (i % 2) as usize,
                &[i, 2],
                &[Ent::new(EntKind::Broker, 2)],
            );
        }
        assert_eq!(w.total(), KEEP as u64 * 3 + 7);
        assert_eq!(
            w.counts(),
            &[(KEEP as u64 * 3 + 8) / 2, (KEEP as u64 * 3 + 7) / 2]
        );
        assert_eq!(w.entries().count(), KEEP);
        assert_eq!(w.ring.capacity(), cap, "no growth");
        let first = w.entries().next().unwrap().seq;
        assert_eq!(first, w.total() - KEEP as u64);
        assert_eq!(w.since(0).count(), KEEP);
        assert_eq!(w.since(w.total() - 5).count(), 5);
        assert_eq!(w.since(w.total()).count(), 0);
        assert_eq!(w.since(w.total() - 5).next().unwrap().seq, w.total() - 5);
        // A kind out of range is ignored, extra numbers and entities are left out.
        w.note(0, 9, &[1], &[]);
        assert_eq!(w.total(), KEEP as u64 * 3 + 7);
        w.note(
            5,
            0,
            &[1, 2, 3, 4, 5, 6, 7, 8],
            &[Ent::new(EntKind::Key, 1); 9],
        );
        assert_eq!(w.entries().last().unwrap().args, [1, 2, 3, 4, 5, 6]);
        assert!(w.entries().last().unwrap().names(Ent::new(EntKind::Key, 1)));
        assert!(!w.entries().last().unwrap().names(Ent::new(EntKind::Key, 2)));
    }

    #[test]
    fn gathering_parts_keeps_their_counts_and_orders_their_lines_by_time() {
        let mut a = WhyLog::new(KINDS);
        let mut b = WhyLog::new(KINDS);
        let mut all = WhyLog::new(KINDS);
        let mut scratch = Vec::new();
        a.note(30, 0, &[1], &[]);
        b.note(10, 1, &[2], &[]);
        a.note(50, 1, &[3], &[]);
        all.gather([&mut a, &mut b].into_iter(), &mut scratch);
        assert_eq!(all.counts(), &[1, 2]);
        let at: Vec<Nanos> = all.entries().map(|e| e.at).collect();
        assert_eq!(at, [10, 30, 50]);
        let seq: Vec<u64> = all.entries().map(|e| e.seq).collect();
        assert_eq!(seq, [0, 1, 2]);
        // Only what is new next time; a part that noted more than it keeps still counts all.
        for i in 0..(KEEP as u64 + 10) {
            b.note(100 + i, 0, &[], &[]);
        }
        all.gather([&mut a, &mut b].into_iter(), &mut scratch);
        assert_eq!(all.counts(), &[1 + KEEP as u64 + 10, 2]);
        assert_eq!(all.entries().count(), KEEP);
        assert_eq!(all.entries().last().unwrap().at, 100 + KEEP as u64 + 9);
        all.gather([&mut a, &mut b].into_iter(), &mut scratch);
        assert_eq!(all.counts(), &[1 + KEEP as u64 + 10, 2]);
    }

    #[test]
    fn english_words_the_numbers() {
        let mut w = WhyLog::new(KINDS);
        w.note(3_412_000_000, 0, &[1204, 2], &[]);
        w.note(3_398_000_000, 1, &[3_398_000_000, 14_500_000], &[]);
        let lines: Vec<String> = w.entries().map(|e| english(KINDS, e)).collect();
        assert!(
            lines[0].ends_with("offset 1,204 on broker 2"),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains("3.412 s"));
        assert!(
            lines[1].ends_with("at 3.398 s, 14.5 ms late"),
            "{}",
            lines[1]
        );
        assert_eq!(english_arg(Fmt::Int, -1234567), "-1,234,567");
        assert_eq!(fill("{0} {x} {3}", &["a".into()]), "a {x} ?");
    }
}
