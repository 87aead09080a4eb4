//! Go's `slices.SortFunc` (pattern-defeating quicksort), reproduced step for step.
//!
//! Go's reader sorts CPU samples and, when the earliest batch cannot advance, its frontier
//! of batch cursors with this unstable sort. Elements that compare equal therefore end up
//! in an order that only this exact algorithm reproduces; to emit events in the same order
//! as Go, we sort the same way. Recursion depth is bounded by `log2(len)`.

#[derive(PartialEq, Eq, Clone, Copy)]
enum Hint {
    Unknown,
    Increasing,
    Decreasing,
}

fn bits_len(n: usize) -> usize {
    (usize::BITS - n.leading_zeros()) as usize
}

/// Sorts `v` by `less` exactly as Go's `slices.SortFunc` with `cmp(a, b) < 0 == less(a, b)`.
pub(crate) fn sort_by<T, F: FnMut(&T, &T) -> bool>(v: &mut [T], mut less: F) {
    let n = v.len();
    pdqsort(v, 0, n, bits_len(n), &mut less);
}

fn insertion_sort<T, F: FnMut(&T, &T) -> bool>(d: &mut [T], a: usize, b: usize, less: &mut F) {
    for i in a + 1..b {
        let mut j = i;
        while j > a && less(&d[j], &d[j - 1]) {
            d.swap(j, j - 1);
            j -= 1;
        }
    }
}

fn sift_down<T, F: FnMut(&T, &T) -> bool>(
    d: &mut [T],
    lo: usize,
    hi: usize,
    first: usize,
    less: &mut F,
) {
    let mut root = lo;
    loop {
        let mut child = 2 * root + 1;
        if child >= hi {
            return;
        }
        if child + 1 < hi && less(&d[first + child], &d[first + child + 1]) {
            child += 1;
        }
        if !less(&d[first + root], &d[first + child]) {
            return;
        }
        d.swap(first + root, first + child);
        root = child;
    }
}

fn heap_sort<T, F: FnMut(&T, &T) -> bool>(d: &mut [T], a: usize, b: usize, less: &mut F) {
    let first = a;
    let hi = b - a;
    let mut i = (hi as isize - 1) / 2;
    while i >= 0 {
        sift_down(d, i as usize, hi, first, less);
        i -= 1;
    }
    let mut i = hi as isize - 1;
    while i >= 0 {
        d.swap(first, first + i as usize);
        sift_down(d, 0, i as usize, first, less);
        i -= 1;
    }
}

fn pdqsort<T, F: FnMut(&T, &T) -> bool>(
    d: &mut [T],
    mut a: usize,
    mut b: usize,
    mut limit: usize,
    less: &mut F,
) {
    const MAX_INSERTION: usize = 12;
    let mut was_balanced = true;
    let mut was_partitioned = true;
    loop {
        let length = b - a;
        if length <= MAX_INSERTION {
            insertion_sort(d, a, b, less);
            return;
        }
        if limit == 0 {
            heap_sort(d, a, b, less);
            return;
        }
        if !was_balanced {
            break_patterns(d, a, b);
            limit -= 1;
        }
        let (mut pivot, mut hint) = choose_pivot(d, a, b, less);
        if hint == Hint::Decreasing {
            d[a..b].reverse();
            pivot = (b - 1) - (pivot - a);
            hint = Hint::Increasing;
        }
        if was_balanced
            && was_partitioned
            && hint == Hint::Increasing
            && partial_insertion_sort(d, a, b, less)
        {
            return;
        }
        if a > 0 && !less(&d[a - 1], &d[pivot]) {
            a = partition_equal(d, a, b, pivot, less);
            continue;
        }
        let (mid, already) = partition(d, a, b, pivot, less);
        was_partitioned = already;
        let (left, right) = (mid - a, b - mid);
        let threshold = length / 8;
        if left < right {
            was_balanced = left >= threshold;
            pdqsort(d, a, mid, limit, less);
            a = mid + 1;
        } else {
            was_balanced = right >= threshold;
            pdqsort(d, mid + 1, b, limit, less);
            b = mid;
        }
    }
}

fn partition<T, F: FnMut(&T, &T) -> bool>(
    d: &mut [T],
    a: usize,
    b: usize,
    pivot: usize,
    less: &mut F,
) -> (usize, bool) {
    d.swap(a, pivot);
    let (mut i, mut j) = (a as isize + 1, b as isize - 1);
    while i <= j && less(&d[i as usize], &d[a]) {
        i += 1;
    }
    while i <= j && !less(&d[j as usize], &d[a]) {
        j -= 1;
    }
    if i > j {
        d.swap(j as usize, a);
        return (j as usize, true);
    }
    d.swap(i as usize, j as usize);
    i += 1;
    j -= 1;
    loop {
        while i <= j && less(&d[i as usize], &d[a]) {
            i += 1;
        }
        while i <= j && !less(&d[j as usize], &d[a]) {
            j -= 1;
        }
        if i > j {
            break;
        }
        d.swap(i as usize, j as usize);
        i += 1;
        j -= 1;
    }
    d.swap(j as usize, a);
    (j as usize, false)
}

fn partition_equal<T, F: FnMut(&T, &T) -> bool>(
    d: &mut [T],
    a: usize,
    b: usize,
    pivot: usize,
    less: &mut F,
) -> usize {
    d.swap(a, pivot);
    let (mut i, mut j) = (a as isize + 1, b as isize - 1);
    loop {
        while i <= j && !less(&d[a], &d[i as usize]) {
            i += 1;
        }
        while i <= j && less(&d[a], &d[j as usize]) {
            j -= 1;
        }
        if i > j {
            break;
        }
        d.swap(i as usize, j as usize);
        i += 1;
        j -= 1;
    }
    i as usize
}

fn partial_insertion_sort<T, F: FnMut(&T, &T) -> bool>(
    d: &mut [T],
    a: usize,
    b: usize,
    less: &mut F,
) -> bool {
    const MAX_STEPS: usize = 5;
    const SHORTEST_SHIFTING: usize = 50;
    let mut i = a + 1;
    for _ in 0..MAX_STEPS {
        while i < b && !less(&d[i], &d[i - 1]) {
            i += 1;
        }
        if i == b {
            return true;
        }
        if b - a < SHORTEST_SHIFTING {
            return false;
        }
        d.swap(i, i - 1);
        if i - a >= 2 {
            let mut j = i - 1;
            while j >= 1 {
                if !less(&d[j], &d[j - 1]) {
                    break;
                }
                d.swap(j, j - 1);
                j -= 1;
            }
        }
        if b - i >= 2 {
            let mut j = i + 1;
            while j < b {
                if !less(&d[j], &d[j - 1]) {
                    break;
                }
                d.swap(j, j - 1);
                j += 1;
            }
        }
    }
    false
}

fn break_patterns<T>(d: &mut [T], a: usize, b: usize) {
    let length = b - a;
    if length >= 8 {
        let mut random = length as u64;
        let modulus = 1usize << bits_len(length);
        let base = a + (length / 4) * 2;
        for idx in base - 1..=base + 1 {
            random ^= random << 13;
            random ^= random >> 7;
            random ^= random << 17;
            let mut other = (random as usize) & (modulus - 1);
            if other >= length {
                other -= length;
            }
            d.swap(idx, a + other);
        }
    }
}

fn choose_pivot<T, F: FnMut(&T, &T) -> bool>(
    d: &mut [T],
    a: usize,
    b: usize,
    less: &mut F,
) -> (usize, Hint) {
    const SHORTEST_NINTHER: usize = 50;
    const MAX_SWAPS: usize = 4 * 3;
    let l = b - a;
    let mut swaps = 0;
    let mut i = a + l / 4;
    let mut j = a + l / 4 * 2;
    let mut k = a + l / 4 * 3;
    if l >= 8 {
        if l >= SHORTEST_NINTHER {
            i = median(d, i - 1, i, i + 1, &mut swaps, less);
            j = median(d, j - 1, j, j + 1, &mut swaps, less);
            k = median(d, k - 1, k, k + 1, &mut swaps, less);
        }
        j = median(d, i, j, k, &mut swaps, less);
    }
    match swaps {
        0 => (j, Hint::Increasing),
        MAX_SWAPS => (j, Hint::Decreasing),
        _ => (j, Hint::Unknown),
    }
}

fn order2<T, F: FnMut(&T, &T) -> bool>(
    d: &[T],
    a: usize,
    b: usize,
    swaps: &mut usize,
    less: &mut F,
) -> (usize, usize) {
    if less(&d[b], &d[a]) {
        *swaps += 1;
        return (b, a);
    }
    (a, b)
}

fn median<T, F: FnMut(&T, &T) -> bool>(
    d: &[T],
    a: usize,
    b: usize,
    c: usize,
    swaps: &mut usize,
    less: &mut F,
) -> usize {
    let (a, b) = order2(d, a, b, swaps, less);
    let (b, c) = order2(d, b, c, swaps, less);
    let _ = c;
    let (_a, b) = order2(d, a, b, swaps, less);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts() {
        let mut x = 12345u64;
        let mut v: Vec<(u64, usize)> = (0..1000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 50, i)
            })
            .collect();
        sort_by(&mut v, |a, b| a.0 < b.0);
        assert!(v.windows(2).all(|w| w[0].0 <= w[1].0));
        let mut seen: Vec<usize> = v.iter().map(|p| p.1).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..1000).collect::<Vec<_>>());
    }
}
