//! Any bytes as the body of a v2 trace through the raw layer alone (`gotrace_parse::raw`):
//! the first byte picks the header (`go 1.22`, `1.23`, `1.25` or `1.26 trace`), the rest
//! follows it, so that runs go to the batch and event decoders rather than to finding a
//! header (`gotrace_parse` also runs them, behind the much slower ordered stream). No
//! panic or hang, batches and events stay inside the input and in file order, an error
//! ends the iteration, and every accessor is computable.
#![no_main]

use gotrace_parse::raw::{BatchKind, Batches};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let minor = [22, 23, 25, 26][pick as usize % 4];
    let mut trace = format!("go 1.{minor} trace\0\0\0").into_bytes();
    trace.extend_from_slice(body);
    let Ok(mut batches) = Batches::new(&trace) else {
        panic!("a well-formed v2 header is refused");
    };
    assert_eq!(batches.version().minor(), minor);
    let mut last = 0;
    while let Some(b) = batches.next() {
        let Ok(b) = b else {
            assert!(batches.next().is_none(), "batches go on after an error");
            break;
        };
        assert!(b.offset >= last && b.offset <= b.data_offset);
        assert!(b.data_offset + b.data.len() <= trace.len());
        assert_eq!(&trace[b.data_offset..b.data_offset + b.data.len()], b.data);
        last = b.data_offset + b.data.len();
        assert!(batches.offset() >= last);
        if b.kind != BatchKind::Events {
            assert!(b.events().next().is_none());
            assert!(b.first_event_type().is_none());
        }
        let mut events = b.events();
        let mut prev = None;
        while let Some(e) = events.next() {
            let Ok(e) = e else {
                assert!(events.next().is_none(), "events go on after an error");
                break;
            };
            assert!(e.offset >= b.data_offset && e.offset < b.data_offset + b.data.len());
            assert!(
                prev.is_none_or(|p| e.offset > p),
                "events out of file order"
            );
            prev = Some(e.offset);
            assert_eq!(e.args().len(), e.nargs as usize);
            let _ = e.spec().name;
            assert!(e.frames().count() <= e.data.len());
        }
    }
});
