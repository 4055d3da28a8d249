//! A bounded map from key id to a value, evicting the least recently used: an index plus a doubly
//! linked list over a slab, all O(1). Iteration follows recency (most recent first), so it is
//! deterministic.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// A fixed-key hasher: the same layout on every run (std's default hasher is seeded randomly).
type Fixed = BuildHasherDefault<DefaultHasher>;

const NIL: u32 = u32::MAX;

#[derive(Clone, Debug)]
struct Slot<V> {
    key: u32,
    value: V,
    prev: u32,
    next: u32,
}

#[derive(Clone, Debug)]
pub struct Lru<V> {
    index: HashMap<u32, u32, Fixed>,
    slots: Vec<Slot<V>>,
    free: Vec<u32>,
    head: u32,
    tail: u32,
    cap: usize,
}

impl<V: Clone> Lru<V> {
    pub fn new(cap: usize) -> Self {
        Self {
            index: HashMap::default(),
            slots: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            cap: cap.max(1),
        }
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn capacity(&self) -> usize {
        self.cap
    }

    fn unlink(&mut self, i: u32) {
        let (p, n) = (self.slots[i as usize].prev, self.slots[i as usize].next);
        if p == NIL {
            self.head = n;
        } else {
            self.slots[p as usize].next = n;
        }
        if n == NIL {
            self.tail = p;
        } else {
            self.slots[n as usize].prev = p;
        }
    }

    fn push_front(&mut self, i: u32) {
        self.slots[i as usize].prev = NIL;
        self.slots[i as usize].next = self.head;
        if self.head != NIL {
            self.slots[self.head as usize].prev = i;
        }
        self.head = i;
        if self.tail == NIL {
            self.tail = i;
        }
    }

    /// The value of `key`, marked most recently used.
    pub fn get(&mut self, key: u32) -> Option<&mut V> {
        let i = *self.index.get(&key)?;
        self.unlink(i);
        self.push_front(i);
        Some(&mut self.slots[i as usize].value)
    }

    /// The value of `key`, recency unchanged.
    pub fn peek(&self, key: u32) -> Option<&V> {
        self.index.get(&key).map(|&i| &self.slots[i as usize].value)
    }

    pub fn peek_mut(&mut self, key: u32) -> Option<&mut V> {
        let i = *self.index.get(&key)?;
        Some(&mut self.slots[i as usize].value)
    }

    /// Sets `key`, most recently used; returns the entry evicted to make room, if any.
    pub fn insert(&mut self, key: u32, value: V) -> Option<(u32, V)> {
        if let Some(&i) = self.index.get(&key) {
            self.slots[i as usize].value = value;
            self.unlink(i);
            self.push_front(i);
            return None;
        }
        let evicted = if self.index.len() >= self.cap {
            let t = self.tail;
            self.unlink(t);
            let k = self.slots[t as usize].key;
            self.index.remove(&k);
            self.free.push(t);
            Some((k, self.slots[t as usize].value.clone()))
        } else {
            None
        };
        let slot = Slot {
            key,
            value,
            prev: NIL,
            next: NIL,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = slot;
                i
            }
            None => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        };
        self.index.insert(key, i);
        self.push_front(i);
        evicted
    }

    pub fn remove(&mut self, key: u32) -> Option<V> {
        let i = self.index.remove(&key)?;
        self.unlink(i);
        self.free.push(i);
        Some(self.slots[i as usize].value.clone())
    }

    pub fn clear(&mut self) {
        self.index.clear();
        self.slots.clear();
        self.free.clear();
        self.head = NIL;
        self.tail = NIL;
    }

    /// (key, value), most recently used first.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &V)> + '_ {
        let mut i = self.head;
        std::iter::from_fn(move || {
            if i == NIL {
                return None;
            }
            let s = &self.slots[i as usize];
            i = s.next;
            Some((s.key, &s.value))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_least_recently_used_and_stays_bounded() {
        let mut l = Lru::new(3);
        assert!(l.insert(1, 'a').is_none());
        assert!(l.insert(2, 'b').is_none());
        assert!(l.insert(3, 'c').is_none());
        assert_eq!(l.get(1), Some(&mut 'a'));
        assert_eq!(l.insert(4, 'd'), Some((2, 'b')));
        assert_eq!(l.len(), 3);
        assert_eq!(l.iter().map(|(k, _)| k).collect::<Vec<_>>(), vec![4, 1, 3]);
        assert_eq!(l.remove(1), Some('a'));
        assert_eq!(l.peek(1), None);
        for k in 10..1000 {
            l.insert(k, 'x');
        }
        assert_eq!(l.len(), 3);
        assert!(l.slots.len() <= 3);
    }
}
