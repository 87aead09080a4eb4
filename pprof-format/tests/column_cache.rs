//! Profiles large enough for memory-mapped sample columns, decoded one after another with
//! a `ColumnPool`: a decode that reuses the memory a dropped profile's columns left must
//! read exactly like one on fresh memory (and like one without a pool), whatever the
//! previous profile wrote there.

use pprof_format::{ColumnPool, DecodeOptions, Profile, ProfileBuilder};

/// `n` samples of 8 locations out of 400 (ids of one and two bytes), two values, and with
/// `labels` a string and a numeric label on every third sample. `seed` varies stacks and
/// values, so that two profiles leave different bytes behind.
fn large(n: usize, labels: bool, seed: u64) -> Vec<u8> {
    let mut b = ProfileBuilder::new();
    b.sample_type("samples", "count")
        .sample_type("cpu", "nanoseconds");
    let locs: Vec<u32> = (0..400)
        .map(|i| {
            let f = b.function(&format!("f{i}"), "main.go", i);
            b.location(None, 0x1000 + i as u64 * 16, &[(f, i + 1)])
        })
        .collect();
    let with = [b.label_str("k", "v"), b.label_num("bytes", 64, "bytes")];
    let mut x = seed | 1;
    for i in 0..n {
        let mut stack = [0u32; 8];
        for l in &mut stack {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *l = locs[(x % 400) as usize];
        }
        let lab: &[_] = if labels && i % 3 == 0 { &with } else { &[] };
        b.sample(&stack, &[1, (x % 1_000_000_000) as i64], lab);
    }
    b.build().expect("a valid profile").encode()
}

#[test]
fn decodes_on_reused_column_memory_read_like_fresh_ones() {
    // 400,000 samples: 3.2M location indexes (6.4 MB as u16), 0.8M values (6.4 MB).
    let plain = large(400_000, false, 7);
    let labelled = large(400_000, true, 11);
    let gzipped = Profile::decode(&plain).unwrap().encode_gzip();

    // References decoded without a pool (plain vectors).
    let want_plain = Profile::decode(&plain).unwrap();
    let want_labelled = Profile::decode(&labelled).unwrap();
    assert_eq!(want_plain.num_samples(), 400_000);
    assert_ne!(want_plain, want_labelled);

    // Each decode below takes the pages the one before it dropped.
    let pool = ColumnPool::new(64 << 20);
    let mut opts = DecodeOptions::default();
    opts.column_pool = Some(pool.clone());
    for (i, (data, want)) in [
        (&labelled, &want_labelled),
        (&plain, &want_plain),
        (&gzipped, &want_plain),
        (&labelled, &want_labelled),
        (&plain, &want_plain),
    ]
    .into_iter()
    .enumerate()
    {
        let got = Profile::decode_with(data, &opts).unwrap();
        assert_eq!(&got, want);
        // From the second decode on, the pool had the first one's mappings to give.
        assert!(i == 0 || pool.is_empty() || pool.len() < 32, "{pool:?}");
        drop(got);
        assert!(!pool.is_empty(), "decode {i} left nothing in the pool");
    }
    pool.release();
    assert_eq!(pool.held_bytes(), 0);
}
