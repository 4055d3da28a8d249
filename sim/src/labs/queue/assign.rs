//! Partition assignment in a consumer group: which member reads which partition.

use super::params::Assignor;

/// Assigns `partitions` to `members` (ids in join order). `previous[p]` is partition p's owner
/// before the rebalance (for `Sticky`). Returns the owner of each partition; with more members than
/// partitions, some members own nothing (they sit idle).
pub fn assign(
    strategy: Assignor,
    partitions: u32,
    members: &[u32],
    previous: &[Option<u32>],
) -> Vec<Option<u32>> {
    let n = partitions as usize;
    if members.is_empty() {
        return vec![None; n];
    }
    let m = members.len();
    match strategy {
        Assignor::Range => {
            // Member i gets a consecutive run; the first n % m members get one extra.
            let per = n / m;
            let extra = n % m;
            let mut out = Vec::with_capacity(n);
            for (i, &c) in members.iter().enumerate() {
                let count = per + usize::from(i < extra);
                out.extend(std::iter::repeat_n(Some(c), count));
            }
            out
        }
        Assignor::RoundRobin => (0..n).map(|p| Some(members[p % m])).collect(),
        Assignor::Sticky => {
            // Quotas: as even as possible; keep previous owners within their quota, then hand the
            // rest to the members furthest below theirs.
            let per = n / m;
            let extra = n % m;
            let mut count = vec![0usize; m];
            let quota = |i: usize| per + usize::from(i < extra);
            let mut out: Vec<Option<u32>> = vec![None; n];
            // Members keeping the most first get the larger quotas: order by previous holdings.
            let mut order: Vec<usize> = (0..m).collect();
            let held = |c: u32| previous.iter().filter(|&&o| o == Some(c)).count();
            order.sort_by_key(|&i| std::cmp::Reverse(held(members[i])));
            let mut rank = vec![0usize; m];
            for (r, &i) in order.iter().enumerate() {
                rank[i] = r;
            }
            for (p, slot) in out.iter_mut().enumerate() {
                if let Some(Some(prev)) = previous.get(p) {
                    if let Some(i) = members.iter().position(|&c| c == *prev) {
                        if count[i] < quota(rank[i]) {
                            count[i] += 1;
                            *slot = Some(*prev);
                        }
                    }
                }
            }
            for slot in out.iter_mut() {
                if slot.is_none() {
                    let i = (0..m)
                        .filter(|&i| count[i] < quota(rank[i]))
                        .min_by_key(|&i| (count[i], rank[i]))
                        .unwrap_or(0);
                    count[i] += 1;
                    *slot = Some(members[i]);
                }
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loads(a: &[Option<u32>], members: &[u32]) -> Vec<usize> {
        members
            .iter()
            .map(|&c| a.iter().filter(|&&o| o == Some(c)).count())
            .collect()
    }

    #[test]
    fn every_strategy_assigns_each_partition_once_and_evenly() {
        for s in Assignor::ALL {
            for parts in 1..=12u32 {
                for m in 1..=8u32 {
                    let members: Vec<u32> = (0..m).map(|i| i * 3 + 1).collect();
                    let prev = vec![Some(members[0]); parts as usize];
                    let a = assign(s, parts, &members, &prev);
                    assert_eq!(a.len(), parts as usize);
                    assert!(a.iter().all(|o| o.is_some_and(|c| members.contains(&c))));
                    let l = loads(&a, &members);
                    let (lo, hi) = (l.iter().min().unwrap(), l.iter().max().unwrap());
                    assert!(hi - lo <= 1, "{s:?} {parts} {m}: {l:?}");
                }
            }
        }
    }

    #[test]
    fn more_members_than_partitions_leaves_some_idle() {
        let a = assign(Assignor::Range, 2, &[0, 1, 2, 3], &[None, None]);
        assert_eq!(loads(&a, &[0, 1, 2, 3]), vec![1, 1, 0, 0]);
    }

    #[test]
    fn sticky_moves_only_what_must_move() {
        let members = [0, 1, 2];
        let before = assign(Assignor::Sticky, 6, &members, &[None; 6]);
        // Member 2 leaves: its partitions move, the others stay.
        let after = assign(Assignor::Sticky, 6, &[0, 1], &before);
        for p in 0..6 {
            if before[p] != Some(2) {
                assert_eq!(after[p], before[p], "partition {p} moved needlessly");
            }
        }
        // Range, by contrast, moves more than the leaver's two partitions when member 0 leaves.
        let r_before = assign(Assignor::Range, 6, &[0, 1, 2], &[None; 6]);
        let r_after = assign(Assignor::Range, 6, &[1, 2], &r_before);
        assert_eq!((0..6).filter(|&p| r_before[p] != r_after[p]).count(), 3);
        let s_after = assign(Assignor::Sticky, 6, &[1, 2], &before);
        assert_eq!((0..6).filter(|&p| before[p] != s_after[p]).count(), 2);
    }
}
