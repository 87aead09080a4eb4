//! proptest: an arbitrary valid profile → encode → decode gives the same profile, raw and
//! gzipped, and the text dump is unchanged.

use pprof_format::{Function, Label, Line, Mapping, Profile, ProfileBuilder};
use proptest::prelude::*;

/// `(mapping, address, [(function, line, column)], is_folded)`, indexes into the spec.
type LocationSpec = (Option<usize>, u64, Vec<(usize, i64, i64)>, bool);
/// `(locations, values, [(key, str, num, unit)])`, indexes into the spec.
type SampleSpec = (Vec<usize>, Vec<i64>, Vec<(usize, usize, i64, usize)>);

#[derive(Debug, Clone)]
struct Spec {
    types: Vec<(Vec<u8>, Vec<u8>)>,
    strings: Vec<Vec<u8>>,
    mappings: Vec<(u64, u64, u64, usize, usize, [bool; 4])>,
    functions: Vec<(usize, usize, usize, i64)>,
    locations: Vec<LocationSpec>,
    samples: Vec<SampleSpec>,
    scalars: (i64, i64, i64, Option<(usize, usize)>),
    comments: Vec<usize>,
    extras: (usize, usize, usize, usize),
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[a-z./_()\\[\\]]{0,12}".prop_map(String::into_bytes),
        proptest::collection::vec(any::<u8>(), 0..8),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        proptest::collection::vec((bytes(), bytes()), 1..4),
        proptest::collection::vec(bytes(), 1..20),
    )
        .prop_flat_map(|(types, strings)| {
            let ns = strings.len();
            let k = types.len();
            let mappings = proptest::collection::vec(
                (
                    any::<u64>(),
                    any::<u64>(),
                    any::<u64>(),
                    0..ns,
                    0..ns,
                    any::<[bool; 4]>(),
                ),
                0..4,
            );
            let functions = proptest::collection::vec((0..ns, 0..ns, 0..ns, any::<i64>()), 1..8);
            (Just(types), Just(strings), mappings, functions).prop_flat_map(
                move |(types, strings, mappings, functions)| {
                    let nm = mappings.len();
                    let nf = functions.len();
                    let map_ref = if nm == 0 {
                        Just(None).boxed()
                    } else {
                        proptest::option::of(0..nm).boxed()
                    };
                    let locations = proptest::collection::vec(
                        (
                            map_ref,
                            any::<u64>(),
                            proptest::collection::vec((0..nf, any::<i64>(), any::<i64>()), 0..4),
                            any::<bool>(),
                        ),
                        1..10,
                    );
                    (
                        Just(types),
                        Just(strings),
                        Just(mappings),
                        Just(functions),
                        locations,
                    )
                        .prop_flat_map(
                            move |(types, strings, mappings, functions, locations)| {
                                let nl = locations.len();
                                let samples = proptest::collection::vec(
                                    (
                                        proptest::collection::vec(0..nl, 0..6),
                                        proptest::collection::vec(any::<i64>(), k..=k),
                                        proptest::collection::vec(
                                            (0..ns, 0..ns, any::<i64>(), 0..ns),
                                            0..3,
                                        ),
                                    ),
                                    0..12,
                                );
                                let scalars = (
                                    any::<i64>(),
                                    any::<i64>(),
                                    any::<i64>(),
                                    proptest::option::of((0..ns, 0..ns)),
                                );
                                let comments = proptest::collection::vec(0..ns, 0..3);
                                let extras = (0..ns, 0..ns, 0..ns, 0..ns);
                                (
                                    Just(types),
                                    Just(strings),
                                    Just(mappings),
                                    Just(functions),
                                    Just(locations),
                                    samples,
                                    scalars,
                                    comments,
                                    extras,
                                )
                            },
                        )
                },
            )
        })
        .prop_map(
            |(
                types,
                strings,
                mappings,
                functions,
                locations,
                samples,
                scalars,
                comments,
                extras,
            )| Spec {
                types,
                strings,
                mappings,
                functions,
                locations,
                samples,
                scalars,
                comments,
                extras,
            },
        )
}

fn build(s: &Spec) -> Profile {
    let mut b = ProfileBuilder::new();
    // Intern the free strings first so that their ids are what the spec indexes.
    let ids: Vec<u32> = s.strings.iter().map(|x| b.string_bytes(x)).collect();
    for (t, u) in &s.types {
        let (t, u) = (
            String::from_utf8_lossy(t).into_owned(),
            String::from_utf8_lossy(u).into_owned(),
        );
        b.sample_type(&t, &u);
    }
    let maps: Vec<u32> = s
        .mappings
        .iter()
        .map(|&(start, limit, off, f, bid, flags)| {
            b.intern_mapping(Mapping {
                id: 0,
                memory_start: start,
                memory_limit: limit,
                file_offset: off,
                filename: ids[f],
                build_id: ids[bid],
                has_functions: flags[0],
                has_filenames: flags[1],
                has_line_numbers: flags[2],
                has_inline_frames: flags[3],
            })
        })
        .collect();
    let funcs: Vec<u32> = s
        .functions
        .iter()
        .map(|&(n, sn, f, line)| {
            b.intern_function(Function {
                id: 0,
                name: ids[n],
                system_name: ids[sn],
                filename: ids[f],
                start_line: line,
            })
        })
        .collect();
    let locs: Vec<u32> = s
        .locations
        .iter()
        .map(|(m, addr, lines, folded)| {
            let lines: Vec<Line> = lines
                .iter()
                .map(|&(f, line, column)| Line {
                    function: funcs[f],
                    line,
                    column,
                })
                .collect();
            b.intern_location(m.map(|m| maps[m]), *addr, &lines, *folded)
        })
        .collect();
    for (sl, vals, labels) in &s.samples {
        let sl: Vec<u32> = sl.iter().map(|&l| locs[l]).collect();
        let labels: Vec<Label> = labels
            .iter()
            .map(|&(k, v, num, unit)| Label {
                key: ids[k],
                str: ids[v],
                num,
                num_unit: ids[unit],
            })
            .collect();
        b.sample(&sl, vals, &labels);
    }
    let (time, dur, period, pt) = s.scalars;
    b.time_nanos(time).duration_nanos(dur).period(period);
    if let Some((t, u)) = pt {
        let (t, u) = (
            String::from_utf8_lossy(&s.strings[t]).into_owned(),
            String::from_utf8_lossy(&s.strings[u]).into_owned(),
        );
        b.period_type(&t, &u);
    }
    for &c in &s.comments {
        b.comment(&String::from_utf8_lossy(&s.strings[c]));
    }
    let (d, k, dst, url) = s.extras;
    let text = |i: usize| String::from_utf8_lossy(&s.strings[i]).into_owned();
    b.drop_frames(&text(d))
        .keep_frames(&text(k))
        .default_sample_type(&text(dst))
        .doc_url(&text(url));
    b.build()
        .expect("a spec built through the builder is valid")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn encode_decode_is_lossless(s in spec()) {
        let p = build(&s);
        let raw = Profile::decode(&p.encode()).unwrap();
        prop_assert_eq!(&raw, &p);
        let gz = Profile::decode(&p.encode_gzip()).unwrap();
        prop_assert_eq!(&gz, &p);
        prop_assert_eq!(raw.to_text(), p.to_text());
        // Encoding is deterministic.
        prop_assert_eq!(raw.encode(), p.encode());
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Profile::decode(&data);
    }
}
